/**
 * Settings → Updates (issue 22): this version, Check now, what is new and how big it is, Download (with progress),
 * Install and restart (only on a click; main backs up the data folder first), why a check failed and which feeds were
 * tried, Test feeds (every feed's route, reach, manifest and offer: UpdateTest.tsx), and the choices: check by
 * itself, download by itself, the channel, the feeds (mirrors) in order. Every request goes through the network
 * settings' route (the Network panel shows them, kind Update).
 */
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ErrorInfo } from '../../../../shared/errors.ts';
import type { UpdateDoctorReport, UpdateSettingsDraft } from '../../../../shared/update.ts';
import { call } from '../../api.ts';
import { codeTitle, errorMessage } from '../../i18n.ts';
import { useUpdates } from '../../update-store.ts';
import { ErrorNote } from './ErrorNote.tsx';
import { UpdateTestReport } from './UpdateTest.tsx';

const mb = (n: number): string => (n / 1024 / 1024).toFixed(1);

export function UpdatesSection(): React.JSX.Element {
  const { t } = useTranslation();
  const view = useUpdates((s) => s.view);
  const actionError = useUpdates((s) => s.actionError);
  const { load, check, download, install, save } = useUpdates.getState();
  const [form, setForm] = useState<UpdateSettingsDraft | null>(null);
  const [feedsText, setFeedsText] = useState('');
  const [saved, setSaved] = useState(false);
  const [test, setTest] = useState<{ running: boolean; report?: UpdateDoctorReport; error?: ErrorInfo }>({ running: false });
  const runTest = async (): Promise<void> => {
    setTest({ running: true });
    const r = await call('updateTest', (api) => api.updateTest());
    setTest(r.ok ? { running: false, report: r.value } : { running: false, error: r.error });
  };

  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    if (view && !form) {
      setForm(view.settings);
      setFeedsText(view.settings.feeds.join('\n'));
    }
  }, [view, form]);

  const st = view?.status;
  const onSave = async (e: FormEvent<HTMLFormElement>): Promise<void> => {
    e.preventDefault();
    if (!form) return;
    const feeds = feedsText.split('\n').map((l) => l.trim()).filter(Boolean);
    if (await save({ ...form, feeds })) setSaved(true);
  };
  const change = (patch: Partial<UpdateSettingsDraft>): void => {
    setForm((f) => (f ? { ...f, ...patch } : f));
    setSaved(false);
  };

  return (
    <section className="settings-section updates-section" aria-labelledby="updates-title" data-testid="updates-section">
      <h2 id="updates-title">{t('updates.title')}</h2>
      {st ? (
        <div className="update-status" data-testid="update-status" data-state={st.state} role="status" aria-live="polite">
          <p>
            {t('updates.current', { version: st.current })}
            {st.state === 'checking' ? ` · ${t('updates.checking')}` : null}
            {st.state === 'current' ? <> · <span data-testid="update-uptodate">{t('updates.upToDate')}</span></> : null}
          </p>
          {st.offer ? (
            <div className="update-offer" data-testid="update-offer" data-version={st.offer.version}>
              <p><strong>{t('updates.available', { version: st.offer.version, size: mb(st.offer.size) })}</strong></p>
              {st.offer.notes ? <pre className="update-notes" data-testid="update-notes">{st.offer.notes}</pre> : null}
            </div>
          ) : null}
          {st.state === 'downloading' && st.progress ? (
            <p data-testid="update-progress">
              <progress max={st.progress.total} value={st.progress.received} /> {t('updates.progress', { got: mb(st.progress.received), total: mb(st.progress.total) })}
            </p>
          ) : null}
          {st.state === 'ready' ? <p data-testid="update-ready">{st.canInstall ? t('updates.ready') : t('updates.readyNoInstall')}</p> : null}
          {st.state === 'failed' && st.error ? <ErrorNote error={st.error} testId="update-error" /> : null}
          {st.tried?.length ? (
            <details className="update-tried" data-testid="update-tried">
              <summary>{t('updates.tried', { count: st.tried.length })}</summary>
              <ul>
                {st.tried.map((f) => (
                  <li key={f.feed} data-testid="update-feed-tried" data-ok={f.ok ? 'true' : 'false'}>
                    <code>{f.feed}</code> {f.ok ? '✓' : `✕ ${f.error ? `${codeTitle(f.error.code)}: ${errorMessage(f.error)}` : ''}`}
                  </li>
                ))}
              </ul>
            </details>
          ) : null}
          <div className="form-actions">
            <button type="button" data-testid="update-check" disabled={st.state === 'checking' || st.state === 'downloading' || st.state === 'installing'} onClick={() => void check()}>{t('updates.check')}</button>
            <button type="button" data-testid="update-test" disabled={test.running} onClick={() => void runTest()}>{test.running ? t('updates.test.running') : t('updates.test.run')}</button>
            {st.state === 'available' || (st.state === 'failed' && st.offer) ? <button type="button" className="primary" data-testid="update-download" onClick={() => void download()}>{t('updates.download')}</button> : null}
            {st.state === 'ready' ? <button type="button" className="primary" data-testid="update-install" disabled={!st.canInstall} onClick={() => void install()}>{t('updates.install')}</button> : null}
          </div>
        </div>
      ) : null}
      {test.report ? <UpdateTestReport report={test.report} /> : null}
      {test.error ? <ErrorNote error={test.error} testId="update-test-error" /> : null}
      {actionError ? <ErrorNote error={actionError} testId="update-action-error" /> : null}
      {form ? (
        <form onSubmit={(e) => void onSave(e)} noValidate>
          <label className="check">
            <input type="checkbox" data-testid="update-autocheck" checked={form.autoCheck} onChange={(e) => change({ autoCheck: e.target.checked })} />
            {t('updates.autoCheck')}
          </label>
          <label className="check">
            <input type="checkbox" data-testid="update-autodownload" checked={form.autoDownload} onChange={(e) => change({ autoDownload: e.target.checked })} />
            {t('updates.autoDownload')}
          </label>
          <label htmlFor="f-update-channel">{t('updates.channel')}</label>
          <select id="f-update-channel" data-testid="update-channel" value={form.channel} onChange={(e) => change({ channel: e.target.value as UpdateSettingsDraft['channel'] })}>
            <option value="stable">{t('updates.stable')}</option>
            <option value="beta">{t('updates.beta')}</option>
          </select>
          <label htmlFor="f-update-feeds">{t('updates.feeds')}</label>
          <textarea id="f-update-feeds" data-testid="update-feeds" rows={3} value={feedsText} placeholder={view?.feeds.join('\n')} onChange={(e) => { setFeedsText(e.target.value); setSaved(false); }} />
          <p className="muted small">{t('updates.feedsNote')}</p>
          <div className="form-actions">
            <button type="submit" data-testid="update-save">{t('updates.save')}</button>
            {saved ? <span className="status status-saved" data-testid="update-saved">{t('settings.status.saved')}</span> : null}
          </div>
        </form>
      ) : null}
    </section>
  );
}
