/**
 * Sync's side of parley.db: what this device publishes (its changes, found by migration 10's triggers, or everything
 * on a first sync), and applying what other devices published, merged:
 *
 * - Messages are a union by id (the tree makes most merges a union). A message changed on two devices (an answer
 *   finished, a status) keeps the later change; its parent and conversation never change.
 * - A conversation's values (title, pinned, parameters, system prompt, provider, model, context size) each keep the
 *   later change, so a rename on one device and a pin on another both stay. The draft and which version is shown
 *   (the current leaf) are this device's own and not synced; a new message from elsewhere that continues the shown
 *   path is shown.
 * - "Later" is a stamp: a hybrid clock (milliseconds, never below anything this device has seen) then the device id.
 * - A delete wins over everything older than it. Anything newer than a delete (a message another device added after
 *   it, not knowing) keeps itself and what it hangs from: the conversation (or the deleted branch) comes back on the
 *   deleting device, republished by the device that still has it. A newer rename or pin alone does not undo a delete.
 * - A message whose parent has not arrived waits in sync_pending until it does.
 *
 * Everything here runs inside one transaction per applied file with sync_self.applying set, so the triggers do not
 * record what is applied as this device's changes (no echo), and a failure leaves the database as it was.
 */
import { ParleyError } from '../../core/errors.ts';
import type { AttachmentRef } from '../../../shared/attachments.ts';
import type { Message } from '../../../shared/chat.ts';
import type { Db } from '../storage/db.ts';
import {
  conversationRow, insertConversation, insertMessage, messageRow, patchConversation, patchMessage, removeConversation, toConversation, toMessage,
  type ConversationPatch, type ConversationRow, type MessagePatch,
} from '../storage/records.ts';
import { withAttachmentRows } from '../storage/attachments.ts';
import { removeMessage } from '../storage/tree.ts';
import { SYNCED_CONVERSATION_FIELDS } from '../storage/sync-tables.ts';

export type FieldName = (typeof SYNCED_CONVERSATION_FIELDS)[keyof typeof SYNCED_CONVERSATION_FIELDS];
const FIELDS = Object.values(SYNCED_CONVERSATION_FIELDS) as FieldName[];

export type MessageBody = Omit<Message, 'id' | 'conversationId' | 'parentId'>;

/** One change on the wire. `s`: its stamp. */
export type Entry =
  | { k: 'c'; id: string; at: number; up: number; s: string; f: Partial<Record<FieldName, [unknown, string]>> }
  | { k: 'm'; id: string; c: string; p: string | null; s: string; m: MessageBody }
  | { k: 'cx'; id: string; s: string }
  | { k: 'mx'; id: string; c: string; p: string | null; s: string };

export interface ApplyResult {
  applied: number;
  conflicts: number;
  /** Attachment ids no message uses any more after deletes (their files may go). */
  orphans: string[];
}

const ZERO = '0';
export const stampOf = (ms: number, device: string): string => `${String(Math.max(0, Math.floor(ms))).padStart(15, '0')}-${device}`;
const msOf = (s: string): number => Number(s.slice(0, 15)) || 0;

// ---------------------------------------------------------------- state

export function kvGet(db: Db, key: string): string | undefined {
  return (db.stmt('SELECT value FROM sync_kv WHERE key = ?').get(key) as { value: string } | undefined)?.value;
}
export function kvSet(db: Db, key: string, value: string | number): void {
  db.stmt('INSERT OR REPLACE INTO sync_kv (key, value) VALUES (?, ?)').run(key, String(value));
}

export function cursors(db: Db): Map<string, number> {
  return new Map((db.stmt('SELECT device, seq FROM sync_cursors').all() as { device: string; seq: number }[]).map((r) => [r.device, r.seq]));
}
export function setCursor(db: Db, device: string, seq: number): void {
  db.stmt('INSERT INTO sync_cursors (device, seq) VALUES (?, ?) ON CONFLICT(device) DO UPDATE SET seq = max(seq, excluded.seq)').run(device, seq);
}

/**
 * Turns change capture on for this device and this sync set. A database that was another device's (a copy, a
 * restored backup) or that synced with another set starts over: every cursor forgotten, everything published again.
 */
