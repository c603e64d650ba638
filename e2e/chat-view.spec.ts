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
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startUpstream, type Upstream } from '../test/helpers/upstream.ts';
import { launchApp, type AppTarget } from './targets.ts';
import { desktopEnv, lastAnswer, seedDataDir, tempDirs, tid, waitForLanguage } from './helpers.ts';

const KEY = 'sk-chatViewE2eKey0123456789abcdefghijkl';

let up: Upstream;
let closedPort = 0;
const { tmp, removeTemp } = tempDirs('parley-e2e-chat-view-');

beforeAll(async () => {
  up = await startUpstream();
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
});
afterAll(async () => {
  await up?.stop();
  removeTemp();
});

type Lang = 'en' | 'zh';

/** What the window says, per language (written here, not read from the locale files: a missing translation fails). */
const WORDS = {
  en: {
    routeColumn: 'Route', direct: 'direct', directLoopback: 'direct (loopback)', routeStep: 'Direct (rule: loopback)', bannerRoute: 'through direct (loopback)',
    cardRoute: 'Route: direct (loopback)', connected: 'Connected to the host 127.0.0.1:', refusedStep: (port: number) => `connect_refused: Connection to 127.0.0.1:${port} was refused.`, failed: 'Failed', keyShape: (n: number) => `Bearer sk-…ijkl (${n} chars)`,
    jump: 'Jump to latest', untitled: 'New chat', shortcuts: 'Keyboard shortcuts', stopShortcut: 'Stop the answer', newline: 'New line', continue: 'Continue', retry: 'Retry', exportMd: 'Export as Markdown', exported: 'Saved to' },
  zh: {
    routeColumn: '路由', direct: '直连', directLoopback: '直连（本机地址）', routeStep: '直连（规则：本机地址）', bannerRoute: '通过 直连（本机地址） 连接',
    cardRoute: '路由：直连（本机地址）', connected: '已连接到主机 127.0.0.1:', refusedStep: () => 'connect_refused: 连接被拒绝', failed: '失败', keyShape: (n: number) => `Bearer sk-…ijkl（${n} 个字符）`,
    jump: '跳到最新', untitled: '新对话', shortcuts: '键盘快捷键', stopShortcut: '停止回答', newline: '换行', continue: '继续', retry: '重试', exportMd: '导出为 Markdown', exported: '已保存到' },
} as const;

