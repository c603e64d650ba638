/**
 * Settings → Backup: "Back up now", "Restore from a file…" (main's own open dialog), how often automatic backups are
 * made, and the backups in the data folder (when, why, how large). A restore is checked whole when the file is
 * picked (a bad file is refused with what is wrong, in the window's language, and nothing changes); the data is
 * replaced when Parley starts again, so the section then offers the restart.
 */
import { useEffect, useState } from 'react';
import { ErrorNote } from './ErrorNote.tsx';
import { useTranslation } from 'react-i18next';
import { BACKUP_SCHEDULES } from '../../../../shared/bounds.ts';
import type { ErrorInfo } from '../../../../shared/errors.ts';
import type { BackupsView } from '../../../../shared/ipc.ts';
import { call } from '../../api.ts';

type Schedule = (typeof BACKUP_SCHEDULES)[number];

function size(bytes: number, lang: string): string {
  const f = (n: number): string => n.toLocaleString(lang, { maximumFractionDigits: 1 });
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${f(bytes / 1024)} KB`;
  if (bytes < 1024 ** 3) return `${f(bytes / 1024 / 1024)} MB`;
  return `${f(bytes / 1024 ** 3)} GB`;
}

export function BackupSection(): React.JSX.Element {
  const { t, i18n } = useTranslation();
  const [view, setView] = useState<BackupsView | null>(null);
  const [busy, setBusy] = useState<'backup' | 'restore' | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [finished, setFinished] = useState<BackupsView['finished'] | null>(null);
  const [restartRefused, setRestartRefused] = useState(false);

  const take = (v: BackupsView): void => {
    setView(v);
    if (v.finished) setFinished(v.finished);
  };
  useEffect(() => {
    void call('backupList', (api) => api.backupList()).then((r) => {
      if (r.ok) take(r.value);
      else setError(r.error);
    });
  }, []);

  const backUp = async (): Promise<void> => {
    setBusy('backup');
    setError(null);
    setDone(null);
    const r = await call('backupNow', (api) => api.backupNow());
    setBusy(null);
    if (!r.ok) return setError(r.error);
    take(r.value);
    setDone(r.value.backups.find((b) => !b.automatic)?.name ?? null);
  };
  const restore = async (): Promise<void> => {
    setBusy('restore');
    setError(null);
    setDone(null);
    const r = await call('backupRestore', (api) => api.backupRestore());
    setBusy(null);
    if (!r.ok) return setError(r.error);
    if (r.value) take(r.value);
  };
  const cancelRestore = async (): Promise<void> => {
    const r = await call('backupCancelRestore', (api) => api.backupCancelRestore());
    if (r.ok) take(r.value);
  };
  const restart = async (): Promise<void> => {
    const r = await call('backupRestart', (api) => api.backupRestart());
    if (r.ok && !r.value) setRestartRefused(true);
  };
  const setSchedule = async (schedule: Schedule): Promise<void> => {
    const r = await call('settingsSet', (api) => api.settingsSet({ backup: { schedule } }));
    if (!r.ok) return setError(r.error);
    if (view) setView({ ...view, schedule });
  };

  const when = (ms: number | string): string => new Date(ms).toLocaleString(i18n.language);
  return (
    <section className="settings-section backup-section" aria-labelledby="backup-title" data-testid="backup-section">
      <h2 id="backup-title">{t('backup.title')}</h2>
      <p className="muted">{t('backup.intro')}</p>
      {finished?.ok ? <p className="status status-saved" role="status" data-testid="backup-restored">{t('backup.restored', { name: finished.name })}</p> : null}
      {finished && !finished.ok ? (
        <div data-testid="backup-restore-failed">
          <p>{t('backup.restoreFailed')}</p>
          <ErrorNote error={finished.error} testId="backup-restore-failed-error" />
        </div>
      ) : null}
      <div className="form-actions">
        <button type="button" className="primary" data-testid="backup-now" disabled={busy !== null} onClick={() => void backUp()}>
          {busy === 'backup' ? t('backup.working') : t('backup.now')}
        </button>
        <button type="button" data-testid="backup-restore" disabled={busy !== null} onClick={() => void restore()}>
          {busy === 'restore' ? t('backup.checking') : t('backup.restore')}
        </button>
        {done ? <span className="status status-saved" role="status" data-testid="backup-done">{t('backup.done', { name: done })}</span> : null}
      </div>
      {error ? <ErrorNote error={error} testId="backup-error" /> : null}
      {view?.pending ? (
        <div className="banner" role="status" data-testid="backup-pending">
          <div className="banner-body">
            <p className="banner-message">{t('backup.pending', { name: view.pending.name, when: when(view.pending.createdAt) })}</p>
            <p className="muted small">{t('backup.pendingNote')}</p>
            <div className="form-actions">
              <button type="button" className="primary" data-testid="backup-restart" onClick={() => void restart()}>{t('backup.restart')}</button>
              <button type="button" data-testid="backup-cancel-restore" onClick={() => void cancelRestore()}>{t('backup.cancelRestore')}</button>
            </div>
            {restartRefused ? <p className="muted small" data-testid="backup-restart-refused">{t('backup.restartYourself')}</p> : null}
          </div>
        </div>
      ) : null}
      <div className="field">
        <label htmlFor="f-backup-schedule">{t('backup.schedule')}</label>
        <select id="f-backup-schedule" data-testid="backup-schedule" value={view?.schedule ?? 'daily'} onChange={(e) => void setSchedule(e.target.value as Schedule)}>
          {BACKUP_SCHEDULES.map((s) => <option key={s} value={s}>{t(`backup.schedules.${s}`)}</option>)}
        </select>
        <p className="help">{t('backup.scheduleHelp', { count: view?.keep ?? 10 })}</p>
      </div>
      <h3>{t('backup.listTitle')}</h3>
      {view && view.backups.length === 0 ? <p className="muted" data-testid="backup-none">{t('backup.none')}</p> : null}
      {view && view.backups.length > 0 ? (
        <table className="backup-list" data-testid="backup-list">
          <thead>
            <tr><th>{t('backup.made')}</th><th>{t('backup.why')}</th><th>{t('backup.size')}</th></tr>
          </thead>
          <tbody>
            {view.backups.map((b) => (
              <tr key={b.name} data-testid="backup-row" data-reason={b.reason} title={b.name}>
                <td>{when(b.createdAt)}</td>
                <td>{t(`backup.reasons.${b.reason}`)}</td>
                <td>{size(b.bytes, i18n.language)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
