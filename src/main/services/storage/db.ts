/**
 * Opening parley.db: refuses (without writing a byte) a file that is not an SQLite database, another
 * application's database, or a schema newer than this code; then WAL, busy_timeout, foreign keys,
 * secure_delete and the pending migrations. Also: SQLite failures → ParleyError, transactions, and a
 * per-connection statement cache.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ParleyError } from '../../core/errors.ts';
import { STORAGE_CODE } from './limits.ts';
import { APPLICATION_ID, applyMigrations, SCHEMA_VERSION, userVersion } from './migrations.ts';

export const DB_FILE = 'parley.db';
export const BUSY_TIMEOUT_MS = 5_000;

const SQLITE_MAGIC = 'SQLite format 3\0';

/** A connection with its statement cache and a nesting-aware transaction helper. */
export interface Db {
  readonly raw: DatabaseSync;
  readonly file: string;
  stmt(sql: string): StatementSync;
  /** Runs fn in one IMMEDIATE transaction (a SAVEPOINT when nested); rolls back on any error. */
  tx<T>(fn: () => T): T;
  close(): void;
}

interface SqliteError extends Error {
  code?: string;
  errcode?: number;
  errstr?: string;
}

const isSqliteError = (e: unknown): e is SqliteError => e instanceof Error && (e as SqliteError).code === 'ERR_SQLITE_ERROR';

/**
 * Any failure of the storage as a ParleyError: ParleyErrors pass through; SQLite result codes and file
 * system errors get a message that says what happened to the user's data (nothing, thanks to transactions).
 */
export function storageError(e: unknown, file: string, doing: string): ParleyError {
  if (ParleyError.is(e)) return e;
  const err = e as SqliteError & NodeJS.ErrnoException;
  const primary = isSqliteError(e) ? (err.errcode ?? 1) & 0xff : -1;
  const fsCode = typeof err?.code === 'string' && !isSqliteError(e) ? err.code : '';
  const said = err instanceof Error ? err.message : String(e);
  const mk = (message: string, hint: string): ParleyError => new ParleyError(STORAGE_CODE, message, { hint }, { cause: e });
  if (primary === 13 || fsCode === 'ENOSPC') {
    return mk(`The disk is full: Parley could not save while ${doing} (${file}). Nothing was lost; the change was not saved.`, 'Free some disk space, then try again.');
  }
  if (primary === 5 || primary === 6) {
    return mk(`parley.db is locked by another process while ${doing} (${file}).`, 'Another Parley may be running and busy: wait a moment and retry, or close the other copy.');
  }
  if (primary === 8 || fsCode === 'EROFS' || fsCode === 'EACCES' || fsCode === 'EPERM') {
    return mk(`parley.db cannot be written while ${doing}: the file or its folder is read-only (${file}).`, "Check the permissions of Parley's data folder and that the disk is not mounted read-only.");
  }
  if (primary === 26) {
    return mk(`${file} is not an SQLite database, so Parley cannot read its conversations.`, 'Move the file aside to start over; Parley then creates a new parley.db.');
  }
  if (primary === 11) {
    return mk(`parley.db is damaged (${said}) while ${doing} (${file}).`, 'Quit Parley, keep a copy of the file, then move it aside to start over (sqlite3 .recover may save its contents).');
  }
  if (primary === 10 || primary === 14 || fsCode) {
    return mk(`Parley could not ${primary === 14 ? 'open' : 'read or write'} parley.db while ${doing}: ${said} (${file}).`, 'Check the disk and the permissions of the data folder.');
  }
  if (primary >= 0) return mk(`Storage failed while ${doing}: ${said} (${file}).`, 'This looks like a bug in Parley: report it with the message.');
  return mk(`Storage failed while ${doing}: ${said}.`, 'This looks like a bug in Parley: report it with the message.');
}

export function newerSchemaError(file: string, found: number): ParleyError {
  return new ParleyError(
    STORAGE_CODE,
    `parley.db was written by a newer version of Parley (schema ${found}; this version knows ${SCHEMA_VERSION}). Update Parley, or move the file aside to start over.`,
    { hint: `Update Parley. The file (${file}) was left untouched.` },
  );
}

function notParleyError(file: string, why: string): ParleyError {
  return new ParleyError(STORAGE_CODE, `${file} is not a Parley database (${why}), so Parley will not touch it.`, {
    hint: 'Move the file aside to start over; Parley then creates a new parley.db.',
  });
}

/** Reads the header of an existing file: its magic must be SQLite's (a 0-byte file is an empty database). */
function checkHeader(file: string): void {
  const size = statSync(file).size;
  if (size === 0) return;
  const buf = Buffer.alloc(100);
  const fd = openSync(file, 'r');
  let n: number;
  try {
    n = readSync(fd, buf, 0, 100, 0);
  } finally {
    closeSync(fd);
  }
  if (n < 100 || buf.toString('latin1', 0, 16) !== SQLITE_MAGIC) throw notParleyError(file, 'not an SQLite file');
}

