/**
 * The sync engine's scenarios, for any target: each takes a factory that makes a new, empty target (a folder here;
 * a WebDAV folder or an S3 prefix on a real server in the targets' tests) and drives devices (data folders with a
 * real parley.db and attachment store) through it, asserting what a user would notice: the same conversations on
 * every device, no message lost, a bad file refused with nothing changed.
 */
import { afterEach, expect } from 'vitest';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { attachmentsDirOf, createAttachmentStore, type AttachmentStore } from '../../src/main/services/attachments/index.ts';
import { openChatStore, type ChatStore } from '../../src/main/services/storage/index.ts';
import { syncOnce, type SyncOptions, type SyncResult } from '../../src/main/services/sync/engine.ts';
import type { SyncTarget } from '../../src/main/services/sync/target.ts';
import { ParleyError } from '../../src/main/core/errors.ts';
import { tempDir } from './storage.ts';
import { failingAfter } from './sync-dir-target.ts';

export type TargetFactory = () => SyncTarget | Promise<SyncTarget>;

export interface Device {
  name: string;
  dir: string;
  store: ChatStore;
  files: AttachmentStore;
  sync(target: SyncTarget, more?: Partial<SyncOptions>): Promise<SyncResult>;
}

const open: { store: ChatStore; files: AttachmentStore }[] = [];
afterEach(async () => {
  for (const d of open.splice(0)) {
    await d.store.close();
    await d.files.close();
  }
});

export function device(name: string, defaults: Partial<SyncOptions> = {}): Device {
  const dir = tempDir();
  const files = createAttachmentStore({ dir: attachmentsDirOf(dir) });
  const store = openChatStore({ dataDir: dir, files, sweepAfterMs: 0 });
  open.push({ store, files });
  return {
    name, dir, store, files,
    sync: (target, more = {}) => syncOnce({ store, dataDir: dir, target, files, ...defaults, ...more }),
  };
}

export const pause = (ms = 5): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** What a user sees of a device's conversations: values and every message of every tree (not this device's own view: draft, shown version). */
export function stateOf(d: Device): unknown {
  const db = new DatabaseSync(d.store.file, { readOnly: true });
  try {
    const convs = db.prepare('SELECT id, title, pinned, params, system_prompt, provider_id, model, context_messages FROM conversations ORDER BY id').all();
    const msgs = db.prepare(`SELECT m.id, m.conversation_id, m.parent_id, m.role, m.text, m.reasoning, m.status, m.usage, m.tools, m.depth,
      (SELECT group_concat(attachment_id || ':' || name, ',') FROM (SELECT * FROM message_attachments a WHERE a.message_seq = m.seq ORDER BY position)) AS files
      FROM messages m ORDER BY m.id`).all();
    return { convs, msgs };
  } finally {
    db.close();
  }
}

export function messageCount(d: Device): number {
  const db = new DatabaseSync(d.store.file, { readOnly: true });
  try {
    return Number((db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n);
  } finally {
    db.close();
  }
}

/** A conversation of `n` messages (user, assistant, …). */
export function chat(d: Device, title: string, n: number, extra: { attachmentOf?: (i: number) => Promise<unknown> } = {}): string {
  const c = d.store.createConversation({ title });
  for (let i = 0; i < n; i++) {
    d.store.addMessage({ conversationId: c.id, role: i % 2 ? 'assistant' : 'user', text: `${title} ${i} ${i % 2 ? '回答' : 'question'}`, ...(i % 2 ? { usage: { inputTokens: 10, outputTokens: 20 } } : {}) });
  }
  void extra;
  return c.id;
}

async function expectRefused(p: Promise<unknown>, code: string): Promise<ParleyError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(ParleyError.is(e), `expected ${code}, got ${String(e)}`).toBe(true);
  expect((e as ParleyError).code).toBe(code);
  return e as ParleyError;
}

// ---------------------------------------------------------------- scenarios

/**
 * Two devices edit offline (new messages in the same conversation, renames of the same conversation at different
 * times, a pin, a delete, a new conversation with a file), then sync in the given order: both end the same, no message
 * lost, the later rename kept; a further sync moves nothing (nothing applied is echoed back).
 */
