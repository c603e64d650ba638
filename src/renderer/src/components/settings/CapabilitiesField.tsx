/**
 * What a provider's models can do, and the parameters its conversations start with. The shipped capability table
 * (shared/models/capabilities.ts) says each model's context window, longest answer, whether and how it thinks,
 * sees images and calls tools; here the user corrects any of it per model (a model the table does not know, a
 * gateway that serves a smaller window). Kept in the form and saved with the provider (main checks the bounds
 * again: bounds.ts).
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { MAX_CONTEXT_WINDOW, MAX_OUTPUT_TOKENS, MAX_TEMPERATURE, MIN_CONTEXT_WINDOW } from '../../../../shared/bounds.ts';
import type { ConversationParams } from '../../../../shared/chat.ts';
import { capabilitiesFor, type CapabilityOverride, type ThinkingCapability } from '../../../../shared/models/capabilities.ts';
import type { Form } from './provider-form.ts';

type Tri = '' | 'yes' | 'no';
/** How the user says a model thinks ('' = as the table says). */
type ThinkingKind = '' | 'none' | 'always' | 'on' | 'off';

function thinkingKind(t: ThinkingCapability | null | undefined): ThinkingKind {
  if (t === undefined) return '';
  if (t === null) return 'none';
  return !t.canDisable ? 'always' : t.defaultOn ? 'on' : 'off';
}
const tri = (b: boolean | undefined): Tri => (b === undefined ? '' : b ? 'yes' : 'no');
const bool = (v: Tri): boolean | undefined => (v === '' ? undefined : v === 'yes');

