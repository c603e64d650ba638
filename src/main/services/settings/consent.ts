/**
 * The user's consent, asked in main, before a secret goes somewhere the window chose. The window
 * shows what a model wrote, so it is treated as an attacker; two of its changes would otherwise send a secret
 * of the user's to a server it picks:
 *
 * - a route: a change of the proxy, a provider's own route or the bypass list (saved, or only a draft passed to
 *   the model list) that puts a stored key of an `http://` provider on a proxy it did not go through before.
 *   The proxy (HTTP or SOCKS) then reads `Authorization: Bearer <key>` and the conversation in clear text. An
 *   `https://` provider is not concerned: a proxy sees only its TLS tunnel.
 * - a variable: a `${VAR}` the window writes into a key, a base URL or a proxy URL is sent, expanded, to that
 *   URL's origin (or proxy). Only a preset's own variables go to their own hosts without asking (and a proxy
 *   variable used as the whole proxy URL: the value names its own proxy).
 *
 * Either needs the user's yes in a native dialog (AppServicesOptions.confirmSecretUse) naming the provider or
 * the variable and the new hop or origin. A yes is remembered in `<dataDir>/consent.json` (written by main
 * only, atomically, 0600), so the user is asked once; without the dialog, or on a no, nothing is sent and the
 * change fails with `config_invalid` (key `secret_route_refused` or `secret_var_refused`). Settings the user
 * wrote into settings.json by hand never pass through here: the file is theirs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ParleyError } from '../../core/errors.ts';
import { words } from '../../../shared/messages/en.ts';
import { referencedVars, urlSecrets, type Env } from '../../core/config.ts';
import { resolveRoute } from '../../core/route/resolve.ts';
import { parseProxyUrl } from '../../core/route/proxy-url.ts';
import type { ProxyEndpoint } from '../../core/route/types.ts';
import { PRESETS, type ProviderEntry, type StoredSettings } from '../../../shared/settings.ts';
import type { ProviderDraft } from '../../../shared/ipc.ts';
import { baseOrigin, expandQuiet, keyVarOrigins } from './secure-input.ts';
import { PROXY_VARS } from './shell-env.ts';
import { writeFileAtomic } from '../safe-write.ts';
import type { Logger } from '../diagnostics/logging.ts';

/** What the user is asked to allow. */
export type SecretUseRequest =
  /** The stored key of `provider` (bound to `origin`) would travel in clear text through the proxy `hop`. */
  | { kind: 'route'; provider: string; origin: string; hop: string }
  /** The value of the environment variable `name` would be sent to `origin`. */
  | { kind: 'variable'; name: string; origin: string };

/** The native dialog: true when the user allows it (its default answer is no). */
export type ConfirmSecretUse = (request: SecretUseRequest) => Promise<boolean>;

/** Remembered answers kept (the oldest go first). */
const MAX_REMEMBERED = 200;

interface ConsentFile {
  version: 1;
  routes: { origin: string; hop: string }[];
  variables: { name: string; origin: string }[];
}

export interface SecretGuard {
  /** A settings change from the window (`before` → `after`): every stored key put on a new clear-text hop. */
  settingsChange(before: StoredSettings, after: StoredSettings): Promise<void>;
  /** A provider from the window (saved or a draft) against the stored one, under the current network settings. */
  providerChange(network: StoredSettings['network'], old: ProviderEntry | undefined, entry: ProviderEntry, draft: ProviderDraft): Promise<void>;
  /** Asks once (or finds it remembered); throws the refusal. */
  require(request: SecretUseRequest): Promise<void>;
}

const hostPart = (host: string): string => (host.includes(':') ? `[${host}]` : host);
const hopOf = (p: ProxyEndpoint): string => `${p.scheme}://${hostPart(p.host)}:${p.port}`;

/** The stored secret a provider sends: its key, or a secret in its base URL (userinfo, `?key=`). */
function hasSecret(p: ProviderEntry, env: Env): boolean {
  return !!p.apiKey || urlSecrets(expandQuiet(p.baseUrl, env)).length > 0;
}

