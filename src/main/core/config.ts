import * as v from 'valibot';
import { connectionSchema, issueText, type ConnectionSettings } from '../../shared/settings.ts';
import { ParleyError } from './errors.ts';
import { checkBaseUrl } from '../../shared/base-url.ts';
import { words, type Words } from '../../shared/messages/en.ts';

export type Env = Record<string, string | undefined>;

/** A `${VAR}` reference (global: use with replace/matchAll); the one pattern for it in Parley. */
export const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const WHOLE_REF = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/;

/** The distinct `${VAR}` names a value refers to (a string, or raw settings as their JSON text). */
export function referencedVars(value: unknown): string[] {
  const text = typeof value === 'string' ? value : JSON.stringify(value ?? {});
  return [...new Set([...text.matchAll(ENV_REF)].map((m) => m[1] as string))];
}

/** Whether a value is nothing but one `${VAR}` reference (a reference is not the secret it names). */
export function isEnvRef(value: string): boolean {
  return WHOLE_REF.test(value);
}

/**
 * Query parameters whose values are secrets wherever they appear in text (`?key=…`, `&sig=…`): the names,
 * without anchors or flags (match case-insensitively, delimited by `?`/`&` and `=`).
 */
export const SECRET_QUERY_PARAM = /key|api[-_]?key|x[-_]api[-_]key|token|access[-_]?token|refresh[-_]?token|id[-_]?token|code|sig|signature|secret|client[-_]?secret|password|passwd|auth|authorization/;

/**
 * A configured URL (a base URL) cut into its parts as written, by the WHATWG authority rule: the authority
 * ends at the first `/`, `\`, `?` or `#` after `scheme://`, and its userinfo at the authority's LAST `@`.
 */
