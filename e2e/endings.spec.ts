/**
 * How an answer ended and what it cost (issue 18), in English and in Chinese (browser target; Electron where a
 * binary exists). Answers are seeded in storage as the core stores them (ending, usage with cache and reasoning
 * tokens, cost with its prices, reasoning and its duration): an answer cut at the length limit names the limit
 * and Continue asks the loopback upstream for the rest, joined into the same message with both parts' tokens
 * and cost; a filtered answer names the provider's category; a refusal shows the model's own words; an answer
 * that asked for tools says so; reasoning is folded with its duration and rendered as markdown when unfolded;
 * each answer shows its tokens and cost, the header the conversation's totals, and the Usage view the totals per
 * provider and per day.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startUpstream, type Upstream } from '../test/helpers/upstream.ts';
import { openChatStore } from '../src/main/services/storage/index.ts';
import { en } from '../src/renderer/src/locales/en.ts';
import { zh } from '../src/renderer/src/locales/zh.ts';
import { launchApp, type AppTarget } from './targets.ts';
import { desktopEnv, seedDataDir, tid, tempDirs, waitForLanguage } from './helpers.ts';

const KEY = 'sk-endingsE2e0123456789abcdefghijklmn';

let up: Upstream;
const { tmp, removeTemp } = tempDirs('parley-e2e-endings-');

beforeAll(async () => {
  up = await startUpstream();
});
afterAll(async () => {
  await up?.stop();
  removeTemp();
});

const LANGS = [
  { lang: 'en' as const, ui: en, cost: '$0.0123', cny: 'CN¥0.5', joinedCost: '$2.01', newCost: '$2.00', totalCost: '$4.01', thought: 'Reasoned for 12.3 s', tokensIn: '1,200 in', cached: '(1,000 cached)', reasoningOut: '(300 reasoning)' },
  { lang: 'zh' as const, ui: zh, cost: 'US$0.0123', cny: '¥0.5', joinedCost: 'US$2.01', newCost: 'US$2.00', totalCost: 'US$4.01', thought: '推理用时 12.3 秒', tokensIn: '输入 1,200', cached: '（缓存命中 1,000）', reasoningOut: '（思考 300）' },
];

const REFUSAL = "I'm sorry, I can't help with that.";
const CUT = 'The first part of a long answer that';

/** A data folder with one provider, its own price for test-model, and a conversation of seeded answers. */
async function seed(lang: 'en' | 'zh'): Promise<{ home: string; dataDir: string }> {
  const home = tmp(`home-${lang}`);
  const dataDir = seedDataDir(home, {
    version: 2,
    providers: [{ id: 'p1', name: 'Local test', protocol: 'openai', baseUrl: `${up.url}/v1`, apiKey: KEY, models: ['test-model'], defaultModel: 'test-model' }],
    defaults: { providerId: 'p1', model: 'test-model' },
    network: { proxy: { mode: 'none' }, retries: 0, stream: 'on' },
    ui: { language: lang },
    pricing: { currency: 'USD', overrides: [{ model: 'test-model', currency: 'USD', input: 1000, output: 2000 }] },
  });
  const store = openChatStore({ dataDir });
  try {
    const c = store.createConversation({ title: 'Endings', providerId: 'p1', model: 'test-model', params: { maxTokens: 256 } });
    const qa = (q: string, a: Parameters<typeof store.addMessage>[0] extends infer T ? Partial<T> : never): void => {
      store.addMessage({ conversationId: c.id, role: 'user', text: q, reasoning: '', status: 'complete' });
      store.addMessage({ conversationId: c.id, role: 'assistant', text: '', reasoning: '', status: 'complete', providerId: 'p1', model: 'test-model', ...a });
    };
    qa('Write a long answer', {
      text: CUT, reasoning: 'First **weigh** the options, then answer.', reasoningMs: 12_345,
      ending: { reason: 'length', raw: 'length' }, finishReason: 'length',
      usage: { inputTokens: 1200, cacheReadTokens: 1000, outputTokens: 256, reasoningTokens: 300, cost: { amount: 0.0123, currency: 'USD', source: 'table', prices: { currency: 'USD', input: 3, output: 15, cacheRead: 0.3 } } },
    });
    qa('Say something risky', { text: 'Here is the start', ending: { reason: 'content_filter', raw: 'sensitive', category: 'sensitive' }, usage: { inputTokens: 10, outputTokens: 5, cost: { amount: 0.5, currency: 'CNY', source: 'provider' } } });
    qa('Do something bad', { text: '', ending: { reason: 'refusal', raw: 'stop', refusal: REFUSAL } as never, usage: { inputTokens: 10, outputTokens: 8 } });
    qa('What is the weather?', { text: '', ending: { reason: 'tool_calls', raw: 'tool_calls', tools: ['get_weather'] } as never });
  } finally {
    await store.close();
  }
  return { home, dataDir };
}

