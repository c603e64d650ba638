/**
 * Keys in the OS keychain (issue 10), through the same app services the window calls, with a fake keychain
 * (test/helpers/fake-cipher.ts: real AES under a key only it holds): plain keys and proxy passwords move out of
 * settings.json on first start and chat still works; secrets.json holds only ciphertexts; a keychain that
 * changed leaves the app running and asks for the key again; where the OS offers no protection (basic_text) a
 * key is stored only with the user's consent; the command line says it cannot read the keychain.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from '../helpers/cli.ts';
import { startUpstream, type Upstream } from '../helpers/upstream.ts';
import { fakeCipher, type FakeCipher } from '../helpers/fake-cipher.ts';
import type { AppServices } from '../../src/main/services/app.ts';
import { testAppServices } from '../helpers/app-services.ts';
import { createSecretVault, safeStorageCipher } from '../../src/main/services/settings/secrets.ts';
import type { ChatStreamEvent, Message } from '../../src/shared/chat.ts';
import type { ErrorInfo } from '../../src/shared/errors.ts';
import type { ArgsIn, Channel, ResultOf } from '../../src/shared/ipc.ts';

const KEY = 'plainKeychainKey7Q2w9E4rT6y';
const KEY_2 = 'sk-proj-SecondKeychainKey0123456789abcdef';
const ROUTE_PW = 'routeProxyPw#1';
const GLOBAL_PW = 'globalProxyPw2';

let up: Upstream;
const dirs: string[] = [];
const open: AppServices[] = [];
beforeAll(async () => {
  up = await startUpstream();
});
afterEach(async () => {
  up.clear();
  for (const s of open.splice(0)) await s.close();
});
afterAll(async () => {
  await up?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'parley-keychain-'));
  dirs.push(d);
  return d;
}

interface App {
  svc: AppServices;
  events: ChatStreamEvent[];
}

function app(dataDir: string, cipher?: FakeCipher): App {
  const events: ChatStreamEvent[] = [];
  // ${MY_API_KEY} from the window goes to an origin only with the user's yes in main's dialog: given here.
  const svc = testAppServices(dataDir, { env: { MY_API_KEY: 'from-the-environment' }, confirmSecretUse: async () => true, ...(cipher ? { cipher } : {}) });
  open.push(svc);
  svc.attachWindow('w1', (event, payload) => {
    if (event === 'chat:stream') events.push(payload as ChatStreamEvent);
  });
  svc.hub.ready('w1');
  return { svc, events };
}

async function invoke<C extends Channel>(svc: AppServices, channel: C, ...args: ArgsIn<C>): Promise<{ ok: true; value: ResultOf<C> } | { ok: false; error: ErrorInfo }> {
  return svc.invoke({ windowId: 'w1' }, channel, args);
}
async function call<C extends Channel>(svc: AppServices, channel: C, ...args: ArgsIn<C>): Promise<ResultOf<C>> {
  const r = await invoke(svc, channel, ...args);
  if (!r.ok) throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
  return r.value;
}

async function ended(a: App, requestId: string): Promise<Message> {
  const t0 = Date.now();
  for (;;) {
    const end = a.events.find((e) => e.requestId === requestId && e.type === 'end');
    if (end && end.type === 'end') return end.message;
    if (Date.now() - t0 > 15_000) throw new Error(`no end for ${requestId}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Closes an app a test started (afterEach then leaves it alone). */
async function closeApp(a: App): Promise<void> {
  await a.svc.close();
  open.splice(open.indexOf(a.svc), 1);
}

/** A data folder whose plain-text keys a first start already moved into the keychain (that app closed again). */
async function movedToKeychain(): Promise<{ dir: string; cipher: FakeCipher }> {
  const dir = tmp();
  plainSettings(dir);
  const cipher = fakeCipher();
  const first = app(dir, cipher);
  await first.svc.ready;
  await closeApp(first);
  return { dir, cipher };
}

/** Sends one question on the default provider; the answer's status and the key the upstream received. */
async function chatOnce(a: App): Promise<{ status: string; auth: string | undefined }> {
  const convId = (await call(a.svc, 'conversations:create')).id;
  up.behave({ kind: 'ok', text: 'Hello from upstream' });
  const sent = await call(a.svc, 'chat:send', { conversationId: convId, text: 'Hello' });
  const msg = await ended(a, sent.requestId);
  const last = up.chatRequests.at(-1);
  return { status: msg.status, auth: last?.headers.authorization as string | undefined };
}