export function prepare(db: Db, device: string, setId: string): { fresh: boolean } {
  return db.tx(() => {
    const self = db.stmt('SELECT device, enabled FROM sync_self WHERE id = 1').get() as { device: string; enabled: number };
    const fresh = self.device !== device || kvGet(db, 'set') !== setId || !self.enabled;
    if (fresh) {
      db.stmt('UPDATE sync_self SET device = ?, enabled = 1 WHERE id = 1').run(device);
      db.raw.exec('DELETE FROM sync_cursors; DELETE FROM sync_files; DELETE FROM sync_kv; DELETE FROM sync_pending');
      kvSet(db, 'set', setId);
      // Everything here now is to be published (markAll); what changes from here on is marked by the triggers.
      kvSet(db, 'marking', 0);
    }
    return { fresh };
  });
}

/**
 * After a fresh start: marks everything this database holds as to publish (conversations, then their messages
 * parents first, then deletes), some conversations a transaction with a turn of the event loop between, so the app's
 * main thread is not held (a first sync of 100,000 messages). Resumes where it stopped (kv 'marking').
 */
export async function markAll(db: Db): Promise<void> {
  for (;;) {
    const at = kvGet(db, 'marking');
    if (at === undefined) return;
    const after = Number(at);
    const done = db.tx(() => {
      const seqs = (db.stmt('SELECT seq FROM conversations WHERE seq > ? ORDER BY seq LIMIT 200').all(after) as { seq: number }[]).map((r) => r.seq);
      const base = (db.stmt('SELECT counter FROM sync_self WHERE id = 1').get() as { counter: number }).counter;
      if (seqs.length === 0) {
        db.stmt(`INSERT OR REPLACE INTO sync_dirty (entity, n) SELECT entity, ? + row_number() OVER (ORDER BY entity) FROM sync_tombstones`).run(base);
      } else {
        const hi = seqs.at(-1)!;
        db.stmt(`INSERT OR REPLACE INTO sync_dirty (entity, n) SELECT entity, ? + row_number() OVER (ORDER BY k1, k2, k3, k4) FROM (
            SELECT 'c:' || id AS entity, 0 AS k1, seq AS k2, 0 AS k3, 0 AS k4 FROM conversations WHERE seq > ? AND seq <= ?
            UNION ALL SELECT 'm:' || m.id, 1, c.seq, m.depth, m.seq FROM conversations c JOIN messages m ON m.conversation_id = c.id WHERE c.seq > ? AND c.seq <= ?)`)
          .run(base, after, hi, after, hi);
      }
      db.stmt('UPDATE sync_self SET counter = max(counter, (SELECT coalesce(max(n), 0) FROM sync_dirty)) WHERE id = 1').run();
      if (seqs.length === 0) db.stmt("DELETE FROM sync_kv WHERE key = 'marking'").run();
      else kvSet(db, 'marking', seqs.at(-1)!);
      return seqs.length === 0;
    });
    if (done) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function deviceOf(db: Db): string {
  return (db.stmt('SELECT device FROM sync_self WHERE id = 1').get() as { device: string }).device;
}

/** A new stamp of this device, later than anything it has made or seen. */
function freshStamp(db: Db): string {
  const r = db.stmt("UPDATE sync_self SET clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) WHERE id = 1 RETURNING clock, device")
    .get() as { clock: number; device: string };
  return stampOf(r.clock, r.device);
}

/** The clock moves past what was seen. */
function saw(db: Db, s: string): void {
  db.stmt('UPDATE sync_self SET clock = max(clock, ?) WHERE id = 1').run(msOf(s));
}

function clock(db: Db, entity: string): string | undefined {
  return (db.stmt('SELECT stamp FROM sync_clock WHERE entity = ?').get(entity) as { stamp: string } | undefined)?.stamp;
}
function setClock(db: Db, entity: string, s: string): void {
  db.stmt('INSERT OR REPLACE INTO sync_clock (entity, stamp) VALUES (?, ?)').run(entity, s);
}
function tomb(db: Db, entity: string): { stamp: string } | undefined {
  return db.stmt('SELECT stamp FROM sync_tombstones WHERE entity = ?').get(entity) as { stamp: string } | undefined;
}
function setTomb(db: Db, entity: string, conversationId: string, parentId: string | null, s: string): void {
  db.stmt('INSERT OR REPLACE INTO sync_tombstones (entity, conversation_id, parent_id, stamp) VALUES (?, ?, ?, ?)').run(entity, conversationId, parentId, s);
}
function markDirty(db: Db, entity: string): void {
  db.stmt('UPDATE sync_self SET counter = counter + 1 WHERE id = 1').run();
  db.stmt('INSERT OR REPLACE INTO sync_dirty (entity, n) VALUES (?, (SELECT counter FROM sync_self WHERE id = 1))').run(entity);
}

// ---------------------------------------------------------------- reading entries (what this device publishes)

function conversationEntry(db: Db, r: ConversationRow, device: string): Entry {
  const clocks = new Map((db.stmt("SELECT entity, stamp FROM sync_clock WHERE entity >= ? AND entity < ?").all(`c:${r.id}`, `c:${r.id};`) as { entity: string; stamp: string }[])
    .map((x) => [x.entity, x.stamp]));
  const s = clocks.get(`c:${r.id}`) ?? stampOf(r.created_at, device);
  const c = toConversation(r);
  const f: Partial<Record<FieldName, [unknown, string]>> = {};
  for (const name of FIELDS) f[name] = [c[name], clocks.get(`c:${r.id}:${name}`) ?? s];
  return { k: 'c', id: r.id, at: r.created_at, up: r.updated_at, s, f };
}

type Row = Parameters<typeof toMessage>[0];

function messageEntry(db: Db, r: Row, device: string): Entry {
  const { id, conversationId, parentId, ...m } = toMessage(r);
  return { k: 'm', id, c: conversationId, p: parentId, s: clock(db, `m:${id}`) ?? stampOf(r.updated_at, device), m };
}

const MESSAGE_SELECT = 'SELECT seq, id, conversation_id, parent_id, role, text, reasoning, status, error, provider_id, model, usage, ttft_ms, duration_ms, reasoning_ms, route_info, finish_reason, ending, tools, created_at, updated_at, indexed, depth FROM messages';

/** One entry of a dirty entity: its current state, its delete, or nothing (gone with its conversation; still streaming). */
function entryOfEntity(db: Db, entity: string, device: string): Entry | 'later' | undefined {
  const id = entity.slice(2);
  if (entity.startsWith('c:')) {
    const r = conversationRow(db, id);
    if (r) return conversationEntry(db, r, device);
    const t = db.stmt('SELECT stamp FROM sync_tombstones WHERE entity = ?').get(entity) as { stamp: string } | undefined;
    return t ? { k: 'cx', id, s: t.stamp } : undefined;
  }
  const r = db.stmt(`${MESSAGE_SELECT} WHERE id = ?`).get(id) as Row | undefined;
  if (r) {
    // A streaming answer is published once it ends (another device must not take a partial answer as final).
    if (r.status === 'streaming') return 'later';
    return messageEntry(db, withAttachmentRows(db, [r])[0]!, device);
  }
  const t = db.stmt('SELECT conversation_id, parent_id, stamp FROM sync_tombstones WHERE entity = ?').get(entity) as
    { conversation_id: string; parent_id: string | null; stamp: string } | undefined;
  return t ? { k: 'mx', id, c: t.conversation_id, p: t.parent_id, s: t.stamp } : undefined;
}

export interface Chunk {
  entries: string[];
  bytes: number;
  /** Makes what this chunk published count as published (run in the transaction that records the journal's seq). */
  done: () => void;
  /** Attachment ids its messages use. */
  attachments: Set<string>;
}

/** Gives the event loop a turn once ~30 ms of reading have passed (the app's main thread must not stall). */
function turns(): () => Promise<void> {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < 30) return;
    await new Promise((resolve) => setImmediate(resolve));
    since = performance.now();
  };
}

