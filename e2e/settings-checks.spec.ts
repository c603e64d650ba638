/**
 * Settings check what is typed (issue 9), in the app: a value that cannot work is refused on save and marked at
 * its field with the reason (main's check, the one the command line and the doctor use), with the corrected base
 * URL offered; the protocol switch offers its usual base URL; the key field shows/hides and says once that a key
 * is stored; Test runs the doctor for the provider in the form; the Save bar sits at the window's bottom edge.
 */
import { existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startUpstream, type Upstream } from '../test/helpers/upstream.ts';
import { makeTestCA } from '../test/helpers/certs.ts';
import { launchApp, type AppTarget } from './targets.ts';
import { tid, tempDirs, desktopEnv } from './helpers.ts';

const KEY = 'sk-e2eChecksKey0123456789abcdefghijklmn';

let up: Upstream;
const { tmp, removeTemp } = tempDirs('parley-e2e-');

beforeAll(async () => {
  up = await startUpstream();
});
afterAll(async () => {
  await up?.stop();
  removeTemp();
});

const env = desktopEnv;
interface SavedSettings {
  providers?: Array<{ name: string; baseUrl: string }>;
  network?: { proxy?: { bypass?: string }; caFiles?: string[] };
}
const settingsFile = (app: AppTarget): SavedSettings => {
  const f = join(app.dataDir, 'settings.json');
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as SavedSettings) : {};
};

/** The id of the element that has the focus. */
const focusedId = (page: Page): Promise<string> => page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id ?? '');

/** The field's reason, and that the field points at it and is marked invalid. */
async function expectRefusedAt(page: Page, field: string, inputId: string, reason: RegExp | string): Promise<string> {
  const error = page.locator(tid(`field-error-${field}`));
  await error.waitFor();
  const text = (await error.textContent()) ?? '';
  if (typeof reason === 'string') expect(text).toContain(reason);
  else expect(text).toMatch(reason);
  const input = page.locator(`#${inputId}`);
  expect(await input.getAttribute('aria-invalid')).toBe('true');
  expect((await input.getAttribute('aria-describedby')) ?? '').toContain((await error.getAttribute('id')) ?? '(no id)');
  await expect.poll(() => focusedId(page)).toBe(inputId);
  return text;
}

/** Opens a new provider form with the Custom preset. */
async function newProvider(page: Page, name = 'Typed'): Promise<void> {
  await page.click(tid('nav-settings'));
  await page.selectOption(tid('provider-add-preset'), 'custom');
  await page.click(tid('provider-add'));
  await page.fill(tid('provider-name'), name);
}

