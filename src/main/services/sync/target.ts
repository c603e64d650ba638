/**
 * A sync target: a folder on a WebDAV service or a prefix in an S3-compatible bucket, seen as a flat set of named
 * files. The sync engine (services/sync/engine.ts) only ever uses this; the WebDAV and S3 targets
 * (services/sync/webdav.ts, services/sync/s3.ts) send every request through Parley's transport on the target's own
 * route (proxy, bypass, CA files, timeouts), so a sync works behind the same proxy as the chat.
 *
 * Names are relative, '/'-separated, of [A-Za-z0-9._-] segments (SYNC_NAME); the target maps them to its folder or
 * key prefix. Every failure is a ParleyError with a stable code (see shared/errors.ts: sync_* codes), a message in
 * the service's own words where it gave some, and a hint.
 */
import type { ParleyError } from '../../core/errors.ts';

/** A name the engine may use: relative, '/'-separated, no empty, '.' or '..' segment. */
export const SYNC_NAME = /^(?!.*(?:^|\/)\.{1,2}(?:\/|$))[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/;

export interface SyncEntry {
  /** The name relative to the target's root (never starting with '/'). */
  name: string;
  size: number;
}

export interface SyncTarget {
  /** What the window and the doctor call it: `WebDAV https://dav.example.com/parley/` (never with credentials). */
  readonly label: string;
  /**
   * The files under a prefix ('' for all), recursively, published files only: a file still being uploaded
   * (a temporary name) is never listed. Order is not guaranteed.
   */
  list(prefix: string, signal?: AbortSignal): Promise<SyncEntry[]>;
  /**
   * A file's bytes, at most `maxBytes` (more is limit_exceeded, never an unbounded buffer). A missing file is
   * null. An answer that is not the file (an HTML login or captive portal page, a redirect to elsewhere, a 200
   * with an empty body where bytes were expected) is an error, not data.
   */
  get(name: string, maxBytes: number, signal?: AbortSignal): Promise<Uint8Array | null>;
  /**
   * Publishes a file: readers see either nothing or the whole of it, never a part (upload under a temporary
   * name then move, or a single PUT the store makes atomic, as S3 does). Overwrites an existing file.
   */
  put(name: string, bytes: Uint8Array, signal?: AbortSignal): Promise<void>;
  /** Removes a file; a missing one is not an error. */
  remove(name: string, signal?: AbortSignal): Promise<void>;
}

/** Made by the engine's callers from settings; the engine never sees credentials. */
export type SyncTargetFactory = () => SyncTarget;

export type SyncError = ParleyError;
