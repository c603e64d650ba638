/**
 * Settings → Sync (issue 21): a WebDAV folder (Nutstore, Nextcloud, Synology, a NAS) or an S3-compatible bucket
 * (S3, R2, Aliyun OSS, MinIO), its credentials (kept in the OS keychain by main; shown only as "stored"), the
 * encryption passphrase, its route as a provider's, how often, Save and Sync now, and the last sync: when, what it
 * moved, or why it failed (worded in the window's language). Saved on its own, like a provider.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { SyncCheckView, SyncDraft, SyncView } from '../../../../shared/sync.ts';
import type { ErrorInfo } from '../../../../shared/errors.ts';
import { call } from '../../api.ts';
import { codeTitle, errorHint, errorMessage } from '../../i18n.ts';
import { useSync } from '../../sync-store.ts';
import { ErrorNote } from './ErrorNote.tsx';

type Form = Omit<SyncDraft, 'password' | 'passphrase'> & { password: string; passphrase: string };

function formOf(view: SyncView | null): Form {
  const s = view?.settings;
  return {
    enabled: s?.enabled ?? false,
    service: s?.service ?? 'webdav',
    url: s?.url ?? '',
    bucket: s?.bucket ?? '',
    prefix: s?.prefix ?? '',
    region: s?.region ?? '',
    style: s?.style ?? 'path',
    username: s?.username ?? '',
    encrypt: s?.encrypt ?? true,
    route: { mode: s?.route.mode ?? 'global', ...(s?.route.proxyUrl ? { proxyUrl: s.route.proxyUrl } : {}) },
    intervalMinutes: s?.intervalMinutes ?? 15,
    password: '',
    passphrase: '',
  };
}

function SyncStatusLine({ view }: { view: SyncView }): React.JSX.Element {
  const { t, i18n } = useTranslation();
  const st = view.status;
  const when = st.lastSyncAt ? new Date(st.lastSyncAt).toLocaleString(i18n.language) : null;
  return (
    <div className="sync-status" data-testid="sync-status" data-state={st.state} role="status" aria-live="polite">
      {st.state === 'running' ? <p>{t('sync.running')}{st.phase ? ` · ${t(`sync.phase.${st.phase}`)}` : ''}</p> : null}
      {st.state === 'off' ? <p className="muted">{t('sync.off')}</p> : null}
      {when ? (
        <p data-testid="sync-last">
          {t('sync.last', { when })}
          {st.last ? <> · <span data-testid="sync-counts">{t('sync.counts', { uploaded: st.last.uploaded, downloaded: st.last.downloaded, applied: st.last.applied, conflicts: st.last.conflicts, requests: st.last.requests })}</span></> : null}
        </p>
      ) : st.state !== 'off' && st.state !== 'running' && !st.error ? <p className="muted">{t('sync.never')}</p> : null}
      {st.state === 'failed' && st.error ? (
        <ErrorNote error={st.error} testId="sync-error" prefix={t('sync.failed')} />
      ) : null}
    </div>
  );
}

const STEP_ICON = { pass: '✓', warn: '!', fail: '✕', skip: '–' } as const;

/** The target's check: each step, worded in the window's language where it failed (its facts as they are). */
function SyncCheck({ report }: { report: SyncCheckView }): React.JSX.Element {
  const { t, i18n } = useTranslation();
  return (
    <div className="sync-check" data-testid="sync-check" data-ok={report.ok ? 'true' : 'false'}>
      <p><strong>{report.ok ? t('sync.check.ok') : t('sync.check.bad')}</strong> <span className="muted small">{report.label} · {t('sync.check.requests', { count: report.requests })}</span></p>
      <ol className="steps">
        {report.steps.map((s) => (
          <li key={s.id} className={`step step-${s.status}`} data-testid={`sync-step-${s.id}`} data-status={s.status}>
            <span className="step-icon" aria-hidden="true">{STEP_ICON[s.status]}</span>
            <span className="step-main">
              <span className="step-name">{t(`sync.check.steps.${s.id}`)}</span>
              <span className="step-detail">{s.error ? `${codeTitle(s.error.code)}: ${errorMessage(s.error)}` : i18n.language === 'en' ? s.detail : Object.entries(s.facts ?? {}).map(([k, v]) => `${k}: ${v}`).join(' · ')}</span>
              {s.error?.hint ? <span className="muted small"> {errorHint(s.error)}</span> : null}
            </span>
          </li>
        ))}
      </ol>
    </div>
  );
}

