/**
 * A provider's models: fetched from the provider or typed in, its default model, and the ones shown in the
 * chat's picker (none ticked off: all shown).
 */
import type { Dispatch, SetStateAction } from 'react';
import { useTranslation } from 'react-i18next';
import type { Form } from './provider-form.ts';

export interface ModelsFieldProps {
  f: Form;
  set<K extends keyof Form>(k: K, v: Form[K]): void;
  setF: Dispatch<SetStateAction<Form>>;
  busy: boolean;
  onFetch(): void;
}

export function ModelsField({ f, set, setF, busy, onFetch }: ModelsFieldProps): React.JSX.Element {
  const { t } = useTranslation();
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
    <fieldset className="models">
      <legend>{t('providers.models')}</legend>
      <div className="input-row">
        <button type="button" className="secondary" data-testid="provider-fetch-models" disabled={busy || !f.baseUrl.trim()} onClick={onFetch}>
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
  );
}