const addAttachments = (set: Set<string>, e: Entry): void => {
  if (e.k === 'm') for (const a of e.m.attachments ?? []) set.add(a.id);
};

/**
 * The next chunk of what this device has to publish (about `maxBytes` of JSON; one entry may be larger), or
 * undefined when all is published: the changed entities in the order they changed (on a first sync, everything).
 */
export async function nextChunk(db: Db, maxBytes: number, afterN: { n: number }): Promise<Chunk | undefined> {
  const device = deviceOf(db);
  const turn = turns();
  const entries: string[] = [];
  const attachments = new Set<string>();
  let bytes = 0;
  const push = (e: Entry): void => {
    const j = JSON.stringify(e);
    entries.push(j);
    bytes += j.length + 1;
    addAttachments(attachments, e);
  };
  const published: { entity: string; n: number }[] = [];
  while (bytes < maxBytes) {
    const rows = db.stmt('SELECT entity, n FROM sync_dirty WHERE n > ? ORDER BY n LIMIT 500').all(afterN.n) as { entity: string; n: number }[];
    if (rows.length === 0) break;
    for (const r of rows) {
      afterN.n = r.n;
      const e = entryOfEntity(db, r.entity, device);
      if (e === 'later') continue;
      published.push(r);
      if (e) push(e);
      if (bytes >= maxBytes) break;
      await turn();
    }
  }
  if (published.length === 0) return undefined;
  return {
    entries, bytes, attachments,
    done: () => {
      for (const r of published) db.stmt('DELETE FROM sync_dirty WHERE entity = ? AND n = ?').run(r.entity, r.n);
    },
  };
}

