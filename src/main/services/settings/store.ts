/**
 * The app's settings file, `<dataDir>/settings.json` (the same file the CLI reads): validated with the
 * shared schema, migrated from version 1 on first start, written atomically with owner-only permissions.
 * The CLI or a hand edit may change the file while the app runs: every change re-reads it first and applies only
 * what the change is about, and `get()` re-reads it when it changed on disk (its size, time or inode).
 * Secrets stay in main: the renderer gets a view with keys replaced by their shape and proxy passwords by a
 * placeholder. Changes from the window go through the rules of secure-input.ts.
 * With a keychain (a SecretVault, secrets.ts), keys and proxy passwords are kept encrypted in secrets.json and the
 * file holds `keychain:<id>` in their place; `get()` returns them decrypted (main only). New secrets are sealed
 * first (prepareProvider, preparePatch: the encryption is asynchronous), then the synchronous save writes their
 * references. A reference that cannot be read stays as it is: the provider view says "type the key again".
 */
import { randomUUID } from 'node:crypto';
import { renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ParleyError } from '../../core/errors.ts';
import { words } from '../../../shared/messages/en.ts';
import { isEnvRef, maskUrlSecrets, unmaskUrlSecrets, type Env } from '../../core/config.ts';
import { SECRET_PLACEHOLDER, type KeychainState, type ProviderDraft, type ProviderView, type SettingsPatch, type SettingsView } from '../../../shared/ipc.ts';
import * as v from 'valibot';
import { MAX_PROVIDERS, issueText, isKeychainRef, migrateSettings, storedSettingsSchema, type ProviderEntry, type StoredSettings } from '../../../shared/settings.ts';
import { isPlainSecret, proxyKeychainRef, proxyUrlPassword, withProxyPassword, type SecretVault } from './secrets.ts';
import { existsSync } from 'node:fs';
import { maskProxyValue, splitProxyUserinfo } from '../../core/route/proxy-url.ts';
import { shapeMarker } from '../diagnostics/redact.ts';
import { readSettingsFile } from './file.ts';
import { findUnknown, MAX_UNKNOWN_NAMED, restoreUnknown, unknownKeyName, type UnknownKey } from './unknown.ts';
import { checkKeyVarOrigin, checkWindowValue, expandQuiet } from './secure-input.ts';
import { keyStaysWith } from '../../../shared/origin.ts';
import { ensurePrivateDir, writeFileAtomic } from '../safe-write.ts';
import { checkBaseUrlField, checkProxyField, withField } from './checks.ts';

export interface SettingsStore {
  readonly path: string;
  get(): StoredSettings;
  /** Applies a patch from the window (network, ui, logging, chat defaults) and saves. */
  update(patch: SettingsPatch): StoredSettings;
  /** What `update(patch)` would save, by the same rules, without saving it. */
  preview(patch: SettingsPatch): StoredSettings;
  /**
   * Changes the MCP servers (main only: the CLI, an import or an approval main asked for itself; the window has no
   * patch for them): `fn` gets the servers as the file holds them now.
   */
  updateMcpServers(fn: (servers: StoredSettings['mcpServers']) => StoredSettings['mcpServers']): StoredSettings;
  /**
   * Before updateMcpServers: encrypts the servers' new variable and header values (and proxy passwords) into the OS
   * keychain, so settings.json holds `keychain:` references for them. Without a real keychain: nothing (they stay
   * in the file, as keys do there).
   */
  prepareMcpServers(servers: StoredSettings['mcpServers']): Promise<void>;
  /**
   * Changes the sync settings (main only: the sync service, after its own checks and, where a secret would go
   * somewhere new, main's own confirmation): `fn` gets them as the file holds them now.
   */
  updateSync(fn: (sync: StoredSettings['sync']) => StoredSettings['sync']): StoredSettings;
  /** Changes Settings → Updates (main only: after its own checks and, for a new feed, its own dialog). */
  updateUpdates(fn: (updates: StoredSettings['updates']) => StoredSettings['updates']): StoredSettings;
  /** Keeps a sync secret (password, secret key, passphrase) in the OS keychain; its `keychain:` reference. */
  sealSecret(plain: string): Promise<string>;
  /** A `keychain:` reference's value (main only), or undefined when it cannot be read. */
  revealSecret(ref: string): string | undefined;
  /** Adds or changes a provider from the window; returns its id. */
  saveProvider(draft: ProviderDraft): string;
  deleteProvider(id: string): void;
  /** A provider as a request would use it: a draft is merged with the stored one by the same rules as saving. */
  providerFor(draftOrId: ProviderDraft | string): ProviderEntry;
  view(): SettingsView;
  /** The names of the file's keys Parley does not know, as last read (a typo: the view and the doctor name them). */
  unknownKeys(): string[];
  /** Where new keys go: 'none' without a keychain. */
  keychain(): KeychainState;
  /**
   * Before saveProvider: encrypts the draft's new key and route proxy password into the keychain. Where the OS
   * offers no protection ('basic_text'), a new secret is refused (config_invalid, key 'keychain_unprotected')
   * unless the draft says `storeUnprotected`. Without a keychain: nothing.
   */
  prepareProvider(draft: ProviderDraft): Promise<void>;
  /** Before update: encrypts a new global proxy password into the keychain (an OS keychain only). */
  preparePatch(patch: SettingsPatch): Promise<void>;
  /** Once at start: opens the keychain and, with a real one, moves plain keys and proxy passwords there. */
  openKeychain(): Promise<{ moved: number }>;
}

