/** The settings' defaults for new conversations: system prompt, how many messages a request takes, model-written titles. */
import { useTranslation } from 'react-i18next';
import { FieldError, fieldAria } from '../FieldError.tsx';
import type { SectionProps } from './settings-form.ts';

export function DefaultsSection({ form, update, problem }: SectionProps): React.JSX.Element {
  const { t } = useTranslation();
  return (
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
  );
}
