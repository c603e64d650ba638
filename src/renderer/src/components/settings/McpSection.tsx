/**
 * Settings → MCP servers (issue 20): the configured servers as main shows them (what each runs or reaches, the
 * names of its variables and headers, never their values; its state and tools; the tools always allowed, with
 * "Forget approvals"), on/off, delete, the import of pasted `mcpServers` JSON (main asks the user in its own dialog
 * before anything is saved) and a check per server (the MCP doctor's steps, verdict and fix, worded in the
 * window's language, and the server's stderr folded). Saved on its own, like a provider. A server is added or
 * edited field by field (McpServerEditor); its start error and the import's problems are worded here from their
 * codes and facts.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { StepStatus } from '../../../../shared/doctor.ts';
import type { ErrorInfo } from '../../../../shared/errors.ts';
import { MAX_MCP_IMPORT_CHARS, type McpDoctorReport, type McpDoctorStep, type McpImportProblem, type McpImportResult, type McpServerView } from '../../../../shared/mcp.ts';
import { call } from '../../api.ts';
import { codeTitle, errorMessage, joinWords, word } from '../../i18n.ts';
import { Code } from '../Code.tsx';
import { useStore } from '../../store.ts';
import { McpServerEditor, mcpFormFrom } from './McpServerEditor.tsx';
import { ErrorNote } from './ErrorNote.tsx';

/** An entry the import left out, in the window's language: its name, its field, and what is wrong. */
function ImportProblem({ p }: { p: McpImportProblem }): React.JSX.Element {
  const { t } = useTranslation();
  const what = t(`mcp.problems.${p.problem}`, { max: p.max ?? '' });
  const text = p.server === undefined ? what : p.field ? t('mcp.import.problemField', { server: p.server, field: p.field, what }) : t('mcp.import.problem', { server: p.server, what });
  return <li data-testid="mcp-import-problem" data-problem={p.problem}>{text}</li>;
}

const STATUS_ICON: Record<StepStatus, string> = { pass: '✓', warn: '!', fail: '✕', skip: '–' };


function StepRow({ step }: { step: McpDoctorStep }): React.JSX.Element {
  const { t, i18n } = useTranslation();
  // Main sends each sentence as a key and values; the window words it in its language (English: main's text).
  const detail = i18n.language !== 'en' && step.words.length ? joinWords(step.words) : step.detail;
  return (
    <li className={`step step-${step.status}`} data-testid={`mcp-step-${step.id}`} data-status={step.status}>
      <span className="step-icon" aria-hidden="true">{STATUS_ICON[step.status]}</span>
      <span className="step-main">
        <span className="step-name">
          {t(`mcp.doctor.steps.${step.id}`)}
          <span className="visually-hidden"> — {t(`diag.doctor.status.${step.status}`)}</span>
        </span>
        {detail ? <span className="step-detail" data-testid="mcp-step-detail">{detail}</span> : null}
      </span>
      <span className="step-ms muted">{t('diag.doctor.ms', { ms: Math.round(step.ms) })}</span>
    </li>
  );
}

function DoctorReportView({ report }: { report: McpDoctorReport }): React.JSX.Element {
  const { t } = useTranslation();
  const ok = report.verdict === 'ok';
  const title = report.verdict === 'download_blocked' ? t('mcp.doctor.downloadBlocked') : codeTitle(report.verdict);
  const hints = report.hintWords.length ? report.hintWords.map(word) : report.hints;
  return (
    <div className="mcp-doctor" data-testid="mcp-doctor" data-verdict={report.verdict}>
      <div className={`verdict verdict-${ok ? 'ok' : 'bad'}`} data-testid="mcp-verdict">
        <span className="verdict-icon" aria-hidden="true">{ok ? '✓' : '✕'}</span>
        <div>
          <div className="verdict-label muted small">{t('mcp.doctor.title', { name: report.server.name })}</div>
          <div className="verdict-title">{ok ? t('mcp.doctor.ok') : <>{title} <Code code={report.verdict} /></>}</div>
          {ok ? null : <div className="verdict-sub">{t('mcp.doctor.bad')}</div>}
        </div>
      </div>
      <ol className="steps" data-testid="mcp-steps">
        {report.steps.map((s) => <StepRow key={s.id} step={s} />)}
      </ol>
      {hints.length ? (
        <div className="mcp-hints" data-testid="mcp-hints">
          <h4>{t('mcp.doctor.hints')}</h4>
          <ul>{hints.map((h, i) => <li key={i} data-testid="mcp-hint">{h}</li>)}</ul>
        </div>
      ) : null}
      {report.stderr ? (
        <details className="mcp-stderr" data-testid="mcp-stderr">
          <summary>{t('mcp.doctor.stderr')}</summary>
          <pre className="tool-card-pre" tabIndex={0}>{report.stderr}</pre>
        </details>
      ) : null}
    </div>
  );
}

