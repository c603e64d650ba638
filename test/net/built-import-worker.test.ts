/**
 * The import worker as the build emits it (out/main/import-worker.js, beside the main chunk, as Electron loads it):
 * it imports a ChatGPT export with its progress, then writes the messages' search-index entries. Needs
 * `npm run build` after the worker's sources changed (npm test builds first).
 */
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import type { ImportProgress } from '../../src/shared/import-progress.ts';
import { tempStore } from '../helpers/storage.ts';

const BUILT = new URL('../../out/main/import-worker.js', import.meta.url);
const SOURCES = ['import-worker.ts', 'import-file.ts', 'index-catch-up.ts', 'importer.ts', 'json-array.ts', 'transfer.ts', 'records.ts'].map((f) => new URL(`../../src/main/services/storage/${f}`, import.meta.url));

it('the built import worker imports a ChatGPT export, reports its progress, then catches the search index up', async () => {
  if (!existsSync(BUILT)) throw new Error('out/main/import-worker.js is missing: run `npm run build` first (npm test does).');
  if (SOURCES.some((src) => statSync(src).mtimeMs > statSync(BUILT).mtimeMs)) throw new Error('out/main/import-worker.js is older than its sources: run `npm run build` first (npm test does).');
  const s = tempStore({ importWorkerUrl: BUILT });
  const seen: ImportProgress[] = [];
  const r = await s.importFile(fileURLToPath(new URL('../fixtures/chatgpt-conversations.json', import.meta.url)), { onProgress: (p) => seen.push(p) });
  expect(r.conversations.map((c) => c.title)).toEqual(['Proxy setup help', '网络代理截图']);
  expect(seen.at(-1)).toMatchObject({ phase: 'importing', conversations: 2, messages: 7 });
  expect(s.stats().messages).toBe(7);
  await s.catchUpIndex();
  expect(s.stats()).toMatchObject({ indexedMessages: 7, unindexedMessages: 0 });
});
