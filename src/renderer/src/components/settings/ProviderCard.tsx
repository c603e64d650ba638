/** A saved provider in the list: its name, where it points, its key's shape and model; edit, make default, test, remove. */
import { useTranslation } from 'react-i18next';
import type { ProviderView } from '../../../../shared/ipc.ts';
import { providerDefaultModel } from '../../../../shared/model-choice.ts';
import { useStore } from '../../store.ts';

export function ProviderCard({ p, isDefault, onEdit }: { p: ProviderView; isDefault: boolean; onEdit(): void }): React.JSX.Element {
  const { t } = useTranslation();
  const saveSettings = useStore((s) => s.saveSettings);
  const deleteProvider = useStore((s) => s.deleteProvider);
  const runDoctorFor = useStore((s) => s.runDoctorFor);
  return (
    <div className="card provider-card">
      <div>
        <strong>{p.name}</strong> {isDefault ? <span className="badge">{t('providers.default')}</span> : null}
        <div className="muted small"><code className="code">{p.baseUrl}</code> · {t(`settings.provider.protocols.${p.protocol}`)} · {t(`providers.routes.${p.route.mode}`)}</div>
        <div className="muted small" data-testid="provider-key">{p.apiKeyMarker ? <code className="code">{p.apiKeyMarker}</code> : t('settings.provider.apiKeyNone')}{p.apiKeyInKeychain ? ` (${t('providers.keychain.short')})` : ''} · {providerDefaultModel(p) || '—'}</div>
        {p.keyUnreadable ? <div className="small warning-text" role="alert" data-testid="provider-key-unreadable">{t('providers.keychain.unreadable')}</div> : null}
      </div>
      <div className="actions">
        <button type="button" className="secondary" data-testid="provider-edit" onClick={onEdit}>{t('providers.edit')}</button>
        {!isDefault ? (
          <button type="button" className="secondary" onClick={() => void saveSettings({ defaults: { providerId: p.id, model: providerDefaultModel(p) } }, ['defaults'])}>{t('providers.makeDefault')}</button>
        ) : null}
        <button type="button" className="secondary" data-testid="provider-test" onClick={() => void runDoctorFor(p.id)}>{t('providers.test')}</button>
        <button type="button" className="secondary danger" onClick={() => window.confirm(t('providers.removeConfirm', { name: p.name })) && void deleteProvider(p.id)}>{t('providers.remove')}</button>
      </div>
    </div>
  );
}
