/**
 * Several providers at once: each with a name, protocol, base URL, key (or `${VAR}`), its models (fetched
 * from the provider or typed in, a chosen subset shown in pickers) and a route. Presets fill protocol and
 * base URL. The key never comes back to the window: only its shape. Where main keeps keys (the OS keychain, or
 * none) is shown; where the OS offers no real protection (Linux 'basic_text'), saving a typed key asks first
 * and offers a `${VAR}` reference instead; a stored key the keychain cannot read any more is asked for again.
 */
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ProviderDraft, ProviderView } from '../../../shared/ipc.ts';
import { PRESETS, PROTOCOLS, ROUTE_MODES, type PresetId, type Protocol, type RouteMode } from '../../../shared/constants.ts';
import { WORKING_VERDICTS } from '../../../shared/doctor.ts';
// The one base-URL check (pure, no I/O): main refuses its errors on save; its warnings are shown here as a note.
import { checkBaseUrl } from '../../../shared/base-url.ts';
// The one rule for where a stored key may go (main applies it on save; the form says it before).
import { keyStaysWith, originOf } from '../../../shared/origin.ts';
import { providerDefaultModel } from '../../../shared/model-choice.ts';
import { call } from '../api.ts';
import { codeTitle, errorHint, errorMessage, joinWords } from '../i18n.ts';
import { useStore } from '../store.ts';
import { FieldError, fieldAria, type FieldProblem } from './FieldError.tsx';

/** Each protocol's usual base URL: its first preset's. */
function protocolDefault(protocol: Protocol): string {
  return PRESETS.find((p) => p.protocol === protocol && p.baseUrl)?.baseUrl ?? '';
}

/** A base URL that is empty or a preset's of another protocol: switching the protocol replaces it with the new one's. */
function isOtherDefault(baseUrl: string, protocol: Protocol): boolean {
  const u = baseUrl.trim().replace(/\/+$/, '');
  return u === '' || PRESETS.some((p) => p.protocol !== protocol && p.baseUrl !== '' && p.baseUrl === u);
}

/** The input to focus for a field main refused. */
const INPUT_ID: Record<string, string> = { baseUrl: 'p-baseUrl', apiKey: 'p-apiKey', proxyUrl: 'p-proxyUrl' };

type TestState = { state: 'running' } | { state: 'done'; works: boolean; verdict: string; text: string };

interface Form {
  id?: string;
  preset: PresetId;
  name: string;
  protocol: Protocol;
  baseUrl: string;
  apiKey: string;
  clearKey: boolean;
  models: string[];
  shown: string[];
  defaultModel: string;
  routeMode: RouteMode;
  proxyUrl: string;
  newModel: string;
}

/** A preset's name in the window's language (names that are brands stay as they are). */
export function usePresetName(): (id: PresetId) => string {
  const { t } = useTranslation();
  return (id) => {
    const name = PRESETS.find((x) => x.id === id)?.name ?? id;
    return t(`providers.presets.${id}`, { defaultValue: name });
  };
}

function formFrom(p: ProviderView | undefined, preset: PresetId = 'custom', nameOf?: (id: PresetId) => string): Form {
  if (p) {
    return {
      id: p.id, preset: p.preset, name: p.name, protocol: p.protocol, baseUrl: p.baseUrl, apiKey: '', clearKey: false, models: p.models,
      shown: p.shownModels, defaultModel: p.defaultModel, routeMode: p.route.mode, proxyUrl: p.route.proxyUrl ?? '', newModel: '',
    };
  }
  const pr = PRESETS.find((x) => x.id === preset) ?? PRESETS[PRESETS.length - 1];
  return {
    preset, name: pr?.id === 'custom' ? '' : pr ? (nameOf?.(pr.id) ?? pr.name) : '', protocol: pr?.protocol ?? 'openai', baseUrl: pr?.baseUrl ?? '', apiKey: pr?.keyVar ? `\${${pr.keyVar}}` : '', clearKey: false,
    models: pr?.model ? [pr.model] : [], shown: [], defaultModel: pr?.model ?? '', routeMode: 'global', proxyUrl: '', newModel: '',
  };
}