export function CapabilitiesField({ f, setF }: { f: Form; setF: (update: (x: Form) => Form) => void }): React.JSX.Element {
  const { t } = useTranslation();
  const [model, setModel] = useState(f.defaultModel || f.models[0] || '');
  const [bad, setBad] = useState<string | null>(null);
  /** Bumped when the chosen model's corrections are cleared: its inputs start again from the table. */
  const [rev, setRev] = useState(0);
  const chosen = f.models.includes(model) ? model : f.defaultModel || f.models[0] || '';
  const where = { preset: f.preset, baseUrl: f.baseUrl, protocol: f.protocol };
  const table = chosen ? capabilitiesFor(where, chosen) : {};
  const own: CapabilityOverride = f.capabilities[chosen] ?? {};
  const overridden = Object.keys(f.capabilities).filter((m) => Object.keys(f.capabilities[m] ?? {}).length > 0);

  /** Sets one correction of the chosen model (undefined: back to the table's). */
  const put = <K extends keyof CapabilityOverride>(k: K, v: CapabilityOverride[K] | undefined): void => {
    setF((x) => {
      const next: CapabilityOverride = { ...(x.capabilities[chosen] ?? {}) };
      if (v === undefined) delete next[k];
      else next[k] = v;
      const all = { ...x.capabilities };
      if (Object.keys(next).length) all[chosen] = next;
      else delete all[chosen];
      return { ...x, capabilities: all };
    });
  };
  const whole = (s: string, min: number, max: number, field: string): number | undefined | null => {
    if (s.trim() === '') return undefined;
    const n = Number(s);
    if (!Number.isInteger(n) || n < min || n > max) {
      setBad(field);
      return null;
    }
    setBad((b) => (b === field ? null : b));
    return n;
  };
  const setThinking = (kind: ThinkingKind): void => {
    // The table's other facts (efforts, budget, stream only) stay with a model it knows to think.
    const base: ThinkingCapability = table.thinking ? { ...table.thinking } : { defaultOn: false, canDisable: true };
    if (kind === '') put('thinking', undefined);
    else if (kind === 'none') put('thinking', null);
    else put('thinking', { ...base, defaultOn: kind !== 'off', canDisable: kind !== 'always' });
  };
  const tableThinking = table.thinking ? t(`providers.caps.thinkingKinds.${thinkingKind(table.thinking)}`) : t('providers.caps.thinkingKinds.none');
  const num = (n: number | undefined): string => (n === undefined ? t('providers.caps.unknown') : n.toLocaleString());

  // The provider's default request parameters (a conversation's own win).
  const setParam = <K extends keyof ConversationParams>(k: K, v: ConversationParams[K] | undefined): void => {
    setF((x) => {
      const next = { ...x.params };
      if (v === undefined) delete next[k];
      else next[k] = v;
      return { ...x, params: next };
    });
  };
  const decimal = (s: string, max: number, field: string): number | undefined | null => {
    if (s.trim() === '') return undefined;
    const n = Number(s);
    if (!Number.isFinite(n) || n < 0 || n > max) {
      setBad(field);
      return null;
    }
    setBad((b) => (b === field ? null : b));
    return n;
  };
  const [temp, setTemp] = useState(f.params.temperature === undefined ? '' : String(f.params.temperature));
  const [topP, setTopP] = useState(f.params.topP === undefined ? '' : String(f.params.topP));
  const [maxTokens, setMaxTokens] = useState(f.params.maxTokens === undefined ? '' : String(f.params.maxTokens));

  return (
    <details className="capabilities" data-testid="provider-capabilities">
      <summary>{t('providers.caps.title')}</summary>
      <fieldset className="provider-params">
        <legend>{t('providers.caps.paramsTitle')}</legend>
        <p className="help">{t('providers.caps.paramsHelp')}</p>
        <div className="params-grid">
          <label htmlFor="pp-temperature">{t('chat.params.temperature')}</label>
          <input id="pp-temperature" data-testid="provider-param-temperature" type="number" min={0} max={MAX_TEMPERATURE} step={0.1} placeholder={t('chat.params.modelDefault')} value={temp} onChange={(e) => { setTemp(e.target.value); const n = decimal(e.target.value, MAX_TEMPERATURE, 'temperature'); if (n !== null) setParam('temperature', n); }} aria-invalid={bad === 'temperature'} />
          {bad === 'temperature' ? <p className="field-error" role="alert">{t('chat.params.bad.temperature')}</p> : null}
          <label htmlFor="pp-top-p">{t('chat.params.topP')}</label>
          <input id="pp-top-p" data-testid="provider-param-top-p" type="number" min={0} max={1} step={0.05} placeholder={t('chat.params.modelDefault')} value={topP} onChange={(e) => { setTopP(e.target.value); const n = decimal(e.target.value, 1, 'topP'); if (n !== null) setParam('topP', n); }} aria-invalid={bad === 'topP'} />
          {bad === 'topP' ? <p className="field-error" role="alert">{t('chat.params.bad.topP')}</p> : null}
          <label htmlFor="pp-max-tokens">{t('chat.params.maxTokens')}</label>
          <input id="pp-max-tokens" data-testid="provider-param-max-tokens" type="number" min={1} max={MAX_OUTPUT_TOKENS} step={1} placeholder={t('chat.params.modelDefault')} value={maxTokens} onChange={(e) => { setMaxTokens(e.target.value); const n = whole(e.target.value, 1, MAX_OUTPUT_TOKENS, 'maxTokens'); if (n !== null) setParam('maxTokens', n); }} aria-invalid={bad === 'maxTokens'} />
          {bad === 'maxTokens' ? <p className="field-error" role="alert" data-testid="provider-param-error-max-tokens">{t('chat.params.bad.maxTokens')}</p> : null}
          <label htmlFor="pp-thinking">{t('chat.params.thinking')}</label>
          <select id="pp-thinking" data-testid="provider-param-thinking" value={f.params.thinking?.mode ?? 'default'} onChange={(e) => setParam('thinking', e.target.value === 'default' ? undefined : { mode: e.target.value as 'off' | 'on' })}>
            <option value="default">{t('chat.params.defaultModel')}</option>
            <option value="off">{t('chat.params.off')}</option>
            <option value="on">{t('chat.params.on')}</option>
          </select>
        </div>
      </fieldset>
      {f.models.length === 0 ? (
        <p className="help">{t('providers.caps.noModels')}</p>
      ) : (
        <fieldset className="model-caps">
          <legend>{t('providers.caps.modelTitle')}</legend>
          <p className="help">{t('providers.caps.help')}</p>
          <div className="params-grid">
            <label htmlFor="cap-model">{t('providers.caps.model')}</label>
            <select id="cap-model" data-testid="caps-model" value={chosen} onChange={(e) => { setModel(e.target.value); setBad(null); }}>
              {f.models.slice(0, 500).map((m) => (
                <option key={m} value={m}>{overridden.includes(m) ? `${m} *` : m}</option>
              ))}
            </select>
            <label htmlFor="cap-context">{t('providers.caps.contextWindow')}</label>
            <input key={`ctx-${chosen}-${rev}`} id="cap-context" data-testid="caps-context" type="number" min={MIN_CONTEXT_WINDOW} max={MAX_CONTEXT_WINDOW} step={1} placeholder={t('providers.caps.fromTable', { value: num(table.contextWindow) })} defaultValue={own.contextWindow ?? ''} onChange={(e) => { const n = whole(e.target.value, MIN_CONTEXT_WINDOW, MAX_CONTEXT_WINDOW, 'context'); if (n !== null) put('contextWindow', n); }} aria-invalid={bad === 'context'} />
            {bad === 'context' ? <p className="field-error" role="alert" data-testid="caps-error-context">{t('providers.caps.badContext')}</p> : null}
            <label htmlFor="cap-max-output">{t('providers.caps.maxOutput')}</label>
            <input key={`out-${chosen}-${rev}`} id="cap-max-output" data-testid="caps-max-output" type="number" min={1} max={MAX_OUTPUT_TOKENS} step={1} placeholder={t('providers.caps.fromTable', { value: num(table.maxOutput) })} defaultValue={own.maxOutput ?? ''} onChange={(e) => { const n = whole(e.target.value, 1, MAX_OUTPUT_TOKENS, 'output'); if (n !== null) put('maxOutput', n); }} aria-invalid={bad === 'output'} />
            {bad === 'output' ? <p className="field-error" role="alert" data-testid="caps-error-output">{t('providers.caps.badOutput')}</p> : null}
            <label htmlFor="cap-thinking">{t('providers.caps.thinking')}</label>
            <select id="cap-thinking" data-testid="caps-thinking" value={thinkingKind(own.thinking)} onChange={(e) => setThinking(e.target.value as ThinkingKind)}>
              <option value="">{t('providers.caps.fromTable', { value: tableThinking })}</option>
              {(['none', 'always', 'on', 'off'] as const).map((k) => (
                <option key={k} value={k}>{t(`providers.caps.thinkingKinds.${k}`)}</option>
              ))}
            </select>
            <label htmlFor="cap-vision">{t('providers.caps.vision')}</label>
            <select id="cap-vision" data-testid="caps-vision" value={tri(own.vision)} onChange={(e) => put('vision', bool(e.target.value as Tri))}>
              <option value="">{t('providers.caps.fromTable', { value: t(table.vision ? 'providers.caps.yes' : 'providers.caps.no') })}</option>
              <option value="yes">{t('providers.caps.yes')}</option>
              <option value="no">{t('providers.caps.no')}</option>
            </select>
            <label htmlFor="cap-tools">{t('providers.caps.tools')}</label>
            <select id="cap-tools" data-testid="caps-tools" value={tri(own.tools)} onChange={(e) => put('tools', bool(e.target.value as Tri))}>
              <option value="">{t('providers.caps.fromTable', { value: t(table.tools ? 'providers.caps.yes' : 'providers.caps.no') })}</option>
              <option value="yes">{t('providers.caps.yes')}</option>
              <option value="no">{t('providers.caps.no')}</option>
            </select>
          </div>
          {Object.keys(table).length === 0 ? <p className="help" data-testid="caps-unknown">{t('providers.caps.notInTable')}</p> : null}
          {overridden.includes(chosen) ? (
            <button type="button" className="link-button" data-testid="caps-reset" onClick={() => { setF((x) => { const all = { ...x.capabilities }; delete all[chosen]; return { ...x, capabilities: all }; }); setRev((r) => r + 1); setBad(null); }}>
              {t('providers.caps.reset')}
            </button>
          ) : null}
          <p className="help">{t('providers.caps.saveNote')}</p>
        </fieldset>
      )}
    </details>
  );
}