/**
 * Looks at an existing file through a read-only connection before opening it, so a file that is refused is
 * left as it was. Without a WAL to read, the file is opened `immutable` (no -wal/-shm files are created).
 */
function probe(file: string, busyMs: number): void {
  let db: DatabaseSync | undefined;
  try {
    let walBytes = 0;
    try {
      walBytes = statSync(`${file}-wal`).size;
    } catch { /* no WAL */ }
    const target = pathToFileURL(file);
    if (walBytes === 0) target.searchParams.set('immutable', '1');
    db = new DatabaseSync(target, { readOnly: true, timeout: busyMs });
    const version = userVersion(db);
    const appId = Number((db.prepare('PRAGMA application_id').get() as { application_id: number }).application_id);
    if (version > SCHEMA_VERSION) throw newerSchemaError(file, version);
    if (appId !== 0 && appId !== APPLICATION_ID) throw notParleyError(file, `application id ${appId}`);
    if (version === 0) {
      const n = (db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'").get() as { n: number }).n;
      if (n > 0) throw notParleyError(file, "another application's SQLite database");
    }
  } finally {
    db?.close();
  }
}

/**
 * The conversations are the user's own: parley.db and its -wal and -shm files are owner-only (0600), like the
 * folder; files an older version left readable by others (0644) are narrowed. Best effort, never on Windows.
 */
function keepPrivate(file: string): void {
  if (process.platform === 'win32') return;
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      const st = statSync(f);
      if ((st.mode & 0o077) !== 0 && typeof process.getuid === 'function' && st.uid === process.getuid()) chmodSync(f, st.mode & 0o600);
    } catch { /* not there (yet) */ }
  }
}

/** The settings of every writing connection (the app's, and an import worker's on the same file). */
export function configureConnection(raw: DatabaseSync, busyMs: number): void {
  raw.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(busyMs))}`);
  // WAL + NORMAL: a crash of the app loses nothing committed; a power cut may lose the last commits, never the file.
  raw.exec('PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON; PRAGMA temp_store = MEMORY');
}

/** What an existing database's migration is about to do (schema `from` → `to`). */
export interface MigrationInfo {
  file: string;
  from: number;
  to: number;
}

/**
 * Opens (creating if needed) and migrates `<dataDir>/parley.db`. `beforeMigration` runs when an existing database
 * has migrations pending, before the first is applied (services/backup backs it up then); if it throws, nothing is
 * migrated and the open fails.
 */
export function openDb(dataDir: string, busyMs: number = BUSY_TIMEOUT_MS, beforeMigration?: (info: MigrationInfo) => void): Db {
  const file = join(dataDir, DB_FILE);
  let raw: DatabaseSync;
  try {
    mkdirSync(dataDir, { recursive: true });
    if (existsSync(file)) {
      checkHeader(file);
      probe(file, busyMs);
    } else {
      // Created owner-only: SQLite gives the -wal and -shm files the database file's permissions.
      closeSync(openSync(file, 'a', 0o600));
    }
    keepPrivate(file);
    raw = new DatabaseSync(file, { timeout: busyMs, enableForeignKeyConstraints: true });
  } catch (e) {
    throw storageError(e, file, 'opening the conversations');
  }
  try {
    configureConnection(raw, busyMs);
    const mode = (raw.prepare('PRAGMA journal_mode = WAL').get() as { journal_mode: string }).journal_mode;
    if (mode.toLowerCase() !== 'wal') throw new Error(`journal_mode is ${mode}, not wal`);
    const v = userVersion(raw);
    if (v > SCHEMA_VERSION) throw newerSchemaError(file, v);
    if (beforeMigration && v > 0 && v < SCHEMA_VERSION) beforeMigration({ file, from: v, to: SCHEMA_VERSION });
    applyMigrations(raw);
  } catch (e) {
    raw.close();
    throw storageError(e, file, 'opening the conversations');
  }
  return wrapDb(raw, file);
}

export function wrapDb(raw: DatabaseSync, file: string): Db {
  const cache = new Map<string, StatementSync>();
  let depth = 0;
  return {
    raw,
    file,
    stmt(sql) {
      let s = cache.get(sql);
      if (!s) {
        s = raw.prepare(sql);
        cache.set(sql, s);
      }
      return s;
    },
    tx(fn) {
      const outer = depth === 0;
      const sp = `sp${depth}`;
      raw.exec(outer ? 'BEGIN IMMEDIATE' : `SAVEPOINT ${sp}`);
      depth++;
      try {
        const r = fn();
        raw.exec(outer ? 'COMMIT' : `RELEASE ${sp}`);
        return r;
      } catch (e) {
        try {
          if (!outer) raw.exec(`ROLLBACK TO ${sp}; RELEASE ${sp}`);
          else if (raw.isTransaction) raw.exec('ROLLBACK');
        } catch { /* the original error matters more */ }
        throw e;
      } finally {
        depth--;
      }
    },
    close() {
      cache.clear();
      if (raw.isOpen) raw.close();
    },
  };
}
