/**
 * For the crash test (test/unit/storage.test.ts): opens the store in the folder given as argv[2], starts a
 * streaming answer and keeps writing its text; prints `STEP <n>` after each committed write (the text is
 * crashText(n)) and `READY <messageId>` after the third. The test SIGKILLs it mid-stream.
 */
import { pathToFileURL } from 'node:url';
import { openChatStore } from '../../src/main/services/storage/index.ts';

export const crashText = (n: number): string => Array.from({ length: n }, (_, k) => `chunk ${k} 数据`).join(' ');

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href && process.argv[2]) {
  const store = openChatStore({ dataDir: process.argv[2] });
  const c = store.createConversation({ title: 'crash' });
  store.addMessage({ conversationId: c.id, role: 'user', text: 'question' });
  const m = store.addMessage({ conversationId: c.id, role: 'assistant', status: 'streaming' });
  let n = 0;
  setInterval(() => {
    n++;
    store.updateMessage(m.id, { text: crashText(n), reasoning: `thinking ${n}` });
    process.stdout.write(`STEP ${n}\n`);
    if (n === 3) process.stdout.write(`READY ${m.id}\n`);
  }, 5);
}
