/**
 * Restoring a backup, in three steps, so a bad file or a failing disk never costs the data the user has:
 *
 * 1. Check the whole file into a staging folder inside the data folder (same disk, so the swap is renames): the
 *    first entry must be Parley's manifest, of a format and schema this code knows; every entry must be listed,
 *    expand to no more than its listed size (a zip bomb stops at the first byte past it), and match its SHA-256;
 *    none may be missing (a truncated file); the database must open as Parley's (application_id) and pass
 *    `PRAGMA quick_check`. The sizes are bounded (MAX_BACKUP_BYTES) and checked against the disk's free space
 *    before anything is written. Any refusal is a ParleyError with a stable code and a catalog key naming the
 *    entry, and nothing outside the staging folder (then removed) was touched.
 * 2. Keep the current data as a backup (`before-restore`, in backups/).
 * 3. Swap: the current files are renamed aside, the staged ones renamed into place, and the ones aside removed; a
 *    failure midway renames everything back.
 *
 * The database must not be open while step 3 runs: the app closes its store around it (`around`).
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createReadStream, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statfsSync, statSync, writeSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { basename, dirname, join } from 'node:path';
import { Unzip, UnzipInflate, strFromU8 } from 'fflate';
import * as v from 'valibot';
import { issueText, migrateSettings, storedSettingsSchema } from '../../../shared/settings.ts';
import { ParleyError } from '../../core/errors.ts';
import { words } from '../../../shared/messages/en.ts';
import { MAX_BACKUP_BYTES, MAX_BACKUP_MANIFEST_BYTES } from '../../../shared/bounds.ts';
import { attachmentsDirOf } from '../attachments/index.ts';
import { osReason, writeFailed, writeFileAtomic } from '../safe-write.ts';
import { readSettingsFile } from '../settings/file.ts';
import { DB_FILE } from '../storage/db.ts';
import { APPLICATION_ID, SCHEMA_VERSION, userVersion } from '../storage/migrations.ts';
import {
  attachmentOriginalId, BACKUP_FORMAT, BACKUP_FORMAT_VERSION, DB_ENTRY, formatBytes, MANIFEST_NAME, manifestProblem, SETTINGS_ENTRY,
  type BackupManifest, type BackupPart, type ManifestEntry,
} from './manifest.ts';
import { mergeRestoredSettings } from './settings.ts';
import { backupNow, backupNowSync, type BackupResult } from './write.ts';

const READ_CHUNK = 16 * 1024;

interface Open {
  entry: ManifestEntry;
  fd: number;
  size: number;
  hash: ReturnType<typeof createHash>;
  done: boolean;
}

/**
 * Checks `file` whole and writes its entries under `staging` (created; left for the caller to use or remove).
 * Returns its manifest. Throws a ParleyError (backup_not_parley, backup_newer, backup_invalid, limit_exceeded,
 * storage_failed) naming what is wrong.
 */
