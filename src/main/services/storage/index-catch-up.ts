/**
 * The search index catching up (issue 17: the import's rate): an import stores its messages without their entries in
 * messages_fts and messages_grams (indexed = 0; the trigram tokenizing and the short-word grams were most of an
 * import's CPU), commits, and reports done; then this writes those entries, off main (the import worker goes on with
 * it, or a worker started for it when the store opens and finds messages left: an app quit before it finished).
 *
 * Like the import, it writes in transactions of at most `batchMs`, newest messages first (search shows those first),
 * and gives way to the app's own writes: it commits at the end of the chunk it is indexing once the app's connection
 * waits (a chunk takes about `chunkMs`), then waits for that write. Search meanwhile also reads the messages not
 * indexed yet directly (search-sql.ts), so it finds them all, only slower.
 */
import { performance } from 'node:perf_hooks';
import type { Db } from './db.ts';
import { indexUnindexed, unindexedCount } from './records.ts';

/** How far the index is: messages indexed by this run, and those still waiting. */
export interface IndexProgress {
  indexed: number;
  left: number;
}

export interface CatchUpControl {
  /** True once it is to stop (the app quits, or a new import starts): what is indexed stays, the rest waits. */
  cancelled(): boolean;
  /** True while the app's connection waits to write: the transaction ends after the current chunk. */
  writerWaiting(): boolean;
  /** Between two transactions: returns once the app's connection no longer waits to write. */
  letWritersIn(): void;
  /** A write transaction begins (true) or ended (false). */
  holding(on: boolean): void;
  progress(p: IndexProgress): void;
}

export interface CatchUpOptions {
  /** The longest a write transaction is kept open (default 100 ms). */
  batchMs?: number;
  /** About how long one chunk takes (default a quarter of batchMs): the longest an app's write waits for it. */
  chunkMs?: number;
}

/**
 * How many segments of one level the full-text indexes gather before merging them (FTS5 'automerge'): 16 while the
 * index catches up (merging 16 at a time rewrites each entry about half as often: a 50 MB import took 27 % less CPU
 * when its entries were written with it, and searches after it were as fast, 2026-12-07), FTS5's default of 4 again
 * in its last transaction or when it stops. Parley sets it nowhere else, so a catch-up cut short by a crash leaves at
 * worst 16 until the next one ends.
 */
export function mergeWide(db: Db, wide: boolean): void {
  // A literal: FTS5 takes an integer only, and a JavaScript number is bound as a real.
  const n = wide ? 16 : 4;
  db.raw.exec(`INSERT INTO messages_fts(messages_fts, rank) VALUES ('automerge', ${n}); INSERT INTO messages_grams(messages_grams, rank) VALUES ('automerge', ${n});`);
}

export interface CatchUpResult {
  /** Messages indexed by this run. */
  indexed: number;
  /** Messages still waiting (0 once caught up; more when it was cancelled). */
  left: number;
}

/** Indexes every message waiting for its index entries (or until cancelled). */
export function catchUpIndex(db: Db, control: CatchUpControl, opts: CatchUpOptions = {}): CatchUpResult {
  const batchMs = opts.batchMs ?? 100;
  const chunkMs = opts.chunkMs ?? Math.max(5, batchMs / 4);
  const waiting = unindexedCount(db);
  if (waiting === 0) return { indexed: 0, left: 0 };
  let indexed = 0;
  // The first chunk is small; then each holds about chunkMs of work, by the time a message took so far.
  let chunk = 16;
  let msPerMessage = 0;
  let wide = false;
  let caughtUp = false;
  control.progress({ indexed: 0, left: waiting });
  try {
    while (!caughtUp && !control.cancelled()) {
      control.letWritersIn();
      control.holding(true);
      try {
        db.tx(() => {
          const started = performance.now();
          if (!wide) {
            mergeWide(db, true);
            wide = true;
          }
          for (;;) {
            const t = performance.now();
            const want = chunk;
            const k = indexUnindexed(db, want);
            indexed += k;
            if (k < want) {
              caughtUp = true;
              break;
            }
            const ms = (performance.now() - t) / k;
            msPerMessage = msPerMessage ? (msPerMessage + ms) / 2 : ms;
            chunk = Math.max(8, Math.min(4096, Math.floor(chunkMs / msPerMessage)));
            if (performance.now() - started + chunk * msPerMessage >= batchMs || control.writerWaiting() || control.cancelled()) break;
          }
          if (caughtUp) {
            mergeWide(db, false);
            wide = false;
          }
        });
      } finally {
        control.holding(false);
      }
      control.progress({ indexed, left: caughtUp ? 0 : Math.max(0, waiting - indexed) });
    }
  } finally {
    if (wide) {
      // Stopped before the end: the indexes merge as before until the next catch-up (best effort).
      try {
        control.letWritersIn();
        control.holding(true);
        db.tx(() => mergeWide(db, false));
      } catch { /* left at 16 until the next catch-up ends */ } finally {
        control.holding(false);
      }
    }
  }
  return { indexed, left: caughtUp ? 0 : unindexedCount(db) };
}
