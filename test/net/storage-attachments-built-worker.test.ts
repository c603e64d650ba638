/**
 * The import worker as the build emits it (out/main/import-worker.js) asks main's attachment store to store an
 * export's files and waits for the answer (a MessagePort and shared memory): a Parley export with a file comes back
 * with the same bytes. Needs `npm run build` after the worker's sources changed (npm test builds first).
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { attachmentsDirOf, createAttachmentStore, type AttachmentStore } from '../../src/main/services/attachments/index.ts';
import { tempDir, tempStore } from '../helpers/storage.ts';

const BUILT = new URL('../../out/main/import-worker.js', import.meta.url);
const SOURCES = ['import-worker.ts', 'import-file.ts', 'importer.ts', 'transfer.ts', 'attachments.ts', 'chatgpt-files.ts'].map((f) => new URL(`../../src/main/services/storage/${f}`, import.meta.url));

const disks: AttachmentStore[] = [];
afterEach(async () => {
  for (const d of disks.splice(0)) await d.close();
});

it('the built import worker stores a Parley export\'s files through main\'s attachment store', async () => {
  if (!existsSync(BUILT)) throw new Error('out/main/import-worker.js is missing: run `npm run build` first (npm test does).');
  if (SOURCES.some((src) => statSync(src).mtimeMs > statSync(BUILT).mtimeMs)) throw new Error('out/main/import-worker.js is older than its sources: run `npm run build` first (npm test does).');
  const from = tempDir();
  const filesA = createAttachmentStore({ dir: attachmentsDirOf(from) });
  disks.push(filesA);
  const a = tempStore({ dataDir: from, files: filesA, sweepAfterMs: 0 });
  const bytes = Buffer.from('GET https://api.openai.com/v1/models -> 407\n');
  const ref = await filesA.add('proxy.log', bytes);
  const c = a.createConversation({ title: 'built' });
  a.addMessage({ conversationId: c.id, role: 'user', text: 'why?', attachments: [ref] });
  const path = join(tempDir(), 'export.json');
  writeFileSync(path, JSON.stringify(a.exportJson(c.id)));

  const to = tempDir();
  const filesB = createAttachmentStore({ dir: attachmentsDirOf(to) });
  disks.push(filesB);
  const b = tempStore({ dataDir: to, files: filesB, importWorkerUrl: BUILT, sweepAfterMs: 0 });
  const r = await b.importFile(path);
  expect(r).toMatchObject({ format: 'parley', attachments: { stored: 1, missing: 0 } });
  expect(b.pathMessages(r.conversations[0]!.id)[0]!.attachments).toEqual([ref]);
  expect(readFileSync(filesB.path(ref.id)!)).toEqual(bytes);
});