/**
 * The proxy that would read this provider's requests in clear text: its base URL is `http://` and its route
 * (by the core's own resolver) goes through a proxy URL of the settings (global or the provider's). Undefined for `https://`, a direct route, or settings that
 * cannot be used (the request then fails before anything is sent).
 */
export async function clearTextHop(network: StoredSettings['network'], p: ProviderEntry, env: Env): Promise<string | undefined> {
  const base = expandQuiet(p.baseUrl, env).trim();
  if (!URL.canParse(base)) return undefined;
  const target = new URL(base);
  if (target.protocol !== 'http:') return undefined;
  const proxy = p.route.mode === 'direct' ? { ...network.proxy, mode: 'none' as const } : p.route.mode === 'proxy' ? { ...network.proxy, mode: 'manual' as const, url: p.route.proxyUrl } : network.proxy;
  // Only a proxy URL in the settings is one the window can choose; the environment's and the OS's are the user's.
  if (proxy.mode !== 'manual') return undefined;
  try {
    const route = await resolveRoute({
      mode: proxy.mode,
      ...(proxy.url !== undefined ? { proxyUrl: expandQuiet(proxy.url, env) } : {}),
      bypass: expandQuiet(proxy.bypass ?? '', env),
      env,
    }, target);
    return route.kind === 'proxy' ? hopOf(route.proxy) : undefined;
  } catch {
    return undefined;
  }
}

/** scheme://host:port of a proxy URL (variables expanded), or undefined. */
function proxyOrigin(url: string, env: Env): string | undefined {
  try {
    return hopOf(parseProxyUrl(expandQuiet(url, env).trim()));
  } catch {
    return undefined;
  }
}

const whole = (value: string): string | undefined => /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(value.trim())?.[1];

export function refusal(request: SecretUseRequest): ParleyError {
  if (request.kind === 'route') {
    return new ParleyError('config_invalid', words('secret_route_refused', { name: request.provider, hop: request.hop }), { hop: 'config', phase: 'config', field: 'proxyUrl' });
  }
  return new ParleyError('config_invalid', words('secret_var_refused', { ref: `\${${request.name}}`, origin: request.origin }), { hop: 'config', phase: 'config' });
}