/** Everything this database holds, as entries, a chunk at a time (a snapshot). */
export async function* allEntries(db: Db, maxBytes: number): AsyncGenerator<string[]> {
  const device = deviceOf(db);
  const turn = turns();
  let out: string[] = [];
  let bytes = 0;
  const push = (e: Entry): string[] | undefined => {
    const j = JSON.stringify(e);
    out.push(j);
    bytes += j.length + 1;
    if (bytes < maxBytes) return undefined;
    const full = out;
    out = [];
    bytes = 0;
    return full;
  };
  let conv = 0;
  for (;;) {
    const r = db.stmt('SELECT * FROM conversations WHERE seq > ? ORDER BY seq LIMIT 1').get(conv) as ConversationRow | undefined;
    if (!r) break;
    conv = r.seq;
    let full = push(conversationEntry(db, r, device));
    if (full) yield full;
    let depth = 0;
    let msg = -1;
    for (;;) {
      const rows = db.stmt(`${MESSAGE_SELECT} WHERE conversation_id = ? AND (depth > ? OR (depth = ? AND seq > ?)) ORDER BY depth, seq LIMIT 500`)
        .all(r.id, depth, depth, msg) as unknown as Row[];
      if (rows.length === 0) break;
      for (const m of withAttachmentRows(db, rows)) {
        depth = m.depth;
        msg = m.seq;
        if (m.status === 'streaming') continue;
        full = push(messageEntry(db, m, device));
        if (full) yield full;
        await turn();
      }
    }
    await turn();
  }
  // Messages still waiting for their parent: covered by the snapshot's cursors, so carried by it.
  for (const x of db.stmt('SELECT entry FROM sync_pending ORDER BY id').all() as { entry: string }[]) {
    out.push(x.entry);
    bytes += x.entry.length + 1;
  }
  for (let after = ''; ;) {
    const t = db.stmt('SELECT entity, conversation_id, parent_id, stamp FROM sync_tombstones WHERE entity > ? ORDER BY entity LIMIT 500').all(after) as
      { entity: string; conversation_id: string; parent_id: string | null; stamp: string }[];
    if (t.length === 0) break;
    for (const x of t) {
      after = x.entity;
      const full = push(x.entity.startsWith('c:') ? { k: 'cx', id: x.entity.slice(2), s: x.stamp } : { k: 'mx', id: x.entity.slice(2), c: x.conversation_id, p: x.parent_id, s: x.stamp });
      if (full) yield full;
    }
    await turn();
  }
  if (out.length) yield out;
}

// ---------------------------------------------------------------- applying entries (what other devices published)

const isStamp = (s: unknown): s is string => typeof s === 'string' && /^\d{15}-[A-Za-z0-9._-]{1,64}$/.test(s);
const isId = (s: unknown): s is string => typeof s === 'string' && s.length > 0 && s.length <= 200;

