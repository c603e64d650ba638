/**
 * A search worker for tests (openChatStore's workerUrl): the real searcher, except that the query "hang"
 * blocks the thread for 10 s (as a runaway SQLite query would) and "die" ends the worker.
 */
import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';
import { createSearcher } from '../../src/main/services/storage/search-sql.ts';
import type { SearchRequest } from '../../src/main/services/storage/search-worker.ts';

const search = createSearcher(new DatabaseSync((workerData as { file: string }).file, { readOnly: true }));

parentPort?.on('message', (req: SearchRequest) => {
  if (req.query === 'hang') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10_000);
  if (req.query === 'die') process.exit(3);
  parentPort?.postMessage({ id: req.id, ok: true, hits: search(req.query, req.limit) });
});

parentPort?.postMessage({ ready: true });