export async function twoDevicesMerge(make: TargetFactory, order: 'ABA' | 'BAB', passphrase?: string): Promise<void> {
  const target = await make();
  const more = passphrase ? { passphrase } : {};
  const a = device('A', more);
  const b = device('B', more);
  const x = chat(a, 'Proxy notes', 4);
  const y = chat(a, 'Certificates', 2);
  const z = chat(a, 'To delete', 2);
  await a.sync(target);
  const first = await b.sync(target);
  expect(first.applied).toBeGreaterThan(0);
  expect(stateOf(b)).toEqual(stateOf(a));

  // Offline: both continue X (two branches from the same message), rename it (A first, B later), A pins Y, B deletes Z.
  const leafA = a.store.addMessage({ conversationId: x, role: 'user', text: 'from A: does SOCKS work?' });
  a.store.addMessage({ conversationId: x, role: 'assistant', text: 'A: yes, socks5h://' });
  b.store.addMessage({ conversationId: x, role: 'user', text: 'from B: 代理怎么设置？' });
  a.store.updateConversation(x, { title: 'Renamed on A' });
  a.store.updateConversation(y, { pinned: true });
  await pause(20);
  b.store.updateConversation(x, { title: 'Renamed on B, later' });
  expect(b.store.deleteConversation(z)).toBe(true);
  const ref = await a.files.add('notes.txt', Buffer.from('proxy: http://proxy.corp:3128\n'));
  const w = a.store.createConversation({ title: 'With a file' });
  a.store.addMessage({ conversationId: w.id, role: 'user', text: 'see the file', attachments: [ref] });
  void leafA;

  const [p, q] = order === 'ABA' ? [a, b] : [b, a];
  await p.sync(target);
  await q.sync(target);
  const last = await p.sync(target);
  // p only applied q's changes: none of them goes back out as p's own (no echo).
  expect(last.applied).toBeGreaterThan(0);
  expect(last.uploaded).toBe(0);

  const sa = stateOf(a) as { convs: { id: string; title: string; pinned: number }[]; msgs: { files: string | null }[] };
  expect(stateOf(b)).toEqual(sa);
  expect(sa.convs.find((c) => c.id === x)?.title).toBe('Renamed on B, later');
  expect(sa.convs.find((c) => c.id === y)?.pinned).toBe(1);
  expect(sa.convs.find((c) => c.id === z)).toBeUndefined();
  expect(sa.convs.some((c) => c.id === w.id)).toBe(true);
  // 4 + 2 (A) + 1 (B) in X, 2 in Y, 1 in W.
  expect(messageCount(a)).toBe(10);
  expect(sa.msgs.some((m) => m.files === `${ref.id}:notes.txt`)).toBe(true);
  expect(b.files.has(ref.id)).toBe(true);
  expect((await b.files.bytes(ref.id))?.toString()).toBe('proxy: http://proxy.corp:3128\n');

  // Nothing is echoed: the last device to sync before has nothing new; syncing both again moves nothing.
  for (const d of [q, p]) {
    const r = await d.sync(target);
    expect({ applied: r.applied, uploaded: r.uploaded }).toEqual({ applied: 0, uploaded: 0 });
  }
}

/**
 * A delete on one device, a message added after it on the other: the message is not lost; the conversation comes
 * back on the deleting device whole. In the order A,B,A that is three syncs; with B first, A learns it one sync later.
 */
export async function deleteVersusNewMessage(make: TargetFactory, order: 'ABA' | 'BABA'): Promise<void> {
  const target = await make();
  const a = device('A');
  const b = device('B');
  const x = chat(a, 'Shared', 4);
  await a.sync(target);
  await b.sync(target);
  expect(a.store.deleteConversation(x)).toBe(true);
  await pause(20);
  const late = b.store.addMessage({ conversationId: x, role: 'user', text: 'added after the delete, elsewhere' });
  const seq = order === 'ABA' ? [a, b, a] : [b, a, b, a];
  for (const d of seq) await d.sync(target);
  expect(stateOf(a)).toEqual(stateOf(b));
  expect(a.store.getMessage(late.id)?.text).toBe('added after the delete, elsewhere');
  expect(messageCount(a)).toBe(5);
  expect(a.store.getConversation(x)?.title).toBe('Shared');
}

