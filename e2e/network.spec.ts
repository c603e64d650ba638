/**
 * The network panel end to end (browser target here and in CI; Electron where a binary exists): a chat through a
 * real squid that asks for a password (named by HTTP_PROXY, as a desktop environment may), retried after a 503
 * and fallen back after a gateway page to the stream request, shown step by step in the Network section: the
 * route and its rule, the proxy hop, the heads sent (the key and the proxy credentials only by their shape) and
 * received, the retry with its reason and delay, the fallback and the end; then exported as JSON with no secret
 * in it, and nothing secret on the page.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostsLookup } from '../test/helpers/core.ts';
import { startSquid, type SquidServer } from '../test/helpers/servers.ts';
import { startUpstream, type Upstream } from '../test/helpers/upstream.ts';
import { launchApp, type AppTarget } from './targets.ts';
import { keepDetected, lastAnswer, tid, tempDirs } from './helpers.ts';

const KEY = 'sk-networkE2eKey0123456789abcdefghijkl';
const HOST = 'llm.network.test';
const USER = 'parley';
const PW = 'netPanelPw9z';

let up: Upstream;
let squid: SquidServer;
const { tmp, removeTemp } = tempDirs('parley-network-e2e-');

beforeAll(async () => {
  [up, squid] = await Promise.all([startUpstream(), startSquid({ auth: { user: USER, password: PW }, hosts: { [HOST]: '127.0.0.1' } })]);
});
afterAll(async () => {
  await Promise.all([up?.stop(), squid?.stop()]);
  removeTemp();
});


/** `wanted` appear in `types` in this order (other entries may sit between them). */
function inOrder(types: string[], wanted: string[]): boolean {
  let i = 0;
  for (const t of types) if (t === wanted[i]) i++;
  return i === wanted.length;
}

