/**
 * The provider form and the doctor say what they do (issue: the provider form, the doctor's provider), in
 * English and in Chinese: moving a provider's base URL to another origin says at once that the stored key will
 * not be sent there, and saving asks for the key or a word to save without one (a `${VAR}` key stays); the
 * doctor names the provider and model it checks, lets the user pick, and checks the conversation in view's
 * provider by default, not the one a provider's Test checked last.
 */
import { BODY_PROBE_MODEL } from '../src/main/services/doctor/body-limit.ts';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startUpstream, type Upstream } from '../test/helpers/upstream.ts';
import { launchApp, type AppTarget } from './targets.ts';
import { tid, tempDirs, desktopEnv } from './helpers.ts';

const KEY = 'sk-e2eFormKey0123456789abcdefghijklmnop';
const VAR_KEY = 'sk-e2eFormVarKey0123456789abcdefghijkl';

let up: Upstream;
const { tmp, removeTemp } = tempDirs('parley-e2e-form-');
beforeAll(async () => {
  up = await startUpstream();
});
afterAll(async () => {
  await up?.stop();
  removeTemp();
});

type Lang = 'en' | 'zh';
/** The words each language shows (the checks look for them). */
const WORDS: Record<Lang, { saveScope: RegExp; custom: string; qwen: string; works: string; notSent: RegExp; stays: RegExp; noKey: RegExp; blocked: RegExp; checked: RegExp; needsModel: RegExp; notSaved: RegExp; caFile: RegExp; range: RegExp; zero: RegExp; noLimit: string }> = {
  en: { saveScope: /network and app/, custom: 'Custom', qwen: 'Qwen (DashScope)', works: '✓ Works', notSent: /will not be sent to/, stays: /stays/, noKey: /No key stored/, blocked: /will not work/, checked: /^Checked /, needsModel: /Choose a model to test first/, notSaved: /Not saved yet/, caFile: /cannot be used: it is not a readable PEM certificate file/, range: /Must be a number from/, zero: /no limit for “Total”/, noLimit: '0 = no limit.' },
  zh: { saveScope: /网络和应用设置/, custom: '自定义', qwen: '通义千问（DashScope）', works: '✓ 可用', notSent: /不会发送到/, stays: /仍为/, noKey: /尚未保存密钥/, blocked: /无法/, checked: /^已检查/, needsModel: /请先选择要测试的模型/, notSaved: /尚未保存/, caFile: /无法使用：它不是可读取的/, range: /必须是|之间|数字/, zero: /“总计”不限时/, noLimit: '0 表示不限制。' },
};
/** What the window must never show: command-line options and settings.json paths. */
const CLI_WORDS = /--[a-z]|settings\.json|providers\[|caFiles\[|network\.[a-z]/;

interface Stored { providers: Array<{ id: string; name: string; baseUrl: string; apiKey?: string }> }
const stored = (app: AppTarget): Stored => JSON.parse(readFileSync(join(app.dataDir, 'settings.json'), 'utf8')) as Stored;

/** A data folder with a working provider (key typed), one with a `${VAR}` key, and one that cannot be reached. */
function dataDir(lang: Lang): { home: string; dir: string } {
  const home = tmp(lang);
  const dir = join(home, 'data');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'settings.json'), JSON.stringify({
    version: 2,
    providers: [
      { id: 'good', name: 'Good local', protocol: 'openai', baseUrl: `${up.url}/v1`, apiKey: KEY, models: ['test-model', 'other-model'], defaultModel: 'test-model' },
      { id: 'byvar', name: 'By variable', protocol: 'openai', baseUrl: `${up.url}/v1`, apiKey: '${MY_FORM_API_KEY}', models: ['var-model'], defaultModel: 'var-model' },
      // Nothing listens on port 1: the doctor says chat does not work there.
      { id: 'bad', name: 'Unreachable', protocol: 'openai', baseUrl: 'http://127.0.0.1:1/v1', apiKey: KEY, models: ['bad-model'], defaultModel: 'bad-model' },
    ],
    defaults: { providerId: 'good', model: 'test-model' },
    network: { proxy: { mode: 'none' }, retries: 0 },
    ui: { language: lang },
  }), { mode: 0o600 });
  // The user's earlier yes (main's native dialog, remembered): ${MY_FORM_API_KEY} may go to the moved address.
  writeFileSync(join(dir, 'consent.json'), JSON.stringify({ version: 1, routes: [], variables: [{ name: 'MY_FORM_API_KEY', origin: `http://localhost:${up.port}` }] }), { mode: 0o600 });
  return { home, dir };
}

