/**
 * Writing a backup: parley.db snapshotted by VACUUM INTO on a connection of its own (one read transaction: a
 * consistent state even while the app writes, never a copy of the live file and its WAL), the settings without
 * secrets, and the attachment store. Every file is hashed first (the manifest, with sizes and SHA-256s, is the
 * zip's first entry), then streamed into a temporary file beside the target, hashed again on the way (a file
 * that changed in between fails the backup rather than giving a wrong checksum), flushed and renamed: a backup
 * is whole or absent. The work is a generator of small steps: `backupNow` yields to the event loop between them,
 * `backupNowSync` (before a migration, when the database is being opened) runs them at once.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';
import { basename, dirname, join } from 'node:path';
import { Zip, ZipDeflate, strToU8 } from 'fflate';
import { ParleyError } from '../../core/errors.ts';
import { attachmentsDirOf } from '../attachments/index.ts';
import { osReason, writeFailed } from '../safe-write.ts';
import { readSettingsFile } from '../settings/file.ts';
import { DB_FILE } from '../storage/db.ts';
import { userVersion } from '../storage/migrations.ts';
import {
  ATTACHMENTS_PREFIX, BACKUP_FORMAT, BACKUP_FORMAT_VERSION, DB_ENTRY, entryKind, MANIFEST_NAME, SETTINGS_ENTRY,
  type BackupManifest, type BackupPart, type BackupReason, type ManifestEntry,
} from './manifest.ts';
import { settingsForBackup } from './settings.ts';
import { appVersion, backupsDirOf, backupName, pruneAutomatic } from './folder.ts';

export interface BackupOptions {
  /** Where to write it (default: `<dataDir>/backups/parley-<time>-<reason>.zip`). */
  out?: string;
  reason?: BackupReason;
  /** Which parts (default: all three). */
  parts?: readonly BackupPart[];
  /** The time it is made at (tests). */
  now?: Date;
  /** Automatic backups kept in backups/ (default MAX_AUTO_BACKUPS). */
  keep?: number;
}

export interface BackupResult {
  file: string;
  bytes: number;
  manifest: BackupManifest;
}

const CHUNK = 256 * 1024;

interface Source {
  name: string;
  /** A file on disk, or bytes in memory. */
  path?: string;
  data?: Uint8Array;
}

/** A file's size and SHA-256, a chunk a step (a large database does not hold the event loop). */
function* hashFile(path: string): Generator<Step, { size: number; sha256: string }, number | undefined> {
  const h = createHash('sha256');
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(CHUNK);
  let size = 0;
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      size += n;
      h.update(buf.subarray(0, n));
      yield;
    }
  } finally {
    closeSync(fd);
  }
  return { size, sha256: h.digest('hex') };
}

/** The attachment store's files a backup holds (complete ones; temporary files are skipped). */
function attachmentFiles(dataDir: string): Source[] {
  const dir = attachmentsDirOf(dataDir);
  if (!existsSync(dir)) return [];
  const out: Source[] = [];
  for (const folder of readdirSync(dir).sort()) {
    if (!/^[0-9a-f]{2}$/.test(folder)) continue;
    for (const name of readdirSync(join(dir, folder)).sort()) {
      const entry = `${ATTACHMENTS_PREFIX}${folder}/${name}`;
      if (entryKind(entry) === 'attachments') out.push({ name: entry, path: join(dir, folder, name) });
    }
  }
  return out;
}

/** parley.db as of one moment: VACUUM INTO a new file, from a connection of its own (its own read transaction). */
function snapshotDb(file: string, into: string): number {
  const db = new DatabaseSync(file, { timeout: 5_000 });
  try {
    const schema = userVersion(db);
    db.prepare('VACUUM INTO ?').run(into);
    return schema;
  } finally {
    db.close();
  }
}

/**
 * VACUUM INTO in a worker thread (the app's main thread stays free: a large database takes seconds). Inline
 * CommonJS, so it needs no file of its own in the build.
 */