/** A settings file as an older Parley (or a hand edit) left it: keys and proxy passwords in plain text. */
function plainSettings(dir: string): void {
  writeFileSync(join(dir, 'settings.json'), JSON.stringify({
    version: 2,
    providers: [
      { id: 'local', name: 'Local', preset: 'custom', protocol: 'openai', baseUrl: `${up.url}/v1`, apiKey: KEY, models: ['test-model'], defaultModel: 'test-model', route: { mode: 'direct' } },
      { id: 'routed', name: 'Routed', preset: 'custom', protocol: 'openai', baseUrl: 'https://api.example.com/v1', apiKey: KEY_2, route: { mode: 'proxy', proxyUrl: `http://me:${encodeURIComponent(ROUTE_PW)}@proxy.example:3128` } },
      { id: 'envkey', name: 'Env key', preset: 'custom', protocol: 'openai', baseUrl: 'https://api.example.org/v1', apiKey: '${MY_API_KEY}' },
    ],
    defaults: { providerId: 'local', model: 'test-model' },
    network: { proxy: { mode: 'none', url: `http://me:${GLOBAL_PW}@proxy.example:8080` }, retries: 0 },
  }, null, 2), { mode: 0o600 });
}

/** Everything under the data folder as text (settings, secrets, logs, backups). */
function allFiles(dir: string): string {
  let out = '';
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || e.name.endsWith('.db') || e.name.includes('.db-')) continue;
    out += readFileSync(join(e.parentPath, e.name), 'utf8');
  }
  return out;
}

function expectNoPlain(text: string, ...secrets: string[]): void {
  for (const s of secrets) {
    expect(text).not.toContain(s);
    expect(text).not.toContain(encodeURIComponent(s));
    expect(text).not.toContain(Buffer.from(s).toString('base64'));
  }
}

