/**
 * Updates in the window (issue 22), against a loopback feed that publishes what electron-builder publishes: a feed
 * typed in Settings → Updates is saved only after main's own dialog says yes; Check shows what is new and how big;
 * Download shows its progress and ends verified, never installed by itself; a captive portal is a failed check with
 * words that say so; every request is a row of the Network panel (kind Update); Test feeds shows every feed's route,
 * reach, manifest and offer in the window's language and the feed updates would come from. Browser target
 * (e2e/web-host.ts), where nothing can be installed: the window says so.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { resetFeed, startFeed, stopFeed, type Feed } from '../test/helpers/update-feed.ts';
import { launchChromium } from './targets.ts';
import { startWebHost, type WebHost } from './web-host.ts';
import { freePort } from '../test/helpers/proc.ts';
import { tid, waitForLanguage } from './helpers.ts';

let feed: Feed;
let browser: Browser;
let host: WebHost;
let page: Page;
let dataDir: string;

beforeAll(async () => {
  feed = await startFeed();
  browser = await launchChromium();
  dataDir = mkdtempSync(join(tmpdir(), 'parley-e2e-updates-'));
  host = await startWebHost({ dataDir, logDir: join(dataDir, 'logs'), env: {}, versions: { name: 'Parley', version: '1.2.0', electron: '' }, updatePlatform: { os: 'linux', arch: 'x64' } });
  page = await browser.newPage();
  await page.goto(host.url);
  await page.waitForSelector(tid('welcome'));
}, 60_000);

afterAll(async () => {
  await page?.close();
  await host?.close();
  await browser?.close();
  await stopFeed(feed);
  rmSync(dataDir, { recursive: true, force: true });
});

async function openUpdates(): Promise<void> {
  await page.click(tid('nav-settings'));
  await page.locator(tid('updates-section')).scrollIntoViewIfNeeded();
}

describe('updates through the user\'s route', () => {
  it('a feed typed in the window needs main\'s own yes; then Check shows the new version, its size and notes; Download ends verified, not installed', async () => {
    await openUpdates();
    expect(await page.textContent(tid('update-status'))).toContain('1.2.0');
    await page.fill(tid('update-feeds'), feed.url);
    await page.click(tid('update-save'));
    const refused = page.locator(tid('update-action-error'));
    await refused.waitFor();
    expect(await refused.getAttribute('data-code')).toBe('cancelled');
    expect(host.updateFeedsAsked.at(-1)).toEqual([feed.url]);
    expect(feed.requests).toEqual([]);

    host.answerUpdateFeeds(true);
    await page.click(tid('update-save'));
    await page.locator(tid('update-saved')).waitFor();
    resetFeed(feed);
    await page.click(tid('update-check'));
    const offer = page.locator(tid('update-offer'));
    await offer.waitFor({ timeout: 20_000 });
    expect(await offer.getAttribute('data-version')).toBe('1.3.0');
    expect(await offer.textContent()).toContain('3.0 MB');
    expect(await page.textContent(tid('update-notes'))).toBe('Faster search; sync through WebDAV.');

    await page.click(tid('update-download'));
    await page.locator(tid('update-ready')).waitFor({ timeout: 30_000 });
    expect(await page.textContent(tid('update-ready'))).toMatch(/cannot install it itself/);
    expect(await page.locator(tid('update-install')).isDisabled()).toBe(true);
    expect(feed.requests.map((r) => r.url)).toEqual(['/releases/latest-linux.yml', '/releases/Parley-1.3.0-linux-x86_64.AppImage']);

    // Each request is a row of the Network panel, kind Update.
    await page.click(tid('nav-network'));
    await expect.poll(() => page.locator(`${tid('network-row')}[data-kind="update"]`).count(), { timeout: 10_000 }).toBe(2);
  });

  it('a captive portal answering the feed: the check fails with words that say what answered; nothing is offered', async () => {
    resetFeed(feed, { portal: true });
    await openUpdates();
    await page.click(tid('update-check'));
    const error = page.locator(tid('update-error'));
    await error.waitFor({ timeout: 20_000 });
    expect(await error.getAttribute('data-code')).toBe('update_feed_invalid');
    expect(await error.textContent()).toMatch(/captive portal/);
    expect(await page.getAttribute(tid('update-feed-tried'), 'data-ok')).toBe('false');
  });

  it('Test feeds: a closed port fails at reaching it, in words; the working feed offers 1.3.0 and is the one updates would come from; its requests are Network rows; in Chinese too', async () => {
    resetFeed(feed);
    const closed = `http://127.0.0.1:${await freePort()}/releases/`;
    await openUpdates();
    await page.fill(tid('update-feeds'), `${closed}\n${feed.url}`);
    await page.click(tid('update-save'));
    await page.locator(tid('update-saved')).waitFor();
    await page.click(tid('nav-network'));
    const updateRows = page.locator(`${tid('network-row')}[data-kind="update"]`);
    await updateRows.first().waitFor();
    const rowsBefore = await updateRows.count();

    // The earlier checks' kept-alive connection closed: this test connects afresh, so its reach has facts to show.
    feed.server.closeIdleConnections();
    await openUpdates();
    await page.click(tid('update-test'));
    const report = page.locator(tid('update-test-report'));
    await report.waitFor({ timeout: 30_000 });
    expect(await report.getAttribute('data-ok')).toBe('true');
    const feeds = report.locator(tid('update-test-feed'));
    expect(await feeds.evaluateAll((els) => els.map((e) => [e.getAttribute('data-feed'), e.getAttribute('data-ok')]))).toEqual([[closed, 'false'], [feed.url, 'true']]);
    const status = (i: number) => feeds.nth(i).locator(tid('update-test-step')).evaluateAll((els) => els.map((e) => `${e.getAttribute('data-step')}:${e.getAttribute('data-status')}`));
    expect(await status(0)).toEqual(['route:pass', 'reach:fail', 'manifest:skip', 'offer:skip']);
    expect(await status(1)).toEqual(['route:pass', 'reach:pass', 'manifest:pass', 'offer:pass']);

    const step = (i: number, id: string) => feeds.nth(i).locator(`${tid('update-test-step')}[data-step="${id}"]`);
    expect(await step(0, 'route').textContent()).toContain('Requests go direct (loopback).');
    const refused = step(0, 'reach').locator(tid('update-test-step-error'));
    expect(await refused.getAttribute('data-code')).toBe('connect_refused');
    expect(await refused.textContent()).toContain('The connection was refused');
    expect(await step(0, 'manifest').textContent()).toContain('Not checked: Reaching the feed failed.');
    expect(await step(1, 'reach').textContent()).toContain(`connected to 127.0.0.1:${feed.port}`);
    expect(await step(1, 'manifest').textContent()).toContain(`${feed.url}latest-linux.yml is an update manifest`);
    expect(await step(1, 'offer').textContent()).toContain('It offers 1.3.0 (3.0 MB); this is 1.2.0.');
    expect(await page.textContent(tid('update-test-chosen'))).toBe(`Updates would come from ${feed.url}`);
    // The closed port was tried (and refused), then the working feed's manifest was read: nothing downloaded.
    expect(feed.requests.map((r) => r.url)).toEqual(['/releases/latest-linux.yml']);

    // Each request of the test is a row of the Network panel, kind Update: the refused one failed.
    await page.click(tid('nav-network'));
    await expect.poll(() => updateRows.count(), { timeout: 10_000 }).toBe(rowsBefore + 2);
    const hosts = await updateRows.evaluateAll((els) => els.map((e) => `${e.getAttribute('data-state')} ${e.querySelector('.net-host')?.textContent ?? ''}`));
    expect(hosts).toContain(`failed ${new URL(closed).host}`);

    // In Chinese: the same report worded from its facts, the refusal by its code.
    await page.click(tid('nav-settings'));
    await page.selectOption(tid('settings-language'), 'zh');
    await page.click(tid('settings-save'));
    await waitForLanguage(page, 'zh');
    feed.server.closeIdleConnections();
    await openUpdates();
    await page.click(tid('update-test'));
    await report.waitFor({ timeout: 30_000 });
    await expect.poll(() => page.textContent(tid('update-test-chosen'))).toBe(`更新将来自 ${feed.url}`);
    expect(await step(0, 'route').textContent()).toContain('请求走直连（本机地址）。');
    expect(await step(0, 'reach').locator(tid('update-test-step-error')).textContent()).toContain('连接被拒绝');
    expect(await step(0, 'offer').textContent()).toContain('未检查：连接更新源失败。');
    expect(await step(1, 'reach').textContent()).toContain(`已连接 127.0.0.1:${feed.port}`);
    expect(await step(1, 'offer').textContent()).toContain('提供 1.3.0（3.0 MB）；当前是 1.2.0。');
  });
});