const SNAPSHOT_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { DatabaseSync } = require('node:sqlite');
const db = new DatabaseSync(workerData.file, { timeout: 5000 });
try {
  const schema = Number(db.prepare('PRAGMA user_version').get().user_version);
  db.prepare('VACUUM INTO ?').run(workerData.into);
  parentPort.postMessage({ schema });
} catch (e) {
  parentPort.postMessage({ error: { message: String(e && e.message || e), code: e && e.code, errcode: e && e.errcode } });
} finally {
  db.close();
}
`;

function snapshotInWorker(file: string, into: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const w = new Worker(SNAPSHOT_WORKER, { eval: true, workerData: { file, into } });
    let settled = false;
    w.once('message', (m: { schema?: number; error?: { message: string; code?: string; errcode?: number } }) => {
      settled = true;
      if (m.error) reject(Object.assign(new Error(m.error.message), { code: m.error.code, errcode: m.error.errcode }));
      else resolve(m.schema ?? 0);
    });
    w.once('error', (e) => {
      settled = true;
      reject(e);
    });
    w.once('exit', (code) => {
      if (!settled) reject(new Error(`the snapshot's worker stopped (exit ${code})`));
    });
  });
}

/** A step of a backup: nothing (the driver may yield to the event loop), or the database snapshot to take. */
type Step = undefined | { snapshot: { file: string; into: string } };

function* backupSteps(dataDir: string, opts: BackupOptions, result: (r: BackupResult) => void): Generator<Step, void, number | undefined> {
  const reason = opts.reason ?? 'manual';
  const parts = [...(opts.parts ?? ['database', 'settings', 'attachments'])];
  const now = opts.now ?? new Date();
  const out = opts.out ?? join(backupsDirOf(dataDir), backupName(now, reason));
  const folder = dirname(out);
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw writeFailed(folder, e, 'the backup folder');
  }
  const tag = `${process.pid}.${randomBytes(4).toString('hex')}`;
  const tmpDb = join(folder, `.${basename(out)}.${tag}.db`);
  const tmpZip = join(folder, `.${basename(out)}.${tag}.tmp`);
  let fd: number | undefined;
  try {
    const sources: Source[] = [];
    let schema = 0;
    let secretsLeftOut = 0;
    if (parts.includes('database') && existsSync(join(dataDir, DB_FILE))) {
      try {
        schema = (yield { snapshot: { file: join(dataDir, DB_FILE), into: tmpDb } }) ?? 0;
      } catch (e) {
        throw new ParleyError('storage_failed', `Parley could not take a snapshot of its conversations for the backup (${osReason(e)}).`, {
          hint: 'Check that the disk has space and that the data folder is writable, then try again.',
        }, { cause: e });
      }
      sources.push({ name: DB_ENTRY, path: tmpDb });
      yield;
    } else {
      const i = parts.indexOf('database');
      if (i >= 0) parts.splice(i, 1);
    }
    if (parts.includes('settings')) {
      const path = join(dataDir, 'settings.json');
      let raw: Record<string, unknown> | undefined;
      try {
        raw = existsSync(path) ? readSettingsFile(path) : undefined;
      } catch { /* a broken settings file is not backed up (it may hold anything) */ }
      if (raw) {
        const clean = settingsForBackup(raw);
        secretsLeftOut = clean.leftOut;
        sources.push({ name: SETTINGS_ENTRY, data: strToU8(clean.text) });
      } else parts.splice(parts.indexOf('settings'), 1);
    }
    if (parts.includes('attachments')) sources.push(...attachmentFiles(dataDir));

    // Pass 1: sizes and checksums, for the manifest that comes first.
    const entries: ManifestEntry[] = [];
    for (const s of sources) {
      if (s.data) entries.push({ name: s.name, size: s.data.byteLength, sha256: createHash('sha256').update(s.data).digest('hex') });
      else entries.push({ name: s.name, ...(yield* hashFile(s.path as string)) });
      yield;
    }
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT, formatVersion: BACKUP_FORMAT_VERSION, app: appVersion(), schema, createdAt: now.toISOString(),
      reason, parts, secretsLeftOut, entries,
    };

    // Pass 2: the zip, streamed to a temporary file.
    try {
      fd = openSync(tmpZip, 'wx', 0o600);
    } catch (e) {
      throw writeFailed(tmpZip, e, 'the backup');
    }
    let written = 0;
    let failed: unknown;
    const zip = new Zip((err, chunk) => {
      if (failed) return;
      if (err) {
        failed = err;
        return;
      }
      try {
        let off = 0;
        while (off < chunk.byteLength) off += writeSync(fd as number, chunk, off, chunk.byteLength - off);
        written += chunk.byteLength;
      } catch (e) {
        failed = e;
      }
    });
    const check = (): void => {
      if (failed) throw writeFailed(out, failed, 'the backup');
    };
    const addBytes = (name: string, data: Uint8Array, level: 0 | 6): void => {
      const f = new ZipDeflate(name, { level });
      zip.add(f);
      f.push(data, true);
      check();
    };
    addBytes(MANIFEST_NAME, strToU8(JSON.stringify(manifest, null, 2) + '\n'), 6);
    for (let i = 0; i < sources.length; i++) {
      const s = sources[i] as Source;
      const want = entries[i] as ManifestEntry;
      // The database and texts compress well; images and PDFs hardly: stored, which costs no time.
      const level = s.name === DB_ENTRY || s.name === SETTINGS_ENTRY || /\.(json|txt)$/.test(s.name) ? 6 : 0;
      if (s.data) {
        addBytes(s.name, s.data, level);
        continue;
      }
      const f = new ZipDeflate(s.name, { level });
      zip.add(f);
      const h = createHash('sha256');
      let size = 0;
      const src = openSync(s.path as string, 'r');
      try {
        const buf = Buffer.allocUnsafe(CHUNK);
        for (;;) {
          const n = readSync(src, buf, 0, CHUNK, null);
          const last = n === 0;
          if (!last) {
            size += n;
            h.update(buf.subarray(0, n));
          }
          f.push(last ? new Uint8Array(0) : Uint8Array.from(buf.subarray(0, n)), last);
          check();
          if (last) break;
          yield;
        }
      } finally {
        closeSync(src);
      }
      if (size !== want.size || h.digest('hex') !== want.sha256) {
        throw new ParleyError('storage_failed', `${s.name} changed while it was being backed up.`, { hint: 'Back up again.' });
      }
    }
    zip.end();
    check();
    try {
      fsyncSync(fd);
      closeSync(fd);
      fd = undefined;
      renameSync(tmpZip, out);
    } catch (e) {
      throw writeFailed(out, e, 'the backup');
    }
    result({ file: out, bytes: written, manifest });
  } finally {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch { /* already failing */ }
    }
    rmSync(tmpZip, { force: true });
    rmSync(tmpDb, { force: true });
  }
  if (reason !== 'manual' && !opts.out) pruneAutomatic(dataDir, opts.keep);
}

