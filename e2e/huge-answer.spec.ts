/**
 * A huge answer (issue 17): a single paragraph of 3.9 MB (under the 4 MB an answer may be) is written into the
 * window and opened again as at a launch, and the window never stops answering for long: every task the page
 * runs meanwhile is measured (the browser's long-task entries) and none may pass the guard below (a freeze guard,
 * not yet the 50 ms budget). Before, the window froze for 227 s while such an answer streamed and 9–32 s each time it opened.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUpstream, type Upstream } from '../test/helpers/upstream.ts';
import { launchApp, type AppTarget } from './targets.ts';
import { desktopEnv, lastAnswer, seedDataDir, tempDirs, tid, waitForLanguage } from './helpers.ts';

const KEY = 'sk-hugeAnswerE2eKey0123456789abcdefghijk';
/**
 * The longest task allowed while the answer streams and opens: a guard against the freeze, NOT issue 17's budget.
 * The budget is 50 ms and is not met yet: on this 2-core machine (shared, load 5–8) the longest tasks measured
 * 180–380 ms streaming and 130–260 ms opening (README, "The window under load"). What they are is printed with a
 * failure (the browser's long-animation-frame entries: which script, and frames with none, such as this browser
 * target's decoding of the 3.9 MB app:boot answer). 1 s holds the line far below the freeze it replaced (227 s
 * streaming, 9–32 s opening); PARLEY_E2E_LONG_TASK_MS=50 asks for the budget itself (it fails today).
 */
const GUARD_MS = Number(process.env.PARLEY_E2E_LONG_TASK_MS ?? 1000);
const END = 'and that is where the huge answer ends';

/** One paragraph of about 3.9 MB: sentences with inline markup, no blank line anywhere. */
function oneParagraph(): string {
  const parts: string[] = [];
  let n = 0;
  for (let i = 0; n < 3_900_000; i++) {
    const s = `Step ${i} sends the request through the **proxy** with \`keepAlive\` on, and the gateway answers in time.`;
    parts.push(s);
    n += s.length + 1;
  }
  return `${parts.join(' ')} ${END}`;
}

let up: Upstream;
const { tmp, removeTemp } = tempDirs('parley-e2e-huge-');

beforeAll(async () => {
  up = await startUpstream();
});
afterAll(async () => {
  await up?.stop();
  removeTemp();
});

/**
 * Before the app's scripts: every long task, every long animation frame with the scripts that ran in it (for the
 * failure message), and a wait for the last answer's last words painted.
 */
const PROBE = `(() => {
  window.__longtasks = [];
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longtasks.push(Math.round(e.duration)); }).observe({ type: 'longtask', buffered: true });
  window.__frames = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__frames.push({ ms: Math.round(e.duration), scripts: (e.scripts || []).map((x) => ({ ms: Math.round(x.duration), by: x.invoker, src: (x.sourceURL || '').split('/').pop() })) });
    }).observe({ type: 'long-animation-frame', buffered: true });
  } catch {}
  window.__endPainted = (text) => new Promise((resolve) => {
    const tick = () => {
      const all = document.querySelectorAll('[data-testid="message"][data-role="assistant"]');
      const blocks = all.length ? all[all.length - 1].querySelectorAll('.md-block') : [];
      const last = blocks[blocks.length - 1];
      if (last && (last.textContent || '').includes(text)) requestAnimationFrame(() => setTimeout(() => resolve(performance.now()), 0));
      else requestAnimationFrame(tick);
    };
    tick();
  });
})();`;

describe('a 3.9 MB one-paragraph answer', () => {
  let app: AppTarget;
  beforeAll(async () => {
    const home = tmp('home');
    const dataDir = seedDataDir(home, {
      version: 2,
      providers: [{ id: 'p1', name: 'Loopback', protocol: 'openai', baseUrl: `http://127.0.0.1:${up.port}/v1`, apiKey: KEY, models: ['test-model'], defaultModel: 'test-model' }],
      defaults: { providerId: 'p1', model: 'test-model' },
      network: { proxy: { mode: 'none' }, retries: 0, stream: 'on' },
      ui: { language: 'en' },
    });
    app = await launchApp({ dataDir, env: desktopEnv(home) });
    await app.page.context().addInitScript(PROBE);
    await app.page.reload();
    await waitForLanguage(app.page, 'en');
    await app.page.setViewportSize({ width: 1100, height: 860 });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it(`streams and opens again with no task over ${GUARD_MS} ms (a freeze guard; the budget is 50 ms)`, async () => {
    const { page } = app;
    const text = oneParagraph();
    await page.click(tid('new-chat'));
    await page.waitForSelector(tid('composer'));
    up.behave({ kind: 'ok', text, chunkSize: 4000, gapMs: 4 });
    await page.fill(tid('composer'), 'Write the whole runbook as one paragraph');
    await page.evaluate('window.__longtasks.length = 0; window.__frames.length = 0');
    await page.press(tid('composer'), 'Enter');
    await expect.poll(() => lastAnswer(page).getAttribute('data-status'), { timeout: 120_000, interval: 250 }).toBe('complete');
    await page.evaluate(`window.__endPainted(${JSON.stringify(END)})`);
    const streamed = await page.evaluate<number[]>('window.__longtasks.slice()');
    const streamFrames = await page.evaluate<unknown[]>('window.__frames.splice(0).filter((f) => f.ms > 50)');

    // Opened again, as at a launch: the latest conversation opens with the window.
    await page.reload();
    const paintedAt = await page.evaluate<number>(`window.__endPainted(${JSON.stringify(END)})`);
    await page.waitForTimeout(500);
    const reopened = await page.evaluate<number[]>('window.__longtasks.slice()');
    const reopenFrames = await page.evaluate<unknown[]>('window.__frames.filter((f) => f.ms > 50)');
    // What a user sees: the answer whole, its end on screen (the text of the last piece), and the page answers input.
    await expect(lastAnswer(page).getAttribute('data-status')).resolves.toBe('complete');
    await page.fill(tid('composer'), 'still typing');
    await expect(page.inputValue(tid('composer'))).resolves.toBe('still typing');

    expect(Math.max(0, ...streamed), `long tasks while streaming: ${streamed.join(', ')} ms; frames over 50 ms: ${JSON.stringify(streamFrames)}`).toBeLessThanOrEqual(GUARD_MS);
    expect(Math.max(0, ...reopened), `long tasks while opening: ${reopened.join(', ')} ms (end painted at ${Math.round(paintedAt)} ms); frames over 50 ms: ${JSON.stringify(reopenFrames)}`).toBeLessThanOrEqual(GUARD_MS);
  }, 180_000);
});
