/**
 * A PDF's text off main's thread: one worker thread per PDF (pdf-worker.ts, pdf.js's legacy build for Node),
 * memory-capped, terminated when it runs past its time bound. A PDF with no text layer (a scan) is not an error:
 * its text is empty and the caller says so.
 */
import { Worker } from 'node:worker_threads';
import { workerUrlBeside } from '../storage/importer.ts';

export interface PdfJob {
  data: ArrayBuffer;
  maxPages: number;
}

export type PdfAnswer =
  | { ok: true; pages: number; text: string }
  | { ok: false; why: 'encrypted' | 'damaged'; detail: string }
  | { ok: false; why: 'pages'; pages: number };

export type PdfResult = PdfAnswer | { ok: false; why: 'timeout' } | { ok: false; why: 'cancelled' };

export const defaultPdfWorkerUrl = (): URL => workerUrlBeside('pdf-worker', import.meta.url);

export interface PdfReader {
  read(bytes: Uint8Array, opts: { timeoutMs: number; maxPages: number }): Promise<PdfResult>;
  /** Stops every extraction under way (they answer cancelled). */
  close(): Promise<void>;
}

export function createPdfReader(workerUrl: URL = defaultPdfWorkerUrl()): PdfReader {
  const running = new Set<{ worker: Worker; settle: (r: PdfResult) => void }>();
  return {
    read(bytes, opts) {
      // A copy the worker owns (transferred, not cloned again).
      const data = new Uint8Array(bytes).buffer;
      return new Promise<PdfResult>((resolve) => {
        const job: PdfJob = { data, maxPages: opts.maxPages };
        // pdf.js's own memory for a hostile file is bounded here, not in main's heap.
        const worker = new Worker(workerUrl, { workerData: job, transferList: [data], resourceLimits: { maxOldGenerationSizeMb: 512 } });
        const entry = {
          worker,
          settle: (r: PdfResult): void => {
            if (!running.delete(entry)) return;
            clearTimeout(timer);
            void worker.terminate();
            resolve(r);
          },
        };
        running.add(entry);
        const timer = setTimeout(() => entry.settle({ ok: false, why: 'timeout' }), opts.timeoutMs);
        worker.once('message', (m: PdfAnswer) => entry.settle(m));
        worker.once('error', (e) => entry.settle({ ok: false, why: 'damaged', detail: e.message }));
        worker.once('exit', (code) => entry.settle({ ok: false, why: 'damaged', detail: `the reader stopped (${code})` }));
      });
    },
    async close() {
      const all = [...running];
      for (const r of all) r.settle({ ok: false, why: 'cancelled' });
      await Promise.all(all.map((r) => r.worker.terminate()));
    },
  };
}
