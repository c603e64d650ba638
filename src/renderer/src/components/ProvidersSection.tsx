/**
 * Several providers at once: each with a name, protocol, base URL, key (or `${VAR}`), its models (fetched
 * from the provider or typed in, a chosen subset shown in pickers) and a route. Presets fill protocol and
 * base URL. The key never comes back to the window: only its shape.
 */
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ProviderDraft, ProviderView } from '../../../shared/ipc.ts';
import { PRESETS, PROTOCOLS, ROUTE_MODES, type PresetId, type Protocol, type RouteMode } from '../../../shared/constants.ts';
import { codeTitle } from '../i18n.ts';
import { useStore } from '../store.ts';

interface Form {
  id?: string;
  preset: PresetId;
  name: string;
  protocol: Protocol;
  baseUrl: string;
  apiKey: string;
  clearKey: boolean;
  models: string[];
  shown: string[];
  defaultModel: string;
  routeMode: RouteMode;
  proxyUrl: string;
  newModel: string;
}

function formFrom(p: ProviderView | undefined, preset: PresetId = 'custom'): Form {
  if (p) {
    return {
      id: p.id, preset: p.preset, name: p.name, protocol: p.protocol, baseUrl: p.baseUrl, apiKey: '', clearKey: false, models: p.models,
      shown: p.shownModels, defaultModel: p.defaultModel, routeMode: p.route.mode, proxyUrl: p.route.proxyUrl ?? '', newModel: '',
    };
  }
  const pr = PRESETS.find((x) => x.id === preset) ?? PRESETS[PRESETS.length - 1];
  return {
    preset, name: pr?.id === 'custom' ? '' : (pr?.name ?? ''), protocol: pr?.protocol ?? 'openai', baseUrl: pr?.baseUrl ?? '', apiKey: pr?.keyVar ? `\${${pr.keyVar}}` : '', clearKey: false,
    models: pr?.model ? [pr.model] : [], shown: [], defaultModel: pr?.model ?? '', routeMode: 'global', proxyUrl: '', newModel: '',
  };
}

function draftOf(f: Form): ProviderDraft {
  const key = f.apiKey.trim();
  return {
    ...(f.id ? { id: f.id } : {}),
    name: f.name.trim() || 'Provider',
    preset: f.preset,
    protocol: f.protocol,
    baseUrl: f.baseUrl.trim(),
    ...(key ? { apiKey: key } : f.clearKey ? { apiKey: '' } : {}),
    models: f.models,
    shownModels: f.shown.filter((m) => f.models.includes(m)),
    defaultModel: f.defaultModel,
    route: { mode: f.routeMode, ...(f.routeMode === 'proxy' && f.proxyUrl.trim() ? { proxyUrl: f.proxyUrl.trim() } : {}) },
  };
}