export function createSecretGuard(deps: { dataDir: string; env: Env; confirm?: ConfirmSecretUse; logger: Logger }): SecretGuard {
  const path = join(deps.dataDir, 'consent.json');
  const log = deps.logger.scope('storage');
  const read = (): ConsentFile => {
    try {
      const o = JSON.parse(readFileSync(path, 'utf8')) as Partial<ConsentFile>;
      const str = (x: unknown): x is string => typeof x === 'string' && x.length <= 2048;
      return {
        version: 1,
        routes: Array.isArray(o.routes) ? o.routes.filter((r) => str(r?.origin) && str(r?.hop)).slice(-MAX_REMEMBERED) : [],
        variables: Array.isArray(o.variables) ? o.variables.filter((r) => str(r?.name) && str(r?.origin)).slice(-MAX_REMEMBERED) : [],
      };
    } catch {
      return { version: 1, routes: [], variables: [] };
    }
  };
  const known = (f: ConsentFile, r: SecretUseRequest): boolean =>
    r.kind === 'route' ? f.routes.some((x) => x.origin === r.origin && x.hop === r.hop) : f.variables.some((x) => x.name === r.name && x.origin === r.origin);
  const remember = (r: SecretUseRequest): void => {
    const f = read();
    if (known(f, r)) return;
    if (r.kind === 'route') f.routes = [...f.routes, { origin: r.origin, hop: r.hop }].slice(-MAX_REMEMBERED);
    else f.variables = [...f.variables, { name: r.name, origin: r.origin }].slice(-MAX_REMEMBERED);
    writeFileAtomic(path, JSON.stringify(f, null, 2) + '\n', { mode: 0o600, what: 'the consent file' });
  };
  /** One question at a time: a second identical one waits for the first answer. */
  let queue: Promise<unknown> = Promise.resolve();

  const require = (request: SecretUseRequest): Promise<void> => {
    const run = async (): Promise<void> => {
      if (known(read(), request)) return;
      const yes = deps.confirm ? await deps.confirm(request).catch(() => false) : false;
      log[yes ? 'info' : 'warn'](yes ? 'secret use confirmed' : 'secret use refused', { ...request });
      if (!yes) throw refusal(request);
      remember(request);
    };
    const next = queue.then(run, run);
    queue = next.catch(() => undefined);
    return next;
  };

  /** The variables a window value names, and where each would go. */
  const variables = async (entry: ProviderEntry, old: ProviderEntry | undefined, draft: ProviderDraft): Promise<void> => {
    const env = deps.env;
    const target = baseOrigin(entry.baseUrl, env);
    const asks: SecretUseRequest[] = [];
    // The stored reference sent back unchanged to the same origin sends nothing new (a hand-written one is the user's).
    const kept = old !== undefined && draft.apiKey?.trim() === old.apiKey && baseOrigin(old.baseUrl, env) === target;
    if (draft.apiKey !== undefined && draft.apiKey !== '' && target && !kept) {
      for (const name of referencedVars(draft.apiKey)) if (!keyVarOrigins(name, env)?.includes(target)) asks.push({ kind: 'variable', name, origin: target });
    }
    if (entry.baseUrl !== old?.baseUrl && target) {
      const own = whole(entry.baseUrl);
      const preset = own ? PRESETS.find((p) => p.baseUrlVar === own) : undefined;
      for (const name of referencedVars(entry.baseUrl)) if (!(preset && name === own)) asks.push({ kind: 'variable', name, origin: target });
    }
    const proxyUrl = entry.route.mode === 'proxy' ? entry.route.proxyUrl : undefined;
    if (proxyUrl && proxyUrl !== old?.route.proxyUrl) asks.push(...proxyVariables(proxyUrl));
    for (const a of asks) await require(a);
  };
  const proxyVariables = (url: string): SecretUseRequest[] => {
    const own = whole(url);
    if (own && (PROXY_VARS as readonly string[]).includes(own)) return [];
    const origin = proxyOrigin(url, deps.env);
    if (!origin) return [];
    return referencedVars(url).map((name) => ({ kind: 'variable' as const, name, origin }));
  };
  const route = async (name: string, origin: string | undefined, before: string | undefined, after: string | undefined): Promise<void> => {
    if (!after || after === before || !origin) return;
    await require({ kind: 'route', provider: name, origin, hop: after });
  };

  return {
    require,
    async settingsChange(before, after) {
      const { env } = deps;
      if (after.network.proxy.url && after.network.proxy.url !== before.network.proxy.url) {
        for (const a of proxyVariables(after.network.proxy.url)) await require(a);
      }
      for (const p of after.providers) {
        const was = before.providers.find((x) => x.id === p.id);
        if (!was || !hasSecret(was, env)) continue;
        const [b, a] = await Promise.all([clearTextHop(before.network, was, env), clearTextHop(after.network, p, env)]);
        await route(was.name, baseOrigin(was.baseUrl, env), b, a);
      }
    },
    async providerChange(network, old, entry, draft) {
      const { env } = deps;
      await variables(entry, old, draft);
      // A stored secret kept by the change (the same key, or the base URL's own secrets on the same origin).
      if (!old || !hasSecret(entry, env)) return;
      const keeps = (entry.apiKey !== undefined && entry.apiKey === old.apiKey) || (entry.apiKey === undefined && urlSecrets(expandQuiet(entry.baseUrl, env)).some((s) => urlSecrets(expandQuiet(old.baseUrl, env)).includes(s)));
      if (!keeps) return;
      const [b, a] = await Promise.all([clearTextHop(network, old, env), clearTextHop(network, entry, env)]);
      await route(old.name, baseOrigin(old.baseUrl, env), b, a);
    },
  };
}
