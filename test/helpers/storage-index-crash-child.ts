/**
 * For the index catch-up crash test (test/unit/storage-index-catch-up.test.ts): opens the store in the folder argv[2],
 * imports the ChatGPT export argv[3] the app's way (a worker, which then catches the search index up), prints
 * `DONE <messages>` once the import has resolved, then `INDEXED <n>` every few ms as the index catches up. The test
 * SIGKILLs it while the index is catching up.
 */
import { pathToFileURL } from 'node:url';
import { openChatStore } from '../../src/main/services/storage/index.ts';

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href && process.argv[3]) {
  const store = openChatStore({ dataDir: process.argv[2]! });
  const r = await store.importFile(process.argv[3]);
  process.stdout.write(`DONE ${r.messages}\n`);
  setInterval(() => process.stdout.write(`INDEXED ${store.stats().indexedMessages}\n`), 2);
}
