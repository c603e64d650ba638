/**
 * Sync benchmark (issue 21): a device with 10,000 conversations of 10 messages (100,000 messages of the storage
 * benchmark's text) syncs them to an empty target (a folder, written as the WebDAV and S3 targets write: whole files);
 * a new device then takes them all; then one new message goes from one to the other. Time and target requests of
 * each, the bytes on the target, and the longest the event loop (main's, in the app) was held. Figures, not a test.
 *
 *   node scripts/bench-sync.ts [--conversations 10000] [--per 10] [--passphrase]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { Message } from '../src/shared/chat.ts';
import { openChatStore, type ChatStore } from '../src/main/services/storage/index.ts';
import { syncOnce, type SyncResult } from '../src/main/services/sync/engine.ts';
import type { SyncTarget } from '../src/main/services/sync/target.ts';
import { dirTarget } from '../test/helpers/sync-dir-target.ts';
import { intFlag } from './args.ts';
import { assistantText, userText } from './bench/storage-text.ts';

const argv = process.argv.slice(2);
const CONVERSATIONS = intFlag('--conversations', 10_000, argv);
const PER = intFlag('--per', 10, argv);
const passphrase = argv.includes('--passphrase') ? 'a passphrase for the benchmark' : undefined;

function seed(store: ChatStore): void {
  const base = Date.UTC(2025, 0, 1);
  for (let c = 0; c < CONVERSATIONS; c++) {
    const start = base + c * 600_000;
    const messages: Partial<Message>[] = [];
    for (let i = 0; i < PER; i++) {
      const role = i % 2 === 0 ? 'user' : 'assistant';
      messages.push({ id: `m${i}`, parentId: i ? `m${i - 1}` : null, role, text: role === 'user' ? userText() : assistantText(), reasoning: '', status: 'complete', createdAt: start + i * 1000, updatedAt: start + i * 1000 });
    }
    store.importJson(JSON.stringify({ format: 'parley.conversation', version: 1, conversation: { title: `Conversation ${c}`, createdAt: start, updatedAt: start + PER * 1000, currentLeafId: `m${PER - 1}` }, messages }));
  }
}

function sized(t: SyncTarget, bytes: { put: number; got: number }): SyncTarget {
  return {
    label: t.label,
    list: (p, s) => t.list(p, s),
    get: async (n, m, s) => {
      const b = await t.get(n, m, s);
      bytes.got += b?.length ?? 0;
      return b;
    },
    put: (n, b, s) => ((bytes.put += b.length), t.put(n, b, s)),
    remove: (n, s) => t.remove(n, s),
  };
}

const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MB`;

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'parley-bench-sync-'));
  const dirA = join(root, 'a');
  const dirB = join(root, 'b');
  const a = openChatStore({ dataDir: dirA, sweepAfterMs: 0 });
  const b = openChatStore({ dataDir: dirB, sweepAfterMs: 0 });
  const rows: string[][] = [];
  try {
    const t0 = performance.now();
    seed(a);
    const st = a.stats();
    console.log(`seeded ${st.conversations} conversations, ${st.messages} messages (${mb(st.fileBytes + st.walBytes)} parley.db) in ${((performance.now() - t0) / 1000).toFixed(1)} s${passphrase ? '; encrypted' : ''}`);
    const target = dirTarget(join(root, 'target'));
    const step = async (what: string, store: ChatStore, dataDir: string): Promise<SyncResult> => {
      const bytes = { put: 0, got: 0 };
      const stalls = monitorEventLoopDelay({ resolution: 5 });
      stalls.enable();
      const s = performance.now();
      const r = await syncOnce({ store, dataDir, target: sized(target, bytes), ...(passphrase ? { passphrase } : {}) });
      const ms = performance.now() - s;
      stalls.disable();
      rows.push([what, ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(1)} s`, String(r.requests), `${r.uploaded} / ${r.downloaded}`, `${mb(bytes.put)} / ${mb(bytes.got)}`,
        String(r.applied), `${(stalls.max / 1e6).toFixed(0)} ms`]);
      return r;
    };
    await step('initial sync, upload (A)', a, dirA);
    await step('initial sync, a new device (B)', b, dirB);
    const conv = a.listConversations({ limit: 1 })[0]!;
    a.addMessage({ conversationId: conv.id, role: 'user', text: userText() });
    await step('one new message, upload (A)', a, dirA);
    await step('one new message, download (B)', b, dirB);
    await step('nothing new (A)', a, dirA);
    const files = await target.list('');
    console.log(`target: ${files.length} files, ${mb(files.reduce((n, f) => n + f.size, 0))}`);
    const head = ['step', 'time', 'requests', 'files up / down', 'bytes up / down', 'applied', 'longest stall'];
    const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    for (const r of [head, ...rows]) console.log(r.map((c, i) => c.padEnd(w[i]!)).join('  '));
  } finally {
    await a.close();
    await b.close();
    if (!argv.includes('--keep')) rmSync(root, { recursive: true, force: true });
  }
}

await main();
