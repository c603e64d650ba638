/**
 * The app's settings file, `<dataDir>/settings.json` (the same file the CLI reads): validated with the
 * shared schema, migrated from version 1 on first start, written atomically with owner-only permissions.
 * The CLI or a hand edit may change the file while the app runs: every change re-reads it first and applies only
 * what the change is about, and `get()` re-reads it when it changed on disk (its size, time or inode).
 * Secrets stay in main: the renderer gets a view with keys replaced by their shape and proxy passwords by a
 * placeholder. Changes from the window go through the rules of secure-input.ts.
 */
import { randomUUID } from 'node:crypto';
import { renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ParleyError } from '../core/errors.ts';
import { isEnvRef, maskUrlSecrets, unmaskUrlSecrets, type Env } from '../core/config.ts';
import { SECRET_PLACEHOLDER, type ProviderDraft, type ProviderView, type SettingsPatch, type SettingsView } from '../../shared/ipc.ts';
import { MAX_PROVIDERS, migrateSettings, storedSettingsSchema, type ProviderEntry, type StoredSettings } from '../../shared/settings.ts';
import { maskProxyValue, splitProxyUserinfo } from '../core/route/proxy-url.ts';
import { shapeMarker } from './redact.ts';
import { readSettingsFile } from './settings-file.ts';
import { baseOrigin, checkKeyVarOrigin, checkWindowValue } from './secure-input.ts';
import { ensurePrivateDir, writeFileAtomic } from './safe-write.ts';
import { checkBaseUrlField, checkProxyField, withField } from './settings-checks.ts';

export interface SettingsStore {
  readonly path: string;
  get(): StoredSettings;
  /** Applies a patch from the window (network, ui, logging, chat defaults) and saves. */
  update(patch: SettingsPatch): StoredSettings;
  /** Adds or changes a provider from the window; returns its id. */
  saveProvider(draft: ProviderDraft): string;
  deleteProvider(id: string): void;
  /** A provider as a request would use it: a draft is merged with the stored one by the same rules as saving. */
  providerFor(draftOrId: ProviderDraft | string): ProviderEntry;
  view(): SettingsView;
}

function parse(raw: unknown, path: string): StoredSettings {
  const r = storedSettingsSchema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new ParleyError('config_invalid', `Settings in ${path} are invalid at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}.`, {
    hop: 'config',
    phase: 'config',
    hint: 'Correct the value in the settings panel (or fix the file by hand).',
  });
}

/** A proxy URL cut at its userinfo by the proxy parser's own rule (last '@' ends the userinfo); a scheme is required. */
function splitProxy(url: string): { prefix: string; user: string; password: string | undefined; rest: string } | undefined {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)/i.exec(url);
  if (!m) return undefined;
  return splitProxyUserinfo(url) ?? { prefix: m[1] as string, user: '', password: undefined, rest: url.slice((m[1] as string).length) };
}