function draftOf(f: Form): ProviderDraft {
  const key = f.apiKey.trim();
  return {
    ...(f.id ? { id: f.id } : {}),
    name: f.name.trim() || 'Provider',
    preset: f.preset,
    protocol: f.protocol,
    baseUrl: f.baseUrl.trim(),
    ...(key ? { apiKey: key } : f.clearKey ? { apiKey: '' } : {}),
    models: f.models,
    shownModels: f.shown.filter((m) => f.models.includes(m)),
    defaultModel: f.defaultModel,
    route: { mode: f.routeMode, ...(f.routeMode === 'proxy' && f.proxyUrl.trim() ? { proxyUrl: f.proxyUrl.trim() } : {}) },
  };
}

/** A stored key that is a `${VAR}` reference (its marker is the reference itself). */
const isVarRef = (marker: string | null): marker is string => !!marker && /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(marker);
/** How the form names where a base URL points: its origin, or the text when it is not a URL yet (a `${VAR}`). */
const whereOf = (baseUrl: string): string => originOf(baseUrl.trim()) ?? baseUrl.trim();

function Editor({ initial, onDone }: { initial: Form; onDone(): void }): React.JSX.Element {
  const { t, i18n } = useTranslation();
  const saveProvider = useStore((s) => s.saveProvider);
  const fetchModels = useStore((s) => s.fetchModels);
  const [f, setF] = useState<Form>(initial);
  const presetName = usePresetName();
  // The stored key's shape, once this provider is saved (also after Test saved a new one).
  const marker = useStore((s) => (f.id ? s.view?.providers.find((p) => p.id === f.id)?.apiKeyMarker ?? null : null));
  const stored = useStore((s) => (f.id ? s.view?.providers.find((p) => p.id === f.id) : undefined));
  const keychain = useStore((s) => s.view?.keychain ?? 'none');
  /** main refused to store a typed secret without real protection: the form asks (store anyway, or a ${VAR}). */
  const [askUnprotected, setAskUnprotected] = useState<'apiKey' | 'proxyUrl' | null>(null);
  const [status, setStatus] = useState<string>('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<FieldProblem | null>(null);
  const [showKey, setShowKey] = useState(false);
  const [test, setTest] = useState<TestState | null>(null);
  /** Fields a change of this key takes the reason from. */
  const clears: Partial<Record<keyof Form, string>> = { baseUrl: 'baseUrl', protocol: 'baseUrl', apiKey: 'apiKey', proxyUrl: 'proxyUrl', routeMode: 'proxyUrl' };
  const set = <K extends keyof Form>(k: K, v: Form[K]): void => {
    setF((x) => ({ ...x, [k]: v }));
    if (k === 'apiKey' || k === 'proxyUrl' || k === 'routeMode') setAskUnprotected(null);
    if (k === 'apiKey' || k === 'baseUrl') setAskDrop(false);
    setProblem((p) => (p && clears[k] === p.field ? null : p));
  };
  /**
   * The base URL now points at another origin than the stored key's: the key will not be sent there. A `${VAR}`
   * reference stays (it is sent again with the draft, and main checks it as a typed one); a stored key is dropped,
   * which the form says at once and the save asks to confirm.
   */
  const moved = !!stored && !!marker && !f.clearKey && !f.apiKey.trim() && !keyStaysWith(stored.baseUrl, f.baseUrl);
  const keepsRef = moved && isVarRef(marker);
  const dropsKey = moved && !keepsRef;
  /** The save would drop the stored key: asked first (type the key, or save without one). */
  const [askDrop, setAskDrop] = useState(false);
  /** The draft as main gets it: a `${VAR}` key kept across a move of the base URL goes along. */
  const draft = (withoutKey = false): ProviderDraft => ({ ...draftOf(f), ...(withoutKey ? { apiKey: '' } : keepsRef ? { apiKey: marker } : {}) });
  // A base URL that probably will not work (saved all the same): a note with the URL to use.
  const note = useMemo(() => (f.baseUrl.trim() ? checkBaseUrl(f.baseUrl, f.protocol).find((i) => i.severity === 'warn') : undefined), [f.baseUrl, f.protocol]);

  const onPreset = (preset: PresetId): void => {
    const next = formFrom(undefined, preset, presetName);
    setF((x) => ({ ...next, id: x.id, apiKey: x.id ? x.apiKey : next.apiKey }));
    setProblem(null);
  };
  const onProtocol = (protocol: Protocol): void => {
    setF((x) => ({ ...x, protocol, baseUrl: isOtherDefault(x.baseUrl, protocol) ? protocolDefault(protocol) : x.baseUrl }));
    setProblem((p) => (p?.field === 'baseUrl' ? null : p));
  };
  /** main refused the draft: the reason at its field (focused), or the error's title in the status. */
  const refused = (): void => {
    const error = useStore.getState().saveError;
    if (error?.key === 'keychain_unprotected') {
      setAskUnprotected(error.field === 'proxyUrl' ? 'proxyUrl' : 'apiKey');
      setStatus(t('providers.keychain.askStatus'));
      requestAnimationFrame(() => document.getElementById('p-unprotected-store')?.focus());
      return;
    }
    if (error?.field && INPUT_ID[error.field]) {
      setProblem({ field: error.field, message: errorMessage(error), ...(error.hint ? { hint: errorHint(error) } : {}), ...(error.corrected ? { corrected: error.corrected } : {}) });
      setStatus(t('settings.status.fieldInvalid'));
      const id = INPUT_ID[error.field] as string;
      requestAnimationFrame(() => document.getElementById(id)?.focus());
      return;
    }
    const code = error?.code;
    setStatus(t('settings.status.failed', { title: code ? `${codeTitle(code)} (${code})` : '' }));
  };
  const onFetch = async (): Promise<void> => {
    setBusy(true);
    setStatus(t('providers.fetching'));
    setProblem(null);
    const models = await fetchModels(draft());
    setBusy(false);
    if (!models) {
      refused();
      return;
    }
    setF((x) => ({ ...x, models: [...new Set([...x.models, ...models])], defaultModel: x.defaultModel || models[0] || '' }));
    setStatus(t('providers.fetched', { count: models.length }));
  };
  /** Saves the draft; the provider's id (a new one's as main gave it), or null when refused. */
  const save = async (consent = false, withoutKey = false): Promise<string | null> => {
    setProblem(null);
    setAskUnprotected(null);
    setAskDrop(false);
    if (dropsKey && !withoutKey) {
      // Saving now would leave the provider without its key: not without the user's word.
      setAskDrop(true);
      setStatus(t('providers.keyOrigin.askStatus'));
      requestAnimationFrame(() => document.getElementById('p-apiKey')?.focus());
      return null;
    }
    const before = new Set((useStore.getState().view?.providers ?? []).map((p) => p.id));
    const ok = await saveProvider({ ...draft(withoutKey), ...(consent ? { storeUnprotected: true } : {}) });
    if (!ok) {
      refused();
      return null;
    }
    return f.id ?? (useStore.getState().view?.providers ?? []).find((p) => !before.has(p.id))?.id ?? null;
  };
  const onSubmit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    const id = await save();
    setBusy(false);
    if (id) onDone();
  };
  /** The user agreed to save the moved provider without a key. */
  const onSaveWithoutKey = async (): Promise<void> => {
    setBusy(true);
    const id = await save(false, true);
    setBusy(false);
    if (id) onDone();
  };
  /** The user agreed to store the typed secret without the OS's protection. */
  const onStoreAnyway = async (): Promise<void> => {
    setBusy(true);
    const id = await save(true);
    setBusy(false);
    if (id) onDone();
  };
  /** A `${VAR}` reference instead: the preset's variable, else a name of the user's own to fill in. */
  const onUseVariable = (): void => {
    const preset = PRESETS.find((p) => p.id === f.preset);
    set('apiKey', `\${${preset?.keyVar ?? 'MY_PROVIDER_API_KEY'}}`);
    setShowKey(true);
    setStatus('');
    requestAnimationFrame(() => document.getElementById('p-apiKey')?.focus());
  };
  /**
   * Test: the doctor's checks on the form as it is, without saving it (a failing test leaves nothing behind; Save
   * keeps what works). It needs a model to ask: without one, the form says where to get it.
   */
  const onTest = async (): Promise<void> => {
    setProblem(null);
    setAskDrop(false);
    if (!f.defaultModel.trim() && !f.models.length) {
      setTest({ state: 'done', works: false, verdict: 'no_model', text: t('providers.testNeedsModel') });
      requestAnimationFrame(() => document.querySelector<HTMLElement>('[data-testid="settings-model"]')?.focus());
      return;
    }
    setBusy(true);
    setTest({ state: 'running' });
    const r = await call('doctorRun', (api) => api.doctorRun({ draft: draft() }));
    setBusy(false);
    if (!r.ok) {
      // Refused as a save would be (a field main names): the reason at its field.
      useStore.setState({ saveError: r.error });
      if (r.error.field && INPUT_ID[r.error.field]) {
        setTest(null);
        refused();
        return;
      }
      setTest({ state: 'done', works: false, verdict: r.error.code, text: errorMessage(r.error) });
      return;
    }
    const report = r.value;
    const works = WORKING_VERDICTS.includes(report.verdict);
    const failed = report.steps.find((st) => st.status === 'fail');
    const detail = failed ? (i18n.language !== 'en' && failed.words?.length ? joinWords(failed.words) : failed.detail) : '';
    setTest({ state: 'done', works, verdict: report.verdict, text: works ? t('providers.testWorks') : `${codeTitle(report.verdict)}${detail ? ` — ${detail}` : ''}` });
    setStatus(works ? t('providers.testNotSaved') : '');
  };
  /** No model chosen means every model is shown in the chat's picker: then every box is ticked. */
  const allShown = f.shown.filter((m) => f.models.includes(m)).length === 0;
  /** The models shown after ticking (or unticking) one; all ticked is stored as "all" (none chosen). */
  const shownAfter = (m: string, on: boolean): string[] => {
    const now = allShown ? f.models : f.shown;
    const next = on ? [...new Set([...now, m])] : now.filter((x) => x !== m);
    return f.models.every((x) => next.includes(x)) ? [] : next;
  };
  const addModel = (): void => {
    const m = f.newModel.trim();
    if (!m) return;
    setF((x) => ({ ...x, models: x.models.includes(m) ? x.models : [...x.models, m], defaultModel: x.defaultModel || m, newModel: '' }));
  };

  return (
    <form className="provider-editor card" data-testid="provider-editor" onSubmit={(e) => void onSubmit(e)} noValidate>
      <div className="field-row">
        <div className="field">
          <label htmlFor="p-preset">{t('providers.preset')}</label>
          <select id="p-preset" data-testid="provider-preset" value={f.preset} onChange={(e) => onPreset(e.target.value as PresetId)}>
            {PRESETS.map((p) => (
              <option key={p.id} value={p.id}>{presetName(p.id)}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="p-name">{t('providers.name')}</label>
          <input id="p-name" type="text" data-testid="provider-name" maxLength={100} value={f.name} onChange={(e) => set('name', e.target.value)} />
        </div>
      </div>
      <div className="field-row">
        <div className="field narrow-2">
          <label htmlFor="p-protocol">{t('settings.provider.protocol')}</label>
          <select id="p-protocol" data-testid="settings-protocol" value={f.protocol} onChange={(e) => onProtocol(e.target.value as Protocol)}>
            {PROTOCOLS.map((p) => (
              <option key={p} value={p}>{t(`settings.provider.protocols.${p}`)}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="p-baseUrl">{t('settings.provider.baseUrl')}</label>
          <input
            id="p-baseUrl"
            data-testid="settings-baseUrl"
            type="url"
            inputMode="url"
            spellCheck={false}
            autoComplete="off"
            maxLength={2048}
            {...fieldAria('p-baseUrl', 'baseUrl', problem, note && problem?.field !== 'baseUrl' ? 'p-baseUrl-note' : undefined)}
            value={f.baseUrl}
            onChange={(e) => set('baseUrl', e.target.value)}
          />
          <FieldError inputId="p-baseUrl" field="baseUrl" problem={problem} onUse={(v) => set('baseUrl', v)} />
          {note && problem?.field !== 'baseUrl' ? (
            <p id="p-baseUrl-note" className="help warning-text field-note" data-testid="field-note-baseUrl">
              {t(`settings.provider.baseUrlNotes.${note.problem === 'v1_doubled' ? 'v1_doubled' : 'v1_missing'}`, { ...note.params })}{' '}
              {note.corrected ? (
                <button type="button" className="link-button field-fix" data-testid="field-note-fix-baseUrl" onClick={() => set('baseUrl', note.corrected as string)}>
                  {t('settings.useCorrected', { value: note.corrected })}
                </button>
              ) : null}
            </p>
          ) : null}
        </div>
      </div>
      <div className="field">
        <label htmlFor="p-apiKey">{t('settings.provider.apiKey')}</label>
        <div className="input-row">
          <input
            id="p-apiKey"
            data-testid="settings-apiKey"
            type={showKey ? 'text' : 'password'}
            spellCheck={false}
            autoComplete="new-password"
            maxLength={4096}
            placeholder={marker && !f.clearKey && !dropsKey ? t('settings.provider.apiKeyPlaceholderReplace') : t('settings.provider.apiKeyPlaceholderNone')}
            {...fieldAria('p-apiKey', 'apiKey', problem, 'p-apiKey-help')}
            value={f.apiKey}
            onChange={(e) => set('apiKey', e.target.value)}
          />
          <button type="button" className="secondary" data-testid="settings-apiKey-toggle" aria-controls="p-apiKey" aria-pressed={showKey} onClick={() => setShowKey((v) => !v)}>
            {showKey ? t('settings.provider.apiKeyHide') : t('settings.provider.apiKeyShow')}
          </button>
          {marker ? (
            <button type="button" className="secondary" data-testid="settings-apiKey-clear" aria-pressed={f.clearKey} onClick={() => setF((x) => ({ ...x, clearKey: !x.clearKey, apiKey: '' }))}>
              {f.clearKey ? t('settings.provider.apiKeyUndoClear') : t('settings.provider.apiKeyClear')}
            </button>
          ) : null}
        </div>
        <FieldError inputId="p-apiKey" field="apiKey" problem={problem} />
        {moved && stored ? (
          <p id="p-apiKey-origin" className={keepsRef ? 'help field-note' : 'help warning-text field-note'} role={keepsRef ? undefined : 'alert'} data-testid="provider-key-origin" data-keeps={keepsRef ? 'ref' : 'none'}>
            {keepsRef
              ? t('providers.keyOrigin.refStays', { ref: marker, to: whereOf(f.baseUrl) })
              : t('providers.keyOrigin.dropped', { from: whereOf(stored.baseUrl), to: whereOf(f.baseUrl) || '—' })}
          </p>
        ) : null}
        {askDrop ? (
          <div className="card warning" role="alertdialog" aria-labelledby="p-drop-text" data-testid="provider-key-origin-confirm">
            <p id="p-drop-text">{t('providers.keyOrigin.ask')}</p>
            <div className="input-row">
              <button type="button" className="secondary" data-testid="provider-key-origin-type" onClick={() => { setAskDrop(false); document.getElementById('p-apiKey')?.focus(); }}>{t('providers.keyOrigin.typeKey')}</button>
              <button type="button" className="secondary danger" data-testid="provider-key-origin-drop" disabled={busy} onClick={() => void onSaveWithoutKey()}>{t('providers.keyOrigin.saveWithout')}</button>
            </div>
          </div>
        ) : null}
        {stored?.keyUnreadable && !f.apiKey.trim() && !f.clearKey ? (
          <p className="help warning-text" role="alert" data-testid="provider-key-unreadable">{t('providers.keychain.unreadable')}</p>
        ) : null}
        <p id="p-apiKey-help" className="help" data-testid="settings-apiKey-marker">
          {f.clearKey ? <span className="warning-text">{t('settings.provider.apiKeyClearConfirmed')}</span> : dropsKey ? null : marker ? t('settings.provider.apiKeyStoredKeep', { marker }) : t('settings.provider.apiKeyNone')}{' '}
          {stored?.apiKeyInKeychain && !f.clearKey ? `${t('providers.keychain.inKeychain')} ` : ''}
          {t('settings.provider.apiKeyHelp')}
        </p>
        {keychain === 'basic_text' ? (
          <p className="help warning-text" data-testid="provider-keychain-basic">{t('providers.keychain.basicText')}</p>
        ) : null}
        {askUnprotected ? (
          <div className="card warning" role="alertdialog" aria-labelledby="p-unprotected-text" data-testid="provider-unprotected-confirm">
            <p id="p-unprotected-text">{t(askUnprotected === 'proxyUrl' ? 'providers.keychain.askProxy' : 'providers.keychain.askKey')}</p>
            <div className="input-row">
              <button type="button" id="p-unprotected-store" className="secondary danger" data-testid="provider-unprotected-store" disabled={busy} onClick={() => void onStoreAnyway()}>
                {t('providers.keychain.storeAnyway')}
              </button>
              {askUnprotected === 'apiKey' ? (
                <button type="button" className="secondary" data-testid="provider-unprotected-variable" onClick={onUseVariable}>{t('providers.keychain.useVariable')}</button>
              ) : null}
              <button type="button" className="secondary" onClick={() => setAskUnprotected(null)}>{t('chat.cancelEdit')}</button>
            </div>
          </div>
        ) : null}
      </div>
      <div className="field-row">
        <div className="field narrow-2">
          <label htmlFor="p-route">{t('providers.route')}</label>
          <select id="p-route" data-testid="provider-route" value={f.routeMode} onChange={(e) => set('routeMode', e.target.value as RouteMode)}>
            {ROUTE_MODES.map((m) => (
              <option key={m} value={m}>{t(`providers.routes.${m}`)}</option>
            ))}
          </select>
        </div>
        {f.routeMode === 'proxy' ? (
          <div className="field">
            <label htmlFor="p-proxyUrl">{t('providers.routeProxyUrl')}</label>
            <input id="p-proxyUrl" type="text" data-testid="provider-proxyUrl" spellCheck={false} autoComplete="off" maxLength={2048} placeholder={t('settings.network.proxyUrlPlaceholder')} {...fieldAria('p-proxyUrl', 'proxyUrl', problem)} value={f.proxyUrl} onChange={(e) => set('proxyUrl', e.target.value)} />
            <FieldError inputId="p-proxyUrl" field="proxyUrl" problem={problem} />
          </div>
        ) : null}
      </div>
      <fieldset className="models">
        <legend>{t('providers.models')}</legend>
        <div className="input-row">
          <button type="button" className="secondary" data-testid="provider-fetch-models" disabled={busy || !f.baseUrl.trim()} onClick={() => void onFetch()}>
            {t('providers.fetchModels')}
          </button>
          <input type="text" aria-label={t('providers.addModel')} data-testid="settings-model" placeholder={t('providers.addModel')} maxLength={200} value={f.newModel} onChange={(e) => set('newModel', e.target.value)} onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); addModel(); } }} />
          <button type="button" className="secondary" data-testid="provider-model-add" onClick={addModel}>{t('providers.addModelButton')}</button>
        </div>
        {f.models.length ? (
          <>
            <div className="field">
              <label htmlFor="p-default">{t('providers.defaultModel')}</label>
              <select id="p-default" data-testid="provider-defaultModel" value={f.defaultModel} onChange={(e) => set('defaultModel', e.target.value)}>
                {f.models.map((m) => (
                  <option key={m} value={m}>{m}</option>
                ))}
              </select>
            </div>
            <div className="model-list" role="group" aria-label={t('providers.shown')}>
              <div className="muted small">{t('providers.shown')}</div>
              {f.models.slice(0, 500).map((m) => (
                <label key={m} className="model-check">
                  <input type="checkbox" data-testid="provider-model-shown" value={m} checked={allShown || f.shown.includes(m)} onChange={(e) => set('shown', shownAfter(m, e.target.checked))} /> {m}
                </label>
              ))}
            </div>
          </>
        ) : null}
      </fieldset>
      <div className="form-actions">
        <button type="submit" className="primary" data-testid="provider-save" disabled={busy}>{t('providers.save')}</button>
        <button type="button" className="secondary" data-testid="provider-editor-test" disabled={busy} onClick={() => void onTest()}>{t('providers.testDraft')}</button>
        <button type="button" className="secondary" onClick={onDone}>{t('chat.cancelEdit')}</button>
        {test ? (
          <span className={test.state === 'running' ? 'status' : test.works ? 'status status-saved' : 'status status-error'} role="status" aria-live="polite" data-testid="provider-test-verdict" {...(test.state === 'done' ? { 'data-verdict': test.verdict } : {})}>
            {test.state === 'running' ? t('providers.testRunning') : test.works ? `✓ ${test.text}` : `✗ ${test.text}`}
          </span>
        ) : null}
        <span className="status" role="status" aria-live="polite" data-testid="provider-status">{status}</span>
      </div>
    </form>
  );
}

export function ProvidersSection(): React.JSX.Element {
  const { t } = useTranslation();
  const view = useStore((s) => s.view);
  const saveSettings = useStore((s) => s.saveSettings);
  const deleteProvider = useStore((s) => s.deleteProvider);
  const runDoctorFor = useStore((s) => s.runDoctorFor);
  const [editing, setEditing] = useState<string | 'new' | null>(null);
  const [preset, setPreset] = useState<PresetId>('openai');
  const presetName = usePresetName();
  // A preset chosen on the first screen: its new provider's form, open and in view.
  const asked = useStore((s) => s.newProviderPreset);
  const addProvider = useStore((s) => s.addProvider);
  useEffect(() => {
    if (!asked) return;
    setPreset(asked);
    setEditing('new');
    addProvider(null);
    requestAnimationFrame(() => {
      document.querySelector('[data-testid="provider-editor"]')?.scrollIntoView?.({ block: 'start' });
      document.getElementById('p-apiKey')?.focus();
    });
  }, [asked, addProvider]);
  const providers = view?.providers ?? [];
  const defaultId = view?.settings.defaults.providerId ?? null;

  return (
    <section className="providers" aria-labelledby="providers-title" data-testid="providers">
      <h2 id="providers-title">{t('providers.legend')}</h2>
      <p className="muted small">{t('providers.intro')}</p>
      <ul className="provider-list">
        {providers.map((p) => (
          <li key={p.id} className="provider-item" data-testid="provider-item" data-id={p.id}>
            {editing === p.id ? (
              <Editor initial={formFrom(p)} onDone={() => setEditing(null)} />
            ) : (
              <div className="card provider-card">
                <div>
                  <strong>{p.name}</strong> {p.id === defaultId ? <span className="badge">{t('providers.default')}</span> : null}
                  <div className="muted small"><code className="code">{p.baseUrl}</code> · {t(`settings.provider.protocols.${p.protocol}`)} · {t(`providers.routes.${p.route.mode}`)}</div>
                  <div className="muted small" data-testid="provider-key">{p.apiKeyMarker ? <code className="code">{p.apiKeyMarker}</code> : t('settings.provider.apiKeyNone')}{p.apiKeyInKeychain ? ` (${t('providers.keychain.short')})` : ''} · {providerDefaultModel(p) || '—'}</div>
                  {p.keyUnreadable ? <div className="small warning-text" role="alert" data-testid="provider-key-unreadable">{t('providers.keychain.unreadable')}</div> : null}
                </div>
                <div className="actions">
                  <button type="button" className="secondary" data-testid="provider-edit" onClick={() => setEditing(p.id)}>{t('providers.edit')}</button>
                  {p.id !== defaultId ? (
                    <button type="button" className="secondary" onClick={() => void saveSettings({ defaults: { providerId: p.id, model: providerDefaultModel(p) } }, ['defaults'])}>{t('providers.makeDefault')}</button>
                  ) : null}
                  <button type="button" className="secondary" data-testid="provider-test" onClick={() => void runDoctorFor(p.id)}>{t('providers.test')}</button>
                  <button type="button" className="secondary danger" onClick={() => window.confirm(t('providers.removeConfirm', { name: p.name })) && void deleteProvider(p.id)}>{t('providers.remove')}</button>
                </div>
              </div>
            )}
          </li>
        ))}
      </ul>
      {editing === 'new' ? (
        <Editor initial={formFrom(undefined, preset, presetName)} onDone={() => setEditing(null)} />
      ) : (
        <div className="input-row add-provider">
          <label className="visually-hidden" htmlFor="p-add-preset">{t('providers.preset')}</label>
          <select id="p-add-preset" data-testid="provider-add-preset" value={preset} onChange={(e) => setPreset(e.target.value as PresetId)}>
            {PRESETS.map((p) => (
              <option key={p.id} value={p.id}>{presetName(p.id)}</option>
            ))}
          </select>
          <button type="button" className="primary" data-testid="provider-add" onClick={() => setEditing('new')}>{t('providers.add')}</button>
        </div>
      )}
    </section>
  );
}
