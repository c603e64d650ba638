import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { SettingsPatch, SettingsView } from '../../../shared/ipc.ts';
import { SECRET_PLACEHOLDER } from '../../../shared/constants.ts';
import { DEFAULT_RETRIES, DEFAULT_TIMEOUTS, LANGUAGES, STREAM_MODES, THEMES, type Language, type StreamMode, type Theme } from '../../../shared/constants.ts';
import { ProvidersSection } from './ProvidersSection.tsx';
import { FieldError, fieldAria, type FieldProblem } from './FieldError.tsx';
import type { ErrorInfo } from '../../../shared/errors.ts';
import { codeTitle, errorHint, errorMessage } from '../i18n.ts';
import { useStore } from '../store.ts';

/** The order the proxy modes are offered in (from the least to the most to configure). */
const PROXY_MODE_ORDER = ['none', 'env', 'system', 'manual'] as const;
type ProxyMode = (typeof PROXY_MODE_ORDER)[number];

const TIMEOUTS = [
  { field: 'connectTimeout', key: 'connectMs' },
  { field: 'firstByteTimeout', key: 'firstByteMs' },
  { field: 'idleTimeout', key: 'idleMs' },
  { field: 'totalTimeout', key: 'totalMs' },
] as const;
type TimeoutField = (typeof TIMEOUTS)[number]['field'];
type TimeoutKey = (typeof TIMEOUTS)[number]['key'];
const MAX_TIMEOUT_S = 24 * 3600;

interface Form {
  systemPrompt: string;
  contextMessages: string;
  autoTitle: boolean;
  proxyMode: ProxyMode;
  proxyUrl: string;
  bypass: string;
  /** Kept, reordered or removed here; added only through the system file dialog (main checks the file). */
  caFiles: string[];
  stream: StreamMode;
  retries: string;
  connectTimeout: string;
  firstByteTimeout: string;
  idleTimeout: string;
  totalTimeout: string;
  language: Language;
  theme: Theme;
  logContent: boolean;
}

const seconds = (ms: number | undefined, fallback: number): string => String((ms ?? fallback) / 1000);

function formFrom(view: SettingsView | null): Form {
  const s = view?.settings;
  const t = s?.network?.timeouts;
  return {
    systemPrompt: s?.defaults?.systemPrompt ?? '',
    contextMessages: String(s?.defaults?.contextMessages ?? 0),
    autoTitle: s?.defaults?.autoTitle ?? false,
    proxyMode: s?.network?.proxy?.mode ?? 'env',
    proxyUrl: s?.network?.proxy?.url ?? '',
    bypass: s?.network?.proxy?.bypass ?? '',
    caFiles: [...(s?.network?.caFiles ?? [])],
    stream: s?.network?.stream ?? 'auto',
    retries: String(s?.network?.retries ?? DEFAULT_RETRIES),
    connectTimeout: seconds(t?.connectMs, DEFAULT_TIMEOUTS.connectMs),
    firstByteTimeout: seconds(t?.firstByteMs, DEFAULT_TIMEOUTS.firstByteMs),
    idleTimeout: seconds(t?.idleMs, DEFAULT_TIMEOUTS.idleMs),
    totalTimeout: seconds(t?.totalMs, DEFAULT_TIMEOUTS.totalMs),
    language: s?.ui?.language ?? 'system',
    theme: s?.ui?.theme ?? 'system',
    logContent: s?.logging?.logContent ?? false,
  };
}

type Invalid = { field: 'retries' | 'contextMessages' | TimeoutField; min: number; max: number };
type Built = { ok: true; patch: SettingsPatch } | { ok: false; invalid: Invalid[] };

function number(text: string): number {
  return text.trim() === '' ? Number.NaN : Number(text);
}

