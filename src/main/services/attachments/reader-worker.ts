/**
 * What reads a file's contents off main's thread (started per file by reader.ts, which stops it past its time
 * bound): a PDF's text by pdf.js, and a large text file's encoding and text (chardet and TextDecoder take hundreds
 * of milliseconds on megabytes of GBK). Answers one ReaderAnswer, the text as UTF-8 bytes with its counts, and ends.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ReaderAnswer, ReaderJob } from './reader.ts';
import { decodeText, textFacts } from './sniff.ts';

async function pdfText(data: Uint8Array, maxPages: number): Promise<ReaderAnswer> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const task = pdfjs.getDocument({ data, disableFontFace: true, useSystemFonts: false, stopAtErrors: false, verbosity: 0 });
  try {
    let doc;
    try {
      doc = await task.promise;
    } catch (e) {
      return { ok: false, why: (e as { name?: string })?.name === 'PasswordException' ? 'encrypted' : 'damaged', detail: e instanceof Error ? e.message : String(e) };
    }
    const pages = doc.numPages;
    if (pages > maxPages) return { ok: false, why: 'pages', pages };
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
    const text = parts.join('\n\n');
    return text.trim() === '' ? { ok: true, pages, noText: true } : { ok: true, pages, ...textFacts(text) };
  } finally {
    await task.destroy();
  }
}

async function run(job: ReaderJob): Promise<ReaderAnswer> {
  const data = new Uint8Array(job.data);
  if (job.kind === 'pdf') return pdfText(data, job.maxPages);
  const decoded = decodeText(data);
  return decoded ? { ok: true, encoding: decoded.encoding, ...textFacts(decoded.text) } : { ok: false, why: 'binary' };
}

run(workerData as ReaderJob).then(
  // The text's bytes are handed over, not copied (main only writes them to disk).
  (answer) => parentPort?.postMessage(answer, answer.ok && 'utf8' in answer && answer.utf8 ? [answer.utf8.buffer as ArrayBuffer] : []),
  (e: unknown) => parentPort?.postMessage({ ok: false, why: 'damaged', detail: e instanceof Error ? e.message : String(e) } satisfies ReaderAnswer),
);
