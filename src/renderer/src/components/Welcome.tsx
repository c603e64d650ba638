/**
 * First run: no empty screen. Providers that the environment, the login shell or a local Ollama already
 * name are offered, each with one click to test it (the doctor) and keep it; the key stays a `${VAR}`.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DetectedProvider } from '../../../shared/ipc.ts';
import { WORKING_VERDICTS } from '../../../shared/doctor.ts';
import { call } from '../api.ts';
import { codeTitle } from '../i18n.ts';
import { useStore } from '../store.ts';
import { useChat } from '../chat-store.ts';
import { PRESETS, type PresetId } from '../../../shared/constants.ts';
import type { ErrorInfo } from '../../../shared/errors.ts';
import { errorMessage } from '../error-words.ts';
import { providerDefaultModel } from '../../../shared/model-choice.ts';
import { usePresetName } from './settings/provider-form.ts';

type Tried = { state: 'testing' } | { state: 'done'; verdict: string; works: boolean };

export function Welcome(): React.JSX.Element {
  const { t } = useTranslation();
  const detect = useStore((s) => s.detectProviders);
  const saveProvider = useStore((s) => s.saveProvider);
  const setSection = useStore((s) => s.setSection);
  const addProvider = useStore((s) => s.addProvider);
  const providers = useStore((s) => s.view?.providers);
  const hasProvider = (providers?.length ?? 0) > 0;
  const defaultId = useStore((s) => s.view?.settings.defaults.providerId ?? null);
  const newChat = useChat((s) => s.newChat);
  const update = useChat((s) => s.update);
  /** A new chat with a configured provider (its default model). */
  const chatWith = async (id: string, model: string): Promise<void> => {
    await newChat();
    const conv = useChat.getState().page?.conversation;
    if (conv && (conv.providerId !== id || (model && conv.model !== model))) await update(conv.id, { providerId: id, model: model || null });
  };
  const [found, setFound] = useState<DetectedProvider[] | null>(null);
  const presetName = usePresetName();
  /** A found provider's name: its preset's, in the window's language, when main named it after the preset. */
  const nameOf = (d: DetectedProvider): string => (PRESETS.find((p) => p.id === d.preset)?.name === d.name ? presetName(d.preset) : d.name);
  const [tried, setTried] = useState<Record<string, Tried>>({});
  /** A service picked in the grid: its key typed here starts a chat at once (the full form is one click away). */
  const [picked, setPicked] = useState<PresetId | null>(null);
  const [key, setKey] = useState('');
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState<ErrorInfo | null>(null);
  const pick = (id: PresetId): void => {
    const preset = PRESETS.find((p) => p.id === id);
    // Local servers and custom addresses need their address: the full form.
    if (!preset?.keyVar) return addProvider(id);
    setPicked(id);
    setKey('');
    setStartError(null);
  };
  const startWith = async (id: PresetId): Promise<void> => {
    const preset = PRESETS.find((p) => p.id === id);
    if (!preset || !key.trim() || starting) return;
    setStarting(true);
    setStartError(null);
    const model = preset.model ?? '';
    const ok = await saveProvider({ name: presetName(id), preset: id, protocol: preset.protocol, baseUrl: preset.baseUrl, apiKey: key.trim(), models: model ? [model] : [], defaultModel: model });
    setStarting(false);
    if (!ok) {
      setStartError(useStore.getState().saveError);
      return;
    }
    setKey('');
    const saved = useStore.getState().view?.providers.find((p) => p.preset === id && p.baseUrl === preset.baseUrl);
    if (saved) await chatWith(saved.id, providerDefaultModel(saved));
  };

  useEffect(() => {
    let alive = true;
    void detect().then((d) => alive && setFound(d));
    return () => {
      alive = false;
    };
  }, [detect]);

  const keep = async (d: DetectedProvider): Promise<void> => {
    const key = `${d.preset}|${d.baseUrl}`;
    setTried((s) => ({ ...s, [key]: { state: 'testing' } }));
    const ok = await saveProvider({ name: d.name, preset: d.preset, protocol: d.protocol, baseUrl: d.baseUrl, ...(d.apiKey ? { apiKey: d.apiKey } : {}) });
    if (!ok) return setTried((s) => ({ ...s, [key]: { state: 'done', verdict: 'config_invalid', works: false } }));
    const view = useStore.getState().view;
    const saved = view?.providers.find((p) => p.baseUrl === d.baseUrl && p.preset === d.preset);
    // Fill its models so the chat can start at once; then the doctor says whether it works.
    if (saved) {
      const models = await useStore.getState().fetchModels(saved.id);
      if (models?.length) await saveProvider({ id: saved.id, name: saved.name, preset: saved.preset, protocol: saved.protocol, baseUrl: saved.baseUrl, models, defaultModel: saved.defaultModel || models[0] });
    }
    const r = await call('doctorRun', (api) => (saved ? api.doctorRun({ providerId: saved.id }) : api.doctorRun()));
    const verdict = r.ok ? r.value.verdict : r.error.code;
    setTried((s) => ({ ...s, [key]: { state: 'done', verdict, works: r.ok && WORKING_VERDICTS.includes(r.value.verdict) } }));
  };

  return (
    <section className="welcome panel" data-testid="welcome" aria-labelledby="welcome-title">
      <h1 id="welcome-title">{t('welcome.title')}</h1>
      <p className="muted">{t('welcome.intro')}</p>
      {hasProvider ? (
        <>
          {/* Providers already in the settings: named, each one click from a chat. */}
          <h2>{t('welcome.configured')}</h2>
          <ul className="detected">
            {(providers ?? []).map((p) => {
              const model = providerDefaultModel(p);
              return (
                <li key={p.id} className="card detected-item" data-testid="welcome-configured" data-id={p.id}>
                  <div>
                    <strong>{p.name}</strong> {p.id === defaultId ? <span className="badge">{t('providers.default')}</span> : null}
                    <div className="muted small"><code className="code">{p.baseUrl}</code>{model ? <> · {model}</> : null}</div>
                  </div>
                  <button type="button" className="primary" data-testid="welcome-chat" onClick={() => void chatWith(p.id, model)}>
                    {t('welcome.chatWith', { name: p.name })}
                  </button>
                </li>
              );
            })}
          </ul>
        </>
      ) : null}
      <h2>{t(hasProvider ? 'welcome.foundMore' : 'welcome.found')}</h2>
      {found === null ? (
        <p className="muted" role="status">{t('app.loading')}</p>
      ) : found.length === 0 ? (
        <p className="muted" data-testid="welcome-none">{t(hasProvider ? 'welcome.noneMore' : 'welcome.none')}</p>
      ) : (
        <ul className="detected">
          {found.map((d) => {
            const key = `${d.preset}|${d.baseUrl}`;
            const st = tried[key];
            return (
              <li key={key} className="card detected-item" data-testid="detected" data-preset={d.preset}>
                <div>
                  <strong>{nameOf(d)}</strong> <span className="muted small">{t('welcome.from', { source: t(`welcome.sources.${d.source}`) })}</span>
                  <div className="muted small"><code className="code">{d.baseUrl}</code>{d.apiKey ? <> · <code className="code">{d.apiKey}</code></> : null}</div>
                  {st?.state === 'done' ? (
                    <p className={st.works ? 'status-saved' : 'status-error'} data-testid="detected-verdict" data-verdict={st.verdict}>
                      {st.works ? t('welcome.works', { verdict: codeTitle(st.verdict) }) : t('welcome.fails', { verdict: codeTitle(st.verdict) })}
                    </p>
                  ) : null}
                </div>
                <button type="button" className="primary" data-testid="detected-keep" disabled={d.configured || st?.state === 'testing'} onClick={() => void keep(d)}>
                  {d.configured || st?.state === 'done' ? t('welcome.kept') : st?.state === 'testing' ? t('welcome.testing') : t('welcome.keep')}
                </button>
              </li>
            );
          })}
        </ul>
      )}
      {!hasProvider ? (
        <>
          {/* Nothing configured: the usual services, one click from their form (protocol and address filled in). */}
          <h2>{t('welcome.presets')}</h2>
          <ul className="preset-grid" data-testid="welcome-presets">
            {PRESETS.filter((p) => p.id !== 'custom').map((p) => (
              <li key={p.id}>
                <button type="button" className="secondary preset-button" data-testid="welcome-preset" data-preset={p.id} aria-expanded={p.keyVar ? picked === p.id : undefined} onClick={() => pick(p.id)}>
                  <strong>{presetName(p.id)}</strong>
                  <span className="muted small">{p.local ? t('welcome.presetLocal') : p.keyVar ? t('welcome.presetKey') : t('welcome.presetUrl')}</span>
                </button>
              </li>
            ))}
          </ul>
          {picked ? (
            <form className="card welcome-key" data-testid="welcome-key-form" onSubmit={(e) => { e.preventDefault(); void startWith(picked); }}>
              <label htmlFor="welcome-key">{t('welcome.keyFor', { name: presetName(picked) })}</label>
              <input id="welcome-key" data-testid="welcome-key" type="password" autoComplete="off" spellCheck={false} autoFocus value={key} onChange={(e) => setKey(e.target.value)} aria-invalid={startError ? true : undefined} aria-describedby={startError ? 'welcome-key-error' : 'welcome-key-note'} />
              <p id="welcome-key-note" className="muted small">{t('welcome.keyNote')}</p>
              {startError ? <p id="welcome-key-error" className="status-error" role="alert" data-testid="welcome-key-error">{errorMessage(startError)}</p> : null}
              <div className="actions">
                <button type="submit" className="primary" data-testid="welcome-key-start" disabled={!key.trim() || starting}>{starting ? t('welcome.starting') : t('welcome.keyStart')}</button>
                <button type="button" className="secondary" data-testid="welcome-key-more" onClick={() => addProvider(picked)}>{t('welcome.keyMore')}</button>
              </div>
            </form>
          ) : null}
        </>
      ) : null}
      <div className="actions">
        {hasProvider ? (
          <button type="button" className="primary" data-testid="welcome-start" onClick={() => void newChat()}>
            {t('welcome.start')}
          </button>
        ) : null}
        <button type="button" className="secondary" data-testid="welcome-add" onClick={() => setSection('settings')}>
          {t('welcome.addOther')}
        </button>
      </div>
    </section>
  );
}
