/**
 * A PDF's text, read by pdf.js in a worker thread (never main's): started per PDF by pdf.ts, which stops it when it
 * takes longer than its bound. Answers one PdfAnswer and ends.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { PdfAnswer, PdfJob } from './pdf.ts';

async function extract(job: PdfJob): Promise<PdfAnswer> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const task = pdfjs.getDocument({ data: new Uint8Array(job.data), disableFontFace: true, useSystemFonts: false, stopAtErrors: false, verbosity: 0 });
  try {
    let doc;
    try {
      doc = await task.promise;
    } catch (e) {
      return { ok: false, why: (e as { name?: string })?.name === 'PasswordException' ? 'encrypted' : 'damaged', detail: e instanceof Error ? e.message : String(e) };
    }
    const pages = doc.numPages;
    if (pages > job.maxPages) return { ok: false, why: 'pages', pages };
    const parts: string[] = [];
    for (let n = 1; n <= pages; n++) {
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      let text = '';
      for (const item of content.items) {
        if (!('str' in item)) continue;
        text += item.str;
        if (item.hasEOL) text += '\n';
      }
      parts.push(text.replace(/[ \t]+\n/g, '\n').trimEnd());
      page.cleanup();
    }
    return { ok: true, pages, text: parts.join('\n\n') };
  } finally {
    await task.destroy();
  }
}

const job = workerData as PdfJob;
extract(job).then(
  (answer) => parentPort?.postMessage(answer),
  (e: unknown) => parentPort?.postMessage({ ok: false, why: 'damaged', detail: e instanceof Error ? e.message : String(e) } satisfies PdfAnswer),
);
