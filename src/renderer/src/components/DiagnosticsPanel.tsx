import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { WORKING_VERDICTS, type DoctorReport, type DoctorStep, type SavedDoctorReport, type StepStatus } from '../../../shared/doctor.ts';
import { providerDefaultModel } from '../../../shared/model-choice.ts';
import { call } from '../api.ts';
import { codeTitle, joinWords, word } from '../i18n.ts';
import { log } from '../log.ts';
import { doctorTarget, modelsOf, useStore } from '../store.ts';
import { useChat } from '../chat-store.ts';
import { Code } from './Code.tsx';

const STATUS_ICON: Record<StepStatus, string> = { pass: '✓', warn: '!', fail: '✕', skip: '–' };

function StepRow({ step }: { step: DoctorStep }): React.JSX.Element {
  const { t, i18n } = useTranslation();
  // Main sends each sentence as a key and values; the window words it in its language (English: main's text).
  const detail = i18n.language !== 'en' && step.words?.length ? joinWords(step.words) : step.detail;
  return (
    <li className={`step step-${step.status}`} data-testid={`doctor-step-${step.id}`} data-status={step.status}>
      <span className="step-icon" aria-hidden="true">{STATUS_ICON[step.status]}</span>
      <span className="step-main">
        <span className="step-name">
          {t(`diag.doctor.steps.${step.id}`, { defaultValue: step.id })}
          <span className="visually-hidden"> — {t(`diag.doctor.status.${step.status}`)}</span>
        </span>
        {detail ? <span className="step-detail" data-testid="doctor-step-detail">{detail}</span> : null}
      </span>
      <span className="step-ms muted">{t('diag.doctor.ms', { ms: Math.round(step.ms) })}</span>
    </li>
  );
}

type VerdictKind = 'ok' | 'degraded' | 'bad' | 'stopped';
function verdictKind(report: DoctorReport): VerdictKind {
  if (report.verdict === 'ok') return 'ok';
  // Stopped by the user: neither a failure nor a pass.
  if (report.verdict === 'cancelled') return 'stopped';
  return WORKING_VERDICTS.includes(report.verdict) ? 'degraded' : 'bad';
}
const VERDICT_ICON: Record<VerdictKind, string> = { ok: '✓', degraded: '!', bad: '✕', stopped: '■' };
const NEUTRAL = { background: 'var(--skip-bg)', borderColor: 'var(--skip)' } as const;

type CopyState = 'idle' | 'copied' | 'fallback';

function Verdict({ report, time }: { report: DoctorReport; time?: string }): React.JSX.Element {
  const { t, i18n } = useTranslation();
  const kind = verdictKind(report);
  const ref = useRef<HTMLDivElement>(null);
  // The verdict is what a run is for: bring it into view when it appears (a long list of steps pushes it down).
  useEffect(() => {
    ref.current?.scrollIntoView?.({ block: 'nearest' });
  }, [report]);
  return (
    <div ref={ref} className={`verdict verdict-${kind}`} style={kind === 'stopped' ? NEUTRAL : undefined} data-testid="doctor-verdict" data-verdict={report.verdict} data-kind={kind}>
      <span className="verdict-icon" aria-hidden="true" style={kind === 'stopped' ? { background: 'var(--skip)' } : undefined}>{VERDICT_ICON[kind]}</span>
      <div>
        <div className="verdict-label muted small">
          {t('diag.doctor.verdict')}
          {time ? <span data-testid="doctor-last-time"> · {t('diag.doctor.lastRun', { time: new Date(time).toLocaleString(i18n.language === 'zh' ? 'zh-CN' : 'en') })}</span> : null}
        </div>
        <div className="verdict-title">
          {kind === 'stopped' ? t('diag.doctor.stopped') : <>{codeTitle(report.verdict)} <Code code={report.verdict} /></>}
        </div>
        {report.target ? (
          <div className="muted small" data-testid="doctor-checked" data-provider={report.target.providerId ?? ''}>
            {t('diag.doctor.checked', { name: report.target.name, model: report.target.model || '—' })}
          </div>
        ) : null}
        <div className="verdict-sub">
          {kind === 'ok' ? t('diag.doctor.chatWorks') : kind === 'degraded' ? t('diag.doctor.chatWorksDegraded') : kind === 'stopped' ? t('diag.doctor.stoppedSub') : report.target ? t('diag.doctor.chatBlockedWith', { name: report.target.name }) : t('diag.doctor.chatBlocked')}
        </div>
      </div>
    </div>
  );
}

