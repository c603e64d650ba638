/**
 * The window's start (browser target here and in CI; Electron where a binary exists), in English and in Chinese:
 * the start's data (app:boot) is asked for while the page is still being parsed, before the app's code is
 * evaluated (before, the request waited for the whole bundle: ~125 ms more on the way to the first messages);
 * the settings, diagnostics and network panels load the first time they are shown, and work then.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { openChatStore } from '../src/main/services/storage/index.ts';
import { launchApp, type AppTarget } from './targets.ts';
import { desktopEnv, seedDataDir, tempDirs, tid, waitForLanguage } from './helpers.ts';

const { tmp, removeTemp } = tempDirs('parley-e2e-cold-start-');
afterAll(() => removeTemp());

/** What the window says, per language (written here, not read from the locale files: a missing translation fails). */
const WORDS = {
  en: { settings: 'Settings', diagnostics: 'Diagnostics', network: 'Network' },
  zh: { settings: '设置', diagnostics: '诊断', network: '网络' },
} as const;

/** Before the app's scripts: whether the start's data was already asked for when the parser finished. */
const PROBE = `document.addEventListener('readystatechange', () => {
  if (document.readyState === 'interactive') window.__bootAskedWhileParsing = !!window.__parleyBoot;
});`;

describe.each(['en', 'zh'] as const)('the start (%s)', (lang) => {
  let app: AppTarget;
  afterAll(async () => {
    await app?.close();
  });

  it('asks for its data while the page is parsed, before its code runs; shows the latest conversation; the panels load when first shown', async () => {
    const home = tmp(`home-${lang}`);
    const dataDir = seedDataDir(home, {
      version: 2,
      providers: [{ id: 'p1', name: 'Loopback', protocol: 'openai', baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'sk-coldStartE2eKey0123456789abcdefghi', models: ['m'], defaultModel: 'm' }],
      defaults: { providerId: 'p1', model: 'm' },
      network: { proxy: { mode: 'none' } },
      ui: { language: lang },
    });
    const store = openChatStore({ dataDir });
    const c = store.createConversation({ title: 'Latest' });
    store.addMessage({ conversationId: c.id, role: 'user', text: 'the last words before the restart' });
    await store.close();
    app = await launchApp({ dataDir, env: desktopEnv(home) });
    const { page } = app;
    // The window again, watched from its first byte.
    await page.context().addInitScript(PROBE);
    await page.reload();
    await waitForLanguage(page, lang);
    await page.waitForSelector(`${tid('message')}:has-text("the last words before the restart")`);
    expect(await page.evaluate('window.__bootAskedWhileParsing')).toBe(true);
    // The answer was taken by the app (once).
    expect(await page.evaluate('window.__parleyBoot === undefined')).toBe(true);
    const w = WORDS[lang];
    await page.click(tid('nav-settings'));
    await page.getByRole('heading', { name: w.settings, exact: true }).waitFor();
    await page.click(tid('nav-diagnostics'));
    await page.getByRole('heading', { name: w.diagnostics, exact: true }).waitFor();
    await page.click(tid('nav-network'));
    await page.getByRole('heading', { name: w.network, exact: true }).waitFor();
  });
});
