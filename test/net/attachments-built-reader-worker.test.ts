/**
 * The attachments' reader worker as the build emits it (out/main/reader-worker.js, beside the main chunk, as
 * Electron loads it): a PDF's text with pdf.js from node_modules, and a large GBK file's text. Needs `npm run build`
 * after the worker's sources changed (npm test builds first).
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createAttachmentStore, type AttachmentStore } from '../../src/main/services/attachments/index.ts';
import { CHINESE, gbk, tempFolder, textPdf } from '../helpers/attachment-files.ts';

const BUILT = new URL('../../out/main/reader-worker.js', import.meta.url);
const SOURCES = ['reader-worker.ts', 'reader.ts', 'sniff.ts'].map((f) => new URL(`../../src/main/services/attachments/${f}`, import.meta.url));

const stores: AttachmentStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

it('the built reader worker reads a PDF\'s text and a large GBK file', async () => {
  if (!existsSync(BUILT)) throw new Error('out/main/reader-worker.js is missing: run `npm run build` first (npm test does).');
  if (SOURCES.some((src) => statSync(src).mtimeMs > statSync(BUILT).mtimeMs)) throw new Error('out/main/reader-worker.js is older than its sources: run `npm run build` first (npm test does).');
  const s = createAttachmentStore({ dir: join(tempFolder(), 'attachments'), workerUrl: BUILT });
  stores.push(s);
  const ref = await s.add('built.pdf', await textPdf(3));
  expect(ref).toMatchObject({ kind: 'pdf', pages: 3 });
  expect(await s.textFor(ref.id)).toContain('Page 3: the proxy answered 407.');
  const long = CHINESE.repeat(2000);
  const text = await s.add('长.txt', gbk(long));
  expect(text).toMatchObject({ kind: 'text', encoding: 'gb18030', chars: long.length });
  expect(await s.textFor(text.id)).toBe(long);
});