/** A delete with nothing newer wins over older edits: a rename made before the delete does not bring it back. */
export async function deleteWinsOverOlderEdits(make: TargetFactory): Promise<void> {
  const target = await make();
  const a = device('A');
  const b = device('B');
  const x = chat(a, 'Old', 2);
  await a.sync(target);
  await b.sync(target);
  b.store.updateConversation(x, { title: 'renamed before the delete' });
  await pause(20);
  a.store.deleteConversation(x);
  await b.sync(target);
  await a.sync(target);
  await b.sync(target);
  expect(a.store.getConversation(x)).toBeUndefined();
  expect(b.store.getConversation(x)).toBeUndefined();
  expect(messageCount(a) + messageCount(b)).toBe(0);
}

/** Encryption: a wrong passphrase, none, or one for a plain set is refused and nothing changes; the right one works. */
export async function passphrases(make: TargetFactory): Promise<void> {
  const target = await make();
  const a = device('A');
  chat(a, 'Secret plans', 2);
  await a.sync(target, { passphrase: 'correct horse battery staple' });
  const b = device('B');
  const before = stateOf(b);
  const wrong = await expectRefused(b.sync(target, { passphrase: 'Tr0ub4dor&3' }), 'sync_passphrase');
  expect(wrong.message).toContain('passphrase is wrong');
  expect(wrong.message).not.toContain('Tr0ub4dor');
  await expectRefused(b.sync(target), 'sync_passphrase');
  expect(stateOf(b)).toEqual(before);
  await b.sync(target, { passphrase: 'correct horse battery staple' });
  expect(stateOf(b)).toEqual(stateOf(a));
  // Nothing readable on the target: the conversation's words are nowhere in its files.
  for (const e of await target.list('')) {
    const bytes = Buffer.from((await target.get(e.name, 64 * 1024 * 1024))!);
    expect(bytes.includes(Buffer.from('Secret plans'))).toBe(false);
  }
  const plainTarget = await make();
  await a.sync(plainTarget);
  await expectRefused(device('C').sync(plainTarget, { passphrase: 'anything' }), 'sync_passphrase');
}

/** A third, new device restores everything: from the snapshot, then the journals after it (not those it covers). */
export async function newDeviceRestores(make: TargetFactory, passphrase?: string): Promise<void> {
  const target = await make();
  const more = { ...(passphrase ? { passphrase } : {}), journalBytes: 2048 };
  const a = device('A', more);
  const b = device('B', more);
  for (let i = 0; i < 6; i++) chat(a, `Conversation ${i}`, 6);
  const ref = await a.files.add('plan.md', Buffer.from('# Plan\n- sync\n'));
  const withFile = a.store.createConversation({ title: 'File' }).id;
  a.store.addMessage({ conversationId: withFile, role: 'user', text: 'plan attached', attachments: [ref] });
  await a.sync(target);
  chat(b, 'From B', 3);
  await b.sync(target, { compactAfter: 1 });
  const names = (await target.list('')).map((e) => e.name);
  expect(names.some((n) => /^snapshots\/.+\/manifest\.ps$/.test(n))).toBe(true);
  // After the snapshot: more on A (a journal the snapshot does not cover).
  a.store.addMessage({ conversationId: withFile, role: 'assistant', text: 'after the snapshot' });
  await a.sync(target);

  const c = device('C', more);
  const read: string[] = [];
  const watched: SyncTarget = { ...target, label: target.label, get: (n, m, s) => (read.push(n), target.get(n, m, s)), list: (p, s) => target.list(p, s), put: (n, bb, s) => target.put(n, bb, s), remove: (n, s) => target.remove(n, s) };
  const r = await c.sync(watched);
  expect(r.applied).toBeGreaterThan(0);
  expect(read.some((n) => n.includes('/part-'))).toBe(true);
  // Of A's journals, only the one after the snapshot is read.
  expect(read.filter((n) => n.includes('/journal/')).length).toBe(1);
  await a.sync(target);
  await b.sync(target);
  expect(stateOf(c)).toEqual(stateOf(a));
  expect(stateOf(b)).toEqual(stateOf(a));
  expect((await c.files.bytes(ref.id))?.toString()).toBe('# Plan\n- sync\n');
}

