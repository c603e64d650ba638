/**
 * How an answer ended, live from the loopback upstream (issue 18), in English and in Chinese (browser target;
 * Electron where a binary exists): the core's normalised ending reaches the window. An answer cut at the length
 * limit (finish_reason length) names the conversation's max tokens and Continue asks for the rest, joined into the
 * same message, the card gone once it ends normally; a filtered answer (DashScope's `sensitive`) names the
 * category; a refusal (OpenAI's delta.refusal) shows the model's words; a thinking answer is folded with how
 * long it thought and its reasoning is markdown when unfolded; so is a <think> block at the start of a model's text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startUpstream, type Upstream } from '../test/helpers/upstream.ts';
import { openChatStore } from '../src/main/services/storage/index.ts';
import { en } from '../src/renderer/src/locales/en.ts';
import { zh } from '../src/renderer/src/locales/zh.ts';
import { launchApp, type AppTarget } from './targets.ts';
import { desktopEnv, lastAnswer, seedDataDir, tid, tempDirs, waitForLanguage } from './helpers.ts';

const KEY = 'sk-endingsLive0123456789abcdefghijklm';
const REFUSAL = "I'm sorry, but I can't help with that.";

let up: Upstream;
const { tmp, removeTemp } = tempDirs('parley-e2e-endings-live-');

beforeAll(async () => {
  up = await startUpstream();
});
afterAll(async () => {
  await up?.stop();
  removeTemp();
});

const LANGS = [
  { lang: 'en' as const, ui: en, thought: /^Reasoned for \d+\.\d s$/ },
  { lang: 'zh' as const, ui: zh, thought: /^推理用时 \d+\.\d 秒$/ },
];

async function ask(page: Page, text: string): Promise<void> {
  await page.fill(tid('composer'), text);
  await page.press(tid('composer'), 'Enter');
  await expect.poll(async () => (await lastAnswer(page).getAttribute('data-status')) === 'complete' && (await page.locator(tid('stop')).count()) === 0, { timeout: 30_000 }).toBe(true);
}

describe.each(LANGS)('how an answer ended, live, window in $lang', (L) => {
  let app: AppTarget;
  beforeAll(async () => {
    const home = tmp(`home-${L.lang}`);
    const dataDir = seedDataDir(home, {
      version: 2,
      providers: [{ id: 'p1', name: 'Local test', protocol: 'openai', baseUrl: `${up.url}/v1`, apiKey: KEY, models: ['test-model'], defaultModel: 'test-model' }],
      defaults: { providerId: 'p1', model: 'test-model' },
      network: { proxy: { mode: 'none' }, retries: 0, stream: 'on' },
      ui: { language: L.lang },
    });
    // A conversation that asks for at most 50 tokens an answer.
    const store = openChatStore({ dataDir });
    try {
      store.createConversation({ title: 'Live', providerId: 'p1', model: 'test-model', params: { maxTokens: 50 } });
    } finally {
      await store.close();
    }
    app = await launchApp({ dataDir, env: desktopEnv(home) });
    await waitForLanguage(app.page, L.lang);
    await app.page.waitForSelector(tid('composer'));
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    up.clear();
  });

  it('cut at the limit: the card names the max tokens; Continue joins the rest and the card goes', async () => {
    const { page } = app;
    up.behave({ kind: 'ok', text: 'The beginning of a story that', finishReason: 'length' });
    await ask(page, 'Tell me a story');
    expect(up.chatRequests.at(-1)?.body?.max_tokens ?? up.chatRequests.at(-1)?.body?.max_completion_tokens).toBe(50);
    const card = lastAnswer(page).locator(tid('ending-card'));
    expect(await card.getAttribute('data-reason')).toBe('length');
    expect(await card.locator(tid('ending-body')).textContent()).toBe(L.ui.answer.cut.asked.replace('{{n}}', '50'));
    up.behave({ kind: 'ok', text: ' ends well.' });
    await card.locator(tid('ending-continue')).click();
    await expect.poll(async () => (await lastAnswer(page).locator(tid('message-text')).textContent())?.trim(), { timeout: 30_000 }).toBe('The beginning of a story that ends well.');
    await expect.poll(() => lastAnswer(page).getAttribute('data-status')).toBe('complete');
    expect(await lastAnswer(page).locator(tid('ending-card')).count()).toBe(0);
  });

  it('cut at the limit while still thinking: the card says the tokens went to thinking, no Continue', async () => {
    const { page } = app;
    up.behave({ kind: 'ok', reasoning: 'Thinking and thinking', text: '', finishReason: 'length' });
    await ask(page, 'Think hard');
    const card = lastAnswer(page).locator(tid('ending-card'));
    expect(await card.getAttribute('data-reason')).toBe('length');
    expect(await card.locator(tid('ending-body')).textContent()).toBe(L.ui.answer.cut.thinking.replace('{{n}}', '50'));
    expect(await card.locator(tid('ending-continue')).count()).toBe(0);
  });

  it('filtered: the card says so with the provider’s category; the text before it is kept', async () => {
    const { page } = app;
    up.behave({ kind: 'ok', text: 'Part of it', finishReason: 'sensitive' });
    await ask(page, 'Something sensitive');
    const card = lastAnswer(page).locator(tid('ending-card'));
    expect(await card.getAttribute('data-reason')).toBe('content_filter');
    expect(await card.locator(tid('ending-body')).textContent()).toBe(L.ui.answer.filtered.partial);
    expect(await card.locator(tid('ending-category')).textContent()).toBe(L.ui.answer.filtered.category.replace('{{category}}', 'sensitive'));
    expect((await lastAnswer(page).locator(tid('message-text')).textContent())?.trim()).toBe('Part of it');
  });

  it('refused: the refusal in the model’s words', async () => {
    const { page } = app;
    up.behave({ kind: 'ok', text: '', refusal: REFUSAL });
    await ask(page, 'Something it refuses');
    const card = lastAnswer(page).locator(tid('ending-card'));
    expect(await card.getAttribute('data-reason')).toBe('refusal');
    expect(await card.locator(tid('ending-refusal')).textContent()).toBe(REFUSAL);
  });

  it('a model that thinks in <think> tags inside its text: the thinking is folded reasoning, not answer text', async () => {
    const { page } = app;
    up.behave({ kind: 'ok', text: '<think>Pondering **this** first.</think>The tagged answer.', chunkSize: 3, gapMs: 20 });
    await ask(page, 'Think in tags');
    const r = lastAnswer(page).locator(tid('reasoning'));
    expect(await r.locator(tid('reasoning-summary')).textContent()).toMatch(L.thought);
    expect((await lastAnswer(page).locator(tid('message-text')).textContent())?.trim()).toBe('The tagged answer.');
    await r.locator(tid('reasoning-summary')).click();
    expect(await r.locator(`${tid('reasoning-text')} strong`).textContent()).toBe('this');
  });

  it('a thinking answer: folded with how long it thought; unfolded, its reasoning is markdown', async () => {
    const { page } = app;
    up.behave({ kind: 'ok', reasoning: 'First I **weigh** it, then I answer.', text: 'The answer.', chunkSize: 4, gapMs: 40 });
    await ask(page, 'Think first');
    const r = lastAnswer(page).locator(tid('reasoning'));
    expect(await r.locator(tid('reasoning-summary')).textContent()).toMatch(L.thought);
    expect(await r.getAttribute('open')).toBeNull();
    await r.locator(tid('reasoning-summary')).click();
    expect(await r.locator(`${tid('reasoning-text')} strong`).textContent()).toBe('weigh');
    expect((await lastAnswer(page).locator(tid('message-text')).textContent())?.trim()).toBe('The answer.');
  });
});