/** An entry's shape, checked (its values are checked again by the storage's own writes). */
export function checkEntry(x: unknown): Entry {
  const bad = (why: string): ParleyError => new ParleyError('sync_invalid', `An entry is not valid: ${why}.`);
  if (typeof x !== 'object' || x === null) throw bad('not an object');
  const e = x as Record<string, unknown>;
  if (!isId(e.id) || !isStamp(e.s)) throw bad('no id or stamp');
  switch (e.k) {
    case 'c':
      if (typeof e.at !== 'number' || typeof e.up !== 'number' || typeof e.f !== 'object' || e.f === null) throw bad('a conversation without its values');
      for (const [name, v] of Object.entries(e.f)) {
        if (!(FIELDS as string[]).includes(name) || !Array.isArray(v) || v.length !== 2 || !isStamp(v[1])) throw bad(`a conversation value ${name}`);
      }
      return e as Entry;
    case 'm':
      if (!isId(e.c) || (e.p !== null && !isId(e.p)) || typeof e.m !== 'object' || e.m === null) throw bad('a message without its conversation');
      if (typeof (e.m as MessageBody).createdAt !== 'number' || typeof (e.m as MessageBody).updatedAt !== 'number') throw bad('a message without its times');
      return e as Entry;
    case 'cx':
      return e as Entry;
    case 'mx':
      if (!isId(e.c) || (e.p !== null && !isId(e.p))) throw bad('a message delete without its conversation');
      return e as Entry;
    default:
      throw bad(`an unknown kind ${JSON.stringify(e.k)}`);
  }
}

function messagePatchOf(m: MessageBody): MessagePatch {
  return {
    text: m.text, reasoning: m.reasoning, status: m.status, error: m.error ?? null, providerId: m.providerId ?? null, model: m.model ?? null,
    usage: m.usage ?? null, ttftMs: m.ttftMs ?? null, durationMs: m.durationMs ?? null, reasoningMs: m.reasoningMs ?? null, routeInfo: m.routeInfo ?? null,
    finishReason: m.finishReason ?? null, ending: m.ending ?? null, tools: m.tools ?? null,
  };
}

interface Ctx {
  db: Db;
  result: ApplyResult;
  /** Entities this apply brought back to life (republished by this device). */
}

function ensureConversation(c: Ctx, id: string, createdAt: number): ConversationRow {
  const r = conversationRow(c.db, id);
  if (r) return r;
  if (tomb(c.db, `c:${id}`)) {
    c.db.stmt('DELETE FROM sync_tombstones WHERE entity = ?').run(`c:${id}`);
    c.result.conflicts++;
  }
  const row = insertConversation(c.db, {}, { createdAt, updatedAt: createdAt }, id);
  setClock(c.db, `c:${id}`, ZERO);
  return row;
}

function applyConversation(c: Ctx, e: Extract<Entry, { k: 'c' }>): void {
  const { db } = c;
  let r = conversationRow(db, e.id);
  const created = !r;
  if (!r) {
    const t = tomb(db, `c:${e.id}`);
    if (t && t.stamp >= e.s) return;
    r = ensureConversation(c, e.id, e.at);
  }
  const own = clock(db, `c:${e.id}`);
  if (own === undefined || own < e.s) setClock(db, `c:${e.id}`, e.s);
  const base = own ?? stampOf(r.created_at, deviceOf(db));
  const current = toConversation(r);
  const patch: ConversationPatch = {};
  const dirty = db.stmt('SELECT 1 AS y FROM sync_dirty WHERE entity = ?').get(`c:${e.id}`) !== undefined;
  for (const name of FIELDS) {
    const v = e.f[name];
    if (!v) continue;
    const [value, s] = v;
    saw(db, s);
    const mine = clock(db, `c:${e.id}:${name}`) ?? base;
    const same = JSON.stringify(current[name]) === JSON.stringify(value);
    if (s > mine) {
      if (!same) {
        (patch as Record<string, unknown>)[name] = value;
        if (dirty && mine.slice(16) === deviceOf(db)) c.result.conflicts++;
      }
      setClock(db, `c:${e.id}:${name}`, s);
    } else if (!same && s < mine) c.result.conflicts++;
  }
  if (Object.keys(patch).length) {
    patchConversation(db, e.id, patch);
    c.result.applied++;
  } else if (created) c.result.applied++;
  if (e.up > r.updated_at) db.stmt('UPDATE conversations SET updated_at = ? WHERE id = ?').run(e.up, e.id);
}