/**
 * A sync interrupted at every point (the target fails after K calls, for each K an uninterrupted sync makes), while
 * uploading and while downloading, then run again: it ends the same as if nothing had happened.
 */
export async function interrupted(make: TargetFactory, passphrase?: string): Promise<void> {
  const more = { ...(passphrase ? { passphrase } : {}), journalBytes: 1500 };
  // How many calls each side makes when nothing fails.
  const probe = await make();
  const pa = device('PA', more);
  seed(pa);
  const ref = await pa.files.add('a.txt', Buffer.from('attached'));
  pa.store.addMessage({ conversationId: pa.store.createConversation({ title: 'f' }).id, role: 'user', text: 'f', attachments: [ref] });
  const up = (await pa.sync(probe)).requests;
  const down = (await device('PB', more).sync(probe)).requests;
  expect(up).toBeGreaterThan(4);
  for (let k = 1; k < Math.max(up, down); k++) {
    const target = await make();
    const a = device(`A${k}`, more);
    seed(a);
    const r2 = await a.files.add('a.txt', Buffer.from('attached'));
    a.store.addMessage({ conversationId: a.store.createConversation({ title: 'f' }).id, role: 'user', text: 'f', attachments: [r2] });
    if (k < up) {
      const broken = failingAfter(target, k);
      await expect(a.sync(broken)).rejects.toMatchObject({ code: 'connect_refused' });
    }
    await a.sync(target);
    const b = device(`B${k}`, more);
    if (k < down) {
      const broken = failingAfter(target, k);
      await expect(b.sync(broken)).rejects.toMatchObject({ code: 'connect_refused' });
    }
    await b.sync(target);
    expect(stateOf(b), `interrupted after ${k} calls`).toEqual(stateOf(a));
    expect(b.files.has(r2.id)).toBe(true);
    const again = await a.sync(target);
    expect(again.applied).toBe(0);
  }
}

function seed(d: Device): void {
  for (let i = 0; i < 3; i++) chat(d, `Seed ${i}`, 5);
}

/**
 * Files that are not what they should be: truncated, changed, of a newer format, not Parley's (also parley-sync.json
 * newer or foreign): each refused with its code and the file's name, and nothing changes on the device that reads.
 */
export async function refusesBadFiles(make: TargetFactory): Promise<void> {
  const cases: { name: string; code: string; bad: (bytes: Buffer) => Buffer; file?: 'root' }[] = [
    { name: 'truncated', code: 'sync_invalid', bad: (b) => b.subarray(0, b.length - 7) },
    { name: 'corrupted', code: 'sync_invalid', bad: (b) => { const c = Buffer.from(b); c[c.length - 3]! ^= 0xff; return c; } },
    {
      name: 'newer format', code: 'sync_newer', bad: (b) => {
        const nl = b.indexOf(0x0a);
        const h = JSON.parse(b.subarray(0, nl).toString()) as { v: number };
        return Buffer.concat([Buffer.from(JSON.stringify({ ...h, v: 99 })), b.subarray(nl)]);
      },
    },
    { name: 'not Parley\'s', code: 'sync_not_parley', bad: () => Buffer.from('<html><body>Please log in</body></html>') },
    { name: 'root newer', code: 'sync_newer', file: 'root', bad: (b) => Buffer.from(JSON.stringify({ ...JSON.parse(b.toString()), version: 7 })) },
    { name: 'root foreign', code: 'sync_not_parley', file: 'root', bad: () => Buffer.from('{"hello":"world"}') },
  ];
  for (const k of cases) {
    const target = await make();
    const a = device('A');
    chat(a, 'Good', 3);
    await a.sync(target);
    const b = device('B');
    chat(b, 'B\'s own', 2);
    const before = stateOf(b);
    const name = k.file === 'root' ? 'parley-sync.json' : (await target.list('devices/')).map((e) => e.name).find((n) => n.includes('/journal/'))!;
    await target.put(name, k.bad(Buffer.from((await target.get(name, 64 * 1024 * 1024))!)));
    const e = await expectRefused(b.sync(target), k.code);
    if (k.file !== 'root') expect(e.message, k.name).toContain(name);
    expect(stateOf(b), k.name).toEqual(before);
  }
  // A folder holding someone else's files (and no parley-sync.json) is not taken over, encrypted or not.
  for (const passphrase of [undefined, 'a passphrase']) {
    const target = await make();
    await target.put('notes/readme.txt', Buffer.from('not Parley\'s'));
    const d = device('D');
    chat(d, 'mine', 1);
    await expectRefused(d.sync(target, passphrase ? { passphrase } : {}), 'sync_not_parley');
    expect((await target.list('')).map((x) => x.name)).toEqual(['notes/readme.txt']);
  }
}

