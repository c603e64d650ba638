/**
 * The backup file's format: one zip whose FIRST entry is manifest.json (so a restore knows what it reads, and its
 * sizes, before it writes a byte), then the entries it lists, each with its size and SHA-256:
 *
 * - `parley.db`: a consistent snapshot of the conversations (VACUUM INTO from its own read transaction, never a
 *   copy of the live file);
 * - `settings.json`: the settings without secrets (keys, proxy passwords, MCP variables and headers are left out;
 *   `keychain:` and `${VAR}` references stay: they are names, not values);
 * - `attachments/<aa>/<sha256>[.json|.txt|.thumb.webp|.view.webp]`: the content-addressed attachment store.
 *
 * `parts` says which of the three the file holds: a restore replaces only those (a backup made before a database
 * migration holds the database and the settings, and a restore of it keeps the attachments as they are).
 */
import { MAX_BACKUP_BYTES, MAX_BACKUP_ENTRIES } from '../../../shared/bounds.ts';

export const BACKUP_FORMAT = 'parley-backup';
/** The newest format this code writes and reads; a file of a higher one is refused as newer. */
export const BACKUP_FORMAT_VERSION = 1;
export const MANIFEST_NAME = 'manifest.json';
export const DB_ENTRY = 'parley.db';
export const SETTINGS_ENTRY = 'settings.json';
export const ATTACHMENTS_PREFIX = 'attachments/';

export const BACKUP_PARTS = ['database', 'settings', 'attachments'] as const;
export type BackupPart = (typeof BACKUP_PARTS)[number];

/** Why a backup was made: by hand (the window, `parley backup`), or automatically. */
export const BACKUP_REASONS = ['manual', 'scheduled', 'before-migration', 'before-restore', 'before-update'] as const;
export type BackupReason = (typeof BACKUP_REASONS)[number];

export interface ManifestEntry {
  name: string;
  size: number;
  sha256: string;
}

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  formatVersion: number;
  /** The Parley version that wrote it (null when unknown). */
  app: string | null;
  /** parley.db's schema version (PRAGMA user_version) in the file; 0 without a database. */
  schema: number;
  createdAt: string;
  reason: BackupReason;
  parts: BackupPart[];
  /** How many secret values were left out of settings.json. */
  secretsLeftOut: number;
  entries: ManifestEntry[];
}

/** The names an entry may have: nothing else is ever written to the disk by a restore (no `..`, no absolute path). */
const ATTACHMENT_ENTRY = /^attachments\/([0-9a-f]{2})\/(\1[0-9a-f]{62})(\.json|\.txt|\.thumb\.webp|\.view\.webp)?$/;

export function entryKind(name: string): BackupPart | undefined {
  if (name === DB_ENTRY) return 'database';
  if (name === SETTINGS_ENTRY) return 'settings';
  if (ATTACHMENT_ENTRY.test(name)) return 'attachments';
  return undefined;
}

/** For an attachment's original (`attachments/aa/<sha>`), its SHA-256 (its name); else undefined. */
export function attachmentOriginalId(name: string): string | undefined {
  const m = ATTACHMENT_ENTRY.exec(name);
  return m && !m[3] ? m[2] : undefined;
}

/** What is wrong with a manifest, in a few words (undefined when it is fine); the format and versions are checked apart. */
export function manifestProblem(m: Record<string, unknown>): string | undefined {
  if (typeof m.createdAt !== 'string' || Number.isNaN(Date.parse(m.createdAt))) return 'no creation time';
  if (!Number.isSafeInteger(m.schema) || (m.schema as number) < 0) return 'no schema version';
  if (!(BACKUP_REASONS as readonly unknown[]).includes(m.reason)) return 'an unknown reason';
  if (!Array.isArray(m.parts) || m.parts.some((p) => !(BACKUP_PARTS as readonly unknown[]).includes(p))) return 'unknown parts';
  if (!Array.isArray(m.entries)) return 'no list of entries';
  if (m.entries.length > MAX_BACKUP_ENTRIES) return `${m.entries.length} entries (at most ${MAX_BACKUP_ENTRIES})`;
  const seen = new Set<string>();
  for (const e of m.entries as unknown[]) {
    const x = e as Partial<ManifestEntry> | null;
    if (typeof x !== 'object' || x === null || typeof x.name !== 'string') return 'an entry without a name';
    const kind = entryKind(x.name);
    if (!kind) return `an entry of a name Parley does not write (${JSON.stringify(x.name.slice(0, 80))})`;
    if (!(m.parts as string[]).includes(kind)) return `${x.name}, which is not of its parts`;
    if (seen.has(x.name)) return `${x.name} twice`;
    seen.add(x.name);
    if (!Number.isSafeInteger(x.size) || (x.size as number) < 0 || (x.size as number) > MAX_BACKUP_BYTES) return `no size for ${x.name}`;
    if (typeof x.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(x.sha256)) return `no checksum for ${x.name}`;
  }
  if ((m.parts as string[]).includes('database') && !seen.has(DB_ENTRY)) return 'no database';
  return undefined;
}

/** File size in words (B, KB, MB, GB). */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}
