/**
 * The chat storage (src/main/services/storage): the file (refusals, migrations from every version, pragmas),
 * the message tree, streaming writes, crash recovery, deletion, bounds, failures and two stores on one file.
 */
import { describe, expect, it, vi } from 'vitest';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatabaseSync } from 'node:sqlite';
import { ParleyError } from '../../src/main/core/errors.ts';
import { openChatStore, SCHEMA_VERSION } from '../../src/main/services/storage/index.ts';
import { storageError } from '../../src/main/services/storage/db.ts';
import { LIMIT_CODE, STORAGE_CODE } from '../../src/main/services/storage/limits.ts';
import { applyMigrations, MIGRATIONS } from '../../src/main/services/storage/migrations.ts';
import { crashText } from '../helpers/storage-crash-child.ts';
import { rawDb, tempDir, tempStore } from '../helpers/storage.ts';

function caught(fn: () => unknown): ParleyError {
  try {
    fn();
  } catch (e) {
    expect(ParleyError.is(e), String(e)).toBe(true);
    return e as ParleyError;
  }
  throw new Error('expected a ParleyError');
}

const fileState = (dir: string) => ({
  files: readdirSync(dir).sort(),
  sha256: createHash('sha256').update(readFileSync(join(dir, 'parley.db'))).digest('hex'),
  mtimeMs: statSync(join(dir, 'parley.db')).mtimeMs,
});

/** Every row of every real table (virtual tables excluded: they read through to their content). */
function dumpTables(file: string, skipMessageId?: string): Record<string, unknown[]> {
  const db = rawDb(file);
  try {
    const out: Record<string, unknown[]> = {};
    const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%'").all() as { name: string }[];
    for (const { name } of tables) {
      const rows = db.prepare(`SELECT * FROM "${name}"`).all() as Record<string, unknown>[];
      out[name] = name === 'messages' ? rows.filter((r) => r.id !== skipMessageId) : rows;
    }
    return out;
  } finally {
    db.close();
  }
}

function schemaOf(file: string): unknown[] {
  const db = rawDb(file);
  try {
    return db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY name").all();
  } finally {
    db.close();
  }
}

function integrity(file: string): string {
  const db = rawDb(file);
  try {
    return (db.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check;
  } finally {
    db.close();
  }
}

describe('the file', () => {
  it('parley.db in the data folder: WAL, busy timeout, foreign keys and secure delete on, the current schema', () => {
    const dir = join(tempDir(), 'nested', 'data');
    const s = tempStore({ dataDir: dir });
    expect(s.file).toBe(join(dir, 'parley.db'));
    const st = s.stats();
    expect(st).toMatchObject({ schemaVersion: SCHEMA_VERSION, journalMode: 'wal', foreignKeys: true, secureDelete: true, busyTimeoutMs: 5000 });
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
  });

  it.each([
    ['rollback journal', 'DELETE'],
    ['WAL', 'WAL'],
  ])('a database of a newer schema (%s) is refused and left untouched', (_name, mode) => {
    const dir = tempDir();
    const db = new DatabaseSync(join(dir, 'parley.db'));
    applyMigrations(db);
    db.exec(`INSERT INTO conversations (id, title, created_at, updated_at) VALUES ('x', 'from the future', 1, 1); PRAGMA user_version = ${SCHEMA_VERSION + 1}; PRAGMA journal_mode = ${mode}`);
    db.close();
    const before = fileState(dir);
    const e = caught(() => openChatStore({ dataDir: dir }));
    expect(e.code).toBe(STORAGE_CODE);
    expect(e.message).toBe(`parley.db was written by a newer version of Parley (schema ${SCHEMA_VERSION + 1}; this version knows ${SCHEMA_VERSION}). Update Parley, or move the file aside to start over.`);
    expect(fileState(dir)).toEqual(before);
  });

  it.each([
    ['a text file', Buffer.from('hello, this is not a database\n'.repeat(20)), /not an SQLite file/],
    ['a tiny file', Buffer.from('SQLite'), /not an SQLite file/],
    ['an SQLite header with garbage after it', Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4080, 0x5a)]), /not|damaged/],
  ])('%s is refused with a clear error and left untouched', (_name, bytes, message) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'parley.db'), bytes);
    const before = fileState(dir);
    const e = caught(() => openChatStore({ dataDir: dir }));
    expect(e.code).toBe(STORAGE_CODE);
    expect(e.message).toMatch(message);
    expect(e.hint).toMatch(/Move the file aside|move it aside/);
    expect(fileState(dir)).toEqual(before);
  });

  it("another application's SQLite database is refused and left untouched", () => {
    const dir = tempDir();
    const db = new DatabaseSync(join(dir, 'parley.db'));
    db.exec('CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES (\'keep me\')');
    db.close();
    const before = fileState(dir);
    expect(caught(() => openChatStore({ dataDir: dir })).message).toMatch(/not a Parley database \(another application's SQLite database\)/);
    expect(fileState(dir)).toEqual(before);
  });
});