/** Two devices syncing at the same moment against the same target lose nothing. */
export async function concurrent(make: TargetFactory): Promise<void> {
  const target = await make();
  const a = device('A');
  const b = device('B');
  chat(a, 'A first', 2);
  await a.sync(target);
  for (let i = 0; i < 3; i++) chat(a, `A ${i}`, 4);
  for (let i = 0; i < 3; i++) chat(b, `B ${i}`, 4);
  await Promise.all([a.sync(target), b.sync(target)]);
  await Promise.all([a.sync(target), b.sync(target)]);
  await a.sync(target);
  await b.sync(target);
  expect(stateOf(a)).toEqual(stateOf(b));
  expect(messageCount(a)).toBe(2 + 12 + 12);
}

/**
 * Messages change too: an answer still streaming is not published until it ends (another device never takes a partial
 * answer as final); a deleted branch goes on every device; a reply added under a branch another device deleted keeps
 * the branch (it comes back there).
 */
export async function messageEdits(make: TargetFactory): Promise<void> {
  const target = await make();
  const a = device('A');
  const b = device('B');
  const x = chat(a, 'Edits', 4);
  await a.sync(target);
  await b.sync(target);
  const answer = a.store.addMessage({ conversationId: x, role: 'user', text: 'one more question' });
  const live = a.store.addMessage({ conversationId: x, role: 'assistant', text: 'partial…', status: 'streaming', parentId: answer.id });
  await a.sync(target);
  await b.sync(target);
  expect(b.store.getMessage(answer.id)?.text).toBe('one more question');
  expect(b.store.getMessage(live.id)).toBeUndefined();
  a.store.updateMessage(live.id, { text: 'the whole answer', status: 'complete' });
  await a.sync(target);
  await b.sync(target);
  expect(b.store.getMessage(live.id)).toMatchObject({ text: 'the whole answer', status: 'complete' });
  // B deletes the last question and its answer: gone on A too.
  b.store.deleteMessage(answer.id);
  await b.sync(target);
  await a.sync(target);
  expect(a.store.getMessage(answer.id)).toBeUndefined();
  expect(a.store.getMessage(live.id)).toBeUndefined();
  expect(stateOf(a)).toEqual(stateOf(b));
  // Offline: B deletes the conversation's second message (and what follows it); later, A replies under its last message.
  const path = a.store.pathMessages(x);
  expect(path).toHaveLength(4);
  b.store.deleteMessage(path[1]!.id);
  await pause(20);
  const reply = a.store.addMessage({ conversationId: x, role: 'user', text: 'a reply under a branch deleted elsewhere', parentId: path[3]!.id });
  await b.sync(target);
  await a.sync(target);
  await b.sync(target);
  expect(b.store.getMessage(reply.id)?.text).toBe('a reply under a branch deleted elsewhere');
  expect(stateOf(a)).toEqual(stateOf(b));
  expect(messageCount(b)).toBe(5);
}

/**
 * A device whose database goes back to an older copy (a backup restored) gets back from the target what it had
 * published since, and goes on publishing without overwriting its journals.
 */
