/**
 * Cold start with a long history (issue 17): `npx node scripts/bench/ui-many-conversations.ts [--rounds N]`.
 * The same window opened on two data folders, alternated: three conversations (the baseline) and 2,003 (what an
 * imported ChatGPT history holds; the sidebar lists the newest 2,000), each with the same latest conversation of
 * 100 messages. Per open, in a fresh browser context against the web host serving the built renderer (out/renderer,
 * or BENCH_UI_RENDERER): navigation start → the last message painted, and how many conversations the sidebar
 * rendered.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openChatStore } from '../../src/main/services/storage/index.ts';
import { startWebHost } from '../../e2e/web-host.ts';
import { intFlag } from '../args.ts';
import { appEnv, launchChromium, waitForExpression, writeSettings } from '../ui-common.ts';

const ROUNDS = intFlag('--rounds', 3, process.argv.slice(2));
const rendererDir = process.env.BENCH_UI_RENDERER ?? join(import.meta.dirname, '..', '..', 'out', 'renderer');
const PROBE = `(() => {
  const check = () => {
    const all = document.querySelectorAll('[data-testid="message"]');
    const m = all[all.length - 1];
    if (m && m.textContent.includes('END99')) return void requestAnimationFrame(() => { window.__painted = performance.now(); });
    requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})()`;

const dirs: string[] = [];
async function seed(others: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-many-'));
  dirs.push(dir);
  writeSettings(dir, [{ id: 'local', name: 'Local', baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'sk-benchManyConversations0123456789abcdefg', models: ['m'] }], { language: 'en', theme: 'light' });
  const store = openChatStore({ dataDir: dir });
  for (let k = 0; k < others; k++) {
    const c = store.createConversation({ title: `Conversation ${k} about the proxy`, providerId: 'local', model: 'm' });
    store.addMessage({ conversationId: c.id, role: 'user', text: `question ${k}`, status: 'complete' });
  }
  const c = store.createConversation({ title: 'Latest', providerId: 'local', model: 'm' });
  for (let i = 0; i < 100; i++) {
    store.addMessage({ conversationId: c.id, role: i % 2 ? 'assistant' : 'user', text: i % 2 ? `Answer ${i}\n\n${'The gateway keeps **keep-alive** on. '.repeat(20)}\n\nEND${i}` : `Question ${i}?`, status: 'complete' });
  }
  await store.close();
  return dir;
}

try {
  const sets = [
    { name: '3 conversations (baseline)', dir: await seed(2), ms: [] as number[], items: 0 },
    { name: '2,003 conversations', dir: await seed(2002), ms: [] as number[], items: 0 },
  ];
  const browser = await launchChromium();
  try {
    for (let r = 0; r < ROUNDS; r++) {
      for (const set of r % 2 ? [...sets].reverse() : sets) {
        const host = await startWebHost({ dataDir: set.dir, logDir: join(set.dir, 'logs'), env: appEnv(set.dir), rendererDir });
        const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
        try {
          const page = await ctx.newPage();
          await page.addInitScript(PROBE);
          await page.goto(host.url, { waitUntil: 'commit' });
          await waitForExpression(page, 'window.__painted !== undefined');
          const painted = await page.evaluate<number>('window.__painted');
          set.ms.push(painted);
          set.items = await page.evaluate<number>('document.querySelectorAll(\'[data-testid="conversation"]\').length');
        } finally {
          await ctx.close();
          await host.close();
        }
      }
    }
  } finally {
    await browser.close();
  }
  const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] as number;
  console.log('| data | cold open → last message painted, median [min–max] | sidebar items rendered |\n| --- | ---: | ---: |');
  for (const s of sets) console.log(`| ${s.name} | ${med(s.ms).toFixed(0)} ms [${Math.min(...s.ms).toFixed(0)}–${Math.max(...s.ms).toFixed(0)}] | ${s.items} |`);
} finally {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