/** The whole form as a patch; the API key only when typed ('' when "remove key" was pressed). */
function buildPatch(f: Form): Built {
  // Every field out of range, in the form's order: all are shown at once.
  const invalid: Invalid[] = [];
  const retries = number(f.retries);
  if (!Number.isInteger(retries) || retries < 0 || retries > 10) invalid.push({ field: 'retries', min: 0, max: 10 });
  const timeouts = {} as Record<TimeoutKey, number>;
  for (const { field, key } of TIMEOUTS) {
    const s = number(f[field]);
    if (!Number.isFinite(s) || s < 0 || s > MAX_TIMEOUT_S) invalid.push({ field, min: 0, max: MAX_TIMEOUT_S });
    timeouts[key] = Math.round(s * 1000);
  }
  const contextMessages = number(f.contextMessages);
  if (!Number.isInteger(contextMessages) || contextMessages < 0 || contextMessages > 10_000) invalid.push({ field: 'contextMessages', min: 0, max: 10_000 });
  if (invalid.length) return { ok: false, invalid };
  return {
    ok: true,
    patch: {
      defaults: { systemPrompt: f.systemPrompt, contextMessages, autoTitle: f.autoTitle },
      network: {
        proxy: { mode: f.proxyMode, url: f.proxyUrl.trim(), bypass: f.bypass.trim() },
        caFiles: f.caFiles,
        timeouts,
        retries,
        stream: f.stream,
      },
      ui: { language: f.language, theme: f.theme },
      logging: { logContent: f.logContent },
    },
  };
}

/** Whether `patch` changes anything in `before` (only the keys the patch names count). */
function differs(patch: unknown, before: unknown): boolean {
  if (patch !== null && typeof patch === 'object' && !Array.isArray(patch)) {
    const b = before !== null && typeof before === 'object' ? (before as Record<string, unknown>) : {};
    return Object.entries(patch as Record<string, unknown>).some(([k, v]) => v !== undefined && differs(v, b[k]));
  }
  return JSON.stringify(patch) !== JSON.stringify(before);
}

function changedSections(patch: SettingsPatch, view: SettingsView | null): string[] {
  const before = view?.settings ?? {};
  const rest = { defaults: patch.defaults, network: patch.network, ui: patch.ui, logging: patch.logging };
  return (['defaults', 'network', 'ui', 'logging'] as const).filter((k) => differs(rest[k], (before as Record<string, unknown>)[k]));
}

type Status = { state: 'idle' | 'dirty' | 'saving' | 'saved' } | { state: 'error'; text: string };

/** The element to focus for a refused field (CA files: the Add button under the list). */
const FOCUS_ID: Record<string, string> = { caFiles: 'f-caFiles-add' };
/** Form keys whose change takes back the reason shown at a field. */
const CLEARS: Partial<Record<keyof Form, string[]>> = { proxyMode: ['proxyUrl', 'bypass'], proxyUrl: ['proxyUrl'], bypass: ['bypass'], caFiles: ['caFiles'] };

