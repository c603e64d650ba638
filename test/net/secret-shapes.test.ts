/**
 * Issue 8, "secrets, wherever text goes": secret shapes the redaction used to miss, planted through the real app
 * services (settings from the window, chat, the doctor, renderer and main logs, the support bundle) and the CLI:
 *
 *  - a proxy password with an unencoded `#`, `/` and `@` (squid takes it as written),
 *  - a base URL carrying its key and signature in the query (`?key=…&sig=…`),
 *  - a key nested 40 levels deep in a log call.
 *
 * Then every file under the data and log folders (but settings.json, where they belong), the exported bundle
 * and everything the services sent to the window are searched for each secret, raw and percent-encoded.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hostsLookup } from '../helpers/core.ts';
import { startSquid, type SquidServer } from '../helpers/servers.ts';
import { startUpstream, type Upstream } from '../helpers/upstream.ts';
import type { AppServices, AppServicesOptions } from '../../src/main/services/app.ts';
import { testAppServices } from '../helpers/app-services.ts';
import type { ArgsIn, Channel, ResultOf } from '../../src/shared/ipc.ts';
import type { ChatStreamEvent } from '../../src/shared/chat.ts';
import type { SecretUseRequest } from '../../src/main/services/settings/consent.ts';

const USER = 'parley';
const PROXY_PW = 'p@ss#w/rd';
const Q_KEY = 'QueryKeySecret4242';
const Q_SIG = 'SigSecret/2424+x';
const API_KEY = 'plainApiKeyZ9y8x7w6';
const DEEP_KEY = 'deepNestedSecret5150';
const SHELL_PW = 'sh@ll#pw/9';
/** Each secret, and the pieces of the proxy passwords a wrong userinfo rule used to let through. */
const SECRETS = [PROXY_PW, Q_KEY, Q_SIG, API_KEY, DEEP_KEY, SHELL_PW];
const FRAGMENTS = ['ss#w/rd', 'w/rd@', 'll#pw'];

function leaks(text: string): string[] {
  const out: string[] = [];
  for (const s of SECRETS) {
    for (const form of new Set([s, encodeURIComponent(s), encodeURIComponent(s).replace(/%20/g, '+'), JSON.stringify(s).slice(1, -1)])) if (text.includes(form)) out.push(form);
  }
  for (const f of FRAGMENTS) if (text.includes(f)) out.push(f);
  return out;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

const nest = (depth: number, leaf: unknown): unknown => {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = { [`level${i}`]: v };
  return v;
};

let up: Upstream;
let squid: SquidServer;
const dirs: string[] = [];
const open: AppServices[] = [];

beforeAll(async () => {
  [up, squid] = await Promise.all([
    startUpstream(),
    // Loopback targets bypass proxies: a name only this proxy knows makes the requests go through it.
    startSquid({ auth: { user: USER, password: PROXY_PW }, hosts: { 'llm.internal.test': '127.0.0.1' } }),
  ]);
}, 60_000);
afterEach(() => up.clear());
afterAll(async () => {
  for (const s of open) await s.close();
  await Promise.all([up?.stop(), squid?.stop()]);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tmp(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), `parley-${prefix}-`));
  dirs.push(d);
  return d;
}

interface Sent {
  event: string;
  payload: unknown;
}

function services(dataDir: string, sent: Sent[], extra: Partial<AppServicesOptions> = {}): AppServices {
  const svc = testAppServices(dataDir, {
    chooseExportPath: async () => join(dataDir, 'out', 'bundle.zip'),
    lookup: hostsLookup(),
    ...extra,
  });
  open.push(svc);
  svc.attachWindow('w1', (event, payload) => sent.push({ event, payload }));
  svc.hub.ready('w1');
  return svc;
}

async function call<C extends Channel>(svc: AppServices, sent: Sent[], channel: C, ...args: ArgsIn<C>): Promise<ResultOf<C>> {
  const r = await svc.invoke({ windowId: 'w1' }, channel, args);
  // Results (and errors) go to the window too.
  sent.push({ event: `result ${channel}`, payload: r });
  if (!r.ok) throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
  return r.value;
}

