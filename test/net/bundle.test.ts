/**
 * A real CLI session (success, retry, failure) with secrets planted everywhere, then `parley bundle`: no secret
 * in any file of the zip.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from '../helpers/cli.ts';
import { testAppServices } from '../helpers/app-services.ts';
import { startUpstream, type Upstream } from '../helpers/upstream.ts';


const FLAG_KEY = 'sk-flagKey0123456789abcdefghijklmnop';
const SETTINGS_KEY = 'settingsKeyQ7w8e9r0t1y2';
const SETTINGS_PROXY_PW = 'setProxyPw4455';
const ENV_PROXY_PW = 'envProxyPw6677';
const HEADER_TOKEN = 'plantedHeaderTok7788';
const SECRETS = [FLAG_KEY, SETTINGS_KEY, SETTINGS_PROXY_PW, ENV_PROXY_PW, HEADER_TOKEN];

let up: Upstream;
let home: string;

beforeAll(async () => {
  up = await startUpstream();
  home = mkdtempSync(join(tmpdir(), 'parley-bundle-'));
}, 60_000);
afterAll(async () => {
  await up?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

const env = (): Record<string, string> => ({
  PATH: process.env.PATH ?? '',
  HOME: home,
  PARLEY_HOME: home,
  HTTPS_PROXY: `http://envuser:${ENV_PROXY_PW}@127.0.0.1:9`,
  no_proxy: 'localhost',
});

const parley = (args: string[]): Promise<CliRun> => runCli(args, { env: env() });

describe('parley bundle', () => {
  it('a session with planted secrets → a zip without any of them', async () => {
    writeFileSync(join(home, 'settings.json'), JSON.stringify({
      provider: { protocol: 'openai', baseUrl: `${up.url}/v1`, apiKey: SETTINGS_KEY, model: 'test-model' },
      network: { proxy: { mode: 'env', url: `http://proxyuser:${SETTINGS_PROXY_PW}@proxy.corp:3128` }, retries: 2 },
    }));
    // An older log line holding a raw Authorization header (as if written before redaction existed).
    mkdirSync(join(home, 'logs'), { recursive: true });
    writeFileSync(join(home, 'logs', 'parley.3.log'), `{"message":"Authorization: Bearer ${HEADER_TOKEN}"}\nsent with ${SETTINGS_KEY}\n`);
    writeFileSync(join(home, 'doctor-20260101.json'), JSON.stringify({ proxy: `http://proxyuser:${SETTINGS_PROXY_PW}@proxy.corp:3128`, ok: true }));

    up.behave({ kind: 'ok', text: 'first answer' });
    const ok = await parley(['chat', '--api-key', FLAG_KEY, '--json', 'Hello']);
    expect(ok.code).toBe(0);
    up.behave({ kind: 'status', status: 503 }, { kind: 'ok', text: 'after retry' });
    const retried = await parley(['chat', '--json', 'Again']);
    expect(retried.code).toBe(0);
    expect(retried.stdout).toContain('"type":"retry"');
    up.behave({ kind: 'status', status: 401 });
    const failed = await parley(['chat', '--api-key', FLAG_KEY, '--json', 'Denied']);
    expect(failed.code).toBe(1);

    const log = readFileSync(join(home, 'logs', 'parley.log'), 'utf8');
    expect(log).toContain('"scope":"transport"');
    expect(log).toContain('retry 1');
    for (const s of SECRETS) expect(log).not.toContain(s);

    const out = join(home, 'x.zip');
    const b = await parley(['bundle', '--out', out]);
    expect(b.stderr).toBe('');
    expect(b.code).toBe(0);

    const files = unzipSync(readFileSync(out));
    const names = Object.keys(files);
    expect(names).toEqual(expect.arrayContaining(['manifest.json', 'settings.json', 'versions.json', 'env-proxy.json', 'logs/parley.log', 'logs/parley.3.log', 'doctor/doctor-20260101.json']));
    for (const [name, bytes] of Object.entries(files)) {
      const text = strFromU8(bytes);
      for (const s of SECRETS) expect(text, `${name} leaks ${s}`).not.toContain(s);
    }
    const manifest = JSON.parse(strFromU8(files['manifest.json'] ?? new Uint8Array())) as { files: Array<{ name: string; size: number }>; secretsStripped: number };
    expect(manifest.secretsStripped).toBeGreaterThan(0);
    expect(manifest.files.map((f) => f.name).sort()).toEqual(names.filter((n) => n !== 'manifest.json').sort());
    for (const f of manifest.files) expect(f.size).toBe(files[f.name]?.byteLength);

    const settings = JSON.parse(strFromU8(files['settings.json'] ?? new Uint8Array())) as { provider: { apiKey: string }; network: { proxy: { url: string } } };
    expect(settings.provider.apiKey).toBe('set…t1y2 (23 chars)');
    expect(settings.network.proxy.url).toBe('http://proxyuser:***@proxy.corp:3128');
    const envProxy = JSON.parse(strFromU8(files['env-proxy.json'] ?? new Uint8Array())) as Record<string, string>;
    expect(envProxy.HTTPS_PROXY).toBe('http://envuser:***@127.0.0.1:9');
    const versions = JSON.parse(strFromU8(files['versions.json'] ?? new Uint8Array())) as { app: string; node: string };
    expect(versions.app).toBe('0.1.0');
  }, 60_000);
});

describe('one settings reader for both bundles', () => {
  it("the app's Export diagnostics and parley bundle show a broken settings.json alike: by line and column, never its text", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-bundle-broken-'));
    try {
      // A key cut off by a hand edit: JSON.parse's own message would quote it.
      writeFileSync(join(dir, 'settings.json'), `{\n  "version": 2,\n  "providers": [{ "apiKey": "${SETTINGS_KEY}\n}`);
      const appZip = join(dir, 'app.zip');
      const svc = testAppServices(dir, { chooseExportPath: async () => appZip });
      try {
        const r = await svc.invoke({ windowId: 'w' }, 'diagnostics:export', []);
        expect(r.ok).toBe(true);
      } finally {
        await svc.close();
      }
      const cliZip = join(dir, 'cli.zip');
      expect((await runCli(['bundle', '--out', cliZip, '--config-dir', dir])).code).toBe(0);
      const settingsOf = (zip: string): string => strFromU8(unzipSync(readFileSync(zip))['settings.json'] ?? new Uint8Array());
      const fromApp = settingsOf(appZip);
      expect(fromApp).toMatch(/not valid JSON \(line 3, column \d+\)/);
      expect(fromApp).not.toContain(SETTINGS_KEY.slice(8, 14));
      expect(settingsOf(cliZip)).toBe(fromApp);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
