/**
 * A search worker for tests (openChatStore's workerUrl): the real searcher, except that the query "hang"
 * blocks the thread for 10 s (as a runaway SQLite query would), "die" ends the worker, "slow" blocks it for
 * 300 ms, and "ready-at" answers one hit whose snippet is when (Date.now()) the worker said it was ready.
 * PARLEY_TEST_SEARCH_START_MS (in the environment when the worker starts): it takes that long to start (as loading
 * it on a busy machine may); PARLEY_TEST_SEARCH_READY_FILE: a file it writes once it is ready.
 */
import { writeFileSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';
import { createSearcher } from '../../src/main/services/storage/search-sql.ts';
import type { SearchRequest } from '../../src/main/services/storage/search-worker.ts';

const startMs = Number(process.env.PARLEY_TEST_SEARCH_START_MS ?? 0);
if (startMs > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, startMs);
const search = createSearcher(new DatabaseSync((workerData as { file: string }).file, { readOnly: true }));
let readyAt = 0;

parentPort?.on('message', (req: SearchRequest) => {
  if (req.query === 'hang') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10_000);
  if (req.query === 'die') process.exit(3);
  if (req.query === 'slow') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
  if (req.query === 'ready-at') {
    parentPort?.postMessage({ id: req.id, ok: true, hits: [{ conversationId: '', conversationTitle: '', messageId: null, snippet: String(readyAt), updatedAt: 0 }] });
    return;
  }
  parentPort?.postMessage({ id: req.id, ok: true, hits: search(req.query, req.limit) });
});

readyAt = Date.now();
if (process.env.PARLEY_TEST_SEARCH_READY_FILE) writeFileSync(process.env.PARLEY_TEST_SEARCH_READY_FILE, String(readyAt));
parentPort?.postMessage({ ready: true });