async function ended(sent: Sent[], requestId: string, timeoutMs = 20_000): Promise<{ status: string; text: string }> {
  const t0 = Date.now();
  for (;;) {
    const end = sent.map((s) => s.payload as ChatStreamEvent).find((e) => e && typeof e === 'object' && 'requestId' in e && e.requestId === requestId && e.type === 'end');
    if (end && end.type === 'end') return end.message;
    if (Date.now() - t0 > timeoutMs) throw new Error(`no end for ${requestId}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function parley(args: string[], home: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(import.meta.dirname, '..', '..', 'src/main/cli/parley.ts'), ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: home, PARLEY_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('secret shapes through the app, the CLI and the bundle', () => {
  it('a proxy password with #/@, a base URL ?key=…&sig=…, a key 40 levels deep: in no file, no bundle entry and nothing sent to the window', async () => {
    const dataDir = tmp('shapes');
    const sent: Sent[] = [];
    const proxyUrl = `http://${USER}:${PROXY_PW}@127.0.0.1:${squid.port}`;
    const baseUrl = `http://llm.internal.test:${up.port}/v1?key=${Q_KEY}&sig=${encodeURIComponent(Q_SIG)}`;
    // The login shell exports a proxy (with its own odd password) that the desktop-launched app lacks: the
    // doctor's hint names it.
    // The user sets their gateway's proxy in the window and confirms, in main, that its key goes through it.
    const asked: SecretUseRequest[] = [];
    const svc = services(dataDir, sent, {
      confirmSecretUse: async (r) => (asked.push(r), true),
      loginShellEnv: async () => ({ ok: true, shell: '/bin/bash', env: { HTTPS_PROXY: `http://shelluser:${SHELL_PW}@127.0.0.1:9`, HTTP_PROXY: `http://shelluser:${SHELL_PW}@127.0.0.1:9` }, ms: 1 }),
    });

    // Settings from the window: the view hides the password and the query values; sent back, it keeps them.
    await call(svc, sent, 'providers:save', { name: 'Gateway', preset: 'custom', protocol: 'openai', baseUrl, apiKey: API_KEY, models: ['test-model'], defaultModel: 'test-model' });
    const view = await call(svc, sent, 'settings:set', { network: { proxy: { mode: 'manual', url: proxyUrl }, retries: 1 } });
    expect(asked).toEqual([{ kind: 'route', provider: 'Gateway', origin: `http://llm.internal.test:${up.port}`, hop: `http://127.0.0.1:${squid.port}` }]);
    const shown = view.providers[0];
    if (!shown) throw new Error('no provider');
    expect(shown.baseUrl).toBe(`http://llm.internal.test:${up.port}/v1?key=********&sig=********`);
    expect(view.settings.network.proxy.url).toBe(`http://${USER}:********@127.0.0.1:${squid.port}`);
    await call(svc, sent, 'providers:save', { id: shown.id, name: 'Gateway renamed', preset: shown.preset, protocol: shown.protocol, baseUrl: shown.baseUrl, models: shown.models, defaultModel: shown.defaultModel, route: shown.route });
    await call(svc, sent, 'settings:set', { network: { ...view.settings.network, retries: 2 } });
    const file = JSON.parse(readFileSync(join(dataDir, 'settings.json'), 'utf8')) as { providers: Array<{ baseUrl: string; apiKey: string }>; network: { proxy: { url: string } } };
    expect(file.providers[0]?.baseUrl).toBe(baseUrl);
    expect(file.providers[0]?.apiKey).toBe(API_KEY);
    expect(file.network.proxy.url).toBe(proxyUrl);

    // The doctor through the authenticating proxy (the password parsed whole), then a chat that streams.
    const report = await call(svc, sent, 'doctor:run');
    expect(report.verdict).toBe('ok');
    const conv = await call(svc, sent, 'conversations:create');
    up.behave({ kind: 'ok', text: 'through the proxy', chunkSize: 3 });
    const chat = await call(svc, sent, 'chat:send', { conversationId: conv.id, text: 'Hello' });
    expect((await ended(sent, chat.requestId)).text).toBe('through the proxy');
    const req = up.chatRequests.at(-1);
    expect(req?.path).toBe('/v1/chat/completions');
    expect(req?.url).toBe(`/v1/chat/completions?key=${Q_KEY}&sig=${encodeURIComponent(Q_SIG)}`);
    // A failing request (the error travels to the window and the log).
    up.behave({ kind: 'status', status: 401 });
    const denied = await call(svc, sent, 'chat:send', { conversationId: conv.id, text: 'Again' });
    expect((await ended(sent, denied.requestId)).status).toBe('failed');

    // The doctor in env mode: the login shell's proxy is quoted in a hint, its password hidden whole.
    await call(svc, sent, 'settings:set', { network: { proxy: { mode: 'env' } } });
    const envReport = await call(svc, sent, 'doctor:run');
    expect(envReport.findings).toContain('env_not_inherited');
    expect(envReport.hints.join('\n')).toContain('HTTP_PROXY=http://shelluser:***@127.0.0.1:9');

    // Logs: the renderer's and main's, with secrets in every shape, one 40 levels deep.
    await call(svc, sent, 'log:write', { level: 'info', message: `renderer saw ${baseUrl} via ${proxyUrl}`, data: { url: proxyUrl, base: baseUrl } });
    svc.logger.scope('transport').info(`request to ${baseUrl} through ${proxyUrl}`, nest(40, { apiKey: DEEP_KEY, note: `the deep key is ${DEEP_KEY}` }));
    svc.logger.scope('transport').info('deep free text', nest(40, { text: `Authorization: Bearer ${DEEP_KEY}`, url: `http://x:${PROXY_PW}@h:1`, q: `?sig=${Q_SIG}` }));

    const bundle = await call(svc, sent, 'diagnostics:export');
    if (!bundle) throw new Error('no bundle');
    // The CLI on the same folder: a chat (its log, its stream memory after a fallback) and the doctor (its saved report).
    await svc.close();
    open.splice(open.indexOf(svc), 1);
    up.behave({ kind: 'streamOnly', then: { kind: 'cut', afterChunks: 0 } }, { kind: 'ok', text: 'whole answer' });
    const cli = await parley(['chat', '--proxy-mode', 'manual', '--retries', '0', '--json', 'Hi'], dataDir);
    expect(cli.stderr).toBe('');
    expect(cli.stdout).toContain('"type":"fallback"');
    const cliDoctor = await parley(['doctor', '--proxy-mode', 'manual', '--json'], dataDir);
    expect(JSON.parse(cliDoctor.stdout.trim().split('\n').at(-1) ?? '{}').verdict).toBe('ok');

    // Every file but settings.json (where the secrets are kept by design).
    const files = filesUnder(dataDir).filter((p) => !p.endsWith('settings.json') && !p.endsWith('.zip'));
    expect(files.some((p) => p.endsWith('parley.log'))).toBe(true);
    expect(files.some((p) => p.endsWith('stream-memory.json'))).toBe(true);
    expect(files.filter((p) => /doctor-.*\.json$/.test(p)).length).toBeGreaterThanOrEqual(3);
    for (const p of files) expect(leaks(readFileSync(p).toString('latin1')).concat(leaks(readFileSync(p, 'utf8'))), p).toEqual([]);
    // Each log line is still JSON.
    for (const p of files.filter((f) => f.endsWith('.log'))) {
      for (const line of readFileSync(p, 'utf8').split('\n').filter(Boolean)) expect(() => JSON.parse(line), line.slice(0, 200)).not.toThrow();
    }
    const log = readFileSync(join(dataDir, 'logs', 'parley.log'), 'utf8');
    expect(log).toContain(`http://${USER}:***@127.0.0.1:${squid.port}`);
    expect(log).toContain('?key=***&sig=***');

    // The bundle.
    const zip = unzipSync(readFileSync(bundle.path));
    expect(Object.keys(zip)).toEqual(expect.arrayContaining(['settings.json', 'logs/parley.log', 'env-proxy.json']));
    for (const [name, bytes] of Object.entries(zip)) expect(leaks(strFromU8(bytes)), name).toEqual([]);

    // Everything sent to the window: events and results.
    expect(sent.some((s) => s.event === 'chat:stream')).toBe(true);
    expect(sent.some((s) => s.event === 'doctor:step')).toBe(true);
    for (const s of sent) expect(leaks(JSON.stringify(s.payload)), s.event).toEqual([]);
  }, 120_000);

  it('a base URL with a query string works end to end: the request arrives at /v1/chat/completions?key=… and the answer streams', async () => {
    const dataDir = tmp('query');
    const sent: Sent[] = [];
    const svc = services(dataDir, sent);
    await call(svc, sent, 'providers:save', { name: 'Query', preset: 'custom', protocol: 'openai', baseUrl: `${up.url}/v1/?key=${Q_KEY}&api-version=2024-06-01`, apiKey: API_KEY, models: ['test-model'], defaultModel: 'test-model' });
    await call(svc, sent, 'settings:set', { network: { proxy: { mode: 'none' } } });
    const conv = await call(svc, sent, 'conversations:create');
    const text = Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ');
    up.behave({ kind: 'ok', text, chunkSize: 4, gapMs: 5 });
    const r = await call(svc, sent, 'chat:send', { conversationId: conv.id, text: 'Hello' });
    const msg = await ended(sent, r.requestId);
    expect(msg.status).toBe('complete');
    expect(msg.text).toBe(text);
    const deltas = sent.filter((s) => s.event === 'chat:stream' && (s.payload as ChatStreamEvent).type === 'delta');
    expect(deltas.length).toBeGreaterThan(1);
    const req = up.chatRequests.at(-1);
    expect(req?.stream).toBe(true);
    expect(req?.url).toBe(`/v1/chat/completions?key=${Q_KEY}&api-version=2024-06-01`);
    expect(req?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    // The model list too.
    await call(svc, sent, 'providers:models', shownId(await call(svc, sent, 'settings:get')));
    expect(up.requests.at(-1)?.url).toBe(`/v1/models?key=${Q_KEY}&api-version=2024-06-01`);
    for (const s of sent) expect(leaks(JSON.stringify(s.payload)), s.event).toEqual([]);
  }, 60_000);
});

function shownId(view: ResultOf<'settings:get'>): string {
  const id = view.providers[0]?.id;
  if (!id) throw new Error('no provider');
  return id;
}
