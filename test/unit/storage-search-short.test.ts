/**
 * Search as the user types: queries of 1 or 2 characters answered from the short-word index (grams.ts) rather
 * than a scan of every message, the same hits as before; a window's waiting query replaced by its next one; the
 * search worker started ahead of the first search.
 */
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { DatabaseSync } from 'node:sqlite';
import { createSearcher } from '../../src/main/services/storage/search-sql.ts';
import { SUPERSEDED } from '../../src/main/services/storage/search.ts';
import { applyMigrations, MIGRATIONS } from '../../src/main/services/storage/migrations.ts';
import { prng } from '../../scripts/ui-common.ts';
import { rawDb, tempDir, tempStore } from '../helpers/storage.ts';

const asciiLower = (s: string): string => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());

/**
 * A read-only connection whose LIKE counts the message texts it is asked about (SQLite lets a connection
 * override like()): how many messages a search reads to answer. Same meaning as SQLite's LIKE for the
 * search's patterns (%literal% with \ escapes, A–Z folded).
 */
function countingConnection(file: string, texts: Set<string>): { db: DatabaseSync; read: () => number } {
  const db = rawDb(file);
  let n = 0;
  const like = (pattern: unknown, subject: unknown): number => {
    if (typeof subject !== 'string' || typeof pattern !== 'string') return 0;
    if (texts.has(subject)) n++;
    const literal = pattern.slice(1, -1).replace(/\\(.)/g, '$1');
    return asciiLower(subject).includes(asciiLower(literal)) ? 1 : 0;
  };
  db.function('like', { deterministic: true }, (p: unknown, s: unknown) => like(p, s));
  db.function('like', { deterministic: true }, (p: unknown, s: unknown, _e: unknown) => like(p, s));
  return { db, read: () => n };
}

