/**
 * The data folder's backups/: each backup is `parley-<UTC time>-<reason>.zip`, so its name says when and why it
 * was made without opening it. Automatic ones (every reason but `manual`) are kept up to a bound, the oldest
 * removed first; backups made by hand are never removed by Parley.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_AUTO_BACKUPS } from '../../../shared/bounds.ts';
import { BACKUP_REASONS, type BackupReason } from './manifest.ts';

export function backupsDirOf(dataDir: string): string {
  return join(dataDir, 'backups');
}

const NAME = /^parley-(\d{8})-(\d{6})(\d{3})?-([a-z-]+?)(?:-\d+)?\.zip$/;

/** `parley-20261207-183012123-scheduled.zip` (UTC; milliseconds keep two backups of one second apart). */
export function backupName(at: Date, reason: BackupReason): string {
  const iso = at.toISOString(); // 2026-12-07T18:30:12.123Z
  return `parley-${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}${iso.slice(20, 23)}-${reason}.zip`;
}

export interface BackupListing {
  file: string;
  name: string;
  bytes: number;
  /** When it was made (epoch ms), from its name. */
  createdAt: number;
  reason: BackupReason;
  automatic: boolean;
}

/** The backups in backups/, newest first. */
export function listBackups(dataDir: string): BackupListing[] {
  const dir = backupsDirOf(dataDir);
  if (!existsSync(dir)) return [];
  const out: BackupListing[] = [];
  for (const name of readdirSync(dir)) {
    const m = NAME.exec(name);
    if (!m) continue;
    const reason = m[4] as BackupReason;
    if (!(BACKUP_REASONS as readonly string[]).includes(reason)) continue;
    const [d, t, ms] = [m[1] as string, m[2] as string, m[3] ?? '000'];
    const createdAt = Date.parse(`${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T${t.slice(0, 2)}:${t.slice(2, 4)}:${t.slice(4, 6)}.${ms}Z`);
    let bytes: number;
    try {
      bytes = statSync(join(dir, name)).size;
    } catch {
      continue;
    }
    out.push({ file: join(dir, name), name, bytes, createdAt, reason, automatic: reason !== 'manual' });
  }
  return out.sort((a, b) => b.createdAt - a.createdAt || (a.name < b.name ? 1 : -1));
}

/** Removes the oldest automatic backups beyond `keep`; returns the files removed. */
export function pruneAutomatic(dataDir: string, keep: number = MAX_AUTO_BACKUPS): string[] {
  const auto = listBackups(dataDir).filter((b) => b.automatic);
  const gone: string[] = [];
  for (const b of auto.slice(Math.max(0, Math.min(keep, MAX_AUTO_BACKUPS)))) {
    try {
      rmSync(b.file, { force: true });
      gone.push(b.file);
    } catch { /* the next backup tries again */ }
  }
  return gone;
}

/** Parley's version from its package.json (null when not found). */
export function appVersion(): string | null {
  for (const p of [join(import.meta.dirname, '..', '..', '..', '..', 'package.json'), join(import.meta.dirname, '..', '..', 'package.json'), join(import.meta.dirname, '..', 'package.json'), join(process.cwd(), 'package.json')]) {
    try {
      const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'parley' && pkg.version) return pkg.version;
    } catch { /* not there */ }
  }
  return null;
}
