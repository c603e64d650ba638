/**
 * Backup and restore of the data folder (issue 21, local first): one zip file with a manifest, the conversations'
 * snapshot, the settings without secrets and the attachments. See manifest.ts (the format), write.ts, restore.ts,
 * folder.ts (backups/) and auto.ts (before migrations, on a schedule).
 */
export { backupNow, backupNowSync, type BackupOptions, type BackupResult } from './write.ts';
export {
  cancelPendingRestore, finishPendingRestore, pendingRestore, recoverInterruptedSwap, restoreBackup, stageRestore, verifyBackup, type PendingRestore, type RestoreOptions, type RestoreResult,
} from './restore.ts';
export { backupsDirOf, listBackups, pruneAutomatic, type BackupListing } from './folder.ts';
export { backupBeforeMigration, scheduledDue, startBackupSchedule, type BackupSchedule } from './auto.ts';
export { BACKUP_FORMAT, BACKUP_FORMAT_VERSION, type BackupManifest, type BackupPart, type BackupReason } from './manifest.ts';
