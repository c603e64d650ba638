/**
 * A conversation's own request parameters (temperature, top_p, max tokens, thinking), opened from the chat
 * header. An empty field takes the provider's default (Settings → Providers), else the model's own; thinking
 * offers what the model can do (shared/models/capabilities.ts: off only where it can stop, an effort or a
 * budget where it takes one). Bounds are bounds.ts's, the ones main checks again.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ThinkingChoice } from '../../../shared/answer.ts';
import { MAX_OUTPUT_TOKENS, MAX_TEMPERATURE, MAX_THINKING_BUDGET } from '../../../shared/bounds.ts';
import type { ConversationParams } from '../../../shared/chat.ts';
import type { ProviderView } from '../../../shared/ipc.ts';
import { capabilitiesFor, type ModelCapabilities } from '../../../shared/models/capabilities.ts';

type ThinkingMode = ThinkingChoice['mode'];
type EffortChoice = '' | 'low' | 'medium' | 'high';

interface Form {
  temperature: string;
  topP: string;
  maxTokens: string;
  thinking: ThinkingMode;
  effort: EffortChoice;
  budget: string;
}

type Field = 'temperature' | 'topP' | 'maxTokens' | 'budget';

function formOf(p: ConversationParams): Form {
  const th = p.thinking;
  return {
    temperature: p.temperature === undefined ? '' : String(p.temperature),
    topP: p.topP === undefined ? '' : String(p.topP),
    maxTokens: p.maxTokens === undefined ? '' : String(p.maxTokens),
    thinking: th?.mode ?? 'default',
    effort: th?.mode === 'on' ? (th.effort ?? '') : '',
    budget: th?.mode === 'on' && th.budgetTokens !== undefined ? String(th.budgetTokens) : '',
  };
}

/** The form as parameters, or the fields out of their bounds. */
function paramsOf(f: Form, caps: ModelCapabilities): { params: ConversationParams } | { bad: Field[] } {
  const bad: Field[] = [];
  const num = (s: string, field: Field, min: number, max: number, whole: boolean): number | undefined => {
    if (s.trim() === '') return undefined;
    const n = Number(s);
    if (!Number.isFinite(n) || n < min || n > max || (whole && !Number.isInteger(n))) {
      bad.push(field);
      return undefined;
    }
    return n;
  };
  const temperature = num(f.temperature, 'temperature', 0, MAX_TEMPERATURE, false);
  const topP = num(f.topP, 'topP', 0, 1, false);
  const maxTokens = num(f.maxTokens, 'maxTokens', 1, MAX_OUTPUT_TOKENS, true);
  const budget = f.thinking === 'on' && caps.thinking?.budget !== undefined ? num(f.budget, 'budget', 1, MAX_THINKING_BUDGET, true) : undefined;
  if (bad.length) return { bad };
  const params: ConversationParams = {};
  if (temperature !== undefined) params.temperature = temperature;
  if (topP !== undefined) params.topP = topP;
  if (maxTokens !== undefined) params.maxTokens = maxTokens;
  if (f.thinking === 'off') params.thinking = { mode: 'off' };
  if (f.thinking === 'on') params.thinking = { mode: 'on', ...(f.effort ? { effort: f.effort } : {}), ...(budget !== undefined ? { budgetTokens: budget } : {}) };
  return { params };
}

