/**
 * Providers as the network core sees them: one configured provider plus the network settings become the
 * core's connection settings (the provider's route decides the proxy). Also first-run detection: providers
 * the environment, the login shell or a local Ollama already name.
 */
import { ParleyError } from '../../core/errors.ts';
import { words } from '../../../shared/messages/en.ts';
import type { Env } from '../../core/config.ts';
import type { DetectedProvider } from '../../../shared/ipc.ts';
import * as v from 'valibot';
import { PRESETS, isKeychainRef, migrateSettings, storedSettingsSchema, type ConnectionSettingsInput, type ProviderEntry, type StoredSettings } from '../../../shared/settings.ts';
import { providerDefaultModel } from '../../../shared/model-choice.ts';
import { baseOrigin } from './secure-input.ts';
import { proxyKeychainRef } from './secrets.ts';
import type { SettingsStore } from './store.ts';

/**
 * A key or proxy password this provider would use that is still a `keychain:` reference: the app could not
 * read it (the keychain changed, the entry is damaged). The request is refused asking for it again.
 */
export function keychainProblem(settings: Pick<StoredSettings, 'network'>, provider: ProviderEntry): ParleyError | undefined {
  const name = provider.name;
  if (isKeychainRef(provider.apiKey)) {
    return new ParleyError('config_invalid', words('keychain_unreadable', { name }), { hop: 'config', phase: 'config', field: 'apiKey' });
  }
  const proxyUrl = provider.route.mode === 'proxy' ? provider.route.proxyUrl : provider.route.mode === 'global' && settings.network.proxy.mode === 'manual' ? settings.network.proxy.url : undefined;
  if (proxyKeychainRef(proxyUrl)) {
    const where = provider.route.mode === 'proxy' ? `Settings → Providers, "${name}"` : 'Settings → Network';
    return new ParleyError('config_invalid', words('keychain_unreadable_proxy', { name }, { where }), { hop: 'config', phase: 'config', field: 'proxyUrl' });
  }
  return undefined;
}

/**
 * The settings store as the chat sees it: a provider whose stored key cannot be read is refused when the chat
 * picks it (before a message is added), saying to type the key again.
 */
export function chatSettings(store: SettingsStore): SettingsStore {
  return {
    ...store,
    providerFor(which) {
      const p = store.providerFor(which);
      const problem = keychainProblem(store.get(), p);
      if (problem) throw problem;
      return p;
    },
  };
}

/**
 * The command line cannot decrypt the app's keychain: a key (or proxy password) it would read from settings.json
 * that is a `keychain:` reference is refused, naming what to pass instead (exit 2, config_invalid).
 */
export function cliKeychainCheck(raw: { provider: { apiKey?: unknown }; network: { proxy?: { mode?: unknown; url?: unknown } } }, providerName?: string): void {
  const which = providerName ? `provider "${providerName}"` : 'the default provider';
  if (isKeychainRef(raw.provider.apiKey)) {
    throw new ParleyError('config_invalid', `The API key of ${which} is stored in the Parley app's keychain, which the command line cannot read.`, {
      hop: 'config', phase: 'config', field: 'apiKey',
      hint: 'Pass --api-key KEY (for example --api-key "$OPENAI_API_KEY"), or set the key in the app as a ${VAR} reference (e.g. ${OPENAI_API_KEY}) and export that variable.',
    });
  }
  const proxy = raw.network.proxy;
  if (proxy?.mode === 'manual' && typeof proxy.url === 'string' && proxyKeychainRef(proxy.url)) {
    throw new ParleyError('config_invalid', `The proxy password for ${which} is stored in the Parley app's keychain, which the command line cannot read.`, {
      hop: 'config', phase: 'config', field: 'proxyUrl',
      hint: 'Pass --proxy URL with the password (or a ${VAR} in it, e.g. http://user:${PROXY_PASSWORD}@proxy:3128).',
    });
  }
}

/** The core's settings for one provider and model (values still hold their `${VAR}`s; the core expands them). */
export function connectionFor(settings: Pick<StoredSettings, 'network'>, provider: ProviderEntry, model: string | undefined): ConnectionSettingsInput {
  const problem = keychainProblem(settings, provider);
  if (problem) throw problem;
  return rawConnection(settings, provider, model);
}

/** connectionFor without the keychain check (the CLI checks after its own options apply). */
function rawConnection(settings: Pick<StoredSettings, 'network'>, provider: ProviderEntry, model: string | undefined): ConnectionSettingsInput {
  const network = structuredClone(settings.network);
  if (provider.route.mode === 'direct') network.proxy = { ...network.proxy, mode: 'none' };
  if (provider.route.mode === 'proxy') network.proxy = { ...network.proxy, mode: 'manual', url: provider.route.proxyUrl };
  const chosen = model || providerDefaultModel(provider);
  return {
    provider: {
      protocol: provider.protocol,
      baseUrl: provider.baseUrl,
      ...(provider.apiKey ? { apiKey: provider.apiKey } : {}),
      model: chosen,
      ...(provider.anthropicVersion ? { anthropicVersion: provider.anthropicVersion } : {}),
    },
    network,
  };
}

