/**
 * Updates in the window (issue 22), against a loopback feed that publishes what electron-builder publishes: a feed
 * typed in Settings → Updates is saved only after main's own dialog says yes; Check shows what is new and how big;
 * Download shows its progress and ends verified, never installed by itself; a captive portal is a failed check with
 * words that say so; every request is a row of the Network panel (kind Update). Browser target (e2e/web-host.ts),
 * where nothing can be installed: the window says so.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { resetFeed, startFeed, stopFeed, type Feed } from '../test/helpers/update-feed.ts';
import { launchChromium } from './targets.ts';
import { startWebHost, type WebHost } from './web-host.ts';
import { tid } from './helpers.ts';

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
});
