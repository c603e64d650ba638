/**
 * A file's contents read off main's thread: one worker thread per file (reader-worker.ts), memory-capped and
 * terminated when it runs past its time bound. PDFs' text by pdf.js (its legacy build for Node); a large text
 * file's encoding and text. A PDF with no text layer (a scan) is not an error: its text is empty and the caller
 * says so.
 */
import { Worker } from 'node:worker_threads';
import { workerUrlBeside } from '../storage/importer.ts';
import type { TextFacts } from './sniff.ts';

export type ReaderJob = { kind: 'pdf'; data: ArrayBuffer; maxPages: number } | { kind: 'text'; data: ArrayBuffer };

export type ReaderAnswer =
  | ({ ok: true; pages: number; noText?: undefined } & TextFacts)
  | { ok: true; pages: number; noText: true; utf8?: undefined }
  | ({ ok: true; encoding: string; pages?: undefined } & TextFacts)
  | { ok: false; why: 'encrypted' | 'damaged'; detail: string }
  | { ok: false; why: 'pages'; pages: number }
  | { ok: false; why: 'binary' };

export type ReaderResult = ReaderAnswer | { ok: false; why: 'timeout' } | { ok: false; why: 'cancelled' };

export type PdfResult = Exclude<ReaderResult, { encoding: string } | { why: 'binary' }>;
export type TextResult = ({ ok: true; encoding: string } & TextFacts) | { ok: false; why: 'binary' | 'timeout' | 'cancelled' | 'damaged' };

export const defaultReaderWorkerUrl = (): URL => workerUrlBeside('reader-worker', import.meta.url);

export interface Reader {
  pdf(bytes: Uint8Array, opts: { timeoutMs: number; maxPages: number }): Promise<PdfResult>;
  text(bytes: Uint8Array, opts: { timeoutMs: number }): Promise<TextResult>;
  /** Stops every read under way (they answer cancelled). */
  close(): Promise<void>;
}

export function createReader(workerUrl: URL = defaultReaderWorkerUrl()): Reader {
  const running = new Set<{ worker: Worker; settle: (r: ReaderResult) => void }>();
  function run(job: ReaderJob, timeoutMs: number): Promise<ReaderResult> {
    return new Promise<ReaderResult>((resolve) => {
      // pdf.js's memory for a hostile file is bounded here, not in main's heap.
      const worker = new Worker(workerUrl, { workerData: job, transferList: [job.data], resourceLimits: { maxOldGenerationSizeMb: 512 } });
      const entry = {
        worker,
        settle: (r: ReaderResult): void => {
          if (!running.delete(entry)) return;
          clearTimeout(timer);
          void worker.terminate();
          resolve(r);
        },
      };
      running.add(entry);
      const timer = setTimeout(() => entry.settle({ ok: false, why: 'timeout' }), timeoutMs);
      worker.once('message', (m: ReaderAnswer) => entry.settle(m));
      worker.once('error', (e) => entry.settle({ ok: false, why: 'damaged', detail: e.message }));
      worker.once('exit', (code) => entry.settle({ ok: false, why: 'damaged', detail: `the reader stopped (${code})` }));
    });
  }
  // A copy the worker owns (transferred, not cloned again).
  const own = (bytes: Uint8Array): ArrayBuffer => new Uint8Array(bytes).buffer;
  return {
    pdf: async (bytes, opts) => (await run({ kind: 'pdf', data: own(bytes), maxPages: opts.maxPages }, opts.timeoutMs)) as PdfResult,
    async text(bytes, opts) {
      const r = await run({ kind: 'text', data: own(bytes) }, opts.timeoutMs);
      if (r.ok) return 'encoding' in r && r.encoding !== undefined ? { ok: true, encoding: r.encoding, chars: r.chars, keptChars: r.keptChars, utf8: r.utf8 } : { ok: false, why: 'damaged' };
      return r.why === 'binary' || r.why === 'timeout' || r.why === 'cancelled' ? { ok: false, why: r.why } : { ok: false, why: 'damaged' };
    },
    async close() {
      const all = [...running];
      for (const r of all) r.settle({ ok: false, why: 'cancelled' });
      await Promise.all(all.map((r) => r.worker.terminate()));
    },
  };
}
