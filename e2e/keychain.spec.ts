/**
 * Keys in the keychain (issue 10), in the window: where the OS offers no real protection (Linux 'basic_text'),
 * the provider form says so, a typed key is not stored until the user confirms (a ${VAR} reference is offered
 * instead), and a stored key the keychain can no longer read is asked for again. The OS keychain cannot be
 * faked in the real Electron binary, so this spec always runs on the browser host (e2e/web-host.ts, the same
 * app services) with a fake keychain (test/helpers/fake-cipher.ts).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startUpstream, type Upstream } from '../test/helpers/upstream.ts';
import { fakeCipher, type FakeCipher } from '../test/helpers/fake-cipher.ts';
import { launchChromium } from './targets.ts';
import { startWebHost, type WebHost } from './web-host.ts';
import { tid } from './helpers.ts';

const KEY = 'sk-e2eKeychainKey0123456789abcdefghijklmn';

let up: Upstream;
let browser: Browser;
const dirs: string[] = [];
beforeAll(async () => {
  up = await startUpstream();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await up?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function open(dataDir: string, cipher: FakeCipher): Promise<{ host: WebHost; page: Page; close(): Promise<void> }> {
  const host = await startWebHost({ dataDir, logDir: join(dataDir, 'logs'), env: {}, cipher });
  const page = await browser.newPage();
  await page.goto(host.url);
  return { host, page, close: async () => { await page.close(); await host.close(); } };
}

describe('a system without a real keychain (basic_text)', () => {
  it('the form warns, asks before storing a typed key, offers a ${VAR}; confirmed, the key is stored outside settings.json; a key that cannot be read is asked for again', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-e2e-keychain-'));
    dirs.push(dataDir);
    const cipher = fakeCipher({ backend: 'basic_text' });
    const app = await open(dataDir, cipher);
    const { page } = app;
    await page.waitForSelector(tid('welcome'));
    await page.click(tid('nav-settings'));
    await page.selectOption(tid('provider-add-preset'), 'custom');
    await page.click(tid('provider-add'));
    await page.fill(tid('provider-name'), 'Local');
    await page.fill(tid('settings-baseUrl'), `${up.url}/v1`);
    await page.fill(tid('settings-apiKey'), KEY);
    // Said before anything is saved.
    expect(await page.textContent(tid('provider-keychain-basic'))).toContain('basic_text');

    await page.click(tid('provider-save'));
    const ask = page.locator(tid('provider-unprotected-confirm'));
    await ask.waitFor();
    expect(await ask.textContent()).toMatch(/without real protection/);
    // Nothing was written.
    expect(existsSync(join(dataDir, 'settings.json')) ? readFileSync(join(dataDir, 'settings.json'), 'utf8') : '').not.toContain('Local');

    // The alternative: a ${VAR} reference in the key field.
    await page.click(tid('provider-unprotected-variable'));
    expect(await page.inputValue(tid('settings-apiKey'))).toBe('${MY_PROVIDER_API_KEY}');
    await expect.poll(() => ask.count()).toBe(0);

    // Back to the typed key, confirmed: stored (encrypted by the fake keychain, not in settings.json).
    await page.fill(tid('settings-apiKey'), KEY);
    await page.click(tid('provider-save'));
    await ask.waitFor();
    await page.click(tid('provider-unprotected-store'));
    await page.locator(tid('provider-editor')).waitFor({ state: 'detached' });
    expect(await page.textContent(tid('provider-key'))).toContain('keychain');
    const settings = readFileSync(join(dataDir, 'settings.json'), 'utf8');
    expect(settings).toContain('"name": "Local"');
    expect(settings).not.toContain(KEY);
    expect(readFileSync(join(dataDir, 'secrets.json'), 'utf8')).not.toContain(KEY);
    await app.close();

    // The keychain changed: the provider asks for its key again.
    cipher.rotate();
    const again = await open(dataDir, cipher);
    await again.page.click(tid('nav-settings'));
    const unreadable = again.page.locator(`${tid('provider-item')} ${tid('provider-key-unreadable')}`);
    await unreadable.waitFor();
    expect(await unreadable.textContent()).toContain('could not be read: type it again');
    await again.close();
  }, 60_000);

  it('the network settings say that a proxy password would be kept as text, and offer a variable', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-e2e-keychain-proxy-'));
    dirs.push(dataDir);
    const app = await open(dataDir, fakeCipher({ backend: 'basic_text' }));
    const { page } = app;
    await page.waitForSelector(tid('welcome'));
    await page.click(tid('nav-settings'));
    expect(await page.locator(tid('proxy-password-unprotected')).count()).toBe(0);
    await page.selectOption(tid('settings-proxyMode'), 'manual');
    const note = page.locator(tid('proxy-password-unprotected'));
    await note.waitFor();
    expect(await note.textContent()).toContain('${PROXY_PASSWORD}');
    await app.close();
  }, 60_000);
});

describe('a system with a real keychain', () => {
  it('says nothing about unprotected proxy passwords', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-e2e-keychain-os-'));
    dirs.push(dataDir);
    const app = await open(dataDir, fakeCipher());
    const { page } = app;
    await page.waitForSelector(tid('welcome'));
    await page.click(tid('nav-settings'));
    await page.selectOption(tid('settings-proxyMode'), 'manual');
    await page.waitForSelector(tid('settings-proxyUrl'));
    expect(await page.locator(tid('proxy-password-unprotected')).count()).toBe(0);
    await app.close();
  }, 60_000);
});
