/**
 * Cold start, first launch against later launches (issue 17): `npx node scripts/bench/ui-relaunch.ts [--rounds N]`.
 *
 * The app's window loads its scripts from parley://, which has Electron's codeCache privilege: V8 keeps the compiled
 * scripts in the session's code cache, so a launch after the first does not compile the window's JavaScript again.
 * No Electron binary runs here, so this measures the browser target the same way: one Chromium profile (its disk
 * caches kept between launches, as an app's user data is) launched three times against the web host serving the
 * built renderer (out/renderer, or BENCH_UI_RENDERER) with its hashed assets cacheable (`cacheAssets`), the browser
 * closed and started again between launches. Per launch: navigation start → the last message of the latest
 * conversation painted (in the DOM, on screen, then the next frame). The first launch of each round (nothing cached)
 * is the baseline of the launches after it, in the same run. The data: 400 messages (200 markdown answers with a
 * list and a table); the window opens their last page as it does a 10,000-message conversation's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { openChatStore } from '../../src/main/services/storage/index.ts';
import { startWebHost } from '../../e2e/web-host.ts';
import { intFlag } from '../args.ts';
import { appEnv, CHROMIUM_ARGS, chromiumPath, waitForExpression, writeSettings } from '../ui-common.ts';

const ROUNDS = intFlag('--rounds', 3, process.argv.slice(2));
const LAUNCHES = 3;
const MESSAGES = 400;
const END = `END${MESSAGES - 1}`;
const rendererDir = process.env.BENCH_UI_RENDERER ?? join(import.meta.dirname, '..', '..', 'out', 'renderer');

/** Marks when the last message (holding END) is on screen, at the frame after (its paint). */
const PROBE = `(() => {
  const check = () => {
    const all = document.querySelectorAll('[data-testid="message"]');
    const m = all[all.length - 1];
    if (m && m.textContent.includes(${JSON.stringify(END)})) {
      const r = m.getBoundingClientRect();
      if (r.height > 0 && r.top < innerHeight) return void requestAnimationFrame(() => { window.__painted = performance.now(); });
    }
    requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})()`;

const cleanup: (() => void | Promise<void>)[] = [];
process.once('exit', () => {
  for (const c of cleanup) void c();
});

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-relaunch-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  writeSettings(dir, [{ id: 'local', name: 'Local', baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'sk-benchRelaunch0123456789abcdefghijklmnop', models: ['m'] }], { language: 'en', theme: 'light' });
  const store = openChatStore({ dataDir: dir });
  const c = store.createConversation({ title: 'Proxy rollout', providerId: 'local', model: 'm' });
  for (let i = 0; i < MESSAGES; i++) {
    const answer = `Step ${i}\n\n${'The gateway keeps **keep-alive** on and `timeout=30s` for each request. '.repeat(12)}\n\n- proxy set\n- CA imported\n\n| host | port |\n| --- | --- |\n| proxy.corp | 8080 |\n\nEND${i}`;
    store.addMessage({ conversationId: c.id, role: i % 2 ? 'assistant' : 'user', text: i % 2 ? answer : `Question ${i}: why does it stop?`, status: 'complete' });
  }
  await store.close();
  const host = await startWebHost({ dataDir: dir, logDir: join(dir, 'logs'), env: appEnv(dir), rendererDir, cacheAssets: true });
  cleanup.unshift(() => host.close());

  const byLaunch: number[][] = Array.from({ length: LAUNCHES }, () => []);
  for (let round = 0; round < ROUNDS; round++) {
    const profile = mkdtempSync(join(tmpdir(), 'parley-bench-relaunch-profile-'));
    const times: number[] = [];
    try {
      for (let launch = 0; launch < LAUNCHES; launch++) {
        const ctx = await chromium.launchPersistentContext(profile, { executablePath: chromiumPath(), args: CHROMIUM_ARGS, viewport: { width: 1280, height: 800 } });
        try {
          const page = ctx.pages()[0] ?? (await ctx.newPage());
          await page.addInitScript(PROBE);
          await page.goto(host.url, { waitUntil: 'commit' });
          await waitForExpression(page, 'window.__painted !== undefined');
          const painted = await page.evaluate<number>('window.__painted');
          times.push(painted);
          byLaunch[launch]!.push(painted);
          // The code cache is written after the scripts ran: give it a moment before the browser closes.
          await page.waitForTimeout(1500);
        } finally {
          await ctx.close();
        }
      }
    } finally {
      rmSync(profile, { recursive: true, force: true });
    }
    console.log(`round ${round + 1}: launches ${times.map((t) => t.toFixed(0)).join(' / ')} ms`);
  }
  const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] as number;
  const fmt = (xs: number[]): string => `${med(xs).toFixed(0)} ms [${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}]`;
  console.log('\n| launch | navigation → last message painted, median [min–max] |\n| --- | ---: |');
  byLaunch.forEach((xs, i) => console.log(`| ${i === 0 ? 'first (nothing cached: the baseline)' : `${i + 1}${i === 1 ? 'nd' : 'rd'} (the code cache of the launches before)`} | ${fmt(xs)} |`));
}

try {
  await main();
} finally {
  for (const c of cleanup.splice(0)) await c();
}
