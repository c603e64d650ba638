/**
 * The main side of search: one worker thread (started by warm() once the app is idle after its start, else by
 * the first search; restarted if it dies or is stopped), one query at a time in order, each with a time bound
 * from when the worker gets it (starting the worker has its own bound). A query past its bound ends as an error
 * and the worker is replaced (SQLite cannot be interrupted from outside); queries queued behind it go to the new
 * one. A query with a `supersede` key replaces a query of the same key still waiting in the queue (a window
 * typing: only its latest query runs); the replaced one ends as SUPERSEDED.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ParleyError } from '../../core/errors.ts';
import type { SearchHit } from '../../../shared/chat.ts';
import { storageError } from './db.ts';
import { STORAGE_CODE } from './limits.ts';
import type { SearchRequest, SearchResponse } from './search-worker.ts';

/** The message of the 'cancelled' error a query replaced by a newer one of the same key ends with. */
export const SUPERSEDED = 'A newer search replaced this one.';

export interface SearchClient {
  search(query: string, limit: number, supersede?: string): Promise<SearchHit[]>;
  /** Starts the worker now if none runs, so the first search does not wait for it (it keeps no process alive). */
  warm(): void;
  /** Stops the worker; pending searches fail. */
  close(): Promise<void>;
}

/**
 * Where the worker script is: `search-worker` with this module's own extension (.ts when run from source,
 * .js when bundled), next to this module, or one folder up (electron-vite puts shared chunks in
 * out/main/chunks/ and entries, the worker among them, in out/main/).
 */
export function defaultWorkerUrl(moduleUrl: string = import.meta.url): URL {
  const ext = /\.[cm]?[jt]s$/.exec(new URL(moduleUrl).pathname)?.[0] ?? '.js';
  const name = `search-worker${ext}`;
  const candidates = [new URL(name, moduleUrl), new URL(`../${name}`, moduleUrl)];
  return candidates.find((u) => u.protocol !== 'file:' || existsSync(fileURLToPath(u))) ?? candidates[0]!;
}

interface Pending {
  req: SearchRequest;
  key: string | undefined;
  resolve: (hits: SearchHit[]) => void;
  reject: (e: unknown) => void;
}

export function createSearchClient(opts: { file: string; workerUrl: URL; timeoutMs: number }): SearchClient {
  const startMs = Math.max(10_000, opts.timeoutMs);
  let worker: Worker | undefined;
  /** The worker has opened its connection and takes queries. */
  let ready = false;
  let closed = false;
  let nextId = 1;
  const queue: Pending[] = [];
  let inflight: { p: Pending; timer: NodeJS.Timeout } | undefined;

  /** Ends the query in flight (if it is `id`), then sends the next one. */
  const finish = (id: number, outcome: (p: Pending) => void): void => {
    if (!inflight || inflight.p.req.id !== id) return;
    const { p, timer } = inflight;
    clearTimeout(timer);
    inflight = undefined;
    outcome(p);
    pump();
  };

  const start = (): Worker => {
    const w = new Worker(opts.workerUrl, { workerData: { file: opts.file } });
    ready = false;
    // Starting is bounded apart from the queries (loading the script can take a while on a busy machine).
    const startup = setTimeout(() => {
      if (worker === w && !ready) {
        died(`it did not start within ${Math.round(startMs / 1000)} s`);
        void w.terminate();
      }
    }, startMs);
    startup.unref();
    w.on('message', (res: SearchResponse | { ready: true }) => {
      if ('ready' in res) {
        clearTimeout(startup);
        if (worker === w) {
          ready = true;
          pump();
        }
        return;
      }
      finish(res.id, (p) => {
        if (res.ok) return p.resolve(res.hits);
        const e = Object.assign(new Error(res.message), res.errcode === undefined ? {} : { code: 'ERR_SQLITE_ERROR', errcode: res.errcode });
        p.reject(storageError(e, opts.file, 'searching'));
      });
    });
    function died(why: string): void {
      clearTimeout(startup);
      if (worker !== w) return;
      worker = undefined;
      ready = false;
      const err = new ParleyError(STORAGE_CODE, `The search worker stopped (${why}); the search was not finished.`, {
        hint: 'Search again: Parley starts a new search worker.',
      });
      if (inflight) finish(inflight.p.req.id, (p) => p.reject(err));
      // A worker that cannot start fails the queries waiting for it (rather than restarting forever).
      else for (const p of queue.splice(0)) p.reject(err);
    }
    w.on('error', (e) => died(e.message));
    w.on('exit', (code) => died(`exit code ${code}`));
    return w;
  };

  const timedOut = (id: number): void => {
    // The worker is stuck in SQLite, which cannot be interrupted from outside: replace it.
    const old = worker;
    worker = undefined;
    ready = false;
    void old?.terminate();
    finish(id, (p) => p.reject(new ParleyError('request_timeout', `The search for ${JSON.stringify(p.req.query)} took longer than ${opts.timeoutMs / 1000} s and was stopped.`, {
      hint: 'Search for a longer or more specific text.',
    })));
  };

  /** One query at a time; its time bound starts when the worker gets it. */
  const pump = (): void => {
    if (inflight || closed) return;
    const p = queue.shift();
    if (!p) {
      worker?.unref();
      return;
    }
    if (!worker || !ready) {
      // Sent once the worker says it is ready.
      queue.unshift(p);
      worker ??= start();
      worker.ref();
      return;
    }
    worker.ref();
    inflight = { p, timer: setTimeout(() => timedOut(p.req.id), opts.timeoutMs) };
    worker.postMessage(p.req);
  };

  return {
    search(query, limit, supersede) {
      if (closed) return Promise.reject(new ParleyError('cancelled', 'The chat storage is closed.'));
      return new Promise<SearchHit[]>((resolve, reject) => {
        if (supersede !== undefined) {
          for (let i = queue.length - 1; i >= 0; i--) {
            const p = queue[i]!;
            if (p.key !== supersede) continue;
            queue.splice(i, 1);
            p.reject(new ParleyError('cancelled', SUPERSEDED));
          }
        }
        queue.push({ req: { id: nextId++, query, limit }, key: supersede, resolve, reject });
        pump();
      });
    },
    warm() {
      if (closed || worker) return;
      worker = start();
      worker.unref();
    },
    async close() {
      closed = true;
      const err = new ParleyError('cancelled', 'The chat storage was closed during the search.');
      if (inflight) {
        clearTimeout(inflight.timer);
        inflight.p.reject(err);
        inflight = undefined;
      }
      for (const p of queue.splice(0)) p.reject(err);
      const w = worker;
      worker = undefined;
      if (w) await w.terminate();
    },
  };
}
