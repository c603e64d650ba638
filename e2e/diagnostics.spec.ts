/**
 * The app end to end (browser target here and in CI; Electron where a binary exists, see e2e/targets.ts):
 * settings → doctor → export diagnostics, renderer logs reaching the log file through main, the language
 * switch, and env_not_inherited from a real login shell.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startUpstream, type Upstream } from '../test/helpers/upstream.ts';
import { waitFor } from '../test/helpers/proc.ts';
import { launchApp, type AppTarget } from './targets.ts';
import { makeTestCA } from '../test/helpers/certs.ts';
import { tid, tempDirs, desktopEnv } from './helpers.ts';

const KEY = 'sk-e2eKey0123456789abcdefghijklmnopqrstuv';
const PLAIN_KEY = 'plainE2eSecretKey77x';

let up: Upstream;
const { tmp, removeTemp } = tempDirs('parley-e2e-');

beforeAll(async () => {
  up = await startUpstream();
});
afterAll(async () => {
  await up?.stop();
  removeTemp();
});


/** Adds a provider by hand (Settings → Providers → Add), then sets the global proxy mode. */
async function fillProvider(page: Page, opts: { baseUrl: string; apiKey: string; model?: string; proxyMode?: string }): Promise<void> {
  await page.click(tid('nav-settings'));
  await page.selectOption(tid('provider-add-preset'), 'custom');
  await page.click(tid('provider-add'));
  await page.fill(tid('provider-name'), 'Local test');
  await page.selectOption(tid('settings-protocol'), 'openai');
  await page.fill(tid('settings-baseUrl'), opts.baseUrl);
  await page.fill(tid('settings-apiKey'), opts.apiKey);
  await page.fill(tid('settings-model'), opts.model ?? 'test-model');
  await page.click(tid('provider-model-add'));
  await page.click(tid('provider-save'));
  await page.waitForSelector(tid('provider-item'));
  await page.selectOption(tid('settings-proxyMode'), opts.proxyMode ?? 'none');
  await page.click(tid('settings-save'));
  await page.waitForSelector(`${tid('settings-status')}[data-state="saved"]`);
}

async function runDoctor(page: Page): Promise<string> {
  await page.click(tid('nav-diagnostics'));
  await page.click(tid('doctor-run'));
  const verdict = await page.waitForSelector(`${tid('doctor-verdict')}[data-verdict]`, { timeout: 60_000 });
  return (await verdict.getAttribute('data-verdict')) ?? '';
}