describe('short queries (1 or 2 characters)', () => {
  it('read only the messages that hold them: none when nothing matches, at most the limit when many do', () => {
    const s = tempStore();
    const c = s.createConversation({ title: 'notes' });
    const texts = new Set<string>();
    for (let i = 0; i < 600; i++) {
      const text = `${i % 3 === 0 ? '网络' : 'ok'} #${i} the proxy answered in time`;
      texts.add(text);
      s.addMessage({ conversationId: c.id, role: i % 2 ? 'assistant' : 'user', text });
    }
    const { db, read } = countingConnection(s.file, texts);
    try {
      const search = createSearcher(db);
      // Before: a LIKE over every one of the 600 messages to say "nothing".
      expect(search('qz', 50)).toEqual([]);
      expect(search('Q', 50)).toEqual([]);
      expect(search('龘', 50)).toEqual([]);
      expect(read()).toBe(0);
      // Many hits: newest first, and only as many messages read as are returned (before: 150 for 50 hits of '网').
      const hits = search('网', 50);
      expect(hits).toHaveLength(50);
      expect(hits.map((h) => h.snippet.match(/#(\d+)/)?.[1])).toEqual(Array.from({ length: 50 }, (_, k) => String(597 - 3 * k)));
      expect(read()).toBe(50);
    } finally {
      db.close();
    }
  });

  it('find exactly the messages a substring match finds (A–Z folded only; CJK, emoji, punctuation, LIKE wildcards literal)', () => {
    const alphabet = ['a', 'B', 'b', 'É', 'é', '网', '络', '😀', '%', '_', '\\', '"', '*', '1', '-', ' ', '\n', '\u3000'];
    const rand = prng(17);
    const s = tempStore();
    const c = s.createConversation({ title: '' });
    const msgs: { id: string; text: string }[] = [];
    for (let i = 0; i < 150; i++) {
      const n = 1 + Math.floor(rand() * 12);
      const text = Array.from({ length: n }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
      msgs.push({ id: s.addMessage({ conversationId: c.id, role: 'user', text }).id, text });
    }
    const db = rawDb(s.file);
    try {
      const search = createSearcher(db);
      const letters = alphabet.filter((ch) => ch.trim() !== '');
      const queries = [...letters, ...letters.flatMap((a) => letters.map((b) => a + b)), 'a b', 'B 网', '网 😀 %'];
      for (const q of queries) {
        const words = q.split(/\s+/);
        const want = msgs.filter((m) => words.every((w) => asciiLower(m.text).includes(asciiLower(w)))).map((m) => m.id).sort();
        const got = search(q, 200).flatMap((h) => (h.messageId ? [h.messageId] : [])).sort();
        expect(got, JSON.stringify(q)).toEqual(want);
      }
    } finally {
      db.close();
    }
  });

  it('a deleted message or conversation leaves the short-word index (nothing of its text stays behind)', async () => {
    const s = tempStore();
    const a = s.createConversation({ title: 'a' });
    const b = s.createConversation({ title: 'b' });
    const gone = s.addMessage({ conversationId: a.id, role: 'user', text: 'keep ζψ here' });
    s.addMessage({ conversationId: a.id, role: 'assistant', text: 'stays' });
    s.addMessage({ conversationId: b.id, role: 'user', text: 'also ωφ in here' });
    const terms = (): string[] => {
      const db = rawDb(s.file);
      try {
        db.exec("CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, messages_grams, 'row')");
        return (db.prepare('SELECT term FROM temp.v').all() as { term: string }[]).map((r) => r.term);
      } finally {
        db.close();
      }
    };
    const zeta = `${'ζ'.codePointAt(0)!.toString(16)}x${'ψ'.codePointAt(0)!.toString(16)}`;
    const omega = `${'ω'.codePointAt(0)!.toString(16)}x${'φ'.codePointAt(0)!.toString(16)}`;
    expect(terms()).toEqual(expect.arrayContaining([zeta, omega]));
    expect((await s.search('ζψ')).map((h) => h.messageId)).toEqual([gone.id]);
    s.deleteMessage(gone.id);
    expect(terms()).not.toContain(zeta);
    expect(await s.search('ζψ')).toEqual([]);
    s.deleteConversation(b.id);
    expect(terms()).not.toContain(omega);
    expect(await s.search('ωφ')).toEqual([]);
  });

  it('a database from before the index gets it for the messages it holds', async () => {
    const dir = tempDir();
    const db = rawDb(join(dir, 'parley.db'), false);
    applyMigrations(db, MIGRATIONS, 4);
    db.exec(`INSERT INTO conversations (seq, id, title, created_at, updated_at) VALUES (1, 'c1', 'old', 1, 1);
      INSERT INTO messages (seq, id, conversation_id, role, text, status, created_at, updated_at, indexed) VALUES (256, 'm1', 'c1', 'user', 'an old 网 message', 'complete', 1, 1, 1);
      INSERT INTO messages_fts(rowid, text) VALUES (256, 'an old 网 message');`);
    db.close();
    const s = tempStore({ dataDir: dir });
    expect((await s.search('网')).map((h) => h.messageId)).toEqual(['m1']);
    const texts = new Set(['an old 网 message']);
    const { db: counting, read } = countingConnection(s.file, texts);
    try {
      expect(createSearcher(counting)('qz', 50)).toEqual([]);
      expect(read()).toBe(0);
    } finally {
      counting.close();
    }
  });
});

describe('the search worker while typing', () => {
  const testWorker = pathToFileURL(fileURLToPath(new URL('../helpers/storage-test-worker.ts', import.meta.url)));

  it("a window's query still waiting is dropped for its next one; another window's is not", async () => {
    const s = tempStore({ workerUrl: testWorker });
    const c = s.createConversation({});
    s.addMessage({ conversationId: c.id, role: 'user', text: 'ab abc abcd' });
    expect(await s.search('abcd')).toHaveLength(1);
    // In the worker for 300 ms: what the window types meanwhile waits.
    const busy = s.search('slow', { supersede: 'w1' });
    const a = s.search('a', { supersede: 'w1' }).catch((e: unknown) => e);
    const ab = s.search('ab', { supersede: 'w1' }).catch((e: unknown) => e);
    const other = s.search('abc', { supersede: 'w2' });
    const abc = s.search('abc', { supersede: 'w1' });
    expect(await busy).toEqual([]);
    expect(await a).toMatchObject({ code: 'cancelled', message: SUPERSEDED });
    expect(await ab).toMatchObject({ code: 'cancelled', message: SUPERSEDED });
    expect(await other).toHaveLength(1);
    expect(await abc).toHaveLength(1);
    // Without a key nothing is dropped.
    const [x, y] = await Promise.all([s.search('ab'), s.search('abc')]);
    expect([x.length, y.length]).toEqual([1, 1]);
  });

  it('started ahead (warmSearch), the worker is ready before the first search is asked: its start is not on that path', async () => {
    const readyFile = join(tempDir(), 'ready');
    process.env.PARLEY_TEST_SEARCH_START_MS = '400';
    process.env.PARLEY_TEST_SEARCH_READY_FILE = readyFile;
    try {
      const s = tempStore({ workerUrl: testWorker });
      s.warmSearch();
      // The app warms it once the window has shown its start; the user types a little later (here: once it is up).
      for (let i = 0; i < 600 && !existsSync(readyFile); i++) await new Promise((r) => setTimeout(r, 50));
      const askedAt = Date.now();
      const [hit] = await s.search('ready-at');
      expect(Number(hit!.snippet)).toBeLessThanOrEqual(askedAt);
      // Warming again (a second window) starts nothing new and the worker keeps answering.
      s.warmSearch();
      expect(await s.search('nothing like this')).toEqual([]);
    } finally {
      delete process.env.PARLEY_TEST_SEARCH_START_MS;
      delete process.env.PARLEY_TEST_SEARCH_READY_FILE;
    }
  });
});