export function SettingsPanel({ view, revision }: { view: SettingsView | null; revision: number }): React.JSX.Element {
  const { t } = useTranslation();
  const saveSettings = useStore((s) => s.saveSettings);
  const pickCaFile = useStore((s) => s.pickCaFile);
  const [form, setForm] = useState<Form>(() => formFrom(view));
  // A save remounts this panel with the new view (key = revision): it then says "Saved".
  const [status, setStatus] = useState<Status>(() => ({ state: useStore.getState().savedRevision === revision ? 'saved' : 'idle' }));
  /** The fields a save was refused for, and why (each shown next to its field). */
  const [problem, setProblems] = useState<FieldProblem[]>([]);

  const update = <K extends keyof Form>(key: K, value: Form[K]): void => {
    setForm((f) => ({ ...f, [key]: value }));
    setStatus((s) => (s.state === 'saving' ? s : { state: 'dirty' }));
    setProblems((ps) => ps.filter((p) => p.field !== key && !CLEARS[key]?.includes(p.field)));
  };

  /** Marks the fields with their reasons, focuses the first, and says the save did not happen. */
  const refuse = (ps: FieldProblem[], text: string): void => {
    setProblems(ps);
    setStatus({ state: 'error', text });
    const first = ps[0];
    // After the reasons render: the field's description then includes its reason.
    if (first) requestAnimationFrame(() => document.getElementById(FOCUS_ID[first.field] ?? `f-${first.field}`)?.focus());
  };
  /** A refusal from main that names a field: its words at the field. */
  const atField = (error: ErrorInfo & { field: string }): FieldProblem => ({ field: error.field, message: errorMessage(error), ...(error.hint ? { hint: errorHint(error) } : {}), ...(error.corrected ? { corrected: error.corrected } : {}) });

  const onSubmit = async (e: FormEvent<HTMLFormElement>): Promise<void> => {
    e.preventDefault();
    if (status.state === 'saving') return;
    const built = buildPatch(form);
    if (!built.ok) {
      const label = ({ field }: Invalid): string => (field === 'retries' ? t('settings.network.retries') : field === 'contextMessages' ? t('settings.defaults.contextMessages') : `${t('settings.network.timeouts')} · ${t(`settings.network.${field}`)}`);
      const status = built.invalid.length === 1 && built.invalid[0] ? t('settings.status.invalid', { field: label(built.invalid[0]), min: built.invalid[0].min, max: built.invalid[0].max }) : t('settings.status.invalidMany', { count: built.invalid.length, fields: built.invalid.map(label).join(t('settings.status.listJoin')) });
      refuse(built.invalid.map(({ field, min, max }) => ({ field, message: t('settings.fieldRange', { min, max }) })), status);
      return;
    }
    setStatus({ state: 'saving' });
    setProblems([]);
    const changed = changedSections(built.patch, view);
    const ok = await saveSettings(built.patch, changed);
    if (!ok) {
      const error = useStore.getState().saveError;
      // Main names every field a save refused: each reason at its field.
      const fields = error ? [error, ...(error.also ?? [])].filter((e): e is ErrorInfo & { field: string } => !!e.field) : [];
      if (fields.length) {
        refuse(fields.map(atField), t('settings.status.fieldInvalid'));
        return;
      }
      const code = error?.code;
      setStatus({ state: 'error', text: t('settings.status.failed', { title: code ? `${codeTitle(code)} (${code})` : '' }) });
    }
    // On success the panel remounts with the new view (key = viewRevision) and shows "Saved".
  };

  const addCaFile = async (): Promise<void> => {
    const picked = await pickCaFile();
    // A file main refused: why, at the list and its Add button (not in a banner far above).
    if (picked && 'error' in picked) {
      setProblems((ps) => [...ps.filter((p) => p.field !== 'caFiles'), atField({ ...picked.error, field: 'caFiles' })]);
      return;
    }
    if (picked && !form.caFiles.includes(picked.path)) update('caFiles', [...form.caFiles, picked.path]);
  };

  const manual = form.proxyMode === 'manual';
  const statusText =
    status.state === 'error' ? status.text : status.state === 'idle' ? '' : t(`settings.status.${status.state}`);

  return (
    <section className="panel" aria-labelledby="settings-title">
      <header className="panel-header">
        <h1 id="settings-title">{t('settings.title')}</h1>
        <p className="muted">{t('settings.intro')}</p>
      </header>
      <ProvidersSection />
      <form className="settings-form" onSubmit={(e) => void onSubmit(e)} noValidate>
        <fieldset>
          <legend>{t('settings.network.legend')}</legend>
          <div className="field">
            <label htmlFor="f-proxyMode">{t('settings.network.proxyMode')}</label>
            <select id="f-proxyMode" data-testid="settings-proxyMode" aria-describedby="f-proxyMode-help" value={form.proxyMode} onChange={(e) => update('proxyMode', e.target.value as ProxyMode)}>
              {PROXY_MODE_ORDER.map((m) => (
                <option key={m} value={m}>
                  {t(`settings.network.proxyModes.${m}`)}
                </option>
              ))}
            </select>
            <p id="f-proxyMode-help" className="help">{t(`settings.network.proxyModeHelp.${form.proxyMode}`)}</p>
          </div>
          <div className="field">
            <label htmlFor="f-proxyUrl">{t('settings.network.proxyUrl')}</label>
            <input
              id="f-proxyUrl"
              data-testid="settings-proxyUrl"
              type="text"
              inputMode="url"
              spellCheck={false}
              autoComplete="off"
              disabled={!manual}
              placeholder={t('settings.network.proxyUrlPlaceholder')}
              {...fieldAria('f-proxyUrl', 'proxyUrl', problem, 'f-proxyUrl-help')}
              value={form.proxyUrl}
              onChange={(e) => update('proxyUrl', e.target.value)}
            />
            <FieldError inputId="f-proxyUrl" field="proxyUrl" problem={problem} onUse={(v) => update('proxyUrl', v)} />
            <p id="f-proxyUrl-help" className="help">{t('settings.network.proxyUrlHelp', { placeholder: SECRET_PLACEHOLDER })}</p>
            {view?.proxyPasswordUnreadable ? (
              <p className="field-error" role="alert" data-testid="proxy-password-unreadable">{t('settings.network.proxyPasswordUnreadable')}</p>
            ) : null}
            {view?.keychain === 'basic_text' && manual ? (
              <p className="help field-note" data-testid="proxy-password-unprotected">{t('settings.network.proxyPasswordUnprotected')}</p>
            ) : null}
          </div>
          <div className="field">
            <label htmlFor="f-bypass">{t('settings.network.bypass')}</label>
            <input
              id="f-bypass"
              data-testid="settings-bypass"
              type="text"
              spellCheck={false}
              autoComplete="off"
              placeholder="localhost, .corp.example, 10.0.0.0/8"
              {...fieldAria('f-bypass', 'bypass', problem, 'f-bypass-help')}
              value={form.bypass}
              onChange={(e) => update('bypass', e.target.value)}
            />
            <FieldError inputId="f-bypass" field="bypass" problem={problem} />
            <p id="f-bypass-help" className="help">{t('settings.network.bypassHelp')}</p>
          </div>
          <div className="field">
            <span className="subgroup-label" id="f-caFiles-label">{t('settings.network.caFiles')}</span>
            <ul className="ca-files" data-testid="settings-caFiles" aria-labelledby="f-caFiles-label" {...fieldAria('f-caFiles', 'caFiles', problem, 'f-caFiles-help')}>
              {form.caFiles.length === 0 ? <li className="muted small">{t('settings.network.caFilesNone')}</li> : null}
              {form.caFiles.map((f) => (
                <li key={f} data-testid="settings-caFile">
                  <code className="ca-path" title={f}>{f}</code>
                  <button type="button" className="link-button small" aria-label={t('settings.network.caFileRemove', { path: f })} onClick={() => update('caFiles', form.caFiles.filter((x) => x !== f))}>
                    {t('settings.network.remove')}
                  </button>
                </li>
              ))}
            </ul>
            <FieldError inputId="f-caFiles" field="caFiles" problem={problem} />
            <button type="button" id="f-caFiles-add" className="secondary ca-add" data-testid="settings-caFiles-add" {...fieldAria('f-caFiles', 'caFiles', problem)} onClick={() => void addCaFile()}>
              {t('settings.network.caFileAdd')}
            </button>
            <p id="f-caFiles-help" className="help">{t('settings.network.caFilesHelp')}</p>
          </div>
          <div className="field-row">
            <div className="field">
              <label htmlFor="f-stream">{t('settings.network.stream')}</label>
              <select id="f-stream" data-testid="settings-stream" value={form.stream} onChange={(e) => update('stream', e.target.value as StreamMode)}>
                {STREAM_MODES.map((m) => (
                  <option key={m} value={m}>
                    {t(`settings.network.streamModes.${m}`)}
                  </option>
                ))}
              </select>
            </div>
            <div className="field narrow">
              <label htmlFor="f-retries">{t('settings.network.retries')}</label>
              <input
                id="f-retries"
                data-testid="settings-retries"
                type="number"
                min={0}
                max={10}
                step={1}
                {...fieldAria('f-retries', 'retries', problem, 'f-retries-help')}
                value={form.retries}
                onChange={(e) => update('retries', e.target.value)}
              />
              <FieldError inputId="f-retries" field="retries" problem={problem} />
            </div>
          </div>
          <p id="f-retries-help" className="help">{t('settings.network.retriesHelp')}</p>
          <div className="subgroup" role="group" aria-labelledby="f-timeouts-label">
            <div id="f-timeouts-label" className="subgroup-label">{t('settings.network.timeouts')}</div>
            <div className="timeouts">
              {TIMEOUTS.map(({ field }) => (
                <div className="field" key={field}>
                  <label htmlFor={`f-${field}`}>{t(`settings.network.${field}`)}</label>
                  <div className="input-unit">
                    <input
                      id={`f-${field}`}
                      data-testid={`settings-${field}`}
                      type="number"
                      min={0}
                      max={MAX_TIMEOUT_S}
                      step="any"
                      {...fieldAria(`f-${field}`, field, problem, `f-${field}-help`)}
                      value={form[field]}
                      onChange={(e) => update(field, e.target.value)}
                    />
                    <span className="unit" aria-hidden="true">{t('common.seconds')}</span>
                  </div>
                  <FieldError inputId={`f-${field}`} field={field} problem={problem} />
                  <p id={`f-${field}-help`} className="help">{t(`settings.network.${field}Help`)} {t('settings.network.zeroNoLimit')}</p>
                  {number(form[field]) === 0 ? <p className="help warning-text field-note" data-testid={`timeout-zero-${field}`}>{t('settings.network.zeroIs', { what: t(`settings.network.${field}`) })}</p> : null}
                </div>
              ))}
            </div>
          </div>
        </fieldset>

        <fieldset>
          <legend>{t('settings.defaults.legend')}</legend>
          <div className="field">
            <label htmlFor="f-systemPrompt">{t('settings.defaults.systemPrompt')}</label>
            <textarea id="f-systemPrompt" data-testid="settings-systemPrompt" rows={3} maxLength={100000} value={form.systemPrompt} onChange={(e) => update('systemPrompt', e.target.value)} />
          </div>
          <div className="field narrow">
            <label htmlFor="f-contextMessages">{t('settings.defaults.contextMessages')}</label>
            <input id="f-contextMessages" data-testid="settings-contextMessages" type="number" min={0} max={10000} step={1} {...fieldAria('f-contextMessages', 'contextMessages', problem)} value={form.contextMessages} onChange={(e) => update('contextMessages', e.target.value)} />
            <FieldError inputId="f-contextMessages" field="contextMessages" problem={problem} />
          </div>
          <div className="field checkbox">
            <input id="f-autoTitle" data-testid="settings-autoTitle" type="checkbox" checked={form.autoTitle} onChange={(e) => update('autoTitle', e.target.checked)} />
            <label htmlFor="f-autoTitle">{t('settings.defaults.autoTitle')}</label>
          </div>
        </fieldset>

        <fieldset>
          <legend>{t('settings.appSection.legend')}</legend>
          <div className="field">
            <label htmlFor="f-theme">{t('settings.appSection.theme')}</label>
            <select id="f-theme" data-testid="settings-theme" value={form.theme} onChange={(e) => update('theme', e.target.value as Theme)}>
              {THEMES.map((th) => (
                <option key={th} value={th}>
                  {t(`settings.appSection.themes.${th}`)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="f-language">{t('settings.appSection.language')}</label>
            <select id="f-language" data-testid="settings-language" value={form.language} onChange={(e) => update('language', e.target.value as Language)}>
              {LANGUAGES.map((l) => (
                <option key={l} value={l}>
                  {t(`settings.appSection.languages.${l}`)}
                </option>
              ))}
            </select>
          </div>
          <div className="field checkbox">
            <input
              id="f-logContent"
              data-testid="settings-logContent"
              type="checkbox"
              aria-describedby="f-logContent-help"
              checked={form.logContent}
              onChange={(e) => update('logContent', e.target.checked)}
            />
            <label htmlFor="f-logContent">{t('settings.appSection.logContent')}</label>
          </div>
          <p id="f-logContent-help" className="help warning-text">{t('settings.appSection.logContentWarning')}</p>
        </fieldset>

        <div className="form-actions save-bar" data-testid="settings-save-bar">
          <button type="submit" className="primary" data-testid="settings-save" disabled={status.state === 'saving'}>
            {t('settings.save')}
          </button>
          <span className={`status status-${status.state}`} role="status" aria-live="polite" data-testid="settings-status" data-state={status.state}>
            {status.state === 'saved' ? '✓ ' : ''}
            {statusText}
          </span>
        </div>
      </form>
    </section>
  );
}