function ServerRow({ s, onChange }: { s: McpServerView; onChange: (servers: McpServerView[]) => void }): React.JSX.Element {
  const { t } = useTranslation();
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [checking, setChecking] = useState(false);
  const [report, setReport] = useState<McpDoctorReport | null>(null);

  const act = async (fn: () => Promise<{ ok: true; value: McpServerView[] } | { ok: false; error: ErrorInfo }>): Promise<void> => {
    setBusy(true);
    setError(null);
    const r = await fn();
    setBusy(false);
    if (r.ok) onChange(r.value);
    else setError(r.error);
  };
  // The box shows the click at once; main's answer (or its refusal) then decides.
  const [want, setWant] = useState<boolean | null>(null);
  const toggle = (enabled: boolean): void => {
    setWant(enabled);
    void act(() => call('mcpSetEnabled', (api) => api.mcpSetEnabled(s.id, enabled))).finally(() => setWant(null));
  };
  const check = async (): Promise<void> => {
    setChecking(true);
    setError(null);
    setReport(null);
    const r = await call('mcpDoctor', (api) => api.mcpDoctor(s.id));
    setChecking(false);
    if (r.ok) setReport(r.value);
    else setError(r.error);
  };
  const runs = s.transport === 'stdio' ? [s.command ?? '', ...s.args].join(' ') : s.url ?? '';
  if (editing) {
    return (
      <li className="mcp-server" data-testid="mcp-server" data-id={s.id} data-name={s.name} data-state={s.state} data-enabled={s.enabled ? 'true' : 'false'} data-editing="true">
        <McpServerEditor initial={mcpFormFrom(s)} onCancel={() => setEditing(false)} onSaved={(servers) => { setEditing(false); onChange(servers); }} />
      </li>
    );
  }
  const route = s.route.mode === 'proxy' ? t('mcp.routes.proxy', { proxy: s.route.proxyUrl ?? '' }) : t(`mcp.routes.${s.route.mode}`);
  return (
    <li className="card mcp-server" data-testid="mcp-server" data-id={s.id} data-name={s.name} data-state={s.state} data-enabled={s.enabled ? 'true' : 'false'}>
      <div className="mcp-server-head">
        <strong className="mcp-server-name" data-testid="mcp-server-name">{s.name}</strong>
        <span className="muted small">{t(`mcp.transports.${s.transport}`)}</span>
        <span className={`mcp-state mcp-state-${s.state}`} data-testid="mcp-server-state">{t(`mcp.states.${s.state}`)}</span>
        {s.state === 'running' ? <span className="muted small" data-testid="mcp-server-tools">{t('mcp.tools', { count: s.tools })}</span> : null}
        <label className="mcp-toggle">
          <input type="checkbox" checked={want ?? s.enabled} disabled={busy} aria-label={t('mcp.enable', { name: s.name })} data-testid="mcp-server-enabled" onChange={(e) => toggle(e.target.checked)} />
          {t('mcp.enabled')}
        </label>
      </div>
      <dl className="mcp-facts">
        <dt>{s.transport === 'stdio' ? t('mcp.command') : t('mcp.url')}</dt>
        <dd><code className="code" data-testid="mcp-server-runs">{runs}</code></dd>
        {s.envNames.length ? (
          <>
            <dt>{t('mcp.variables')}</dt>
            <dd data-testid="mcp-server-env" title={t('mcp.namesOnly')}>{s.envNames.map((n) => <code key={n} className="code">{n}</code>)}</dd>
          </>
        ) : null}
        {s.headerNames.length ? (
          <>
            <dt>{t('mcp.headers')}</dt>
            <dd data-testid="mcp-server-headers" title={t('mcp.namesOnly')}>{s.headerNames.map((n) => <code key={n} className="code">{n}</code>)}</dd>
          </>
        ) : null}
        {s.transport !== 'stdio' || s.route.mode !== 'global' ? (
          <>
            <dt>{t('mcp.route')}</dt>
            <dd>{route}</dd>
          </>
        ) : null}
        <dt>{t('mcp.allowed')}</dt>
        <dd data-testid="mcp-server-allowed">
          {s.allowed.length ? (
            <>
              {s.allowed.includes('*') ? t('mcp.allowedAll') : s.allowed.map((n) => <code key={n} className="code">{n}</code>)}{' '}
              <button type="button" className="secondary small-button" disabled={busy} data-testid="mcp-server-revoke" onClick={() => void act(() => call('mcpRevoke', (api) => api.mcpRevoke(s.id)))}>{t('mcp.forget')}</button>
            </>
          ) : <span className="muted">{t('mcp.allowedNone')}</span>}
        </dd>
      </dl>
      {s.envNames.length || s.headerNames.length ? <p className="muted small">{t('mcp.namesOnly')}</p> : null}
      {s.state === 'failed' && s.error ? <p className="muted small" data-testid="mcp-server-error" data-code={s.error.code}>{t('mcp.failedWhy')} {errorMessage(s.error)}</p> : null}
      <div className="actions">
        <button type="button" className="secondary" data-testid="mcp-server-edit" onClick={() => setEditing(true)}>{t('mcp.edit')}</button>
        <button type="button" className="secondary" disabled={checking} data-testid="mcp-server-check" onClick={() => void check()}>
          {checking ? <><span className="spinner" aria-hidden="true" /> {t('mcp.checking')}</> : t('mcp.check')}
        </button>
        {confirmDelete ? (
          <>
            <span>{t('mcp.deleteConfirm', { name: s.name })}</span>
            <button type="button" className="danger" disabled={busy} data-testid="mcp-server-delete-yes" onClick={() => void act(() => call('mcpDelete', (api) => api.mcpDelete(s.id)))}>{t('mcp.deleteYes')}</button>
            <button type="button" className="secondary" onClick={() => setConfirmDelete(false)}>{t('mcp.cancel')}</button>
          </>
        ) : (
          <button type="button" className="secondary" disabled={busy} data-testid="mcp-server-delete" onClick={() => setConfirmDelete(true)}>{t('mcp.delete')}</button>
        )}
      </div>
      {error ? <ErrorNote error={error} testId="mcp-error" /> : null}
      {report ? <DoctorReportView report={report} /> : null}
    </li>
  );
}