export function SyncSection(): React.JSX.Element {
  const { t } = useTranslation();
  const view = useSync((s) => s.view);
  const load = useSync((s) => s.load);
  const save = useSync((s) => s.save);
  const run = useSync((s) => s.run);
  const saving = useSync((s) => s.saving);
  const saveError = useSync((s) => s.saveError);
  const [form, setForm] = useState<Form>(() => formOf(view));
  const [touched, setTouched] = useState(false);
  const [saved, setSaved] = useState(false);
  const [check, setCheck] = useState<{ running: boolean; report?: SyncCheckView; error?: ErrorInfo }>({ running: false });
  const runCheck = async (): Promise<void> => {
    setCheck({ running: true });
    const r = await call('syncTest', (api) => api.syncTest());
    setCheck(r.ok ? { running: false, report: r.value } : { running: false, error: r.error });
  };

  useEffect(() => {
    void load();
  }, [load]);
  // Until the user changes a field, the form shows what main holds.
  useEffect(() => {
    if (view && !touched) setForm(formOf(view));
  }, [view, touched]);

  const set = <K extends keyof Form>(k: K, value: Form[K]): void => {
    setForm((f) => ({ ...f, [k]: value }));
    setTouched(true);
    setSaved(false);
  };
  const s3 = form.service === 's3';

  const onSubmit = async (e: FormEvent<HTMLFormElement>): Promise<void> => {
    e.preventDefault();
    const { password, passphrase, ...rest } = form;
    // A secret left empty keeps the stored one.
    const draft: SyncDraft = { ...rest, ...(password ? { password } : {}), ...(passphrase ? { passphrase } : {}) };
    const ok = await save(draft);
    if (ok) {
      setTouched(false);
      setSaved(true);
    }
  };

  const fieldError = (field: string): string | null => (saveError?.field === field ? errorMessage(saveError) : null);
  /** Main's refusal of a save, at the field it names. */
  const fieldRefusal = (field: string): React.JSX.Element | null =>
    saveError?.field === field ? (
      <p className="field-error" role="alert" data-testid="sync-field-error" data-field={field} data-code={saveError.code}>
        {errorMessage(saveError)}
        {saveError.hint ? <span className="muted small"> {errorHint(saveError)}</span> : null}
      </p>
    ) : null;

  return (
    <section className="settings-section sync-section" aria-labelledby="sync-title" data-testid="sync-section">
      <h2 id="sync-title">{t('sync.title')}</h2>
      <p className="muted">{t('sync.intro')}</p>
      <form onSubmit={(e) => void onSubmit(e)} noValidate>
        <label className="check">
          <input type="checkbox" data-testid="sync-enabled" checked={form.enabled} onChange={(e) => set('enabled', e.target.checked)} />
          {t('sync.enabled')}
        </label>
        <label htmlFor="f-sync-service">{t('sync.service')}</label>
        <select id="f-sync-service" data-testid="sync-service" value={form.service} onChange={(e) => set('service', e.target.value as Form['service'])}>
          <option value="webdav">{t('sync.webdav')}</option>
          <option value="s3">{t('sync.s3')}</option>
        </select>
        <label htmlFor="f-sync-url">{s3 ? t('sync.endpoint') : t('sync.folderUrl')}</label>
        <input id="f-sync-url" data-testid="sync-url" type="url" value={form.url} placeholder={s3 ? 'https://s3.us-east-1.amazonaws.com' : 'https://dav.jianguoyun.com/dav/parley/'} onChange={(e) => set('url', e.target.value)} aria-invalid={!!fieldError('url')} />
        {fieldRefusal('url')}
        {s3 ? (
          <>
            <label htmlFor="f-sync-bucket">{t('sync.bucket')}</label>
            <input id="f-sync-bucket" data-testid="sync-bucket" value={form.bucket} onChange={(e) => set('bucket', e.target.value)} />
            <label htmlFor="f-sync-prefix">{t('sync.prefix')}</label>
            <input id="f-sync-prefix" data-testid="sync-prefix" value={form.prefix} placeholder="parley/" onChange={(e) => set('prefix', e.target.value)} />
            <label htmlFor="f-sync-region">{t('sync.region')}</label>
            <input id="f-sync-region" data-testid="sync-region" value={form.region} placeholder="us-east-1" onChange={(e) => set('region', e.target.value)} />
            <label htmlFor="f-sync-style">{t('sync.style')}</label>
            <select id="f-sync-style" data-testid="sync-style" value={form.style} onChange={(e) => set('style', e.target.value as Form['style'])}>
              <option value="path">{t('sync.stylePath')}</option>
              <option value="virtual">{t('sync.styleVirtual')}</option>
            </select>
          </>
        ) : null}
        <label htmlFor="f-sync-username">{s3 ? t('sync.accessKey') : t('sync.username')}</label>
        <input id="f-sync-username" data-testid="sync-username" autoComplete="off" value={form.username} onChange={(e) => set('username', e.target.value)} />
        <label htmlFor="f-sync-password">{s3 ? t('sync.secretKey') : t('sync.password')}</label>
        <input id="f-sync-password" data-testid="sync-password" type="password" autoComplete="off" value={form.password} placeholder={view?.settings.passwordSet ? t('sync.stored') : ''} onChange={(e) => set('password', e.target.value)} aria-invalid={!!fieldError('password')} />
        {fieldRefusal('password')}
        <label className="check">
          <input type="checkbox" data-testid="sync-encrypt" checked={form.encrypt} onChange={(e) => set('encrypt', e.target.checked)} />
          {t('sync.encrypt')}
        </label>
        {form.encrypt ? (
          <>
            <label htmlFor="f-sync-passphrase">{t('sync.passphrase')}</label>
            <input id="f-sync-passphrase" data-testid="sync-passphrase" type="password" autoComplete="new-password" value={form.passphrase} placeholder={view?.settings.passphraseSet ? t('sync.stored') : ''} onChange={(e) => set('passphrase', e.target.value)} aria-invalid={!!fieldError('passphrase')} />
            <p className="muted small">{t('sync.passphraseNote')}</p>
            {fieldRefusal('passphrase')}
          </>
        ) : null}
        <label htmlFor="f-sync-route">{t('sync.route')}</label>
        <select id="f-sync-route" data-testid="sync-route" value={form.route.mode} onChange={(e) => set('route', { ...form.route, mode: e.target.value as Form['route']['mode'] })}>
          <option value="global">{t('sync.routeGlobal')}</option>
          <option value="direct">{t('sync.routeDirect')}</option>
          <option value="proxy">{t('sync.routeProxy')}</option>
        </select>
        {form.route.mode === 'proxy' ? (
          <input data-testid="sync-proxy" aria-label={t('sync.proxyUrl')} value={form.route.proxyUrl ?? ''} placeholder="http://127.0.0.1:7890" onChange={(e) => set('route', { mode: 'proxy', proxyUrl: e.target.value })} />
        ) : null}
        <label htmlFor="f-sync-interval">{t('sync.interval')}</label>
        <input id="f-sync-interval" data-testid="sync-interval" type="number" min={0} max={1440} value={form.intervalMinutes} onChange={(e) => set('intervalMinutes', Math.max(0, Math.min(1440, Math.round(Number(e.target.value) || 0))))} />
        <div className="form-actions">
          <button type="submit" className="primary" data-testid="sync-save" disabled={saving}>{t('sync.save')}</button>
          <button type="button" data-testid="sync-now" disabled={!view?.settings.enabled || view.status.state === 'running'} onClick={() => void run()}>{t('sync.now')}</button>
          <button type="button" data-testid="sync-test" disabled={!view?.settings.url || check.running} onClick={() => void runCheck()}>{check.running ? t('sync.check.running') : t('sync.check.run')}</button>
          {saved ? <span className="status status-saved" data-testid="sync-saved">{t('settings.status.saved')}</span> : null}
        </div>
        {saveError && !saveError.field ? (
          <ErrorNote error={saveError} testId="sync-save-error" />
        ) : null}
      </form>
      {view ? <SyncStatusLine view={view} /> : null}
      {check.report ? <SyncCheck report={check.report} /> : null}
      {check.error ? (
        <ErrorNote error={check.error} testId="sync-check-error" />
      ) : null}
    </section>
  );
}
