/**
 * The main side of an import: one worker thread per import (import-worker.ts), progress as it goes, cancel through
 * shared memory (the worker checks it between conversations, so it stops within one conversation's write), and
 * the app connection's writes given way to (`writing`: the store brackets its own transactions with it).
 *
 * Once the import is done (its promise resolves: the conversations are there to open), the same worker goes on to
 * write the imported messages' search-index entries (index-catch-up.ts), still giving way to the app's writes; a
 * new import stops that first (its own worker then catches up on everything), and `catchUp` starts a worker for it
 * alone (the store does so when it opens and finds messages an earlier run left unindexed).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { ParleyError } from '../../core/errors.ts';
import type { ErrorCode } from '../../../shared/errors.ts';
import { MAX_ATTACHMENT_BYTES, type AttachmentRef } from '../../../shared/attachments.ts';
import type { ImportProgress } from '../../../shared/import-progress.ts';
import type { AttachmentFiles } from './attachments.ts';
import { STORAGE_CODE } from './limits.ts';
import type { AttachmentNeed, ImportResult } from './transfer.ts';
import type { CatchUpResult, IndexProgress } from './index-catch-up.ts';

/**
 * A worker script `name` with this module's own extension (.ts from source, .js when bundled), next to this module
 * or one folder up (electron-vite puts shared chunks in out/main/chunks/ and entries in out/main/).
 */
export function workerUrlBeside(name: string, moduleUrl: string = import.meta.url): URL {
  const ext = /\.[cm]?[jt]s$/.exec(new URL(moduleUrl).pathname)?.[0] ?? '.js';
  const candidates = [new URL(`${name}${ext}`, moduleUrl), new URL(`../${name}${ext}`, moduleUrl)];
  return candidates.find((u) => u.protocol !== 'file:' || existsSync(fileURLToPath(u))) ?? candidates[0]!;
}

export interface ImportWorkerData {
  file: string;
  /** The file to import; absent: the worker only catches the search index up. */
  path?: string;
  /** After the import (or alone): write the index entries of the messages stored without them (index-catch-up.ts). */
  catchUp: boolean;
  busyMs: number;
  control: Int32Array;
  batchMs?: number;
  /** Where main answers the worker's requests to store files (absent: no attachment store; files are left out). */
  port?: MessagePort;
}

export type ImportWorkerMessage =
  | { type: 'progress'; progress: ImportProgress }
  | { type: 'done'; result: ImportResult }
  | { type: 'error'; code: string; message: string; hint: string }
  /** Store these files (answered on `port` with a StoreReply of the same n, then REPLY set to 1). */
  | { type: 'attachments'; n: number; needs: AttachmentNeed[] }
  /** The search index catching up (after 'done', or alone), then how it ended. */
  | { type: 'indexing'; progress: IndexProgress }
  | { type: 'indexed'; result: CatchUpResult }
  | { type: 'index-error'; message: string };

/** Main's answer to an 'attachments' request: each need's ref, or why it was not stored; or an error failing the import. */
export type StoreReply = { n: number; results: (AttachmentRef | { missing: string })[] } | { n: number; error: { code: string; message: string; hint: string } };

/** The slots of `control` (shared memory between main and the worker). */
export const CANCEL = 0;
export const WRITERS = 1;
export const HOLDING = 2;
/** Set to 1 by main once it has answered a request to store files (the worker waits on it). */
export const REPLY = 3;
/** Set to 1 to stop the index catching up (a new import, or the store closing): what is indexed stays. */
export const STOP = 4;

export interface ImportRunOptions {
  onProgress?: (p: ImportProgress) => void;
  signal?: AbortSignal;
}

/** What a run stored in the attachment store (so that a failed import can remove what no message uses). */
export interface StoredDuringImport {
  /** Ids of files that were not stored before this import. */
  added: Set<string>;
  /** Settles once every store the worker asked for has ended. */
  settled(): Promise<void>;
}