/**
 * Applies `fn` to every secret of the settings: providers' keys, the passwords of proxy URLs (providers', MCP
 * servers' and the global one), and the values of MCP servers' variables and headers (a token, an API key).
 */
function mapSecrets(s: StoredSettings, fn: (v: string) => string): StoredSettings {
  const url = (u: string | undefined): string | undefined => {
    const pw = proxyUrlPassword(u);
    return u && pw !== undefined ? withProxyPassword(u, fn(pw)) : u;
  };
  return {
    ...s,
    providers: s.providers.map((p) => {
      const out: ProviderEntry = { ...p, route: { ...p.route } };
      if (p.apiKey !== undefined) out.apiKey = fn(p.apiKey);
      if (p.route.proxyUrl !== undefined) out.route.proxyUrl = url(p.route.proxyUrl);
      return out;
    }),
    network: { ...s.network, proxy: { ...s.network.proxy, ...(s.network.proxy.url !== undefined ? { url: url(s.network.proxy.url) } : {}) } },
    mcpServers: s.mcpServers.map((m) => ({
      ...m,
      env: Object.fromEntries(Object.entries(m.env).map(([k, v]) => [k, fn(v)])),
      headers: Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k, fn(v)])),
      route: { ...m.route, ...(m.route.proxyUrl !== undefined ? { proxyUrl: url(m.route.proxyUrl) } : {}) },
    })),
  };
}

/** Every secret value of the settings (as `mapSecrets` sees them). */
function secretValues(s: StoredSettings): string[] {
  const out: string[] = [];
  mapSecrets(s, (v) => {
    out.push(v);
    return v;
  });
  return out;
}

/** A save where the OS offers no real protection, without the user's consent. */
function unprotectedError(field: 'apiKey' | 'proxyUrl'): ParleyError {
  const what = field === 'apiKey' ? 'key' : 'proxy password';
  return new ParleyError('config_invalid', words('keychain_unprotected', {}, { what }), { hop: 'config', phase: 'config', field });
}