async function launch(lang: Lang): Promise<AppTarget> {
  const home = tmp(`home-${lang}`);
  const dataDir = seedDataDir(home, {
    version: 2,
    providers: [
      { id: 'p1', name: 'Loopback', protocol: 'openai', baseUrl: `http://127.0.0.1:${up.port}/v1`, apiKey: KEY, models: ['test-model'], defaultModel: 'test-model' },
      // Nothing listens there: a chat to it fails to connect, and its route is down.
      { id: 'p2', name: 'Closed', protocol: 'openai', baseUrl: `http://127.0.0.1:${closedPort}/v1`, apiKey: KEY, models: ['test-model'], defaultModel: 'test-model' },
    ],
    defaults: { providerId: 'p1', model: 'test-model' },
    network: { proxy: { mode: 'none' }, retries: 0, stream: 'on' },
    ui: { language: lang },
  });
  const app = await launchApp({ dataDir, env: desktopEnv(home) });
  await waitForLanguage(app.page, lang);
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

  it('an untitled chat is called "New chat" in the window\'s language, in the header and the list', async () => {
    const { page } = app;
    await newChat(page);
    await expect(page.locator(tid('chat-title')).innerText()).resolves.toBe(w.untitled);
    await expect(page.locator(`${tid('conversation')} .conv-open[aria-current="page"]`).innerText()).resolves.toBe(w.untitled);
  });

  it('Esc stops an answer wherever the focus is in the chat', async () => {
    const { page } = app;
    await newChat(page);
    up.behave({ kind: 'stall', afterChunks: 2, text: 'A slow answer that will not finish by itself.' });
    await send(page, 'Answer slowly');
    await expect.poll(() => lastAnswer(page).getAttribute('data-status'), { timeout: 10_000 }).toBe('streaming');
    // The focus leaves the composer: on the conversation's title, then nowhere in particular.
    await page.click(tid('chat-title'));
    await page.keyboard.press('Escape');
    await waitStatus(page, 'stopped');
  });

  it('Continue and Retry on a stopped answer look like buttons before they are hovered', async () => {
    const { page } = app;
    await newChat(page);
    up.behave({ kind: 'stall', afterChunks: 2, text: 'Another slow answer that will not finish by itself.' });
    await send(page, 'Answer slowly again');
    await page.click(tid('stop'));
    await waitStatus(page, 'stopped');
    await page.mouse.move(1, 1);
    await page.focus(tid('composer'));
    for (const name of [w.continue, w.retry]) {
      const button = lastAnswer(page).getByRole('button', { name, exact: true });
      // The opacity the user sees: the button's own times every ancestor's.
      const opacity = await button.evaluate((el) => {
        let o = 1;
        for (let e: typeof el | null = el; e; e = e.parentElement) o *= Number(el.ownerDocument.defaultView?.getComputedStyle(e).opacity ?? 0);
        return o;
      });
      expect(opacity).toBe(1);
    }
  });

  it('Ctrl+/ and the header\'s "?" list the keyboard shortcuts; Esc closes the list', async () => {
    const { page } = app;
    await page.click(tid('chat-title'));
    await page.keyboard.press('Control+/');
    const dialog = page.getByRole('dialog', { name: w.shortcuts });
    await dialog.waitFor();
    const text = await dialog.innerText();
    expect(text).toContain(w.stopShortcut);
    expect(text).toContain(w.newline);
    expect(text).toContain('Esc');
    expect(text).toContain('Shift+Enter');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: w.shortcuts }).click();
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  it('a success notice does not push the chat down, and goes by itself', async () => {
    const { page } = app;
    await newChat(page);
    await send(page, 'Something to export');
    await waitStatus(page, 'complete');
    const before = await page.locator(tid('chat-title')).boundingBox();
    await app.answerSaveDialog(join(tmp('export'), `chat-${lang}.md`));
    await page.locator(tid('conversation')).first().locator('.conv-menu-button').click();
    await page.getByRole('menuitem', { name: w.exportMd }).click();
    const notice = page.locator(tid('notice'));
    await notice.waitFor();
    await expect(notice.innerText()).resolves.toContain(w.exported);
    const after = await page.locator(tid('chat-title')).boundingBox();
    expect(after?.y).toBe(before?.y);
    await notice.waitFor({ state: 'detached', timeout: 15_000 });
  });

  it('the offline banner sits above the conversation, not over it, and the end of the conversation stays in view', async () => {
    const { page } = app;
    await newChat(page);
    up.behave({ kind: 'ok', text: DIAGRAM_ANSWER.split('```')[0] ?? '', chunkSize: 400 });
    await send(page, 'A question before the network goes');
    await waitStatus(page, 'complete');
    // The conversation goes on with the provider nothing answers for: its route is down.
    await page.selectOption(tid('model-picker'), { label: 'Closed · test-model' });
    await send(page, 'And one the route cannot carry');
    const banner = page.locator(tid('offline-banner'));
    await banner.waitFor({ timeout: 15_000 });
    const [b, list] = await Promise.all([banner.boundingBox(), page.locator(tid('message-list')).boundingBox()]);
    expect(b && list && b.y + b.height <= list.y + 0.5).toBe(true);
    // The route in the window's language, in the banner and on the card.
    await expect(page.locator(tid('offline-message')).innerText()).resolves.toContain(w.bannerRoute);
    await expect(lastAnswer(page).locator(tid('error-card-route')).innerText()).resolves.toBe(w.cardRoute);
    // The user was at the bottom: the error card is in view, not under the fold by the banner's height.
    await expect.poll(() => belowFold(page), { timeout: 5_000 }).toBeLessThan(8);
    await page.selectOption(tid('model-picker'), { label: 'Loopback · test-model' });
  });

  it('the network panel: a route column, a request\'s detail in view next to the list, its route and key shape in the window\'s language', async () => {
    const { page } = app;
    await page.setViewportSize({ width: 1400, height: 860 });
    // Enough requests for a long list.
    await newChat(page);
    for (let i = 0; i < 16; i++) {
      await send(page, `Question ${i}`);
      await waitStatus(page, 'complete');
    }
    await page.click(tid('nav-network'));
    const rows = page.locator(tid('network-row'));
    await expect.poll(() => rows.count()).toBeGreaterThan(14);
    await expect(page.locator(`${tid('network-list')} th`).allInnerTexts()).resolves.toContain(w.routeColumn);
    const chatRow = page.locator(`${tid('network-row')}[data-kind="chat"][data-state="done"]`).last();
    const route = chatRow.locator(tid('network-row-route'));
    await expect(route.innerText()).resolves.toBe(w.direct);
    await expect(route.locator('[title]').getAttribute('title')).resolves.toBe(w.directLoopback);
    // The oldest chat, at the bottom of the list: its detail opens in view, beside the list.
    await chatRow.locator(tid('network-open')).click();
    const detail = page.locator(tid('network-detail'));
    await detail.waitFor();
    const [d, list] = await Promise.all([detail.boundingBox(), page.locator('.net-list-card').boundingBox()]);
    expect(d && d.y >= 0 && d.y < 860 / 2).toBe(true);
    expect(d && list && d.x >= list.x + list.width).toBe(true);
    const routeStep = detail.locator(`${tid('network-step')}[data-type="route"] ${tid('network-step-text')}`);
    await expect(routeStep.innerText()).resolves.toBe(w.routeStep);
    const connected = detail.locator(`${tid('network-step')}[data-type="connect"] ${tid('network-step-text')}`);
    await expect(connected.innerText()).resolves.toBe(`${w.connected}${up.port}`);
    const auth = detail.locator(`${tid('network-header')}[data-name="authorization"] ${tid('network-header-value')}`);
    await expect(auth.innerText()).resolves.toBe(w.keyShape([...KEY].length));
    await page.keyboard.press('Escape');
    await detail.waitFor({ state: 'detached' });
  });

  it('the network panel filters by words, kind and state', async () => {
    const { page } = app;
    // One request that fails (nothing listens on the closed provider's port) among the ones that worked.
    await newChat(page);
    await page.selectOption(tid('model-picker'), { label: 'Closed · test-model' });
    // Sent now (the route may be known to be down already: Enter would keep it until it answers).
    await page.fill(tid('composer'), 'A question nothing answers');
    await page.click(tid('send'));
    await waitStatus(page, 'failed');
    await page.selectOption(tid('model-picker'), { label: 'Loopback · test-model' });
    await page.click(tid('nav-network'));
    const rows = page.locator(tid('network-row'));
    const total = await rows.count();
    await page.fill(tid('network-filter-text'), String(closedPort));
    await expect.poll(() => rows.count()).toBeGreaterThan(0);
    const hosts = await page.locator(`${tid('network-row')} .net-host`).allInnerTexts();
    expect(hosts.every((h) => h.endsWith(`:${closedPort}`))).toBe(true);
    // Its end in the window's language.
    await page.locator(`${tid('network-row')}[data-kind="chat"][data-state="failed"] ${tid('network-open')}`).first().click();
    const failedStep = page.locator(`${tid('network-detail')} ${tid('network-step')}[data-type="failed"] ${tid('network-step-text')}`);
    await expect(failedStep.innerText()).resolves.toBe(w.refusedStep(closedPort));
    await page.click(tid('network-close'));
    await page.fill(tid('network-filter-text'), '');
    await page.selectOption(tid('network-filter-state'), { label: w.failed });
    await expect.poll(() => rows.count()).toBeGreaterThan(0);
    expect(new Set(await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-state'))))).toEqual(new Set(['failed']));
    await page.selectOption(tid('network-filter-state'), { index: 0 });
    await page.selectOption(tid('network-filter-kind'), 'chat');
    await expect.poll(async () => new Set(await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-kind'))))).toEqual(new Set(['chat']));
    await page.selectOption(tid('network-filter-kind'), { index: 0 });
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(total);
  });

  it('640 px wide: the chat and the network panel fit, the detail over the list', async () => {
    const { page } = app;
    await page.setViewportSize({ width: 640, height: 720 });
    const noSideScroll = (): Promise<boolean> => page.evaluate('document.documentElement.scrollWidth <= window.innerWidth && [...document.querySelectorAll("main *")].every((e) => e.getBoundingClientRect().right <= window.innerWidth + 1 || e.closest(".net-list-scroll, .message-list, pre, .md-mermaid"))') as Promise<boolean>;
    // Network panel: the list fits; a request's detail lies over it, inside the window.
    await page.click(tid('nav-network'));
    await page.fill(tid('network-filter-text'), '');
    await page.selectOption(tid('network-filter-state'), { index: 0 });
    await page.selectOption(tid('network-filter-kind'), { index: 0 });
    await page.locator(tid('network-open')).first().click();
    const detail = page.locator(tid('network-detail'));
    await detail.waitFor();
    const d = await detail.boundingBox();
    expect(d && d.x >= 0 && d.x + d.width <= 640 + 1 && d.y >= 0 && d.y < 720).toBe(true);
    await page.click(tid('network-close'));
    await detail.waitFor({ state: 'detached' });
    expect(await noSideScroll()).toBe(true);
    // The chat: header, messages and composer inside the window.
    await page.locator(`${tid('conversation')} .conv-open`).first().click();
    await page.waitForSelector(tid('composer'));
    expect(await noSideScroll()).toBe(true);
    for (const id of ['send', 'model-picker', 'shortcuts-open', 'composer']) {
      const b = await page.locator(tid(id)).boundingBox();
      expect(b && b.x >= 0 && b.x + b.width <= 640 + 1, id).toBe(true);
    }
    await page.setViewportSize({ width: 1100, height: 860 });
  });
});