/** Inserts a message whose parent is here (or a root); then the messages that waited for it. */
function insertArrived(c: Ctx, e: Extract<Entry, { k: 'm' }>): void {
  const { db } = c;
  const conv = ensureConversation(c, e.c, e.m.createdAt);
  let parent: { id: string; depth: number } | null = null;
  if (e.p !== null) {
    const p = db.stmt('SELECT conversation_id, depth FROM messages WHERE id = ?').get(e.p) as { conversation_id: string; depth: number };
    if (p.conversation_id !== e.c) throw new ParleyError('sync_invalid', `Message ${e.id} names a parent in another conversation.`);
    parent = { id: e.p, depth: p.depth };
  }
  const { createdAt, updatedAt, attachments, ...rest } = e.m;
  insertMessage(db, e.c, parent, { ...rest, attachments: attachments as AttachmentRef[] | undefined }, { createdAt, updatedAt }, undefined, e.id);
  // The shown path follows a new message that continues it (or starts an empty conversation).
  const leaf = conv.current_leaf_id === null || conv.current_leaf_id === e.p ? e.id : conv.current_leaf_id;
  db.stmt('UPDATE conversations SET current_leaf_id = ?, updated_at = max(updated_at, ?), message_count = message_count + 1 WHERE id = ?').run(leaf, createdAt, e.c);
  setClock(db, `m:${e.id}`, e.s);
  c.result.applied++;
  const waiting = db.stmt('SELECT id, entry FROM sync_pending WHERE parent_id = ?').all(e.id) as { id: string; entry: string }[];
  for (const w of waiting) {
    db.stmt('DELETE FROM sync_pending WHERE id = ?').run(w.id);
    applyMessage(c, JSON.parse(w.entry) as Extract<Entry, { k: 'm' }>);
  }
}

function applyMessage(c: Ctx, e: Extract<Entry, { k: 'm' }>): void {
  const { db } = c;
  saw(db, e.s);
  const local = messageRow(db, e.id);
  if (local) {
    if (local.conversation_id !== e.c || local.parent_id !== e.p) throw new ParleyError('sync_invalid', `Message ${e.id} moved to another place in its tree.`);
    const mine = clock(db, `m:${e.id}`) ?? stampOf(local.updated_at, deviceOf(db));
    if (e.s > mine) {
      patchMessage(db, e.id, messagePatchOf(e.m));
      setClock(db, `m:${e.id}`, e.s);
      c.result.applied++;
    }
    return;
  }
  const t = tomb(db, `m:${e.id}`);
  if (t) {
    if (t.stamp >= e.s) return;
    db.stmt('DELETE FROM sync_tombstones WHERE entity = ?').run(`m:${e.id}`);
    c.result.conflicts++;
  }
  if (!conversationRow(db, e.c)) {
    const ct = tomb(db, `c:${e.c}`);
    if (ct && ct.stamp >= e.s) return;
  }
  if (e.p !== null && !messageRow(db, e.p)) {
    db.stmt('INSERT OR REPLACE INTO sync_pending (id, parent_id, entry) VALUES (?, ?, ?)').run(e.id, e.p, JSON.stringify(e));
    return;
  }
  insertArrived(c, e);
}

/** The stamp of each message (its clock, or its last change's time here). */
function stampsOf(db: Db, where: string, arg: string): { id: string; stamp: string }[] {
  const device = deviceOf(db);
  return (db.stmt(`SELECT m.id, m.updated_at, k.stamp FROM messages m LEFT JOIN sync_clock k ON k.entity = 'm:' || m.id WHERE ${where}`).all(arg) as
    { id: string; updated_at: number; stamp: string | null }[]).map((r) => ({ id: r.id, stamp: r.stamp ?? stampOf(r.updated_at, device) }));
}

/** Brings messages back to life: newer stamps, published again by this device (so the deleting device gets them back). */
function revive(c: Ctx, ids: string[]): void {
  for (const id of ids) {
    setClock(c.db, `m:${id}`, freshStamp(c.db));
    c.db.stmt('DELETE FROM sync_tombstones WHERE entity = ?').run(`m:${id}`);
    markDirty(c.db, `m:${id}`);
  }
}

