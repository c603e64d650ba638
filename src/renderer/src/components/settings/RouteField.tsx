/**
 * A route chosen as a provider's and an MCP server's are: the network settings, direct, or a proxy of its own (its
 * URL then, with main's reason at the field when it refuses it). One field for both editors.
 */
import { useTranslation } from 'react-i18next';
import { ROUTE_MODES, type RouteMode } from '../../../../shared/constants.ts';
import { MAX_URL_CHARS } from '../../../../shared/bounds.ts';
import { FieldError, fieldAria, type FieldProblems } from '../FieldError.tsx';

export function RouteField({ id, testid, mode, proxyUrl, onMode, onProxyUrl, problem }: {
  /** The inputs' id prefix (`<id>-route`, `<id>-proxyUrl`) and test id prefix (`<testid>-route`, `<testid>-proxyUrl`). */
  id: string;
  testid: string;
  mode: RouteMode;
  proxyUrl: string;
  onMode(mode: RouteMode): void;
  onProxyUrl(url: string): void;
  /** The reason the proxy URL is refused (field `proxyUrl`), when it is. */
  problem: FieldProblems;
}): React.JSX.Element {
  const { t } = useTranslation();
  return (
    <div className="field-row">
      <div className="field narrow-2">
        <label htmlFor={`${id}-route`}>{t('providers.route')}</label>
        <select id={`${id}-route`} data-testid={`${testid}-route`} value={mode} onChange={(e) => onMode(e.target.value as RouteMode)}>
          {ROUTE_MODES.map((m) => (
            <option key={m} value={m}>{t(`providers.routes.${m}`)}</option>
          ))}
        </select>
      </div>
      {mode === 'proxy' ? (
        <div className="field">
          <label htmlFor={`${id}-proxyUrl`}>{t('providers.routeProxyUrl')}</label>
          <input id={`${id}-proxyUrl`} type="text" data-testid={`${testid}-proxyUrl`} spellCheck={false} autoComplete="off" maxLength={MAX_URL_CHARS} placeholder={t('settings.network.proxyUrlPlaceholder')} {...fieldAria(`${id}-proxyUrl`, 'proxyUrl', problem)} value={proxyUrl} onChange={(e) => onProxyUrl(e.target.value)} />
          <FieldError inputId={`${id}-proxyUrl`} field="proxyUrl" problem={problem} />
        </div>
      ) : null}
    </div>
  );
}