describe('moving plain keys into the keychain', () => {
  it('on first start with a real keychain, keys and proxy passwords leave settings.json (atomically, 0600), ${VAR}s stay, and chat still works', async () => {
    const dir = tmp();
    plainSettings(dir);
    const cipher = fakeCipher();
    const a = app(dir, cipher);
    await a.svc.ready;

    const settingsText = readFileSync(join(dir, 'settings.json'), 'utf8');
    expectNoPlain(settingsText, KEY, KEY_2, ROUTE_PW, GLOBAL_PW);
    const file = JSON.parse(settingsText) as { providers: { apiKey?: string; route: { proxyUrl?: string } }[]; network: { proxy: { url: string } } };
    expect(file.providers[0]?.apiKey).toMatch(/^keychain:[A-Za-z0-9_-]+$/);
    expect(file.providers[1]?.apiKey).toMatch(/^keychain:/);
    expect(file.providers[1]?.route.proxyUrl).toMatch(/^http:\/\/me:keychain:[A-Za-z0-9_-]+@proxy\.example:3128$/);
    expect(file.network.proxy.url).toMatch(/^http:\/\/me:keychain:[A-Za-z0-9_-]+@proxy\.example:8080$/);
    expect(file.providers[2]?.apiKey).toBe('${MY_API_KEY}');
    if (process.platform !== 'win32') {
      expect(statSync(join(dir, 'settings.json')).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
    }
    // No temporary file left behind.
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);

    // secrets.json: ciphertexts only, by the ids settings.json names.
    const secrets = JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8')) as { version: number; entries: Record<string, string> };
    expect(secrets.version).toBe(1);
    expect(Object.keys(secrets.entries).sort()).toEqual([file.providers[0]?.apiKey, file.providers[1]?.apiKey].map((r) => r?.slice('keychain:'.length)).concat(
      [file.providers[1]?.route.proxyUrl, file.network.proxy.url].map((u) => /me:keychain:([^@]+)@/.exec(u ?? '')?.[1]),
    ).sort());
    expectNoPlain(readFileSync(join(dir, 'secrets.json'), 'utf8'), KEY, KEY_2, ROUTE_PW, GLOBAL_PW);

    // The window: the keychain state, the key's shape (never the key), stored in the keychain.
    const view = await call(a.svc, 'settings:get');
    expect(view.keychain).toBe('os');
    expect(view.providers[0]).toMatchObject({ apiKeyInKeychain: true });
    expect(view.providers[0]?.apiKeyMarker).not.toBeNull();
    expect(view.providers[0]?.keyUnreadable).toBeUndefined();
    expect(view.providers[2]).toMatchObject({ apiKeyMarker: '${MY_API_KEY}' });
    expect(view.providers[2]?.apiKeyInKeychain).toBeUndefined();
    expectNoPlain(JSON.stringify(view), KEY, KEY_2, ROUTE_PW, GLOBAL_PW);
    expect(JSON.stringify(view)).not.toContain('keychain:');

    // Chat against the loopback upstream: the key from the keychain is sent.
    const r = await chatOnce(a);
    expect(r).toEqual({ status: 'complete', auth: `Bearer ${KEY}` });

    // A second start with the same keychain reads the keys again (nothing to move).
    await closeApp(a);
    const encrypted = cipher.encrypted;
    const b = app(dir, cipher);
    await b.svc.ready;
    expect(cipher.encrypted).toBe(encrypted);
    expect(readFileSync(join(dir, 'settings.json'), 'utf8')).toBe(settingsText);
    expect(await chatOnce(b)).toEqual({ status: 'complete', auth: `Bearer ${KEY}` });
    // Nothing under the data folder (settings, secrets, logs) holds a key or a password in plain.
    expectNoPlain(allFiles(dir), KEY, KEY_2, ROUTE_PW, GLOBAL_PW);
  });

  it('a key typed in the window (and a proxy password) goes to the keychain; a replaced key leaves no ciphertext behind', async () => {
    const dir = tmp();
    const a = app(dir, fakeCipher());
    const view = await call(a.svc, 'providers:save', { name: 'Local', preset: 'custom', protocol: 'openai', baseUrl: `${up.url}/v1`, apiKey: KEY, models: ['test-model'], defaultModel: 'test-model', route: { mode: 'direct' } });
    expect(view.providers[0]).toMatchObject({ apiKeyInKeychain: true });
    await call(a.svc, 'settings:set', { network: { proxy: { mode: 'none', url: `http://me:${GLOBAL_PW}@proxy.example:8080` } } });
    expectNoPlain(readFileSync(join(dir, 'settings.json'), 'utf8'), KEY, GLOBAL_PW);
    expect(await chatOnce(a)).toEqual({ status: 'complete', auth: `Bearer ${KEY}` });

    const id = view.providers[0]?.id as string;
    await call(a.svc, 'providers:save', { id, name: 'Local', preset: 'custom', protocol: 'openai', baseUrl: `${up.url}/v1`, apiKey: KEY_2, route: { mode: 'direct' } });
    const entries = Object.keys((JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8')) as { entries: Record<string, string> }).entries);
    expect(entries).toHaveLength(2); // the new key and the global proxy password; the old key's entry is gone
    expect(await chatOnce(a)).toEqual({ status: 'complete', auth: `Bearer ${KEY_2}` });
    expectNoPlain(allFiles(dir), KEY, KEY_2, GLOBAL_PW);
  });

  it('a version-1 file: the key leaves settings.json and its kept copy (settings.json.v1)', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ provider: { protocol: 'openai', baseUrl: `${up.url}/v1`, apiKey: KEY, model: 'test-model' }, network: { proxy: { mode: 'none' } } }));
    const a = app(dir, fakeCipher());
    await a.svc.ready;
    expect(existsSync(join(dir, 'settings.json.v1'))).toBe(true);
    expectNoPlain(readFileSync(join(dir, 'settings.json'), 'utf8') + readFileSync(join(dir, 'settings.json.v1'), 'utf8'), KEY);
    expect(await chatOnce(a)).toEqual({ status: 'complete', auth: `Bearer ${KEY}` });
  });

  it('without a keychain (no cipher, or one that is not available) keys stay as they are', async () => {
    const dir = tmp();
    plainSettings(dir);
    const a = app(dir);
    await a.svc.ready;
    expect(readFileSync(join(dir, 'settings.json'), 'utf8')).toContain(KEY);
    expect(existsSync(join(dir, 'secrets.json'))).toBe(false);
    expect((await call(a.svc, 'settings:get')).keychain).toBeUndefined();

    const dir2 = tmp();
    plainSettings(dir2);
    const b = app(dir2, fakeCipher({ ok: false }));
    await b.svc.ready;
    expect(readFileSync(join(dir2, 'settings.json'), 'utf8')).toContain(KEY);
    expect((await call(b.svc, 'settings:get')).keychain).toBe('none');
    expect(await chatOnce(b)).toEqual({ status: 'complete', auth: `Bearer ${KEY}` });
  });

  it('the window cannot point a provider at another one\'s keychain entry', async () => {
    const dir = tmp();
    plainSettings(dir);
    const a = app(dir, fakeCipher());
    await a.svc.ready;
    const ref = (JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')) as { providers: { apiKey: string }[] }).providers[0]?.apiKey as string;
    const r = await invoke(a.svc, 'providers:save', { name: 'Thief', preset: 'custom', protocol: 'openai', baseUrl: 'https://evil.example/v1', apiKey: ref });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ code: 'config_invalid', field: 'apiKey' });
    const p = await invoke(a.svc, 'providers:save', { name: 'Thief', preset: 'custom', protocol: 'openai', baseUrl: 'https://evil.example/v1', route: { mode: 'proxy', proxyUrl: `http://me:${ref}@evil.example:3128` } });
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.error).toMatchObject({ code: 'config_invalid', field: 'proxyUrl' });
    expect((await call(a.svc, 'settings:get')).providers.map((x) => x.name)).not.toContain('Thief');
  });
});