// ---------------------------------------------------------------- migrations

const T = 1_700_000_000_000;

function insert(db: DatabaseSync, table: string, row: Record<string, unknown>): void {
  const keys = Object.keys(row);
  db.prepare(`INSERT INTO ${table} (${keys.join(', ')}) VALUES (${keys.map(() => '?').join(', ')})`).run(...(Object.values(row) as (string | number | null)[]));
}

/** Sample data as the code of schema `version` would have written it. */
function seed(db: DatabaseSync, version: number): void {
  const conv: Record<string, unknown> = { seq: 1, id: 'c1', title: 'Migration 旧对话 notes', created_at: T, updated_at: T + 10, current_leaf_id: 's1' };
  if (version >= 3) Object.assign(conv, { draft: 'unsent draft', message_count: 5 });
  insert(db, 'conversations', conv);
  if (version >= 2) db.prepare('INSERT INTO titles_fts(rowid, title) VALUES (1, ?)').run(conv.title as string);
  const msgs = [
    { id: 'u1', parent_id: null, role: 'user', text: 'question about 代理服务器 settings', status: 'complete', depth: 0 },
    { id: 'a1', parent_id: 'u1', role: 'assistant', text: 'first answer', status: 'complete', depth: 1 },
    { id: 'a2', parent_id: 'u1', role: 'assistant', text: 'second answer zebra', status: 'complete', depth: 1, usage: '{"inputTokens":3}', model: 'm-2' },
    { id: 'u2', parent_id: 'a2', role: 'user', text: 'follow-up', status: 'complete', depth: 2 },
    { id: 's1', parent_id: 'u2', role: 'assistant', text: 'partial answer cut', status: 'streaming', depth: 3 },
  ];
  msgs.forEach(({ depth, ...m }, i) => {
    const row: Record<string, unknown> = { seq: i + 1, conversation_id: 'c1', created_at: T + i, updated_at: T + i, ...m };
    if (version >= 2) row.indexed = m.status === 'streaming' ? 0 : 1;
    if (version >= 3) row.depth = depth;
    insert(db, 'messages', row);
    if (version >= 2 && m.status !== 'streaming') db.prepare('INSERT INTO messages_fts(rowid, text) VALUES (?, ?)').run(i + 1, m.text);
  });
}

