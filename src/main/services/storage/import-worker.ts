/**
 * The import worker (a worker_threads entry): runs one import (import-file.ts) on its own connection to parley.db,
 * so parsing and writing a large file never blocks the main process's event loop; then (catchUp) writes the search
 * index entries the import left out (index-catch-up.ts). Without a path it only catches the index up.
 * In (workerData): { file, path?, catchUp, busyMs, control } where control is an Int32Array on shared memory: [0] set
 * to 1 cancels the import; [1] counts the app connection's writes waiting (the worker then commits and waits for
 * them); [2] is 1 while the worker holds a write transaction (the app's write waits for it to become 0); [4] set to 1
 * stops the catch-up.
 * Out: { type: 'progress', progress } as it goes, then { type: 'done', result } or
 * { type: 'error', code, message, hint } (the error as a ParleyError's fields); then, catching up,
 * { type: 'indexing', progress }, and { type: 'indexed', result } or { type: 'index-error', message }.
 */
import { DatabaseSync } from 'node:sqlite';
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { ParleyError } from '../../core/errors.ts';
import type { ErrorCode } from '../../../shared/errors.ts';
import { configureConnection, storageError, wrapDb, type Db } from './db.ts';
import { cancelledError, importFile } from './import-file.ts';
import { catchUpIndex } from './index-catch-up.ts';
import { CANCEL, HOLDING, REPLY, STOP, WRITERS, type ImportWorkerData, type ImportWorkerMessage, type StoreReply } from './importer.ts';
import type { AttachmentResolver } from './transfer.ts';

/** The longest main may take to store one conversation's files (each is bounded by the store itself: 20 MB, a PDF's 30 s). */
const STORE_WAIT_MS = 10 * 60_000;

const data = workerData as ImportWorkerData;
const post = (m: ImportWorkerMessage): void => parentPort?.postMessage(m);
const ctl = data.control;
let db: Db | undefined;
let asked = 0;
/** Files are stored by main's attachment store: ask, then wait (between transactions) for its answer or a cancel. */
const resolve: AttachmentResolver | undefined = data.port && ((needs) => {
  const port = data.port!;
  const n = ++asked;
  Atomics.store(ctl, REPLY, 0);
  post({ type: 'attachments', n, needs });
  const until = Date.now() + STORE_WAIT_MS;
  for (;;) {
    const got = receiveMessageOnPort(port);
    if (got) {
      const reply = got.message as StoreReply;
      if (reply.n !== n) continue;
      if ('error' in reply) throw new ParleyError(reply.error.code as ErrorCode, reply.error.message, { hint: reply.error.hint });
      return reply.results;
    }
    if (Atomics.load(ctl, CANCEL) !== 0) throw cancelledError();
    if (Date.now() > until) throw new ParleyError('request_timeout', 'Storing the files of the import took too long.', { hint: 'Import the file again.' });
    Atomics.wait(ctl, REPLY, 0, 50);
  }
});
/** Bounded: a write that never ends does not hold the worker forever (SQLite's busy timeout decides then). */
const letWritersIn = (): void => {
  const until = Date.now() + data.busyMs;
  for (let n = Atomics.load(ctl, WRITERS); n > 0 && Date.now() < until; n = Atomics.load(ctl, WRITERS)) {
    Atomics.wait(ctl, WRITERS, n, 50);
  }
};
const holding = (on: boolean): void => {
  Atomics.store(ctl, HOLDING, on ? 1 : 0);
  if (!on) Atomics.notify(ctl, HOLDING);
};
const writerWaiting = (): boolean => Atomics.load(ctl, WRITERS) > 0;
const batch = data.batchMs === undefined ? {} : { batchMs: data.batchMs };

let imported = true;
try {
  const raw = new DatabaseSync(data.file, { timeout: data.busyMs, enableForeignKeyConstraints: true });
  configureConnection(raw, data.busyMs);
  // A larger page cache than the app's 2 MB: a batch's rows, index pages and full-text segments stay in memory
  // instead of being spilled to the WAL mid-transaction and read back (about a fifth less system time, 2026-12-07).
  raw.exec('PRAGMA cache_size = -32768');
  db = wrapDb(raw, data.file);
  if (data.path !== undefined) {
    const result = importFile(db, data.path, {
      cancelled: () => Atomics.load(ctl, CANCEL) !== 0, writerWaiting, letWritersIn, holding,
      progress: (progress) => post({ type: 'progress', progress }),
    }, { ...batch, ...(resolve ? { resolve } : {}) });
    post({ type: 'done', result });
  }
} catch (e) {
  imported = false;
  const err = storageError(e, data.file, 'importing conversations');
  post({ type: 'error', code: err.code, message: err.message, hint: err.hint });
}
if (db && imported && data.catchUp) {
  try {
    const result = catchUpIndex(db, {
      cancelled: () => Atomics.load(ctl, STOP) !== 0, writerWaiting, letWritersIn, holding,
      progress: (progress) => post({ type: 'indexing', progress }),
    }, batch);
    post({ type: 'indexed', result });
  } catch (e) {
    post({ type: 'index-error', message: storageError(e, data.file, 'indexing imported messages').message });
  }
}
db?.close();
