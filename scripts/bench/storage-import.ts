/**
 * The import scenario of `npm run bench:storage` (issue 17: an import froze the whole app): a generated ChatGPT
 * export (test/helpers/chatgpt-export.ts; ~200 MB, or --import-mb N; --quick: 20 MB), and one whose messages all
 * share one timestamp, imported the app's way (store.importFile: a worker) and, for the first, the old way
 * (store.importJson of the whole text on the main thread, as the handler did before). Each import runs in a fresh
 * process of its own, so its peak memory is its own: messages a second, the main thread's longest stall (the
 * largest gap between ticks of a 5 ms timer), the peak RSS above the process's before the import. Also the worker import of a
 * quarter of the file, to show time and memory grow with the file (linear), not faster.
 * The worker import is done (its promise resolves: every conversation committed and openable) before the messages'
 * search-index entries are written (index-catch-up.ts; search reads them directly meanwhile): each figure is given
 * until done and until the index has caught up (the whole work); the synchronous import indexes as it goes.
 * The generated files are kept in the temp folder (parley-bench-import-*.json) for the next run.
 *
 *   node scripts/bench-storage.ts --import-only [--quick | --import-mb 200] [--no-old]
 *   node scripts/bench/storage-import.ts --child <new|old> <file>      (one measured import; prints JSON)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { openChatStore } from '../../src/main/services/storage/index.ts';
import { writeChatGptExport, type ChatGptExportFile } from '../../test/helpers/chatgpt-export.ts';

interface Measured {
  /** Until the import resolved (done: conversations committed). */
  ms: number;
  /** Until the search index caught up (the whole work; the synchronous import: = ms). */
  allMs: number;
  messages: number;
  conversations: number;
  stallMs: number;
  rssMb: number;
  progressEvents: number;
  /** CPU time of the process over the import, all threads (the worker's included): less moved by other load than `ms`. */
  cpuMs: number;
  allCpuMs: number;
  /** The longest stall until done, and over the whole work. */
  allStallMs: number;
  /** Peak RSS above the start at done, and over the whole work. */
  allRssMb: number;
  /** Right after done, before the index caught up: a search for words no message holds (reads every waiting message), and for a common word. */
  searchMissMs?: number | string;
  searchCommonMs?: number | string;
}