describe('migrations', () => {
  const fresh = (): unknown[] => schemaOf(tempStore().file);

  it.each(Array.from({ length: SCHEMA_VERSION }, (_, k) => k))('from version %i: data survives, the schema is current', async (k) => {
    const dir = tempDir();
    const db = new DatabaseSync(join(dir, 'parley.db'));
    applyMigrations(db, MIGRATIONS, k);
    expect((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version).toBe(k);
    if (k > 0) seed(db, k);
    db.close();

    const s = tempStore({ dataDir: dir });
    expect(s.stats().schemaVersion).toBe(SCHEMA_VERSION);
    if (k > 0) {
      expect(s.getConversation('c1')).toMatchObject({ title: 'Migration 旧对话 notes', currentLeafId: 's1', draft: k >= 3 ? 'unsent draft' : '', createdAt: T });
      const page = s.path('c1');
      expect(page.messages.map((m) => m.id)).toEqual(['u1', 'a2', 'u2', 's1']);
      expect(page.messages[1]).toMatchObject({ version: 2, versions: 2, siblingIds: ['a1', 'a2'], usage: { inputTokens: 3 }, model: 'm-2' });
      // The answer that was streaming when that version stopped is recovered (and searchable).
      expect(page.messages[3]).toMatchObject({ status: 'interrupted', text: 'partial answer cut' });
      expect(s.path('c1', { limit: 2 })).toMatchObject({ before: 2, messages: [{ id: 'u2' }, { id: 's1' }] });
      expect((await s.search('zebra')).map((h) => h.messageId)).toEqual(['a2']);
      expect((await s.search('代理服务')).map((h) => h.messageId)).toEqual(['u1']);
      expect((await s.search('partial answer')).map((h) => h.messageId)).toEqual(['s1']);
      expect(await s.search('Migration 旧')).toMatchObject([{ conversationId: 'c1', messageId: null }]);
      const next = s.addMessage({ conversationId: 'c1', role: 'user', text: 'after the migration' });
      expect(s.path('c1', { limit: 1 })).toMatchObject({ before: 4, messages: [{ id: next.id }] });
      expect(s.stats().messages).toBe(6);
    }
    await s.close();
    expect(schemaOf(join(dir, 'parley.db'))).toEqual(fresh());
    expect(integrity(join(dir, 'parley.db'))).toBe('ok');
  });

  it('untitled conversations stored as the English "New chat" become untitled (the window words them), and stay searchable and renamable', async () => {
    const dir = tempDir();
    const db = new DatabaseSync(join(dir, 'parley.db'));
    applyMigrations(db, MIGRATIONS, 3);
    for (const [id, title, seq] of [['u', 'New chat', 1], ['t', 'New chat plans', 2]] as const) {
      db.prepare('INSERT INTO conversations (seq, id, title, created_at, updated_at) VALUES (?, ?, ?, 1, 1)').run(seq, id, title);
      db.prepare('INSERT INTO titles_fts(rowid, title) VALUES (?, ?)').run(seq, title);
    }
    db.close();
    const s = tempStore({ dataDir: dir });
    expect(s.getConversation('u')?.title).toBe('');
    expect(s.getConversation('t')?.title).toBe('New chat plans');
    expect((await s.search('New chat')).map((h) => h.conversationId)).toEqual(['t']);
    s.updateConversation('u', { title: 'Renamed later' });
    expect((await s.search('Renamed')).map((h) => h.conversationId)).toEqual(['u']);
    await s.close();
    expect(integrity(join(dir, 'parley.db'))).toBe('ok');
  });

  it('a failing migration changes nothing: its transaction rolls back and the version stays', () => {
    const dir = tempDir();
    const db = new DatabaseSync(join(dir, 'parley.db'));
    const broken = [MIGRATIONS[0]!, { name: 'broken', up: 'CREATE TABLE half_done (x); INSERT INTO no_such_table VALUES (1);' }];
    expect(() => applyMigrations(db, broken)).toThrow(/no_such_table/);
    expect((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version).toBe(1);
    expect(db.prepare("SELECT name FROM sqlite_schema WHERE name = 'half_done'").all()).toEqual([]);
    db.close();
  });
});

// ---------------------------------------------------------------- conversations and the tree

describe('conversations', () => {
  it('create, get, update (draft, title, pin); list pinned first, then the most recently updated', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const s = tempStore();
      vi.setSystemTime(1000);
      const a = s.createConversation({ title: 'A', providerId: 'p1', model: 'm1', systemPrompt: 'Be brief.', contextMessages: 20 });
      vi.setSystemTime(2000);
      const b = s.createConversation({ title: 'B' });
      vi.setSystemTime(3000);
      const c = s.createConversation({ title: 'C' });
      expect(a).toMatchObject({ title: 'A', providerId: 'p1', model: 'm1', systemPrompt: 'Be brief.', contextMessages: 20, pinned: false, draft: '', currentLeafId: null, createdAt: 1000, updatedAt: 1000 });
      expect(a.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(s.listConversations().map((x) => x.title)).toEqual(['C', 'B', 'A']);
      vi.setSystemTime(4000);
      s.addMessage({ conversationId: a.id, role: 'user', text: 'hi' });
      expect(s.listConversations().map((x) => x.title)).toEqual(['A', 'C', 'B']);
      vi.setSystemTime(5000);
      expect(s.updateConversation(b.id, { pinned: true })).toMatchObject({ pinned: true, updatedAt: 2000 });
      expect(s.listConversations().map((x) => x.title)).toEqual(['B', 'A', 'C']);
      // The draft is saved and does not reorder the list; nor does a rename or a change of model (activity does).
      expect(s.updateConversation(c.id, { draft: 'half a thought' })).toMatchObject({ draft: 'half a thought', updatedAt: 3000 });
      expect(s.getConversation(c.id)?.draft).toBe('half a thought');
      expect(s.updateConversation(c.id, { title: 'C renamed', model: 'm2' })).toMatchObject({ updatedAt: 3000 });
      expect(s.listConversations().map((x) => x.title)).toEqual(['B', 'A', 'C renamed']);
      expect(s.getConversation('nope')).toBeUndefined();
      expect(caught(() => s.updateConversation('nope', { title: 'x' })).code).toBe('not_found');
    } finally {
      vi.useRealTimers();
    }
  });

  it("a conversation's parameters and an answer's ending are kept, exported and imported", () => {
    const s = tempStore();
    const c = s.createConversation({ title: 'P', params: { temperature: 0.2, thinking: { mode: 'off' } } });
    expect(c.params).toEqual({ temperature: 0.2, thinking: { mode: 'off' } });
    expect(s.createConversation({}).params).toEqual({});
    expect(s.updateConversation(c.id, { params: { maxTokens: 900 } }).params).toEqual({ maxTokens: 900 });
    s.addMessage({ conversationId: c.id, role: 'user', text: 'q' });
    const a = s.addMessage({ conversationId: c.id, role: 'assistant', text: 'cut', finishReason: 'max_tokens', ending: { reason: 'length', raw: 'max_tokens' } });
    expect(s.getMessage(a.id)?.ending).toEqual({ reason: 'length', raw: 'max_tokens' });
    const doc = s.exportJson(c.id);
    // An unknown reason in a file is not taken as an ending.
    const bad = structuredClone(doc);
    (bad.messages[1] as { ending: unknown }).ending = { reason: 'exploded' };
    const [back] = s.importJson(JSON.stringify(doc));
    const [odd] = s.importJson(JSON.stringify(bad));
    const answers = (id: string) => s.path(id).messages.filter((m) => m.role === 'assistant');
    expect(answers(back!.id)[0]?.ending).toEqual({ reason: 'length', raw: 'max_tokens' });
    expect(answers(odd!.id)[0]?.ending).toBeUndefined();
    // A refusal's words and the tools asked for travel too.
    const r = s.addMessage({ conversationId: c.id, role: 'assistant', text: '', ending: { reason: 'refusal', raw: 'stop', refusal: "I can't help with that." } });
    const t = s.addMessage({ conversationId: c.id, parentId: r.id, role: 'assistant', text: '', ending: { reason: 'tool_calls', raw: 'tool_calls', tools: ['get_weather'] } });
    const [again] = s.importJson(JSON.stringify(s.exportJson(c.id)));
    const endings = s.path(again!.id).messages.map((m) => m.ending).filter(Boolean);
    expect(endings).toContainEqual({ reason: 'refusal', raw: 'stop', refusal: "I can't help with that." });
    expect(endings).toContainEqual({ reason: 'tool_calls', raw: 'tool_calls', tools: ['get_weather'] });
    expect(t.id).toBeTruthy();
  });

  it('deleting a conversation removes it, its messages and nothing else', () => {
    const s = tempStore();
    const a = s.createConversation({ title: 'A' });
    const b = s.createConversation({ title: 'B' });
    const m = s.addMessage({ conversationId: a.id, role: 'user', text: 'one' });
    s.addMessage({ conversationId: a.id, role: 'assistant', text: 'two' });
    s.addMessage({ conversationId: b.id, role: 'user', text: 'stays' });
    expect(s.deleteConversation(a.id)).toBe(true);
    expect(s.deleteConversation(a.id)).toBe(false);
    expect(s.getConversation(a.id)).toBeUndefined();
    expect(s.getMessage(m.id)).toBeUndefined();
    expect(s.stats()).toMatchObject({ conversations: 1, messages: 1 });
    expect(s.pathMessages(b.id).map((x) => x.text)).toEqual(['stays']);
  });
});

describe('the message tree', () => {
  it('regenerated answers and edited questions are siblings; the path shows one branch; switchVersion follows the newest child', () => {
    const s = tempStore();
    const c = s.createConversation({ title: 'tree' });
    const u1 = s.addMessage({ conversationId: c.id, parentId: null, role: 'user', text: 'q1' });
    const a1 = s.addMessage({ conversationId: c.id, role: 'assistant', text: 'a1' });
    expect(a1.parentId).toBe(u1.id);
    const a2 = s.addMessage({ conversationId: c.id, parentId: u1.id, role: 'assistant', text: 'a2 (regenerated)' });
    expect(s.getConversation(c.id)?.currentLeafId).toBe(a2.id);
    let page = s.path(c.id);
    expect(page.messages.map((m) => m.text)).toEqual(['q1', 'a2 (regenerated)']);
    expect(page.messages[1]).toMatchObject({ version: 2, versions: 2, siblingIds: [a1.id, a2.id] });
    expect(page.messages[0]).toMatchObject({ version: 1, versions: 1, siblingIds: [u1.id] });

    page = s.switchVersion(c.id, a1.id);
    expect(page.conversation.currentLeafId).toBe(a1.id);
    expect(page.messages[1]).toMatchObject({ id: a1.id, version: 1, versions: 2 });
    const u2 = s.addMessage({ conversationId: c.id, role: 'user', text: 'q2' });
    const a3 = s.addMessage({ conversationId: c.id, role: 'assistant', text: 'a3' });
    expect(u2.parentId).toBe(a1.id);
    expect(s.switchVersion(c.id, a2.id).messages.map((m) => m.id)).toEqual([u1.id, a2.id]);
    // Back to a1: the newest leaf under it, not a1 itself.
    expect(s.switchVersion(c.id, a1.id).messages.map((m) => m.id)).toEqual([u1.id, a1.id, u2.id, a3.id]);
    // The newest child at each step: u1's newest child is a2; under a1, u2's newest child is now a3b.
    const a3b = s.addMessage({ conversationId: c.id, parentId: u2.id, role: 'assistant', text: 'a3b' });
    expect(s.switchVersion(c.id, u1.id).conversation.currentLeafId).toBe(a2.id);
    expect(s.switchVersion(c.id, a1.id).conversation.currentLeafId).toBe(a3b.id);

    // An edited first question is a second root.
    const u1b = s.addMessage({ conversationId: c.id, parentId: null, role: 'user', text: 'q1 edited' });
    page = s.path(c.id);
    expect(page.messages.map((m) => m.id)).toEqual([u1b.id]);
    expect(page.messages[0]).toMatchObject({ version: 2, versions: 2, siblingIds: [u1.id, u1b.id] });

    // Another leaf can be read without changing what the conversation shows.
    expect(s.path(c.id, { leafId: a3.id, limit: 2 })).toMatchObject({ before: 2, messages: [{ id: u2.id, versions: 1 }, { id: a3.id, version: 1, versions: 2 }] });
    expect(s.getConversation(c.id)?.currentLeafId).toBe(u1b.id);
    expect(s.pathMessages(c.id, a3.id).map((m) => m.text)).toEqual(['q1', 'a1', 'q2', 'a3']);
    expect(caught(() => s.addMessage({ conversationId: c.id, parentId: 'missing', role: 'user', text: 'x' })).code).toBe('not_found');
    const other = s.createConversation({});
    expect(caught(() => s.switchVersion(other.id, a1.id)).message).toMatch(/not in conversation/);
  });

  it('a long path reads its last page without walking it all to the client; before counts the rest', () => {
    const s = tempStore();
    const c = s.createConversation({ title: 'long' });
    for (let i = 0; i < 1000; i++) s.addMessage({ conversationId: c.id, role: i % 2 ? 'assistant' : 'user', text: `m${i}` });
    const page = s.path(c.id, { limit: 50 });
    expect(page.before).toBe(950);
    expect(page.messages.map((m) => m.text)).toEqual(Array.from({ length: 50 }, (_, i) => `m${950 + i}`));
    expect(s.path(c.id).messages).toHaveLength(1000);
    expect(s.pathMessages(c.id)).toHaveLength(1000);
    expect(caught(() => s.path(c.id, { limit: 0 })).code).toBe('config_invalid');
  });

  it('deleting a message deletes its descendants and moves the shown path to a sibling, else the parent', () => {
    const s = tempStore();
    const c = s.createConversation({ title: 'del' });
    const u1 = s.addMessage({ conversationId: c.id, role: 'user', text: 'q1' });
    const a1 = s.addMessage({ conversationId: c.id, role: 'assistant', text: 'a1' });
    const a2 = s.addMessage({ conversationId: c.id, parentId: u1.id, role: 'assistant', text: 'a2' });
    const u2 = s.addMessage({ conversationId: c.id, role: 'user', text: 'q2' });
    const a3 = s.addMessage({ conversationId: c.id, role: 'assistant', text: 'a3' });
    s.switchVersion(c.id, a1.id);
    // Not on the shown path: the current leaf stays.
    expect(s.deleteMessage(a2.id).currentLeafId).toBe(a1.id);
    expect([u2.id, a3.id].map((id) => s.getMessage(id))).toEqual([undefined, undefined]);
    const b1 = s.addMessage({ conversationId: c.id, parentId: u1.id, role: 'assistant', text: 'b1' });
    const b2 = s.addMessage({ conversationId: c.id, role: 'user', text: 'b2' });
    s.switchVersion(c.id, a1.id);
    // The shown answer goes: the newest remaining sibling's newest leaf is shown.
    expect(s.deleteMessage(a1.id).currentLeafId).toBe(b2.id);
    // No sibling left: the parent.
    expect(s.deleteMessage(b1.id).currentLeafId).toBe(u1.id);
    expect(s.deleteMessage(u1.id).currentLeafId).toBeNull();
    expect(s.stats().messages).toBe(0);
    expect(s.path(c.id).messages).toEqual([]);
    expect(caught(() => s.deleteMessage(u1.id)).code).toBe('not_found');
  });
});

// ---------------------------------------------------------------- streaming and crashes

describe('streaming writes', () => {
  it('update only that message row: no other row, no conversation, no index change until the answer ends', () => {
    const s = tempStore();
    const c = s.createConversation({ title: 'stream' });
    s.addMessage({ conversationId: c.id, role: 'user', text: 'hello' });
    const o = s.createConversation({ title: 'other' });
    s.addMessage({ conversationId: o.id, role: 'user', text: 'elsewhere' });
    const a = s.addMessage({ conversationId: c.id, role: 'assistant', status: 'streaming', providerId: 'p', model: 'm' });
    const before = dumpTables(s.file, a.id);
    for (let i = 1; i <= 5; i++) s.updateMessage(a.id, { text: `partial ${i}`, reasoning: `thinking ${i}` });
    expect(dumpTables(s.file, a.id)).toEqual(before);
    expect(s.getMessage(a.id)).toMatchObject({ text: 'partial 5', reasoning: 'thinking 5', status: 'streaming', providerId: 'p', model: 'm' });
    const end = s.updateMessage(a.id, { text: 'final', status: 'complete', usage: { outputTokens: 7 }, ttftMs: 12.4, durationMs: 800, finishReason: 'stop', routeInfo: { route: 'direct', attempts: 1 } });
    expect(end).toMatchObject({ text: 'final', status: 'complete', usage: { outputTokens: 7 }, ttftMs: 12, durationMs: 800, finishReason: 'stop', routeInfo: { route: 'direct', attempts: 1 } });
    const after = dumpTables(s.file, a.id);
    expect(after.conversations).toEqual(before.conversations);
    expect(after.messages_fts_data).not.toEqual(before.messages_fts_data);
    // Clearing optional fields: present with undefined.
    expect(s.updateMessage(a.id, { usage: undefined, finishReason: null })).not.toHaveProperty('usage');
  });

  it('a SIGKILL mid-stream leaves the answer interrupted with the last text written, in an intact file', async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, [fileURLToPath(new URL('../helpers/storage-crash-child.ts', import.meta.url)), dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const deadline = Date.now() + 20_000;
    while (!(/READY/.test(out) && (out.match(/STEP/g)?.length ?? 0) >= 8)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`child did not get going: ${out} ${err}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    child.kill('SIGKILL');
    await once(child, 'exit');
    const last = Math.max(...[...out.matchAll(/STEP (\d+)/g)].map((m) => Number(m[1])));
    const id = /READY (\S+)/.exec(out)![1]!;
    const file = join(dir, 'parley.db');
    expect(integrity(file)).toBe('ok');
    const s = tempStore({ dataDir: dir });
    expect(s.recoveredAtOpen).toBe(1);
    const m = s.getMessage(id)!;
    expect(m.status).toBe('interrupted');
    // The last write the child reported, or the one it committed but had no time to report.
    expect([crashText(last), crashText(last + 1)]).toContain(m.text);
    expect(m.text.length).toBeGreaterThan(crashText(7).length - 1);
    expect((await s.search('chunk 6 数据')).map((h) => h.messageId)).toEqual([id]);
    expect(s.recoverInterrupted()).toBe(0);
    expect(integrity(file)).toBe('ok');
  }, 30_000);

  it('recoverInterrupted turns streaming answers into interrupted ones, text kept', () => {
    const s = tempStore();
    const c = s.createConversation({});
    const a = s.addMessage({ conversationId: c.id, role: 'assistant', status: 'streaming', text: 'half' });
    const b = s.addMessage({ conversationId: c.id, role: 'assistant', status: 'streaming' });
    expect(s.recoverInterrupted()).toBe(2);
    expect(s.getMessage(a.id)).toMatchObject({ status: 'interrupted', text: 'half' });
    expect(s.getMessage(b.id)).toMatchObject({ status: 'interrupted', text: '' });
    expect(s.stats()).toMatchObject({ streamingMessages: 0, indexedMessages: 2 });
  });
});

// ---------------------------------------------------------------- deletion leaves nothing behind

describe('delete really deletes', () => {
  const SECRET = 'zqxjvkw-secret-7731';
  const fileBytes = (file: string): string =>
    ['', '-wal'].map((ext) => {
      try {
        return readFileSync(file + ext).toString('latin1');
      } catch {
        return '';
      }
    }).join('');
  const vocab = (file: string): string[] => {
    const db = rawDb(file, false);
    try {
      db.exec("CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, 'messages_fts', 'row')");
      return (db.prepare("SELECT term FROM temp.v WHERE term IN ('zqx', 'qxj', 'xjv', 'jvk', 'vkw')").all() as { term: string }[]).map((r) => r.term);
    } finally {
      db.close();
    }
  };

  it.each(['conversation', 'message'])('a deleted %s leaves neither its text in the file and WAL nor its terms in the index', (what) => {
    const s = tempStore();
    const c = s.createConversation({ title: 'secret' });
    const keep = s.addMessage({ conversationId: c.id, role: 'user', text: 'keep this one' });
    const m = s.addMessage({ conversationId: c.id, role: 'assistant', text: `the password is ${SECRET} ok` });
    expect(fileBytes(s.file)).toContain(SECRET);
    expect(vocab(s.file)).toHaveLength(5);
    if (what === 'conversation') s.deleteConversation(c.id);
    else expect(s.deleteMessage(m.id).currentLeafId).toBe(keep.id);
    expect(fileBytes(s.file)).not.toContain(SECRET);
    expect(vocab(s.file)).toEqual([]);
    expect(integrity(s.file)).toBe('ok');
  });
});

// ---------------------------------------------------------------- bounds and failures

describe('bounds', () => {
  it('text over 4 MB, a draft over 1 MB are refused naming the limit, and nothing is written', () => {
    const s = tempStore();
    const c = s.createConversation({ title: 'big' });
    const u = s.addMessage({ conversationId: c.id, role: 'user', text: 'small' });
    const conv = s.getConversation(c.id);
    let e = caught(() => s.addMessage({ conversationId: c.id, role: 'assistant', text: 'x'.repeat(4 * 1024 * 1024 + 1) }));
    expect(e.code).toBe(LIMIT_CODE);
    expect(e.message).toMatch(/message text is too large \(4\.0 MB\): the limit is 4 MB/);
    // Counted in UTF-8 bytes: 1.5 M Chinese characters are 4.5 MB.
    expect(caught(() => s.updateMessage(u.id, { text: '汉'.repeat(1_500_000) })).message).toMatch(/4\.3 MB\): the limit is 4 MB/);
    expect(s.getConversation(c.id)).toEqual(conv);
    expect(s.getMessage(u.id)?.text).toBe('small');
    expect(s.stats().messages).toBe(1);
    e = caught(() => s.updateConversation(c.id, { draft: 'd'.repeat(1024 * 1024 + 1) }));
    expect(e).toMatchObject({ code: LIMIT_CODE, message: expect.stringMatching(/draft is too large .*the limit is 1 MB/) });
    expect(s.updateConversation(c.id, { draft: 'd'.repeat(1024 * 1024) }).draft).toHaveLength(1024 * 1024);
  });

  it('titles are cut to 500 characters (code points), newlines become spaces', () => {
    const s = tempStore();
    const c = s.createConversation({ title: '😀'.repeat(600) });
    expect(Array.from(c.title)).toHaveLength(500);
    expect(s.updateConversation(c.id, { title: 'a\nb' }).title).toBe('a b');
  });

  it('a conversation holds at most 100,000 messages', () => {
    const s = tempStore();
    const c = s.createConversation({});
    const db = rawDb(s.file, false);
    db.prepare('UPDATE conversations SET message_count = 100000 WHERE id = ?').run(c.id);
    db.close();
    expect(caught(() => s.addMessage({ conversationId: c.id, role: 'user', text: 'one more' })).message).toMatch(/the limit is 100000 messages/);
  });

  it('malformed arguments are refused', () => {
    const s = tempStore();
    const c = s.createConversation({});
    expect(caught(() => s.addMessage({ conversationId: c.id, role: 'tool' as never, text: 'x' })).code).toBe('config_invalid');
    expect(caught(() => s.addMessage({ conversationId: c.id, role: 'user', status: 'done' as never })).code).toBe('config_invalid');
    expect(caught(() => s.updateConversation(c.id, { contextMessages: -1 })).code).toBe('config_invalid');
    expect(caught(() => s.addMessage({ conversationId: 'nope', role: 'user' })).code).toBe('not_found');
  });
});

describe('failures of the disk become ParleyErrors that say what happened', () => {
  it('a file locked by another process: the write waits busy_timeout, fails cleanly, and the next one works', () => {
    const s = tempStore({ busyTimeoutMs: 200 });
    const c = s.createConversation({ title: 'locked' });
    const other = rawDb(s.file, false);
    other.exec('BEGIN IMMEDIATE');
    const t0 = performance.now();
    const e = caught(() => s.addMessage({ conversationId: c.id, role: 'user', text: 'blocked' }));
    expect(performance.now() - t0).toBeGreaterThan(150);
    expect(e.code).toBe(STORAGE_CODE);
    expect(e.message).toMatch(/locked by another process while saving a message/);
    other.exec('ROLLBACK');
    other.close();
    expect(s.stats().messages).toBe(0);
    s.addMessage({ conversationId: c.id, role: 'user', text: 'now' });
    expect(s.pathMessages(c.id).map((m) => m.text)).toEqual(['now']);
  });

  it('SQLITE_FULL and SQLITE_READONLY from SQLite itself', () => {
    const full = new DatabaseSync(':memory:');
    full.exec('CREATE TABLE t (b BLOB)');
    const pages = (full.prepare('PRAGMA page_count').get() as { page_count: number }).page_count;
    full.exec(`PRAGMA max_page_count = ${pages}`);
    let sqliteErr: unknown;
    try {
      full.prepare('INSERT INTO t VALUES (?)').run(Buffer.alloc(100_000));
    } catch (e) {
      sqliteErr = e;
    }
    expect((sqliteErr as { errcode: number }).errcode).toBe(13);
    const e = storageError(sqliteErr, '/data/parley.db', 'saving a message');
    expect(e).toMatchObject({ code: STORAGE_CODE, message: expect.stringMatching(/^The disk is full: Parley could not save while saving a message \(\/data\/parley\.db\)\. Nothing was lost/) });
    expect(e.hint).toMatch(/Free some disk space/);

    const s = tempStore();
    const ro = rawDb(s.file, true);
    try {
      ro.exec("INSERT INTO conversations (id, title, created_at, updated_at) VALUES ('x', '', 1, 1)");
    } catch (err) {
      expect(storageError(err, s.file, 'saving a conversation').message).toMatch(/cannot be written while saving a conversation: the file or its folder is read-only/);
      return;
    } finally {
      ro.close();
    }
    throw new Error('the read-only write should have failed');
  });
});

describe('two stores on one file', () => {
  it('write alternately without losing or corrupting anything', async () => {
    const dir = tempDir();
    const a = tempStore({ dataDir: dir });
    const b = tempStore({ dataDir: dir });
    const c = a.createConversation({ title: 'shared' });
    expect(b.getConversation(c.id)?.title).toBe('shared');
    for (let i = 0; i < 50; i++) {
      a.addMessage({ conversationId: c.id, role: 'user', text: `from a ${i}` });
      b.addMessage({ conversationId: c.id, role: 'assistant', text: `from b ${i}` });
    }
    for (const s of [a, b]) {
      const page = s.path(c.id, { limit: 3 });
      expect(page.before).toBe(97);
      expect(page.messages.map((m) => m.text)).toEqual(['from b 48', 'from a 49', 'from b 49']);
      expect(s.pathMessages(c.id)).toHaveLength(100);
      expect(s.stats().messages).toBe(100);
    }
    expect((await b.search('from a 17')).map((h) => h.conversationId)).toEqual([c.id]);
    expect(integrity(a.file)).toBe('ok');
  });
});