function applyMessageDelete(c: Ctx, e: Extract<Entry, { k: 'mx' }>): void {
  const { db } = c;
  saw(db, e.s);
  const t = tomb(db, `m:${e.id}`);
  if (t && t.stamp >= e.s) return;
  db.stmt('DELETE FROM sync_pending WHERE id = ?').run(e.id);
  const row = messageRow(db, e.id);
  if (!row) {
    setTomb(db, `m:${e.id}`, e.c, e.p, e.s);
    return;
  }
  const subtree = stampsOf(db, `m.id IN (WITH RECURSIVE d(id) AS (SELECT ? UNION ALL SELECT x.id FROM messages x JOIN d ON x.parent_id = d.id) SELECT id FROM d)`, e.id);
  if (subtree.some((m) => m.stamp > e.s)) {
    // Something newer hangs from it (added after the delete, elsewhere): the branch stays, and goes back to the deleting device.
    revive(c, subtree.map((m) => m.id));
    c.result.conflicts++;
    return;
  }
  const { orphans } = removeMessage(db, e.id);
  c.result.orphans.push(...orphans);
  for (const m of subtree) {
    setTomb(db, `m:${m.id}`, row.conversation_id, m.id === e.id ? row.parent_id : null, e.s);
    db.stmt('DELETE FROM sync_clock WHERE entity = ?').run(`m:${m.id}`);
  }
  c.result.applied++;
}

function applyConversationDelete(c: Ctx, e: Extract<Entry, { k: 'cx' }>): void {
  const { db } = c;
  saw(db, e.s);
  const t = tomb(db, `c:${e.id}`);
  if (t && t.stamp >= e.s) return;
  const r = conversationRow(db, e.id);
  if (r) {
    const messages = stampsOf(db, 'm.conversation_id = ?', e.id);
    if (messages.some((m) => m.stamp > e.s)) {
      // A message newer than the delete: the conversation stays, and goes back to the deleting device whole.
      revive(c, messages.map((m) => m.id));
      setClock(db, `c:${e.id}`, freshStamp(db));
      markDirty(db, `c:${e.id}`);
      c.result.conflicts++;
      return;
    }
    const gone = removeConversation(db, e.id);
    if (gone) c.result.orphans.push(...gone.orphans);
    for (const m of messages) db.stmt('DELETE FROM sync_clock WHERE entity = ?').run(`m:${m.id}`);
    c.result.applied++;
  }
  db.stmt('DELETE FROM sync_tombstones WHERE conversation_id = ?').run(e.id);
  db.stmt('DELETE FROM sync_clock WHERE entity >= ? AND entity < ?').run(`c:${e.id}`, `c:${e.id};`);
  db.stmt("DELETE FROM sync_pending WHERE json_extract(entry, '$.c') = ?").run(e.id);
  setTomb(db, `c:${e.id}`, e.id, null, e.s);
}

/**
 * Applies one file's entries in the caller's transaction: messages first (a conversation they need is made), then
 * conversations' values, then deletes. `after` runs in the same transaction (the cursor's move).
 */
export function applyEntries(db: Db, entries: Entry[], after: () => void): ApplyResult {
  const result: ApplyResult = { applied: 0, conflicts: 0, orphans: [] };
  const c: Ctx = { db, result };
  db.tx(() => {
    db.stmt('UPDATE sync_self SET applying = 1 WHERE id = 1').run();
    try {
      for (const e of entries) if (e.k === 'm') applyMessage(c, e);
      for (const e of entries) if (e.k === 'c') applyConversation(c, e);
      for (const e of entries) if (e.k === 'mx') applyMessageDelete(c, e);
      for (const e of entries) if (e.k === 'cx') applyConversationDelete(c, e);
      after();
    } finally {
      db.stmt('UPDATE sync_self SET applying = 0 WHERE id = 1').run();
    }
  });
  return result;
}

/** Attachment ids messages use whose files are not here (to download). */
export function attachmentIds(db: Db): string[] {
  return (db.stmt('SELECT id FROM attachments').all() as { id: string }[]).map((r) => r.id);
}
