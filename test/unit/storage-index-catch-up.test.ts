/**
 * The search index catching up after an import (index-catch-up.ts; issue 17): an import stores its messages without
 * their index entries and reports done; the worker then writes them, off main, giving way to the app's writes. It
 * resumes when the store opens again after a quit or a crash, a message edited or deleted before it was indexed is
 * handled as one never indexed, a new import or closing the store stops it (nothing lost), and search finds the
 * messages at every point (the test of that is in storage-import-file.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { writeChatGptExport } from '../helpers/chatgpt-export.ts';
import { rawDb, tempDir, tempStore } from '../helpers/storage.ts';
import { wrapDb } from '../../src/main/services/storage/db.ts';
import type { ChatStore } from '../../src/main/services/storage/index.ts';
import { indexUnindexed } from '../../src/main/services/storage/records.ts';

const fixture = fileURLToPath(new URL('../fixtures/chatgpt-conversations.json', import.meta.url));

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The indexes hold exactly the indexed messages' text: FTS5's own check, and one short-word entry per message. */
function checkIndexes(file: string, messages: number): void {
  const db = rawDb(file, false);
  try {
    db.exec("INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)");
    db.exec("INSERT INTO messages_grams(messages_grams, rank) VALUES ('integrity-check', 1)");
    expect((db.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check).toBe('ok');
    // Every message but the streaming ones is in the short-word index (its row count is its docsize-less doclist: count by rowid).
    const grams = db.prepare('SELECT count(*) AS n FROM messages m WHERE EXISTS (SELECT 1 FROM messages_grams g WHERE g.rowid = m.seq)').get() as { n: number };
    expect(grams.n).toBe(messages);
    expect(db.prepare("SELECT count(*) AS n FROM messages WHERE indexed = 0 AND status <> 'streaming'").get()).toEqual({ n: 0 });
    for (const t of ['messages_fts', 'messages_grams']) expect(db.prepare(`SELECT v FROM ${t}_config WHERE k = 'automerge'`).get()).toEqual({ v: 4 });
  } finally {
    db.close();
  }
}

const textsOf = async (s: ChatStore, q: string): Promise<string[]> => (await s.search(q)).map((h) => (h.messageId === null ? `title: ${h.conversationTitle}` : s.getMessage(h.messageId)!.text));

describe('the search index catches up after an import', { timeout: 60_000 }, () => {
  it('by itself, right after the import, off main: the app writes meanwhile without waiting long', async () => {
    const s = tempStore();
    const file = join(tempDir(), 'conversations.json');
    const made = writeChatGptExport(file, { bytes: 4 * 1024 * 1024 });
    const r = await s.importFile(file);
    expect(r.messages).toBe(made.messages);
    // Done means the conversations are there; their index entries are still being written.
    expect(s.stats().unindexedMessages).toBeGreaterThan(0);
    const mine = s.createConversation({ title: 'written while the index catches up' });
    let longestWrite = 0;
    let writes = 0;
    const writer = setInterval(() => {
      const t = performance.now();
      s.addMessage({ conversationId: mine.id, role: 'user', text: `message ${writes++} while indexing` });
      longestWrite = Math.max(longestWrite, performance.now() - t);
    }, 15);
    try {
      await s.catchUpIndex();
    } finally {
      clearInterval(writer);
    }
    expect(s.stats()).toMatchObject({ messages: made.messages + writes, indexedMessages: made.messages + writes, unindexedMessages: 0 });
    expect(writes).toBeGreaterThan(3);
    // A write waits at most for the chunk being indexed (about 25 ms), not a whole transaction or the catch-up; the
    // bound is generous for a loaded machine (the benchmark gives the figure).
    expect(longestWrite).toBeLessThan(250);
    checkIndexes(s.file, made.messages + writes);
    expect((await textsOf(s, 'while indexing')).length).toBeGreaterThan(0);
  });

  it('resumes when the store opens again after a quit before it was done', async () => {
    const dir = tempDir();
    const a = tempStore({ dataDir: dir, indexAfterMs: 0 });
    const r = await a.importFile(fixture);
    expect(a.stats()).toMatchObject({ messages: 7, unindexedMessages: 7 });
    await a.close();
    const b = tempStore({ dataDir: dir, indexAfterMs: 20 });
    // Found before the index is back (read directly), and after.
    expect(await textsOf(b, 'pip 也需要')).toHaveLength(1);
    await until(() => b.stats().unindexedMessages === 0, 20_000, 'the index to catch up after the start');
    expect(b.stats().indexedMessages).toBe(7);
    checkIndexes(b.file, 7);
    expect((await b.search('pip 也需要')).map((h) => h.conversationId)).toEqual([r.conversations[0]!.id]);
  });

  it('a process killed while the index catches up loses nothing: the next start finishes it', async () => {
    const dir = tempDir();
    const file = join(dir, 'conversations.json');
    const made = writeChatGptExport(file, { bytes: 8 * 1024 * 1024 });
    const child = spawn(process.execPath, [fileURLToPath(new URL('../helpers/storage-index-crash-child.ts', import.meta.url)), dir, file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const indexed = (): number => Number(/INDEXED (\d+)\n(?!.*INDEXED)/s.exec(out)?.[1] ?? 0);
    try {
      await until(() => indexed() > 0 || child.exitCode !== null, 40_000, `the child to start indexing (${out.slice(-200)} ${err})`);
    } finally {
      child.kill('SIGKILL');
    }
    await once(child, 'exit').catch(() => undefined);
    expect(out).toContain(`DONE ${made.messages}`);
    const s = tempStore({ dataDir: dir, indexAfterMs: 20 });
    const st = s.stats();
    expect(st.messages).toBe(made.messages);
    // Killed in the middle: some indexed, some not (the import's rows all committed).
    expect(st.unindexedMessages).toBeGreaterThan(0);
    await until(() => s.stats().unindexedMessages === 0, 40_000, 'the index to catch up after the crash');
    checkIndexes(s.file, made.messages);
  });

  it("a chunk's entries are written as one segment of each index, not one per message", async () => {
    const s = tempStore({ indexAfterMs: 0 });
    const file = join(tempDir(), 'conversations.json');
    writeChatGptExport(file, { bytes: 200 * 1024 });
    const r = await s.importFile(file);
    expect(r.messages).toBeGreaterThan(100);
    const raw = rawDb(s.file, false);
    try {
      // No merging, so the segments written are the segments there.
      for (const t of ['messages_fts', 'messages_grams']) raw.exec(`INSERT INTO ${t}(${t}, rank) VALUES ('automerge', 0); INSERT INTO ${t}(${t}, rank) VALUES ('crisismerge', 1999);`);
      const db = wrapDb(raw, s.file);
      // Two chunks, the newest first (FTS5 starts a segment whenever a rowid is lower than the one before).
      expect(db.tx(() => indexUnindexed(db, 50) + indexUnindexed(db, 50))).toBe(100);
      for (const t of ['messages_fts', 'messages_grams']) expect([t, raw.prepare(`SELECT count(DISTINCT segid) AS n FROM ${t}_idx`).get()]).toEqual([t, { n: 2 }]);
    } finally {
      raw.close();
    }
  });

  it('a message edited or deleted before it was indexed: the edit indexes it, a delete removes only what was indexed', async () => {
    const s = tempStore({ indexAfterMs: 0 });
    const r = await s.importFile(fixture);
    const [proxy, shot] = r.conversations;
    const path = s.pathMessages(proxy!.id);
    expect(s.stats().unindexedMessages).toBe(7);
    // An edit: indexed with its new text at once; the old text is not found.
    s.updateMessage(path[0]!.id, { text: 'How do I set a tangerine proxy?' });
    expect(await textsOf(s, 'tangerine')).toEqual(['How do I set a tangerine proxy?']);
    expect(await textsOf(s, 'corporate firewall')).toEqual([]);
    expect(s.stats().unindexedMessages).toBe(6);
    // A change that keeps the text indexes it too.
    s.updateMessage(path[1]!.id, { model: 'gpt-x' });
    expect(s.stats().unindexedMessages).toBe(5);
    // Deletes of messages never indexed (the last of a path, then a whole conversation).
    s.deleteMessage(path.at(-1)!.id);
    expect(s.deleteConversation(shot!.id)).toBe(true);
    // Left waiting: the first conversation's other version of an answer, and its question about pip.
    expect(s.stats()).toMatchObject({ messages: 4, unindexedMessages: 2 });
    await s.catchUpIndex();
    expect(s.stats()).toMatchObject({ messages: 4, indexedMessages: 4, unindexedMessages: 0 });
    checkIndexes(s.file, 4);
    expect(await textsOf(s, 'tangerine')).toEqual(['How do I set a tangerine proxy?']);
    expect(await textsOf(s, 'corporate firewall')).toEqual([]);
    // A streaming answer is neither caught up nor found (FTS5's check reads every row, so it runs once it is complete).
    const streaming = s.addMessage({ conversationId: proxy!.id, role: 'assistant', text: 'streaming kumquat words', status: 'streaming' });
    expect(s.stats()).toMatchObject({ messages: 5, unindexedMessages: 0 });
    await s.catchUpIndex();
    expect(s.stats()).toMatchObject({ indexedMessages: 4, streamingMessages: 1 });
    expect(await textsOf(s, 'kumquat')).toEqual([]);
    s.updateMessage(streaming.id, { status: 'complete' });
    expect(await textsOf(s, 'kumquat')).toEqual(['streaming kumquat words']);
    checkIndexes(s.file, 5);
  });

  it('a new import stops the catch-up and its own worker finishes it; closing the store stops it and the next start resumes', async () => {
    const dir = tempDir();
    const file = join(dir, 'conversations.json');
    const made = writeChatGptExport(file, { bytes: 6 * 1024 * 1024 });
    const s = tempStore({ dataDir: dir });
    await s.importFile(file);
    const waiting = s.stats().unindexedMessages;
    expect(waiting).toBeGreaterThan(0);
    // The second import does not wait for the first one's index (it stops it at the end of a chunk).
    const second = await s.importFile(fixture);
    expect(second.messages).toBe(7);
    expect(s.stats().unindexedMessages).toBeGreaterThan(0);
    await s.catchUpIndex();
    checkIndexes(s.file, made.messages + 7);

    // Closing while a catch-up runs ends promptly; what was indexed stays, the rest is done at the next start.
    await s.importFile(file);
    const t = performance.now();
    await s.close();
    expect(performance.now() - t).toBeLessThan(5_000);
    const again = tempStore({ dataDir: dir, indexAfterMs: 20 });
    expect(again.stats().messages).toBe(2 * made.messages + 7);
    await until(() => again.stats().unindexedMessages === 0, 40_000, 'the index to catch up after the restart');
    checkIndexes(again.file, 2 * made.messages + 7);
  });
});
