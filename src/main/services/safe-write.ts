/**
 * Writing files so that a failure leaves nothing behind: a full disk, a read-only folder or a quota must not
 * leave a 0-byte or half-written settings file, report or bundle. Everything Parley writes is the user's own
 * (owner-only: files 0600, folders 0700), and a failure is `storage_failed` naming the path and the OS's reason.
 */
import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ParleyError } from '../core/errors.ts';

/** The OS's reason in a few words: `ENOSPC: no space left on device`. */
export function osReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err === 'object' && typeof err.code === 'string') {
    // Node's message is "ENOSPC: no space left on device, write": keep the code and the words.
    const words = String(err.message ?? '').replace(/^[A-Z]+:\s*/, '').replace(/,\s*\w+(\s+(->\s+)?'[^']*')*\s*$/, '');
    return `${err.code}: ${words || err.code}`;
  }
  return e instanceof Error ? e.message : String(e);
}

/** `storage_failed` for a file that could not be written (never protocol_error: this is not the network). */
export function writeFailed(path: string, e: unknown, what = 'the file'): ParleyError {
  if (ParleyError.is(e)) return e;
  return new ParleyError('storage_failed', `Parley could not write ${what} ${path} (${osReason(e)}).`, {
    hint: 'Check that the disk has space and that the folder is writable, or choose another folder.',
  }, { cause: e });
}

/**
 * Creates `dir` (and its parents) owner-only. A folder Parley owns that is readable by others (0755 from an
 * older version) is narrowed to 0700; a folder the user chose elsewhere is left as it is.
 */
export function ensurePrivateDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    // A recursive mkdir on a read-only disk can say ENOENT: create the first missing folder alone for the real reason (EROFS, EACCES).
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    let missing = resolve(dir);
    while (!existsSync(dirname(missing)) && dirname(missing) !== missing) missing = dirname(missing);
    mkdirSync(missing, { mode: 0o700 });
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
  if (process.platform === 'win32') return;
  try {
    const st = statSync(dir);
    if ((st.mode & 0o077) !== 0 && typeof process.getuid === 'function' && st.uid === process.getuid()) chmodSync(dir, st.mode & 0o700);
  } catch { /* best effort: the folder exists, which is what matters */ }
}

/** Writes all of `data` to an open file; a short write is retried until done or an error is thrown. */
function writeAll(fd: number, data: Uint8Array): void {
  let off = 0;
  while (off < data.byteLength) off += writeSync(fd, data, off, data.byteLength - off);
}

/**
 * Writes `path` atomically: a temporary file beside it (same folder, so the rename stays on one disk), written
 * in full and flushed, then renamed over `path`. Readers (another process, the CLI) see the old file or the
 * new one, never a part. On any failure the temporary file is removed and the old file is untouched; the error
 * is `storage_failed` with the path and the OS's reason.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, opts: { mode?: number; what?: string } = {}): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', opts.mode ?? 0o600);
    writeAll(fd, bytes);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch { /* already failing */ }
    }
    try {
      unlinkSync(tmp);
    } catch { /* never created */ }
    throw writeFailed(path, e, opts.what);
  }
}
