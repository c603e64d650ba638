/**
 * What the window shows of an answer's fate and of search (issue 15), in English and in Chinese (browser
 * target; Electron where a binary exists), against the project's loopback upstream: a kept answer retried
 * while the network is still down stays as a version beside the failed retry; an interrupted answer says what
 * happened in words and what to do; a rate limit that outlasts the retries says how often Parley tried and when
 * to try again; an answer delivered without streaming says so, also after a reload; a two-word search finds
 * the version that holds both words as one hit, opens that version and marks the words.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startUpstream, type Upstream } from '../test/helpers/upstream.ts';
import { en } from '../src/renderer/src/locales/en.ts';
import { zh } from '../src/renderer/src/locales/zh.ts';
import { launchApp, type AppTarget } from './targets.ts';
import { desktopEnv, lastAnswer, seedDataDir, tid, tempDirs, waitForLanguage } from './helpers.ts';

const KEY = 'sk-answersE2e0123456789abcdefghijklmn';

let up: Upstream;
const { tmp, removeTemp } = tempDirs('parley-e2e-answers-');

beforeAll(async () => {
  up = await startUpstream();
});
afterAll(async () => {
  await up?.stop();
  removeTemp();
});

/** What each language's run sends and expects (the window's own labels come from its locale). */
const LANGS = [
  {
    lang: 'en' as const,
    ui: en,
    question: 'Why are my streams cut?',
    kept: 'The **squid** proxy drops idle streams after a minute.',
    other: 'Something else entirely.',
    query: 'idle squid',
    words: ['idle', 'squid'],
    interrupted: 'Interrupted',
    continueWord: 'Continue',
    tried: 'Parley tried 3 times',
    wait: 'wait 1 s',
    delivered: 'Delivered without streaming',
    renamed: 'Renamed, not moved',
  },
  {
    lang: 'zh' as const,
    ui: zh,
    question: '为什么我的流会断开？',
    kept: '公司的**代理服务器**会断开空闲的流式连接。',
    other: '完全不同的回答。',
    query: '空闲 代理服务器',
    words: ['空闲', '代理服务器'],
    interrupted: '已中断',
    continueWord: '继续',
    tried: '共尝试了 3 次',
    wait: '等待 1 秒',
    delivered: '未经流式传输送达',
    renamed: '改了名字，位置不变',
  },
];

/** A data folder whose settings.json has one provider, the window in `lang`, two retries and streaming on auto. */
function dataDirFor(lang: 'en' | 'zh'): { home: string; dataDir: string } {
  const home = tmp(`home-${lang}`);
  const dataDir = seedDataDir(home, {
    version: 2,
    providers: [
      { id: 'p1', name: 'Local test', protocol: 'openai', baseUrl: `${up.url}/v1`, apiKey: KEY, models: ['test-model'], defaultModel: 'test-model' },
      { id: 'p2', name: 'Second', protocol: 'openai', baseUrl: `${up.url}/v1`, apiKey: KEY, models: ['second-model'], defaultModel: 'second-model' },
    ],
    defaults: { providerId: 'p1', model: 'test-model' },
    network: { proxy: { mode: 'none' }, retries: 2, stream: 'auto' },
    ui: { language: lang },
  });
  return { home, dataDir };
}

async function send(page: Page, text: string): Promise<void> {
  await page.click(tid('new-chat'));
  await page.waitForSelector(tid('composer'));
  await page.fill(tid('composer'), text);
  await page.press(tid('composer'), 'Enter');
}

async function waitStatus(page: Page, status: string, timeout = 30_000): Promise<void> {
  await expect.poll(() => lastAnswer(page).getAttribute('data-status'), { timeout }).toBe(status);
}

const textOf = async (page: Page, testid: string): Promise<string> => ((await lastAnswer(page).locator(tid(testid)).textContent()) ?? '').trim();

