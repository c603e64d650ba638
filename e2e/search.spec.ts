/**
 * Search as the user types (browser target here and in CI; Electron where a binary exists), in English and in
 * Chinese, over a seeded conversation:
 * - every keystroke searches at once: with the page's clock stopped (no timer fires), typed text still finds its
 *   hits (before, each query waited 150 ms on a timer);
 * - typing a query quickly shows the hits of the final query only, newest first, also for 1 and 2 characters;
 * - a short query that matches nothing says so in the window's language.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openChatStore } from '../src/main/services/storage/index.ts';
import { launchApp, type AppTarget } from './targets.ts';
import { desktopEnv, seedDataDir, tempDirs, tid, waitForLanguage } from './helpers.ts';

const { tmp, removeTemp } = tempDirs('parley-e2e-search-');
afterAll(() => removeTemp());

type Lang = 'en' | 'zh';

/** What the window says, per language (written here, not read from the locale files: a missing translation fails). */
const WORDS = {
  en: { results: (n: number) => `${n} result${n === 1 ? '' : 's'}`, nothing: 'Nothing found.' },
  zh: { results: (n: number) => `${n} 条结果`, nothing: '没有找到。' },
} as const;

/** Oldest first: "ab" is in three messages, "a" alone in two more; "网络" in two, "网" alone in one. */
const MESSAGES = ['ab first', 'a lone one', '网络 one', 'ab second', '网 by itself', 'a lone two', '网络 two', 'ab third'];

async function launch(lang: Lang): Promise<AppTarget> {
  const home = tmp(`home-${lang}`);
  const dataDir = seedDataDir(home, {
    version: 2,
    providers: [{ id: 'p1', name: 'Loopback', protocol: 'openai', baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'sk-searchE2eKey0123456789abcdefghijkl', models: ['m'], defaultModel: 'm' }],
    defaults: { providerId: 'p1', model: 'm' },
    network: { proxy: { mode: 'none' } },
    ui: { language: lang },
  });
  const store = openChatStore({ dataDir });
  const c = store.createConversation({ title: 'Notes' });
  for (const text of MESSAGES) store.addMessage({ conversationId: c.id, role: 'user', text });
  await store.close();
  const app = await launchApp({ dataDir: join(home, 'data'), env: desktopEnv(home) });
  await waitForLanguage(app.page, lang);
  await app.page.waitForSelector(tid('message'));
  return app;
}

/** The hits' texts (snippets without their marks), in the order shown. */
const hitTexts = (page: Page): Promise<string[]> => page.locator(`${tid('search-hit')} .hit-snippet`).allTextContents();

describe.each(['en', 'zh'] as const)('search as the user types (%s)', (lang) => {
  const w = WORDS[lang];
  let app: AppTarget;
  afterAll(async () => {
    await app?.close();
  });

  it('every keystroke finds its hits without waiting on a timer; typed quickly, only the final query is shown, newest first', async () => {
    app = await launch(lang);
    const { page } = app;
    // From here no timer of the page fires: only a search that runs on the keystroke itself can answer.
    await page.clock.install();
    await page.clock.pauseAt(Date.now() + 1000);
    await page.click(tid('search-box'));
    await page.keyboard.type('a');
    await expect.poll(() => hitTexts(page), { timeout: 10_000 }).toEqual(['ab third', 'a lone two', 'ab second', 'a lone one', 'ab first']);
    await page.fill(tid('search-box'), '');
    await page.keyboard.type('ab');
    await expect.poll(() => hitTexts(page), { timeout: 10_000 }).toEqual(['ab third', 'ab second', 'ab first']);
    expect(await page.locator(`${tid('search-results')} .muted.small`).first().textContent()).toBe(w.results(3));
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    await page.keyboard.type('网络');
    await expect.poll(() => hitTexts(page), { timeout: 10_000 }).toEqual(['网络 two', '网络 one']);
    // The marks are the query's.
    expect(await page.locator(`${tid('search-hit')} mark`).allTextContents()).toEqual(['网络', '网络']);
  });

  it('a short query that matches nothing says so', async () => {
    const { page } = app;
    await page.fill(tid('search-box'), '');
    await page.keyboard.type('qz');
    await expect.poll(() => page.locator(`${tid('search-results')} .muted.small`).first().textContent(), { timeout: 10_000 }).toBe(w.nothing);
    expect(await page.locator(tid('search-hit')).count()).toBe(0);
  });
});