type ImportStatus = { state: 'idle' } | { state: 'asking' } | { state: 'done'; result: McpImportResult } | { state: 'cancelled' } | { state: 'error'; error: ErrorInfo } | { state: 'empty' };

function ImportForm({ onAdded }: { onAdded: () => void }): React.JSX.Element {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [status, setStatus] = useState<ImportStatus>({ state: 'idle' });
  const submit = async (): Promise<void> => {
    if (!text.trim()) return setStatus({ state: 'empty' });
    setStatus({ state: 'asking' });
    const r = await call('mcpImport', (api) => api.mcpImport(text));
    if (!r.ok) return setStatus(r.error.code === 'cancelled' ? { state: 'cancelled' } : { state: 'error', error: r.error });
    setStatus({ state: 'done', result: r.value });
    if (r.value.added.length) {
      setText('');
      onAdded();
    }
  };
  return (
    <div className="mcp-import" data-testid="mcp-import">
      <h3>{t('mcp.import.legend')}</h3>
      <p className="muted small">{t('mcp.import.help')}</p>
      <label className="visually-hidden" htmlFor="mcp-import-json">{t('mcp.import.label')}</label>
      <textarea id="mcp-import-json" className="mcp-import-json" rows={6} spellCheck={false} maxLength={MAX_MCP_IMPORT_CHARS} value={text} data-testid="mcp-import-json" placeholder='{ "mcpServers": { "name": { "command": "npx", "args": ["-y", "…"] } } }' onChange={(e) => setText(e.target.value)} />
      <div className="actions">
        <button type="button" className="primary" disabled={status.state === 'asking'} data-testid="mcp-import-submit" onClick={() => void submit()}>{t('mcp.import.submit')}</button>
      </div>
      <div role="status" aria-live="polite" data-testid="mcp-import-status" data-state={status.state}>
        {status.state === 'asking' ? <p className="muted">{t('mcp.import.asking')}</p> : null}
        {status.state === 'empty' ? <p>{t('mcp.import.empty')}</p> : null}
        {status.state === 'cancelled' ? <p>{t('mcp.import.cancelled')}</p> : null}
        {status.state === 'done' ? (
          <>
            <p data-testid="mcp-import-added">{status.result.added.length ? t('mcp.import.added', { count: status.result.added.length, names: status.result.added.map((s) => s.name).join(t('settings.status.listJoin')) }) : t('mcp.import.noneAdded')}</p>
            {status.result.problems.length ? (
              <>
                <p>{t('mcp.import.problems')}</p>
                <ul data-testid="mcp-import-problems">{status.result.problems.map((p, i) => <ImportProblem key={i} p={p} />)}</ul>
              </>
            ) : null}
          </>
        ) : null}
      </div>
      {status.state === 'error' ? <ErrorNote error={status.error} testId="mcp-error" /> : null}
    </div>
  );
}