export function ParamsPanel({ conversationId, params, provider, model, onSave, onClose }: {
  conversationId: string;
  params: ConversationParams;
  provider: ProviderView | undefined;
  model: string;
  onSave: (id: string, params: ConversationParams) => Promise<void>;
  onClose: () => void;
}): React.JSX.Element {
  const { t } = useTranslation();
  const [f, setF] = useState<Form>(() => formOf(params));
  const [bad, setBad] = useState<Field[]>([]);
  const caps = provider ? capabilitiesFor(provider, model) : {};
  const th = caps.thinking;
  const defaults = provider?.params ?? {};
  const set = (patch: Partial<Form>): void => {
    setF((old) => ({ ...old, ...patch }));
    setBad([]);
  };
  // What an empty field means: the provider's default, else the model's own.
  const empty = (v: number | undefined): string => (v === undefined ? t('chat.params.modelDefault') : t('chat.params.providerDefault', { value: v }));
  const defaultThinking = defaults.thinking && defaults.thinking.mode !== 'default'
    ? t(defaults.thinking.mode === 'off' ? 'chat.params.defaultProviderOff' : 'chat.params.defaultProviderOn')
    : th ? t(th.defaultOn ? 'chat.params.defaultModelOn' : 'chat.params.defaultModelOff') : t('chat.params.defaultModel');
  const efforts = (th?.efforts ?? []).filter((e): e is 'low' | 'medium' | 'high' => e === 'low' || e === 'medium' || e === 'high');
  const error = (field: Field): React.JSX.Element | null => (bad.includes(field) ? <p className="field-error" role="alert" data-testid={`params-error-${field}`}>{t(`chat.params.bad.${field}`)}</p> : null);

  return (
    <form
      className="params-panel"
      // Bounds are checked here, with words in the window's language (not the browser's own bubbles).
      noValidate
      data-testid="params-panel"
      aria-label={t('chat.params.title')}
      onSubmit={(e) => {
        e.preventDefault();
        const r = paramsOf(f, caps);
        if ('bad' in r) {
          setBad(r.bad);
          return;
        }
        void onSave(conversationId, r.params).then(onClose);
      }}
    >
      <p className="help">{t('chat.params.help')}</p>
      <div className="params-grid">
        <label htmlFor="param-temperature">{t('chat.params.temperature')}</label>
        <input id="param-temperature" data-testid="param-temperature" type="number" inputMode="decimal" min={0} max={MAX_TEMPERATURE} step={0.1} placeholder={empty(defaults.temperature)} value={f.temperature} onChange={(e) => set({ temperature: e.target.value })} aria-invalid={bad.includes('temperature')} />
        {error('temperature')}
        <label htmlFor="param-top-p">{t('chat.params.topP')}</label>
        <input id="param-top-p" data-testid="param-top-p" type="number" inputMode="decimal" min={0} max={1} step={0.05} placeholder={empty(defaults.topP)} value={f.topP} onChange={(e) => set({ topP: e.target.value })} aria-invalid={bad.includes('topP')} />
        {error('topP')}
        <label htmlFor="param-max-tokens">{t('chat.params.maxTokens')}</label>
        <input id="param-max-tokens" data-testid="param-max-tokens" type="number" inputMode="numeric" min={1} max={MAX_OUTPUT_TOKENS} step={1} placeholder={empty(defaults.maxTokens)} value={f.maxTokens} onChange={(e) => set({ maxTokens: e.target.value })} aria-invalid={bad.includes('maxTokens')} aria-describedby="param-max-tokens-help" />
        {error('maxTokens')}
        <p id="param-max-tokens-help" className="help" data-testid="param-max-output">
          {caps.maxOutput ? t('chat.params.maxOutput', { n: caps.maxOutput.toLocaleString() }) : t('chat.params.maxOutputUnknown')}
        </p>
        <label htmlFor="param-thinking">{t('chat.params.thinking')}</label>
        <select id="param-thinking" data-testid="param-thinking" value={f.thinking} onChange={(e) => set({ thinking: e.target.value as ThinkingMode })}>
          <option value="default">{defaultThinking}</option>
          <option value="off" disabled={!!th && !th.canDisable && !th.offEffort}>{t('chat.params.off')}</option>
          <option value="on">{t('chat.params.on')}</option>
        </select>
        <p className="help" data-testid="param-thinking-help">
          {!th ? t('chat.params.noThinking') : !th.canDisable && !th.offEffort ? t('chat.params.alwaysThinks') : th.streamOnly ? t('chat.params.streamOnly') : ''}
        </p>
        {f.thinking === 'on' && efforts.length ? (
          <>
            <label htmlFor="param-effort">{t('chat.params.effort')}</label>
            <select id="param-effort" data-testid="param-effort" value={f.effort} onChange={(e) => set({ effort: e.target.value as EffortChoice })}>
              <option value="">{t('chat.params.effortDefault')}</option>
              {efforts.map((e) => (
                <option key={e} value={e}>{t(`chat.params.efforts.${e}`)}</option>
              ))}
            </select>
          </>
        ) : null}
        {f.thinking === 'on' && th?.budget ? (
          <>
            <label htmlFor="param-budget">{t('chat.params.budget')}</label>
            <input id="param-budget" data-testid="param-budget" type="number" inputMode="numeric" min={th.budget.min} max={th.budget.max ?? MAX_THINKING_BUDGET} step={1} placeholder={t('chat.params.budgetDefault')} value={f.budget} onChange={(e) => set({ budget: e.target.value })} aria-invalid={bad.includes('budget')} />
            {error('budget')}
            <p className="help">{th.budget.max ? t('chat.params.budgetRange', { min: th.budget.min.toLocaleString(), max: th.budget.max.toLocaleString() }) : t('chat.params.budgetMin', { min: th.budget.min.toLocaleString() })}</p>
          </>
        ) : null}
      </div>
      <div className="params-actions">
        <button type="submit" className="primary" data-testid="params-save">{t('chat.save')}</button>
        <button type="button" className="secondary" data-testid="params-reset" onClick={() => set(formOf({}))}>{t('chat.params.reset')}</button>
      </div>
    </form>
  );
}