/** One import in this process (the child side). */
async function child(mode: 'new' | 'old', file: string): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-import-db-'));
  const store = openChatStore({ dataDir: dir });
  try {
    // The worker's start is in the figures: a user's import pays it too.
    const rss0 = process.memoryUsage().rss;
    // The main thread's longest stall: the largest gap between ticks of a 5 ms timer (a synchronous import is one gap).
    let longest = 0;
    let last = performance.now();
    const probe = setInterval(() => {
      const tick = performance.now();
      longest = Math.max(longest, tick - last);
      last = tick;
    }, 5);
    await new Promise((r) => setTimeout(r, 20));
    let events = 0;
    const cpu0 = process.cpuUsage();
    const t = performance.now();
    let messages: number;
    let conversations: number;
    let done: { ms: number; cpuMs: number; stallMs: number; rssMb: number } | undefined;
    let searches = {};
    if (mode === 'new') {
      const r = await store.importFile(file, { onProgress: () => events++ });
      messages = r.messages;
      conversations = r.conversations.length;
      const c = process.cpuUsage(cpu0);
      done = { ms: performance.now() - t, cpuMs: (c.user + c.system) / 1000, stallMs: longest, rssMb: (process.resourceUsage().maxRSS * 1024 - rss0) / 1024 / 1024 };
      // What a user searching at once waits for (the search worker's start included in the first).
      const timed = async (q: string): Promise<number | string> => {
        const s0 = performance.now();
        try {
          await store.search(q);
          return performance.now() - s0;
        } catch (e) {
          return (e as Error).message;
        }
      };
      searches = { searchMissMs: await timed('zqxjvk 无此词'), searchCommonMs: await timed('proxy') };
      await store.catchUpIndex();
    } else {
      // As the handler did before issue 17: read the text, import it in one transaction on this thread.
      const text = readFileSync(file, 'utf8');
      const list = store.importJson(text);
      conversations = list.length;
      messages = store.stats().messages;
    }
    const ms = performance.now() - t;
    const cpu = process.cpuUsage(cpu0);
    // Let the probe see the loop come back after a synchronous import.
    await new Promise((r) => setTimeout(r, 20));
    clearInterval(probe);
    // Checked once the probe is off: stats() counts every message's `indexed` (a scan of the table on this thread).
    if (mode === 'new' && store.stats().unindexedMessages !== 0) throw new Error('the index did not catch up');
    const peak = process.resourceUsage().maxRSS * 1024;
    const all = { allMs: ms, allCpuMs: (cpu.user + cpu.system) / 1000, allStallMs: longest, allRssMb: (peak - rss0) / 1024 / 1024 };
    return { ms: done?.ms ?? ms, messages, conversations, stallMs: done?.stallMs ?? longest, rssMb: done?.rssMb ?? all.allRssMb, progressEvents: events, cpuMs: done?.cpuMs ?? all.allCpuMs, ...all, ...searches };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function measure(mode: 'new' | 'old', file: string): Measured {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', mode, file], { encoding: 'utf8', maxBuffer: 1024 * 1024 });
  if (r.status !== 0) throw new Error(`the ${mode} import of ${file} failed: ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Measured;
}

/** The generated export of about `mb` MB (kept in the temp folder between runs). */
function exportFile(mb: number, sameTime: boolean): { file: string; made: ChatGptExportFile } {
  const file = join(tmpdir(), `parley-bench-import-${mb}mb${sameTime ? '-same-time' : ''}.json`);
  const meta = `${file}.meta`;
  if (existsSync(file) && existsSync(meta)) {
    const made = JSON.parse(readFileSync(meta, 'utf8')) as ChatGptExportFile;
    if (statSync(file).size === made.bytes) return { file, made };
  }
  const t = performance.now();
  const made = writeChatGptExport(file, { bytes: mb * 1024 * 1024, ...(sameTime ? { sameTime: 1_700_000_000 } : {}) });
  writeFileSync(meta, JSON.stringify(made));
  console.error(`generated ${file} (${(made.bytes / 1024 / 1024).toFixed(0)} MB, ${made.messages} messages) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  return { file, made };
}

const n = (x: number): string => Math.round(x).toLocaleString('en-US');
const mbOf = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/** Runs the scenario and prints its table (measure | now: worker | before: synchronous | budget). */
export function runImportBench(argv: string[]): void {
  const quick = argv.includes('--quick');
  const i = argv.indexOf('--import-mb');
  const mb = i >= 0 ? Number(argv[i + 1]) : quick ? 20 : 200;
  if (!Number.isInteger(mb) || mb < 4) throw new Error('--import-mb must be an integer of at least 4');
  const old = !argv.includes('--no-old');
  const started = performance.now();
  const load0 = loadavg();
  const plain = exportFile(mb, false);
  const same = exportFile(mb, true);
  const quarter = exportFile(Math.round(mb / 4), false);

  const now = measure('new', plain.file);
  const nowQuarter = measure('new', quarter.file);
  const nowSame = measure('new', same.file);
  const before = old ? measure('old', plain.file) : undefined;

  const rate = (m: Measured): string => `${n(m.messages / (m.ms / 1000))} /s`;
  const rateAll = (m: Measured): string => `${n(m.messages / (m.allMs / 1000))} /s`;
  const s1 = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  const msOf = (x: number | string | undefined): string => (typeof x === 'number' ? `${x.toFixed(0)} ms` : (x ?? ''));
  // The synchronous import indexes as it goes: its "done" is its whole work.
  const rows: [string, string, string, string][] = [
    [`messages a second until done: committed, openable, found by search (${mbOf(plain.made.bytes)}, ${n(plain.made.messages)} messages in ${n(plain.made.conversations)} conversations)`, rate(now), before ? rate(before) : '', '≥ 20,000 /s'],
    ['  the same, until the search index has caught up (the whole work)', rateAll(now), before ? rate(before) : '', ''],
    ['time to import it: done / index caught up', `${s1(now.ms)} / ${s1(now.allMs)}`, before ? s1(before.ms) : '41 s (issue 17, 196 MB)', ''],
    ['messages a second of CPU time (all threads; less moved by other load): done / whole work', `${n(now.messages / (now.cpuMs / 1000))} / ${n(now.messages / (now.allCpuMs / 1000))} /s`, before ? `${n(before.messages / (before.cpuMs / 1000))} /s` : '', ''],
    ["main thread's longest stall: until done / whole work", `${now.stallMs.toFixed(0)} / ${now.allStallMs.toFixed(0)} ms`, before ? `${n(before.stallMs)} ms` : '', '≤ 50 ms'],
    ['peak memory above the process before it (RSS): at done / whole work', `${now.rssMb.toFixed(0)} / ${now.allRssMb.toFixed(0)} MB`, before ? `${before.rssMb.toFixed(0)} MB` : '', 'linear in the file'],
    [`the same, a quarter of the file (${mbOf(quarter.made.bytes)}): messages a second done / whole; peak RSS`, `${rate(nowQuarter)} / ${rateAll(nowQuarter)}; ${nowQuarter.allRssMb.toFixed(0)} MB`, '', 'about the same rate'],
    [`one timestamp for every message (${mbOf(same.made.bytes)}, ${n(same.made.messages)} messages): messages a second done / whole`, `${rate(nowSame)} / ${rateAll(nowSame)}`, '', '≥ 20,000 /s'],
    ['  time done / whole; longest stall; peak RSS', `${s1(nowSame.ms)} / ${s1(nowSame.allMs)}; ${nowSame.allStallMs.toFixed(0)} ms; ${nowSame.allRssMb.toFixed(0)} MB`, '621 s / whole import / +1.7 GB (issue 17, 195 MB)', ''],
    ['a search right after done, before the index caught up: no message holds its words / a common word', `${msOf(now.searchMissMs)} / ${msOf(now.searchCommonMs)}`, '', ''],
    ['progress events to the window', `${now.progressEvents} (${(now.progressEvents / (now.ms / 1000)).toFixed(1)} /s)`, 'none', ''],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length), 'now (worker)'.length);
  const w2 = Math.max(...rows.map((r) => r[2].length), 'before (synchronous)'.length);
  console.log('');
  const load = (l: number[]): string => l.map((x) => x.toFixed(2)).join(' ');
  console.log(`Import of a generated ChatGPT export (the whole scenario took ${((performance.now() - started) / 1000).toFixed(0)} s; Node ${process.version}; load average ${load(load0)} before, ${load(loadavg())} after)`);
  console.log(`${'measure'.padEnd(w)}  ${'now (worker)'.padEnd(w1)}  ${'before (synchronous)'.padEnd(w2)}  budget`);
  for (const [what, a, b, budget] of rows) console.log(`${what.padEnd(w)}  ${a.padEnd(w1)}  ${b.padEnd(w2)}  ${budget}`);
}

if (process.argv[2] === '--child') {
  const r = await child(process.argv[3] as 'new' | 'old', process.argv[4]!);
  console.log(JSON.stringify(r));
} else if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runImportBench(process.argv.slice(2));
}