export async function verifyBackup(file: string, staging: string): Promise<BackupManifest> {
  const say = <K extends Parameters<typeof words>[0]>(code: ConstructorParameters<typeof ParleyError>[0], key: K, params: Record<string, string | number>): ParleyError =>
    new ParleyError(code, words(key, { file, ...params } as never));
  let st;
  try {
    st = statSync(file);
  } catch (e) {
    throw new ParleyError('storage_failed', `Parley could not read ${file} (${osReason(e)}).`, { hint: 'Check the file\'s name and that you may read it.' });
  }
  if (!st.isFile()) throw say('backup_not_parley', 'backup_not_zip', { detail: 'not a file' });
  mkdirSync(staging, { recursive: true, mode: 0o700 });

  let manifest: BackupManifest | undefined;
  let manifestChunks: Uint8Array[] | undefined;
  let manifestBytes = 0;
  let entriesSeen = 0;
  let failure: ParleyError | undefined;
  let current: Open | undefined;
  const listed = new Map<string, ManifestEntry>();
  const done = new Set<string>();
  const fail = (e: ParleyError): void => {
    failure ??= e;
  };

  const onManifest = (bytes: Uint8Array): void => {
    let m: Record<string, unknown>;
    try {
      m = JSON.parse(strFromU8(bytes)) as Record<string, unknown>;
    } catch {
      return fail(say('backup_not_parley', 'backup_no_manifest', {}));
    }
    if (typeof m !== 'object' || m === null) return fail(say('backup_not_parley', 'backup_no_manifest', {}));
    if (m.format !== BACKUP_FORMAT) return fail(say('backup_not_parley', 'backup_other_format', { format: JSON.stringify(String(m.format ?? 'none')).slice(0, 80) }));
    if (!Number.isSafeInteger(m.formatVersion) || (m.formatVersion as number) < 1) return fail(say('backup_invalid', 'backup_manifest_invalid', { detail: 'no format version' }));
    if ((m.formatVersion as number) > BACKUP_FORMAT_VERSION) return fail(say('backup_newer', 'backup_newer_format', { found: m.formatVersion as number, known: BACKUP_FORMAT_VERSION }));
    if (Number.isSafeInteger(m.schema) && (m.schema as number) > SCHEMA_VERSION) return fail(say('backup_newer', 'backup_newer_schema', { found: m.schema as number, known: SCHEMA_VERSION }));
    const problem = manifestProblem(m);
    if (problem) return fail(say('backup_invalid', 'backup_manifest_invalid', { detail: problem }));
    const mf = m as unknown as BackupManifest;
    const total = mf.entries.reduce((n, e) => n + e.size, 0);
    if (total > MAX_BACKUP_BYTES) return fail(new ParleyError('limit_exceeded', words('backup_too_large', { file, size: formatBytes(total), max: formatBytes(MAX_BACKUP_BYTES) })));
    try {
      const fs = statfsSync(staging);
      const free = Number(fs.bavail) * Number(fs.bsize);
      if (free < total) return fail(new ParleyError('storage_failed', words('backup_no_space', { file, size: formatBytes(total), free: formatBytes(free) })));
    } catch { /* no statfs here: the writes say it */ }
    for (const e of mf.entries) listed.set(e.name, e);
    manifest = mf;
  };

  const finishEntry = (o: Open): void => {
    closeSync(o.fd);
    o.done = true;
    const sha = o.hash.digest('hex');
    if (o.size !== o.entry.size || sha !== o.entry.sha256) return fail(say('backup_invalid', 'backup_checksum', { entry: o.entry.name }));
    const id = attachmentOriginalId(o.entry.name);
    if (id && id !== sha) return fail(say('backup_invalid', 'backup_checksum', { entry: o.entry.name }));
    done.add(o.entry.name);
  };

  const unzip = new Unzip((f) => {
    if (failure) return;
    entriesSeen++;
    if (entriesSeen === 1) {
      if (f.name !== MANIFEST_NAME) return fail(say('backup_not_parley', 'backup_no_manifest', {}));
      manifestChunks = [];
      f.ondata = (err, chunk, final) => {
        if (failure) return;
        if (err) return fail(say('backup_not_parley', 'backup_no_manifest', {}));
        manifestBytes += chunk.byteLength;
        if (manifestBytes > MAX_BACKUP_MANIFEST_BYTES) return fail(say('backup_invalid', 'backup_manifest_invalid', { detail: `larger than ${formatBytes(MAX_BACKUP_MANIFEST_BYTES)}` }));
        manifestChunks?.push(chunk);
        if (final) onManifest(Buffer.concat(manifestChunks ?? []));
      };
      f.start();
      return;
    }
    if (!manifest) return fail(say('backup_not_parley', 'backup_no_manifest', {}));
    const entry = listed.get(f.name);
    if (!entry || done.has(f.name) || current?.entry.name === f.name) return fail(say('backup_invalid', 'backup_unlisted', { entry: f.name.slice(0, 200) }));
    const path = join(staging, ...f.name.split('/'));
    let fd: number;
    try {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      fd = openSync(path, 'wx', 0o600);
    } catch (e) {
      return fail(writeFailed(path, e, 'a restored file'));
    }
    const o: Open = { entry, fd, size: 0, hash: createHash('sha256'), done: false };
    current = o;
    f.ondata = (err, chunk, final) => {
      if (failure || o.done) return;
      if (err) return fail(say('backup_invalid', 'backup_damaged', { entry: entry.name, detail: err.message }));
      o.size += chunk.byteLength;
      if (o.size > entry.size) return fail(new ParleyError('limit_exceeded', words('backup_entry_too_large', { file, entry: entry.name, size: formatBytes(entry.size) })));
      try {
        let off = 0;
        while (off < chunk.byteLength) off += writeSync(fd, chunk, off, chunk.byteLength - off);
      } catch (e) {
        return fail(writeFailed(path, e, 'a restored file'));
      }
      o.hash.update(chunk);
      if (final) finishEntry(o);
    };
    f.start();
  });
  unzip.register(UnzipInflate);

  let sawBytes = false;
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: READ_CHUNK }) as AsyncIterable<Buffer>) {
      if (!sawBytes) {
        sawBytes = true;
        if (chunk.length < 4 || chunk.readUInt32LE(0) !== 0x04034b50) throw say('backup_not_parley', 'backup_not_zip', { detail: 'it does not start like one' });
      }
      try {
        unzip.push(chunk, false);
      } catch (e) {
        fail(say('backup_invalid', 'backup_damaged', { entry: current && !current.done ? current.entry.name : 'the zip', detail: (e as Error).message }));
      }
      if (failure) throw failure;
    }
    if (!sawBytes) throw say('backup_not_parley', 'backup_not_zip', { detail: 'it is empty' });
    try {
      unzip.push(new Uint8Array(0), true);
    } catch (e) {
      // The input ended inside an entry: a file cut short.
      if (current && !current.done) fail(say('backup_invalid', 'backup_truncated', { entry: current.entry.name }));
      else fail(say('backup_invalid', 'backup_damaged', { entry: 'the zip', detail: (e as Error).message }));
    }
    if (failure) throw failure;
    if (!manifest) throw say(entriesSeen === 0 ? 'backup_not_parley' : 'backup_invalid', entriesSeen === 0 ? 'backup_no_manifest' : 'backup_truncated', { entry: MANIFEST_NAME });
    const mf: BackupManifest = manifest;
    const missing = mf.entries.find((e) => !done.has(e.name));
    if (missing) throw say('backup_invalid', 'backup_truncated', { entry: missing.name });
    if (mf.parts.includes('database')) checkStagedDb(join(staging, DB_ENTRY), file);
    if (mf.parts.includes('settings')) {
      let raw: Record<string, unknown>;
      try {
        raw = readSettingsFile(join(staging, SETTINGS_ENTRY));
      } catch (e) {
        throw say('backup_invalid', 'backup_damaged', { entry: SETTINGS_ENTRY, detail: (e as Error).message });
      }
      // Settings this version could not load would stop the app after the restore: refused now, by the store's own schema.
      const r = v.safeParse(storedSettingsSchema, migrateSettings(raw).value);
      if (!r.success) {
        const issue = r.issues[0];
        throw say('backup_invalid', 'backup_damaged', { entry: SETTINGS_ENTRY, detail: `invalid at ${v.getDotPath(issue) ?? '(root)'}: ${issueText(issue)}` });
      }
    }
    return mf;
  } catch (e) {
    if (ParleyError.is(e)) throw e;
    throw new ParleyError('storage_failed', `Parley could not read ${file} (${osReason(e)}).`, { hint: 'Check the file and that you may read it.' }, { cause: e });
  } finally {
    if (current && !current.done) {
      try {
        closeSync(current.fd);
      } catch { /* closed */ }
    }
  }
}

