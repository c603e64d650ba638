/**
 * A provider's key: typed (hidden unless shown), kept, or cleared; where it is kept (the OS keychain); what happens
 * to a stored key when the base URL moves to another origin (a `${VAR}` stays, a stored key is dropped, asked
 * first); a stored key the keychain cannot read any more; and, where the OS offers no real protection, the
 * question before a typed secret is stored (store anyway, or a `${VAR}` reference).
 */
import { useTranslation } from 'react-i18next';
import type { KeychainState, ProviderView } from '../../../../shared/ipc.ts';
import { FieldError, fieldAria, type FieldProblem } from '../FieldError.tsx';
import { whereOf, type Form } from './provider-form.ts';

export interface KeyFieldProps {
  f: Form;
  set<K extends keyof Form>(k: K, v: Form[K]): void;
  onClearKey(): void;
  /** The stored key's shape (null: none stored). */
  marker: string | null;
  stored: ProviderView | undefined;
  keychain: KeychainState;
  problem: FieldProblem | null;
  showKey: boolean;
  onShowKey(): void;
  /** The base URL moved to another origin than the stored key's: a `${VAR}` stays, a stored key is dropped. */
  origin: { moved: boolean; keepsRef: boolean; dropsKey: boolean };
  askDrop: boolean;
  onTypeKey(): void;
  onSaveWithoutKey(): void;
  askUnprotected: 'apiKey' | 'proxyUrl' | null;
  onStoreAnyway(): void;
  onUseVariable(): void;
  onCancelUnprotected(): void;
  busy: boolean;
}

export function KeyField({ f, set, onClearKey, marker, stored, keychain, problem, showKey, onShowKey, origin, askDrop, onTypeKey, onSaveWithoutKey, askUnprotected, onStoreAnyway, onUseVariable, onCancelUnprotected, busy }: KeyFieldProps): React.JSX.Element {
  const { t } = useTranslation();
  const { moved, keepsRef, dropsKey } = origin;
  return (
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
        <button type="button" className="secondary" data-testid="settings-apiKey-toggle" aria-controls="p-apiKey" aria-pressed={showKey} onClick={onShowKey}>
          {showKey ? t('settings.provider.apiKeyHide') : t('settings.provider.apiKeyShow')}
        </button>
        {marker ? (
          <button type="button" className="secondary" data-testid="settings-apiKey-clear" aria-pressed={f.clearKey} onClick={onClearKey}>
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
            <button type="button" className="secondary" data-testid="provider-key-origin-type" onClick={onTypeKey}>{t('providers.keyOrigin.typeKey')}</button>
            <button type="button" className="secondary danger" data-testid="provider-key-origin-drop" disabled={busy} onClick={onSaveWithoutKey}>{t('providers.keyOrigin.saveWithout')}</button>
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
            <button type="button" id="p-unprotected-store" className="secondary danger" data-testid="provider-unprotected-store" disabled={busy} onClick={onStoreAnyway}>
              {t('providers.keychain.storeAnyway')}
            </button>
            {askUnprotected === 'apiKey' ? (
              <button type="button" className="secondary" data-testid="provider-unprotected-variable" onClick={onUseVariable}>{t('providers.keychain.useVariable')}</button>
            ) : null}
            <button type="button" className="secondary" onClick={onCancelUnprotected}>{t('chat.cancelEdit')}</button>
          </div>
        </div>
      ) : null}
    </div>
  );
}
