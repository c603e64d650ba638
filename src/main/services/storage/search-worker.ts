/**
 * The search worker (a worker_threads entry): its own read-only connection to parley.db, so a slow query
 * never blocks the main process's event loop, and WAL lets it read while main writes.
 * Out first: { ready: true } once it can take queries. In: { id, query, limit }. Out: { id, ok: true, hits }
 * or { id, ok: false, message, errcode? }.
 */
import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';
import type { SearchHit } from '../../../shared/chat.ts';
import { createSearcher, type Searcher } from './search-sql.ts';

export interface SearchRequest {
  id: number;
  query: string;
  limit: number;
}

export type SearchResponse =
  | { id: number; ok: true; hits: SearchHit[] }
  | { id: number; ok: false; message: string; errcode?: number };

const { file } = workerData as { file: string };
let search: Searcher | undefined;
let openError: Error | undefined;
try {
  const db = new DatabaseSync(file, { readOnly: true, timeout: 2_000 });
  db.exec('PRAGMA busy_timeout = 2000');
  search = createSearcher(db);
  // Warm-up before the first query: both paths' statements prepared (trigram FTS and the short-word index) and
  // their indexes' first pages read, so the first search a user types costs what the next ones do.
  for (const q of ['the', 'a']) search(q, 1);
} catch (e) {
  openError = e as Error;
}

parentPort?.on('message', (req: SearchRequest) => {
  let res: SearchResponse;
  try {
    if (!search) throw openError ?? new Error('the search connection is not open');
    res = { id: req.id, ok: true, hits: search(req.query, req.limit) };
  } catch (e) {
    const err = e as Error & { errcode?: number };
    res = { id: req.id, ok: false, message: err.message, ...(typeof err.errcode === 'number' ? { errcode: err.errcode } : {}) };
  }
  parentPort?.postMessage(res);
});

parentPort?.postMessage({ ready: true });
