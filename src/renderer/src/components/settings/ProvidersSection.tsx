/**
 * Several providers at once: each with a name, protocol, base URL, key (or `${VAR}`), its models (fetched
 * from the provider or typed in, a chosen subset shown in pickers) and a route. Presets fill protocol and
 * base URL. The key never comes back to the window: only its shape. Where main keeps keys (the OS keychain, or
 * none) is shown; where the OS offers no real protection (Linux 'basic_text'), saving a typed key asks first
 * and offers a `${VAR}` reference instead; a stored key the keychain cannot read any more is asked for again.
 * The list here; a provider's card (ProviderCard), its editor (ProviderEditor: KeyField, ModelsField) and the
 * form's data (provider-form.ts) beside it.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PRESETS, type PresetId } from '../../../../shared/constants.ts';
import { useStore } from '../../store.ts';
import { ProviderCard } from './ProviderCard.tsx';
import { ProviderEditor } from './ProviderEditor.tsx';
import { formFrom, usePresetName } from './provider-form.ts';

export function ProvidersSection(): React.JSX.Element {
  const { t } = useTranslation();
  const view = useStore((s) => s.view);
  const [editing, setEditing] = useState<string | 'new' | null>(null);
  const [preset, setPreset] = useState<PresetId>('openai');
  const presetName = usePresetName();
  // A preset chosen on the first screen: its new provider's form, open and in view.
  const asked = useStore((s) => s.newProviderPreset);
  const addProvider = useStore((s) => s.addProvider);
  useEffect(() => {
    if (!asked) return;
    setPreset(asked);
    setEditing('new');
    addProvider(null);
    requestAnimationFrame(() => {
      document.querySelector('[data-testid="provider-editor"]')?.scrollIntoView?.({ block: 'start' });
      document.getElementById('p-apiKey')?.focus();
    });
  }, [asked, addProvider]);
  const providers = view?.providers ?? [];
  const defaultId = view?.settings.defaults.providerId ?? null;

  return (
    <section className="providers" aria-labelledby="providers-title" data-testid="providers">
      <h2 id="providers-title">{t('providers.legend')}</h2>
      <p className="muted small">{t('providers.intro')}</p>
      <ul className="provider-list">
        {providers.map((p) => (
          <li key={p.id} className="provider-item" data-testid="provider-item" data-id={p.id}>
            {editing === p.id ? (
              <ProviderEditor initial={formFrom(p)} onDone={() => setEditing(null)} />
            ) : (
              <ProviderCard p={p} isDefault={p.id === defaultId} onEdit={() => setEditing(p.id)} />
            )}
          </li>
        ))}
      </ul>
      {editing === 'new' ? (
        <ProviderEditor initial={formFrom(undefined, preset, presetName)} onDone={() => setEditing(null)} />
      ) : (
        <div className="input-row add-provider">
          <label className="visually-hidden" htmlFor="p-add-preset">{t('providers.preset')}</label>
          <select id="p-add-preset" data-testid="provider-add-preset" value={preset} onChange={(e) => setPreset(e.target.value as PresetId)}>
            {PRESETS.map((p) => (
              <option key={p.id} value={p.id}>{presetName(p.id)}</option>
            ))}
          </select>
          <button type="button" className="primary" data-testid="provider-add" onClick={() => setEditing('new')}>{t('providers.add')}</button>
        </div>
      )}
    </section>
  );
}