async function launch(lang: Lang): Promise<AppTarget> {
  const { home, dir } = dataDir(lang);
  const app = await launchApp({ dataDir: dir, env: { ...desktopEnv(home), MY_FORM_API_KEY: VAR_KEY } });
  if (lang === 'zh') await app.page.waitForSelector('html[lang^="zh"]', { state: 'attached', timeout: 20_000 });
  return app;
}

const card = (page: Page, id: string) => page.locator(`${tid('provider-item')}[data-id="${id}"]`);

async function editProvider(page: Page, id: string): Promise<void> {
  await page.click(tid('nav-settings'));
  await card(page, id).locator(tid('provider-edit')).click();
  await page.waitForSelector(tid('provider-editor'));
}

describe.each(['en', 'zh'] as const)('the provider form and the doctor (%s)', (lang) => {
  let app: AppTarget;
  const w = WORDS[lang];
  beforeAll(async () => {
    app = await launch(lang);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('moving the base URL to another host says at once that the stored key stays behind, and saving asks first', async () => {
    const { page } = app;
    await editProvider(page, 'good');
    // The same origin (another path): nothing to say.
    await page.fill(tid('settings-baseUrl'), `${up.url}/other/v1`);
    expect(await page.locator(tid('provider-key-origin')).count()).toBe(0);
    // Another host: said before any save, naming both.
    const moved = up.url.replace('127.0.0.1', 'localhost');
    await page.fill(tid('settings-baseUrl'), `${moved}/v1`);
    const note = page.locator(tid('provider-key-origin'));
    await note.waitFor();
    const text = (await note.textContent()) ?? '';
    expect(text).toMatch(w.notSent);
    expect(text).toContain(`localhost:${up.port}`);
    expect(text).toContain(`127.0.0.1:${up.port}`);
    // The help no longer says the key is kept.
    expect(await page.locator(tid('settings-apiKey-marker')).textContent()).not.toMatch(/leave empty to keep|留空/);
    // Save does not save: it asks; the file still has the key at the old address.
    await page.click(tid('provider-save'));
    await page.locator(tid('provider-key-origin-confirm')).waitFor();
    expect(stored(app).providers.find((p) => p.id === 'good')?.baseUrl).toBe(`${up.url}/v1`);
    expect(stored(app).providers.find((p) => p.id === 'good')?.apiKey).toBe(KEY);
    // Typing the key saves it with the new address, without asking.
    await page.click(tid('provider-key-origin-type'));
    await page.fill(tid('settings-apiKey'), KEY);
    expect(await page.locator(tid('provider-key-origin')).count()).toBe(0);
    await page.click(tid('provider-save'));
    await page.waitForSelector(tid('provider-editor'), { state: 'detached' });
    expect(await card(page, 'good').locator(tid('provider-key')).textContent()).toContain('sk-');
    expect(stored(app).providers.find((p) => p.id === 'good')?.baseUrl).toBe(`${moved}/v1`);
  });

  it('saving without a key is the user’s explicit choice, and the card then says no key is stored', async () => {
    const { page } = app;
    await editProvider(page, 'good');
    await page.fill(tid('settings-baseUrl'), `${up.url}/v1`);
    await page.locator(tid('provider-key-origin')).waitFor();
    await page.click(tid('provider-save'));
    await page.click(tid('provider-key-origin-drop'));
    await page.waitForSelector(tid('provider-editor'), { state: 'detached' });
    expect(await card(page, 'good').locator(tid('provider-key')).textContent()).toMatch(w.noKey);
    expect(stored(app).providers.find((p) => p.id === 'good')?.apiKey).toBeUndefined();
    // Put the key back for the doctor checks below.
    await editProvider(page, 'good');
    await page.fill(tid('settings-apiKey'), KEY);
    await page.click(tid('provider-save'));
    await page.waitForSelector(tid('provider-editor'), { state: 'detached' });
  });

  it('a ${VAR} key stays when the base URL moves, and the form says so', async () => {
    const { page } = app;
    await editProvider(page, 'byvar');
    const moved = up.url.replace('127.0.0.1', 'localhost');
    await page.fill(tid('settings-baseUrl'), `${moved}/v1`);
    const note = page.locator(tid('provider-key-origin'));
    await note.waitFor();
    expect(await note.getAttribute('data-keeps')).toBe('ref');
    const text = (await note.textContent()) ?? '';
    expect(text).toMatch(w.stays);
    expect(text).toContain('${MY_FORM_API_KEY}');
    await page.click(tid('provider-save'));
    await page.waitForSelector(tid('provider-editor'), { state: 'detached' });
    expect(await card(page, 'byvar').locator(tid('provider-key')).textContent()).toContain('${MY_FORM_API_KEY}');
    expect(stored(app).providers.find((p) => p.id === 'byvar')).toMatchObject({ baseUrl: `${moved}/v1`, apiKey: '${MY_FORM_API_KEY}' });
  });

  it('the doctor names what it checks; opened from the sidebar it checks the conversation’s provider, not the one tested last', async () => {
    const { page } = app;
    // A provider's Test checks the unreachable one…
    await page.click(tid('nav-settings'));
    await card(page, 'bad').locator(tid('provider-test')).click();
    const verdict = page.locator(tid('doctor-verdict'));
    await page.waitForSelector(`${tid('doctor-verdict')}[data-kind="bad"]`, { timeout: 60_000 });
    expect(await page.locator(tid('doctor-checked')).getAttribute('data-provider')).toBe('bad');
    expect(await page.locator(tid('doctor-checked')).textContent()).toMatch(w.checked);
    expect(await page.locator(tid('doctor-checked')).textContent()).toContain('Unreachable');
    expect(await verdict.textContent()).toContain('Unreachable');
    // …then a chat with the working one is in view, and Diagnostics is opened by hand.
    await page.click(tid('new-chat'));
    await page.waitForSelector(tid('composer'));
    await page.click(tid('nav-diagnostics'));
    const picker = page.locator(tid('doctor-provider'));
    expect(await picker.getAttribute('data-provider')).toBe('good');
    expect(await picker.locator('option:checked').textContent()).toBe('Good local · test-model');
    await page.click(tid('doctor-run'));
    await page.waitForSelector(`${tid('doctor-verdict')}[data-verdict="ok"]`, { timeout: 60_000 });
    expect(await page.locator(tid('doctor-checked')).getAttribute('data-provider')).toBe('good');
    expect(await page.locator(tid('doctor-checked')).textContent()).toContain('Good local');
    expect(await page.locator(tid('doctor-checked')).textContent()).toContain('test-model');
    expect(await verdict.textContent()).not.toMatch(w.blocked);
    // The user may pick another model, or another provider: the run checks that one.
    await picker.selectOption('good\u0000other-model');
    await page.click(tid('doctor-run'));
    await expect.poll(() => page.locator(tid('doctor-checked')).textContent(), { timeout: 60_000 }).toContain('other-model');
    // The doctor's chat requests checked that model (its body-limit step's probe names a model that cannot exist).
    expect(up.requests.filter((r) => r.route === 'chat' && r.model !== BODY_PROBE_MODEL).at(-1)?.model).toBe('other-model');
    await picker.selectOption('byvar\u0000var-model');
    await page.click(tid('doctor-run'));
    await page.waitForSelector(`${tid('doctor-checked')}[data-provider="byvar"]`, { timeout: 60_000 });
    expect(await page.locator(tid('doctor-checked')).textContent()).toContain('var-model');
  });

  it('Test checks the form as it is without saving it: no model is said in words, a failing test leaves nothing behind, a good one no second card', async () => {
    const { page } = app;
    await page.click(tid('nav-settings'));
    await page.selectOption(tid('provider-add-preset'), 'custom');
    await page.click(tid('provider-add'));
    await page.fill(tid('provider-name'), 'Draft');
    await page.fill(tid('settings-baseUrl'), 'http://127.0.0.1:1/v1');
    await page.fill(tid('settings-apiKey'), KEY);
    // No model: the form says where to get one, in the window's words.
    await page.click(tid('provider-editor-test'));
    const verdict = page.locator(tid('provider-test-verdict'));
    await verdict.waitFor();
    expect(await verdict.textContent()).toMatch(w.needsModel);
    expect(await verdict.textContent()).not.toMatch(CLI_WORDS);
    // With a model, a failing test: nothing saved.
    await page.fill(tid('settings-model'), 'draft-model');
    await page.click(tid('provider-model-add'));
    await page.click(tid('provider-editor-test'));
    await page.waitForSelector(`${tid('provider-test-verdict')}.status-error:not([data-verdict="no_model"])`, { timeout: 60_000 });
    // The verdict in the window's language: no English sentence in a Chinese window.
    if (lang === 'zh') expect(await verdict.textContent()).not.toMatch(/\b[A-Za-z]{2,}(?:[\s,]+[A-Za-z]{2,}){2,}\b/);
    expect(stored(app).providers.map((p) => p.name)).not.toContain('Draft');
    expect(await page.locator(`${tid('provider-item')}:has-text("Draft")`).count()).toBe(0);
    // A good test: still not saved, and no card beside the open form; Save keeps it.
    await page.fill(tid('settings-baseUrl'), `${up.url}/v1`);
    await page.click(tid('provider-editor-test'));
    await page.waitForSelector(`${tid('provider-test-verdict')}.status-saved`, { timeout: 60_000 });
    expect(await verdict.textContent()).toBe(w.works);
    expect(await page.locator(tid('provider-status')).textContent()).toMatch(w.notSaved);
    expect(stored(app).providers.map((p) => p.name)).not.toContain('Draft');
    expect(await page.locator(`${tid('provider-item')}:has-text("Draft")`).count()).toBe(0);
    await page.click(tid('provider-save'));
    await page.waitForSelector(tid('provider-editor'), { state: 'detached' });
    expect(stored(app).providers.map((p) => p.name)).toContain('Draft');
  });

  it('the words and fields of Settings: no jargon, a Save button that says what it saves, a styled Name field, all shown models ticked', async () => {
    const { page } = app;
    await page.click(tid('nav-settings'));
    const intro = (await page.locator('.providers > p').first().textContent()) ?? '';
    expect(intro).not.toMatch(/\bmain\b|主进程/);
    expect(await page.locator(tid('settings-save')).textContent()).toMatch(w.saveScope);
    await editProvider(page, 'good');
    const style = (sel: string) => page.locator(sel).evaluate((e) => {
      const c = (globalThis as unknown as { getComputedStyle(x: unknown): { borderTopWidth: string; borderTopStyle: string; paddingLeft: string; borderRadius: string } }).getComputedStyle(e);
      return [c.borderTopWidth, c.borderTopStyle, c.paddingLeft, c.borderRadius].join(' ');
    });
    expect(await style('#p-name')).toBe(await style('#p-baseUrl'));
    // No model chosen for the picker means all are shown: every box is ticked.
    const boxes = page.locator(tid('provider-model-shown'));
    expect(await boxes.count()).toBeGreaterThan(0);
    for (const box of await boxes.all()) expect(await box.isChecked()).toBe(true);
    await page.locator(tid('provider-editor')).getByRole('button', { name: lang === 'zh' ? '取消编辑' : 'Cancel edit' }).click();
  });

  it('preset names are in the window’s language', async () => {
    const { page } = app;
    await page.click(tid('nav-settings'));
    const select = page.locator(tid('provider-add-preset'));
    expect(await select.locator('option[value="custom"]').textContent()).toBe(w.custom);
    expect(await select.locator('option[value="qwen"]').textContent()).toBe(w.qwen);
    expect(await select.locator('option[value="openai"]').textContent()).toBe('OpenAI');
  });

  it('a CA file main refuses is said at the Add button, in words, not in a banner', async () => {
    const { page } = app;
    const notPem = join(app.dataDir, 'not-a-cert.txt');
    writeFileSync(notPem, 'hello\n');
    await app.answerOpenDialog(notPem);
    await page.click(tid('nav-settings'));
    await page.click(tid('settings-caFiles-add'));
    const error = page.locator(tid('field-error-caFiles'));
    await error.waitFor();
    const text = (await error.textContent()) ?? '';
    expect(text).toMatch(w.caFile);
    expect(text).toContain(notPem);
    expect(text).not.toMatch(CLI_WORDS);
    expect(await page.locator(tid('error-banner')).count()).toBe(0);
    expect(await page.locator('#f-caFiles-add').getAttribute('aria-invalid')).toBe('true');
  });

  it('every field out of range is marked at once, and a timeout of 0 says it means no limit', async () => {
    const { page } = app;
    await page.click(tid('nav-settings'));
    expect(await page.locator('#f-connectTimeout-help').textContent()).toContain(w.noLimit);
    await page.fill(tid('settings-totalTimeout'), '0');
    const zero = page.locator(tid('timeout-zero-totalTimeout'));
    await zero.waitFor();
    expect(await zero.textContent()).toMatch(w.zero);
    await page.fill(tid('settings-retries'), '99');
    await page.fill(tid('settings-idleTimeout'), '-1');
    await page.fill(tid('settings-contextMessages'), '123456');
    await page.click(tid('settings-save'));
    for (const field of ['retries', 'idleTimeout', 'contextMessages']) {
      const e = page.locator(tid(`field-error-${field}`));
      await e.waitFor();
      expect(await e.textContent()).toMatch(w.range);
    }
    expect(await page.locator(tid('settings-status')).getAttribute('data-state')).toBe('error');
  });
});
