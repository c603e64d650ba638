/** The settings' app section: theme, language, and whether conversations' content may go to the log. */
import { useTranslation } from 'react-i18next';
import { LANGUAGES, THEMES, type Language, type Theme } from '../../../../shared/constants.ts';
import type { SectionProps } from './settings-form.ts';

export function AppSection({ form, update }: Omit<SectionProps, 'problem'>): React.JSX.Element {
  const { t } = useTranslation();
  return (
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
  );
}
