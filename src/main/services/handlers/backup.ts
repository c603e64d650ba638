/**
 * Settings → Backup: the backups in the data folder's backups/, "Back up now", "Restore from a file…" (main's own
 * open dialog: the window never names a path), and the restart that finishes a restore. A restore is checked whole
 * when the file is picked (a bad file is refused then, with its code, and nothing changes); the data is replaced
 * at the next start, before the database is opened (services/backup finishPendingRestore).
 */
import { MAX_AUTO_BACKUPS } from '../../../shared/bounds.ts';
import type { BackupsView } from '../../../shared/ipc.ts';
import { backupNow, cancelPendingRestore, listBackups, pendingRestore, stageRestore } from '../backup/index.ts';
import type { AppContext, Handlers } from './types.ts';

export interface BackupState {
  /** What this start did with a restore that was waiting (shown once, then forgotten). */
  finished?: BackupsView['finished'];
}

export function backupHandlers(ctx: AppContext, state: BackupState): Handlers<'backup:list' | 'backup:now' | 'backup:restore' | 'backup:cancelRestore' | 'backup:restart'> {
  const dataDir = ctx.opts.dataDir;
  // A settings file that cannot be read (the window says why elsewhere) leaves the default here.
  const scheduleNow = (): BackupsView['schedule'] => {
    try {
      return ctx.settings.get().backup.schedule;
    } catch {
      return 'daily';
    }
  };
  const view = (): BackupsView => {
    const out: BackupsView = {
      backups: listBackups(dataDir).map(({ name, bytes, createdAt, reason, automatic }) => ({ name, bytes, createdAt, reason, automatic })),
      keep: MAX_AUTO_BACKUPS,
      schedule: scheduleNow(),
      pending: pendingRestore(dataDir) ?? null,
    };
    if (state.finished) {
      out.finished = state.finished;
      state.finished = undefined;
    }
    return out;
  };
  const log = ctx.logger.scope('storage');
  return {
    'backup:list': () => view(),
    'backup:now': async () => {
      const r = await backupNow(dataDir, { reason: 'manual' });
      log.info('backed up', { file: r.file, bytes: r.bytes, entries: r.manifest.entries.length });
      return view();
    },
    'backup:restore': async () => {
      const file = await ctx.opts.chooseBackupFile?.();
      if (!file) return null;
      try {
        const p = await stageRestore(dataDir, file);
        log.info('restore staged: it is made at the next start', { name: p.name, createdAt: p.createdAt, parts: p.parts });
      } catch (e) {
        log.warn('restore refused', { reason: e instanceof Error ? e.message : String(e) });
        throw e;
      }
      return view();
    },
    'backup:cancelRestore': () => {
      cancelPendingRestore(dataDir);
      return view();
    },
    'backup:restart': () => {
      if (!ctx.opts.relaunch) return false;
      ctx.opts.relaunch();
      return true;
    },
  };
}
