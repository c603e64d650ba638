/**
 * The doctor says what happened (issue 9), end to end in the app (browser target; Electron where a binary
 * exists): the connection step is "Connection" on a direct route and "Proxy" only through a proxy (a real
 * squid); Cancel is neutral ("Stopped"); the verdict is in view after a run; the last report is there again
 * after a restart; the doctor speaks Chinese when the window does; a remembered broken-stream route can be
 * forgotten from Diagnostics.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startUpstream, type Upstream } from '../test/helpers/upstream.ts';
import { startSquid, type SquidServer } from '../test/helpers/servers.ts';
import { launchApp, type AppTarget } from './targets.ts';
import { desktopEnv, lastAnswer, tid, tempDirs } from './helpers.ts';

const KEY = 'sk-doctorE2e0123456789abcdefghijklmnopq';

let up: Upstream;
let squid: SquidServer;
const { tmp, removeTemp } = tempDirs('parley-e2e-doctor-');

beforeAll(async () => {
  [up, squid] = await Promise.all([startUpstream(), startSquid()]);
}, 60_000);
afterAll(async () => {
  await Promise.all([up?.stop(), squid?.stop()]);
  removeTemp();
});


async function addProvider(page: Page): Promise<void> {
  await page.click(tid('welcome-add'));
  await page.selectOption(tid('provider-add-preset'), 'custom');
  await page.click(tid('provider-add'));
  await page.fill(tid('provider-name'), 'Local test');
  await page.selectOption(tid('settings-protocol'), 'openai');
  await page.fill(tid('settings-baseUrl'), `${up.url}/v1`);
  await page.fill(tid('settings-apiKey'), KEY);
  await page.fill(tid('settings-model'), 'test-model');
  await page.click(tid('provider-model-add'));
  await page.click(tid('provider-save'));
  await page.waitForSelector(tid('provider-item'));
}

/** Sets the global proxy: none, or the test squid (loopback is not bypassed, so the route really goes through it). */
async function setProxy(page: Page, proxy: 'none' | 'squid'): Promise<void> {
  await page.click(tid('nav-settings'));
  await page.selectOption(tid('settings-proxyMode'), proxy === 'none' ? 'none' : 'manual');
  if (proxy === 'squid') {
    await page.fill(tid('settings-proxyUrl'), squid.url);
    await page.fill(tid('settings-bypass'), '<-loopback>');
  }
  await page.click(tid('settings-save'));
  await page.waitForSelector(`${tid('settings-status')}[data-state="saved"]`);
}

async function startDoctor(page: Page): Promise<void> {
  await page.click(tid('nav-diagnostics'));
  await page.click(tid('doctor-run'));
}
async function runDoctor(page: Page): Promise<string> {
  await startDoctor(page);
  await page.waitForSelector(`${tid('doctor-run')}:not([disabled])`, { timeout: 60_000 });
  const verdict = await page.waitForSelector(`${tid('doctor-verdict')}[data-verdict]`, { timeout: 60_000 });
  return (await verdict.getAttribute('data-verdict')) ?? '';
}

/** Whether the element is wholly inside the viewport. */
function inView(page: Page, selector: string): Promise<boolean> {
  return page.locator(selector).evaluate((el) => {
    const r = el.getBoundingClientRect();
    return r.top >= 0 && r.bottom <= (globalThis as unknown as { innerHeight: number }).innerHeight && r.height > 0;
  });
}

/** The chat requests whose messages include `text` (a title request is another one). */
const asked = (text: string) => up.chatRequests.filter((r) => JSON.stringify(r.body?.messages ?? '').includes(text) && !/title/i.test(JSON.stringify(r.body?.messages ?? '')));

async function sendChat(page: Page, text: string): Promise<void> {
  await page.click(tid('new-chat'));
  await page.waitForSelector(tid('composer'));
  await page.fill(tid('composer'), text);
  await page.press(tid('composer'), 'Enter');
  await expect.poll(() => lastAnswer(page).getAttribute('data-status'), { timeout: 20_000 }).toBe('complete');
}

