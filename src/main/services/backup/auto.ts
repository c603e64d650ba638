/**
 * Automatic backups: before a database migration (the store calls `beforeMigration` when it opens an existing
 * parley.db whose schema is older than this code's), and on a schedule (Settings → Backup: daily, weekly or off),
 * both into backups/, where at most MAX_AUTO_BACKUPS automatic ones are kept (the oldest removed first).
 */
import { BACKUP_SCHEDULES } from '../../../shared/bounds.ts';
import { listBackups } from './folder.ts';
import { backupNow, backupNowSync, type BackupResult } from './write.ts';

export type BackupSchedule = (typeof BACKUP_SCHEDULES)[number];

const DAY_MS = 24 * 60 * 60 * 1000;
export const SCHEDULE_MS: Record<BackupSchedule, number> = { off: Infinity, daily: DAY_MS, weekly: 7 * DAY_MS };

/**
 * Backs up the database and the settings before migrating from schema `from` to `to` (synchronously: the store is
 * being opened). The attachments are left out: a migration does not touch them, and a restore of this backup keeps
 * them as they are. Throws (storage_failed) when it cannot: then nothing is migrated.
 */
export function backupBeforeMigration(dataDir: string, _info: { from: number; to: number }): BackupResult {
  return backupNowSync(dataDir, { reason: 'before-migration', parts: ['database', 'settings'] });
}

/** Whether a scheduled backup is due: none yet, or the newest automatic one is older than the schedule's period. */
export function scheduledDue(dataDir: string, schedule: BackupSchedule, now = Date.now()): boolean {
  if (schedule === 'off') return false;
  const last = listBackups(dataDir).find((b) => b.reason === 'scheduled' || b.reason === 'manual');
  return !last || now - last.createdAt >= SCHEDULE_MS[schedule];
}

export interface BackupScheduler {
  /** Checks now (and then every `everyMs`): backs up when due. Resolves to the backup made, if any. */
  tick(): Promise<BackupResult | undefined>;
  stop(): void;
}

/** Checks every `everyMs` (default an hour) whether a scheduled backup is due, and makes it. */
export function startBackupSchedule(opts: {
  dataDir: string;
  schedule: () => BackupSchedule;
  everyMs?: number;
  onError?: (e: unknown) => void;
  onBackup?: (r: BackupResult) => void;
}): BackupScheduler {
  let running: Promise<BackupResult | undefined> | undefined;
  const tick = (): Promise<BackupResult | undefined> => (running ??= (async () => {
    try {
      if (!scheduledDue(opts.dataDir, opts.schedule())) return undefined;
      const r = await backupNow(opts.dataDir, { reason: 'scheduled' });
      opts.onBackup?.(r);
      return r;
    } catch (e) {
      opts.onError?.(e);
      return undefined;
    } finally {
      running = undefined;
    }
  })());
  const timer = setInterval(() => void tick(), opts.everyMs ?? 60 * 60 * 1000);
  timer.unref?.();
  return { tick, stop: () => clearInterval(timer) };
}