function Report({ report, time }: { report: DoctorReport; time?: string }): React.JSX.Element {
  const { t, i18n } = useTranslation();
  const [copy, setCopy] = useState<CopyState>('idle');
  const fallback = useRef<HTMLTextAreaElement>(null);
  const json = JSON.stringify(report, null, 2);
  const hints = report.hints.map((h, i) => {
    const w = report.hintWords?.[i];
    return i18n.language !== 'en' && w ? word(w) : h;
  });

  const selectFallback = (): void => {
    setCopy('fallback');
    // After the textarea is shown.
    setTimeout(() => {
      const el = fallback.current;
      if (!el) return;
      el.focus();
      el.select();
      try {
        // The older way still works where the async clipboard API is refused.
        if (document.execCommand('copy')) setCopy('copied');
      } catch {
        /* the selection stays for Ctrl+C */
      }
    }, 0);
  };
  const onCopy = async (): Promise<void> => {
    try {
      if (!navigator.clipboard?.writeText) throw new Error('no clipboard API');
      await navigator.clipboard.writeText(json);
      setCopy('copied');
    } catch (e) {
      log.debug('clipboard write failed', String(e));
      selectFallback();
    }
  };

  return (
    <div className="report">
      <Verdict report={report} {...(time ? { time } : {})} />
      {report.findings.length > 0 ? (
        <div className="findings">
          <h3>{t('diag.doctor.findings')}</h3>
          <ul className="chips">
            {report.findings.map((f) => (
              <li key={f} className="chip" data-testid="doctor-finding" data-finding={f}>
                {codeTitle(f)} <Code code={f} />
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {hints.length > 0 ? (
        <div className="hints">
          <h3>{t('diag.doctor.hints')}</h3>
          <ul>
            {hints.map((h, i) => (
              <li key={i} data-testid="doctor-hint">
                {h}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <div className="actions">
        <button type="button" className="secondary" data-testid="doctor-copy" onClick={() => void onCopy()}>
          {t('diag.doctor.copy')}
        </button>
        <span className="status" role="status" aria-live="polite" data-testid="doctor-copy-status" data-state={copy}>
          {copy === 'copied' ? t('diag.doctor.copied') : copy === 'fallback' ? t('diag.doctor.copyFallback') : ''}
        </span>
      </div>
      <textarea
        ref={fallback}
        className={copy === 'fallback' ? 'copy-fallback' : 'copy-fallback visually-hidden'}
        aria-label={t('diag.doctor.copy')}
        aria-hidden={copy === 'fallback' ? undefined : true}
        tabIndex={copy === 'fallback' ? 0 : -1}
        readOnly
        rows={10}
        value={json}
      />
    </div>
  );
}

function Doctor(): React.JSX.Element {
  const { t } = useTranslation();
  const doctor = useStore((s) => s.doctor);
  const runDoctor = useStore((s) => s.runDoctor);
  const cancelDoctor = useStore((s) => s.cancelDoctor);
  const view = useStore((s) => s.view);
  const picked = useStore((s) => s.doctorProviderId);
  const pickedModel = useStore((s) => s.doctorModel);
  const pick = useStore((s) => s.pickDoctorProvider);
  const convProvider = useChat((s) => s.page?.conversation.providerId ?? null);
  const convModel = useChat((s) => s.page?.conversation.model ?? null);
  // Which provider and model a run checks (named before it runs; the user may pick another).
  const target = doctorTarget(view, picked, { providerId: convProvider, model: convModel }, pickedModel);
  const providers = view?.providers ?? [];
  // Each provider with each model it offers (as the chat's picker), and the model a run would use when it is another.
  const targetModel = (p: (typeof providers)[number]): string => (target?.providerId === p.id && target.model ? target.model : providerDefaultModel(p));
  const options = providers.flatMap((p) => {
    const models = modelsOf(p);
    const first = targetModel(p);
    return [...new Set([...(first ? [first] : []), ...models])].map((m) => ({ value: `${p.id}\u0000${m}`, label: t('diag.doctor.providerOption', { name: p.name, model: m }) }));
  });
  const checked = providers.find((p) => p.id === target?.providerId);
  const current = checked ? `${checked.id}\u0000${targetModel(checked)}` : '';
  // The last saved report, shown until the doctor runs in this window (after a restart, the last result is there).
  const [last, setLast] = useState<SavedDoctorReport | null>(null);
  const fresh = doctor.running || doctor.report !== null || doctor.steps.length > 0;
  useEffect(() => {
    if (fresh) return;
    let live = true;
    void call('doctorLast', (api) => api.doctorLast()).then((r) => {
      if (!live) return;
      if (r.ok) setLast(r.value);
      else log.warn('last doctor report not read', r.error.code);
    });
    return () => {
      live = false;
    };
  }, [fresh]);
  const shown = fresh ? doctor.report : last?.report ?? null;
  const steps = fresh ? doctor.steps : last?.report.steps ?? [];
  return (
    <section className="card" aria-labelledby="doctor-title">
      <h2 id="doctor-title">{t('diag.doctor.legend')}</h2>
      <p className="muted">{t('diag.doctor.help')}</p>
      {providers.length ? (
        <div className="field doctor-target">
          <label htmlFor="doctor-provider">{t('diag.doctor.provider')}</label>
          <select id="doctor-provider" data-testid="doctor-provider" data-provider={target?.providerId ?? ''} value={current} disabled={doctor.running} onChange={(e) => {
            const [id, model] = e.target.value.split('\u0000');
            pick(id || null, model || null);
          }}>
            {options.map((o) => (
              <option key={o.value} value={o.value}>{o.label}</option>
            ))}
          </select>
        </div>
      ) : null}
      <div className="actions">
        <button type="button" className="primary" data-testid="doctor-run" disabled={doctor.running} onClick={() => void runDoctor()}>
          {t('diag.doctor.run')}
        </button>
        {doctor.running ? (
          <button type="button" className="secondary" data-testid="doctor-cancel" onClick={() => void cancelDoctor()}>
            {t('diag.doctor.cancel')}
          </button>
        ) : null}
        <span className="status" role="status" aria-live="polite" data-testid="doctor-status">
          {doctor.running ? (
            <>
              <span className="spinner" aria-hidden="true" /> {t('diag.doctor.running')}
            </>
          ) : doctor.cancelled || doctor.report?.verdict === 'cancelled' ? (
            t('diag.doctor.cancelled')
          ) : !shown && steps.length === 0 ? (
            t('diag.doctor.notRun')
          ) : null}
        </span>
      </div>
      {/* The verdict first: the result of a run is in view without scrolling past the steps. */}
      {shown && !doctor.running ? <Report report={shown} {...(!fresh && last ? { time: last.time } : {})} /> : null}
      {steps.length > 0 ? (
        <ol className="steps" data-testid="doctor-steps" aria-live="polite" aria-busy={doctor.running}>
          {steps.map((st) => (
            <StepRow key={st.id} step={st} />
          ))}
        </ol>
      ) : null}
    </section>
  );
}

/** Routes remembered as breaking streams (answers go unstreamed there for a while): their count, and a way to forget them. */
function BrokenRoutes(): React.JSX.Element {
  const { t } = useTranslation();
  const report = useStore((s) => s.doctor.report);
  // The panel stays mounted once visited: the count is read again each time Diagnostics is opened.
  const open = useStore((s) => s.section === 'diagnostics');
  const showError = useStore((s) => s.showError);
  const [count, setCount] = useState<number | null>(null);
  const [forgotten, setForgotten] = useState<number | null>(null);
  useEffect(() => {
    if (!open) return;
    let live = true;
    void call('doctorBrokenRoutes', (api) => api.doctorBrokenRoutes()).then((r) => {
      if (live && r.ok) setCount(r.value);
    });
    return () => {
      live = false;
    };
  }, [report, open]);
  const onForget = async (): Promise<void> => {
    const r = await call('doctorForgetRoutes', (api) => api.doctorForgetRoutes());
    if (!r.ok) {
      showError(r.error, 'forget routes failed');
      return;
    }
    setForgotten(r.value);
    setCount(0);
    log.info('broken-stream routes forgotten', { count: r.value });
  };
  return (
    <section className="card" aria-labelledby="routes-title">
      <h2 id="routes-title">{t('diag.routes.legend')}</h2>
      <p className="muted">{t('diag.routes.help')}</p>
      <div className="actions">
        <button type="button" className="secondary" data-testid="forget-routes" data-count={count ?? ''} disabled={!count} onClick={() => void onForget()}>
          {t('diag.routes.forget', { count: count ?? 0 })}
        </button>
        <span className="status" role="status" aria-live="polite" data-testid="forget-routes-status">
          {forgotten !== null ? t('diag.routes.forgotten', { count: forgotten }) : count === 0 ? t('diag.routes.none') : ''}
        </span>
      </div>
    </section>
  );
}

function Export(): React.JSX.Element {
  const { t } = useTranslation();
  const exporting = useStore((s) => s.exporting);
  const result = useStore((s) => s.exportResult);
  const exportDiagnostics = useStore((s) => s.exportDiagnostics);
  return (
    <section className="card" aria-labelledby="export-title">
      <h2 id="export-title">{t('diag.export.legend')}</h2>
      <p className="muted">{t('diag.export.help')}</p>
      <div className="actions">
        <button type="button" className="primary" data-testid="diagnostics-export" disabled={exporting} onClick={() => void exportDiagnostics()}>
          {t('diag.export.button')}
        </button>
        {exporting ? (
          <span className="status" role="status">
            <span className="spinner" aria-hidden="true" /> {t('diag.export.exporting')}
          </span>
        ) : null}
      </div>
      {result ? (
        <p className="result" role="status" data-testid="diagnostics-result" data-path={result.path}>
          <span aria-hidden="true">✓ </span>
          {t('diag.export.savedTo', { path: '' })}
          <code className="path">{result.path}</code>
          {' · '}
          {t('diag.export.files', { count: result.files.length })}
          {' · '}
          {t('diag.export.secrets', { count: result.secretsStripped })}
        </p>
      ) : null}
    </section>
  );
}

function Logs(): React.JSX.Element {
  const { t } = useTranslation();
  const info = useStore((s) => s.info);
  const opened = useStore((s) => s.logsOpened);
  const openLogs = useStore((s) => s.openLogs);
  return (
    <section className="card" aria-labelledby="logs-title">
      <h2 id="logs-title">{t('diag.logs.legend')}</h2>
      <p className="muted">{t('diag.logs.help')}</p>
      <p>
        <code className="path" data-testid="logs-dir">
          {info?.logDir ?? ''}
        </code>
      </p>
      <div className="actions">
        <button type="button" className="secondary" data-testid="logs-open" onClick={() => void openLogs()}>
          {t('diag.logs.open')}
        </button>
        <span className="status" role="status" aria-live="polite">
          {opened && info?.host === 'electron' ? t('diag.logs.opened') : ''}
        </span>
      </div>
    </section>
  );
}

export function DiagnosticsPanel(): React.JSX.Element {
  const { t } = useTranslation();
  return (
    <section className="panel" aria-labelledby="diag-title">
      <header className="panel-header">
        <h1 id="diag-title">{t('diag.title')}</h1>
        <p className="muted">{t('diag.intro')}</p>
      </header>
      <Doctor />
      <BrokenRoutes />
      <Export />
      <Logs />
    </section>
  );
}