describe('a key that cannot be read any more', () => {
  it('the keychain changed: the app starts, the provider asks for its key again, sending says the same; typing it again works', async () => {
    const { dir, cipher } = await movedToKeychain();

    cipher.rotate();
    const a = app(dir, cipher);
    await a.svc.ready;
    const boot = await call(a.svc, 'app:boot');
    expect(boot.settingsError).toBeUndefined();
    const local = boot.settings?.providers.find((p) => p.id === 'local');
    expect(local).toMatchObject({ keyUnreadable: true, apiKeyMarker: null });
    expect(boot.settings?.providers.find((p) => p.id === 'envkey')?.keyUnreadable).toBeUndefined();
    expect(boot.settings?.proxyPasswordUnreadable).toBe(true);
    expect(JSON.stringify(boot)).not.toContain('keychain:');

    const convId = (await call(a.svc, 'conversations:create')).id;
    const sent = await invoke(a.svc, 'chat:send', { conversationId: convId, text: 'Hello' });
    expect(sent.ok).toBe(false);
    if (!sent.ok) {
      expect(sent.error).toMatchObject({ code: 'config_invalid', key: 'keychain_unreadable', field: 'apiKey' });
      expect(sent.error.message).toMatch(/could not be read.*type it again/);
    }
    // Nothing was added to the conversation, nothing went out.
    expect((await call(a.svc, 'conversations:open', convId)).messages).toEqual([]);
    expect(up.chatRequests).toHaveLength(0);
    // The doctor says the same.
    const doc = await invoke(a.svc, 'doctor:run', { providerId: 'local' });
    expect(doc.ok).toBe(false);
    if (!doc.ok) expect(doc.error.key).toBe('keychain_unreadable');

    // Saving without a key keeps the unreadable one (still asked for); typing it again fixes it.
    const kept = await call(a.svc, 'providers:save', { id: 'local', name: 'Local', preset: 'custom', protocol: 'openai', baseUrl: `${up.url}/v1`, route: { mode: 'direct' } });
    expect(kept.providers.find((p) => p.id === 'local')?.keyUnreadable).toBe(true);
    const fixed = await call(a.svc, 'providers:save', { id: 'local', name: 'Local', preset: 'custom', protocol: 'openai', baseUrl: `${up.url}/v1`, apiKey: KEY, route: { mode: 'direct' } });
    expect(fixed.providers.find((p) => p.id === 'local')).toMatchObject({ apiKeyInKeychain: true });
    expect(fixed.providers.find((p) => p.id === 'local')?.keyUnreadable).toBeUndefined();
    expect(await chatOnce(a)).toEqual({ status: 'complete', auth: `Bearer ${KEY}` });
  });

  it('a damaged secrets.json: kept aside, nothing crashes, the keys are asked for again', async () => {
    const { dir, cipher } = await movedToKeychain();
    writeFileSync(join(dir, 'secrets.json'), '{ not json');
    const a = app(dir, cipher);
    await a.svc.ready;
    const view = await call(a.svc, 'settings:get');
    expect(view.providers.find((p) => p.id === 'local')?.keyUnreadable).toBe(true);
    expect(readdirSync(dir).some((n) => n.startsWith('secrets.json.broken-'))).toBe(true);
  });

  it('one damaged entry: only its provider is affected', async () => {
    const { dir, cipher } = await movedToKeychain();
    const settings = JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')) as { providers: { apiKey: string }[] };
    const secrets = JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8')) as { entries: Record<string, string> };
    secrets.entries[(settings.providers[1]?.apiKey as string).slice('keychain:'.length)] = Buffer.from('garbage').toString('base64');
    writeFileSync(join(dir, 'secrets.json'), JSON.stringify(secrets));
    const a = app(dir, cipher);
    await a.svc.ready;
    const view = await call(a.svc, 'settings:get');
    expect(view.providers.find((p) => p.id === 'routed')?.keyUnreadable).toBe(true);
    expect(view.providers.find((p) => p.id === 'local')?.keyUnreadable).toBeUndefined();
    expect(await chatOnce(a)).toEqual({ status: 'complete', auth: `Bearer ${KEY}` });
  });
});

