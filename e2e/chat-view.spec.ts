/**
 * The chat view and the network panel as the user sees them (browser target here and in CI; Electron where a
 * binary exists), in English and in Chinese, against the project's upstream on loopback:
 * - content that grows after an answer ended (a mermaid diagram) is followed when the user was at the bottom,
 *   and offers "Jump to latest" when they had scrolled up;
 * - Esc stops an answer wherever the focus is in the chat; Ctrl+/ (and the header's "?") lists the shortcuts;
 * - Continue and Retry on a stopped answer look like the buttons they are;
 * - the offline banner sits above the conversation, not over it;
 * - the network panel: the detail in view next to the list, a route column, a filter, the timeline and the
 *   route in the window's language;
 * - an untitled chat is called "New chat" in the window's language;
 * - 640 px wide: the chat and the network panel fit.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startUpstream, type Upstream } from '../test/helpers/upstream.ts';
import { launchApp, type AppTarget } from './targets.ts';
import { desktopEnv, lastAnswer, tempDirs, tid } from './helpers.ts';

const KEY = 'sk-chatViewE2eKey0123456789abcdefghijkl';

let up: Upstream;
const { tmp, removeTemp } = tempDirs('parley-e2e-chat-view-');

beforeAll(async () => {
  up = await startUpstream();
});
afterAll(async () => {
  await up?.stop();
  removeTemp();
});

type Lang = 'en' | 'zh';

/** What the window says, per language (written here, not read from the locale files: a missing translation fails). */
const WORDS = {
  en: { jump: 'Jump to latest', untitled: 'New chat', shortcuts: 'Keyboard shortcuts', stopShortcut: 'Stop the answer' },
  zh: { jump: '跳到最新', untitled: '新对话', shortcuts: '键盘快捷键', stopShortcut: '停止回答' },
} as const;

async function launch(lang: Lang): Promise<AppTarget> {
  const home = tmp(`home-${lang}`);
  const dataDir = join(home, 'data');
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, 'settings.json'), JSON.stringify({
    version: 2,
    providers: [{ id: 'p1', name: 'Loopback', protocol: 'openai', baseUrl: `http://127.0.0.1:${up.port}/v1`, apiKey: KEY, models: ['test-model'], defaultModel: 'test-model' }],
    defaults: { providerId: 'p1', model: 'test-model' },
    network: { proxy: { mode: 'none' }, retries: 0, stream: 'on' },
    ui: { language: lang },
  }), { mode: 0o600 });
  const app = await launchApp({ dataDir, env: desktopEnv(home) });
  await app.page.waitForFunction(`document.documentElement.lang.startsWith('${lang}')`, undefined, { timeout: 20_000 });
  return app;
}

async function newChat(page: Page): Promise<void> {
  await page.click(tid('new-chat'));
  await page.waitForSelector(tid('composer'));
}

async function send(page: Page, text: string): Promise<void> {
  await page.fill(tid('composer'), text);
  await page.press(tid('composer'), 'Enter');
}

async function waitStatus(page: Page, status: string, timeout = 20_000): Promise<void> {
  await expect.poll(() => lastAnswer(page).getAttribute('data-status'), { timeout }).toBe(status);
}

/** Pixels between the bottom of the conversation's viewport and the end of its content. */
function belowFold(page: Page): Promise<number> {
  return page.locator(tid('message-list')).evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
}

/** A long answer that ends with a tall diagram (drawn only after the answer ended). */
const DIAGRAM_ANSWER = [
  ...Array.from({ length: 30 }, (_, i) => `Paragraph ${i + 1}: the answer goes on for a while so that the conversation scrolls.`),
  '```mermaid\ngraph TD\n' + Array.from({ length: 10 }, (_, i) => `  N${i}[Step ${i}] --> N${i + 1}[Step ${i + 1}]`).join('\n') + '\n```',
].join('\n\n');

describe.each(['en', 'zh'] as const)('the chat view (%s)', (lang) => {
  let app: AppTarget;
  const w = WORDS[lang];
  beforeAll(async () => {
    app = await launch(lang);
    await app.page.setViewportSize({ width: 1100, height: 860 });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it('a diagram drawn after the answer ended is followed when the user was at the bottom', async () => {
    const { page } = app;
    await newChat(page);
    up.behave({ kind: 'ok', text: DIAGRAM_ANSWER, chunkSize: 400 });
    await send(page, 'Draw the steps');
    await waitStatus(page, 'complete');
    await lastAnswer(page).locator('.md-mermaid svg').first().waitFor({ timeout: 30_000 });
    // The diagram is hundreds of pixels tall: the view ends at its bottom, not at the answer's text before it.
    await expect.poll(() => belowFold(page), { timeout: 5_000 }).toBeLessThan(8);
    await expect(page.locator(tid('jump-latest')).count()).resolves.toBe(0);
  });

  it('content that grows while the user has scrolled up offers "Jump to latest", which goes to the end', async () => {
    const { page } = app;
    await newChat(page);
    up.behave({ kind: 'ok', text: DIAGRAM_ANSWER, chunkSize: 400 });
    await send(page, 'Draw the steps again');
    await waitStatus(page, 'complete');
    await lastAnswer(page).locator('.md-mermaid svg').first().waitFor({ timeout: 30_000 });
    up.behave({ kind: 'ok', text: DIAGRAM_ANSWER.replace(/Step/g, 'Stage'), chunkSize: 40, gapMs: 60 });
    await send(page, 'And once more');
    await expect.poll(() => lastAnswer(page).getAttribute('data-status'), { timeout: 10_000 }).toBe('streaming');
    await page.locator(tid('message-list')).evaluate((el) => el.scrollTo({ top: 0 }));
    const jump = page.locator(tid('jump-latest'));
    await jump.waitFor({ timeout: 10_000 });
    await expect(jump.innerText()).resolves.toContain(w.jump);
    await waitStatus(page, 'complete');
    await jump.click();
    await expect.poll(() => belowFold(page), { timeout: 5_000 }).toBeLessThan(8);
  });
});