/** The staged database: Parley's (application_id), a schema this code knows, and whole (quick_check). */
function checkStagedDb(path: string, file: string): void {
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(path, { readOnly: true });
    const appId = Number((db.prepare('PRAGMA application_id').get() as { application_id: number }).application_id);
    if (appId !== APPLICATION_ID) throw new ParleyError('backup_not_parley', words('backup_db_not_parley', { file, detail: `application id ${appId}` }));
    const v = userVersion(db);
    if (v > SCHEMA_VERSION) throw new ParleyError('backup_newer', words('backup_newer_schema', { file, found: v, known: SCHEMA_VERSION }));
    const rows = db.prepare('PRAGMA quick_check').all() as { quick_check: string }[];
    if (rows.length !== 1 || rows[0]?.quick_check !== 'ok') {
      throw new ParleyError('backup_invalid', words('backup_damaged', { file, entry: DB_ENTRY, detail: String(rows[0]?.quick_check ?? 'quick_check failed').slice(0, 200) }));
    }
  } catch (e) {
    if (ParleyError.is(e)) throw e;
    throw new ParleyError('backup_invalid', words('backup_damaged', { file, entry: DB_ENTRY, detail: (e as Error).message }));
  } finally {
    db?.close();
  }
}

export interface RestoreOptions {
  /**
   * Runs the swap (given as `swap`): the app closes its store, awaits swap(), and opens it again. Default: swap() alone
   * (nothing has the database open: the command line).
   */
  around?: (swap: () => Promise<void>) => Promise<void>;
  /** Tests: fails the swap after this many renames (a disk that fails midway). */
  failAfterRenames?: number;
  /** Tests: called before each rename of the swap (1-based), its journal already written (a crash test kills the process here). */
  beforeRename?: (n: number) => void;
}