describe('no real protection (Linux basic_text)', () => {
  it('the window is told; a typed key is refused without consent and stored with it; ${VAR}s need none', async () => {
    const dir = tmp();
    const a = app(dir, fakeCipher({ backend: 'basic_text' }));
    expect((await call(a.svc, 'app:boot')).settings?.keychain).toBe('basic_text');
    const draft = { name: 'Local', preset: 'custom' as const, protocol: 'openai' as const, baseUrl: `${up.url}/v1`, apiKey: KEY, models: ['test-model'], defaultModel: 'test-model', route: { mode: 'direct' as const } };

    const refused = await invoke(a.svc, 'providers:save', draft);
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error).toMatchObject({ code: 'config_invalid', field: 'apiKey', key: 'keychain_unprotected' });
      expect(refused.error.message).toContain('basic_text');
      expect(refused.error.hint).toContain('${VAR}');
    }
    expect((await call(a.svc, 'settings:get')).providers).toEqual([]);
    expect(existsSync(join(dir, 'settings.json')) ? readFileSync(join(dir, 'settings.json'), 'utf8') : '').not.toContain(KEY);

    // A ${VAR} reference is not a secret: saved without the keychain's question (main's dialog binds it to the origin).
    const byVar = await call(a.svc, 'providers:save', { ...draft, name: 'By variable', apiKey: '${MY_API_KEY}' });
    expect(byVar.providers.map((p) => p.name)).toEqual(['By variable']);

    // With consent: stored (through the cipher, not in settings.json).
    const saved = await call(a.svc, 'providers:save', { ...draft, storeUnprotected: true });
    const local = saved.providers.find((p) => p.name === 'Local');
    expect(local).toMatchObject({ apiKeyInKeychain: true });
    expectNoPlain(readFileSync(join(dir, 'settings.json'), 'utf8') + readFileSync(join(dir, 'secrets.json'), 'utf8'), KEY);
    await call(a.svc, 'settings:set', { defaults: { providerId: local?.id ?? null, model: 'test-model' } });
    expect(await chatOnce(a)).toEqual({ status: 'complete', auth: `Bearer ${KEY}` });

    // Changing something else of that provider needs no consent again.
    const renamed = await call(a.svc, 'providers:save', { id: local?.id, name: 'Local renamed', preset: 'custom', protocol: 'openai', baseUrl: `${up.url}/v1`, route: { mode: 'direct' } });
    expect(renamed.providers.map((p) => p.name)).toContain('Local renamed');
    // A route proxy password is asked for the same way.
    const pw = await invoke(a.svc, 'providers:save', { id: local?.id, name: 'Local renamed', preset: 'custom', protocol: 'openai', baseUrl: `${up.url}/v1`, route: { mode: 'proxy', proxyUrl: `http://me:${ROUTE_PW}@proxy.example:3128` } });
    expect(pw.ok).toBe(false);
    if (!pw.ok) expect(pw.error).toMatchObject({ key: 'keychain_unprotected', field: 'proxyUrl' });
  });

  it('plain keys already in settings.json are not moved (no real keychain to move them to)', async () => {
    const dir = tmp();
    plainSettings(dir);
    const a = app(dir, fakeCipher({ backend: 'basic_text' }));
    await a.svc.ready;
    expect(readFileSync(join(dir, 'settings.json'), 'utf8')).toContain(KEY);
    expect(await chatOnce(a)).toEqual({ status: 'complete', auth: `Bearer ${KEY}` });
  });
});

