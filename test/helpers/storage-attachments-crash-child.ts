/**
 * For the attachments crash test (test/unit/storage-attachments.test.ts): opens the store in the folder given as
 * argv[2] and keeps adding questions that carry three files each (refs only: the rows are what is tested), and
 * deleting every third one; prints `STEP <n>` after each committed write. The test SIGKILLs it mid-way.
 */
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { openChatStore } from '../../src/main/services/storage/index.ts';
import type { AttachmentRef } from '../../src/shared/attachments.ts';

export const crashRef = (k: number): AttachmentRef => ({
  id: createHash('sha256').update(`file ${k}`).digest('hex'), name: `file-${k}.txt`, kind: 'text', mime: 'text/plain', size: 10 + k, encoding: 'utf-8', chars: 10 + k,
});

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href && process.argv[2]) {
  const store = openChatStore({ dataDir: process.argv[2] });
  const c = store.createConversation({ title: 'crash' });
  let n = 0;
  setInterval(() => {
    for (let i = 0; i < 20; i++) {
      n++;
      const m = store.addMessage({ conversationId: c.id, role: 'user', text: `question ${n}`, attachments: [crashRef(n % 7), crashRef((n + 1) % 7), crashRef(n + 100)] });
      if (n % 3 === 0) store.deleteMessage(m.id);
      process.stdout.write(`STEP ${n}\n`);
    }
  }, 1);
}