export interface RestoreResult {
  manifest: BackupManifest;
  /** The backup of the data as it was before the restore (undefined when there was none). */
  previous?: BackupResult;
}

const busy = new Set<string>();

/** What the data folder holds of each part (the database with its WAL files). */
function partFiles(part: BackupPart): string[] {
  if (part === 'database') return [DB_FILE, `${DB_FILE}-wal`, `${DB_FILE}-shm`];
  if (part === 'settings') return ['settings.json'];
  return ['attachments'];
}

/**
 * Restores `file` into `dataDir`: checks it whole, keeps the current data as a backup, then swaps the backup's
 * parts in. Nothing of the current data is changed unless every check passed and that backup was written.
 */
export async function restoreBackup(dataDir: string, file: string, opts: RestoreOptions = {}): Promise<RestoreResult> {
  const key = dataDir;
  if (busy.has(key)) throw new ParleyError('storage_failed', words('backup_busy', {}));
  busy.add(key);
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const staging = join(dataDir, `.restore-${tag}`);
  const aside = join(dataDir, `.restore-old-${tag}`);
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    // Without `around` nothing closes the database for the swap: another process that has it open (the app) is
    // refused, before the file is read and again just before the swap.
    if (!opts.around) assertNotInUse(dataDir);
    const manifest = await verifyBackup(file, staging);
    mergeStagedSettings(dataDir, staging, manifest);
    if (!opts.around) assertNotInUse(dataDir);
    const hasData = existsSync(join(dataDir, DB_FILE)) || existsSync(attachmentsDirOf(dataDir));
    const previous = hasData ? await backupNow(dataDir, { reason: 'before-restore' }) : undefined;
    const swap = async (): Promise<void> => swapIn(dataDir, staging, aside, manifest.parts, opts.failAfterRenames, opts.beforeRename);
    await (opts.around ? opts.around(swap) : swap());
    return { manifest, ...(previous ? { previous } : {}) };
  } finally {
    rmSync(staging, { recursive: true, force: true });
    busy.delete(key);
  }
}

/** The staged settings with the current keys and proxy passwords where the backup left them out. */
function mergeStagedSettings(dataDir: string, staging: string, manifest: BackupManifest): void {
  if (!manifest.parts.includes('settings')) return;
  const stagedSettings = join(staging, SETTINGS_ENTRY);
  const current = existsSync(join(dataDir, 'settings.json')) ? safeRead(join(dataDir, 'settings.json')) : undefined;
  if (current) writeFileAtomic(stagedSettings, JSON.stringify(mergeRestoredSettings(readSettingsFile(stagedSettings), current), null, 2) + '\n', { what: 'the restored settings' });
}

const PENDING_DIR = 'restore-pending';
const PENDING_FILE = 'restore-pending.json';

/** What the window shows of a restore that waits for the app's restart. */
export interface PendingRestore {
  /** The backup file's name (not its folder). */
  name: string;
  createdAt: string;
  app: string | null;
  parts: BackupPart[];
}

/**
 * For the running app (its database is open): checks `file` whole and stages it in the data folder; the swap is made
 * by `finishPendingRestore` when the app starts again, before it opens the database. A refused file changes nothing
 * (an earlier pending restore stays as it was).
 */
