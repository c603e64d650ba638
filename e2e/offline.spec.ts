/**
 * Offline end to end (issue 10; browser target here and in CI, Electron where a binary exists): the provider's
 * route is a real squid set as the proxy in settings (the upstream's name resolves only there). The proxy is
 * stopped and a send fails: the banner says Parley can't reach the provider through that proxy, the composer
 * keeps working and offers "Send when back online"; the user queues a question (shown as waiting, removable),
 * nothing is sent meanwhile; squid comes back on the same port: the banner goes and the queued question is
 * sent and answered without a restart.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostsLookup } from '../test/helpers/core.ts';
import { startSquid, type SquidServer } from '../test/helpers/servers.ts';
import { startUpstream, type Upstream } from '../test/helpers/upstream.ts';
import { launchApp, type AppTarget } from './targets.ts';
import { desktopEnv, lastAnswer, lastQuestion, tid } from './helpers.ts';

const KEY = 'sk-offlineE2eKey0123456789abcdefghijkl';
const HOST = 'llm.internal.test';

let up: Upstream;
let squid: SquidServer | undefined;
let squidPort = 0;
const dirs: string[] = [];

beforeAll(async () => {
  up = await startUpstream();
  squid = await startSquid({ hosts: { [HOST]: '127.0.0.1' } });
  squidPort = squid.port;
});
afterAll(async () => {
  await Promise.all([up?.stop(), squid?.stop()]);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});


describe('offline: the proxy stops answering and comes back', () => {
  let app: AppTarget;
  beforeAll(async () => {
    const home = mkdtempSync(join(tmpdir(), 'parley-e2e-offline-'));
    dirs.push(home);
    const dataDir = join(home, 'data');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'settings.json'), JSON.stringify({
      version: 2,
      providers: [{ id: 'p1', name: 'Squid gateway', protocol: 'openai', baseUrl: `http://${HOST}:${up.port}/v1`, apiKey: KEY, models: ['test-model'], defaultModel: 'test-model' }],
      defaults: { providerId: 'p1', model: 'test-model' },
      network: { proxy: { mode: 'manual', url: `http://127.0.0.1:${squidPort}` }, retries: 0, timeouts: { connectMs: 3000 } },
    }), { mode: 0o600 });
    app = await launchApp({ dataDir, env: desktopEnv(home), lookup: hostsLookup() });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it('the banner at once, a question queued and shown as waiting, sent and answered when squid is back', async () => {
    const { page } = app;
    await page.click(tid('new-chat'));
    await page.waitForSelector(tid('composer'));
    await page.fill(tid('composer'), 'Hello while online');
    await page.press(tid('composer'), 'Enter');
    await expect.poll(() => lastAnswer(page).getAttribute('data-status'), { timeout: 20_000 }).toBe('complete');
    expect(await page.locator(tid('offline-banner')).count()).toBe(0);
    expect(await page.locator(tid('queue')).count()).toBe(0);

    // The proxy stops: the send fails at the connection level, and the banner says so.
    await squid?.stop();
    squid = undefined;
    await page.fill(tid('composer'), 'This one fails');
    await page.press(tid('composer'), 'Enter');
    await lastAnswer(page).locator(`${tid('error-card')}[data-code="proxy_unreachable"]`).waitFor({ timeout: 20_000 });
    const banner = page.locator(tid('offline-banner'));
    await banner.waitFor({ timeout: 5000 });
    expect(await banner.getAttribute('data-state')).toBe('unreachable');
    const said = (await banner.textContent()) ?? '';
    expect(said).toContain('Offline:');
    expect(said).toContain('Squid gateway');
    expect(said).toContain(`Parley can’t reach Squid gateway through http://127.0.0.1:${squidPort} (manual).`);
    expect(said).toContain('they are sent when it answers again');

    // The composer keeps working: "Send when back online" first, sending now still there.
    const requestsBefore = up.chatRequests.length;
    await page.fill(tid('composer'), 'Never mind this one');
    await page.click(tid('queue'));
    await page.locator(tid('queued-item')).first().waitFor();
    await page.locator(tid('queued-remove')).first().click();
    await expect.poll(() => page.locator(tid('queued-item')).count()).toBe(0);
    await page.fill(tid('composer'), 'Queued while the proxy is down');
    expect(await page.locator(tid('queue')).textContent()).toBe('Send when back online');
    expect(await page.locator(tid('send')).textContent()).toBe('Send now');
    await page.press(tid('composer'), 'Enter');
    await expect.poll(() => page.locator(tid('queued-text')).allTextContents()).toEqual(['Queued while the proxy is down']);
    expect(await page.inputValue(tid('composer'))).toBe('');
    await page.waitForTimeout(2000);
    expect(up.chatRequests.length).toBe(requestsBefore);
    expect(await page.locator(tid('queued-item')).count()).toBe(1);

    // squid comes back on the same port: the banner goes, the queued question is sent and answered.
    squid = await startSquid({ hosts: { [HOST]: '127.0.0.1' }, port: squidPort });
    await page.locator(tid('offline-banner')).waitFor({ state: 'detached', timeout: 45_000 });
    await expect.poll(() => page.locator(tid('queued-item')).count(), { timeout: 15_000 }).toBe(0);
    await expect.poll(async () => lastQuestion(page).locator(tid('message-text')).textContent(), { timeout: 15_000 }).toContain('Queued while the proxy is down');
    await expect.poll(() => lastAnswer(page).getAttribute('data-status'), { timeout: 20_000 }).toBe('complete');
    expect(await lastAnswer(page).locator(tid('message-text')).textContent()).toContain(up.defaultText);
    expect(up.chatRequests.at(-1)?.body?.messages).toEqual(expect.arrayContaining([{ role: 'user', content: 'Queued while the proxy is down' }]));
    expect(await page.locator(tid('queue')).count()).toBe(0);
  }, 150_000);
});
