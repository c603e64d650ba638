/**
 * The main side of an import: one worker thread per import (import-worker.ts), progress as it goes, cancel through
 * shared memory (the worker checks it between conversations, so it stops within one conversation's write), and
 * the app connection's writes given way to (`writing`: the store brackets its own transactions with it).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ParleyError } from '../../core/errors.ts';
import type { ErrorCode } from '../../../shared/errors.ts';
import type { ImportProgress } from '../../../shared/import-progress.ts';
import { STORAGE_CODE } from './limits.ts';
import type { ImportResult } from './transfer.ts';

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
  path: string;
  busyMs: number;
  control: Int32Array;
  batchMs?: number;
}

export type ImportWorkerMessage =
  | { type: 'progress'; progress: ImportProgress }
  | { type: 'done'; result: ImportResult }
  | { type: 'error'; code: string; message: string; hint: string };

/** The slots of `control` (shared memory between main and the worker). */
export const CANCEL = 0;
export const WRITERS = 1;
export const HOLDING = 2;

export interface ImportRunOptions {
  onProgress?: (p: ImportProgress) => void;
  signal?: AbortSignal;
}

export interface Importer {
  /** Imports a file in the worker; rejects with 'cancelled' (nothing imported) when the signal aborts. One at a time. */
  run(path: string, opts?: ImportRunOptions): Promise<ImportResult>;
  /** Brackets a write of the app's connection: a running import commits and waits until it is done. */
  writing<T>(fn: () => T): T;
  /** Cancels a running import and waits for its worker to end (at most `waitMs`, then it is stopped). */
  close(waitMs?: number): Promise<void>;
}

export function createImporter(opts: { file: string; workerUrl: URL; busyMs: number; batchMs?: number }): Importer {
  const control = new Int32Array(new SharedArrayBuffer(12));
  let running: { worker: Worker; done: Promise<unknown> } | undefined;
  return {
    run(path, o = {}) {
      if (running) return Promise.reject(new ParleyError('config_invalid', 'An import is already running: wait for it or cancel it first.', { hop: 'config', phase: 'config' }));
      if (o.signal?.aborted) return Promise.reject(new ParleyError('cancelled', 'The import was cancelled; nothing was imported.'));
      Atomics.store(control, CANCEL, 0);
      Atomics.store(control, HOLDING, 0);
      const data: ImportWorkerData = { file: opts.file, path, busyMs: opts.busyMs, control, ...(opts.batchMs === undefined ? {} : { batchMs: opts.batchMs }) };
      const worker = new Worker(opts.workerUrl, { workerData: data });
      const onAbort = (): void => void Atomics.store(control, CANCEL, 1);
      o.signal?.addEventListener('abort', onAbort, { once: true });
      const done = new Promise<ImportResult>((resolve, reject) => {
        let settled = false;
        worker.on('message', (m: ImportWorkerMessage) => {
          if (m.type === 'progress') o.onProgress?.(m.progress);
          else if (m.type === 'done') {
            settled = true;
            resolve(m.result);
          } else {
            settled = true;
            reject(new ParleyError(m.code as ErrorCode, m.message, { hint: m.hint }));
          }
        });
        worker.on('error', (e) => {
          settled = true;
          reject(new ParleyError(STORAGE_CODE, `The import stopped (${e.message}).`, { hint: 'Import the file again; conversations already imported may need deleting.' }, { cause: e }));
        });
        worker.on('exit', (code) => {
          if (!settled) reject(new ParleyError(STORAGE_CODE, `The import stopped (exit code ${code}).`, { hint: 'Import the file again; conversations already imported may need deleting.' }));
        });
      }).finally(() => {
        o.signal?.removeEventListener('abort', onAbort);
        running = undefined;
        Atomics.store(control, HOLDING, 0);
      });
      running = { worker, done: done.catch(() => undefined) };
      return done;
    },
    writing(fn) {
      if (!running) return fn();
      Atomics.add(control, WRITERS, 1);
      try {
        // The worker commits at the end of the conversation it is writing and then waits for this write: wait for
        // that moment (bounded) rather than in SQLite's busy handler, which polls in growing sleeps (1, 2, 5, 10 ms…).
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
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)));
      await Promise.race([r.done, late]);
      clearTimeout(timer);
      await r.worker.terminate();
    },
  };
}