export async function stageRestore(dataDir: string, file: string): Promise<PendingRestore> {
  if (busy.has(dataDir)) throw new ParleyError('storage_failed', words('backup_busy', {}));
  busy.add(dataDir);
  const staging = join(dataDir, `.restore-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    const manifest = await verifyBackup(file, staging);
    mergeStagedSettings(dataDir, staging, manifest);
    cancelPendingRestore(dataDir);
    renameSync(staging, join(dataDir, PENDING_DIR));
    const pending: PendingRestore = { name: basename(file), createdAt: manifest.createdAt, app: manifest.app, parts: manifest.parts };
    writeFileAtomic(join(dataDir, PENDING_FILE), JSON.stringify({ ...pending, manifest }, null, 2) + '\n', { what: 'the pending restore' });
    return pending;
  } finally {
    rmSync(staging, { recursive: true, force: true });
    busy.delete(dataDir);
  }
}

/** The restore waiting for a restart, if any. */
export function pendingRestore(dataDir: string): PendingRestore | undefined {
  try {
    const p = JSON.parse(readFileSync(join(dataDir, PENDING_FILE), 'utf8')) as PendingRestore;
    return existsSync(join(dataDir, PENDING_DIR)) ? { name: p.name, createdAt: p.createdAt, app: p.app, parts: p.parts } : undefined;
  } catch {
    return undefined;
  }
}

export function cancelPendingRestore(dataDir: string): void {
  rmSync(join(dataDir, PENDING_FILE), { force: true });
  rmSync(join(dataDir, PENDING_DIR), { recursive: true, force: true });
}

/**
 * At the app's start, before the database is opened: makes a staged restore (keeping the current data as a backup
 * first, synchronously). Returns what was restored, or the error that kept it from happening (then the data is as it
 * was, and the staged files are removed); undefined when none was waiting.
 */
export function finishPendingRestore(dataDir: string): { restored: PendingRestore; previous?: BackupResult } | { error: ParleyError } | undefined {
  recoverInterruptedSwap(dataDir);
  if (!existsSync(join(dataDir, PENDING_FILE))) return undefined;
  const staged = join(dataDir, PENDING_DIR);
  let manifest: BackupManifest;
  let restored: PendingRestore;
  try {
    const p = JSON.parse(readFileSync(join(dataDir, PENDING_FILE), 'utf8')) as PendingRestore & { manifest: BackupManifest };
    manifest = p.manifest;
    restored = { name: p.name, createdAt: p.createdAt, app: p.app, parts: p.parts };
    if (!existsSync(staged) || manifestProblem(manifest as unknown as Record<string, unknown>)) throw new Error('the staged restore is incomplete');
  } catch (e) {
    cancelPendingRestore(dataDir);
    return { error: ParleyError.is(e) ? e : new ParleyError('storage_failed', `The restore waiting for this start could not be read (${(e as Error).message}); nothing was changed.`, { hint: 'Restore the backup again.' }) };
  }
  try {
    const hasData = existsSync(join(dataDir, DB_FILE)) || existsSync(attachmentsDirOf(dataDir));
    const previous = hasData ? backupNowSync(dataDir, { reason: 'before-restore' }) : undefined;
    swapIn(dataDir, staged, join(dataDir, `.restore-old-${process.pid}-${randomBytes(4).toString('hex')}`), manifest.parts);
    return { restored, ...(previous ? { previous } : {}) };
  } catch (e) {
    return { error: ParleyError.is(e) ? e : writeFailed(dataDir, e, 'the restored data into') };
  } finally {
    cancelPendingRestore(dataDir);
  }
}

/** Refuses when another connection has parley.db open: an exclusive lock cannot be had then (the app, a worker). */
function assertNotInUse(dataDir: string): void {
  const file = join(dataDir, DB_FILE);
  if (!existsSync(file)) return;
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(file, { timeout: 500 });
    db.exec('PRAGMA locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
  } catch (e) {
    const busy = (e as { errcode?: number }).errcode !== undefined && (((e as { errcode: number }).errcode & 0xff) === 5 || ((e as { errcode: number }).errcode & 0xff) === 6);
    if (busy) throw new ParleyError('storage_failed', words('backup_in_use', { dir: dataDir }));
    throw new ParleyError('storage_failed', `Parley could not open ${file} to restore over it (${osReason(e)}).`, { hint: 'Check the data folder, then restore again.' }, { cause: e });
  } finally {
    db?.close();
  }
}

function safeRead(path: string): Record<string, unknown> | undefined {
  try {
    return readSettingsFile(path);
  } catch {
    return undefined;
  }
}

const SWAP_JOURNAL = 'restore-swap.json';

/**
 * A swap that a crash or a power cut stopped midway (its journal is still there): every rename it lists is undone,
 * newest first, so the data is as it was before the restore. Runs before any restore and at the app's start.
 */
export function recoverInterruptedSwap(dataDir: string): boolean {
  const journal = join(dataDir, SWAP_JOURNAL);
  let moves: [string, string][];
  let aside: string | undefined;
  try {
    const j = JSON.parse(readFileSync(journal, 'utf8')) as { aside?: string; moves?: [string, string][] };
    moves = Array.isArray(j.moves) ? j.moves : [];
    aside = typeof j.aside === 'string' ? j.aside : undefined;
  } catch {
    return false;
  }
  const inside = (p: string): boolean => p.startsWith(dataDir + (dataDir.endsWith('/') ? '' : '/')) || p.startsWith(dataDir + '\\');
  for (const [from, to] of [...moves].reverse()) {
    if (!inside(from) || !inside(to) || !existsSync(to) || existsSync(from)) continue;
    try {
      renameSync(to, from);
    } catch { /* the rest still goes back */ }
  }
  if (aside && inside(aside)) rmSync(aside, { recursive: true, force: true });
  rmSync(journal, { force: true });
  return true;
}

/**
 * The staged parts renamed into place, the current ones aside first; on a failure, everything renamed back. Each
 * rename is written to a journal (restore-swap.json) before it is made, so a crash midway is undone at the next
 * start (recoverInterruptedSwap); the journal goes once the swap is whole.
 */
function swapIn(dataDir: string, staging: string, aside: string, parts: readonly BackupPart[], failAfter?: number, beforeRename?: (n: number) => void): void {
  const done: [from: string, to: string][] = [];
  let renames = 0;
  const journal = join(dataDir, SWAP_JOURNAL);
  const move = (from: string, to: string): void => {
    if (failAfter !== undefined && renames++ >= failAfter) throw Object.assign(new Error('EIO: i/o error, rename (a test\'s failing disk)'), { code: 'EIO' });
    writeFileAtomic(journal, JSON.stringify({ aside, moves: [...done, [from, to]] }), { what: 'the restore\'s journal' });
    beforeRename?.(done.length + 1);
    renameSync(from, to);
    done.push([from, to]);
  };
  try {
    recoverInterruptedSwap(dataDir);
    mkdirSync(aside, { mode: 0o700 });
    for (const part of parts) for (const name of partFiles(part)) if (existsSync(join(dataDir, name))) move(join(dataDir, name), join(aside, name));
    const staged = (name: string): string => (name === 'attachments' ? join(staging, 'attachments') : name === DB_FILE ? join(staging, DB_ENTRY) : join(staging, name));
    for (const part of parts) {
      for (const name of partFiles(part)) {
        const from = staged(name);
        if (existsSync(from)) move(from, join(dataDir, name));
        else if (name === 'attachments') mkdirSync(join(dataDir, name), { recursive: true, mode: 0o700 });
      }
    }
  } catch (e) {
    let undone = true;
    for (const [from, to] of done.reverse()) {
      try {
        renameSync(to, from);
      } catch {
        undone = false; // the rest still goes back; the journal stays for the next start to finish
      }
    }
    if (undone) {
      rmSync(aside, { recursive: true, force: true });
      rmSync(journal, { force: true });
    }
    throw writeFailed(dataDir, e, 'the restored data into');
  }
  // Whole: the journal goes first (from here on, a crash keeps the restored data), then the old files.
  rmSync(journal, { force: true });
  rmSync(aside, { recursive: true, force: true });
}
