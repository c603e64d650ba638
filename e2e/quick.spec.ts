/**
 * The quick window (issue 22), browser target: the app's page and the quick window's page (#quick) on the same app
 * services, as the shell opens them. A question asked in the quick window is answered in place (streamed from a
 * loopback provider) and kept as a conversation; "Open as conversation" asks main to show it, and the app's
 * window opens it; Esc tells main to hide the quick window. In en and zh.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startUpstream, type Upstream } from '../test/helpers/upstream.ts';
import { launchChromium } from './targets.ts';
import { startWebHost, type WebHost } from './web-host.ts';
import { seedDataDir, tid, waitForLanguage } from './helpers.ts';

const KEY = 'sk-quickWindowKey0123456789abcdefghij';
let up: Upstream;
let browser: Browser;
const dirs: string[] = [];

beforeAll(async () => {
  up = await startUpstream();
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await up?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe.each(['en', 'zh'] as const)('the quick window (%s)', (lang) => {
  let host: WebHost;
  let main: Page;
  let quick: Page;
  const shown: string[] = [];
  const hidden: string[] = [];
  beforeAll(async () => {
    const home = mkdtempSync(join(tmpdir(), `parley-e2e-quick-${lang}-`));
    dirs.push(home);
    const dataDir = seedDataDir(home, {
      version: 2,
      providers: [{ id: 'p1', name: 'Local', protocol: 'openai', baseUrl: `${up.url}/v1`, apiKey: KEY, models: ['m1'], defaultModel: 'm1' }],
      defaults: { providerId: 'p1', model: 'm1' },
      network: { proxy: { mode: 'none' }, retries: 0 },
      ui: { language: lang },
    });
    host = await startWebHost({ dataDir, logDir: join(dataDir, 'logs'), env: {}, showMainWindow: () => void shown.push('main'), hideQuickWindow: (id) => void hidden.push(id) });
    main = await browser.newPage();
    await main.goto(host.url);
    await waitForLanguage(main, lang);
    quick = await browser.newPage();
    await quick.goto(`${host.url}#quick`);
    await quick.waitForSelector(tid('quick-input'));
    await waitForLanguage(quick, lang);
  }, 60_000);
  afterAll(async () => {
    await quick?.close();
    await main?.close();
    await host?.close();
  });

  it('answers in place, keeps it as a conversation, and opens it in the app\'s window on a click', async () => {
    up.behave({ kind: 'ok', text: lang === 'zh' ? '可以，用 socks5h:// 即可。' : 'Yes: use socks5h:// for that.', chunkSize: 3, gapMs: 20 });
    const question = lang === 'zh' ? '代理能走 SOCKS 吗？' : 'Can the proxy be SOCKS?';
    await quick.fill(tid('quick-input'), question);
    await quick.press(tid('quick-input'), 'Enter');
    const answer = quick.locator(`${tid('quick-answer')} ${tid('message')}[data-role="assistant"]`);
    await expect.poll(() => answer.getAttribute('data-status'), { timeout: 20_000 }).toBe('complete');
    expect(await answer.locator(tid('message-text')).textContent()).toContain('socks5h://');
    expect(await quick.inputValue(tid('quick-input'))).toBe('');
    // Kept as a conversation: the app's window lists it.
    const conv = host.services.store.listConversations()[0];
    expect(conv).toBeDefined();

    await quick.click(tid('quick-open'));
    await expect.poll(() => shown.length).toBe(1);
    expect(hidden.length).toBe(1);
    await expect.poll(async () => (await main.locator(`${tid('message')}[data-role="user"] ${tid('message-text')}`).last().textContent()) ?? '', { timeout: 10_000 }).toBe(question);
    expect(await main.locator(`${tid('message')}[data-role="assistant"] ${tid('message-text')}`).last().textContent()).toContain('socks5h://');
  });

  it('Esc tells main to hide the quick window; nothing is opened', async () => {
    const before = shown.length;
    await quick.press(tid('quick-input'), 'Escape');
    await expect.poll(() => hidden.length).toBe(2);
    expect(shown.length).toBe(before);
  });
});
