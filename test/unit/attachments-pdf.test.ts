/**
 * PDF text is read off main's thread: a 100-page PDF's extraction leaves main's event loop free (its longest delay
 * measured while extracting), and a PDF that takes longer than its bound is stopped and refused, leaving nothing.
 */
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterEach, expect, it } from 'vitest';
import { createAttachmentStore, type AttachmentStore } from '../../src/main/services/attachments/index.ts';
import { filesIn, hundredPagePdf, tempFolder } from '../helpers/attachment-files.ts';

const stores: AttachmentStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});
const newStore = (pdfTimeoutMs?: number): AttachmentStore => {
  const s = createAttachmentStore({ dir: join(tempFolder(), 'attachments'), ...(pdfTimeoutMs ? { pdfTimeoutMs } : {}) });
  stores.push(s);
  return s;
};

it('extracting a 100-page PDF does not block main: the event loop never waits 50 ms', { timeout: 60_000 }, async () => {
  const pdf = await hundredPagePdf();
  const s = newStore();
  // Warm: the first worker loads pdf.js from disk (in the worker too, but the file cache is then warm for the measure).
  await s.add('warm.pdf', pdf);
  await s.remove(await s.ids());
  const h = monitorEventLoopDelay({ resolution: 5 });
  let worstTick = 0;
  let last = performance.now();
  const tick = setInterval(() => {
    const now = performance.now();
    worstTick = Math.max(worstTick, now - last - 5);
    last = now;
  }, 5);
  h.enable();
  const t0 = performance.now();
  const ref = await s.add('hundred.pdf', pdf);
  const ms = performance.now() - t0;
  h.disable();
  clearInterval(tick);
  const maxLagMs = h.max / 1e6;
  console.log(`100-page PDF: extracted ${ref.chars} chars in ${Math.round(ms)} ms; main's event loop: max delay ${maxLagMs.toFixed(1)} ms (histogram), worst timer lateness ${worstTick.toFixed(1)} ms`);
  expect(ref).toMatchObject({ kind: 'pdf', pages: 100 });
  expect(ref.chars).toBeGreaterThan(100 * 40 * 60);
  expect((await s.textFor(ref.id))).toContain('Page 100, line 40: through the corporate proxy');
  expect(maxLagMs).toBeLessThan(50);
  expect(worstTick).toBeLessThan(50);
});

it('a PDF that takes longer than the bound is stopped and refused, and nothing stays', { timeout: 30_000 }, async () => {
  const s = newStore(30);
  const t0 = performance.now();
  let error: { code?: string; message?: string; detail?: { key?: string; params?: Record<string, unknown> } } | undefined;
  try {
    await s.add('slow.pdf', await hundredPagePdf());
  } catch (e) {
    error = e as typeof error;
  }
  expect(performance.now() - t0).toBeLessThan(5000);
  expect(error?.code).toBe('attachment_invalid');
  expect(error?.detail).toMatchObject({ key: 'attachment_pdf_timeout', params: { name: 'slow.pdf', seconds: 0 } });
  expect(filesIn(s.dir)).toEqual([]);
});
