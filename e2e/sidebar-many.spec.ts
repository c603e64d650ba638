/**
 * A long history in the sidebar (issue 17; browser target here and in CI, Electron where a binary exists): 2,000
 * conversations (what an imported ChatGPT history holds) open without the window rendering them all: the list
 * shows the newest first, more as its end comes near, and every conversation stays reachable by scrolling, by the
 * "show more" button (keyboard) and by search. Before, the start rendered all 2,000 items (cold start 2.1-2.2 s
 * against 0.8-1.05 s with three, load 6), and each item's four subscriptions to the chat store ran on every frame
 * of a streamed answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openChatStore } from '../src/main/services/storage/index.ts';
import { launchApp, type AppTarget } from './targets.ts';
import { desktopEnv, seedDataDir, tempDirs, tid, waitForLanguage } from './helpers.ts';

const { tmp, removeTemp } = tempDirs('parley-e2e-sidebar-many-');
const COUNT = 2000;
let app: AppTarget;

beforeAll(async () => {
  const home = tmp('home');
  const dataDir = seedDataDir(home, {
    version: 2,
    providers: [{ id: 'p1', name: 'Loopback', protocol: 'openai', baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'sk-sidebarManyE2eKey0123456789abcdefg', models: ['m'], defaultModel: 'm' }],
    defaults: { providerId: 'p1', model: 'm' },
    network: { proxy: { mode: 'none' } },
    ui: { language: 'en' },
  });
  const store = openChatStore({ dataDir });
  // Oldest first: conversation 1999 is the newest, the one the window opens.
  for (let i = 0; i < COUNT; i++) {
    const c = store.createConversation({ title: `History ${String(i).padStart(4, '0')}` });
    store.addMessage({ conversationId: c.id, role: 'user', text: `question number ${i}` });
  }
  await store.close();
  app = await launchApp({ dataDir, env: desktopEnv(home) });
  await waitForLanguage(app.page, 'en');
}, 120_000);

afterAll(async () => {
  await app?.close();
  removeTemp();
});

const items = (): Promise<number> => app.page.locator(tid('conversation')).count();

describe('a sidebar of 2,000 conversations', () => {
  it('opens with the newest conversation and renders only the first hundred of the list', async () => {
    const { page } = app;
    await page.waitForSelector(`${tid('message')}:has-text("question number 1999")`);
    expect(await items()).toBe(100);
    await expect.poll(() => page.locator(tid('conversation')).first().textContent()).toContain('History 1999');
    expect(await page.locator(tid('conversations-more')).textContent()).toBe('Show 200 more (1900 not shown)');
  });

  it('renders more as the list is scrolled to its end, down to the oldest conversation, which opens', async () => {
    const { page } = app;
    for (let i = 0; i < 40 && (await items()) < COUNT; i++) {
      await page.locator('.conversations').evaluate((el) => {
        el.scrollTop = el.scrollHeight;
      });
      await page.waitForTimeout(150);
    }
    expect(await items()).toBe(COUNT);
    expect(await page.locator(tid('conversations-more')).count()).toBe(0);
    const oldest = page.locator(`${tid('conversation')}:has-text("History 0000") .conv-open`);
    await oldest.click();
    await page.waitForSelector(`${tid('message')}:has-text("question number 0")`);
  });

  it('"show more" works from the keyboard, and search finds a conversation not rendered in the list', async () => {
    const { page } = app;
    await page.reload();
    await waitForLanguage(page, 'en');
    await page.waitForSelector(tid('conversations-more'));
    expect(await items()).toBe(100);
    await page.locator(tid('conversations-more')).focus();
    await page.keyboard.press('Enter');
    await expect.poll(items).toBeGreaterThanOrEqual(300);
    // The oldest conversations are not rendered in the list now; search finds them, and a hit opens one.
    await page.fill(tid('search-box'), 'History 0123');
    await page.locator(`${tid('search-hit')}:has-text("History 0123")`).first().click();
    await page.waitForSelector(`${tid('message')}:has-text("question number 123")`);
    // Back from the search, the list goes on growing as its end comes near.
    await page.fill(tid('search-box'), '');
    await page.waitForSelector(tid('conversations-more'));
    const before = await items();
    await page.locator('.conversations').evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await expect.poll(items).toBeGreaterThan(before);
  });
});