describe('settings, doctor and support bundle in the app', () => {
  let app: AppTarget;
  beforeAll(async () => {
    const dataDir = tmp('app');
    app = await launchApp({ dataDir, env: desktopEnv(dataDir) });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('first start shows the welcome screen; a provider added by hand shows its key only by its shape, never sent back to the page', async () => {
    const { page } = app;
    await page.waitForSelector(tid('welcome'));
    await page.click(tid('welcome-add'));
    await fillProvider(page, { baseUrl: `${up.url}/v1`, apiKey: KEY });
    await expect.poll(() => page.textContent(tid('provider-key'))).toContain('sk-…stuv');
    expect(await page.content()).not.toContain(KEY);
    const stored = JSON.parse(readFileSync(join(app.dataDir, 'settings.json'), 'utf8'));
    expect(stored.providers[0].apiKey).toBe(KEY);
  });

  it('Run connection doctor: every step shows up with its status, and the verdict is ok', async () => {
    const { page } = app;
    expect(await runDoctor(page)).toBe('ok');
    for (const id of ['settings', 'route', 'dns', 'connect', 'models', 'completion', 'stream']) {
      expect(await page.getAttribute(tid(`doctor-step-${id}`), 'data-status')).toBe('pass');
    }
    expect(await page.getAttribute(tid('doctor-step-tls'), 'data-status')).toBe('skip');
  });

  it('a key the provider rejects: verdict auth_rejected, with the provider\'s words and a hint on the screen', async () => {
    const { page } = app;
    up.behave({ kind: 'status', status: 401, match: 'models', body: { error: { message: 'Incorrect API key provided: sk-e2e***tuv.', type: 'invalid_request_error', code: 'invalid_api_key' } } });
    expect(await runDoctor(page)).toBe('auth_rejected');
    expect(await page.getAttribute(tid('doctor-step-models'), 'data-status')).toBe('fail');
    expect(await page.textContent(tid('doctor-step-models'))).toContain('Incorrect API key provided');
    expect(await page.locator(tid('doctor-hint')).count()).toBeGreaterThan(0);
  });

  it('renderer errors and logs reach the app\'s log file through main, redacted', async () => {
    const { page } = app;
    await page.evaluate((k) => {
      setTimeout(() => {
        throw new Error(`renderer exploded holding ${k}`);
      });
    }, PLAIN_KEY + ' ' + KEY);
    const log = join(app.logDir, 'parley.log');
    await waitFor(() => existsSync(log) && readFileSync(log, 'utf8').includes('renderer exploded'), 10_000, () => 'the renderer error in the log file');
    const lines = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { scope: string; level: string; message: string });
    const ui = lines.filter((l) => l.scope === 'ui');
    expect(ui.some((l) => l.message === 'ui started')).toBe(true);
    expect(ui.find((l) => l.message.includes('renderer exploded'))?.level).toBe('error');
    const text = readFileSync(log, 'utf8');
    expect(text).not.toContain(KEY);
  });

  it('Export diagnostics: one zip with logs, doctor reports, settings and versions, and no secret in it', async () => {
    const { page } = app;
    // A settings change in between: a proxy with a password (and back), so the bundle has more to hide.
    await page.click(tid('nav-settings'));
    await page.selectOption(tid('settings-proxyMode'), 'manual');
    await page.fill(tid('settings-proxyUrl'), `http://parley:${PLAIN_KEY}@127.0.0.1:9`);
    await page.click(tid('settings-save'));
    await page.waitForSelector(`${tid('settings-status')}[data-state="saved"]`);
    await expect.poll(() => page.inputValue(tid('settings-proxyUrl'))).toBe('http://parley:********@127.0.0.1:9');
    const out = join(tmp('export'), 'parley-diagnostics.zip');
    await app.answerSaveDialog(out);
    await page.click(tid('nav-diagnostics'));
    await page.click(tid('diagnostics-export'));
    const result = await page.waitForSelector(tid('diagnostics-result'));
    expect(await result.getAttribute('data-path')).toBe(out);
    const files = unzipSync(readFileSync(out));
    const names = Object.keys(files);
    expect(names).toEqual(expect.arrayContaining(['manifest.json', 'settings.json', 'versions.json', 'env-proxy.json', 'logs/parley.log']));
    expect(names.filter((n) => n.startsWith('doctor/')).length).toBeGreaterThanOrEqual(2);
    const all = names.map((n) => strFromU8(files[n] as Uint8Array)).join('\n');
    for (const secret of [KEY, PLAIN_KEY]) expect(all).not.toContain(secret);
    expect(all).toContain('renderer exploded');
    const settings = JSON.parse(strFromU8(files['settings.json'] as Uint8Array));
    expect(settings.providers[0].apiKey).toBe('sk-…stuv (41 chars)');
  });

  it('every network setting typed in the panel lands in settings.json and is shown again after a reload', async () => {
    const { page } = app;
    await page.click(tid('nav-settings'));
    await page.selectOption(tid('settings-proxyMode'), 'manual');
    await page.fill(tid('settings-proxyUrl'), 'socks5h://127.0.0.1:1080');
    await page.fill(tid('settings-bypass'), 'localhost, .corp.example, 10.0.0.0/8');
    // CA files come only from the system file dialog (answered for the test); a file that is not a certificate
    // is refused with its reason.
    const caDir = tmp('ca');
    const pem = (await makeTestCA(caDir)).caCert;
    const [root, issuing, notes] = ['corp-root.pem', 'corp-issuing.pem', 'notes.txt'].map((f) => join(caDir, f)) as [string, string, string];
    writeFileSync(root, pem);
    writeFileSync(issuing, pem);
    writeFileSync(notes, 'not a certificate');
    for (const f of [root, notes, issuing]) {
      await app.answerOpenDialog(f);
      await page.click(tid('settings-caFiles-add'));
      // Refused at the field (its Add button), not in a banner.
      if (f === notes) await page.waitForSelector(`${tid('field-error-caFiles')}:has-text("${f}")`);
      else await page.waitForSelector(`${tid('settings-caFile')}:has-text("${f}")`);
    }
    expect(await page.locator(tid('settings-caFile')).count()).toBe(2);
    await page.selectOption(tid('settings-stream'), 'off');
    await page.fill(tid('settings-retries'), '4');
    await page.fill(tid('settings-connectTimeout'), '7.5');
    await page.fill(tid('settings-firstByteTimeout'), '120');
    await page.fill(tid('settings-idleTimeout'), '60');
    await page.fill(tid('settings-totalTimeout'), '0');
    await page.check(tid('settings-logContent'));
    await page.click(tid('settings-save'));
    await page.waitForSelector(`${tid('settings-status')}[data-state="saved"]`);
    const file = JSON.parse(readFileSync(join(app.dataDir, 'settings.json'), 'utf8'));
    expect(file.network).toMatchObject({
      proxy: { mode: 'manual', url: 'socks5h://127.0.0.1:1080', bypass: 'localhost, .corp.example, 10.0.0.0/8' },
      caFiles: [join(caDir, 'corp-root.pem'), join(caDir, 'corp-issuing.pem')],
      stream: 'off',
      retries: 4,
      timeouts: { connectMs: 7500, firstByteMs: 120_000, idleMs: 60_000, totalMs: 0 },
    });
    expect(file.logging.logContent).toBe(true);
    expect(file.providers[0].apiKey).toBe(KEY);
    await page.reload();
    await page.click(tid('nav-settings'));
    // The panel mounts on first open; poll until the form shows the stored values.
    await expect.poll(() => page.inputValue(tid('settings-proxyUrl'))).toBe('socks5h://127.0.0.1:1080');
    expect(await page.inputValue(tid('settings-connectTimeout'))).toBe('7.5');
    expect(await page.inputValue(tid('settings-retries'))).toBe('4');
    expect(await page.isChecked(tid('settings-logContent'))).toBe(true);
    expect(await page.locator(tid('settings-caFile')).allTextContents()).toEqual([join(caDir, 'corp-root.pem'), join(caDir, 'corp-issuing.pem')].map((f) => `${f}Remove`));
    // A value out of range is refused on the spot and nothing is saved.
    await page.fill(tid('settings-retries'), '99');
    await page.click(tid('settings-save'));
    await expect.poll(() => page.getAttribute(tid('settings-status'), 'data-state')).not.toBe('saved');
    expect(JSON.parse(readFileSync(join(app.dataDir, 'settings.json'), 'utf8')).network.retries).toBe(4);
    await page.fill(tid('settings-retries'), '4');
  });

  it('switching the language to 中文 relabels the app at once', async () => {
    const { page } = app;
    await page.click(tid('nav-settings'));
    await page.selectOption(tid('settings-language'), 'zh');
    await page.click(tid('settings-save'));
    await expect.poll(() => page.getAttribute('html', 'lang')).toMatch(/^zh/);
    expect(await page.textContent(tid('nav-settings'))).toMatch(/设置/);
    expect(await page.textContent(tid('nav-diagnostics'))).toMatch(/诊断/);
  });
});

describe('the doctor in the app sees what the login shell sets and the app lacks', () => {
  it('HTTPS_PROXY exported in ~/.bash_profile but missing in the app: the env_not_inherited finding and a hint naming it', async () => {
    const home = tmp('home');
    writeFileSync(join(home, '.bash_profile'), 'export HTTPS_PROXY=http://127.0.0.1:3128\n');
    const app = await launchApp({ dataDir: join(home, 'data'), env: { HOME: home, PATH: process.env.PATH ?? '/usr/bin:/bin', SHELL: '/bin/bash', LANG: 'en_US.UTF-8' } });
    try {
      const { page } = app;
      await page.waitForSelector(tid('welcome'));
      await fillProvider(page, { baseUrl: `${up.url}/v1`, apiKey: KEY, proxyMode: 'env' });
      expect(await runDoctor(page)).toBe('ok');
      await page.waitForSelector(`${tid('doctor-finding')}[data-finding="env_not_inherited"]`);
      const hints = await page.locator(tid('doctor-hint')).allTextContents();
      expect(hints.join('\n')).toContain('HTTPS_PROXY=http://127.0.0.1:3128');
      expect(await page.getAttribute(tid('doctor-step-settings'), 'data-status')).toBe('warn');
    } finally {
      await app.close();
    }
  });
});