export function McpSection(): React.JSX.Element {
  const { t } = useTranslation();
  const [servers, setServers] = useState<McpServerView[] | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [adding, setAdding] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const load = async (): Promise<void> => {
    const r = await call('mcpList', (api) => api.mcpList());
    if (r.ok) setServers(r.value);
    else setError(r.error);
  };
  // The panel stays mounted once shown: each time Settings is shown again, the servers' states are read anew (a chat
  // may have started one, or failed to).
  const section = useStore((st) => st.section);
  useEffect(() => {
    if (section === 'settings') void load();
  }, [section]);
  return (
    <section className="mcp" aria-labelledby="mcp-title" data-testid="mcp">
      <h2 id="mcp-title">{t('mcp.legend')}</h2>
      <p className="muted small">{t('mcp.intro')}</p>
      {error ? <ErrorNote error={error} testId="mcp-error" /> : null}
      {servers === null ? <p className="muted">{t('mcp.loading')}</p> : servers.length === 0 ? <p className="muted" data-testid="mcp-none">{t('mcp.none')}</p> : (
        <ul className="mcp-servers" data-testid="mcp-servers">
          {servers.map((s) => <ServerRow key={s.id} s={s} onChange={setServers} />)}
        </ul>
      )}
      {adding ? (
        <McpServerEditor
          initial={mcpFormFrom()}
          onCancel={() => setAdding(false)}
          onSaved={(list, id) => {
            setAdding(false);
            setServers(list);
            setSaved(list.find((x) => x.id === id)?.name ?? null);
          }}
        />
      ) : (
        <div className="actions">
          <button type="button" className="secondary" data-testid="mcp-add" onClick={() => { setSaved(null); setAdding(true); }}>{t('mcp.add')}</button>
          <span className="status status-saved" role="status" aria-live="polite" data-testid="mcp-saved">{saved ? t('mcp.form.saved', { name: saved }) : ''}</span>
        </div>
      )}
      <ImportForm onAdded={() => void load()} />
    </section>
  );
}
