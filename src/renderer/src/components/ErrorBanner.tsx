import { useTranslation } from 'react-i18next';
import { codeTitle, errorHint, errorMessage } from '../i18n.ts';
import { useStore } from '../store.ts';
import { Code } from './Code.tsx';

export function ErrorBanner(): React.JSX.Element | null {
  const { t } = useTranslation();
  const error = useStore((s) => s.error);
  const dismiss = useStore((s) => s.dismissError);
  if (!error) return null;
  const details = [
    error.providerMessage ? t('error.providerSaid', { message: error.providerMessage }) : null,
    error.status !== undefined ? t('error.status', { status: error.status }) : null,
    error.host ? t('error.host', { host: error.host }) : null,
    error.route ? t('error.route', { route: error.route }) : null,
    error.certIssuer ? t('error.certIssuer', { issuer: error.certIssuer }) : null,
  ].filter((d): d is string => d !== null);
  return (
    <div className="banner banner-error" role="alert" data-testid="error-banner" data-code={error.code}>
      <div className="banner-body">
        <div className="banner-title">
          <strong data-testid="error-title">{codeTitle(error.code)}</strong> <Code code={error.code} />
        </div>
        {/* Worded in the window's language by the error's key; the provider's own words stay verbatim. */}
        <p className="banner-message" data-testid="error-message">{errorMessage(error)}</p>
        {error.hint ? <p className="banner-hint" data-testid="error-hint">{errorHint(error)}</p> : null}
        {details.length > 0 ? (
          <ul className="banner-details">
            {details.map((d) => (
              <li key={d}>{d}</li>
            ))}
          </ul>
        ) : null}
      </div>
      <button type="button" className="icon-button" data-testid="error-dismiss" aria-label={t('common.dismiss')} title={t('common.dismiss')} onClick={dismiss}>
        ×
      </button>
    </div>
  );
}
