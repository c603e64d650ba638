/**
 * Attachments in parley.db (migration 8): each stored file once in `attachments` (its SHA-256 id, kind, mime, size,
 * the rest of its AttachmentRef as JSON) and each message's files in `message_attachments` (position, name). The
 * bytes live in the data folder's content-addressed store (services/attachments), reached through `AttachmentFiles`.
 *
 * A file's row exists while a message uses it: linking a message adds it (once), deleting the last message that
 * uses it removes it, and its id is returned so the file can be deleted from the disk once the transaction commits.
 * Reads fill a page's attachments in one query (not one per message).
 */
import {
  ATTACHMENT_ID, ATTACHMENT_KINDS, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENT_NAME_CHARS, MAX_ATTACHMENTS_PER_MESSAGE, MAX_MESSAGE_ATTACHMENT_BYTES,
  type AttachmentKind, type AttachmentRef,
} from '../../../shared/attachments.ts';
import type { AttachmentStore } from '../attachments/index.ts';
import type { Db } from './db.ts';
import { invalid, tooLarge } from './limits.ts';

/**
 * What the chat store uses of the attachment store on disk (services/attachments: createAttachmentStore); tests pass
 * a fake. add/addPath: an import's files, checked as a new add; path: the export reads the bytes; remove: files no
 * message uses any more; sweep: files staged and never sent.
 */
export type AttachmentFiles = Pick<AttachmentStore, 'add' | 'addPath' | 'describe' | 'path' | 'remove' | 'sweep'>;

/** How long a file may sit in the store without a message before the sweep removes it (staged, then abandoned). */
export const UNREFERENCED_KEEP_MS = 24 * 60 * 60 * 1000;

const META_KEYS = ['width', 'height', 'encoding', 'pages', 'chars', 'keptChars', 'noText'] as const;

const count = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= Number.MAX_SAFE_INTEGER;

/** One ref, checked (a bug of the caller, or a bad file in an import, is refused): its id, kind, mime, size, name and details. */
export function checkRef(r: unknown): AttachmentRef {
  if (typeof r !== 'object' || r === null) throw invalid('An attachment must be an object.');
  const a = r as Record<string, unknown>;
  if (typeof a.id !== 'string' || !ATTACHMENT_ID.test(a.id)) throw invalid('An attachment id must be 64 lower-case hex digits (its SHA-256).');
  if (!(ATTACHMENT_KINDS as readonly unknown[]).includes(a.kind)) throw invalid(`Unknown attachment kind ${JSON.stringify(a.kind)}.`);
  if (typeof a.mime !== 'string' || a.mime.length === 0 || a.mime.length > 255) throw invalid('An attachment needs a mime type (at most 255 characters).');
  if (!count(a.size)) throw invalid('An attachment size must be a whole number of bytes.');
  if (a.size > MAX_ATTACHMENT_BYTES) throw tooLarge(`The attachment ${JSON.stringify(String(a.name ?? ''))}`, `${MAX_ATTACHMENT_BYTES / 1024 / 1024} MB a file`, `${Math.ceil(a.size / 1024 / 1024)} MB`);
  if (typeof a.name !== 'string' || a.name.length === 0 || [...a.name].length > MAX_ATTACHMENT_NAME_CHARS || /[/\\\0]/.test(a.name)) {
    throw invalid(`An attachment name must be 1 to ${MAX_ATTACHMENT_NAME_CHARS} characters, without a folder.`);
  }
  const ref: AttachmentRef = { id: a.id, name: a.name, kind: a.kind as AttachmentKind, mime: a.mime, size: a.size };
  for (const k of META_KEYS) {
    const v = a[k];
    if (v === undefined) continue;
    if (k === 'noText') {
      if (typeof v !== 'boolean') throw invalid('An attachment\'s noText must be true or false.');
      ref.noText = v;
    } else if (k === 'encoding') {
      if (typeof v !== 'string' || v.length > 64) throw invalid('An attachment\'s encoding must be a short name.');
      ref.encoding = v;
    } else {
      if (!count(v)) throw invalid(`An attachment's ${k} must be a whole number.`);
      ref[k] = v;
    }
  }
  return ref;
}

/** A message's attachments, checked: each ref, at most MAX_ATTACHMENTS_PER_MESSAGE, and MAX_MESSAGE_ATTACHMENT_BYTES together. */
export function checkRefs(refs: unknown): AttachmentRef[] {
  if (refs === undefined) return [];
  if (!Array.isArray(refs)) throw invalid('A message\'s attachments must be a list.');
  if (refs.length > MAX_ATTACHMENTS_PER_MESSAGE) throw tooLarge('A message', `${MAX_ATTACHMENTS_PER_MESSAGE} attachments`, `${refs.length} attachments`);
  const out = refs.map(checkRef);
  const total = out.reduce((n, r) => n + r.size, 0);
  if (total > MAX_MESSAGE_ATTACHMENT_BYTES) {
    throw tooLarge('The attachments of a message', `${MAX_MESSAGE_ATTACHMENT_BYTES / 1024 / 1024} MB together`, `${Math.ceil(total / 1024 / 1024)} MB`);
  }
  return out;
}

