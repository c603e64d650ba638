/**
 * One provider's editor: preset, name, protocol, base URL (with the one base-URL check's note), key, route and
 * models; Save, and Test without saving (the doctor's checks on the form as it is). Where the OS offers no real
 * protection, saving a typed key asks first and offers a `${VAR}` reference instead (KeyField).
 */
import { useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ProviderDraft } from '../../../../shared/ipc.ts';
import { PRESETS, PROTOCOLS, type PresetId, type Protocol } from '../../../../shared/constants.ts';
import { WORKING_VERDICTS } from '../../../../shared/doctor.ts';
// The one base-URL check (pure, no I/O): main refuses its errors on save; its warnings are shown here as a note.
import { checkBaseUrl } from '../../../../shared/base-url.ts';
// The one rule for where a stored key may go (main applies it on save; the form says it before).
import { keyStaysWith } from '../../../../shared/origin.ts';
import { call } from '../../api.ts';
import { codeTitle, errorHint, errorMessage, joinWords } from '../../i18n.ts';
import { useStore } from '../../store.ts';
import { FieldError, fieldAria, type FieldProblem } from '../FieldError.tsx';
import { KeyField } from './KeyField.tsx';
import { ModelsField } from './ModelsField.tsx';
import { CapabilitiesField } from './CapabilitiesField.tsx';
import { RouteField } from './RouteField.tsx';
import { draftOf, formFrom, INPUT_ID, isOtherDefault, isVarRef, protocolDefault, usePresetName, type Form, type TestState } from './provider-form.ts';

export function ProviderEditor({ initial, onDone }: { initial: Form; onDone(): void }): React.JSX.Element {
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
      <KeyField
        f={f}
        set={set}
        onClearKey={() => setF((x) => ({ ...x, clearKey: !x.clearKey, apiKey: '' }))}
        marker={marker}
        stored={stored}
        keychain={keychain}
        problem={problem}
        showKey={showKey}
        onShowKey={() => setShowKey((v) => !v)}
        origin={{ moved, keepsRef, dropsKey }}
        askDrop={askDrop}
        onTypeKey={() => { setAskDrop(false); document.getElementById('p-apiKey')?.focus(); }}
        onSaveWithoutKey={() => void onSaveWithoutKey()}
        askUnprotected={askUnprotected}
        onStoreAnyway={() => void onStoreAnyway()}
        onUseVariable={onUseVariable}
        onCancelUnprotected={() => setAskUnprotected(null)}
        busy={busy}
      />
      <RouteField id="p" testid="provider" mode={f.routeMode} proxyUrl={f.proxyUrl} onMode={(m) => set('routeMode', m)} onProxyUrl={(u) => set('proxyUrl', u)} problem={problem} />
      <ModelsField f={f} set={set} setF={setF} busy={busy} onFetch={() => void onFetch()} />
      <CapabilitiesField f={f} setF={setF} />
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
