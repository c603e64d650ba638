/**
 * The chat end to end (browser target here and in CI; Electron where a binary exists), against the project's
 * upstream reached through a real squid: the upstream's name resolves only in squid, so every request that
 * works went through the proxy. First run with a provider found in the environment; adding a provider and
 * fetching its models; send, stream, stop, continue; regenerate and versions; edit and resend; an answer cut
 * mid-stream; a 401 as a card and the doctor run from it; search in Chinese and English; a reload mid-answer;
 * a restart keeping conversations and drafts; Enter during input-method composition; hostile markdown.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { hostsLookup } from '../test/helpers/core.ts';
import { startSquid, type SquidServer } from '../test/helpers/servers.ts';
import { startUpstream, type Upstream } from '../test/helpers/upstream.ts';
import { launchApp, type AppTarget } from './targets.ts';
import { keepDetected, lastAnswer, lastQuestion, tid, tempDirs } from './helpers.ts';

const KEY = 'sk-chatE2eKey0123456789abcdefghijklmnop';
const HOST = 'llm.internal.test';

let up: Upstream;
let squid: SquidServer;
let tracker: Server;
let trackerHits = 0;
const { tmp, removeTemp } = tempDirs('parley-chat-e2e-');

beforeAll(async () => {
  [up, squid] = await Promise.all([startUpstream(), startSquid({ hosts: { [HOST]: '127.0.0.1' } })]);
  // A server that a remote image or a leaked request would reach: it must see nothing.
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
  tracker = createServer((_req, res) => {
    trackerHits++;
    res.writeHead(200, { 'content-type': 'image/png' }).end(png);
  });
  await new Promise<void>((r) => tracker.listen(0, '127.0.0.1', r));
});
afterAll(async () => {
  await Promise.all([up?.stop(), squid?.stop(), new Promise((r) => tracker?.close(r))]);
  removeTemp();
});


async function waitStatus(page: Page, status: string, timeout = 20_000): Promise<void> {
  await expect.poll(() => lastAnswer(page).getAttribute('data-status'), { timeout }).toBe(status);
}

async function send(page: Page, text: string): Promise<void> {
  await page.fill(tid('composer'), text);
  await page.press(tid('composer'), 'Enter');
}

function appEnv(home: string): Record<string, string> {
  return {
    HOME: home,
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    SHELL: '/bin/sh',
    LANG: 'en_US.UTF-8',
    OPENAI_API_KEY: KEY,
    OPENAI_BASE_URL: `http://${HOST}:${up.port}/v1`,
    HTTP_PROXY: `http://127.0.0.1:${squid.port}`,
  };
}

describe('the chat, through a real squid', () => {
  let app: AppTarget;
  let home: string;
  beforeAll(async () => {
    home = tmp('home');
    app = await launchApp({ dataDir: join(home, 'data'), env: appEnv(home), lookup: hostsLookup() });
    app.page.on('dialog', (d) => void d.accept());
  });
  afterAll(async () => {
    await app?.close();
  });

  it('first run: the provider the environment names is offered, tested with the doctor and kept; the first answer streams through squid', async () => {
    const { page } = app;
    await keepDetected(page, 'openai', async (item) => {
      expect(await item.textContent()).toContain('${OPENAI_API_KEY}');
    });
    await send(page, 'Hello through the proxy');
    await waitStatus(page, 'complete');
    expect(await lastAnswer(page).locator(tid('message-text')).textContent()).toContain('Hello from upstream');
    // It went through squid (the name resolves nowhere else), and the key never reached the page.
    await expect.poll(() => squid.accessLog()).toContain(HOST);
    expect(await page.content()).not.toContain(KEY);
    expect(up.chatRequests.at(-1)?.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('adding a provider by hand and fetching its models', async () => {
    const { page } = app;
    await page.click(tid('nav-settings'));
    await page.selectOption(tid('provider-add-preset'), 'custom');
    await page.click(tid('provider-add'));
    await page.fill(tid('provider-name'), 'Internal gateway');
    await page.fill(tid('settings-baseUrl'), `http://${HOST}:${up.port}/v1`);
    await page.fill(tid('settings-apiKey'), 'sk-secondProviderKey0123456789abcd');
    await page.click(tid('provider-fetch-models'));
    await expect.poll(() => page.locator(tid('provider-model-shown')).count()).toBeGreaterThan(0);
    const models = await page.locator(tid('provider-model-shown')).evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value));
    expect(models).toEqual(expect.arrayContaining(up.models));
    await page.click(tid('provider-save'));
    await expect.poll(() => page.locator(tid('provider-item')).count()).toBe(2);
    expect(await page.content()).not.toContain('sk-secondProviderKey0123456789abcd');
    await page.click(tid('new-chat'));
  });

  it('send, stream, stop: the partial answer is kept; Continue joins the rest into the same answer', async () => {
    const { page } = app;
    up.behave({ kind: 'ok', text: 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda', chunkSize: 2, gapMs: 120 });
    await send(page, 'Greek letters please');
    await expect.poll(async () => (await lastAnswer(page).locator(tid('message-text')).textContent())?.length ?? 0, { timeout: 10_000 }).toBeGreaterThan(5);
    await page.getByRole('button', { name: 'Stop', exact: true }).first().click();
    await waitStatus(page, 'stopped');
    const partial = (await lastAnswer(page).locator(tid('message-text')).textContent()) ?? '';
    expect(partial.length).toBeGreaterThan(0);
    expect('alpha beta gamma delta epsilon zeta eta theta iota kappa lambda'.startsWith(partial.trim())).toBe(true);
    up.behave({ kind: 'ok', text: ' and so on.' });
    await lastAnswer(page).getByRole('button', { name: 'Continue' }).click();
    await waitStatus(page, 'complete');
    const joined = ((await lastAnswer(page).locator(tid('message-text')).textContent()) ?? '').replace(/\s+/g, ' ').trim();
    expect(joined).toBe(`${partial.trim()} and so on.`);
    expect(await page.locator(`${tid('message')}[data-role="assistant"]`).count()).toBe(1);
  });

  it('regenerate makes a second version; ‹ › switches between them', async () => {
    const { page } = app;
    up.behave({ kind: 'ok', text: 'A different answer' });
    await lastAnswer(page).getByRole('button', { name: 'Regenerate' }).click();
    // The new version first (until it exists, the last answer is the first version, already complete).
    await expect.poll(() => lastAnswer(page).locator(tid('version-label')).textContent(), { timeout: 20_000 }).toBe('2 / 2');
    await waitStatus(page, 'complete');
    expect(await lastAnswer(page).locator(tid('message-text')).textContent()).toContain('A different answer');
    await lastAnswer(page).getByRole('button', { name: 'Previous version' }).click();
    await expect.poll(() => lastAnswer(page).locator(tid('version-label')).textContent()).toBe('1 / 2');
    expect(await lastAnswer(page).locator(tid('message-text')).textContent()).toContain('and so on.');
  });

  it('edit and resend: a new branch with its own answer', async () => {
    const { page } = app;
    await lastQuestion(page).getByRole('button', { name: 'Edit' }).click();
    // The composer takes the question's text once React has applied the edit (after the click returns).
    await expect.poll(() => page.inputValue(tid('composer'))).toBe('Greek letters please');
    up.behave({ kind: 'ok', text: 'Latin letters: a b c' });
    await send(page, 'Latin letters please');
    await waitStatus(page, 'complete');
    expect(await lastQuestion(page).locator(tid('version-label')).textContent()).toBe('2 / 2');
    expect(await lastAnswer(page).locator(tid('message-text')).textContent()).toContain('Latin letters: a b c');
    expect(up.chatRequests.at(-1)?.body?.messages).toEqual([{ role: 'user', content: 'Latin letters please' }]);
  });

  it('an answer cut mid-stream is shown as interrupted, then continued into one answer', async () => {
    const { page } = app;
    up.behave({ kind: 'cut', afterChunks: 3, text: 'one two three four five six', chunkSize: 4 });
    await send(page, 'Count to six');
    await waitStatus(page, 'interrupted');
    const partial = ((await lastAnswer(page).locator(tid('message-text')).textContent()) ?? '').trim();
    expect(partial.length).toBeGreaterThan(0);
    expect(await lastAnswer(page).locator(tid('status-line')).textContent()).toContain('Interrupted');
    up.behave({ kind: 'ok', text: ' four five six' });
    await lastAnswer(page).getByRole('button', { name: 'Continue' }).click();
    await waitStatus(page, 'complete');
    expect(((await lastAnswer(page).locator(tid('message-text')).textContent()) ?? '').replace(/\s+/g, ' ').trim()).toBe(`${partial} four five six`);
  });

  it('a 401 is a card in the conversation with its hint and the provider’s words; the doctor runs from it', async () => {
    const { page } = app;
    const words = 'Incorrect API key provided: sk-chat***mnop.';
    up.behave({ kind: 'status', status: 401, body: { error: { message: words, type: 'invalid_request_error', code: 'invalid_api_key' } } }, { kind: 'status', status: 401, match: 'models', body: { error: { message: words, type: 'invalid_request_error' } } });
    await send(page, 'Will this fail?');
    const card = page.locator(`${tid('error-card')}[data-code="auth_rejected"]`);
    await card.waitFor();
    expect(await card.locator(tid('error-card-hint')).textContent()).toBeTruthy();
    expect(await card.textContent()).toContain('Incorrect API key provided');
    // The question stays.
    expect(await lastQuestion(page).locator(tid('message-text')).textContent()).toBe('Will this fail?');
    await card.locator(tid('error-card-doctor')).click();
    const verdict = await page.waitForSelector(`${tid('doctor-verdict')}[data-verdict]`, { timeout: 60_000 });
    expect(await verdict.getAttribute('data-verdict')).toBe('auth_rejected');
    up.clear();
  });

  it('search in Chinese and English, with short queries; opening a hit shows its message', async () => {
    const { page } = app;
    await page.click(tid('new-chat'));
    up.behave({ kind: 'ok', text: '好的，我们来看看代理服务器的设置。' });
    await send(page, '我们今天讨论网络代理的配置问题');
    await waitStatus(page, 'complete');
    for (const q of ['代理的配', '代理', '网', 'GREEK', 'latin letters']) {
      await page.fill(tid('search-box'), q);
      await expect.poll(() => page.locator(tid('search-hit')).count(), { timeout: 10_000 }).toBeGreaterThan(0);
      expect(await page.locator(`${tid('search-hit')} mark`).first().textContent()).toBeTruthy();
    }
    await page.fill(tid('search-box'), 'Greek letters please');
    // The previous query's hits stay listed until this one's arrive: wait for this query's, or the hit read
    // below and the one clicked could be two different messages.
    await page.locator(`${tid('search-results')}[data-query="Greek letters please"][data-running="false"]`).waitFor();
    // The conversation's title matches too; take a message hit.
    const hit = page.locator(`${tid('search-hit')}:not([data-message-id=""])`).first();
    await hit.waitFor();
    const id = await hit.getAttribute('data-message-id');
    await hit.click();
    await page.locator(`${tid('message')}[data-id="${id}"]`).waitFor();
    await page.fill(tid('search-box'), '');
  });

  it('Enter that confirms an input method’s composition does not send; a plain Enter does', async () => {
    const { page } = app;
    await page.click(tid('new-chat'));
    const box = page.getByRole('textbox', { name: 'Message' });
    await box.fill('你好');
    const before = up.chatRequests.length;
    // What Chromium sends while an IME composes: keydown Enter with isComposing (and keyCode 229).
    await page.evaluate(`(() => {
      const el = document.querySelector('[data-testid="composer"]');
      el.dispatchEvent(new CompositionEvent('compositionstart', { bubbles: true }));
      el.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', code: 'Enter', keyCode: 229, isComposing: true, bubbles: true, cancelable: true }));
      el.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', code: 'Enter', keyCode: 13, isComposing: true, bubbles: true, cancelable: true }));
      el.dispatchEvent(new CompositionEvent('compositionend', { data: '你好', bubbles: true }));
    })()`);
    await page.waitForTimeout(400);
    expect(up.chatRequests.length).toBe(before);
    expect(await box.inputValue()).toBe('你好');
    await box.press('Enter');
    await waitStatus(page, 'complete');
    expect(up.chatRequests.length).toBe(before + 1);
  });

  it('reloading the window mid-answer neither stops nor loses it: the new window catches up', async () => {
    const { page } = app;
    const text = 'slow and steady words that keep coming after the reload until the very end';
    up.behave({ kind: 'ok', text, chunkSize: 3, gapMs: 60 });
    await send(page, 'Keep going');
    await expect.poll(async () => (await lastAnswer(page).locator(tid('message-text')).textContent())?.length ?? 0, { timeout: 10_000 }).toBeGreaterThan(5);
    await page.reload();
    await waitStatus(page, 'complete', 30_000);
    expect((await lastAnswer(page).locator(tid('message-text')).textContent())?.trim()).toBe(text);
  });

  it('markdown with script tags, javascript: links, onerror images, iframes, SVG scripts and remote images does nothing and loads nothing; a link opens only through main', async () => {
    const { page } = app;
    const remote = `http://127.0.0.1:${(tracker.address() as AddressInfo).port}`;
    const hostile = [
      '# Hostile',
      '<script>window.__pwned = 1</script>',
      '<img src=x onerror="window.__pwned = 2">',
      '<iframe src="javascript:window.top.__pwned = 3"></iframe>',
      '<svg><script>window.__pwned = 4</script></svg>',
      '[click me](javascript:window.__pwned=5)',
      '<a href="javascript:window.__pwned=6">raw link</a>',
      `![tracking pixel](${remote}/pixel.png)`,
      `<img src="${remote}/raw.png">`,
      '[safe docs](https://docs.example.com/page?q=1)',
      '```html',
      '<script>window.__pwned = 7</script>',
      '```',
    ].join('\n\n');
    up.behave({ kind: 'ok', text: hostile, chunkSize: 40 });
    await page.click(tid('new-chat'));
    await send(page, 'Show me something');
    await waitStatus(page, 'complete');
    const body = lastAnswer(page).locator(tid('message-text'));
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(await body.locator('script, iframe, object, embed, svg script, [onerror], [onclick]').count()).toBe(0);
    expect(await body.locator('img[src^="http"]').count()).toBe(0);
    // The code block is highlighted (the theme's colours, built from the highlighter's tokens), its code still text.
    const highlighted = body.locator('pre.shiki');
    await highlighted.waitFor({ timeout: 15_000 });
    expect(await highlighted.textContent()).toContain('<script>window.__pwned = 7</script>');
    expect(await highlighted.locator('span[style*="--shiki-light:#"]').count()).toBeGreaterThan(2);
    expect(await body.locator('script').count()).toBe(0);
    // The javascript: links are text, not links.
    await body.getByText('click me').click();
    await body.getByText('raw link').click();
    await page.getByRole('link', { name: 'safe docs' }).click();
    await page.waitForTimeout(300);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(await app.openedLinks()).toEqual(['https://docs.example.com/page?q=1']);
    // The page never navigated away and the tracker saw nothing.
    expect(page.url()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(trackerHits).toBe(0);
    // Only when the user asks does main fetch an image, and only from a public address: one on this machine
    // (or the LAN) is refused without a connection, so main never reads an internal service for the window.
    await body.getByRole('button', { name: /Load image from 127\.0\.0\.1/ }).first().click();
    await body.getByRole('button', { name: /Could not load the image from 127\.0\.0\.1/ }).first().waitFor();
    expect(await body.locator('img[src^="data:"]').count()).toBe(0);
    expect(trackerHits).toBe(0);
  });

  it('every control has an accessible name (the names the issue lists among them), and Tab reaches the composer', async () => {
    const { page } = app;
    // A conversation with all kinds of messages on screen: answers, a failure card, versions.
    const cdp = await page.context().newCDPSession(page);
    const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as { nodes: { ignored?: boolean; role?: { value?: string }; name?: { value?: string } }[] };
    const controls = nodes.filter((n) => !n.ignored && ['button', 'textbox', 'searchbox', 'combobox', 'checkbox', 'link', 'menuitem'].includes(n.role?.value ?? ''));
    expect(controls.length).toBeGreaterThan(10);
    const unnamed = controls.filter((n) => !(n.name?.value ?? '').trim());
    expect(unnamed.map((n) => n.role?.value)).toEqual([]);
    const names = new Set(controls.map((n) => n.name?.value));
    for (const name of ['Message', 'Send', 'New chat', 'Copy', 'Regenerate', 'Edit', 'Search conversations']) expect(names).toContain(name);
    await cdp.detach();
    // From the search box, Tab moves on through the page and reaches the composer.
    await page.focus(tid('search-box'));
    let reached = false;
    for (let i = 0; i < 200 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(`document.activeElement?.getAttribute('data-testid') === 'composer'`) as boolean;
    }
    expect(reached).toBe(true);
  });

  it('light and dark follow the OS, and the setting wins over it', async () => {
    const { page } = app;
    const bg = (): Promise<unknown> => page.evaluate('getComputedStyle(document.body).backgroundColor');
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect.poll(() => page.getAttribute('html', 'data-theme')).toBe('dark');
    const dark = await bg();
    await page.emulateMedia({ colorScheme: 'light' });
    await expect.poll(() => page.getAttribute('html', 'data-theme')).toBe('light');
    expect(await bg()).not.toBe(dark);
    await page.click(tid('nav-settings'));
    await page.selectOption(tid('settings-theme'), 'dark');
    await page.click(tid('settings-save'));
    await expect.poll(() => page.getAttribute('html', 'data-theme')).toBe('dark');
    expect(await bg()).toBe(dark);
    await page.selectOption(tid('settings-theme'), 'system');
    await page.click(tid('settings-save'));
    await expect.poll(() => page.getAttribute('html', 'data-theme')).toBe('light');
    await page.click(tid('new-chat'));
  });

  it('a restart keeps conversations and drafts', async () => {
    const { page } = app;
    await page.click(tid('new-chat'));
    await page.fill(tid('composer'), 'an unsent draft 草稿');
    await page.waitForTimeout(900);
    const count = await page.locator(tid('conversation')).count();
    expect(count).toBeGreaterThan(2);
    await app.close();
    app = await launchApp({ dataDir: join(home, 'data'), env: appEnv(home), lookup: hostsLookup() });
    const p2 = app.page;
    await expect.poll(() => p2.locator(tid('conversation')).count(), { timeout: 10_000 }).toBe(count);
    await p2.locator(`${tid('conversation')} .conv-open`).first().click();
    await expect.poll(() => p2.inputValue(tid('composer'))).toBe('an unsent draft 草稿');
  });
});
