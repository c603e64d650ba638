/**
 * One MCP server's editor, field by field (issue 20): a program (stdio: name, command, arguments one a line, working
 * folder, environment variables) or an HTTP server (name, URL, headers), and its route as a provider's is chosen.
 * Each field is checked as it is typed with the schema main checks the save with (shared/mcp.ts
 * checkMcpDraft), and the reason is shown at the field in the window's language. Values of variables and headers
 * may be secrets: main never sends them here, so a saved one is shown as set or not set, and left empty it is kept.
 * Main asks in its own dialog before it saves a new or changed program, arguments, folder or variables, or a URL
 * that would get headers: the form only says to answer there.
 */
import { useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { RouteMode } from '../../../../shared/constants.ts';
import type { ErrorInfo } from '../../../../shared/errors.ts';
import { MAX_URL_CHARS, MAX_PATH_CHARS } from '../../../../shared/bounds.ts';
import { checkMcpDraft, MAX_MCP_ENV_VALUE_CHARS, MAX_MCP_NAME_CHARS, MCP_TRANSPORTS, type McpFieldProblem, type McpServerDraft, type McpServerView, type McpTransport } from '../../../../shared/mcp.ts';
import { call } from '../../api.ts';
import { errorMessage } from '../../i18n.ts';
import { FieldError, fieldAria, type FieldProblem } from '../FieldError.tsx';
import { RouteField } from './RouteField.tsx';

/** A variable or header row: its name, the value typed (empty: keep the saved one), and what was saved. */
interface Entry {
  key: number;
  name: string;
  value: string;
  /** The name it was saved under (absent: a new row). */
  from?: string;
  /** Whether a value was saved for it. */
  set: boolean;
}

export interface McpForm {
  id?: string;
  name: string;
  transport: McpTransport;
  command: string;
  args: string;
  cwd: string;
  url: string;
  env: Entry[];
  headers: Entry[];
  routeMode: RouteMode;
  proxyUrl: string;
}

let nextKey = 1;

export function mcpFormFrom(s?: McpServerView): McpForm {
  if (!s) return { name: '', transport: 'stdio', command: '', args: '', cwd: '', url: '', env: [], headers: [], routeMode: 'global', proxyUrl: '' };
  const rows = (list: { name: string; set: boolean }[]): Entry[] => list.map((e) => ({ key: nextKey++, name: e.name, value: '', from: e.name, set: e.set }));
  return {
    id: s.id, name: s.name, transport: s.transport, command: s.command ?? '', args: s.args.join('\n'), cwd: s.cwd ?? '', url: s.url ?? '',
    env: rows(s.env), headers: rows(s.headers), routeMode: s.route.mode, proxyUrl: s.route.proxyUrl ?? '',
  };
}

/** The draft main gets: a saved row left empty keeps its value (no `value`), a new one sends what was typed. */
export function mcpDraftOf(f: McpForm): McpServerDraft {
  const entries = (rows: Entry[]) => rows.map((e) => ({ name: e.name.trim(), ...(e.value !== '' || e.from === undefined ? { value: e.value } : {}), ...(e.from !== undefined ? { from: e.from } : {}) }));
  const stdio = f.transport === 'stdio';
  return {
    ...(f.id ? { id: f.id } : {}),
    name: f.name,
    transport: f.transport,
    ...(stdio
      ? { command: f.command.trim(), args: f.args.split('\n').map((a) => a.replace(/\r$/, '')).filter((a) => a.trim() !== ''), ...(f.cwd.trim() ? { cwd: f.cwd.trim() } : {}), env: entries(f.env) }
      : { url: f.url.trim(), headers: entries(f.headers) }),
    route: { mode: f.routeMode, ...(f.routeMode === 'proxy' ? { proxyUrl: f.proxyUrl.trim() } : {}) },
  };
}

/** The input of each field the check can name. */
const inputOf = (field: string): string => {
  const m = /^(env|headers)\.(\d+)\.(name|value)$/.exec(field);
  return m ? `mcp-f-${m[1]}-${m[2]}-${m[3]}` : `mcp-f-${field}`;
};

type Status = { state: 'idle' } | { state: 'asking' } | { state: 'cancelled' } | { state: 'invalid' } | { state: 'error'; error: ErrorInfo };

function EntryRows({ kind, rows, onChange, onTouch, problems, shown }: { kind: 'env' | 'headers'; rows: Entry[]; onChange: (rows: Entry[]) => void; onTouch: (field: string) => void; problems: FieldProblem[]; shown: (field: string) => boolean }): React.JSX.Element {
  const { t } = useTranslation();
  const set = (i: number, patch: Partial<Entry>): void => {
    onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
    for (const k of Object.keys(patch)) onTouch(`${kind}.${i}.${k}`);
  };
  return (
    <fieldset className="mcp-entries" data-testid={`mcp-form-${kind}`}>
      <legend>{t(kind === 'env' ? 'mcp.form.env' : 'mcp.form.headers')}</legend>
      <p className="muted small">{t('mcp.form.secretsHelp')}</p>
      <FieldError inputId={`mcp-f-${kind}`} field={kind} problem={shown(kind) ? problems : null} />
      {rows.map((r, i) => {
        const nameField = `${kind}.${i}.name`;
        const valueField = `${kind}.${i}.value`;
        return (
          <div className="field-row mcp-entry" key={r.key} data-testid="mcp-form-entry" data-name={r.name}>
            <div className="field narrow-2">
              <label htmlFor={inputOf(nameField)}>{t('mcp.form.entryName')}</label>
              <input id={inputOf(nameField)} type="text" spellCheck={false} autoComplete="off" maxLength={128} data-testid="mcp-form-entry-name" {...fieldAria(inputOf(nameField), nameField, shown(nameField) ? problems : null)} value={r.name} onChange={(e) => set(i, { name: e.target.value })} />
              <FieldError inputId={inputOf(nameField)} field={nameField} problem={shown(nameField) ? problems : null} />
            </div>
            <div className="field">
              <label htmlFor={inputOf(valueField)}>
                {t('mcp.form.entryValue')}{' '}
                {r.from !== undefined ? <span className="muted small" data-testid="mcp-form-entry-state" data-set={r.set ? 'true' : 'false'}>({r.set ? t('mcp.form.valueSet') : t('mcp.form.valueNotSet')})</span> : null}
              </label>
              <input
                id={inputOf(valueField)}
                type="password"
                spellCheck={false}
                autoComplete="new-password"
                maxLength={MAX_MCP_ENV_VALUE_CHARS}
                data-testid="mcp-form-entry-value"
                placeholder={r.from !== undefined && r.set ? t('mcp.form.valueKeep') : ''}
                {...fieldAria(inputOf(valueField), valueField, shown(valueField) ? problems : null)}
                value={r.value}
                onChange={(e) => set(i, { value: e.target.value })}
              />
              <FieldError inputId={inputOf(valueField)} field={valueField} problem={shown(valueField) ? problems : null} />
            </div>
            <button type="button" className="secondary small-button" aria-label={t('mcp.form.remove', { name: r.name || '…' })} data-testid="mcp-form-entry-remove" onClick={() => onChange(rows.filter((_, j) => j !== i))}>×</button>
          </div>
        );
      })}
      <button type="button" className="secondary" data-testid={`mcp-form-add-${kind}`} onClick={() => onChange([...rows, { key: nextKey++, name: '', value: '', set: false }])}>
        {t(kind === 'env' ? 'mcp.form.addEnv' : 'mcp.form.addHeader')}
      </button>
    </fieldset>
  );
}

export function McpServerEditor({ initial, onSaved, onCancel }: { initial: McpForm; onSaved: (servers: McpServerView[], id: string) => void; onCancel: () => void }): React.JSX.Element {
  const { t } = useTranslation();
  const [f, setF] = useState<McpForm>(initial);
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [status, setStatus] = useState<Status>({ state: 'idle' });
  /** A field main refused (the proxy URL by the core's parser), in the window's language. */
  const [refused, setRefused] = useState<FieldProblem | null>(null);
  const set = <K extends keyof McpForm>(k: K, value: McpForm[K]): void => {
    setF((x) => ({ ...x, [k]: value }));
    setTouched((x) => new Set(x).add(k === 'routeMode' ? 'proxyUrl' : k));
    setRefused((r) => (r && (r.field === k || (k === 'routeMode' && r.field === 'proxyUrl')) ? null : r));
  };
  // The same check main's save runs, on the form as it is.
  const problems = useMemo<FieldProblem[]>(() => {
    const words = (p: McpFieldProblem): string => t(`mcp.problems.${p.problem}`, { max: p.max ?? '' });
    const checked = checkMcpDraft(mcpDraftOf(f)).map((p) => ({ field: p.field, message: words(p) }));
    return refused && !checked.some((p) => p.field === refused.field) ? [...checked, refused] : checked;
  }, [f, refused, t]);
  // A field's reason shows once it was typed in (a new row's empty name waits until it is typed, or the form is saved).
  const shown = (field: string): boolean => submitted || field === refused?.field || touched.has(field) || (!/^(env|headers)\.\d+\./.test(field) && touched.has(field.split('.')[0] ?? field));
  const touch = (field: string): void => setTouched((x) => new Set(x).add(field));
  const at = (field: string) => (shown(field) ? problems : null);
  const stdio = f.transport === 'stdio';

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setSubmitted(true);
    setRefused(null);
    if (problems.some((p) => p !== refused)) {
      setStatus({ state: 'invalid' });
      const first = problems[0];
      if (first) requestAnimationFrame(() => document.getElementById(inputOf(first.field))?.focus());
      return;
    }
    setStatus({ state: 'asking' });
    const r = await call('mcpSave', (api) => api.mcpSave(mcpDraftOf(f)));
    if (r.ok) {
      setStatus({ state: 'idle' });
      onSaved(r.value.servers, r.value.id);
      return;
    }
    if (r.error.code === 'cancelled') return setStatus({ state: 'cancelled' });
    if (r.error.field) {
      setRefused({ field: r.error.field, message: errorMessage(r.error) });
      setStatus({ state: 'invalid' });
      requestAnimationFrame(() => document.getElementById(inputOf(r.error.field as string))?.focus());
      return;
    }
    setStatus({ state: 'error', error: r.error });
  };

  return (
    <form className="card mcp-editor" data-testid="mcp-editor" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="mcp-editor-title">
      <h3 id="mcp-editor-title">{f.id ? t('mcp.form.editLegend', { name: initial.name }) : t('mcp.form.newLegend')}</h3>
      <div className="field-row">
        <div className="field">
          <label htmlFor="mcp-f-name">{t('mcp.form.name')}</label>
          <input id="mcp-f-name" type="text" data-testid="mcp-form-name" maxLength={MAX_MCP_NAME_CHARS + 16} {...fieldAria('mcp-f-name', 'name', at('name'))} value={f.name} onChange={(e) => set('name', e.target.value)} />
          <FieldError inputId="mcp-f-name" field="name" problem={at('name')} />
        </div>
        <div className="field narrow-2">
          <label htmlFor="mcp-f-transport">{t('mcp.form.transport')}</label>
          <select id="mcp-f-transport" data-testid="mcp-form-transport" value={f.transport} onChange={(e) => set('transport', e.target.value as McpTransport)}>
            {MCP_TRANSPORTS.map((k) => <option key={k} value={k}>{t(`mcp.transports.${k}`)}</option>)}
          </select>
        </div>
      </div>
      {stdio ? (
        <>
          <div className="field">
            <label htmlFor="mcp-f-command">{t('mcp.form.command')}</label>
            <input id="mcp-f-command" type="text" spellCheck={false} autoComplete="off" data-testid="mcp-form-command" maxLength={MAX_PATH_CHARS} {...fieldAria('mcp-f-command', 'command', at('command'), 'mcp-f-command-help')} value={f.command} onChange={(e) => set('command', e.target.value)} />
            <p id="mcp-f-command-help" className="help muted small">{t('mcp.form.commandHelp')}</p>
            <FieldError inputId="mcp-f-command" field="command" problem={at('command')} />
          </div>
          <div className="field">
            <label htmlFor="mcp-f-args">{t('mcp.form.args')}</label>
            <textarea id="mcp-f-args" rows={3} spellCheck={false} data-testid="mcp-form-args" {...fieldAria('mcp-f-args', 'args', at('args'), 'mcp-f-args-help')} value={f.args} onChange={(e) => set('args', e.target.value)} />
            <p id="mcp-f-args-help" className="help muted small">{t('mcp.form.argsHelp')}</p>
            <FieldError inputId="mcp-f-args" field="args" problem={at('args')} />
          </div>
          <div className="field">
            <label htmlFor="mcp-f-cwd">{t('mcp.form.cwd')}</label>
            <input id="mcp-f-cwd" type="text" spellCheck={false} autoComplete="off" data-testid="mcp-form-cwd" maxLength={MAX_PATH_CHARS} {...fieldAria('mcp-f-cwd', 'cwd', at('cwd'), 'mcp-f-cwd-help')} value={f.cwd} onChange={(e) => set('cwd', e.target.value)} />
            <p id="mcp-f-cwd-help" className="help muted small">{t('mcp.form.cwdHelp')}</p>
            <FieldError inputId="mcp-f-cwd" field="cwd" problem={at('cwd')} />
          </div>
          <EntryRows kind="env" rows={f.env} onChange={(rows) => set('env', rows)} onTouch={touch} problems={problems} shown={shown} />
        </>
      ) : (
        <>
          <div className="field">
            <label htmlFor="mcp-f-url">{t('mcp.form.url')}</label>
            <input id="mcp-f-url" type="url" inputMode="url" spellCheck={false} autoComplete="off" data-testid="mcp-form-url" maxLength={MAX_URL_CHARS} {...fieldAria('mcp-f-url', 'url', at('url'))} value={f.url} onChange={(e) => set('url', e.target.value)} />
            <FieldError inputId="mcp-f-url" field="url" problem={at('url')} />
          </div>
          <EntryRows kind="headers" rows={f.headers} onChange={(rows) => set('headers', rows)} onTouch={touch} problems={problems} shown={shown} />
        </>
      )}
      {/* The route, the same field as a provider's (Settings → Providers): the network settings, direct, or a proxy of its own. */}
      <RouteField id="mcp-f" testid="mcp-form" mode={f.routeMode} proxyUrl={f.proxyUrl} onMode={(m) => set('routeMode', m)} onProxyUrl={(u) => set('proxyUrl', u)} problem={at('proxyUrl')} />
      <div className="form-actions">
        <button type="submit" className="primary" data-testid="mcp-form-save" disabled={status.state === 'asking'}>{t('mcp.form.save')}</button>
        <button type="button" className="secondary" data-testid="mcp-form-cancel" onClick={onCancel}>{t('mcp.form.cancel')}</button>
        <span className="status" role="status" aria-live="polite" data-testid="mcp-form-status" data-state={status.state}>
          {status.state === 'asking' ? t('mcp.form.asking') : status.state === 'cancelled' ? t('mcp.form.cancelled') : status.state === 'invalid' ? t('mcp.form.fieldInvalid') : ''}
        </span>
      </div>
      {status.state === 'error' ? (
        <p className="status status-error" role="alert" data-testid="mcp-form-error" data-code={status.error.code}>{errorMessage(status.error)}</p>
      ) : null}
    </form>
  );
}
