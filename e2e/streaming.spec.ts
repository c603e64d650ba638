/**
 * An answer being written into a window that fell behind (issue 17), in English and in Chinese: the deltas
 * that queued up while the window was busy are drawn in one step at the next frame (not one render per event,
 * each of which would delay the next frame further), and the answer's text ends exact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUpstream, type Upstream } from '../test/helpers/upstream.ts';
import { launchApp, type AppTarget } from './targets.ts';
import { desktopEnv, lastAnswer, seedDataDir, tempDirs, tid, waitForLanguage } from './helpers.ts';

const KEY = 'sk-streamingE2eKey0123456789abcdefghijk';

let up: Upstream;
const { tmp, removeTemp } = tempDirs('parley-e2e-streaming-');

beforeAll(async () => {
  up = await startUpstream();
});
afterAll(async () => {
  await up?.stop();
  removeTemp();
});

/** Plain words (no markdown), so the text shown is the text sent: 600 deltas of 4 characters. */
const ANSWER = Array.from({ length: 600 }, (_, i) => `w${String(i % 1000).padStart(3, '0')}`).join('').replace(/(.{80})/g, '$1 ').trim();

/** How long the window is kept busy while the answer streams (main keeps sending about once a frame). */
const BUSY_MS = 400;

describe.each(['en', 'zh'] as const)('an answer written into a busy window (%s)', (lang) => {
  let app: AppTarget;
  beforeAll(async () => {
    const home = tmp(`home-${lang}`);
    const dataDir = seedDataDir(home, {
      version: 2,
      providers: [{ id: 'p1', name: 'Loopback', protocol: 'openai', baseUrl: `http://127.0.0.1:${up.port}/v1`, apiKey: KEY, models: ['test-model'], defaultModel: 'test-model' }],
      defaults: { providerId: 'p1', model: 'test-model' },
      network: { proxy: { mode: 'none' }, retries: 0, stream: 'on' },
      ui: { language: lang },
    });
    app = await launchApp({ dataDir, env: desktopEnv(home) });
    await waitForLanguage(app.page, lang);
    await app.page.setViewportSize({ width: 1100, height: 860 });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it('the deltas that queued while the window was busy are drawn in one step per frame, and the text ends exact', async () => {
    const { page } = app;
    await page.click(tid('new-chat'));
    await page.waitForSelector(tid('composer'));
    up.behave({ kind: 'ok', text: ANSWER, chunkSize: 4, gapMs: 4 });
    await page.fill(tid('composer'), 'Write the words');
    await page.press(tid('composer'), 'Enter');
    await expect.poll(() => lastAnswer(page).getAttribute('data-status'), { timeout: 10_000 }).toBe('streaming');
    await expect.poll(async () => (await lastAnswer(page).locator(tid('message-text')).innerText()).length, { timeout: 10_000 }).toBeGreaterThan(0);
    // Updates of the answer's DOM, counted per animation frame (each render of the answer is one such update).
    // (Page code as strings: this file is type-checked without the DOM's types.)
    await page.evaluate(`(() => {
      const r = { frame: 0, on: false, counts: [] };
      window.__renders = r;
      const loop = () => { r.frame++; requestAnimationFrame(loop); };
      requestAnimationFrame(loop);
      const answers = document.querySelectorAll('[data-testid="message"][data-role="assistant"]');
      new MutationObserver(() => {
        if (r.on) r.counts[r.frame] = (r.counts[r.frame] ?? 0) + 1;
      }).observe(answers[answers.length - 1], { subtree: true, childList: true, characterData: true });
    })()`);
    // The window is busy: main's events queue up meanwhile; then 300 ms to catch up.
    const updates = await page.evaluate<number[]>(`(() => {
      const r = window.__renders;
      r.on = true;
      const end = performance.now() + ${BUSY_MS};
      while (performance.now() < end) { /* busy */ }
      return new Promise((resolve) => setTimeout(() => {
        r.on = false;
        resolve(r.counts.filter((c) => c !== undefined));
      }, 300));
    })()`);
    // Dozens of events arrived while busy; they are drawn in one update (a frame's commit), not one each.
    expect(updates.length).toBeGreaterThan(0);
    expect(Math.max(...updates)).toBeLessThanOrEqual(2);
    await expect.poll(() => lastAnswer(page).getAttribute('data-status'), { timeout: 20_000 }).toBe('complete');
    await expect(lastAnswer(page).locator(tid('message-text')).innerText()).resolves.toBe(ANSWER);
  });
});
