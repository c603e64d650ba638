/**
 * The settings' app section: theme, language, whether conversations' content may go to the log, and the desktop
 * habits (close to the tray, the global shortcuts and whether main could register them, start with the OS).
 */
import { useTranslation } from 'react-i18next';
import { LANGUAGES, THEMES, type Language, type Theme } from '../../../../shared/constants.ts';
import type { SectionProps } from './settings-form.ts';
import * as v from 'valibot';
import { acceleratorSchema, DEFAULT_QUICK_SHORTCUT, DEFAULT_SHORTCUT, sameAccelerator } from '../../../../shared/settings.ts';
import type { ShortcutStatus } from '../../../../shared/ipc.ts';
import { useDesktop } from '../../desktop-store.ts';

/**
 * A global shortcut's field. Checked as typed, by the schema main saves with (and, for the quick window's, against
 * the show/hide one: `other`); then what main reported for the saved one, shown while the field still says that one.
 */
function ShortcutField({ name, value, other, status, placeholder, onChange }: { name: 'shortcut' | 'quickShortcut'; value: string; other?: string; status: ShortcutStatus | undefined; placeholder: string; onChange(value: string): void }): React.JSX.Element {
  const { t } = useTranslation();
  const typed = value.trim();
  const problem = !v.is(acceleratorSchema, typed)
    ? 'malformed'
    : other !== undefined && sameAccelerator(typed, other)
      ? 'duplicate'
      : status && status.accelerator === typed && (status.state === 'taken' || status.state === 'invalid' || status.state === 'duplicate')
        ? status.state
        : null;
  return (
    <>
      <div className="field">
        <label htmlFor={`f-${name}`}>{t(`settings.appSection.${name}`)}</label>
        <input
          id={`f-${name}`}
          data-testid={`settings-${name}`}
          type="text"
          spellCheck={false}
          maxLength={100}
          placeholder={placeholder}
          aria-describedby={`f-${name}-help`}
          aria-invalid={problem ? true : undefined}
          value={value}
          onChange={(e) => onChange(e.target.value)}
        />
      </div>
      {problem ? (
        <p id={`f-${name}-help`} className="help warning-text" role="alert" data-testid={`settings-${name}-problem`}>
          {t(`settings.appSection.shortcut_${problem}`, { accelerator: typed })}
        </p>
      ) : (
        <p id={`f-${name}-help`} className="help">{t(`settings.appSection.${name}Help`)}</p>
      )}
    </>
  );
}

export function AppSection({ form, update }: Omit<SectionProps, 'problem'>): React.JSX.Element {
  const { t } = useTranslation();
  const desktop = useDesktop((s) => s.state);
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
      <ShortcutField name="shortcut" value={form.shortcut} status={desktop?.shortcut} placeholder={DEFAULT_SHORTCUT} onChange={(value) => update('shortcut', value)} />
      <ShortcutField name="quickShortcut" value={form.quickShortcut} other={form.shortcut} status={desktop?.quickShortcut} placeholder={DEFAULT_QUICK_SHORTCUT} onChange={(value) => update('quickShortcut', value)} />
      <div className="field checkbox">
        <input id="f-openAtLogin" data-testid="settings-openAtLogin" type="checkbox" checked={form.openAtLogin} onChange={(e) => update('openAtLogin', e.target.checked)} />
        <label htmlFor="f-openAtLogin">{t('settings.appSection.openAtLogin')}</label>
      </div>
    </fieldset>
  );
}
