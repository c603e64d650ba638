/**
 * Chat storage benchmark: seeds a temporary parley.db with 100,000 messages of mixed English, Chinese,
 * markdown and code (about 200 conversations plus one of 10,000 messages), then measures appends, streaming
 * updates, searches through the worker, the main thread's longest event-loop stall during a burst of
 * searches, and a page of the long conversation's path. Prints a table; figures, not a test.
 *
 *   npm run bench:storage            (or: npm exec -- node scripts/bench-storage.ts [--messages 100000] [--keep])
 *   … [--import-only] [--quick | --import-mb 200] [--no-old] [--no-import]: the import scenario (bench/storage-import.ts)
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { Message } from '../src/shared/chat.ts';
import { openChatStore, type ChatStore } from '../src/main/services/storage/index.ts';
import { intFlag } from './args.ts';
import { runImportBench } from './bench/storage-import.ts';
import { assistantText, pick, rand, userText } from './bench/storage-text.ts';

const argv = process.argv.slice(2);
const flag = (name: string, def: number): number => intFlag(name, def, argv);
const TOTAL = flag('--messages', 100_000);
const LONG = Math.min(10_000, Math.floor(TOTAL / 10));
const CONVERSATIONS = 200;

// ---------------------------------------------------------------- seeding (through the import: one transaction per conversation)

function seedConversation(store: ChatStore, title: string, count: number, start: number): void {
  const messages: Partial<Message>[] = [];
  let parent: string | null = null;
  for (let i = 0; i < count; i++) {
    const id = `m${i}`;
    const role = i % 2 === 0 ? 'user' : 'assistant';
    // Now and then a regenerated answer: a sibling of the previous answer.
    const sibling = role === 'assistant' && i > 2 && rand() < 0.05;
    messages.push({ id, parentId: sibling ? messages[i - 1]!.parentId! : parent, role, text: role === 'user' ? userText() : assistantText(), reasoning: '', status: 'complete', createdAt: start + i * 1000, updatedAt: start + i * 1000 });
    parent = id;
  }
  const doc = { format: 'parley.conversation', version: 1, conversation: { title, createdAt: start, updatedAt: start + count * 1000, currentLeafId: parent }, messages };
  store.importJson(JSON.stringify(doc));
}

// ---------------------------------------------------------------- measuring

const q = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
};
const ms = (x: number): string => (x < 1 ? x.toFixed(3) : x < 100 ? x.toFixed(2) : x.toFixed(0));
const rows: [string, string, string, string][] = [];
const row = (what: string, xs: number[], target = ''): void => void rows.push([what, ms(q(xs, 0.5)), ms(q(xs, 0.95)), target]);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-'));
  const store = openChatStore({ dataDir: dir });
  try {
    const t0 = performance.now();
    const base = Date.UTC(2025, 0, 1);
    const per = Math.floor((TOTAL - LONG) / CONVERSATIONS);
    for (let c = 0; c < CONVERSATIONS; c++) seedConversation(store, `${pick(['Proxy notes', '代理设置', 'Streaming issue', '证书问题', 'Release plan'])} ${c}`, per, base + c * 3_600_000);
    const longStart = base + CONVERSATIONS * 3_600_000;
    seedConversation(store, 'The long one 长对话', LONG, longStart);
    const seedMs = performance.now() - t0;
    const long = store.listConversations().find((c) => c.title === 'The long one 长对话')!;
    const st = store.stats();

    // Appends (complete messages are indexed at once; streaming ones are not).
    const conv = store.createConversation({ title: 'bench appends' });
    const add: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const text = i % 2 ? assistantText() : userText();
      const t = performance.now();
      store.addMessage({ conversationId: conv.id, role: i % 2 ? 'assistant' : 'user', text });
      add.push(performance.now() - t);
    }
    const streams = store.createConversation({ title: 'bench streaming appends' });
    const addStreaming: number[] = [];
    for (let i = 0; i < 300; i++) {
      const t = performance.now();
      store.addMessage({ conversationId: streams.id, role: 'assistant', status: 'streaming' });
      addStreaming.push(performance.now() - t);
    }
    const deletes: number[] = [];
    for (const m of store.pathMessages(streams.id, undefined, { limit: 100 }).reverse()) {
      const t = performance.now();
      store.deleteMessage(m.id);
      deletes.push(performance.now() - t);
    }

    // A streaming answer: the whole text so far, rewritten about once a second; then the final update.
    const answer = store.addMessage({ conversationId: conv.id, role: 'assistant', status: 'streaming' });
    const upd: number[] = [];
    let text = '';
    for (let i = 0; i < 300; i++) {
      text += `${assistantText().slice(0, 120)} `;
      const t = performance.now();
      store.updateMessage(answer.id, { text, reasoning: '' });
      upd.push(performance.now() - t);
    }
    let t = performance.now();
    store.updateMessage(answer.id, { text, status: 'complete' });
    const finalMs = performance.now() - t;

    // Searches: round trips through the worker.
    // 1–2 characters: the short-word index (grams.ts). Before it (issue 17) they were a LIKE scan of the newest
    // messages first: fast with many hits, every message read with few or none (no hit, 2 chars: 120 ms here).
    const queries: [string, string][] = [
      ['English word', 'proxy'],
      ['English phrase', 'connection timeout'],
      ['Chinese, 5 chars', '代理服务器'],
      ['Chinese, 2 chars (short-word index)', '配置'],
      ['1 char (short-word index)', '网'],
      ['1 char, Latin (short-word index)', 'x'],
      ['2 chars, Latin (short-word index)', 'pr'],
      ['two short words (short-word index)', 'pr 网'],
      ['no hit (FTS)', 'zzqxv nothing'],
      ['no hit, 2 chars (short-word index; before: a scan, 120 ms)', 'qz'],
      ['no hit, 1 char (short-word index; before: a scan)', '龘'],
    ];
    // The first search of a store: its worker started by it (before issue 17), or ahead by warmSearch (the app does
    // that once a window has shown its start).
    t = performance.now();
    await store.search('proxy');
    const firstColdMs = performance.now() - t;
    const warmed = openChatStore({ dataDir: dir });
    warmed.warmSearch();
    await new Promise((r) => setTimeout(r, 1000));
    t = performance.now();
    await warmed.search('proxy');
    const firstWarmMs = performance.now() - t;
    await warmed.close();
    const counts: Record<string, number> = {};
    const searchRows: [string, number[]][] = [];
    for (const [name, query] of queries) {
      const xs: number[] = [];
      for (let i = 0; i < 30; i++) {
        t = performance.now();
        const hits = await store.search(query);
        xs.push(performance.now() - t);
        counts[name] = hits.length;
      }
      searchRows.push([`search: ${name} "${query}" (${counts[name]} hits)`, xs]);
    }

    // The main thread during a burst of 200 searches.
    const h = monitorEventLoopDelay({ resolution: 1 });
    h.enable();
    t = performance.now();
    await Promise.all(Array.from({ length: 200 }, (_, i) => store.search(queries[i % queries.length]![1])));
    const burstMs = performance.now() - t;
    h.disable();

    // A page of the long conversation.
    const page: number[] = [];
    for (let i = 0; i < 200; i++) {
      t = performance.now();
      const p = store.path(long.id, { limit: 50 });
      page.push(performance.now() - t);
      if (p.messages.length !== 50 || p.before < LONG / 2) throw new Error('unexpected page');
    }
    const whole: number[] = [];
    for (let i = 0; i < 20; i++) {
      t = performance.now();
      store.pathMessages(long.id);
      whole.push(performance.now() - t);
    }

    // Issue 19: a conversation where 200 questions carry a photo (their refs: opening it reads no file; the window
    // loads thumbnails as they come near the screen).
    const photos = store.createConversation({ title: 'bench photos' });
    for (let i = 0; i < 200; i++) {
      const id = createHash('sha256').update(`photo ${i}`).digest('hex');
      store.addMessage({ conversationId: photos.id, role: 'user', text: userText(), attachments: [{ id, name: `IMG_${1000 + i}.jpg`, kind: 'image', mime: 'image/jpeg', size: 3_000_000, width: 4032, height: 3024 }] });
      store.addMessage({ conversationId: photos.id, role: 'assistant', text: assistantText() });
    }
    const photoPage: number[] = [];
    for (let i = 0; i < 200; i++) {
      t = performance.now();
      const p = store.path(photos.id, { limit: 50 });
      photoPage.push(performance.now() - t);
      if (p.messages.filter((m) => m.attachments?.length).length !== 25) throw new Error('unexpected photo page');
    }
    const photoWhole: number[] = [];
    for (let i = 0; i < 50; i++) {
      t = performance.now();
      store.pathMessages(photos.id);
      photoWhole.push(performance.now() - t);
    }

    row('addMessage (complete: row + index + conversation)', add, '≤ 1 ms median');
    row('addMessage (streaming: not indexed yet)', addStreaming);
    row('deleteMessage (with WAL checkpoint + truncate)', deletes);
    row('updateMessage, streaming (text up to 36 KB)', upd);
    rows.push(['updateMessage, final (enters the index)', ms(finalMs), '', '']);
    rows.push(['first search, the worker started by it (before issue 17)', ms(firstColdMs), '', '']);
    rows.push(['first search, the worker started ahead (warmSearch)', ms(firstWarmMs), '', '≤ 20 ms']);
    for (const [name, xs] of searchRows) row(name, xs, '≤ 20 ms median');
    rows.push([`main thread's longest stall during 200 searches (${ms(burstMs)} ms in all)`, ms(h.max / 1e6), `p99 ${ms(h.percentile(99) / 1e6)}`, '']);
    row(`path(limit 50) on the ${LONG}-message conversation`, page);
    row(`pathMessages (whole ${LONG}-message path)`, whole);
    row('path(limit 50) on 400 messages, 200 questions with a photo', photoPage);
    row('pathMessages (whole path of those 400, 200 photos)', photoWhole);

    const w = Math.max(...rows.map((r) => r[0].length));
    console.log(`parley.db: ${st.messages} messages in ${st.conversations} conversations, ${(st.fileBytes / 1024 / 1024).toFixed(0)} MB (+ WAL ${(st.walBytes / 1024 / 1024).toFixed(0)} MB); seeded in ${(seedMs / 1000).toFixed(1)} s; Node ${process.version}`);
    console.log('');
    console.log(`${'measure'.padEnd(w)}  ${'median ms'.padStart(9)}  ${'p95 ms'.padStart(9)}  target`);
    for (const [what, med, p95, target] of rows) console.log(`${what.padEnd(w)}  ${med.padStart(9)}  ${p95.padStart(9)}  ${target}`);
  } finally {
    await store.close();
    if (!argv.includes('--keep')) rmSync(dir, { recursive: true, force: true });
    else console.log(`kept ${dir}`);
  }
}

if (!argv.includes('--import-only')) await main();
// Issue 17: importing a large ChatGPT export (scripts/bench/storage-import.ts; --quick: 20 MB, --no-import: skip).
if (!argv.includes('--no-import')) runImportBench(argv);
