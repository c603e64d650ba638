/**
 * MCP servers (issue 20), real ones from npm: @modelcontextprotocol/server-everything over stdio and over streamable
 * HTTP (direct, through a real squid with a password, and through a TLS-intercepting mitmproxy with and without its
 * CA), and a hostile server of the official SDK's (test/fixtures/mcp/hostile-server.mjs). What a user sees: the
 * tools, a call's answer, bounded results, clear errors for servers that flood, hang, exit or never answer, and the
 * doctor's verdict and fix for a command not on PATH, a download blocked by the proxy, a server that never
 * answers, a self-signed (intercepted) server and a 401.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src/main/core/index.ts';
import { ParleyError } from '../../src/main/core/errors.ts';
import { mcpServerSchema, MAX_TOOL_RESULT_CHARS, type McpServerEntry, type McpServerInput } from '../../src/shared/mcp.ts';
import { networkSchema, type StoredSettings } from '../../src/shared/settings.ts';
import { createMcpHub, type McpHubDeps } from '../../src/main/services/mcp/hub.ts';
import { mcpDoctor } from '../../src/main/services/mcp/doctor.ts';
import { launch, freePort, waitFor } from '../helpers/proc.ts';
import { startMitmproxy, startSquid, startStunnel, type MitmproxyServer, type RunningServer, type SquidServer } from '../helpers/servers.ts';
import { makeSelfSigned, makeTestCA, type TestCA } from '../helpers/certs.ts';

const require = createRequire(import.meta.url);
const EVERYTHING = require.resolve('@modelcontextprotocol/server-everything/dist/index.js');
const HOSTILE = join(import.meta.dirname, '../fixtures/mcp/hostile-server.mjs');
const USER = 'mcpuser';
const PASS = 'mcp-Pa55';

let core: Core;
let dir: string;
let httpServer: RunningServer;
let httpPort: number;
let sseServer: RunningServer;
let ssePort: number;
let squid: SquidServer;
let mitm: MitmproxyServer;
let tls: RunningServer;
let ca: TestCA;
let refusing: SquidServer;
let unauthorized: Server;
let unauthorizedPort: number;

const network = (proxy: Record<string, unknown> = { mode: 'none' }, caFiles: string[] = []): StoredSettings['network'] => v.parse(networkSchema, { proxy, caFiles });
const entry = (x: Omit<McpServerInput, 'id' | 'name'> & { name?: string }): McpServerEntry => v.parse(mcpServerSchema, { id: 's' + Math.random().toString(36).slice(2, 8), name: 'test server', ...x });
const deps = (servers: McpServerEntry[], net = network(), extra: Partial<McpHubDeps> = {}): McpHubDeps => ({
  servers: () => servers,
  network: () => net,
  // The app's environment without proxy variables: each test's route decides.
  env: async () => ({ env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !/proxy/i.test(k))), pathFrom: 'app' }),
  core,
  dir,
  handshakeMs: 15_000,
  ...extra,
});
const alive = (pid: number | undefined): boolean => pid !== undefined && existsSync(`/proc/${pid}`);

beforeAll(async () => {
  core = createCore({ env: {} });
  dir = mkdtempSync(join(tmpdir(), 'parley-mcp-'));
  ca = await makeTestCA();
  httpPort = await freePort();
  ssePort = await freePort();
  unauthorized = createServer((_req, res) => {
    res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' });
    res.end(JSON.stringify({ error: 'invalid_token' }));
  });
  // Each server is registered for cleanup by launch() as it starts (a sibling that fails leaves nothing behind).
  [httpServer, , squid, refusing, mitm] = await Promise.all([
    launch({ name: 'mcp-everything-http', bin: process.execPath, args: [EVERYTHING, 'streamableHttp'], dir, port: httpPort, env: { ...process.env, PORT: String(httpPort) }, startTimeoutMs: 30_000 }).then((p) => ({ url: `http://127.0.0.1:${httpPort}`, host: '127.0.0.1' as const, port: httpPort, dir, stop: p.stop, logs: p.logs })),
    launch({ name: 'mcp-everything-sse', bin: process.execPath, args: [EVERYTHING, 'sse'], dir, port: ssePort, env: { ...process.env, PORT: String(ssePort) }, startTimeoutMs: 30_000 }).then((p) => { sseServer = { url: `http://127.0.0.1:${ssePort}`, host: '127.0.0.1' as const, port: ssePort, dir, stop: p.stop, logs: p.logs }; }),
    startSquid({ auth: { user: USER, password: PASS }, hosts: { 'mcp.test': '127.0.0.1' } }),
    startSquid({ connect: false }),
    startMitmproxy(),
    new Promise<void>((resolve) => unauthorized.listen(0, '127.0.0.1', resolve)),
  ]) as unknown as [RunningServer, void, SquidServer, SquidServer, MitmproxyServer];
  unauthorizedPort = (unauthorized.address() as { port: number }).port;
  tls = await startStunnel({ targetPort: httpPort, cert: ca.cert, key: ca.key });
}, 120_000);

afterAll(async () => {
  await Promise.all([httpServer, sseServer, squid, refusing, mitm, tls].map((s) => s?.stop()));
  await new Promise((r) => unauthorized?.close(r));
  await core?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('stdio servers', () => {
  it('server-everything: its tools are listed, a call answers, and stopping it ends its process', async () => {
    const server = entry({ transport: 'stdio', command: process.execPath, args: [EVERYTHING] });
    const hub = createMcpHub(deps([server]));
    const { tools, failed } = await hub.tools();
    expect(failed).toEqual([]);
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['echo', 'get-sum']));
    expect(tools.find((t) => t.name === 'echo')?.inputSchema).toMatchObject({ type: 'object' });
    const r = await hub.call(server.id, 'echo', { message: '你好 Parley' });
    expect(r).toMatchObject({ text: 'Echo: 你好 Parley', isError: false });
    const conn = await hub.connection(server.id);
    expect(conn.protocolVersion).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(alive(conn.pid)).toBe(true);
    expect(hub.status()).toEqual([expect.objectContaining({ state: 'running', tools: tools.length })]);
    await hub.close();
    await waitFor(() => !alive(conn.pid), 10_000, () => `process ${conn.pid} still running`);
    expect(hub.status()[0]?.state).toBe('stopped');
  });

  it('a server disabled in settings is stopped by sync() (no orphan)', async () => {
    const server = entry({ transport: 'stdio', command: process.execPath, args: [HOSTILE] });
    const servers = [server];
    const hub = createMcpHub(deps(servers));
    const conn = await hub.connection(server.id);
    expect(alive(conn.pid)).toBe(true);
    servers[0] = { ...server, enabled: false };
    await hub.sync();
    await waitFor(() => !alive(conn.pid), 10_000, () => `process ${conn.pid} still running`);
  });

  it('results are bounded: 300,000 characters come back cut to the bound and say how much was left out', async () => {
    const server = entry({ transport: 'stdio', command: process.execPath, args: [HOSTILE] });
    const hub = createMcpHub(deps([server]));
    try {
      const r = await hub.call(server.id, 'big', {});
      expect(r.text.length).toBe(MAX_TOOL_RESULT_CHARS);
      expect(r.leftOut).toBe(300_000 - MAX_TOOL_RESULT_CHARS);
    } finally {
      await hub.close();
    }
  });

  it('a 50 MB result ends that call with a clear error, and the server is started again for the next call', async () => {
    const server = entry({ transport: 'stdio', command: process.execPath, args: [HOSTILE] });
    const hub = createMcpHub(deps([server]));
    try {
      const e = await hub.call(server.id, 'huge', {}).catch((x: unknown) => x);
      expect(ParleyError.is(e) && e.code).toBe('mcp_server_failed');
      expect(await hub.call(server.id, 'fine', {})).toMatchObject({ text: 'fine' });
    } finally {
      await hub.close();
    }
  }, 60_000);

  it('a server that exits mid-call ends the call with its own last words; one that hangs hits the call bound', async () => {
    const server = entry({ transport: 'stdio', command: process.execPath, args: [HOSTILE], callTimeoutMs: 1500 });
    const hub = createMcpHub(deps([server]));
    try {
      const exited = await hub.call(server.id, 'exit', {}).catch((x: unknown) => x);
      expect(ParleyError.is(exited) && exited.code).toBe('mcp_server_failed');
      expect(ParleyError.is(exited) && exited.message).toMatch(/during the tool call/);
      const t0 = Date.now();
      const hung = await hub.call(server.id, 'hang', {}).catch((x: unknown) => x);
      expect(ParleyError.is(hung) && hung.code).toBe('mcp_timeout');
      expect(Date.now() - t0).toBeLessThan(8000);
      // Stop stops the tool that is running.
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 200);
      const stopped = await hub.call(server.id, 'hang', {}, { signal: ac.signal }).catch((x: unknown) => x);
      expect(ParleyError.is(stopped) && stopped.code).toBe('cancelled');
    } finally {
      await hub.close();
    }
  }, 60_000);

  it('garbage on stdout is ignored, and a 9 MB line with no end fails the handshake instead of filling memory', async () => {
    const garbage = entry({ transport: 'stdio', command: process.execPath, args: [HOSTILE, 'garbage'] });
    const flood = entry({ transport: 'stdio', command: process.execPath, args: [HOSTILE, 'flood'] });
    const hub = createMcpHub(deps([garbage, flood], network(), { handshakeMs: 5000 }));
    try {
      expect(await hub.call(garbage.id, 'fine', {})).toMatchObject({ text: 'fine' });
      const e = await hub.connection(flood.id).catch((x: unknown) => x);
      expect(ParleyError.is(e) && ['mcp_server_failed', 'mcp_timeout'].includes(e.code)).toBe(true);
    } finally {
      await hub.close();
    }
  }, 60_000);
});

describe('the MCP doctor', () => {
  it('a command not on PATH: the step names the PATH it searched, the verdict and the fix', async () => {
    const server = entry({ transport: 'stdio', command: 'parley-no-such-mcp-server' });
    const r = await mcpDoctor(server, deps([server]));
    expect(r.verdict).toBe('mcp_command_not_found');
    const step = r.steps.find((s) => s.id === 'command');
    expect(step).toMatchObject({ status: 'fail' });
    expect(step?.detail).toMatch(/"parley-no-such-mcp-server" is not on PATH \(PATH of the app, \d+ folders\)/);
    expect(r.hints.join(' ')).toMatch(/full path/);
    expect(r.steps.filter((s) => s.status === 'skip').map((s) => s.id)).toEqual(['route', 'handshake', 'tools', 'call']);
  });

  it('a working stdio server: found on PATH, started, handshake with its protocol version, tools, ping', async () => {
    const server = entry({ transport: 'stdio', command: 'node', args: [EVERYTHING] });
    const r = await mcpDoctor(server, deps([server]));
    expect(r.verdict).toBe('ok');
    expect(r.steps.map((s) => [s.id, s.status])).toEqual([['config', 'pass'], ['command', 'pass'], ['route', 'pass'], ['handshake', 'pass'], ['tools', 'pass'], ['call', 'pass']]);
    expect(r.steps.find((s) => s.id === 'command')?.detail).toMatch(/"node" is \/\S+node/);
    expect(r.steps.find((s) => s.id === 'handshake')?.detail).toMatch(/protocol \d{4}-\d{2}-\d{2}/);
  });

  it('a server that never answers: mcp_timeout with its stderr and the fix', async () => {
    const server = entry({ transport: 'stdio', command: process.execPath, args: [HOSTILE, 'silent'] });
    // Long enough for the server's first stderr line to arrive on a loaded machine (node's own start can take seconds).
    const r = await mcpDoctor(server, deps([server], network(), { handshakeMs: 5000 }));
    expect(r.verdict).toBe('mcp_timeout');
    expect(r.steps.find((s) => s.id === 'handshake')?.detail).toMatch(/never answering/);
    expect(r.hints.join(' ')).toMatch(/run the command in a terminal/);
  });

  it('npx behind a proxy that blocks it: its download fails, and the doctor says so from its stderr', async () => {
    // The route's proxy refuses CONNECT: npx's own request for the package goes to it (HTTPS_PROXY from the
    // route) and is refused there; nothing leaves loopback.
    const server = entry({
      transport: 'stdio', command: 'npx', args: ['--yes', '@modelcontextprotocol/server-memory@2026.1.1'],
      env: { npm_config_cache: join(dir, 'npm-cache'), npm_config_fetch_retries: '0', npm_config_registry: 'https://registry.npmjs.org/', npm_config_update_notifier: 'false' },
      route: { mode: 'proxy', proxyUrl: refusing.url },
    });
    const r = await mcpDoctor(server, deps([server], network(), { handshakeMs: 60_000 }));
    expect(r.steps.find((s) => s.id === 'route')?.detail).toContain(`go through ${refusing.url}`);
    expect(r.verdict).toBe('download_blocked');
    expect(r.steps.find((s) => s.id === 'handshake')?.detail).toMatch(/download was blocked by the network/);
    expect(r.hints.join(' ')).toMatch(/route through your proxy|CA certificate/);
  }, 90_000);
});

describe('HTTP servers on the same routes as models', () => {
  it('streamable HTTP directly: tools and a call', async () => {
    const server = entry({ transport: 'http', url: `http://127.0.0.1:${httpPort}/mcp` });
    const hub = createMcpHub(deps([server]));
    try {
      expect(await hub.call(server.id, 'get-sum', { a: 2, b: 40 })).toMatchObject({ text: expect.stringContaining('42') });
    } finally {
      await hub.close();
    }
  });

  it('the older HTTP+SSE transport: tools and a call', async () => {
    const server = entry({ transport: 'sse', url: `http://127.0.0.1:${ssePort}/sse` });
    const hub = createMcpHub(deps([server]));
    try {
      expect(await hub.call(server.id, 'echo', { message: 'over sse' })).toMatchObject({ text: 'Echo: over sse' });
    } finally {
      await hub.close();
    }
  });

  it('through a real squid with a password: the requests go through it; a wrong password is proxy_auth_failed', async () => {
    const server = entry({ transport: 'http', url: `http://mcp.test:${httpPort}/mcp` });
    const proxied = network({ mode: 'manual', url: `http://${USER}:${PASS}@127.0.0.1:${squid.port}` });
    const hub = createMcpHub(deps([server], proxied));
    try {
      expect(await hub.call(server.id, 'echo', { message: 'via squid' })).toMatchObject({ text: 'Echo: via squid' });
    } finally {
      await hub.close();
    }
    await waitFor(() => squid.accessLog().includes('mcp.test'), 10_000, () => squid.accessLog());
    const r = await mcpDoctor(server, deps([server], network({ mode: 'manual', url: `http://${USER}:wrong@127.0.0.1:${squid.port}` })));
    expect(r.verdict).toBe('proxy_auth_failed');
    expect(r.steps.find((s) => s.id === 'route')?.status).toBe('fail');
  });

  it('through a TLS-intercepting mitmproxy: refused as untrusted naming mitmproxy, and works with its CA added', async () => {
    const server = entry({ transport: 'http', url: `https://127.0.0.1:${tls.port}/mcp` });
    // Loopback goes direct unless the bypass list says <-loopback> (the tests' way to send it through a proxy).
    const intercepted = network({ mode: 'manual', url: mitm.url, bypass: '<-loopback>' });
    const r = await mcpDoctor(server, deps([server], intercepted));
    expect(r.verdict).toBe('tls_untrusted');
    expect(r.hints.join(' ')).toMatch(/issuer .*mitmproxy/i);
    const trusted = network({ mode: 'manual', url: mitm.url, bypass: '<-loopback>' }, [mitm.caCertPath]);
    const ok = await mcpDoctor(server, deps([server], trusted));
    expect(ok.verdict).toBe('ok');
    expect(ok.steps.find((s) => s.id === 'route')?.detail).toMatch(/TLS .*issued by .*mitmproxy/i);
  });

  it('a self-signed HTTPS server: tls_untrusted naming its own certificate as the issuer, and works with that certificate added', async () => {
    const self = await makeSelfSigned();
    const selfTls = await startStunnel({ targetPort: httpPort, cert: self.cert, key: self.key });
    try {
      const server = entry({ transport: 'http', url: `https://127.0.0.1:${selfTls.port}/mcp` });
      const r = await mcpDoctor(server, deps([server]));
      expect(r.verdict).toBe('tls_untrusted');
      expect(r.steps.find((s) => s.id === 'route')?.status).toBe('fail');
      expect(r.hints.join(' ')).toMatch(/issuer .*localhost/i);
      const ok = await mcpDoctor(server, deps([server], network({ mode: 'none' }, [self.certPath])));
      expect(ok.verdict).toBe('ok');
    } finally {
      await selfTls.stop();
    }
  });

  it('a 401: auth_rejected with the fix naming the header', async () => {
    const server = entry({ transport: 'http', url: `http://127.0.0.1:${unauthorizedPort}/mcp`, headers: { Authorization: 'Bearer ${PARLEY_TEST_MCP_TOKEN}' } });
    process.env.PARLEY_TEST_MCP_TOKEN = 'tok-1234567890';
    const r = await mcpDoctor(server, deps([server]));
    expect(r.verdict).toBe('auth_rejected');
    expect(r.hints.join(' ')).toMatch(/Authorization/);
    expect(JSON.stringify(r)).not.toContain('tok-1234567890');
  });
});