export async function restoredOlderCopy(make: TargetFactory): Promise<void> {
  const target = await make();
  const a = device('A');
  const x = chat(a, 'Before the backup', 2);
  await a.sync(target);
  const copy = join(a.dir, 'older-copy.db');
  const raw = new DatabaseSync(a.store.file);
  raw.exec(`VACUUM INTO '${copy.replace(/'/g, "''")}'`);
  raw.close();
  const later = a.store.addMessage({ conversationId: x, role: 'user', text: 'published after the backup' });
  await a.sync(target);
  await a.store.close();
  await a.files.close();
  for (const f of ['parley.db-wal', 'parley.db-shm']) rmSync(join(a.dir, f), { force: true });
  renameSync(copy, join(a.dir, 'parley.db'));
  const files = createAttachmentStore({ dir: attachmentsDirOf(a.dir) });
  const store = openChatStore({ dataDir: a.dir, files, sweepAfterMs: 0 });
  open.push({ store, files });
  expect(store.getMessage(later.id)).toBeUndefined();
  const again = await syncOnce({ store, dataDir: a.dir, target, files });
  expect(again.applied).toBeGreaterThan(0);
  expect(store.getMessage(later.id)?.text).toBe('published after the backup');
  const newer = store.addMessage({ conversationId: x, role: 'assistant', text: 'after the restore' });
  await syncOnce({ store, dataDir: a.dir, target, files });
  const b = device('B');
  await b.sync(target);
  expect(b.store.getMessage(newer.id)?.text).toBe('after the restore');
  expect(b.store.getMessage(later.id)?.text).toBe('published after the backup');
}

/**
 * Compaction: each snapshot lets its writer remove its journals the previous snapshot covered, so the target does not
 * grow with every change; a device behind them loads the newest snapshot and ends the same; a new device too.
 */
export async function compactionRemovesJournals(make: TargetFactory): Promise<void> {
  const target = await make();
  const a = device('A', { compactAfter: 1 });
  const b = device('B');
  chat(a, 'one', 2);
  await a.sync(target);
  await b.sync(target);
  chat(a, 'two', 2);
  await a.sync(target);
  chat(a, 'three', 2);
  await a.sync(target);
  const names = (await target.list('')).map((e) => e.name);
  expect(names.filter((n) => n.includes('/journal/'))).toHaveLength(1);
  expect(names.filter((n) => n.endsWith('/manifest.ps'))).toHaveLength(1);
  const r = await b.sync(target);
  expect(r.applied).toBeGreaterThan(0);
  expect(stateOf(b)).toEqual(stateOf(a));
  expect(messageCount(b)).toBe(6);
  const c = device('C');
  await c.sync(target);
  expect(stateOf(c)).toEqual(stateOf(a));
  // A journal listed and removed before it is read (its writer compacting meanwhile) does not fail the sync.
  const journal = names.find((n) => n.includes('/journal/'))!;
  const phantom = journal.replace(/\d{10}\.pj$/, '0000000099.pj');
  const racing: SyncTarget = { ...target, label: target.label, list: async (p, sg) => [...await target.list(p, sg), { name: phantom, size: 100 }], get: (n, m, sg) => target.get(n, m, sg), put: (n, bb, sg) => target.put(n, bb, sg), remove: (n, sg) => target.remove(n, sg) };
  const before = stateOf(b);
  await b.sync(racing);
  expect(stateOf(b)).toEqual(before);
}

/**
 * Every write path is captured (the triggers are in the schema): a conversation imported in the store's import worker
 * (its own connection) and one imported in process both reach the other device.
 */
export async function importsAreSynced(make: TargetFactory): Promise<void> {
  const target = await make();
  const a = device('A');
  const b = device('B');
  chat(a, 'first', 2);
  await a.sync(target);
  await b.sync(target);
  const doc = (title: string): string => JSON.stringify({
    format: 'parley.conversation', version: 1, conversation: { title },
    messages: [{ id: 'q', parentId: null, role: 'user', text: `${title}: question`, status: 'complete' }, { id: 'r', parentId: 'q', role: 'assistant', text: `${title}: answer`, status: 'complete' }],
  });
  a.store.importJson(doc('imported in process'));
  const file = join(a.dir, 'export.json');
  writeFileSync(file, doc('imported by the worker'));
  await a.store.importFile(file);
  await a.sync(target);
  await b.sync(target);
  const titles = b.store.listConversations().map((c) => c.title).sort();
  expect(titles).toEqual(['first', 'imported by the worker', 'imported in process']);
  expect(stateOf(b)).toEqual(stateOf(a));
}