function urlParts(value: string): { prefix: string; user?: string; password?: string; hostAndPath: string; query?: string; fragment?: string } {
  const m = /^[a-z][a-z0-9+.-]*:\/\//i.exec(value);
  const prefix = m ? m[0] : '';
  let rest = value.slice(prefix.length);
  let fragment: string | undefined;
  let query: string | undefined;
  const hash = rest.indexOf('#');
  if (hash !== -1) {
    fragment = rest.slice(hash + 1);
    rest = rest.slice(0, hash);
  }
  const q = rest.indexOf('?');
  if (q !== -1) {
    query = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  const end = rest.search(/[/\\]/);
  const authority = end === -1 ? rest : rest.slice(0, end);
  const at = authority.lastIndexOf('@');
  if (at === -1) return { prefix, hostAndPath: rest, ...(query !== undefined ? { query } : {}), ...(fragment !== undefined ? { fragment } : {}) };
  const userinfo = authority.slice(0, at);
  const colon = userinfo.indexOf(':');
  return {
    prefix,
    user: colon === -1 ? userinfo : userinfo.slice(0, colon),
    ...(colon === -1 ? {} : { password: userinfo.slice(colon + 1) }),
    hostAndPath: rest.slice(at + 1),
    ...(query !== undefined ? { query } : {}),
    ...(fragment !== undefined ? { fragment } : {}),
  };
}

/** `a=1&b=2` with each value passed through `f` (a part without `=` is kept). */
function mapParams(params: string, f: (value: string) => string): string {
  return params.split('&').map((pair) => {
    const eq = pair.indexOf('=');
    return eq === -1 ? pair : `${pair.slice(0, eq + 1)}${f(pair.slice(eq + 1))}`;
  }).join('&');
}

function decodeQuiet(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/**
 * The secrets of a configured URL (a provider's base URL): its userinfo (user name and password) and every
 * query (and fragment) parameter value, each as written and percent-decoded. A base URL may carry its key as
 * `?key=…` or a signed `?sig=…`, so none of them may reach a log, the bundle or the window.
 */
export function urlSecrets(value: string): string[] {
  const p = urlParts(value);
  const out: string[] = [];
  const add = (v: string | undefined): void => {
    if (!v) return;
    out.push(v);
    const d = decodeQuiet(v);
    if (d !== v) out.push(d);
  };
  add(p.user);
  add(p.password);
  for (const params of [p.query, p.fragment]) if (params) mapParams(params, (v) => (add(v), v));
  return out;
}

/** The configured URL as it may be shown: userinfo and every query (and fragment) parameter value replaced by `mask`. */
export function maskUrlSecrets(value: string, mask = '***'): string {
  const p = urlParts(value);
  const hide = (v: string): string => (v === '' ? v : mask);
  const userinfo = p.user === undefined ? '' : `${hide(p.user)}${p.password === undefined ? '' : `:${hide(p.password)}`}@`;
  return `${p.prefix}${userinfo}${p.hostAndPath}${p.query === undefined ? '' : `?${mapParams(p.query, hide)}`}${p.fragment === undefined ? '' : `#${mapParams(p.fragment, hide)}`}`;
}

/**
 * Puts back the values `masked` (a URL shown by maskUrlSecrets with `mask`, sent back from the window) hides,
 * from `stored`: the same parameter, at the same place, of a URL with the same scheme, host and path. Undefined
 * when that is not possible (something around the hidden value changed); `masked` itself when nothing is hidden.
 */
export function unmaskUrlSecrets(masked: string, stored: string | undefined, mask: string): string | undefined {
  const m = urlParts(masked);
  const hidden = [m.user, m.password, ...[m.query, m.fragment].flatMap((x) => (x === undefined ? [] : x.split('&').map((pair) => pair.slice(pair.indexOf('=') + 1))))];
  if (!hidden.some((v) => v === mask || v === encodeURIComponent(mask))) return masked;
  if (stored === undefined) return undefined;
  const s = urlParts(stored);
  if (m.prefix.toLowerCase() !== s.prefix.toLowerCase() || m.hostAndPath !== s.hostAndPath) return undefined;
  const isMask = (v: string | undefined): boolean => v === mask || v === encodeURIComponent(mask);
  const pick = (mv: string | undefined, sv: string | undefined): string | undefined | null => (isMask(mv) ? (sv === undefined || sv === '' ? null : sv) : mv);
  const user = pick(m.user, s.user);
  const password = pick(m.password, s.password);
  if (user === null || password === null) return undefined;
  const params = (mq: string | undefined, sq: string | undefined): string | undefined | null => {
    if (mq === undefined) return undefined;
    const storedPairs = (sq ?? '').split('&');
    let failed = false;
    const out = mq.split('&').map((pair, i) => {
      const eq = pair.indexOf('=');
      if (eq === -1 || !isMask(pair.slice(eq + 1))) return pair;
      const name = pair.slice(0, eq);
      const old = storedPairs[i];
      if (old === undefined || !old.startsWith(`${name}=`) || old.length === name.length + 1) {
        failed = true;
        return pair;
      }
      return old;
    }).join('&');
    return failed ? null : out;
  };
  const query = params(m.query, s.query);
  const fragment = params(m.fragment, s.fragment);
  if (query === null || fragment === null) return undefined;
  const userinfo = user === undefined ? '' : `${user}${password === undefined ? '' : `:${password}`}@`;
  return `${m.prefix}${userinfo}${m.hostAndPath}${query === undefined ? '' : `?${query}`}${fragment === undefined ? '' : `#${fragment}`}`;
}

/**
 * Who reads the settings, for the hints of config_unexpanded_env: the app (started from the desktop, it does not
 * see what a shell profile sets) or a command run from a shell (`export NAME=…` there is the fix).
 */
export type EnvSource = 'app' | 'shell';

export interface ResolveOptions {
  /** Default 'app'. */
  envSource?: EnvSource;
}

/** The command-line option that sets a setting named as expandEnv names it. */
const SETTING_FLAGS: Record<string, string> = { baseUrl: '--base-url', apiKey: '--api-key', model: '--model', 'proxy.url': '--proxy', 'proxy.bypass': '--no-proxy', caFiles: '--ca' };

/** The hint for an unset `${name}` in `setting`, worded for who reads the settings. */
export function unsetEnvHint(name: string, setting: string, source: EnvSource = 'app'): string {
  return unsetEnvWords(name, setting, source).hint ?? '';
}

function unsetEnvWords(name: string, setting: string, source: EnvSource): Words {
  // The hint differs by who reads the settings: its key says which one.
  return words(source === 'shell' ? 'env_unset_shell' : 'env_unset', { name, ref: `\${${name}}`, setting, flag: SETTING_FLAGS[setting.replace(/\[\d+\]$/, '')] ?? '' });
}

/** Expands `${VAR}` from env; an unset or empty variable is refused, naming it and the setting. */
export function expandEnv(value: string, env: Env, setting: string, source: EnvSource = 'app'): string {
  return value.replace(ENV_REF, (_m, name: string) => {
    const v = env[name];
    if (v === undefined || v === '') {
      throw new ParleyError('config_unexpanded_env', unsetEnvWords(name, setting, source), { hop: 'config', phase: 'config' });
    }
    return v;
  });
}

/** `$NAME` (no braces) at the start of a value: a shell-style reference Parley does not expand. */
const BARE_REF = /^\$([A-Za-z_][A-Za-z0-9_]*)(?![A-Za-z0-9_{])/;

/**
 * Refuses a value written as `$NAME` (whole, or at the start of a URL) instead of `${NAME}`: as written it
 * would be sent as the key (or fail as a URL) and the error would not say why.
 */
function refuseBareRef(value: string | undefined, setting: string, whole: boolean): void {
  if (value === undefined) return;
  const v = value.trim();
  const m = BARE_REF.exec(v);
  if (!m || (whole && m[0] !== v)) return;
  const name = m[1] as string;
  throw new ParleyError('config_invalid', words('env_bare_ref', { setting, name, ref: `\${${name}}` }), { hop: 'config', phase: 'config' });
}

/** Where each connection setting is set: on the command line and in settings.json (for messages). */
/** `name` (the settings a request needs): how the window names it in a missing-setting message; `fieldName`: the field without words. */
const PLACES: Record<string, { what: string; name?: string; flag?: string; field: string; fieldName?: string; example?: string }> = {
  provider: { what: 'provider', name: 'provider', flag: '--base-url URL and --model NAME', field: 'a provider (providers[])', fieldName: 'providers[]' },
  'provider.protocol': { what: 'protocol', name: 'protocol', flag: '--protocol openai|anthropic|ollama', field: 'providers[].protocol' },
  'provider.baseUrl': { what: 'base URL', name: 'baseUrl', flag: '--base-url URL', field: 'providers[].baseUrl', example: 'e.g. https://api.openai.com/v1 or http://localhost:11434' },
  'provider.apiKey': { what: 'API key', flag: '--api-key KEY', field: 'providers[].apiKey' },
  'provider.model': { what: 'model', name: 'model', flag: '--model NAME', field: 'providers[].defaultModel', example: 'the name of a model the provider lists' },
  'provider.anthropicVersion': { what: 'Anthropic API version', field: 'providers[].anthropicVersion' },
  'network.proxy.mode': { what: 'proxy mode', flag: '--proxy-mode none|env|manual|system', field: 'network.proxy.mode' },
  'network.proxy.url': { what: 'proxy URL', flag: '--proxy URL', field: 'network.proxy.url' },
  'network.proxy.bypass': { what: 'bypass list', flag: '--no-proxy LIST', field: 'network.proxy.bypass' },
  'network.caFiles': { what: 'CA files', flag: '--ca FILE', field: 'network.caFiles' },
  'network.timeouts.connectMs': { what: 'connect timeout', flag: '--connect-timeout', field: 'network.timeouts.connectMs' },
  'network.timeouts.firstByteMs': { what: 'first-byte timeout', flag: '--first-byte-timeout', field: 'network.timeouts.firstByteMs' },
  'network.timeouts.idleMs': { what: 'idle timeout', flag: '--idle-timeout', field: 'network.timeouts.idleMs' },
  'network.timeouts.totalMs': { what: 'total timeout', flag: '--timeout', field: 'network.timeouts.totalMs' },
  'network.retries': { what: 'retries', flag: '--retries N', field: 'network.retries' },
  'network.stream': { what: 'stream mode', flag: '--stream auto|on|off', field: 'network.stream' },
};

/** The connection settings a request cannot do without. */
const REQUIRED = ['provider', 'provider.protocol', 'provider.baseUrl', 'provider.model'];

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let v = raw;
  for (const k of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

const isMissing = (v: unknown): boolean => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

/**
 * The schema's verdict as a message a person can act on: a missing setting is named with the flag and the
 * settings.json field that set it (`No base URL: pass --base-url URL or set providers[].baseUrl in
 * settings.json`); another invalid value names its field (and flag) and what is wrong with it.
 */
/** What schemaError reads of a schema issue: where, valibot's words, and the kind of problem with its limit. */
type SchemaIssue = { path: readonly PropertyKey[]; message: string; type?: string; input?: unknown; limit?: number; values?: readonly string[] };

/**
 * Valibot's issues as SchemaIssues. A picklist issue names its choices only in `expected`, as
 * `("openai" | "anthropic")`, each one JSON-quoted: they are read back from there.
 */
function schemaIssues(issues: readonly v.BaseIssue<unknown>[]): SchemaIssue[] {
  return issues.map((i) => ({
    path: (i.path ?? []).map((p) => p.key as PropertyKey),
    message: issueText(i),
    type: i.type,
    input: i.input,
    ...(typeof i.requirement === 'number' ? { limit: i.requirement } : {}),
    ...(i.type === 'picklist' && i.expected ? { values: [...i.expected.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1] ?? ''}"`) as string) } : {}),
  }));
}

function schemaError(raw: unknown, issues: ReadonlyArray<SchemaIssue>): ParleyError {
  const key = (path: readonly PropertyKey[]): string => path.map(String).join('.');
  const missing = issues.filter((i) => REQUIRED.includes(key(i.path)) && isMissing(valueAt(raw, i.path))).map((i) => PLACES[key(i.path)] as (typeof PLACES)[string]);
  if (missing.length) {
    const flags = missing.flatMap((m) => (m.flag ? [m.flag] : []));
    const examples = missing.flatMap((m) => (m.example ? [`${m.what}: ${m.example}`] : []));
    const and = missing.length > 1 ? ',' : '';
    // `missing`: the settings by their short names (the window words each); flags and fields are names.
    return new ParleyError('config_invalid', words('setting_missing', { missing: missing.map((m) => m.name ?? m.what).join(' '), flags, fields: missing.map((m) => m.fieldName ?? m.field) }, {
      whats: missing.map((m) => m.what).join(' and no '),
      passFlags: flags.length ? `pass ${flags.join(' and ')}${and} or ` : '',
      fieldList: missing.map((m) => m.field).join(' and '),
      them: missing.length > 1 ? 'them' : 'it',
      examples: examples.length ? ` (${examples.join('; ')})` : '',
    }), { hop: 'config', phase: 'config' });
  }
  const first = issues[0];
  const where = first ? key(first.path) : '';
  const place = PLACES[where];
  const name = where || 'settings';
  const flag = place?.flag ? place.flag.split(' ')[0] ?? '' : '';
  return new ParleyError('config_invalid', issueWords(first, name, flag), { hop: 'config', phase: 'config' });
}

/**
 * The key and params of an invalid setting, for the window: the usual problems (too long or too large, too
 * small, not one of the choices) by their limit; any other by the schema's own English words (`detail`).
 */
function issueWords(issue: SchemaIssue | undefined, setting: string, flag: string): Words {
  const base = { setting, flag, detail: issue?.message ?? 'invalid' };
  if (issue?.limit !== undefined && (issue.type === 'max_length' || issue.type === 'max_value')) {
    return words(issue.type === 'max_value' ? 'setting_too_big' : Array.isArray(issue.input) ? 'setting_too_many' : 'setting_too_long', { ...base, max: issue.limit });
  }
  if (issue?.limit !== undefined && issue.type === 'min_value') return words('setting_too_small', { ...base, min: issue.limit });
  if (issue?.values?.length) return words('setting_not_one_of', { ...base, values: issue.values.join(', ') });
  return words('setting_invalid', base);
}

/**
 * Validates raw settings and expands `${VAR}` references in the values that may hold them
 * (base URL, API key, model, proxy URL, bypass list, CA files). Throws config_invalid / config_unexpanded_env
 * before any request is sent. `opts.envSource` words the hint for an unset variable (default: the app's).
 */
export function resolveSettings(raw: unknown, env: Env, opts: ResolveOptions = {}): ConnectionSettings {
  const source = opts.envSource ?? 'app';
  const parsed = v.safeParse(connectionSchema, raw);
  if (!parsed.success) throw schemaError(raw, schemaIssues(parsed.issues));
  const s = structuredClone(parsed.output);
  // Messages quote the value as written (with its ${VAR}), never the expanded value.
  const rawBaseUrl = s.provider.baseUrl;
  refuseBareRef(s.provider.baseUrl, 'baseUrl', false);
  refuseBareRef(s.provider.apiKey, 'apiKey', true);
  refuseBareRef(s.provider.model, 'model', true);
  refuseBareRef(s.network.proxy.url, 'proxy.url', false);
  s.provider.baseUrl = expandEnv(s.provider.baseUrl, env, 'baseUrl', source).trim();
  if (s.provider.apiKey !== undefined) {
    s.provider.apiKey = expandEnv(s.provider.apiKey, env, 'apiKey', source).trim();
    // A pasted key with a line break (or another control character) cannot be a header value: say so here,
    // rather than letting the request fail as if the network had.
    if ([...s.provider.apiKey].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f)) {
      throw new ParleyError('config_invalid', words('api_key_control', {}), { hop: 'config', phase: 'config' });
    }
  }
  s.provider.model = expandEnv(s.provider.model, env, 'model', source);
  if (s.network.proxy.url !== undefined) s.network.proxy.url = expandEnv(s.network.proxy.url, env, 'proxy.url', source).trim();
  s.network.proxy.bypass = expandEnv(s.network.proxy.bypass, env, 'proxy.bypass', source);
  s.network.caFiles = s.network.caFiles.map((f, i) => expandEnv(f, env, `caFiles[${i}]`, source));

  if (s.provider.baseUrl === '') throw schemaError({ provider: { baseUrl: '' } }, [{ path: ['provider', 'baseUrl'], message: '' }]);
  // The one base-URL check names the exact URL to use when the scheme is missing (`localhost:11434` is a URL
  // with the scheme "localhost:" to the URL parser, so this comes first).
  const noScheme = checkBaseUrl(s.provider.baseUrl, s.provider.protocol).find((i) => i.problem === 'no_scheme')?.corrected;
  if (noScheme) {
    throw new ParleyError('config_invalid', words('base_url_no_scheme', { url: maskUrlSecrets(rawBaseUrl), corrected: maskUrlSecrets(noScheme) }), { hop: 'config', phase: 'config' });
  }
  let url: URL;
  try {
    url = new URL(s.provider.baseUrl);
  } catch {
    throw new ParleyError('config_invalid', words(rawBaseUrl === s.provider.baseUrl ? 'base_url_not_url' : 'base_url_not_url_expanded', { url: maskUrlSecrets(rawBaseUrl) }), { hop: 'config', phase: 'config' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ParleyError('config_invalid', words('base_url_bad_scheme', { scheme: url.protocol.replace(/:$/, '') }), { hop: 'config', phase: 'config' });
  }
  if (s.network.proxy.mode === 'manual' && !s.network.proxy.url) {
    throw new ParleyError('config_invalid', words('proxy_url_missing', {}), { hop: 'config', phase: 'config' });
  }
  // Trailing slashes of the path are dropped; a query (`?key=…`) stays as written.
  const q = s.provider.baseUrl.search(/[?#]/);
  s.provider.baseUrl = q === -1 ? s.provider.baseUrl.replace(/\/+$/, '') : s.provider.baseUrl.slice(0, q).replace(/\/+$/, '') + s.provider.baseUrl.slice(q);
  return s;
}