/** The host of `host:port/path` (an IPv6 literal keeps its brackets); the port does not matter for the password. */
function hostOf(rest: string): string {
  const authority = (rest.split(/[/?#]/)[0] ?? '').toLowerCase();
  if (authority.startsWith('[')) return authority.slice(0, authority.indexOf(']') + 1);
  return authority.split(':')[0] ?? '';
}

/**
 * The proxy URL with its password replaced by the placeholder (undefined stays undefined): the proxy parser's
 * own masking (route/proxy-url.ts, last '@' ends the userinfo), with its `***` shown as the placeholder.
 */
export function maskProxyUrl(url: string | undefined): string | undefined {
  if (!url) return url;
  return maskProxyValue(url, SECRET_PLACEHOLDER);
}

/**
 * A base URL as the window sees it: its userinfo and query values (`?key=…`, `?sig=…`) replaced by the
 * placeholder (sent back unchanged, they keep the stored values).
 */
export function maskBaseUrl(url: string): string {
  return maskUrlSecrets(url, SECRET_PLACEHOLDER);
}

/** A base URL from the window: where it shows the placeholder, the stored value is put back (same scheme, host, path and parameter only). */
export function unmaskBaseUrl(next: string, stored: string | undefined): string {
  const out = unmaskUrlSecrets(next, stored, SECRET_PLACEHOLDER);
  if (out === undefined) {
    throw new ParleyError('config_invalid', 'The base URL changed, but a value in it is the placeholder of the old one.', {
      hop: 'config',
      phase: 'config',
      hint: 'Type the key (or other value) in the base URL again.',
    });
  }
  return out;
}

/** A proxy URL from the window: where its password is the placeholder, the stored password is kept (same host and user only). */
export function unmaskProxyUrl(next: string | undefined, stored: string | undefined): string | undefined {
  if (!next) return next;
  const n = splitProxy(next);
  if (!n || (n.password !== SECRET_PLACEHOLDER && n.password !== encodeURIComponent(SECRET_PLACEHOLDER))) return next;
  const s = stored ? splitProxy(stored) : undefined;
  // The stored password goes only to the proxy it was typed for.
  if (!s || s.password === undefined || hostOf(n.rest) !== hostOf(s.rest) || n.user !== s.user) {
    throw new ParleyError('config_invalid', 'The proxy host or user changed, but the password is the placeholder of the old one.', {
      hop: 'config',
      phase: 'config',
      hint: 'Type the proxy password again for the new proxy.',
    });
  }
  return `${n.prefix}${n.user}:${s.password}@${n.rest}`;
}

function keyMarker(apiKey: string | undefined): string | null {
  if (!apiKey) return null;
  return isEnvRef(apiKey) ? apiKey : shapeMarker(apiKey);
}

export function providerView(p: ProviderEntry): ProviderView {
  const { apiKey, ...rest } = p;
  return { ...rest, baseUrl: maskBaseUrl(rest.baseUrl), route: { ...rest.route, proxyUrl: maskProxyUrl(rest.route.proxyUrl) }, apiKeyMarker: keyMarker(apiKey) };
}

/** `${…}` is refused in model names from the window: the core would expand them. */
function checkPlain(values: (string | undefined | null)[], field: string): void {
  for (const v of values) if (v) checkWindowValue(v, 'plain', field);
}

export function createSettingsStore(dataDir: string, env: Env = {}): SettingsStore {
  const path = join(dataDir, 'settings.json');
  let current: StoredSettings | undefined;
  /** What the file was when `current` was read: a different one (another process wrote it) is read again. */
  let seen = '';
  const stamp = (): string => {
    const st = statSync(path, { throwIfNoEntry: false });
    return st ? `${st.ino}:${st.size}:${st.mtimeMs}` : 'none';
  };
  /** Temp file beside it, then rename: the CLI never reads half a file; a failed write leaves no temp file. */
  const save = (s: StoredSettings): void => {
    ensurePrivateDir(dirname(path));
    writeFileAtomic(path, JSON.stringify(s, null, 2) + '\n', { mode: 0o600, what: 'the settings file' });
  };
  const load = (): StoredSettings => {
    const before = stamp();
    const raw = readSettingsFile(path);
    const { value, migrated } = migrateSettings(raw);
    const s = parse(value, path);
    if (migrated) {
      // Version 1 → 2 on first start; the old file is kept beside it.
      try {
        writeFileAtomic(`${path}.v1`, JSON.stringify(raw, null, 2) + '\n', { mode: 0o600 });
      } catch { /* the migrated file is what matters */ }
      save(s);
      seen = stamp();
    } else seen = before;
    return s;
  };
  /**
   * The settings to change, read again from the file (the CLI or a hand edit may have changed it since): a change
   * merges into what is on disk now, never into an old copy. A broken file must not lock the user out (kept
   * aside, defaults used).
   */
  const base = (): StoredSettings => {
    try {
      current = load();
      return current;
    } catch {
      try {
        renameSync(path, `${path}.broken-${Date.now()}`);
      } catch { /* nothing to keep */ }
      return parse({}, path);
    }
  };
  const commit = (next: unknown): StoredSettings => {
    const s = parse(next, path);
    save(s);
    current = s;
    seen = stamp();
    return s;
  };

  /** Merges a draft from the window with the stored provider, applying the key and variable rules. */
  const merge = (shown: ProviderDraft, old: ProviderEntry | undefined): ProviderEntry => {
    // The core's checks, on the values as the window shows them (a secret in them stays the placeholder in
    // a message or a corrected URL): a base URL that cannot work, a route proxy URL the parser refuses.
    checkBaseUrlField(shown.baseUrl, shown.protocol);
    if (shown.route?.mode === 'proxy') checkProxyField(shown.route.proxyUrl, true, 'The route is "through a proxy", but no proxy URL is set.');
    const draft = { ...shown, baseUrl: withField('baseUrl', () => unmaskBaseUrl(shown.baseUrl, old?.baseUrl)) };
    if (draft.baseUrl !== old?.baseUrl) withField('baseUrl', () => checkWindowValue(draft.baseUrl, 'url', 'base URL'));
    const proxyUrl = draft.route ? withField('proxyUrl', () => unmaskProxyUrl(draft.route?.proxyUrl, old?.route.proxyUrl)) : old?.route.proxyUrl;
    if (draft.route && proxyUrl !== old?.route.proxyUrl) withField('proxyUrl', () => checkWindowValue(proxyUrl, 'url', 'proxy URL'));
    checkPlain([draft.defaultModel, ...(draft.models ?? []), ...(draft.shownModels ?? [])], 'model name');
    let apiKey: string | undefined;
    if (draft.apiKey === undefined) {
      // The stored key stays bound to its origin: moving the base URL elsewhere drops it.
      const same = old && baseOrigin(old.baseUrl, env) !== undefined && baseOrigin(old.baseUrl, env) === baseOrigin(draft.baseUrl, env);
      apiKey = same ? old.apiKey : undefined;
    } else if (draft.apiKey !== '') {
      const key = draft.apiKey;
      withField('apiKey', () => {
        checkWindowValue(key, 'key', 'API key');
        checkKeyVarOrigin(key, draft.baseUrl, env);
      });
      apiKey = draft.apiKey.trim();
    }
    const entry: ProviderEntry = {
      ...(old ?? { models: [], shownModels: [], defaultModel: '', contextTokens: {}, route: { mode: 'global' } }),
      id: draft.id ?? old?.id ?? randomUUID().slice(0, 8),
      name: draft.name,
      preset: draft.preset,
      protocol: draft.protocol,
      baseUrl: draft.baseUrl.trim(),
      models: draft.models ?? old?.models ?? [],
      shownModels: draft.shownModels ?? old?.shownModels ?? [],
      defaultModel: draft.defaultModel ?? old?.defaultModel ?? '',
      route: { mode: draft.route?.mode ?? old?.route.mode ?? 'global', ...(proxyUrl ? { proxyUrl } : {}) },
    };
    if (apiKey) entry.apiKey = apiKey;
    else delete entry.apiKey;
    return entry;
  };

  const store: SettingsStore = {
    path,
    get() {
      if (!current || stamp() !== seen) current = load();
      return current;
    },
    update(patch) {
      const old = base();
      const p = patch ?? {};
      let network = old.network;
      if (p.network) {
        const proxy = { ...old.network.proxy, ...(p.network.proxy ?? {}) };
        proxy.url = withField('proxyUrl', () => unmaskProxyUrl(proxy.url, old.network.proxy.url));
        if (proxy.url !== old.network.proxy.url) withField('proxyUrl', () => checkWindowValue(proxy.url, 'url', 'proxy URL'));
        if (proxy.bypass !== old.network.proxy.bypass) withField('bypass', () => checkWindowValue(proxy.bypass, 'plain', 'bypass list'));
        const caFiles = p.network.caFiles ?? old.network.caFiles;
        for (const f of caFiles) if (!old.network.caFiles.includes(f)) withField('caFiles', () => checkWindowValue(f, 'plain', 'CA file path'));
        network = { ...old.network, ...p.network, proxy, caFiles, timeouts: { ...old.network.timeouts, ...(p.network.timeouts ?? {}) } };
      }
      const defaults = { ...old.defaults, ...(p.defaults ?? {}) };
      if (defaults.model !== old.defaults.model) checkPlain([defaults.model], 'model name');
      return commit({ ...old, network, defaults, ui: { ...old.ui, ...(p.ui ?? {}) }, logging: { ...old.logging, ...(p.logging ?? {}) } });
    },
    saveProvider(draft) {
      const old = base();
      const existing = draft.id ? old.providers.find((x) => x.id === draft.id) : undefined;
      if (draft.id && !existing) throw new ParleyError('config_invalid', `No provider with id ${draft.id}.`, { hop: 'config', phase: 'config' });
      if (!existing && old.providers.length >= MAX_PROVIDERS) throw new ParleyError('limit_exceeded', `At most ${MAX_PROVIDERS} providers can be configured.`, { hop: 'config', phase: 'config' });
      const entry = merge(draft, existing);
      const providers = existing ? old.providers.map((x) => (x.id === entry.id ? entry : x)) : [...old.providers, entry];
      const defaults = old.defaults.providerId && providers.some((x) => x.id === old.defaults.providerId)
        ? old.defaults
        : { ...old.defaults, providerId: entry.id, model: entry.defaultModel || entry.models[0] || '' };
      commit({ ...old, providers, defaults });
      return entry.id;
    },
    deleteProvider(id) {
      const old = base();
      const providers = old.providers.filter((x) => x.id !== id);
      const defaults = old.defaults.providerId === id ? { ...old.defaults, providerId: providers[0]?.id ?? null, model: providers[0]?.defaultModel ?? '' } : old.defaults;
      commit({ ...old, providers, defaults });
    },
    providerFor(draftOrId) {
      const s = store.get();
      if (typeof draftOrId === 'string') {
        const p = s.providers.find((x) => x.id === draftOrId);
        if (!p) throw new ParleyError('config_invalid', `No provider with id ${draftOrId}.`, { hop: 'config', phase: 'config', hint: 'Choose a provider in Settings → Providers.' });
        return p;
      }
      const existing = draftOrId.id ? s.providers.find((x) => x.id === draftOrId.id) : undefined;
      return merge(draftOrId, existing);
    },
    view() {
      const s = store.get();
      const { providers, ...rest } = s;
      return {
        settings: { ...rest, network: { ...rest.network, proxy: { ...rest.network.proxy, url: maskProxyUrl(rest.network.proxy.url) } } },
        providers: providers.map(providerView),
      };
    },
  };
  return store;
}