function Editor({ initial, marker, onDone }: { initial: Form; marker: string | null; onDone(): void }): React.JSX.Element {
  const { t } = useTranslation();
  const saveProvider = useStore((s) => s.saveProvider);
  const fetchModels = useStore((s) => s.fetchModels);
  const [f, setF] = useState<Form>(initial);
  const [status, setStatus] = useState<string>('');
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof Form>(k: K, v: Form[K]): void => setF((x) => ({ ...x, [k]: v }));

  const onPreset = (preset: PresetId): void => {
    const next = formFrom(undefined, preset);
    setF((x) => ({ ...next, id: x.id, apiKey: x.id ? x.apiKey : next.apiKey }));
  };
  const onFetch = async (): Promise<void> => {
    setBusy(true);
    setStatus(t('providers.fetching'));
    const models = await fetchModels(draftOf(f));
    setBusy(false);
    if (!models) {
      const code = useStore.getState().error?.code;
      setStatus(code ? `${codeTitle(code)} (${code})` : '');
      return;
    }
    setF((x) => ({ ...x, models: [...new Set([...x.models, ...models])], defaultModel: x.defaultModel || models[0] || '' }));
    setStatus(t('providers.fetched', { count: models.length }));
  };
  const onSubmit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    const ok = await saveProvider(draftOf(f));
    setBusy(false);
    if (ok) onDone();
    else {
      const code = useStore.getState().error?.code;
      setStatus(t('settings.status.failed', { title: code ? `${codeTitle(code)} (${code})` : '' }));
    }
  };
  const addModel = (): void => {
    const m = f.newModel.trim();
    if (!m) return;
    setF((x) => ({ ...x, models: x.models.includes(m) ? x.models : [...x.models, m], defaultModel: x.defaultModel || m, newModel: '' }));
  };

  return (
    <form className="provider-editor card" data-testid="provider-editor" onSubmit={(e) => void onSubmit(e)} noValidate>
      <div className="field-row">
        <div className="field">
          <label htmlFor="p-preset">{t('providers.preset')}</label>
          <select id="p-preset" data-testid="provider-preset" value={f.preset} onChange={(e) => onPreset(e.target.value as PresetId)}>
            {PRESETS.map((p) => (
              <option key={p.id} value={p.id}>{p.name}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="p-name">{t('providers.name')}</label>
          <input id="p-name" data-testid="provider-name" maxLength={100} value={f.name} onChange={(e) => set('name', e.target.value)} />
        </div>
      </div>
      <div className="field-row">
        <div className="field narrow-2">
          <label htmlFor="p-protocol">{t('settings.provider.protocol')}</label>
          <select id="p-protocol" data-testid="settings-protocol" value={f.protocol} onChange={(e) => set('protocol', e.target.value as Protocol)}>
            {PROTOCOLS.map((p) => (
              <option key={p} value={p}>{t(`settings.provider.protocols.${p}`)}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="p-baseUrl">{t('settings.provider.baseUrl')}</label>
          <input id="p-baseUrl" data-testid="settings-baseUrl" type="url" inputMode="url" spellCheck={false} autoComplete="off" maxLength={2048} value={f.baseUrl} onChange={(e) => set('baseUrl', e.target.value)} />
        </div>
      </div>
      <div className="field">
        <label htmlFor="p-apiKey">{t('settings.provider.apiKey')}</label>
        <div className="input-row">
          <input
            id="p-apiKey"
            data-testid="settings-apiKey"
            type="password"
            spellCheck={false}
            autoComplete="new-password"
            maxLength={4096}
            placeholder={marker && !f.clearKey ? t('settings.provider.apiKeyPlaceholderKeep', { marker }) : t('settings.provider.apiKeyPlaceholderNone')}
            aria-describedby="p-apiKey-help"
            value={f.apiKey}
            onChange={(e) => set('apiKey', e.target.value)}
          />
          {marker ? (
            <button type="button" className="secondary" data-testid="settings-apiKey-clear" aria-pressed={f.clearKey} onClick={() => setF((x) => ({ ...x, clearKey: !x.clearKey, apiKey: '' }))}>
              {f.clearKey ? t('settings.provider.apiKeyUndoClear') : t('settings.provider.apiKeyClear')}
            </button>
          ) : null}
        </div>
        <p id="p-apiKey-help" className="help" data-testid="settings-apiKey-marker">
          {f.clearKey ? <span className="warning-text">{t('settings.provider.apiKeyClearConfirmed')}</span> : marker ? <>{t('settings.provider.apiKeyStored', { marker: '' })}<code className="code">{marker}</code></> : t('settings.provider.apiKeyNone')}{' '}
          {t('settings.provider.apiKeyHelp')}
        </p>
      </div>
      <div className="field-row">
        <div className="field narrow-2">
          <label htmlFor="p-route">{t('providers.route')}</label>
          <select id="p-route" data-testid="provider-route" value={f.routeMode} onChange={(e) => set('routeMode', e.target.value as RouteMode)}>
            {ROUTE_MODES.map((m) => (
              <option key={m} value={m}>{t(`providers.routes.${m}`)}</option>
            ))}
          </select>
        </div>
        {f.routeMode === 'proxy' ? (
          <div className="field">
            <label htmlFor="p-proxyUrl">{t('providers.routeProxyUrl')}</label>
            <input id="p-proxyUrl" data-testid="provider-proxyUrl" spellCheck={false} autoComplete="off" maxLength={2048} placeholder={t('settings.network.proxyUrlPlaceholder')} value={f.proxyUrl} onChange={(e) => set('proxyUrl', e.target.value)} />
          </div>
        ) : null}
      </div>
      <fieldset className="models">
        <legend>{t('providers.models')}</legend>
        <div className="input-row">
          <button type="button" className="secondary" data-testid="provider-fetch-models" disabled={busy || !f.baseUrl.trim()} onClick={() => void onFetch()}>
            {t('providers.fetchModels')}
          </button>
          <input aria-label={t('providers.addModel')} data-testid="settings-model" placeholder={t('providers.addModel')} maxLength={200} value={f.newModel} onChange={(e) => set('newModel', e.target.value)} onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); addModel(); } }} />
          <button type="button" className="secondary" data-testid="provider-model-add" onClick={addModel}>{t('providers.addModelButton')}</button>
        </div>
        {f.models.length ? (
          <>
            <div className="field">
              <label htmlFor="p-default">{t('providers.defaultModel')}</label>
              <select id="p-default" data-testid="provider-defaultModel" value={f.defaultModel} onChange={(e) => set('defaultModel', e.target.value)}>
                {f.models.map((m) => (
                  <option key={m} value={m}>{m}</option>
                ))}
              </select>
            </div>
            <div className="model-list" role="group" aria-label={t('providers.shown')}>
              <div className="muted small">{t('providers.shown')}</div>
              {f.models.slice(0, 500).map((m) => (
                <label key={m} className="model-check">
                  <input type="checkbox" data-testid="provider-model-shown" value={m} checked={f.shown.includes(m)} onChange={(e) => set('shown', e.target.checked ? [...f.shown, m] : f.shown.filter((x) => x !== m))} /> {m}
                </label>
              ))}
            </div>
          </>
        ) : null}
      </fieldset>
      <div className="form-actions">
        <button type="submit" className="primary" data-testid="provider-save" disabled={busy}>{t('providers.save')}</button>
        <button type="button" className="secondary" onClick={onDone}>{t('chat.cancelEdit')}</button>
        <span className="status" role="status" aria-live="polite" data-testid="provider-status">{status}</span>
      </div>
    </form>
  );
}

export function ProvidersSection(): React.JSX.Element {
  const { t } = useTranslation();
  const view = useStore((s) => s.view);
  const saveSettings = useStore((s) => s.saveSettings);
  const deleteProvider = useStore((s) => s.deleteProvider);
  const runDoctorFor = useStore((s) => s.runDoctorFor);
  const [editing, setEditing] = useState<string | 'new' | null>(null);
  const [preset, setPreset] = useState<PresetId>('openai');
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
              <Editor initial={formFrom(p)} marker={p.apiKeyMarker} onDone={() => setEditing(null)} />
            ) : (
              <div className="card provider-card">
                <div>
                  <strong>{p.name}</strong> {p.id === defaultId ? <span className="badge">{t('providers.default')}</span> : null}
                  <div className="muted small"><code className="code">{p.baseUrl}</code> · {t(`settings.provider.protocols.${p.protocol}`)} · {t(`providers.routes.${p.route.mode}`)}</div>
                  <div className="muted small" data-testid="provider-key">{p.apiKeyMarker ? <code className="code">{p.apiKeyMarker}</code> : t('settings.provider.apiKeyNone')} · {p.defaultModel || p.models[0] || '—'}</div>
                </div>
                <div className="actions">
                  <button type="button" className="secondary" data-testid="provider-edit" onClick={() => setEditing(p.id)}>{t('providers.edit')}</button>
                  {p.id !== defaultId ? (
                    <button type="button" className="secondary" onClick={() => void saveSettings({ defaults: { providerId: p.id, model: p.defaultModel || p.models[0] || '' } }, ['defaults'])}>{t('providers.makeDefault')}</button>
                  ) : null}
                  <button type="button" className="secondary" data-testid="provider-test" onClick={() => void runDoctorFor(p.id)}>{t('providers.test')}</button>
                  <button type="button" className="secondary danger" onClick={() => window.confirm(t('providers.removeConfirm', { name: p.name })) && void deleteProvider(p.id)}>{t('providers.remove')}</button>
                </div>
              </div>
            )}
          </li>
        ))}
      </ul>
      {editing === 'new' ? (
        <Editor initial={formFrom(undefined, preset)} marker={null} onDone={() => setEditing(null)} />
      ) : (
        <div className="input-row add-provider">
          <label className="visually-hidden" htmlFor="p-add-preset">{t('providers.preset')}</label>
          <select id="p-add-preset" data-testid="provider-add-preset" value={preset} onChange={(e) => setPreset(e.target.value as PresetId)}>
            {PRESETS.map((p) => (
              <option key={p.id} value={p.id}>{p.name}</option>
            ))}
          </select>
          <button type="button" className="primary" data-testid="provider-add" onClick={() => setEditing('new')}>{t('providers.add')}</button>
        </div>
      )}
    </section>
  );
}