function parse(raw: unknown, path: string): StoredSettings {
  const r = v.safeParse(storedSettingsSchema, raw);
  if (r.success) return r.output;
  const issue = r.issues[0];
  throw new ParleyError('config_invalid', `Settings in ${path} are invalid at ${v.getDotPath(issue) ?? '(root)'}: ${issueText(issue)}.`, {
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

const DEFAULT_PROXY_PORTS: Record<string, string> = { http: '80', https: '443', socks4: '1080', socks4a: '1080', socks5: '1080', socks5h: '1080' };

/**
 * The proxy a password was typed for: `scheme://host:port` of a prefix and `host:port/path` (an IPv6 literal
 * keeps its brackets; a default port made explicit). Another port on the same host is another service (a local
 * proxy such as cntlm has neighbours), and `http://` is not `https://`.
 */
function endpointOf(prefix: string, rest: string): string {
  const scheme = prefix.slice(0, -3).toLowerCase();
  const authority = (rest.split(/[/?#]/)[0] ?? '').toLowerCase();
  const close = authority.startsWith('[') ? authority.indexOf(']') + 1 : 0;
  const colon = authority.indexOf(':', close);
  const host = colon < 0 ? authority : authority.slice(0, colon);
  const port = colon < 0 || colon === authority.length - 1 ? (DEFAULT_PROXY_PORTS[scheme] ?? '') : authority.slice(colon + 1);
  return `${scheme}://${host}:${port.replace(/^0+(?=\d)/, '')}`;
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

/** A proxy URL from the window: where its password is the placeholder, the stored password is kept (same scheme, host, port and user only). */
export function unmaskProxyUrl(next: string | undefined, stored: string | undefined): string | undefined {
  if (!next) return next;
  const n = splitProxy(next);
  if (!n || (n.password !== SECRET_PLACEHOLDER && n.password !== encodeURIComponent(SECRET_PLACEHOLDER))) return next;
  const s = stored ? splitProxy(stored) : undefined;
  // The stored password goes only to the proxy it was typed for: the same scheme, host, port and user.
  if (!s || s.password === undefined || endpointOf(n.prefix, n.rest) !== endpointOf(s.prefix, s.rest) || n.user !== s.user) {
    throw new ParleyError('config_invalid', 'The proxy (its scheme, host, port or user) changed, but the password is the placeholder of the old one.', {
      hop: 'config',
      phase: 'config',
      hint: 'Type the proxy password again for the new proxy.',
    });
  }
  return `${n.prefix}${n.user}:${s.password}@${n.rest}`;
}

function keyMarker(apiKey: string | undefined): string | null {
  if (!apiKey || isKeychainRef(apiKey)) return null;
  return isEnvRef(apiKey) ? apiKey : shapeMarker(apiKey);
}

/**
 * A provider as the window sees it. `inKeychain` tells whether a value is stored in the keychain; a value that
 * is still a `keychain:` reference here could not be read (the window asks for it again).
 */
export function providerView(p: ProviderEntry, inKeychain: (v: string) => boolean = () => false): ProviderView {
  const { apiKey, ...rest } = p;
  const unreadable = isKeychainRef(apiKey) || proxyKeychainRef(rest.route.proxyUrl) !== undefined;
  return {
    ...rest,
    baseUrl: maskBaseUrl(rest.baseUrl),
    route: { ...rest.route, proxyUrl: maskProxyUrl(rest.route.proxyUrl) },
    apiKeyMarker: keyMarker(apiKey),
    ...(isPlainSecret(apiKey) && inKeychain(apiKey) ? { apiKeyInKeychain: true } : {}),
    ...(unreadable ? { keyUnreadable: true } : {}),
  };
}

/** A keychain reference from the window: it would point this provider at another one's stored secret. */
function refuseRef(value: string | undefined, field: 'apiKey' | 'proxyUrl'): void {
  if (isKeychainRef(value) || proxyKeychainRef(value) !== undefined) {
    throw new ParleyError('config_invalid', words('keychain_ref_from_window', {}), { hop: 'config', phase: 'config', field });
  }
}

/** `${…}` is refused in model names from the window: the core would expand them. */
function checkPlain(values: (string | undefined | null)[], field: string): void {
  for (const v of values) if (v) checkWindowValue(v, 'plain', field);
}

export function createSettingsStore(dataDir: string, env: Env = {}, vault?: SecretVault): SettingsStore {
  const path = join(dataDir, 'settings.json');
  /** Whether new secrets go to the keychain (sealed ones are written as references). */
  const active = (): boolean => !!vault && vault.state() !== 'none';
  /** The file's form: sealed secrets as their references; anything not sealed stays as it is. */
  const toDisk = (s: StoredSettings): StoredSettings => (active() && vault ? mapSecrets(s, (v) => (isPlainSecret(v) ? (vault.refOf(v) ?? v) : v)) : s);
  /** The form main uses: references replaced by their values (one that cannot be read stays a reference). */
  const fromDisk = (s: StoredSettings): StoredSettings => (vault ? mapSecrets(s, (v) => (isKeychainRef(v) ? (vault.reveal(v) ?? v) : v)) : s);
  let current: StoredSettings | undefined;
  /** Keys of the file the schema does not know, as last read (kept on write, shown in the view). */
  let unknown: UnknownKey[] = [];
  /** What the file was when `current` was read: a different one (another process wrote it) is read again. */
  let seen = '';
  const stamp = (): string => {
    const st = statSync(path, { throwIfNoEntry: false });
    return st ? `${st.ino}:${st.size}:${st.mtimeMs}` : 'none';
  };
  /** Temp file beside it, then rename: the CLI never reads half a file; a failed write leaves no temp file. */
  const save = (s: StoredSettings): void => {
    ensurePrivateDir(dirname(path));
    // What the schema does not know (a typo, a newer Parley's field) goes back where it stood: a save never loses a hand edit.
    const disk = restoreUnknown(toDisk(s), unknown);
    writeFileAtomic(path, JSON.stringify(disk, null, 2) + '\n', { mode: 0o600, what: 'the settings file' });
    // Ciphertexts of keys no provider uses any more (removed, replaced) are dropped.
    // The sync settings hold only references (never values): theirs are kept too.
    if (active()) vault?.keep([...secretValues(disk), disk.sync.password ?? '', disk.sync.passphrase ?? ''].filter(isKeychainRef));
  };
  const load = (): StoredSettings => {
    const before = stamp();
    const raw = readSettingsFile(path);
    const { value, migrated } = migrateSettings(raw);
    const kept = parse(value, path);
    unknown = findUnknown(value, kept);
    const s = fromDisk(kept);
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
      unknown = [];
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
    if (shown.route?.mode === 'proxy') checkProxyField(shown.route.proxyUrl, 'route');
    const draft = { ...shown, baseUrl: withField('baseUrl', () => unmaskBaseUrl(shown.baseUrl, old?.baseUrl)) };
    if (draft.baseUrl !== old?.baseUrl) withField('baseUrl', () => checkWindowValue(draft.baseUrl, 'url', 'base URL'));
    const proxyUrl = draft.route ? withField('proxyUrl', () => unmaskProxyUrl(draft.route?.proxyUrl, old?.route.proxyUrl)) : old?.route.proxyUrl;
    if (draft.route && proxyUrl !== old?.route.proxyUrl) withField('proxyUrl', () => checkWindowValue(proxyUrl, 'url', 'proxy URL'));
    checkPlain([draft.defaultModel, ...(draft.models ?? []), ...(draft.shownModels ?? [])], 'model name');
    if (draft.route && proxyUrl !== old?.route.proxyUrl) refuseRef(proxyUrl, 'proxyUrl');
    if (draft.apiKey !== undefined) refuseRef(draft.apiKey.trim(), 'apiKey');
    let apiKey: string | undefined;
    if (draft.apiKey === undefined) {
      // The stored key stays bound to its origin: moving the base URL elsewhere drops it (the window says so first).
      apiKey = old && keyStaysWith(old.baseUrl, draft.baseUrl, (u) => expandQuiet(u, env)) ? old.apiKey : undefined;
    } else if (draft.apiKey !== '') {
      const key = draft.apiKey;
      withField('apiKey', () => {
        checkWindowValue(key, 'key', 'API key');
        checkKeyVarOrigin(key, draft.baseUrl, env);
      });
      apiKey = draft.apiKey.trim();
    }
    const entry: ProviderEntry = {
      ...(old ?? { models: [], shownModels: [], defaultModel: '', contextTokens: {}, route: { mode: 'global' }, capabilities: {}, params: {} }),
      id: draft.id ?? old?.id ?? randomUUID().slice(0, 8),
      name: draft.name,
      preset: draft.preset,
      protocol: draft.protocol,
      baseUrl: draft.baseUrl.trim(),
      models: draft.models ?? old?.models ?? [],
      shownModels: draft.shownModels ?? old?.shownModels ?? [],
      defaultModel: draft.defaultModel ?? old?.defaultModel ?? '',
      route: { mode: draft.route?.mode ?? old?.route.mode ?? 'global', ...(proxyUrl ? { proxyUrl } : {}) },
      capabilities: draft.capabilities ?? old?.capabilities ?? {},
      params: draft.params ?? old?.params ?? {},
    };
    if (apiKey) entry.apiKey = apiKey;
    else delete entry.apiKey;
    return entry;
  };

  /** The settings a patch from the window makes of `old`, with the rules for secrets and variables (not saved). */
  const patched = (old: StoredSettings, patch: SettingsPatch): unknown => {
    const p = patch ?? {};
    let network = old.network;
    if (p.network) {
      const proxy = { ...old.network.proxy, ...(p.network.proxy ?? {}) };
      proxy.url = withField('proxyUrl', () => unmaskProxyUrl(proxy.url, old.network.proxy.url));
      if (proxy.url !== old.network.proxy.url) withField('proxyUrl', () => checkWindowValue(proxy.url, 'url', 'proxy URL'));
      if (proxy.url !== old.network.proxy.url) refuseRef(proxy.url, 'proxyUrl');
      if (proxy.bypass !== old.network.proxy.bypass) withField('bypass', () => checkWindowValue(proxy.bypass, 'plain', 'bypass list'));
      const caFiles = p.network.caFiles ?? old.network.caFiles;
      for (const f of caFiles) if (!old.network.caFiles.includes(f)) withField('caFiles', () => checkWindowValue(f, 'plain', 'CA file path'));
      network = { ...old.network, ...p.network, proxy, caFiles, timeouts: { ...old.network.timeouts, ...(p.network.timeouts ?? {}) } };
    }
    const defaults = { ...old.defaults, ...(p.defaults ?? {}) };
    if (defaults.model !== old.defaults.model) checkPlain([defaults.model], 'model name');
    return { ...old, network, defaults, ui: { ...old.ui, ...(p.ui ?? {}) }, logging: { ...old.logging, ...(p.logging ?? {}) }, pricing: { ...old.pricing, ...(p.pricing ?? {}) }, backup: { ...old.backup, ...(p.backup ?? {}) }, desktop: { ...old.desktop, ...(p.desktop ?? {}) } };
  };

  /** The version-1 copy kept beside the file (settings.json.v1) loses its plain key too. */
  const scrubV1 = (moved: string[]): void => {
    const v1 = `${path}.v1`;
    if (!vault || !existsSync(v1)) return;
    try {
      const raw = readSettingsFile(v1) as { provider?: { apiKey?: unknown } };
      const key = raw.provider?.apiKey;
      if (typeof key !== 'string' || !moved.includes(key)) return;
      raw.provider = { ...raw.provider, apiKey: vault.refOf(key) ?? '' };
      writeFileAtomic(v1, JSON.stringify(raw, null, 2) + '\n', { mode: 0o600 });
    } catch { /* best effort: the live file is what matters */ }
  };

  const store: SettingsStore = {
    path,
    get() {
      if (!current || stamp() !== seen) current = load();
      return current;
    },
    update(patch) {
      return commit(patched(base(), patch));
    },
    updateMcpServers(fn) {
      const old = base();
      return commit({ ...old, mcpServers: fn(structuredClone(old.mcpServers)) });
    },
    async prepareMcpServers(servers) {
      if (!vault || vault.state() !== 'os') return;
      const values = secretValues({ ...base(), providers: [], mcpServers: servers });
      for (const v of new Set(values)) if (isPlainSecret(v) && vault.refOf(v) === undefined) await vault.seal(v);
    },
    updateSync(fn) {
      const old = base();
      return commit({ ...old, sync: fn(structuredClone(old.sync)) });
    },
    updateUpdates(fn) {
      const old = base();
      return commit({ ...old, updates: fn(structuredClone(old.updates)) });
    },
    async sealSecret(plain) {
      // Only a real keychain: settings.json never holds a sync secret, and a "basic_text" store protects nothing.
      if (!vault || vault.state() !== 'os') throw new ParleyError('config_invalid', words('keychain_unprotected', {}, { what: 'sync secret' }), { hop: 'config', phase: 'config', hint: 'Use a ${VAR} reference in settings.json (sync.password, sync.passphrase) and set that variable, or run Parley where a keychain is available.' });
      return vault.seal(plain);
    },
    revealSecret: (ref) => (isKeychainRef(ref) ? vault?.reveal(ref) : undefined),
    preview(patch) {
      return parse(patched(store.get(), patch), path);
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
      // MCP servers' variables and headers may be secrets: never in the window's view (it gets them through mcp:* as shapes).
      const { providers, mcpServers: _mcp, ...rest } = s;
      const inKeychain = (v: string): boolean => active() && vault?.refOf(v) !== undefined;
      return {
        settings: { ...rest, network: { ...rest.network, proxy: { ...rest.network.proxy, url: maskProxyUrl(rest.network.proxy.url) } } },
        providers: providers.map((p) => providerView(p, inKeychain)),
        ...(vault ? { keychain: vault.state() } : {}),
        ...(proxyKeychainRef(rest.network.proxy.url) ? { proxyPasswordUnreadable: true } : {}),
        ...(unknown.length ? { unknownKeys: store.unknownKeys() } : {}),
      };
    },
    unknownKeys() {
      store.get();
      return unknown.slice(0, MAX_UNKNOWN_NAMED).map(unknownKeyName);
    },
    keychain: () => vault?.state() ?? 'none',
    async prepareProvider(draft) {
      if (!vault || !active()) return;
      const s = store.get();
      const existing = draft.id ? s.providers.find((x) => x.id === draft.id) : undefined;
      // The same checks as the save (a refused draft seals nothing).
      const entry = merge(draft, existing);
      const secretsOf = (p: ProviderEntry): string[] => [p.apiKey, proxyUrlPassword(p.route.proxyUrl)].filter(isPlainSecret);
      const unsealed = secretsOf(entry).filter((v) => vault.refOf(v) === undefined);
      if (!unsealed.length) return;
      if (vault.state() === 'basic_text') {
        // Only what the user typed now needs consent: a key already stored in plain stays as it is.
        const before = new Set(existing ? secretsOf(existing) : []);
        const typed = unsealed.filter((v) => !before.has(v));
        if (!typed.length) return;
        if (!draft.storeUnprotected) throw unprotectedError(entry.apiKey !== undefined && typed.includes(entry.apiKey) ? 'apiKey' : 'proxyUrl');
      }
      for (const v of unsealed) await vault.seal(v);
    },
    async preparePatch(patch) {
      const url = patch?.network?.proxy?.url;
      if (!vault || vault.state() !== 'os' || !url) return;
      let full: string | undefined;
      try {
        full = unmaskProxyUrl(url, store.get().network.proxy.url);
      } catch {
        return; // refused by the save itself, with its reason
      }
      const pw = proxyUrlPassword(full);
      if (isPlainSecret(pw) && vault.refOf(pw) === undefined && !proxyKeychainRef(full)) await vault.seal(pw);
    },
    async openKeychain() {
      if (!vault) return { moved: 0 };
      await vault.init();
      // Read again: references now resolve.
      current = undefined;
      seen = '';
      if (vault.state() !== 'os') return { moved: 0 };
      let s: StoredSettings;
      try {
        s = load();
        current = s;
      } catch {
        return { moved: 0 }; // a broken file is reported when the window asks for the settings
      }
      const plain = [...new Set(secretValues(s).filter((v) => isPlainSecret(v) && vault.refOf(v) === undefined))];
      for (const v of plain) await vault.seal(v);
      if (!plain.length) return { moved: 0 };
      // Read again (another process may have written meanwhile) and written with the references in place.
      commit(load());
      scrubV1(plain);
      return { moved: plain.length };
    },
  };
  return store;
}