const answers = (page: Page) => page.locator(`${tid('message')}[data-role="assistant"]`);

describe.each(LANGS)('how answers ended and what they cost, window in $lang', (L) => {
  let app: AppTarget;
  beforeAll(async () => {
    const { home, dataDir } = await seed(L.lang);
    app = await launchApp({ dataDir, env: desktopEnv(home) });
    await waitForLanguage(app.page, L.lang);
    await app.page.waitForSelector(tid('ending-card'));
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    up.clear();
  });

  it('a filtered answer names the category, a refusal shows its words, a tool call says so', async () => {
    const { page } = app;
    const filtered = answers(page).nth(1).locator(tid('ending-card'));
    expect(await filtered.getAttribute('data-reason')).toBe('content_filter');
    expect(await filtered.locator('strong').textContent()).toBe(L.ui.answer.filtered.title);
    expect(await filtered.locator(tid('ending-category')).textContent()).toBe(L.ui.answer.filtered.category.replace('{{category}}', 'sensitive'));
    const refused = answers(page).nth(2).locator(tid('ending-card'));
    expect(await refused.getAttribute('data-reason')).toBe('refusal');
    expect(await refused.locator('strong').textContent()).toBe(L.ui.answer.refused.title);
    expect(await refused.locator(tid('ending-refusal')).textContent()).toBe(REFUSAL);
    const tools = answers(page).nth(3).locator(tid('ending-card'));
    expect(await tools.getAttribute('data-reason')).toBe('tool_calls');
    expect(await tools.locator(tid('ending-body')).textContent()).toContain('get_weather');
    // A finished answer has no card; an answer that only refused has no Continue.
    expect(await refused.locator(tid('ending-continue')).count()).toBe(0);
  });

  it('reasoning is folded with its duration and rendered as markdown when unfolded', async () => {
    const { page } = app;
    const r = answers(page).first().locator(tid('reasoning'));
    expect(await r.locator(tid('reasoning-summary')).textContent()).toBe(L.thought);
    expect(await r.locator(tid('reasoning-text')).count()).toBe(0);
    // Unfolded (clicked again only if the list re-created the row while scrolling it into view).
    await expect.poll(async () => {
      if ((await r.getAttribute('open')) === null) await r.locator(tid('reasoning-summary')).click();
      return r.locator(`${tid('reasoning-text')} strong`).count();
    }).toBe(1);
    expect(await r.locator(`${tid('reasoning-text')} strong`).textContent()).toBe('weigh');
  });

  it('each answer shows its tokens and cost; the header sums the conversation; the Usage view per provider and day', async () => {
    const { page } = app;
    const usage = answers(page).first().locator(tid('message-usage'));
    const words = (await usage.textContent()) ?? '';
    expect(words).toContain(L.tokensIn);
    expect(words).toContain(L.cached);
    expect(words).toContain(L.reasoningOut);
    expect(await usage.locator(tid('message-cost')).textContent()).toBe(L.cost);
    expect(await usage.getAttribute('title')).toContain('$3');
    expect(await answers(page).nth(1).locator(tid('message-cost')).getAttribute('data-source')).toBe('provider');
    // Header: 1200+256 + 10+5 + 10+8 tokens; USD and CNY apart; one answer without a price.
    await expect.poll(() => page.locator(tid('conversation-tokens')).getAttribute('data-tokens')).toBe(String(1200 + 256 + 10 + 5 + 10 + 8));
    expect(await page.locator(tid('conversation-cost')).textContent()).toBe(`${L.cost} + ${L.cny}`);
    expect(await page.locator(tid('conversation-uncosted')).count()).toBe(1);

    await page.click(tid('nav-usage'));
    const provider = page.locator(`${tid('usage-provider')}[data-provider="p1"]`);
    await provider.waitFor();
    expect(await provider.locator('th').textContent()).toBe('Local test');
    expect(await provider.locator('[data-col="input"]').textContent()).toBe((1220).toLocaleString('en-US'));
    expect(await page.locator(tid('usage-day')).count()).toBe(1);
    // In a narrow window its tables scroll by themselves; the page does not widen.
    const size = page.viewportSize();
    await page.setViewportSize({ width: 640, height: 800 });
    expect(await page.evaluate(() => {
      const c = (globalThis as unknown as { document: { querySelector(s: string): { scrollWidth: number; clientWidth: number } | null } }).document.querySelector('.content');
      return !!c && c.scrollWidth > c.clientWidth + 1;
    })).toBe(false);
    if (size) await page.setViewportSize(size);
    await page.locator(`${tid('conversation')} .conv-open`).first().click();
    await page.waitForSelector(tid('ending-card'));
  });

  it('an answer cut at the limit names the limit; Continue asks for the rest and joins it, tokens and cost added', async () => {
    const { page } = app;
    const cut = answers(page).first();
    const card = cut.locator(tid('ending-card'));
    expect(await card.getAttribute('data-reason')).toBe('length');
    expect(await card.locator('strong').textContent()).toBe(L.ui.answer.cut.title);
    expect(await card.locator(tid('ending-body')).textContent()).toBe(L.ui.answer.cut.asked.replace('{{n}}', '256'));
    up.behave({ kind: 'ok', text: ' goes on to its end.', usage: { input: 1000, output: 500 } });
    await card.locator(tid('ending-continue')).click();
    await expect.poll(async () => (await cut.locator(tid('message-text')).textContent())?.trim(), { timeout: 30_000 }).toBe(`${CUT} goes on to its end.`);
    await expect.poll(() => cut.getAttribute('data-status')).toBe('complete');
    expect(await cut.locator(tid('ending-card')).count()).toBe(0);
    // $0.0123 before, then 1000 in at $1000/M and 500 out at $2000/M: $2.0123.
    await expect.poll(() => cut.locator(tid('message-cost')).textContent()).toBe(L.joinedCost);
  });

  it('a price changed in Settings costs the answers from then on; earlier answers keep the prices they were costed with', async () => {
    const { page } = app;
    await page.click(tid('nav-settings'));
    const row = page.locator(tid('price-row')).first();
    await row.waitFor();
    expect(await row.locator(tid('price-model')).inputValue()).toBe('test-model');
    await row.locator(tid('price-input')).fill('0');
    await row.locator(tid('price-output')).fill('4000');
    await page.click(tid('prices-save'));
    await expect.poll(() => page.locator(tid('prices-status')).textContent()).toBe(L.ui.prices.saved);
    // Not a number: refused in the form, nothing saved.
    await row.locator(tid('price-output')).fill('lots');
    await page.click(tid('prices-save'));
    await expect.poll(() => page.locator(tid('prices-status')).textContent()).toBe(L.ui.prices.invalid);
    await row.locator(tid('price-output')).fill('4000');

    await page.locator(`${tid('conversation')} .conv-open`).first().click();
    await page.waitForSelector(tid('ending-card'));
    up.behave({ kind: 'ok', text: 'Priced anew.', usage: { input: 1000, output: 500 } });
    await page.fill(tid('composer'), 'One more');
    await page.press(tid('composer'), 'Enter');
    // The new answer (the list follows only when at the bottom; the earlier tests scrolled up).
    if (await page.locator(tid('jump-latest')).count()) await page.click(tid('jump-latest'));
    const last = answers(page).filter({ hasText: 'Priced anew.' });
    await expect.poll(() => last.getAttribute('data-status'), { timeout: 30_000 }).toBe('complete');
    // 500 out at $4000/M: $2.00; the continued answer still at the prices it was costed with.
    await expect.poll(() => last.locator(tid('message-cost')).textContent()).toBe(L.newCost);
    // The conversation: $2.0123 (kept) + $2.00 (new) in USD, the provider's ¥0.5 apart.
    await expect.poll(() => page.locator(tid('conversation-cost')).textContent()).toBe(`${L.totalCost} + ${L.cny}`);
  });
});