describe('the doctor says what happened', () => {
  let app: AppTarget;
  let dataDir: string;
  const env = (): Record<string, string> => desktopEnv(dataDir);
  beforeAll(async () => {
    dataDir = tmp('app');
    app = await launchApp({ dataDir, env: env() });
    await app.page.setViewportSize({ width: 1100, height: 640 });
    await app.page.waitForSelector(tid('welcome'));
    await addProvider(app.page);
    await setProxy(app.page, 'none');
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it('direct: the connection step is labelled "Connection" (no "Proxy" step); through squid it is "Proxy"', async () => {
    const { page } = app;
    expect(await runDoctor(page)).toBe('ok');
    expect(await page.textContent(`${tid('doctor-step-connect')} .step-name`)).toMatch(/^Connection/);
    expect(await page.getAttribute(tid('doctor-step-connect'), 'data-status')).toBe('pass');
    expect(await page.locator(tid('doctor-step-proxy')).count()).toBe(0);
    expect(await page.textContent(tid('doctor-steps'))).not.toMatch(/Proxy/);

    // The user chose this proxy: main's dialog naming the provider and the proxy is answered yes.
    await app.answerSecretUse(true);
    await setProxy(page, 'squid');
    expect(await app.secretUseAsked()).toEqual([`Local test → http://127.0.0.1:${squid.port}`]);
    expect(await runDoctor(page)).toBe('ok');
    expect(await page.textContent(`${tid('doctor-step-proxy')} .step-name`)).toMatch(/^Proxy/);
    expect(await page.textContent(tid('doctor-step-route'))).toContain(`proxy http://127.0.0.1:${squid.port}`);
    expect(await page.locator(tid('doctor-step-connect')).count()).toBe(0);
    await setProxy(page, 'none');
  });

  it('after a run the verdict is in view, above the steps', async () => {
    const { page } = app;
    expect(await runDoctor(page)).toBe('ok');
    expect(await inView(page, tid('doctor-verdict'))).toBe(true);
    const [verdictTop, stepsTop] = await Promise.all([tid('doctor-verdict'), tid('doctor-steps')].map((s) => page.locator(s).evaluate((el) => el.getBoundingClientRect().top)));
    expect(verdictTop).toBeLessThan(stepsTop as number);
  });

  it('Cancel is neutral: "Stopped", no failed step, no "Chat will not work"', async () => {
    const { page } = app;
    up.behave({ kind: 'hang', match: 'models' });
    await startDoctor(page);
    await page.waitForSelector(`${tid('doctor-step-connect')}[data-status="pass"]`, { timeout: 20_000 });
    await page.click(tid('doctor-cancel'));
    const verdict = await page.waitForSelector(`${tid('doctor-verdict')}[data-verdict="cancelled"]`, { timeout: 20_000 });
    expect(await verdict.getAttribute('data-kind')).toBe('stopped');
    expect(await verdict.textContent()).toContain('Stopped');
    expect(await verdict.textContent()).not.toContain('Chat will not work');
    expect(await page.textContent(tid('doctor-status'))).toBe('Stopped.');
    expect(await page.locator(`${tid('doctor-steps')} [data-status="fail"]`).count()).toBe(0);
    expect(await page.getAttribute(tid('doctor-step-models'), 'data-status')).toBe('skip');
    expect(await page.textContent(tid('doctor-step-models'))).toContain('Stopped.');
    up.clear();
  });

  it('a broken-stream route Parley remembered is forgotten with the button in Diagnostics: the next answer streams again', async () => {
    const { page } = app;
    up.clear();
    up.behave({ kind: 'streamOnly', then: { kind: 'status', status: 502, body: '<html><title>502 Bad Gateway</title></html>', contentType: 'text/html' } });
    await sendChat(page, 'first');
    await sendChat(page, 'second');
    // Remembered: the second answer was asked for whole at once.
    expect(asked('second').map((r) => r.stream)).toEqual([false]);
    await page.click(tid('nav-diagnostics'));
    await expect.poll(() => page.getAttribute(tid('forget-routes'), 'data-count')).toBe('1');
    expect(await page.textContent(tid('forget-routes'))).toBe('Forget broken-stream routes (1)');
    await page.click(tid('forget-routes'));
    await expect.poll(() => page.textContent(tid('forget-routes-status'))).toBe('1 route forgotten: the next answer streams again.');
    expect(await page.textContent(tid('forget-routes'))).toBe('Forget broken-stream routes (0)');
    await sendChat(page, 'third');
    expect(asked('third').map((r) => r.stream)).toEqual([true]);
  });

  it('the last report is shown again after a restart', async () => {
    expect(await runDoctor(app.page)).toBe('ok');
    await app.close();
    app = await launchApp({ dataDir, env: env() });
    const { page } = app;
    await page.click(tid('nav-diagnostics'));
    const verdict = await page.waitForSelector(`${tid('doctor-verdict')}[data-verdict="ok"]`);
    expect(await verdict.textContent()).toContain('Chat works.');
    expect(await page.textContent(tid('doctor-last-time'))).toMatch(/Last run/);
    expect(await page.getAttribute(tid('doctor-step-completion'), 'data-status')).toBe('pass');
  });

  it('in 中文 the doctor speaks Chinese: step names, details and hints, no English sentence', async () => {
    const { page } = app;
    await page.click(tid('nav-settings'));
    await page.selectOption(tid('settings-language'), 'zh');
    await page.click(tid('settings-save'));
    await expect.poll(() => page.getAttribute('html', 'lang')).toMatch(/^zh/);
    // Streaming breaks on this route: a warning, a finding and a hint to word too.
    const broken = { kind: 'streamOnly', then: { kind: 'status', status: 502, body: '<html><title>502 Bad Gateway</title></html>', contentType: 'text/html' } } as const;
    up.clear();
    up.behave(broken, broken);
    expect(await runDoctor(page)).toBe('stream_broken');
    const details = await page.locator(tid('doctor-step-detail')).allTextContents();
    const hints = await page.locator(tid('doctor-hint')).allTextContents();
    expect(details.length).toBeGreaterThanOrEqual(8);
    expect(hints.length).toBeGreaterThan(0);
    const englishSentence = /[A-Za-z]{2,}[ ,]+[A-Za-z]{2,}[ ,]+[A-Za-z]{2,}/;
    for (const text of [...details, ...hints]) {
      expect(text, text).toMatch(/[\u4e00-\u9fff]/);
      expect(text, text).not.toMatch(englishSentence);
    }
    expect(await page.textContent(`${tid('doctor-step-connect')} .step-name`)).toMatch(/^连接/);
    expect(await page.textContent(tid('doctor-step-route'))).toContain('直连（代理模式：无）');
    expect(hints.join('\n')).toContain('此路由上流式传输失败（bad_gateway）');
  });
});