/** The details of a ref beyond id, name, kind, mime and size (the `meta` column). */
function metaOf(r: AttachmentRef): string {
  const meta: Record<string, unknown> = {};
  for (const k of META_KEYS) if (r[k] !== undefined) meta[k] = r[k];
  return JSON.stringify(meta);
}

/** Links a message (by seq) to its attachments, in order; each file's row is added once (the first ref's details stay). */
export function linkAttachments(db: Db, messageSeq: number, refs: readonly AttachmentRef[], now: number): void {
  refs.forEach((r, position) => {
    db.stmt('INSERT INTO attachments (id, kind, mime, size, meta, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING')
      .run(r.id, r.kind, r.mime, r.size, metaOf(r), now);
    db.stmt('INSERT INTO message_attachments (message_seq, position, attachment_id, name) VALUES (?, ?, ?, ?)').run(messageSeq, position, r.id, r.name);
  });
}

interface LinkRow {
  message_seq: number;
  name: string;
  id: string;
  kind: AttachmentKind;
  mime: string;
  size: number;
  meta: string;
}

/** From this many messages on, attachmentsOf reads a range of seqs rather than probing each. */
const RANGE_FROM = 200;

/** The attachments of these messages (by seq), each list in order; one query. Messages without any are absent. */
export function attachmentsOf(db: Db, seqs: readonly number[]): Map<number, AttachmentRef[]> {
  const out = new Map<number, AttachmentRef[]>();
  if (seqs.length === 0) return out;
  const cols = 'SELECT ma.message_seq, ma.name, a.id, a.kind, a.mime, a.size, a.meta FROM message_attachments ma JOIN attachments a ON a.id = ma.attachment_id';
  let rows: LinkRow[];
  let only: Set<number> | undefined;
  if (seqs.length === 1) rows = db.stmt(`${cols} WHERE ma.message_seq = ? ORDER BY ma.position`).all(seqs[0]!) as unknown as LinkRow[];
  else if (seqs.length <= RANGE_FROM) {
    rows = db.stmt(`${cols} WHERE ma.message_seq IN (SELECT value FROM json_each(?)) ORDER BY ma.message_seq, ma.position`).all(JSON.stringify(seqs)) as unknown as LinkRow[];
  } else {
    // A long path (a request's whole history): one range of the primary key, filtered here, instead of one probe per
    // message (10,000 probes took 12 ms; the range costs only the links in it, none for a conversation without files).
    let lo = Infinity;
    let hi = -Infinity;
    for (const s of seqs) {
      if (s < lo) lo = s;
      if (s > hi) hi = s;
    }
    rows = db.stmt(`${cols} WHERE ma.message_seq BETWEEN ? AND ? ORDER BY ma.message_seq, ma.position`).all(lo, hi) as unknown as LinkRow[];
    if (rows.length) only = new Set(seqs);
  }
  for (const r of rows) {
    if (only && !only.has(r.message_seq)) continue;
    const ref: AttachmentRef = { id: r.id, name: r.name, kind: r.kind, mime: r.mime, size: r.size, ...(JSON.parse(r.meta) as Partial<AttachmentRef>) };
    let list = out.get(r.message_seq);
    if (!list) out.set(r.message_seq, (list = []));
    list.push(ref);
  }
  return out;
}

/** Sets `attachments` on the rows that have some (one query for all of them); returns the rows. */
export function withAttachmentRows<R extends { seq: number; attachments?: AttachmentRef[] }>(db: Db, rows: R[]): R[] {
  const found = attachmentsOf(db, rows.map((r) => r.seq));
  if (found.size) for (const r of rows) {
    const a = found.get(r.seq);
    if (a) r.attachments = a;
  }
  return rows;
}

/** The distinct attachment ids that messages selected by `where` (a condition on messages `m`) use. */
export function attachmentIdsWhere(db: Db, where: string, arg: string): string[] {
  return (db.stmt(`SELECT DISTINCT ma.attachment_id AS id FROM messages m JOIN message_attachments ma ON ma.message_seq = m.seq WHERE ${where}`).all(arg) as { id: string }[]).map((r) => r.id);
}

/** Of these ids, those no message uses any more: their rows are deleted and they are returned (their files can go). */
export function dropUnreferenced(db: Db, ids: readonly string[]): string[] {
  if (ids.length === 0) return [];
  const gone = unreferenced(db, ids);
  if (gone.length) db.stmt('DELETE FROM attachments WHERE id IN (SELECT value FROM json_each(?))').run(JSON.stringify(gone));
  return gone;
}

/** Of these ids, those no message uses (read only). */
export function unreferenced(db: Db, ids: readonly string[]): string[] {
  if (ids.length === 0) return [];
  const used = new Set((db.stmt('SELECT DISTINCT attachment_id AS id FROM message_attachments WHERE attachment_id IN (SELECT value FROM json_each(?))')
    .all(JSON.stringify(ids)) as { id: string }[]).map((r) => r.id));
  return ids.filter((id) => !used.has(id));
}
