/**
 * MCP servers added and edited field by field from the window (issue 20), through the app services as the window
 * calls them: a new server, or a changed program, arguments, folder or variables, or a URL that would get headers,
 * is saved only after main's own dialog says yes (here the test's stand-in, which records what it was shown); a
 * value not typed again is kept; values never come back to the window or into the log. A server that cannot start
 * says why as a code and facts. Requests to a real HTTP server (server-everything over streamable HTTP) are rows of
 * the Network panel, kind mcp, with the server, the JSON-RPC method, the status and the time; its header's secret
 * is not in them.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppServices } from '../../src/main/services/app.ts';
import type { ArgsIn, Channel, ResultOf } from '../../src/shared/ipc.ts';
import type { McpSaveQuestion } from '../../src/shared/mcp.ts';
import { mcpSaveDialog } from '../../src/main/shell/tool-dialog.ts';
import { testAppServices } from '../helpers/app-services.ts';
import { fakeCipher } from '../helpers/fake-cipher.ts';
import { mcpValue } from '../../src/main/services/mcp/secrets.ts';
import { freePort, launch } from '../helpers/proc.ts';

const require = createRequire(import.meta.url);
const EVERYTHING = require.resolve('@modelcontextprotocol/server-everything/dist/index.js');
const ENV_SECRET = 'sk-live-EDITORSECRET0a1b2c3d4e5f6a7b8c';
const HEADER_SECRET = 'ghp_EDITORHEADER9z8y7x6w5v4u3t2s1r0q';

let dir: string;
let svc: AppServices;
let httpPort: number;
let stopHttp: (() => Promise<void>) | undefined;
const asked: McpSaveQuestion[] = [];
let allow = false;

type Result<T> = { ok: true; value: T } | { ok: false; error: { code: string; key?: string; field?: string; params?: Record<string, unknown> } };
const invoke = <C extends Channel>(channel: C, ...args: ArgsIn<C>): Promise<Result<ResultOf<C>>> => svc.invoke({ windowId: 'w1' }, channel, args) as Promise<Result<ResultOf<C>>>;
async function ok<C extends Channel>(channel: C, ...args: ArgsIn<C>): Promise<ResultOf<C>> {
  const r = await invoke(channel, ...args);
  if (!r.ok) throw new Error(`${channel}: ${JSON.stringify(r.error)}`);
  return r.value;
}
const stored = (name: string) => svc.settings.get().mcpServers.find((s) => s.name === name);
const logText = (): string => readdirSync(join(dir, 'logs')).map((f) => readFileSync(join(dir, 'logs', f), 'utf8')).join('\n');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'parley-mcp-editor-'));
  httpPort = await freePort();
  const p = await launch({ name: 'mcp-everything-http', bin: process.execPath, args: [EVERYTHING, 'streamableHttp'], dir, port: httpPort, env: { ...process.env, PORT: String(httpPort) }, startTimeoutMs: 30_000 });
  stopHttp = p.stop;
  svc = testAppServices(dir, {
    confirmMcpSave: async (q) => {
      asked.push(q);
      return allow;
    },
  });
  svc.attachWindow('w1', () => undefined);
  svc.hub.ready('w1');
  await ok('settings:set', { network: { proxy: { mode: 'none' }, retries: 0 } });
}, 60_000);
afterAll(async () => {
  await svc?.close();
  await stopHttp?.();
  rmSync(dir, { recursive: true, force: true });
});

describe('a stdio server from the editor', () => {
  const draft = { name: 'Everything', transport: 'stdio' as const, command: process.execPath, args: [EVERYTHING], env: [{ name: 'EVERYTHING_API_KEY', value: ENV_SECRET }, { name: 'EMPTY', value: '' }], route: { mode: 'global' as const } };

  it('is saved only after main\'s own yes; the dialog names the program and the variables, never a value', async () => {
    allow = false;
    const refused = await invoke('mcp:save', draft);
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error).toMatchObject({ code: 'cancelled', key: 'mcp_save_refused', params: { server: 'Everything' } });
    expect(stored('Everything')).toBeUndefined();
    expect(asked.at(-1)).toMatchObject({ name: 'Everything', isNew: true, transport: 'stdio', runs: `${process.execPath} ${EVERYTHING}`, names: ['EVERYTHING_API_KEY', 'EMPTY'], changed: ['command', 'args', 'env'] });
    for (const lang of ['en', 'zh']) {
      const d = mcpSaveDialog(asked.at(-1)!, lang, 'en-US');
      expect(d.detail).toContain(EVERYTHING);
      expect(d.detail).toContain('EVERYTHING_API_KEY');
      expect(JSON.stringify(d)).not.toContain(ENV_SECRET);
      expect(d.defaultId).toBe(0);
    }
    expect(JSON.stringify(asked)).not.toContain(ENV_SECRET);

    allow = true;
    const saved = await ok('mcp:save', draft);
    const view = saved.servers.find((s) => s.id === saved.id)!;
    expect(view).toMatchObject({ name: 'Everything', transport: 'stdio', command: process.execPath, args: [EVERYTHING], env: [{ name: 'EVERYTHING_API_KEY', set: true }, { name: 'EMPTY', set: false }], enabled: true, allowed: [] });
    expect(JSON.stringify(saved)).not.toContain(ENV_SECRET);
    expect(JSON.stringify(await ok('mcp:list'))).not.toContain(ENV_SECRET);
    expect(stored('Everything')?.env).toEqual({ EVERYTHING_API_KEY: ENV_SECRET, EMPTY: '' });
  });

  it('edited without typing the value again: the value is kept; a change of name or route alone is not asked', async () => {
    const id = stored('Everything')!.id;
    const before = asked.length;
    await ok('mcp:save', { ...draft, id, name: 'Everything 2', env: [{ name: 'EVERYTHING_API_KEY', from: 'EVERYTHING_API_KEY' }, { name: 'EMPTY', from: 'EMPTY' }], route: { mode: 'direct' } });
    expect(asked.length).toBe(before);
    expect(stored('Everything 2')).toMatchObject({ id, env: { EVERYTHING_API_KEY: ENV_SECRET, EMPTY: '' }, route: { mode: 'direct' } });
    // A rename of a variable keeps its value too.
    await ok('mcp:save', { ...draft, id, name: 'Everything', env: [{ name: 'EVERYTHING_TOKEN', from: 'EVERYTHING_API_KEY' }] });
    expect(asked.at(-1)).toMatchObject({ isNew: false, changed: ['env'], changedNames: ['EVERYTHING_TOKEN'] });
    expect(stored('Everything')?.env).toEqual({ EVERYTHING_TOKEN: ENV_SECRET });
  });

  it('changed arguments are asked again; refused, nothing changes', async () => {
    const id = stored('Everything')!.id;
    allow = false;
    const r = await invoke('mcp:save', { ...draft, id, args: [EVERYTHING, '--evil'], env: [{ name: 'EVERYTHING_TOKEN', from: 'EVERYTHING_TOKEN' }] });
    expect(r.ok).toBe(false);
    expect(asked.at(-1)).toMatchObject({ isNew: false, changed: ['args'], runs: `${process.execPath} ${EVERYTHING} --evil` });
    expect(stored('Everything')?.args).toEqual([EVERYTHING]);
    allow = true;
  });

  it('a window that skips the form\'s checks is refused by main (the same schema), and a bad proxy URL at its field', async () => {
    const count = svc.settings.get().mcpServers.length;
    const bad = await svc.invoke({ windowId: 'w1' }, 'mcp:save', [{ ...draft, command: '' }]);
    expect(bad.ok).toBe(false);
    const allowed = await svc.invoke({ windowId: 'w1' }, 'mcp:save', [{ ...draft, allowed: ['*'] }]);
    expect(allowed.ok).toBe(false);
    const proxy = await invoke('mcp:save', { ...draft, route: { mode: 'proxy', proxyUrl: 'ftp://proxy.corp:21' } });
    expect(proxy.ok).toBe(false);
    if (!proxy.ok) expect(proxy.error.field).toBe('proxyUrl');
    expect(svc.settings.get().mcpServers.length).toBe(count);
  });

  it('its tools are listed and it runs; the log never holds a value', async () => {
    const id = stored('Everything')!.id;
    const report = await ok('mcp:doctor', id);
    expect(report.verdict).toBe('ok');
    expect(report.steps.find((s) => s.id === 'tools')?.detail).toContain('echo');
    expect(logText()).toContain('mcp server saved');
    expect(logText()).not.toContain(ENV_SECRET);
  }, 60_000);
});

describe('an HTTP server from the editor', () => {
  it('its requests are rows of the Network panel: kind mcp, the server, the JSON-RPC method, status and time; no secret', async () => {
    allow = true;
    const saved = await ok('mcp:save', { name: 'Remote tools', transport: 'http', url: `http://127.0.0.1:${httpPort}/mcp`, headers: [{ name: 'Authorization', value: `Bearer ${HEADER_SECRET}` }] });
    expect(asked.at(-1)).toMatchObject({ isNew: true, transport: 'http', runs: `http://127.0.0.1:${httpPort}/mcp`, names: ['Authorization'], changed: ['url', 'headers'] });
    expect(JSON.stringify(asked)).not.toContain(HEADER_SECRET);
    expect(saved.servers.find((s) => s.id === saved.id)?.headers).toEqual([{ name: 'Authorization', set: true }]);
    const report = await ok('mcp:doctor', saved.id);
    expect(report.verdict).toBe('ok');
    const rows = (await ok('requests:list')).filter((r) => r.kind === 'mcp');
    const init = rows.find((r) => r.mcp?.rpc === 'initialize');
    expect(init).toMatchObject({ kind: 'mcp', method: 'POST', host: `127.0.0.1:${httpPort}`, status: 200, state: 'done', mcp: { server: 'Remote tools', rpc: 'initialize' } });
    expect(init?.durationMs).toBeGreaterThanOrEqual(0);
    expect(rows.some((r) => r.mcp?.rpc === 'tools/list')).toBe(true);
    // The doctor closed its connection: no request of it stays in progress (an event stream is done once closed).
    await expect.poll(async () => (await ok('requests:list')).filter((r) => r.kind === 'mcp' && r.state === 'active').length, { timeout: 5000 }).toBe(0);
    const detail = await ok('requests:get', init!.id);
    expect(detail?.timeline.map((s) => s.type)).toEqual(expect.arrayContaining(['start', 'route', 'request', 'response', 'done']));
    expect(JSON.stringify(detail)).not.toContain(HEADER_SECRET);
    expect(JSON.stringify(await ok('requests:list'))).not.toContain(HEADER_SECRET);
    // Edited without retyping the header: it is kept, and a new URL that would get it is asked.
    const before = asked.length;
    await ok('mcp:save', { id: saved.id, name: 'Remote tools', transport: 'http', url: `http://localhost:${httpPort}/mcp`, headers: [{ name: 'Authorization', from: 'Authorization' }] });
    expect(asked.length).toBe(before + 1);
    expect(asked.at(-1)).toMatchObject({ changed: ['url'], changedNames: [] });
    expect(stored('Remote tools')?.headers).toEqual({ Authorization: `Bearer ${HEADER_SECRET}` });
    // A proxy of the window's choosing would see the header of an http:// URL: a new route is asked too, its password masked.
    allow = false;
    const routed = await invoke('mcp:save', { id: saved.id, name: 'Remote tools', transport: 'http', url: `http://localhost:${httpPort}/mcp`, headers: [{ name: 'Authorization', from: 'Authorization' }], route: { mode: 'proxy', proxyUrl: 'http://me:pw-secret@127.0.0.1:9' } });
    expect(routed.ok).toBe(false);
    expect(asked.at(-1)).toMatchObject({ changed: ['route'], route: 'http://me:***@127.0.0.1:9' });
    expect(mcpSaveDialog(asked.at(-1)!, 'en', 'en-US').detail).toContain('Route: http://me:***@127.0.0.1:9');
    expect(stored('Remote tools')?.route).toEqual({ mode: 'global' });
    allow = true;
  }, 60_000);
});

describe('with an OS keychain', () => {
  it('a variable\'s and a header\'s values are kept in the keychain: settings.json holds references, the server gets the values, also after a restart', async () => {
    const kdir = mkdtempSync(join(tmpdir(), 'parley-mcp-keychain-'));
    const cipher = fakeCipher();
    const open = (): AppServices => {
      const s = testAppServices(kdir, { cipher, confirmMcpSave: async () => true });
      s.attachWindow('w1', () => undefined);
      s.hub.ready('w1');
      return s;
    };
    let k = open();
    try {
      await k.ready;
      const r = (await k.invoke({ windowId: 'w1' }, 'mcp:save', [{ name: 'Keyed', transport: 'stdio', command: process.execPath, args: [EVERYTHING], env: [{ name: 'EVERYTHING_API_KEY', value: ENV_SECRET }] }])) as Result<unknown>;
      expect(r.ok).toBe(true);
      const file = readFileSync(join(kdir, 'settings.json'), 'utf8');
      expect(file).not.toContain(ENV_SECRET);
      expect(file).toMatch(/"EVERYTHING_API_KEY": "keychain:/);
      expect(k.settings.get().mcpServers[0]?.env).toEqual({ EVERYTHING_API_KEY: ENV_SECRET });
      await k.close();
      k = open();
      await k.ready;
      expect(k.settings.get().mcpServers[0]?.env).toEqual({ EVERYTHING_API_KEY: ENV_SECRET });
    } finally {
      await k.close();
      rmSync(kdir, { recursive: true, force: true });
    }
  }, 60_000);

  it('a value still a keychain reference (the command line has no keychain) is refused, never given to the server as it is', () => {
    expect(() => mcpValue('keychain:abc123', {}, 'mcpServers.Keyed.env.TOKEN')).toThrow(/stored in the Parley app's keychain/);
    expect(mcpValue('${TOKEN}', { TOKEN: 'v' }, 'x')).toBe('v');
  });
});