describe('settings refuse what cannot work, at the field', () => {
  let app: AppTarget;
  beforeAll(async () => {
    const home = tmp('checks');
    app = await launchApp({ dataDir: join(home, 'data'), env: env(home) });
    await app.page.waitForSelector(tid('welcome'));
  });
  afterAll(async () => {
    await app?.close();
  });

  it('a base URL with /chat/completions pasted at its end is refused with the reason, and "Use …/v1" fills in the corrected URL', async () => {
    const { page } = app;
    await newProvider(page);
    await page.fill(tid('settings-baseUrl'), `${up.url}/v1/chat/completions`);
    await page.fill(tid('settings-apiKey'), KEY);
    await page.fill(tid('settings-model'), 'test-model');
    await page.click(tid('provider-model-add'));
    await page.click(tid('provider-save'));
    await expectRefusedAt(page, 'baseUrl', 'p-baseUrl', 'ends in the endpoint /chat/completions');
    expect(await page.textContent(tid('provider-status'))).not.toMatch(/Saved/);
    expect(settingsFile(app).providers ?? []).toHaveLength(0);
    const fix = page.locator(tid('field-fix-baseUrl'));
    expect(await fix.textContent()).toBe(`Use ${up.url}/v1`);
    await fix.click();
    expect(await page.inputValue(tid('settings-baseUrl'))).toBe(`${up.url}/v1`);
    expect(await page.locator(tid('field-error-baseUrl')).count()).toBe(0);
    await page.click(tid('provider-save'));
    await page.waitForSelector(tid('provider-item'));
    expect(settingsFile(app).providers?.[0]?.baseUrl).toBe(`${up.url}/v1`);
  });

  it('a base URL without a scheme, or without a host, is refused at the field', async () => {
    const { page } = app;
    await newProvider(page, 'No scheme');
    const bare = `${up.url.replace(/^http:\/\//, '')}/v1`;
    await page.fill(tid('settings-baseUrl'), bare);
    await page.click(tid('provider-save'));
    await expectRefusedAt(page, 'baseUrl', 'p-baseUrl', `"${bare}" has no scheme`);
    expect(await page.textContent(tid('field-fix-baseUrl'))).toBe(`Use ${up.url}/v1`);
    await page.fill(tid('settings-baseUrl'), 'http://');
    // Typing takes the old reason away; saving gives the new one.
    expect(await page.locator(tid('field-error-baseUrl')).count()).toBe(0);
    await page.click(tid('provider-save'));
    await expectRefusedAt(page, 'baseUrl', 'p-baseUrl', /is not a URL/);
    expect(settingsFile(app).providers).toHaveLength(1);
    await page.click('text=Cancel');
  });

  it('a base URL that probably lacks /v1 is saved, with a note at the field offering the URL to use', async () => {
    const { page } = app;
    await newProvider(page, 'No v1');
    await page.fill(tid('settings-baseUrl'), up.url);
    const note = page.locator(tid('field-note-baseUrl'));
    await note.waitFor();
    expect(await note.textContent()).toContain(`try ${up.url}/v1`);
    await page.click(tid('field-note-fix-baseUrl'));
    expect(await page.inputValue(tid('settings-baseUrl'))).toBe(`${up.url}/v1`);
    expect(await note.count()).toBe(0);
    await page.fill(tid('settings-baseUrl'), up.url);
    await page.click(tid('provider-save'));
    await expect.poll(() => page.locator(tid('provider-item')).count()).toBe(2);
  });

  for (const c of [
    { name: 'a proxy URL with a missing ://', mode: 'manual', url: 'http//127.0.0.1:3128', reason: /Proxy URL "http\/\/127\.0\.0\.1:3128" is not valid/ },
    { name: 'a proxy URL with two ports', mode: 'manual', url: 'http://127.0.0.1:3128:8080', reason: /Proxy URL "http:\/\/127\.0\.0\.1:3128:8080" is not valid/ },
    { name: 'a proxy URL with an unsupported scheme', mode: 'manual', url: 'ftp://proxy.corp:21', reason: /scheme "ftp" is not supported/ },
    { name: 'manual mode with no proxy URL', mode: 'manual', url: '', reason: /Proxy mode is manual, but no proxy URL is set/ },
  ]) {
    it(`${c.name} is refused at the proxy URL field, and nothing says Saved`, async () => {
      const { page } = app;
      await page.click(tid('nav-settings'));
      const before = readFileSync(join(app.dataDir, 'settings.json'), 'utf8');
      await page.selectOption(tid('settings-proxyMode'), c.mode);
      await page.fill(tid('settings-proxyUrl'), c.url);
      await page.click(tid('settings-save'));
      await expectRefusedAt(page, 'proxyUrl', 'f-proxyUrl', c.reason);
      expect(await page.getAttribute(tid('settings-status'), 'data-state')).toBe('error');
      expect(await page.textContent(tid('settings-status'))).not.toMatch(/Saved/);
      expect(readFileSync(join(app.dataDir, 'settings.json'), 'utf8')).toBe(before);
    });
  }

  for (const c of [
    { list: 'localhost, 10.0.0.0/40', bad: '"10.0.0.0/40"' },
    { list: '.corp.example, *foo', bad: '"*foo"' },
    { list: 'intranet.example, *, 10.0.0.0/8', bad: '"*"' },
  ]) {
    it(`a bypass list with ${c.bad} is refused at the bypass field`, async () => {
      const { page } = app;
      await page.click(tid('nav-settings'));
      await page.selectOption(tid('settings-proxyMode'), 'env');
      await page.fill(tid('settings-bypass'), c.list);
      await page.click(tid('settings-save'));
      const text = await expectRefusedAt(page, 'bypass', 'f-bypass', 'not understood');
      expect(text).toContain(c.bad);
      expect(settingsFile(app).network?.proxy?.bypass ?? '').not.toBe(c.list);
    });
  }

  it('a save with a bad proxy URL and a bad bypass list names both, each at its field', async () => {
    const { page } = app;
    await page.click(tid('nav-settings'));
    const before = readFileSync(join(app.dataDir, 'settings.json'), 'utf8');
    await page.selectOption(tid('settings-proxyMode'), 'manual');
    await page.fill(tid('settings-proxyUrl'), 'ftp://proxy.corp:21');
    await page.fill(tid('settings-bypass'), 'localhost, 10.0.0.0/40');
    await page.click(tid('settings-save'));
    await expectRefusedAt(page, 'proxyUrl', 'f-proxyUrl', /scheme "ftp" is not supported/);
    expect(await page.textContent(tid('field-error-bypass'))).toContain('"10.0.0.0/40"');
    expect(await page.getAttribute('#f-bypass', 'aria-invalid')).toBe('true');
    expect(readFileSync(join(app.dataDir, 'settings.json'), 'utf8')).toBe(before);
    // As it was: nothing of this test is left in the form for the next.
    await page.fill(tid('settings-proxyUrl'), '');
    await page.fill(tid('settings-bypass'), '');
    await page.selectOption(tid('settings-proxyMode'), 'env');
  });

  it('a bypass list the parser understands (*.corp.example, CIDR, host:port) is saved', async () => {
    const { page } = app;
    await page.click(tid('nav-settings'));
    await page.selectOption(tid('settings-proxyMode'), 'env');
    await page.fill(tid('settings-bypass'), '*.corp.example, 10.0.0.0/8, intranet:8080');
    await page.click(tid('settings-save'));
    await page.waitForSelector(`${tid('settings-status')}[data-state="saved"]`);
    expect(settingsFile(app).network?.proxy?.bypass).toBe('*.corp.example, 10.0.0.0/8, intranet:8080');
  });

  it('a CA file that was picked and saved, then removed from the disk, is reported at the field on the next save', async () => {
    const { page } = app;
    const ca = await makeTestCA(tmp('ca'));
    await page.click(tid('nav-settings'));
    await app.answerOpenDialog(ca.caCertPath);
    await page.click(tid('settings-caFiles-add'));
    await page.waitForSelector(`${tid('settings-caFile')}:has-text("${ca.caCertPath}")`);
    await page.click(tid('settings-save'));
    await page.waitForSelector(`${tid('settings-status')}[data-state="saved"]`);
    expect(settingsFile(app).network?.caFiles).toEqual([ca.caCertPath]);
    unlinkSync(ca.caCertPath);
    await page.click(tid('settings-save'));
    const error = page.locator(tid('field-error-caFiles'));
    await error.waitFor();
    expect(await error.textContent()).toContain(`${ca.caCertPath} cannot be used`);
    expect(await error.textContent()).not.toContain('caFiles[');
    expect(await page.getAttribute(tid('settings-caFiles'), 'aria-invalid')).toBe('true');
    await expect.poll(() => focusedId(page)).toBe('f-caFiles-add');
    expect(await page.getAttribute(tid('settings-status'), 'data-state')).toBe('error');
    // Removing it from the list takes the reason away, and saves.
    await page.click(`${tid('settings-caFile')} button`);
    expect(await error.count()).toBe(0);
    await page.click(tid('settings-save'));
    await page.waitForSelector(`${tid('settings-status')}[data-state="saved"]`);
    expect(settingsFile(app).network?.caFiles).toEqual([]);
  });

  it('a timeout out of range is refused on the spot, at its field', async () => {
    const { page } = app;
    await page.click(tid('nav-settings'));
    await page.fill(tid('settings-connectTimeout'), '100000');
    await page.click(tid('settings-save'));
    await expectRefusedAt(page, 'connectTimeout', 'f-connectTimeout', 'from 0 to 86400');
    expect(await page.getAttribute(tid('settings-status'), 'data-state')).toBe('error');
    await page.fill(tid('settings-connectTimeout'), '10');
    expect(await page.locator(tid('field-error-connectTimeout')).count()).toBe(0);
  });
});