export interface Importer {
  /**
   * Imports a file in the worker; rejects with 'cancelled' (nothing imported) when the signal aborts. One at a time
   * (an index catching up is stopped first). Resolves once the conversations are committed; the index then catches up.
   */
  run(path: string, opts?: ImportRunOptions, stored?: StoredDuringImport): Promise<ImportResult>;
  /**
   * Catches the search index up in a worker (unless a worker already runs: then its end). Resolves when that worker
   * has ended: caught up, stopped (close, a new import) or failed (the messages wait for the next catch-up).
   */
  catchUp(): Promise<void>;
  /** True while a worker runs (an import, or the index catching up). */
  busy(): boolean;
  /** Brackets a write of the app's connection: a running import commits and waits until it is done. */
  writing<T>(fn: () => T): T;
  /** Cancels a running import and waits for its worker to end (at most `waitMs`, then it is stopped). */
  close(waitMs?: number): Promise<void>;
}

/** The SHA-256 (hex) of a file: whether the store already had it (not read past the bound of one file: the store refuses it anyway). */
async function fileId(path: string): Promise<string | undefined> {
  try {
    if ((await stat(path)).size > MAX_ATTACHMENT_BYTES) return undefined;
    return createHash('sha256').update(await readFile(path)).digest('hex');
  } catch {
    return undefined;
  }
}

/** Stores the files an import asks for, one at a time, through the attachment store (each checked as a new add). */
async function storeNeeds(files: AttachmentFiles, needs: AttachmentNeed[], added: Set<string>): Promise<(AttachmentRef | { missing: string })[]> {
  const out: (AttachmentRef | { missing: string })[] = [];
  for (const need of needs) {
    const before = 'data' in need ? need.id : await fileId(need.path);
    const had = before !== undefined && files.describe(before) !== undefined;
    let ref: AttachmentRef;
    try {
      ref = 'data' in need ? await files.add(need.name, need.data) : await files.addPath(need.path);
    } catch (e) {
      // A file refused (too big, not what it says) is left out and named; the disk failing fails the import.
      if (!ParleyError.is(e) || e.code === STORAGE_CODE || e.code === 'cancelled') throw e;
      out.push({ missing: e.message });
      continue;
    }
    if (!had) added.add(ref.id);
    if ('data' in need && ref.id !== need.id) {
      throw new ParleyError('protocol_error', `The file ${JSON.stringify(need.name)} in the Parley export is damaged: its bytes do not match its id.`, {
        hint: 'Export the conversation again from the Parley it came from.',
      });
    }
    out.push(ref);
  }
  return out;
}

