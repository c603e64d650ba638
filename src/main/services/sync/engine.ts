/**
 * Sync that merges, never overwrites (issue 21). Each device writes only its own files on the target and reads
 * everyone else's:
 *
 *   parley-sync.json                              the set: format, version, id; KDF, salt and key check if encrypted
 *   devices/<device>/journal/<seq>.pj             a device's changes, append-only (seq 1, 2, …; 10 digits)
 *   snapshots/<ms>-<device>/part-<n>.ps           everything a device held, up to its cursors (written whole, then…)
 *   snapshots/<ms>-<device>/manifest.ps           …the manifest naming the parts and the cursors they cover
 *   files/<sha256 or keyed hash>                  attachments' bytes, each file once
 *
 * One sync: read (or make) parley-sync.json; list the target once; a device that never synced loads the newest
 * snapshot; then each other device's journals after its cursor, each applied in one transaction that also moves the
 * cursor (an interrupted sync resumes where it stopped and ends the same; applying twice changes nothing); the
 * attachments those messages use; then this device's changes since its last sync (local.ts), files first, each
 * journal published whole (target.put is atomic) before it counts as published; then, when the journals since the
 * newest snapshot are many, a snapshot; its writer then removes its journals the previous snapshot covered, and a
 * device behind them loads the newest snapshot. Files that are not Parley's, truncated, changed or of a newer format
 * are refused with a sync_* error naming them, and nothing of them is applied.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ParleyError } from '../../core/errors.ts';
import { words } from '../../../shared/messages/en.ts';
import { MAX_SYNC_JOURNAL_FILE_BYTES, MAX_SYNC_JOURNAL_JSON_BYTES } from '../../../shared/bounds.ts';
import { MAX_ATTACHMENT_BYTES } from '../../../shared/attachments.ts';
import type { AttachmentStore } from '../attachments/index.ts';
import { openDb, storageError, type Db } from '../storage/db.ts';
import { blindName, deriveKey, deriveKeyCached, KDF, keyCheck, keyMatches, newSalt } from './crypto.ts';
import { decodeFile, encodeFile, FORMAT_VERSION, MAX_ROOT_BYTES, parseJson, readRoot, ROOT_FILE, ROOT_FORMAT, type FileKind, type KeyOf, type RootInfo } from './format.ts';
import { allEntries, applyEntries, attachmentIds, checkEntry, cursors, kvGet, kvSet, markAll, nextChunk, prepare, setCursor, type Entry } from './local.ts';
import type { SyncTarget } from './target.ts';

export interface SyncProgress {
  phase: 'snapshot' | 'download' | 'files' | 'upload' | 'compact';
  done: number;
  total?: number;
}

export interface SyncOptions {
  /** The chat store (its parley.db is opened by a connection of the sync's own). */
  store: { readonly file: string };
  /** The data folder: this device's id lives there (sync-device.json). */
  dataDir: string;
  target: SyncTarget;
  /** Encrypts everything before upload; from the OS keychain. Never logged. */
  passphrase?: string;
  /** The attachment store: without it, messages keep their attachments' references and no file moves. */
  files?: AttachmentStore;
  signal?: AbortSignal;
  onProgress?: (p: SyncProgress) => void;
  /** Write a snapshot once this many journal files are newer than the newest snapshot (default 200; 0: never). */
  compactAfter?: number;
  /** Bytes of JSON per journal file before compression (default MAX_SYNC_JOURNAL_JSON_BYTES; tests lower it). */
  journalBytes?: number;
}

export interface SyncResult {
  /** Files published: journals, attachments, snapshot files. */
  uploaded: number;
  /** Files read: journals, snapshot files, attachments. */
  downloaded: number;
  /** Changes from other devices applied here. */
  applied: number;
  /** Values two devices changed (the later kept), and deletes undone by a newer message. */
  conflicts: number;
  /** Requests made to the target. */
  requests: number;
}

