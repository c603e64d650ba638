/**
 * The settings' app section: theme, language, whether conversations' content may go to the log, and the desktop
 * habits (close to the tray, the global shortcut and whether main could register it, start with the OS).
 */
import { useTranslation } from 'react-i18next';
import { LANGUAGES, THEMES, type Language, type Theme } from '../../../../shared/constants.ts';
import type { SectionProps } from './settings-form.ts';
import * as v from 'valibot';
import { acceleratorSchema } from '../../../../shared/settings.ts';
import { useDesktop } from '../../desktop-store.ts';

export function AppSection({ form, update }: Omit<SectionProps, 'problem'>): React.JSX.Element {
  const { t } = useTranslation();
  const shortcut = useDesktop((s) => s.state?.shortcut);
  // Main's state is for the saved shortcut: shown while the field still says that one.
  // Checked as typed, by the schema main saves with; then what main reported for the saved one.
  const malformed = !v.is(acceleratorSchema, form.shortcut.trim());
  const shortcutProblem = malformed ? 'malformed' : shortcut && shortcut.accelerator === form.shortcut.trim() && (shortcut.state === 'taken' || shortcut.state === 'invalid') ? shortcut.state : null;
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
      <div className="field checkbox">
        <input id="f-closeToTray" data-testid="settings-closeToTray" type="checkbox" checked={form.closeToTray} onChange={(e) => update('closeToTray', e.target.checked)} />
        <label htmlFor="f-closeToTray">{t('settings.appSection.closeToTray')}</label>
      </div>
      <div className="field">
        <label htmlFor="f-shortcut">{t('settings.appSection.shortcut')}</label>
        <input
          id="f-shortcut"
          data-testid="settings-shortcut"
          type="text"
          spellCheck={false}
          maxLength={100}
          placeholder="CommandOrControl+Shift+Space"
          aria-describedby="f-shortcut-help"
          aria-invalid={shortcutProblem ? true : undefined}
          value={form.shortcut}
          onChange={(e) => update('shortcut', e.target.value)}
        />
      </div>
      {shortcutProblem ? (
        <p id="f-shortcut-help" className="help warning-text" role="alert" data-testid="settings-shortcut-problem">
          {t(`settings.appSection.shortcut_${shortcutProblem}`, { accelerator: shortcut?.accelerator })}
        </p>
      ) : (
        <p id="f-shortcut-help" className="help">{t('settings.appSection.shortcutHelp')}</p>
      )}
      <div className="field checkbox">
        <input id="f-openAtLogin" data-testid="settings-openAtLogin" type="checkbox" checked={form.openAtLogin} onChange={(e) => update('openAtLogin', e.target.checked)} />
        <label htmlFor="f-openAtLogin">{t('settings.appSection.openAtLogin')}</label>
      </div>
    </fieldset>
  );
}