export function createImporter(opts: {
  file: string; workerUrl: URL; busyMs: number; batchMs?: number; files?: () => AttachmentFiles | undefined;
  /** After an import, its worker catches the index up (default true); false: only `catchUp` does. */
  catchUpAfterImport?: boolean;
  /** The index's progress as it catches up, and how it ended ('indexed': result; a failure: its message). */
  onIndex?: (e: { progress: IndexProgress } | { result: CatchUpResult } | { error: string }) => void;
}): Importer {
  const control = new Int32Array(new SharedArrayBuffer(32));
  /** The worker running (importing, then perhaps catching the index up; or only catching up), until it exits. */
  let running: { worker: Worker; importing: boolean; exited: Promise<void> } | undefined;
  /** An import waits for a catch-up to stop before its worker starts. */
  let starting = false;

  const start = (path: string | undefined, o: ImportRunOptions = {}, stored?: StoredDuringImport): Promise<ImportResult> => {
    Atomics.store(control, CANCEL, 0);
    Atomics.store(control, STOP, 0);
    Atomics.store(control, HOLDING, 0);
    Atomics.store(control, REPLY, 0);
    const files = path === undefined ? undefined : opts.files?.();
    const channel = files ? new MessageChannel() : undefined;
    const data: ImportWorkerData = {
      file: opts.file, ...(path === undefined ? {} : { path }), catchUp: path === undefined || opts.catchUpAfterImport !== false, busyMs: opts.busyMs, control,
      ...(opts.batchMs === undefined ? {} : { batchMs: opts.batchMs }), ...(channel ? { port: channel.port2 } : {}),
    };
    const worker = new Worker(opts.workerUrl, { workerData: data, ...(channel ? { transferList: [channel.port2] } : {}) });
    const storing: Promise<unknown>[] = [];
    if (stored) stored.settled = () => Promise.allSettled(storing).then(() => undefined);
    const answer = (reply: StoreReply): void => {
      channel?.port1.postMessage(reply);
      Atomics.store(control, REPLY, 1);
      Atomics.notify(control, REPLY);
    };
    const onAbort = (): void => void Atomics.store(control, CANCEL, 1);
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const me = { worker, importing: path !== undefined, exited: Promise.resolve() };
    me.exited = new Promise<void>((resolve) => worker.once('exit', () => {
      if (running === me) running = undefined;
      Atomics.store(control, HOLDING, 0);
      resolve();
    }));
    running = me;
    const done = new Promise<ImportResult>((resolve, reject) => {
      let settled = false;
      worker.on('message', (m: ImportWorkerMessage) => {
        if (m.type === 'progress') o.onProgress?.(m.progress);
        else if (m.type === 'attachments') {
          const job = (files ? storeNeeds(files, m.needs, stored?.added ?? new Set()) : Promise.resolve(m.needs.map(() => ({ missing: 'no attachment store' }))))
            .then((results) => answer({ n: m.n, results }), (e: unknown) => {
              const err = ParleyError.is(e) ? e : new ParleyError(STORAGE_CODE, `Storing an imported file failed (${e instanceof Error ? e.message : String(e)}).`);
              answer({ n: m.n, error: { code: err.code, message: err.message, hint: err.hint } });
            });
          storing.push(job);
        } else if (m.type === 'done') {
          settled = true;
          me.importing = false;
          resolve(m.result);
        } else if (m.type === 'indexing') opts.onIndex?.({ progress: m.progress });
        else if (m.type === 'indexed') opts.onIndex?.({ result: m.result });
        else if (m.type === 'index-error') opts.onIndex?.({ error: m.message });
        else {
          settled = true;
          me.importing = false;
          reject(new ParleyError(m.code as ErrorCode, m.message, { hint: m.hint }));
        }
      });
      worker.on('error', (e) => {
        if (settled) return;
        settled = true;
        reject(new ParleyError(STORAGE_CODE, `The import stopped (${e.message}).`, { hint: 'Import the file again; conversations already imported may need deleting.' }, { cause: e }));
      });
      worker.on('exit', (code) => {
        if (!settled) reject(new ParleyError(STORAGE_CODE, `The import stopped (exit code ${code}).`, { hint: 'Import the file again; conversations already imported may need deleting.' }));
      });
    }).finally(() => {
      channel?.port1.close();
      o.signal?.removeEventListener('abort', onAbort);
      me.importing = false;
    });
    return done;
  };

  return {
    async run(path, o = {}, stored) {
      if (running?.importing || starting) throw new ParleyError('config_invalid', 'An import is already running: wait for it or cancel it first.', { hop: 'config', phase: 'config' });
      if (o.signal?.aborted) throw new ParleyError('cancelled', 'The import was cancelled; nothing was imported.');
      const before = running;
      if (before) {
        // The index catching up stops at the end of its chunk: this import's worker catches up on everything after it.
        starting = true;
        try {
          Atomics.store(control, STOP, 1);
          await before.exited;
        } finally {
          starting = false;
        }
        if (o.signal?.aborted) throw new ParleyError('cancelled', 'The import was cancelled; nothing was imported.');
        if (running) throw new ParleyError('config_invalid', 'An import is already running: wait for it or cancel it first.', { hop: 'config', phase: 'config' });
      }
      return start(path, o, stored);
    },
    catchUp() {
      if (running) return running.exited;
      if (starting) return Promise.resolve();
      void start(undefined).catch(() => undefined);
      return running!.exited;
    },
    busy: () => running !== undefined,
    writing(fn) {
      if (!running) return fn();
      Atomics.add(control, WRITERS, 1);
      try {
        // The worker commits at the end of the conversation (or index chunk) it is writing and then waits for this
        // write: wait for that moment (bounded) rather than in SQLite's busy handler, which polls in growing sleeps.
        const until = Date.now() + opts.busyMs;
        while (Atomics.load(control, HOLDING) === 1 && Date.now() < until) Atomics.wait(control, HOLDING, 1, 20);
        return fn();
      } finally {
        Atomics.sub(control, WRITERS, 1);
        Atomics.notify(control, WRITERS);
      }
    },
    async close(waitMs = 10_000) {
      const r = running;
      if (!r) return;
      Atomics.store(control, CANCEL, 1);
      Atomics.store(control, STOP, 1);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)));
      await Promise.race([r.exited, late]);
      clearTimeout(timer);
      await r.worker.terminate();
    },
  };
}