const DEVICE_FILE = 'sync-device.json';
const JOURNAL = /^devices\/([A-Za-z0-9_-]{8,64})\/journal\/(\d{10})\.pj$/;
const SNAPSHOT = /^snapshots\/(\d{15}-[A-Za-z0-9_-]{8,64})\/manifest\.ps$/;
const journalName = (device: string, seq: number): string => `devices/${device}/journal/${String(seq).padStart(10, '0')}.pj`;

/** This device's id: random, kept in the data folder (written whole: temp then rename). */
export function deviceId(dataDir: string): string {
  const file = join(dataDir, DEVICE_FILE);
  try {
    const id = (JSON.parse(readFileSync(file, 'utf8')) as { device?: unknown }).device;
    if (typeof id === 'string' && /^[a-f0-9]{16}$/.test(id)) return id;
  } catch { /* none yet, or unreadable: a new id */ }
  const id = randomBytes(8).toString('hex');
  mkdirSync(dataDir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ device: id })}\n`, { mode: 0o600 });
  renameSync(tmp, file);
  return id;
}

/** One sync at a time per data folder in this process; a second call waits for the first. */
const running = new Map<string, Promise<unknown>>();

export async function syncOnce(opts: SyncOptions): Promise<SyncResult> {
  const key = dirname(opts.store.file);
  const before = running.get(key) ?? Promise.resolve();
  const mine = before.catch(() => undefined).then(() => run(opts));
  running.set(key, mine);
  try {
    return await mine;
  } finally {
    if (running.get(key) === mine) running.delete(key);
  }
}

interface Ctx {
  o: SyncOptions;
  db: Db;
  t: SyncTarget;
  me: string;
  res: SyncResult;
  keyOf?: KeyOf;
  /** The key new files are encrypted with (the set's current salt). */
  key?: { key: Buffer; salt: string };
}

function counted(t: SyncTarget, res: SyncResult): SyncTarget {
  return {
    label: t.label,
    list: (p, s) => (res.requests++, t.list(p, s)),
    get: (n, m, s) => (res.requests++, t.get(n, m, s)),
    put: (n, b, s) => (res.requests++, t.put(n, b, s)),
    remove: (n, s) => (res.requests++, t.remove(n, s)),
  };
}

const aborted = (signal?: AbortSignal): void => {
  if (signal?.aborted) throw new ParleyError('cancelled', 'The sync was cancelled.');
};

async function run(o: SyncOptions): Promise<SyncResult> {
  const res: SyncResult = { uploaded: 0, downloaded: 0, applied: 0, conflicts: 0, requests: 0 };
  const t = counted(o.target, res);
  const me = deviceId(o.dataDir);
  aborted(o.signal);
  const root = await openRoot(t, o.passphrase, o.signal);
  const db = openDb(dirname(o.store.file));
  const c: Ctx = { o, db, t, me, res };
  try {
    if (root.encryption) {
      const enc = root.encryption;
      const keys = new Map<string, Promise<Buffer>>();
      const pass = o.passphrase!;
      c.keyOf = (salt) => {
        let k = keys.get(salt);
        if (!k) keys.set(salt, (k = deriveKeyCached(pass, Buffer.from(salt, 'base64'), enc.kdf)));
        return k;
      };
      const k = await c.keyOf(enc.salt);
      if (!keyMatches(k, enc.check)) throw new ParleyError('sync_passphrase', words('sync_wrong_passphrase', { target: t.label }));
      c.key = { key: k, salt: enc.salt };
    }
    prepare(db, me, root.id);
    await markAll(db);
    const listing = await t.list('', o.signal);
    const names = new Set(listing.map((e) => e.name));
    await pull(c, listing.map((e) => e.name));
    await fetchFiles(c, names);
    const published = await push(c, listing.map((e) => e.name), names);
    await compact(c, listing.map((e) => e.name), published);
    return res;
  } finally {
    db.close();
  }
}

/** parley-sync.json: read, or made by the first device (encrypted when a passphrase is given). */
async function openRoot(t: SyncTarget, passphrase: string | undefined, signal?: AbortSignal): Promise<RootInfo> {
  const w = { file: ROOT_FILE, target: t.label };
  let bytes = await t.get(ROOT_FILE, MAX_ROOT_BYTES, signal);
  if (bytes === null) {
    // A folder that already holds files is someone's: Parley starts its set only in an empty one.
    const there = (await t.list('', signal)).filter((e) => e.name !== ROOT_FILE);
    if (there.length) throw new ParleyError('sync_not_parley', words('sync_not_parley', { file: there[0]!.name, target: t.label }));
    const made: RootInfo = { format: ROOT_FORMAT, version: FORMAT_VERSION, id: randomUUID(), createdAt: Date.now() };
    if (passphrase) {
      const salt = newSalt();
      const key = await deriveKey(passphrase, salt);
      made.encryption = { cipher: 'aes-256-gcm', kdf: { ...KDF }, salt: salt.toString('base64'), check: keyCheck(key) };
    }
    await t.put(ROOT_FILE, Buffer.from(`${JSON.stringify(made, null, 2)}\n`), signal);
    // Two devices starting at once: whichever file stands is the set's (each encrypted file names its own salt).
    bytes = await t.get(ROOT_FILE, MAX_ROOT_BYTES, signal);
    if (bytes === null) throw new ParleyError('sync_invalid', words('sync_damaged', { ...w, detail: 'it was written and then not found' }));
  }
  const root = readRoot(bytes, w);
  if (root.encryption && !passphrase) throw new ParleyError('sync_passphrase', words('sync_passphrase_needed', { target: t.label }));
  if (!root.encryption && passphrase) throw new ParleyError('sync_passphrase', words('sync_not_encrypted', { target: t.label }));
  return root;
}

/** A file's entries; a file listed and then gone is null when `gone` allows it, else sync_invalid. */
async function readEntries(c: Ctx, name: string, kind: FileKind, device: string, seq: number, gone: 'null' | 'refuse' = 'refuse'): Promise<Entry[] | null> {
  const w = { file: name, target: c.t.label };
  const bytes = await c.t.get(name, MAX_SYNC_JOURNAL_FILE_BYTES, c.o.signal);
  if (bytes === null && gone === 'null') return null;
  if (bytes === null) throw new ParleyError('sync_invalid', words('sync_damaged', { ...w, detail: 'it was listed and then not found' }));
  c.res.downloaded++;
  const plain = await decodeFile(bytes, w, { kind, device, seq, name }, c.keyOf);
  const doc = parseJson(plain, w) as { entries?: unknown };
  if (typeof doc !== 'object' || doc === null || !Array.isArray(doc.entries)) throw new ParleyError('sync_invalid', words('sync_damaged', { ...w, detail: 'it holds no entries' }));
  try {
    return doc.entries.map(checkEntry);
  } catch (e) {
    throw new ParleyError('sync_invalid', words('sync_damaged', { ...w, detail: (e as Error).message }));
  }
}

/** Time of one apply transaction: the app's own writes (and its event loop) wait no longer than about this. */
const APPLY_SLICE_MS = 40;

/**
 * Applies one file's entries, a batch per transaction with a turn of the event loop between them; `after` (the
 * cursor's move) commits with the last batch. Applying is idempotent, so a file cut short by a crash is applied again
 * whole next time and ends the same.
 */
/** SQLite's result codes that say the local disk or database failed, not the entry: busy, locked, read-only, I/O, corrupt, full, can't open, not a database. */
const LOCAL_SQLITE = new Set([5, 6, 8, 10, 11, 13, 14, 26]);
function localFailure(e: unknown): boolean {
  const err = e as { code?: unknown; errcode?: unknown };
  if (err?.code === 'ERR_SQLITE_ERROR') return typeof err.errcode === 'number' && LOCAL_SQLITE.has(err.errcode & 0xff);
  return typeof err?.code === 'string' && /^E[A-Z]+$/.test(err.code);
}

async function applyFile(c: Ctx, name: string, entries: Entry[], after: () => void): Promise<void> {
  // Entries per transaction, sized from the last one's time to about APPLY_SLICE_MS.
  let batch = 20;
  let i = 0;
  for (;;) {
    const last = i + batch >= entries.length;
    const started = performance.now();
    let r;
    try {
      r = applyEntries(c.db, entries.slice(i, i + batch), last ? after : () => undefined);
    } catch (e) {
      if (ParleyError.is(e) && e.code === 'storage_failed') throw e;
      // This device's disk or database failed (full, read-only, locked, an I/O error): said as such, not as a bad file.
      if (localFailure(e)) throw storageError(e, c.db.file, `applying ${name} from ${c.t.label}`);
      // An entry the storage refuses (a value out of its bounds, a tree that does not hold): the file is refused.
      throw new ParleyError('sync_invalid', words('sync_damaged', { file: name, target: c.t.label, detail: (e as Error).message }), undefined, { cause: e });
    }
    c.res.applied += r.applied;
    c.res.conflicts += r.conflicts;
    if (r.orphans.length && c.o.files) void c.o.files.remove(r.orphans).catch(() => undefined);
    if (last) return;
    i += batch;
    // At most doubled a step: a file's conversations apply faster than its messages, which follow them.
    batch = Math.max(1, Math.min(50, batch * 2, Math.round(batch * (APPLY_SLICE_MS / Math.max(1, performance.now() - started)))));
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function pull(c: Ctx, names: string[]): Promise<void> {
  const { db, me, o } = c;
  let cur = cursors(db);
  const latest = names.map((n) => SNAPSHOT.exec(n)?.[1]).filter((x): x is string => x !== undefined).sort().at(-1);
  if (latest) {
    // A device that never synced starts from the newest snapshot; so does one that is behind journals that were
    // removed once a snapshot covered them (the next one it needs is gone).
    let load = cur.size === 0 && kvGet(db, 'snapshot') === undefined;
    if (!load && kvGet(db, 'snapshot') !== latest) {
      for (const [d, seq] of Object.entries(await coversOf(c, latest))) {
        const at = cur.get(d) ?? 0;
        if (d !== me && seq > at && !names.includes(journalName(d, at + 1))) load = true;
      }
    }
    if (load) await loadSnapshot(c, latest);
    cur = cursors(db);
  }
  const todo: { device: string; seq: number; name: string }[] = [];
  // This device's own journals are read only past what this database published: after a restore of an older
  // backup (or a crash between a put and its record), what it had published since comes back from the target.
  const ownNext = Number(kvGet(db, 'seq') ?? '1');
  for (const n of names) {
    const m = JOURNAL.exec(n);
    if (!m) continue;
    const seq = Number(m[2]);
    if (m[1] === me ? seq >= ownNext : seq > (cur.get(m[1]!) ?? 0)) todo.push({ device: m[1]!, seq, name: n });
  }
  todo.sort((a, b) => (a.device < b.device ? -1 : a.device > b.device ? 1 : a.seq - b.seq));
  let done = 0;
  const skipped = new Set<string>();
  for (const j of todo) {
    aborted(o.signal);
    if (skipped.has(j.device)) continue;
    // Removed by its writer since the listing (a snapshot covers it): that device's journals wait for the next sync,
    // which sees the gap and loads the snapshot.
    const entries = await readEntries(c, j.name, 'journal', j.device, j.seq, 'null');
    if (entries === null) {
      skipped.add(j.device);
      continue;
    }
    await applyFile(c, j.name, entries, () => setCursor(db, j.device, j.seq));
    o.onProgress?.({ phase: 'download', done: ++done, total: todo.length });
  }
}

interface Manifest {
  parts: { name: string }[];
  cursors: Record<string, number>;
}

async function readManifest(c: Ctx, id: string): Promise<Manifest> {
  const name = `snapshots/${id}/manifest.ps`;
  const w = { file: name, target: c.t.label };
  const bytes = await c.t.get(name, MAX_SYNC_JOURNAL_FILE_BYTES, c.o.signal);
  if (bytes === null) throw new ParleyError('sync_invalid', words('sync_damaged', { ...w, detail: 'it was listed and then not found' }));
  c.res.downloaded++;
  const device = id.slice(16);
  const m = parseJson(await decodeFile(bytes, w, { kind: 'snapshot', device, seq: 0, name }, c.keyOf), w) as Manifest;
  const ok = typeof m === 'object' && m !== null && Array.isArray(m.parts) && m.parts.every((p) => typeof p?.name === 'string' && p.name.startsWith(`snapshots/${id}/part-`))
    && typeof m.cursors === 'object' && m.cursors !== null && Object.values(m.cursors).every((v) => Number.isInteger(v) && v >= 0);
  if (!ok) throw new ParleyError('sync_invalid', words('sync_damaged', { ...w, detail: 'its manifest is not valid' }));
  return m;
}

/** A device that never synced starts from the newest snapshot (applied part by part; the cursors move at the end). */
async function loadSnapshot(c: Ctx, id: string): Promise<void> {
  const m = await readManifest(c, id);
  const device = id.slice(16);
  let done = 0;
  for (const [i, p] of m.parts.entries()) {
    aborted(c.o.signal);
    const entries = (await readEntries(c, p.name, 'part', device, i))!;
    await applyFile(c, p.name, entries, () => undefined);
    c.o.onProgress?.({ phase: 'snapshot', done: ++done, total: m.parts.length });
  }
  c.db.tx(() => {
    for (const [d, seq] of Object.entries(m.cursors)) if (d !== c.me) setCursor(c.db, d, seq);
    kvSet(c.db, 'snapshot', id);
  });
}

const fileName = (c: Ctx, id: string): string => `files/${c.key ? blindName(c.key.key, id) : id}`;

/** Attachments that messages here use and whose files are not here: fetched (each checked against its SHA-256). */
async function fetchFiles(c: Ctx, names: Set<string>): Promise<void> {
  const files = c.o.files;
  if (!files) return;
  const missing = attachmentIds(c.db).filter((id) => !files.has(id));
  let done = 0;
  for (const id of missing) {
    aborted(c.o.signal);
    const name = fileName(c, id);
    if (!names.has(name)) continue;
    const w = { file: name, target: c.t.label };
    const bytes = await c.t.get(name, MAX_ATTACHMENT_BYTES + 64 * 1024, c.o.signal);
    if (bytes === null) continue;
    c.res.downloaded++;
    const plain = await decodeFile(bytes, w, { kind: 'file', name }, c.keyOf);
    const label = (c.db.stmt('SELECT name FROM message_attachments WHERE attachment_id = ? LIMIT 1').get(id) as { name: string } | undefined)?.name ?? id;
    const ref = await files.add(label, plain);
    if (ref.id !== id) {
      void files.remove([ref.id]).catch(() => undefined);
      throw new ParleyError('sync_invalid', words('sync_checksum', { ...w }));
    }
    c.db.stmt('INSERT OR IGNORE INTO sync_files (id) VALUES (?)').run(name);
    c.o.onProgress?.({ phase: 'files', done: ++done, total: missing.length });
  }
}

/** This device's changes, published: attachments first, then each journal whole; counted as published once put. */
async function push(c: Ctx, listed: string[], names: Set<string>): Promise<{ seq: number; published: number }> {
  const { db, me, o } = c;
  let top = 0;
  for (const n of listed) {
    const m = JOURNAL.exec(n);
    if (m && m[1] === me) top = Math.max(top, Number(m[2]));
  }
  // A journal put whose local record did not commit (a crash between the two) is never overwritten: another device
  // may have read it. The next seq is past whatever is there.
  let seq = Math.max(Number(kvGet(db, 'seq') ?? '1'), top + 1);
  const afterN = { n: 0 };
  let published = 0;
  for (;;) {
    aborted(o.signal);
    const chunk = await nextChunk(db, o.journalBytes ?? MAX_SYNC_JOURNAL_JSON_BYTES, afterN);
    if (!chunk) break;
    if (o.files) {
      for (const id of chunk.attachments) {
        const name = fileName(c, id);
        if (names.has(name) || db.stmt('SELECT 1 AS y FROM sync_files WHERE id = ?').get(name)) continue;
        const bytes = await o.files.bytes(id);
        if (!bytes) continue;
        await c.t.put(name, await encodeFile({ kind: 'file', device: me, seq: 0, gzip: false }, name, bytes, c.key), o.signal);
        c.res.uploaded++;
        db.stmt('INSERT OR IGNORE INTO sync_files (id) VALUES (?)').run(name);
        names.add(name);
      }
    }
    if (chunk.entries.length) {
      const name = journalName(me, seq);
      const body = Buffer.from(`{"entries":[${chunk.entries.join(',')}]}`, 'utf8');
      await c.t.put(name, await encodeFile({ kind: 'journal', device: me, seq, gzip: true }, name, body, c.key), o.signal);
      c.res.uploaded++;
      published++;
      seq++;
    }
    const next = seq;
    db.tx(() => {
      chunk.done();
      kvSet(db, 'seq', next);
    });
    o.onProgress?.({ phase: 'upload', done: published });
  }
  return { seq: seq - 1, published };
}

/**
 * A snapshot when the journals newer than the newest one are many: everything this device holds (it has applied all
 * it read and published all it had), parts first, the manifest last; this device's older snapshots then go.
 */
async function compact(c: Ctx, listed: string[], pushed: { seq: number; published: number }): Promise<void> {
  const every = c.o.compactAfter ?? 200;
  if (every <= 0) return;
  const { db, me, o } = c;
  const snaps = listed.map((n) => SNAPSHOT.exec(n)?.[1]).filter((x): x is string => x !== undefined).sort();
  const latest = snaps.at(-1);
  const covered = latest ? await coversOf(c, latest) : {};
  const cur = cursors(db);
  cur.set(me, pushed.seq);
  let newer = pushed.published;
  for (const n of listed) {
    const m = JOURNAL.exec(n);
    if (m && Number(m[2]) > (covered[m[1]!] ?? 0)) newer++;
  }
  if (newer < every) return;
  const id = `${String(Date.now()).padStart(15, '0')}-${me}`;
  const parts: { name: string }[] = [];
  for await (const entries of allEntries(db, o.journalBytes ?? MAX_SYNC_JOURNAL_JSON_BYTES)) {
    aborted(o.signal);
    const name = `snapshots/${id}/part-${String(parts.length).padStart(6, '0')}.ps`;
    const body = Buffer.from(`{"entries":[${entries.join(',')}]}`, 'utf8');
    await c.t.put(name, await encodeFile({ kind: 'part', device: me, seq: parts.length, gzip: true }, name, body, c.key), o.signal);
    c.res.uploaded++;
    parts.push({ name });
    o.onProgress?.({ phase: 'compact', done: parts.length });
  }
  const manifest: Manifest = { parts, cursors: Object.fromEntries(cur) };
  const name = `snapshots/${id}/manifest.ps`;
  await c.t.put(name, await encodeFile({ kind: 'snapshot', device: me, seq: 0, gzip: true }, name, Buffer.from(JSON.stringify(manifest)), c.key), o.signal);
  c.res.uploaded++;
  kvSet(db, `covers:${id}`, JSON.stringify(manifest.cursors));
  // This device's older snapshots (never another device's files).
  for (const old of snaps.filter((s) => s.endsWith(`-${me}`))) {
    // The manifest first: a snapshot without it is not one.
    await c.t.remove(`snapshots/${old}/manifest.ps`, o.signal);
    for (const n of listed.filter((x) => x.startsWith(`snapshots/${old}/part-`))) await c.t.remove(n, o.signal);
  }
  // This device's journals the previous snapshot already covered: a device behind them loads the new snapshot.
  for (const n of listed) {
    const m = JOURNAL.exec(n);
    if (m && m[1] === me && Number(m[2]) <= (covered[me] ?? 0)) await c.t.remove(n, o.signal);
  }
}

/** The cursors a snapshot covers (its manifest read once, then kept). */
async function coversOf(c: Ctx, id: string): Promise<Record<string, number>> {
  const cached = kvGet(c.db, `covers:${id}`);
  if (cached) return JSON.parse(cached) as Record<string, number>;
  const covered = (await readManifest(c, id)).cursors;
  kvSet(c.db, `covers:${id}`, JSON.stringify(covered));
  return covered;
}
