/**
 * The context meter and a trimmed history (issue 18), in English and in Chinese (browser target; Electron where
 * a binary exists). A conversation longer than its model's context (a 2K context set for the model): the
 * composer's meter warns before sending (an estimate, CJK counted by the character), grows with the draft; the
 * request leaves earlier messages out and the answer says how many, the same number the loopback upstream did not
 * receive; once the answer reports its input tokens, the meter counts from them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUpstream, type Upstream } from '../test/helpers/upstream.ts';
import { openChatStore } from '../src/main/services/storage/index.ts';
import { en } from '../src/renderer/src/locales/en.ts';
import { zh } from '../src/renderer/src/locales/zh.ts';
import { launchApp, type AppTarget } from './targets.ts';
import { desktopEnv, lastAnswer, seedDataDir, tid, tempDirs, waitForLanguage } from './helpers.ts';

const KEY = 'sk-contextE2e0123456789abcdefghijklmn';
const PAIRS = 10;

let up: Upstream;
const { tmp, removeTemp } = tempDirs('parley-e2e-context-');

beforeAll(async () => {
  up = await startUpstream();
});
afterAll(async () => {
  await up?.stop();
  removeTemp();
});

const LANGS = [
  // ~150 tokens a message: 600 Latin characters; 150 CJK characters.
  { lang: 'en' as const, ui: en, filler: (i: number) => `Turn ${i}: ${'word '.repeat(118)}`, draft: 'a'.repeat(400) },
  { lang: 'zh' as const, ui: zh, filler: (i: number) => `第${i}轮：${'汉字'.repeat(73)}`, draft: '中'.repeat(100) },
];

describe.each(LANGS)('the context meter and a trimmed history, window in $lang', (L) => {
  let app: AppTarget;
  beforeAll(async () => {
    const home = tmp(`home-${L.lang}`);
    const dataDir = seedDataDir(home, {
      version: 2,
      providers: [{ id: 'p1', name: 'Local test', protocol: 'openai', baseUrl: `${up.url}/v1`, apiKey: KEY, models: ['small-model'], defaultModel: 'small-model', contextTokens: { 'small-model': 2000 } }],
      defaults: { providerId: 'p1', model: 'small-model' },
      network: { proxy: { mode: 'none' }, retries: 0, stream: 'on' },
      ui: { language: L.lang },
    });
    const store = openChatStore({ dataDir });
    try {
      const c = store.createConversation({ title: 'Long', providerId: 'p1', model: 'small-model' });
      for (let i = 0; i < PAIRS; i++) {
        store.addMessage({ conversationId: c.id, role: 'user', text: L.filler(i), reasoning: '', status: 'complete' });
        store.addMessage({ conversationId: c.id, role: 'assistant', text: L.filler(i), reasoning: '', status: 'complete', providerId: 'p1', model: 'small-model' });
      }
    } finally {
      await store.close();
    }
    app = await launchApp({ dataDir, env: desktopEnv(home) });
    await waitForLanguage(app.page, L.lang);
    await app.page.waitForSelector(tid('context-meter'));
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    up.clear();
  });

  it('warns before sending, grows with the draft; the answer says how many messages were left out; then counts from the reported input', async () => {
    const { page } = app;
    const meter = page.locator(tid('context-meter'));
    expect(await meter.getAttribute('data-window')).toBe('2000');
    expect(await meter.getAttribute('data-source')).toBe('estimate');
    const before = Number(await meter.getAttribute('data-tokens'));
    // 20 messages of about 150 tokens (and a few for each message's role).
    expect(before).toBeGreaterThan(2800);
    expect(before).toBeLessThan(3500);
    expect(await meter.getAttribute('data-level')).toBe('over');
    // Main's own rule over the shown messages: the newest 9 fit 75 % of 2K; the answer whose question goes, goes too.
    const warning = page.locator(tid('context-warning'));
    expect(await warning.getAttribute('data-left-out')).toBe('12');
    expect(await warning.textContent()).toBe(L.ui.context.overCount_other.replace('{{size}}', '2K').replace('{{count}}', '12'));

    await page.fill(tid('composer'), L.draft);
    // 400 Latin characters or 100 CJK ones: about 100 tokens more either way.
    await expect.poll(async () => Number(await meter.getAttribute('data-tokens')) - before).toBeGreaterThanOrEqual(100);
    expect(Number(await meter.getAttribute('data-tokens')) - before).toBeLessThan(110);

    up.behave({ kind: 'ok', text: 'Short answer.', usage: { input: 1400, output: 5 } });
    await page.press(tid('composer'), 'Enter');
    await expect.poll(() => lastAnswer(page).getAttribute('data-status'), { timeout: 30_000 }).toBe('complete');
    const sent = (up.chatRequests.at(-1)?.body?.messages as unknown[] | undefined)?.length ?? 0;
    const all = PAIRS * 2 + 1;
    const line = lastAnswer(page).locator(tid('context-left-out'));
    const leftOut = Number(await line.getAttribute('data-count'));
    // As the meter said before sending.
    expect(leftOut).toBe(12);
    expect(sent + leftOut).toBe(all);
    expect(await line.textContent()).toBe(L.ui.context.leftOut_other.replace('{{count}}', String(leftOut)).replace('{{size}}', '2K'));
    // The reported input (1400) and what the answer wrote: the meter counts from them now.
    await expect.poll(() => meter.getAttribute('data-source')).toBe('measured');
    const measured = Number(await meter.getAttribute('data-tokens'));
    expect(measured).toBeGreaterThanOrEqual(1405);
    expect(measured).toBeLessThan(1420);
  });
});