/** The provider named on the command line (by name or id, case-insensitive), else the default one. */
export function pickProvider(settings: StoredSettings, name?: string): ProviderEntry | undefined {
  if (name) {
    const n = name.toLowerCase();
    const p = settings.providers.find((x) => x.id.toLowerCase() === n) ?? settings.providers.find((x) => x.name.toLowerCase() === n);
    if (!p) {
      const known = settings.providers.map((x) => x.name).join(', ') || 'none';
      throw new ParleyError('config_invalid', `No provider named "${name}" in settings.json (configured: ${known}).`, { hop: 'config', phase: 'config', hint: 'Use the name shown in the app under Settings → Providers, or give --base-url and --api-key.' });
    }
    return p;
  }
  return settings.providers.find((x) => x.id === settings.defaults.providerId) ?? settings.providers[0];
}

/**
 * What the CLI reads from a settings file of either version: `{ provider, network }` for the chosen (or
 * default) provider; the command line's options are applied on top by the caller.
 */
export function fileConnection(file: unknown, providerName?: string): { provider: Record<string, unknown>; network: Record<string, unknown> } {
  const { value } = migrateSettings(file);
  const parsed = v.safeParse(storedSettingsSchema, value);
  if (!parsed.success) {
    if (providerName) throw new ParleyError('config_invalid', `settings.json is invalid, so --provider ${providerName} cannot be read from it.`, { hop: 'config', phase: 'config' });
    const o = (typeof file === 'object' && file !== null ? file : {}) as Record<string, unknown>;
    return { provider: (o.provider ?? {}) as Record<string, unknown>, network: (o.network ?? {}) as Record<string, unknown> };
  }
  const s = parsed.output;
  const p = pickProvider(s, providerName);
  if (!p) return { provider: {}, network: s.network as unknown as Record<string, unknown> };
  const c = rawConnection(s, p, undefined);
  return { provider: c.provider as Record<string, unknown>, network: c.network as Record<string, unknown> };
}

export interface DetectOptions {
  env: Env;
  loginShellEnv?: Env;
  configured: ProviderEntry[];
  /** Whether something answers as Ollama at this base URL (the app probes the default local port). */
  probeOllama?: (baseUrl: string) => Promise<boolean>;
}

function ollamaBase(host: string): string {
  const h = host.trim();
  if (/^https?:\/\//i.test(h)) return h.replace(/\/+$/, '');
  return `http://${h.includes(':') ? h : `${h}:11434`}`;
}

/** Providers that the environment, the login shell and a local Ollama name; keys as `${VAR}` references. */
export async function detectProviders(opts: DetectOptions): Promise<DetectedProvider[]> {
  const out: DetectedProvider[] = [];
  const configuredOrigins = new Set(opts.configured.map((p) => baseOrigin(p.baseUrl, opts.env)).filter(Boolean));
  const add = (d: Omit<DetectedProvider, 'configured'>, env: Env): void => {
    if (out.some((x) => x.preset === d.preset && x.baseUrl === d.baseUrl)) return;
    out.push({ ...d, configured: configuredOrigins.has(baseOrigin(d.baseUrl, env)) });
  };
  const sources: [Env, DetectedProvider['source']][] = [[opts.env, 'environment']];
  if (opts.loginShellEnv) sources.push([opts.loginShellEnv, 'login shell']);
  for (const [env, source] of sources) {
    for (const preset of PRESETS) {
      if (preset.id === 'ollama') {
        if (env.OLLAMA_HOST) add({ preset: 'ollama', name: preset.name, protocol: 'ollama', baseUrl: ollamaBase(env.OLLAMA_HOST), source }, env);
        continue;
      }
      if (!preset.keyVar || !env[preset.keyVar]) continue;
      const baseUrl = preset.baseUrlVar && env[preset.baseUrlVar] ? `\${${preset.baseUrlVar}}` : preset.baseUrl;
      add({ preset: preset.id, name: preset.name, protocol: preset.protocol, baseUrl, apiKey: `\${${preset.keyVar}}`, source }, env);
    }
  }
  const local = PRESETS.find((p) => p.id === 'ollama');
  if (local && !out.some((d) => d.preset === 'ollama') && opts.probeOllama && (await opts.probeOllama(local.baseUrl).catch(() => false))) {
    add({ preset: 'ollama', name: local.name, protocol: 'ollama', baseUrl: local.baseUrl, source: 'local port' }, opts.env);
  }
  return out;
}
