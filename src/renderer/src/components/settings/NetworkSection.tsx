/**
 * The settings' network section: the proxy (mode, URL with `${SECRET}` placeholders, bypass list), the trusted
 * CA files (added only through main's file dialog), streaming, retries and the timeouts (0: no limit, said so).
 */
import { useTranslation } from 'react-i18next';
import type { KeychainState } from '../../../../shared/ipc.ts';
import { SECRET_PLACEHOLDER, STREAM_MODES, type StreamMode } from '../../../../shared/constants.ts';
import { FieldError, fieldAria } from '../FieldError.tsx';
import { MAX_TIMEOUT_S, number, PROXY_MODE_ORDER, TIMEOUTS, type ProxyMode, type SectionProps } from './settings-form.ts';

export interface NetworkSectionProps extends SectionProps {
  /** The stored proxy password could not be read from the keychain. */
  proxyPasswordUnreadable: boolean;
  keychain: KeychainState | undefined;
  onAddCaFile(): void;
}

export function NetworkSection({ form, update, problem, proxyPasswordUnreadable, keychain, onAddCaFile }: NetworkSectionProps): React.JSX.Element {
  const { t } = useTranslation();
  const manual = form.proxyMode === 'manual';
  return (
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
        {proxyPasswordUnreadable ? (
          <p className="field-error" role="alert" data-testid="proxy-password-unreadable">{t('settings.network.proxyPasswordUnreadable')}</p>
        ) : null}
        {keychain === 'basic_text' && manual ? (
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
        <button type="button" id="f-caFiles-add" className="secondary ca-add" data-testid="settings-caFiles-add" {...fieldAria('f-caFiles', 'caFiles', problem)} onClick={onAddCaFile}>
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
  );
}