describe('the provider form', () => {
  let app: AppTarget;
  beforeAll(async () => {
    const home = tmp('form');
    app = await launchApp({ dataDir: join(home, 'data'), env: env(home) });
    await app.page.waitForSelector(tid('welcome'));
  });
  afterAll(async () => {
    await app?.close();
  });

  it('switching the protocol offers its usual base URL, replacing an empty one or another protocol\'s default, never a typed one', async () => {
    const { page } = app;
    await newProvider(page, 'Switch');
    expect(await page.inputValue(tid('settings-baseUrl'))).toBe('');
    await page.selectOption(tid('settings-protocol'), 'anthropic');
    expect(await page.inputValue(tid('settings-baseUrl'))).toBe('https://api.anthropic.com');
    await page.selectOption(tid('settings-protocol'), 'ollama');
    expect(await page.inputValue(tid('settings-baseUrl'))).toBe('http://127.0.0.1:11434');
    await page.selectOption(tid('settings-protocol'), 'openai');
    expect(await page.inputValue(tid('settings-baseUrl'))).toBe('https://api.openai.com/v1');
    await page.fill(tid('settings-baseUrl'), 'https://gateway.corp.example/v1');
    await page.selectOption(tid('settings-protocol'), 'anthropic');
    expect(await page.inputValue(tid('settings-baseUrl'))).toBe('https://gateway.corp.example/v1');
    await page.click('text=Cancel');
  });

  it('the key field shows and hides the key, and says once that a key is stored', async () => {
    const { page } = app;
    await newProvider(page, 'Keyed');
    await page.fill(tid('settings-baseUrl'), `${up.url}/v1`);
    await page.fill(tid('settings-apiKey'), KEY);
    expect(await page.getAttribute(tid('settings-apiKey'), 'type')).toBe('password');
    await page.click(tid('settings-apiKey-toggle'));
    expect(await page.getAttribute(tid('settings-apiKey'), 'type')).toBe('text');
    expect(await page.getAttribute(tid('settings-apiKey-toggle'), 'aria-pressed')).toBe('true');
    await page.click(tid('settings-apiKey-toggle'));
    expect(await page.getAttribute(tid('settings-apiKey'), 'type')).toBe('password');
    await page.fill(tid('settings-model'), 'test-model');
    await page.click(tid('provider-model-add'));
    await page.click(tid('provider-save'));
    await page.waitForSelector(tid('provider-item'));
    await page.click(tid('provider-edit'));
    const editor = page.locator(tid('provider-editor'));
    const said = `${(await editor.innerText())} ${(await page.getAttribute(tid('settings-apiKey'), 'placeholder')) ?? ''}`;
    expect(said.match(/stored/gi) ?? []).toHaveLength(1);
    expect(await page.textContent(tid('settings-apiKey-marker'))).toContain('A key is stored (sk-…klmn (39 chars)); leave empty to keep it.');
    expect(await page.inputValue(tid('settings-apiKey'))).toBe('');
    expect(await page.content()).not.toContain(KEY);
    await page.click('text=Cancel');
  });

  it('Test checks the draft without saving it and shows the doctor\'s verdict next to the button: ✓ Works, or the failing step\'s message', async () => {
    const { page } = app;
    up.clear();
    await newProvider(page, 'Tested');
    await page.fill(tid('settings-baseUrl'), `${up.url}/v1`);
    await page.fill(tid('settings-apiKey'), KEY);
    await page.fill(tid('settings-model'), 'test-model');
    await page.click(tid('provider-model-add'));
    await page.click(tid('provider-editor-test'));
    const verdict = page.locator(`${tid('provider-test-verdict')}[data-verdict]`);
    await verdict.waitFor({ timeout: 60_000 });
    expect(await verdict.getAttribute('data-verdict')).toBe('ok');
    expect(await verdict.textContent()).toBe('✓ Works');
    // Still in Settings, the form still open, nothing saved (Save keeps it).
    expect(await page.getAttribute(tid('nav-settings'), 'aria-current')).toBe('page');
    expect((settingsFile(app).providers ?? []).filter((p) => p.name === 'Tested')).toHaveLength(0);

    up.behave({ kind: 'status', status: 401, match: 'models', body: { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' } } });
    await page.click(tid('provider-editor-test'));
    await expect.poll(() => page.getAttribute(tid('provider-test-verdict'), 'data-verdict'), { timeout: 60_000 }).toBe('auth_rejected');
    expect(await page.textContent(tid('provider-test-verdict'))).toMatch(/^✗ .*Incorrect API key provided/);
    expect((settingsFile(app).providers ?? []).filter((p) => p.name === 'Tested')).toHaveLength(0);
    up.clear();
    await page.click('text=Cancel');
  });

  it('the Save bar sits at the window\'s bottom edge, opaque and bordered, and the last field scrolls clear above it', async () => {
    const { page } = app;
    await page.setViewportSize({ width: 1100, height: 600 });
    await page.click(tid('nav-settings'));
    const bar = page.locator(tid('settings-save-bar'));
    const height = page.viewportSize()?.height ?? 600;
    const box = async (): Promise<{ top: number; bottom: number }> => {
      const b = await bar.boundingBox();
      if (!b) throw new Error('no Save bar');
      return { top: b.y, bottom: b.y + b.height };
    };
    // At the top of the form: the bar is at the bottom edge of the window, not below the fold.
    let b = await box();
    expect(b.top).toBeLessThan(height);
    expect(b.bottom).toBeGreaterThanOrEqual(height - 1);
    const style = await bar.evaluate((el) => {
      const cs = (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string; borderTopWidth: string; position: string } }).getComputedStyle(el);
      return { bg: cs.backgroundColor, border: cs.borderTopWidth, position: cs.position };
    });
    expect(['sticky', 'fixed']).toContain(style.position);
    expect(style.bg).toMatch(/^rgb\(/); // opaque: rgb(), not rgba(…, 0) or transparent
    expect(parseFloat(style.border)).toBeGreaterThanOrEqual(1);
    // Scrolled to the form's end (the sections saved on their own come after it): still at the edge, and the last
    // field is above it, not beneath.
    await page.evaluate(() => {
      const f = (globalThis as unknown as { document: { querySelector(sel: string): { scrollIntoView(o: { block: string }): void } | null } }).document.querySelector('.settings-form');
      f?.scrollIntoView({ block: 'end' });
    });
    b = await box();
    expect(b.bottom).toBeGreaterThanOrEqual(height - 1);
    const last = await page.locator('#f-logContent-help').boundingBox();
    expect(last).not.toBeNull();
    expect((last?.y ?? 0) + (last?.height ?? 0)).toBeLessThanOrEqual(b.top + 0.5);
    expect(last?.y ?? -1).toBeGreaterThanOrEqual(0);
  });
});

describe('start', () => {
  it('a bad base URL in settings.json does not open the app on Diagnostics: it opens on the chat', async () => {
    const home = tmp('start');
    const dataDir = join(home, 'data');
    const first = await launchApp({ dataDir, env: env(home) });
    await first.page.waitForSelector(tid('welcome'));
    await first.close();
    writeFileSync(join(dataDir, 'settings.json'), JSON.stringify({ version: 2, providers: [{ id: 'p1', name: 'Bad', protocol: 'openai', baseUrl: `${up.url}/v1/chat/completions`, models: ['m'], defaultModel: 'm' }], defaults: { providerId: 'p1', model: 'm' } }), { mode: 0o600 });
    const app = await launchApp({ dataDir, env: env(home) });
    try {
      await app.page.waitForSelector(tid('nav-diagnostics'));
      await app.page.waitForSelector(tid('welcome'));
      expect(await app.page.getAttribute(tid('nav-diagnostics'), 'aria-current')).toBeNull();
      expect(await app.page.locator(tid('doctor-run')).count()).toBe(0);
    } finally {
      await app.close();
    }
  });
});

describe('a Chinese window', () => {
  it('a proxy URL with two ports is refused at the field with a Chinese reason (by the error key), not the English sentence', async () => {
    const home = tmp('zh');
    const dataDir = join(home, 'data');
    const first = await launchApp({ dataDir, env: env(home) });
    await first.page.waitForSelector(tid('welcome'));
    await first.close();
    // The window in 中文 from the start: settings.json `ui.language: 'zh'`, written before the launch.
    const file = join(dataDir, 'settings.json');
    const saved = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : { version: 2 };
    writeFileSync(file, JSON.stringify({ ...saved, ui: { ...((saved.ui as Record<string, unknown> | undefined) ?? {}), language: 'zh' } }), { mode: 0o600 });
    const app = await launchApp({ dataDir, env: env(home) });
    try {
      const { page } = app;
      await page.waitForSelector('html[lang^="zh"]', { state: 'attached', timeout: 20_000 });
      await page.click(tid('nav-settings'));
      const before = readFileSync(file, 'utf8');
      await page.selectOption(tid('settings-proxyMode'), 'manual');
      await page.fill(tid('settings-proxyUrl'), 'http://127.0.0.1:3128:8080');
      // A bad bypass list in the same save: named too, at its own field, in Chinese.
      await page.fill(tid('settings-bypass'), 'localhost, 10.0.0.0/40');
      await page.click(tid('settings-save'));
      const text = await expectRefusedAt(page, 'proxyUrl', 'f-proxyUrl', /[\u4e00-\u9fff]/);
      const bypass = (await page.textContent(tid('field-error-bypass'))) ?? '';
      expect(bypass).toMatch(/[\u4e00-\u9fff]/);
      expect(bypass).toContain('10.0.0.0/40');
      expect(text).not.toContain('a proxy URL has one');
      expect(text).not.toContain('is not valid');
      // The values stay as written: the URL and its ports.
      expect(text).toContain('http://127.0.0.1:3128:8080');
      expect(text).toContain(':8080');
      expect(readFileSync(file, 'utf8')).toBe(before);
    } finally {
      await app.close();
    }
  });
});

describe.each(['en', 'zh'] as const)('a hand-edited settings.json (%s)', (lang) => {
  it('keys Parley does not know are named in Settings and survive a save from the window', async () => {
    const home = tmp(`unknown-${lang}`);
    const dataDir = join(home, 'data');
    mkdirSync(dataDir, { recursive: true });
    const file = join(dataDir, 'settings.json');
    writeFileSync(file, JSON.stringify({ version: 2, providers: [], network: { proxy: { mode: 'none' }, retriez: 5 }, ui: { language: lang } }), { mode: 0o600 });
    const app = await launchApp({ dataDir, env: env(home) });
    try {
      const { page } = app;
      if (lang === 'zh') await page.waitForSelector('html[lang^="zh"]', { state: 'attached', timeout: 20_000 });
      await page.click(tid('nav-settings'));
      const notice = page.locator(tid('settings-unknown-keys'));
      await notice.waitFor();
      expect(await notice.textContent()).toContain('network.retriez');
      expect(await notice.textContent()).toMatch(lang === 'zh' ? /不认识/ : /does not know/);
      await page.fill(tid('settings-retries'), '3');
      await page.click(tid('settings-save'));
      await page.waitForSelector(`${tid('settings-status')}[data-state="saved"]`);
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { network: Record<string, unknown> };
      expect(saved.network).toMatchObject({ retries: 3, retriez: 5 });
      // Still named after the save: the typo is still there to fix.
      expect(await page.locator(tid('settings-unknown-keys')).textContent()).toContain('network.retriez');
    } finally {
      await app.close();
    }
  });
});
