import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { WORKING_VERDICTS, type DoctorReport, type DoctorStep, type StepStatus } from '../../../shared/doctor.ts';
import { codeTitle } from '../i18n.ts';
import { log } from '../log.ts';
import { useStore } from '../store.ts';
import { Code } from './Code.tsx';

const STATUS_ICON: Record<StepStatus, string> = { pass: '✓', warn: '!', fail: '✕', skip: '–' };

function StepRow({ step }: { step: DoctorStep }): React.JSX.Element {
  const { t } = useTranslation();
  return (
    <li className={`step step-${step.status}`} data-testid={`doctor-step-${step.id}`} data-status={step.status}>
      <span className="step-icon" aria-hidden="true">{STATUS_ICON[step.status]}</span>
      <span className="step-main">
        <span className="step-name">
          {t(`diag.doctor.steps.${step.id}`, { defaultValue: step.id })}
          <span className="visually-hidden"> — {t(`diag.doctor.status.${step.status}`)}</span>
        </span>
        {step.detail ? <span className="step-detail">{step.detail}</span> : null}
      </span>
      <span className="step-ms muted">{t('diag.doctor.ms', { ms: Math.round(step.ms) })}</span>
    </li>
  );
}

function verdictKind(report: DoctorReport): 'ok' | 'degraded' | 'bad' {
  if (report.verdict === 'ok') return 'ok';
  return WORKING_VERDICTS.includes(report.verdict) ? 'degraded' : 'bad';
}

type CopyState = 'idle' | 'copied' | 'fallback';

function Report({ report }: { report: DoctorReport }): React.JSX.Element {
  const { t } = useTranslation();
  const kind = verdictKind(report);
  const [copy, setCopy] = useState<CopyState>('idle');
  const fallback = useRef<HTMLTextAreaElement>(null);
  const json = JSON.stringify(report, null, 2);

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
      <div className={`verdict verdict-${kind}`} data-testid="doctor-verdict" data-verdict={report.verdict}>
        <span className="verdict-icon" aria-hidden="true">{kind === 'ok' ? '✓' : kind === 'degraded' ? '!' : '✕'}</span>
        <div>
          <div className="verdict-label muted small">{t('diag.doctor.verdict')}</div>
          <div className="verdict-title">
            {codeTitle(report.verdict)} <Code code={report.verdict} />
          </div>
          <div className="verdict-sub">
            {kind === 'ok' ? t('diag.doctor.chatWorks') : kind === 'degraded' ? t('diag.doctor.chatWorksDegraded') : t('diag.doctor.chatBlocked')}
          </div>
        </div>
      </div>
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
      {report.hints.length > 0 ? (
        <div className="hints">
          <h3>{t('diag.doctor.hints')}</h3>
          <ul>
            {report.hints.map((h, i) => (
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
  return (
    <section className="card" aria-labelledby="doctor-title">
      <h2 id="doctor-title">{t('diag.doctor.legend')}</h2>
      <p className="muted">{t('diag.doctor.help')}</p>
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
          ) : doctor.cancelled ? (
            t('diag.doctor.cancelled')
          ) : !doctor.report && doctor.steps.length === 0 ? (
            t('diag.doctor.notRun')
          ) : null}
        </span>
      </div>
      {doctor.steps.length > 0 ? (
        <ol className="steps" data-testid="doctor-steps" aria-live="polite" aria-busy={doctor.running}>
          {doctor.steps.map((st) => (
            <StepRow key={st.id} step={st} />
          ))}
        </ol>
      ) : null}
      {doctor.report && !doctor.running ? <Report report={doctor.report} /> : null}
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
      <Export />
      <Logs />
    </section>
  );
}