/**
 * Writes a backup of the data folder and returns its path and size. Other code calls this before anything risky
 * (the updater before it installs an update: reason 'before-update'). Rejects with storage_failed (disk full, a
 * folder that cannot be written); a failed backup leaves no file behind.
 */
export async function backupNow(dataDir: string, opts: BackupOptions = {}): Promise<BackupResult> {
  let r: BackupResult | undefined;
  const gen = backupSteps(dataDir, opts, (x) => (r = x));
  let next = (): IteratorResult<Step, void> => gen.next();
  let turn = performance.now();
  for (;;) {
    const step = next();
    if (step.done) return r as BackupResult;
    if (step.value) {
      const { file, into } = step.value.snapshot;
      try {
        const schema = await snapshotInWorker(file, into);
        next = () => gen.next(schema);
      } catch (e) {
        next = () => gen.throw(e);
      }
    } else {
      next = () => gen.next();
      // The event loop gets a turn every ~20 ms of work (a step is a chunk of 256 KB hashed or compressed).
      if (performance.now() - turn > 20) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        turn = performance.now();
      }
    }
  }
}

/** The same, at once (before a database migration, while the store is being opened). */
export function backupNowSync(dataDir: string, opts: BackupOptions = {}): BackupResult {
  let r: BackupResult | undefined;
  const gen = backupSteps(dataDir, opts, (x) => (r = x));
  let next = (): IteratorResult<Step, void> => gen.next();
  for (;;) {
    const step = next();
    if (step.done) return r as BackupResult;
    if (step.value) {
      const { file, into } = step.value.snapshot;
      try {
        const schema = snapshotDb(file, into);
        next = () => gen.next(schema);
      } catch (e) {
        next = () => gen.throw(e);
      }
    } else next = () => gen.next();
  }
}

/** Its size on disk (for lists). */
export function fileSize(path: string): number {
  return statSync(path).size;
}