describe.each(LANGS)('answers and search, window in $lang', (L) => {
  let app: AppTarget;
  beforeAll(async () => {
    const { home, dataDir } = dataDirFor(L.lang);
    app = await launchApp({ dataDir, env: desktopEnv(home) });
    await waitForLanguage(app.page, L.lang);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    up.clear();
  });

  it('an answer cut mid-way says so in words with what to do; Retry while the network is still down keeps it as a version beside the failed retry', async () => {
    const { page } = app;
    up.behave({ kind: 'cut', afterChunks: 3, text: 'one two three four five six seven eight', chunkSize: 4 });
    await send(page, L.question);
    await waitStatus(page, 'interrupted');
    const kept = await textOf(page, 'message-text');
    expect(kept.length).toBeGreaterThan(0);
    const line = await textOf(page, 'status-line');
    expect(line).toContain(L.interrupted);
    expect(line).not.toMatch(/UND_ERR|ECONN|reported an error while answering/);
    expect(await textOf(page, 'status-hint')).toContain(L.continueWord);
    // The network is still down: every request is reset.
    up.behave(...Array.from({ length: 12 }, () => ({ kind: 'reset' as const })));
    await lastAnswer(page).getByRole('button', { name: L.ui.chat.retry, exact: true }).click();
    await waitStatus(page, 'failed');
    expect(await textOf(page, 'version-label')).toBe('2 / 2');
    await lastAnswer(page).getByRole('button', { name: L.ui.chat.previousVersion }).click();
    await expect.poll(() => textOf(page, 'version-label')).toBe('1 / 2');
    expect(await textOf(page, 'message-text')).toBe(kept);
    expect(await lastAnswer(page).getAttribute('data-status')).toBe('interrupted');
    up.clear();
  }, 60_000);

  it('a rate limit that outlasts the retries: the card says how often Parley tried and when to try again, not that it retries', async () => {
    const { page } = app;
    up.behave(...Array.from({ length: 3 }, () => ({ kind: 'status' as const, status: 429, headers: { 'retry-after': '1' } })));
    await send(page, `${L.question} (429)`);
    const card = lastAnswer(page).locator(`${tid('error-card')}[data-code="rate_limited"]`);
    await card.waitFor({ timeout: 30_000 });
    const facts = (await card.locator(tid('error-card-facts')).textContent()) ?? '';
    expect(facts).toContain(L.tried);
    expect(facts).toContain(L.wait);
    expect(facts).toMatch(/\d{1,2}:\d{2}:\d{2}/);
    const hint = (await card.locator(tid('error-card-hint')).textContent()) ?? '';
    expect(hint).not.toMatch(/retries automatically|自动重试/);
    if (L.lang === 'zh') expect(facts + hint).not.toMatch(/\b[A-Za-z]{3,}\s+[A-Za-z]{3,}\b/);
    up.clear();
  }, 60_000);

  it('a two-word search finds the version that holds both words as one hit, without markdown; opening it shows that version with the words marked', async () => {
    const { page } = app;
    up.behave({ kind: 'ok', text: L.kept });
    await send(page, `${L.question} (search)`);
    await waitStatus(page, 'complete');
    const keptId = await lastAnswer(page).getAttribute('data-id');
    up.behave({ kind: 'ok', text: L.other });
    await lastAnswer(page).getByRole('button', { name: L.ui.chat.regenerate }).click();
    await waitStatus(page, 'complete');
    expect(await textOf(page, 'version-label')).toBe('2 / 2');
    await page.fill(tid('search-box'), L.query);
    const hits = page.locator(`${tid('search-hit')}:not([data-message-id=""])`);
    await expect.poll(() => hits.count(), { timeout: 10_000 }).toBe(1);
    expect(await hits.first().getAttribute('data-message-id')).toBe(keptId);
    const snippet = (await hits.first().locator('.hit-snippet').textContent()) ?? '';
    expect(snippet).not.toContain('*');
    expect(await hits.first().locator('mark').count()).toBeGreaterThan(0);
    await hits.first().click();
    const shown = page.locator(`${tid('message')}[data-id="${keptId}"]`);
    await shown.waitFor();
    expect(await shown.locator(tid('version-label')).textContent()).toBe('1 / 2');
    const marked = async (): Promise<string[]> => page.evaluate(`(() => {
      const h = CSS.highlights.get('search-hit');
      if (!h) return [];
      return [...h].filter((r) => r.startContainer.parentElement.closest('[data-id="${keptId}"]')).map((r) => r.toString().toLowerCase()).sort();
    })()`);
    await expect.poll(marked, { timeout: 5000 }).toEqual([...L.words].sort());
    // Clearing the search clears the marks.
    await page.fill(tid('search-box'), '');
    await expect.poll(marked).toEqual([]);
  }, 60_000);

  it('an answer delivered by the stream → whole fallback says so with the reason, also after a reload', async () => {
    const { page } = app;
    up.behave({ kind: 'streamOnly', then: { kind: 'status', status: 502, body: '<html><title>502 Bad Gateway</title></html>', contentType: 'text/html' } });
    await send(page, `${L.question} (whole)`);
    await waitStatus(page, 'complete');
    const note = await textOf(page, 'delivered-whole');
    expect(note).toContain(L.delivered);
    await page.reload();
    await lastAnswer(page).waitFor({ timeout: 20_000 });
    await expect.poll(() => textOf(page, 'delivered-whole'), { timeout: 10_000 }).toBe(note);
    up.clear();
  }, 60_000);

  it('renaming a conversation leaves the list in its order: activity orders it, not a rename', async () => {
    const { page } = app;
    for (const n of [1, 2, 3]) {
      up.behave({ kind: 'ok', text: `answer ${n}` });
      await send(page, `${L.question} (${n})`);
      await waitStatus(page, 'complete');
    }
    const ids = (): Promise<(string | null)[]> => page.locator(tid('conversation')).evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
    const before = await ids();
    expect(before.length).toBeGreaterThan(2);
    const oldest = page.locator(tid('conversation')).last();
    const title = ((await oldest.locator('.conv-open').textContent()) ?? '').trim();
    await oldest.getByRole('button', { name: L.ui.sidebar.actions.replace('{{title}}', title) }).click();
    await page.getByRole('menuitem', { name: L.ui.sidebar.rename }).click();
    await page.fill(tid('rename-input'), L.renamed);
    await page.press(tid('rename-input'), 'Enter');
    await expect.poll(async () => (await page.locator(tid('conversation')).last().textContent()) ?? '').toContain(L.renamed);
    expect(await ids()).toEqual(before);
    await page.reload();
    await page.locator(tid('conversation')).first().waitFor({ timeout: 20_000 });
    expect(await ids()).toEqual(before);
  }, 60_000);

  it('a conversation whose provider was removed shows the default provider in its picker and answers from it', async () => {
    const { page } = app;
    await page.click(tid('new-chat'));
    await page.waitForSelector(tid('model-picker'));
    await page.selectOption(tid('model-picker'), 'p2\u0000second-model');
    await expect.poll(() => page.inputValue(tid('model-picker'))).toBe('p2\u0000second-model');
    // Removed as the settings' Remove button does it (the same call), then the window reads its settings again.
    expect(await page.evaluate("window.parley.providersDelete('p2').then((r) => r.ok)")).toBe(true);
    await page.reload();
    await page.waitForSelector(tid('model-picker'), { timeout: 20_000 });
    await expect.poll(() => page.inputValue(tid('model-picker'))).toBe('p1\u0000test-model');
    up.behave({ kind: 'ok', text: 'From the default provider' });
    await page.fill(tid('composer'), `${L.question} (p1)`);
    await page.press(tid('composer'), 'Enter');
    await waitStatus(page, 'complete');
    expect(await textOf(page, 'message-text')).toBe('From the default provider');
    expect(up.chatRequests.at(-1)?.body?.model).toBe('test-model');
  }, 60_000);
});