describe('the network panel, through a real squid with a password', () => {
  let app: AppTarget;
  let home: string;
  beforeAll(async () => {
    home = tmp('home');
    app = await launchApp({
      dataDir: join(home, 'data'),
      env: {
        HOME: home,
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        SHELL: '/bin/sh',
        LANG: 'en_US.UTF-8',
        OPENAI_API_KEY: KEY,
        OPENAI_BASE_URL: `http://${HOST}:${up.port}/v1`,
        HTTP_PROXY: `http://${USER}:${PW}@127.0.0.1:${squid.port}`,
      },
      lookup: hostsLookup(),
    });
    app.page.on('dialog', (d) => void d.accept());
  });
  afterAll(async () => {
    await app?.close();
  });

  it('a retried chat that fell back, step by step in the panel, exported with no secret in it', async () => {
    const { page } = app;
    // First run: keep the provider the environment names (the doctor checks it), then chat.
    await keepDetected(page, 'openai');

    // The panel is open while the chat runs: its row appears and updates live.
    await page.click(tid('nav-network'));
    await page.waitForSelector(`${tid('network-row')}[data-kind="doctor"]`);
    await page.click(tid('new-chat'));
    up.behave(
      { kind: 'status', status: 503 },
      { kind: 'streamOnly', then: { kind: 'status', status: 502, body: '<html>502 Bad Gateway</html>', contentType: 'text/html' } },
      { kind: 'ok', text: 'Answer after the fallback' },
    );
    await page.fill(tid('composer'), 'Show me the network');
    await page.press(tid('composer'), 'Enter');
    const answer = lastAnswer(page);
    await expect.poll(() => answer.getAttribute('data-status'), { timeout: 30_000 }).toBe('complete');

    await page.click(tid('nav-network'));
    const row = page.locator(`${tid('network-row')}[data-kind="chat"]`).first();
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 10_000 }).toBe('done');
    expect(await row.locator(tid('network-row-status')).textContent()).toBe('200');
    expect(await row.locator(tid('network-row-retries')).textContent()).toBe('1 retry');
    expect(await row.locator(tid('network-row-fallback')).count()).toBe(1);
    expect(await row.textContent()).toContain(`${HOST}:${up.port}`);

    await row.locator(tid('network-open')).click();
    const detail = page.locator(tid('network-detail'));
    await detail.waitFor();
    const steps = detail.locator(tid('network-step'));
    const types = await steps.evaluateAll((els) => els.map((e) => e.getAttribute('data-type') ?? ''));
    // (The first attempt reuses the doctor's pooled connection to squid: no connect step before it.)
    expect(inOrder(types, ['start', 'route', 'request', 'response', 'status', 'retry', 'request', 'response', 'status', 'fallback', 'request', 'response', 'status', 'end', 'done'])).toBe(true);
    const text = async (type: string): Promise<string> => (await detail.locator(`${tid('network-step')}[data-type="${type}"] ${tid('network-step-text')}`).first().textContent()) ?? '';
    // The route names the proxy (no password) and the rule that chose it.
    expect(await text('route')).toMatch(new RegExp(`^Through the proxy http://${USER}:\\*\\*\\*@127\\.0\\.0\\.1:${squid.port} \\(rule: .*HTTP_PROXY.*\\)$`));
    expect(await text('retry')).toMatch(/^Attempt 1 failed \(server_error\); trying again in \d+ ms$/);
    expect(await text('fallback')).toBe('Streaming failed (bad_gateway): asking for the whole answer');
    const responses = await detail.locator(`${tid('network-step')}[data-type="response"] ${tid('network-step-text')}`).allTextContents();
    expect(responses.map((r) => r.split(' ')[1])).toEqual(['503', '502', '200']);
    // Each step has its time; the heads sent show the key and the proxy credentials by their shape only.
    expect(await detail.locator(tid('network-step-time')).first().textContent()).toMatch(/^\+\d+ ms$/);
    const sent = detail.locator(`${tid('network-step')}[data-type="request"]`).first();
    expect(await sent.locator(`${tid('network-header')}[data-name="authorization"] td`).nth(1).textContent()).toMatch(/^Bearer sk-…ijkl \(\d+ chars\)$/);
    expect(await sent.locator(`${tid('network-header')}[data-name="proxy-authorization"] td`).nth(1).textContent()).toMatch(/^Basic \[redacted \(\d+ chars\)\]$|^Basic .{0,3}….{0,4} \(\d+ chars\)$/);
    expect(await sent.locator(`${tid('network-header')}[data-name="host"] td`).nth(1).textContent()).toBe(`${HOST}:${up.port}`);

    // Exported as JSON through the save dialog: the same request, no secret in it.
    const out = join(home, 'request.json');
    await app.answerSaveDialog(out);
    await page.click(tid('network-export'));
    await page.waitForSelector(`${tid('network-action-status')}[data-state="saved"]`);
    expect(await page.locator(tid('network-saved-path')).textContent()).toBe(out);
    const file = readFileSync(out, 'utf8');
    const exported = JSON.parse(file) as { kind: string; retries: number; fellBack: boolean; timeline: { type: string }[] };
    expect(exported).toMatchObject({ kind: 'chat', retries: 1, fellBack: true, state: 'done', status: 200 });
    expect(exported.timeline.map((s) => s.type)).toEqual(types);
    const basic = Buffer.from(`${USER}:${PW}`).toString('base64');
    for (const content of [file, await page.content()]) {
      expect(content).not.toContain(KEY);
      expect(content).not.toContain(PW);
      expect(content).not.toContain(basic);
    }
    // It went through squid, with the credentials the panel never showed.
    await expect.poll(() => squid.accessLog()).toContain(HOST);
    expect(up.chatRequests.at(-1)?.headers.authorization).toBe(`Bearer ${KEY}`);

    // Copy puts the same JSON on the clipboard (or says it could not).
    await page.click(tid('network-copy'));
    await expect.poll(() => page.locator(tid('network-action-status')).getAttribute('data-state')).toMatch(/copied|failed/);
  });
});