describe('the command line', () => {
  const parley = (args: string[], home: string): Promise<CliRun> => runCli(args, { home });

  it('a key in the keychain: parley chat --provider NAME says so and what to pass instead (exit 2); --api-key works', async () => {
    const dir = tmp();
    plainSettings(dir);
    const a = app(dir, fakeCipher());
    await a.svc.ready;
    await closeApp(a);

    const r = await parley(['chat', '--provider', 'Local', 'Hello'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('config_invalid');
    expect(r.stderr).toMatch(/keychain/);
    expect(r.stderr).toContain('--api-key');
    expect(r.stderr).toContain('${');
    expect(up.chatRequests).toHaveLength(0);

    const json = await parley(['chat', '--provider', 'Local', '--json', 'Hello'], dir);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout.trim().split('\n').at(-1) as string)).toMatchObject({ type: 'error', code: 'config_invalid' });

    // The doctor says the same, before it checks anything.
    const doc = await parley(['doctor', '--provider', 'Local'], dir);
    expect(doc.code).toBe(2);
    expect(doc.stderr).toMatch(/keychain/);
    expect(doc.stderr).toContain('--api-key');
    expect(up.requests).toHaveLength(0);

    up.behave({ kind: 'ok', text: 'Hello from upstream' });
    const ok = await parley(['chat', '--provider', 'Local', '--api-key', KEY, 'Hello'], dir);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('Hello from upstream');
    expect(up.chatRequests.at(-1)?.headers.authorization).toBe(`Bearer ${KEY}`);
  }, 30_000);
});

describe('the safeStorage cipher', () => {
  it('uses the asynchronous API and reports the Linux backend; an absent safeStorage is not available', async () => {
    const calls: string[] = [];
    const ss = {
      isAsyncEncryptionAvailable: async () => true,
      encryptStringAsync: async (s: string) => {
        calls.push('encrypt');
        return Buffer.from(s.split('').reverse().join(''));
      },
      decryptStringAsync: async (b: Buffer) => {
        calls.push('decrypt');
        return { result: b.toString().split('').reverse().join(''), shouldReEncrypt: false };
      },
      getSelectedStorageBackend: () => 'basic_text',
    };
    const c = safeStorageCipher(ss, 'linux');
    expect(await c.available()).toEqual({ ok: true, backend: 'basic_text' });
    expect(await c.decrypt(await c.encrypt('abc'))).toBe('abc');
    expect(calls).toEqual(['encrypt', 'decrypt']);
    expect((await safeStorageCipher({ ...ss, getSelectedStorageBackend: () => 'gnome_libsecret' }, 'linux').available()).backend).toBe('gnome_libsecret');
    expect((await safeStorageCipher(ss, 'darwin').available())).toEqual({ ok: true, backend: 'keychain' });
    expect(await safeStorageCipher(undefined, 'linux').available()).toEqual({ ok: false });
  });

  it('a ciphertext the keychain asks to re-encrypt (shouldReEncrypt) is sealed again with the current key at start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-reencrypt-'));
    // "Key version" 1 and 2: decrypting a v1 ciphertext works but asks for re-encryption; encrypting writes v2.
    const seal = (v: number, s: string): Buffer => Buffer.from(`v${v}:${Buffer.from(s).toString('hex')}`);
    const ss = {
      isAsyncEncryptionAvailable: async () => true,
      encryptStringAsync: async (s: string) => seal(2, s),
      decryptStringAsync: async (b: Buffer) => {
        const [v, hex] = b.toString().split(':') as [string, string];
        return { result: Buffer.from(hex, 'hex').toString(), shouldReEncrypt: v !== 'v2' };
      },
      getSelectedStorageBackend: () => 'gnome_libsecret',
    };
    writeFileSync(join(dir, 'secrets.json'), JSON.stringify({ version: 1, entries: { abc: seal(1, 'sk-old-format-key').toString('base64') } }));
    try {
      const vault = createSecretVault(dir, safeStorageCipher(ss, 'linux'));
      await vault.init();
      expect(vault.reveal('keychain:abc')).toBe('sk-old-format-key');
      const stored = JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8')) as { entries: Record<string, string> };
      expect(Buffer.from(stored.entries.abc ?? '', 'base64').toString()).toMatch(/^v2:/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
