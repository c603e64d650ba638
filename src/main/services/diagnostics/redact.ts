/**
 * The one redaction function: used once in the logging pipeline (a log hook) and again by the support bundle.
 * Secrets are replaced by a marker that keeps their shape (prefix, length) but never enough to recover them.
 */
import { mcpServerSecrets } from '../mcp/secrets.ts';
import { ENV_REF, isEnvRef, referencedVars, SECRET_QUERY_PARAM, urlSecrets } from '../../core/config.ts';
import { proxyPassword, splitProxyUserinfo } from '../../core/route/proxy-url.ts';
import { secretShape, shapeText } from '../../../shared/secret-shape.ts';

export interface Redactor {
  redactText(s: string): string;
  /**
   * A serialised JSON text (a log line) with every string in it redacted as redactText does, and the values of
   * secret-named keys replaced, at any depth; the result is valid JSON whenever the input was.
   */
  redactJson(json: string): string;
  /** Only the configured secrets (not the shapes): for what a model or the user wrote, which must stay as written otherwise. */
  redactSecrets(s: string): string;
  redactValue(v: unknown): unknown;
  /** Secrets replaced so far. */
  readonly count: number;
}

/** Keys whose value is always replaced (case-insensitive, `-`/`_` ignored). */
const SECRET_KEYS = new Set(['authorization', 'xapikey', 'proxyauthorization', 'cookie', 'setcookie', 'apikey', 'password', 'passwd', 'secret', 'token', 'accesstoken', 'refreshtoken']);

export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(key.toLowerCase().replace(/[-_]/g, ''));
}

/** The marker for a secret: `sk-…c0d1 (51 chars)` for long ones, `[redacted (N chars)]` otherwise (shared/secret-shape.ts). */
export function shapeMarker(secret: string): string {
  return shapeText(secretShape(secret));
}


/** Patterns whose capture group `s` is the secret (the rest of the match is kept). */
const PATTERNS: RegExp[] = [
  // Header lines in text: Authorization: …, x-api-key: …, Proxy-Authorization: …, Cookie: / Set-Cookie: …
  /\b(?:proxy-authorization|authorization|x-api-key|api-key|set-cookie|cookie)["']?\s*[:=]\s*["']?(?:(?:Bearer|Basic|Digest|Token)\s+)?(?<s>[^\s"'][^\r\n"']*)/gim,
  // Bearer / Basic tokens anywhere
  /\b(?:Bearer|Basic)\s+(?<s>[A-Za-z0-9._~+/=-]{6,})/g,
  // Key shapes: sk-…, sk-proj-…, sk-ant-… (OpenAI, Anthropic, DeepSeek, Moonshot, DashScope)
  /(?<![A-Za-z0-9_-])(?<s>sk-[A-Za-z0-9_-]{12,})/g,
  // Google API keys
  /(?<![A-Za-z0-9_-])(?<s>AIza[0-9A-Za-z_-]{30,})/g,
  // JWT-like
  /(?<![A-Za-z0-9_-])(?<s>eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*)?)/g,
  // JSON key/value pairs with secret names: "apiKey":"…", "password": "…"
  /"(?:api[-_]?key|password|passwd|secret|token|access[-_]?token|refresh[-_]?token)"\s*:\s*"(?<s>[^"]+)"/gi,
];

/**
 * A URL-like token in free text: a scheme, `://`, then up to whitespace, a quote, `<`, `>` or a backtick.
 * Its userinfo is found by the proxy parser's rule (splitProxyUserinfo: the last `@` ends it), taking the last
 * `@` that is followed by something shaped like host[:port] (so `@` in a password, unencoded, stays inside).
 */
const URL_TOKEN = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]*/gi;
const HOST_AFTER_AT = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~%!$&+,;=-]+)(?::\d*)?(?=$|[^A-Za-z0-9._~%@:])/;
/** Secret query parameters: `?key=…`, `&sig=…`, … (the value, up to `&`, `#`, whitespace or a quote). */
const QUERY_SECRET = new RegExp(`[?&](?:${SECRET_QUERY_PARAM.source})=(?<s>[^&#\\s"'<>\`]+)`, 'gi');
/** A JSON string literal, and the `:` after it when it is a key. */
const JSON_STRING = /"(?:[^"\\]|\\.)*"(\s*:)?/g;

/** Where the userinfo of a URL token ends (the index of its `@`), or -1. */
function userinfoEnd(token: string): number {
  for (let at = token.lastIndexOf('@'); at !== -1; at = at === 0 ? -1 : token.lastIndexOf('@', at - 1)) {
    if (HOST_AFTER_AT.test(token.slice(at + 1))) return at;
  }
  return -1;
}

/** How deep redactValue goes; what lies deeper is replaced by TOO_DEEP. */
export const MAX_DEPTH = 32;
export const TOO_DEEP = '[nested too deep: not logged]';

const MARKER_RE = /^(?:\[redacted \(\d+ chars\)\]|.{0,3}….{0,4} \(\d+ chars\)|\*{3,})$/u;

export function createRedactor(knownSecrets: string[] = []): Redactor {
  let count = 0;
  const known = [...new Set(knownSecrets.filter((s) => typeof s === 'string' && s.length >= 4))].sort((a, b) => b.length - a.length);
  // URL-encoded forms of known secrets too (passwords in proxy URLs are percent-encoded).
  const forms = new Map<string, string>();
  for (const s of known) {
    forms.set(s, s);
    const enc = encodeURIComponent(s);
    if (enc !== s) forms.set(enc, s);
  }
  // Longest first, so a secret inside a longer one goes with it. Plain substring search, not one regular
  // expression of every secret: that took a compile and a slow scan per secret of kilobytes.
  const knownForms = [...forms.keys()].sort((a, b) => b.length - a.length);
  const replaceKnown = (input: string): string => {
    let s = input;
    for (const f of knownForms) {
      if (!s.includes(f)) continue;
      const parts = s.split(f);
      count += parts.length - 1;
      s = parts.join(shapeMarker(forms.get(f) ?? f));
    }
    return s;
  };

  const isMarker = (secret: string): boolean =>
    MARKER_RE.test(secret.trim()) || secret.includes('…') || secret.startsWith('[redacted') || secret === '***';

  function applyPattern(s: string, re: RegExp, marker: (secret: string) => string = shapeMarker): string {
    re.lastIndex = 0;
    return s.replace(re, (...args: unknown[]) => {
      const groups = args[args.length - 1] as { s?: string };
      const match = args[0] as string;
      const secret = groups.s;
      if (!secret || isMarker(secret)) return match;
      count++;
      const idx = match.lastIndexOf(secret);
      return match.slice(0, idx) + marker(secret) + match.slice(idx + secret.length);
    });
  }

  /** `scheme://user:PASS@host` → `scheme://user:***@host`, by the proxy parser's userinfo rule. */
  function urlPasswords(s: string): string {
    URL_TOKEN.lastIndex = 0;
    return s.replace(URL_TOKEN, (token) => {
      const at = userinfoEnd(token);
      if (at === -1) return token;
      const ui = splitProxyUserinfo(token.slice(0, at + 1));
      if (!ui || ui.password === undefined || ui.password === '' || isMarker(ui.password)) return token;
      count++;
      return `${ui.prefix}${ui.user}:***@${token.slice(at + 1)}`;
    });
  }

  function redactText(input: string): string {
    // URL passwords and secret query values first (so they become `user:***@`, `?key=***`), then configured
    // secrets, then the shapes.
    let s = applyPattern(urlPasswords(input), QUERY_SECRET, () => '***');
    s = replaceKnown(s);
    for (const re of PATTERNS) s = applyPattern(s, re);
    return s;
  }

  function redactJson(json: string): string {
    // Every string literal on its own (so a marker never meets JSON escapes); a key with a secret name
    // makes the string value after it a secret whatever it holds.
    let secretKey = false;
    JSON_STRING.lastIndex = 0;
    return json.replace(JSON_STRING, (tok, colon: string | undefined) => {
      const lit = colon ? tok.slice(0, tok.length - colon.length) : tok;
      let text: string;
      try {
        text = JSON.parse(lit) as string;
      } catch {
        return tok;
      }
      let out: string;
      if (colon) {
        secretKey = isSecretKey(text);
        out = redactText(text);
      } else if (secretKey) {
        secretKey = false;
        if (text === '' || isEnvRef(text) || isMarker(text)) out = text;
        else {
          count++;
          out = shapeMarker(text.replace(/^(?:Bearer|Basic)\s+/i, ''));
        }
      } else {
        out = redactText(text);
      }
      return out === text ? tok : JSON.stringify(out) + (colon ?? '');
    });
  }

  function redactValue(v: unknown, depth = 0): unknown {
    if (typeof v === 'string') return redactText(v);
    if (v === null || typeof v !== 'object') return v;
    // Deeper than this, the subtree is dropped rather than passed on unredacted.
    if (depth > MAX_DEPTH) return TOO_DEEP;
    if (Array.isArray(v)) return v.map((x) => redactValue(x, depth + 1));
    if (v instanceof Error) return { name: v.name, message: redactText(v.message), ...(v.stack ? { stack: redactText(v.stack) } : {}) };
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (isSecretKey(k) && x !== undefined && x !== null && x !== '') {
        if (typeof x === 'string') {
          // Keep an unexpanded "${VAR}" reference as it is: it is not the secret.
          if (isEnvRef(x)) {
            out[k] = x;
          } else {
            count++;
            out[k] = shapeMarker(x.replace(/^(?:Bearer|Basic)\s+/i, ''));
          }
        } else {
          count++;
          out[k] = '[redacted]';
        }
      } else {
        out[k] = redactValue(x, depth + 1);
      }
    }
    return out;
  }

  function redactSecrets(input: string): string {
    return replaceKnown(input);
  }

  return {
    redactText,
    redactJson,
    redactSecrets,
    redactValue: (v) => redactValue(v),
    get count() {
      return count;
    },
  };
}

/** The proxy variables whose passwords are secrets wherever they appear. */
export const PROXY_ENV = ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'NO_PROXY'].flatMap((k) => [k, k.toLowerCase()]);

function expand(s: string, env: Record<string, string | undefined>): string {
  return s.replace(ENV_REF, (m, v: string) => env[v] ?? m);
}

/** A proxy URL's password, by the proxy parser's rule (the last '@' ends the userinfo): as written and decoded. */
function proxySecrets(u: string): string[] {
  const p = proxyPassword(u);
  if (!p) return [];
  let dec = p;
  try {
    dec = decodeURIComponent(p);
  } catch { /* keep as is */ }
  return [p, dec];
}

/**
 * The secrets in raw settings (either version of the file), and the values of the variables they reference:
 * API keys, proxy passwords, and the userinfo and query values of base URLs (`?key=…`, `?sig=…`).
 */
export function settingsSecrets(settings: unknown, env: Record<string, string | undefined>): string[] {
  const out: string[] = [];
  const s = (settings ?? {}) as { provider?: { apiKey?: unknown; baseUrl?: unknown }; providers?: unknown; network?: { proxy?: { url?: unknown } } };
  const keys: unknown[] = [s.provider?.apiKey];
  const urls: unknown[] = [s.network?.proxy?.url];
  const bases: unknown[] = [s.provider?.baseUrl];
  if (Array.isArray(s.providers)) {
    for (const p of s.providers as { apiKey?: unknown; baseUrl?: unknown; route?: { proxyUrl?: unknown } }[]) {
      keys.push(p?.apiKey);
      urls.push(p?.route?.proxyUrl);
      bases.push(p?.baseUrl);
    }
  }
  // MCP servers' variables and headers that carry credentials (services/mcp/secrets.ts).
  const mcp = (settings as { mcpServers?: unknown } | null)?.mcpServers;
  if (Array.isArray(mcp)) for (const server of mcp) out.push(...mcpServerSecrets(server, env));
  for (const key of keys) if (typeof key === 'string' && key) out.push(key, expand(key, env));
  for (const url of urls) if (typeof url === 'string' && url) out.push(...proxySecrets(url), ...proxySecrets(expand(url, env)));
  for (const url of bases) if (typeof url === 'string' && url) out.push(...urlSecrets(url), ...urlSecrets(expand(url, env)));
  // A referenced variable's value is never echoed: key-like values are secrets; URL-like ones keep only their
  // userinfo and query values secret (a proxy's password by the proxy rule, a base URL's by the URL rule).
  for (const name of referencedVars(settings)) {
    const v = env[name];
    if (!v) continue;
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) out.push(...proxySecrets(v), ...urlSecrets(v));
    else out.push(v);
  }
  for (const k of PROXY_ENV) {
    const v = env[k];
    if (v) out.push(...proxySecrets(v));
  }
  return out.filter((x) => x && !isEnvRef(x));
}

/** A redactor that learns the secrets it sees (handlers/types.ts's LearningRedactor). */
export interface LearningRedactor extends Redactor {
  /**
   * Learns secrets: `configured` ones (the current settings') replace the previous configured set and are
   * always redacted; others (a draft's key, an old key after a change) are remembered among the last
   * `maxLearned`. Cheap: the matcher is rebuilt once, at the next use, and only when the set changed.
   */
  learn(secrets: string[], opts?: { configured?: boolean }): void;
  /** What it redacts now: the configured secrets and the remembered ones. */
  secrets(): string[];
}

/** Secrets remembered besides the configured ones (a window passing keys by the hundred must not slow main). */
export const MAX_LEARNED = 64;

export function createLearningRedactor(maxLearned = MAX_LEARNED): LearningRedactor {
  let configured = new Set<string>();
  /** Insertion order is recency: the oldest is forgotten first. */
  const learned = new Set<string>();
  let current = createRedactor();
  let dirty = false;
  let base = 0;
  const remember = (s: string): void => {
    if (!s || configured.has(s)) return;
    if (learned.delete(s)) return void learned.add(s); // known: only its recency changes
    learned.add(s);
    dirty = true;
    while (learned.size > maxLearned) learned.delete(learned.values().next().value as string);
  };
  const now = (): Redactor => {
    if (dirty) {
      base += current.count;
      current = createRedactor([...configured, ...learned]);
      dirty = false;
    }
    return current;
  };
  return {
    learn(secrets, opts = {}) {
      if (opts.configured) {
        const next = new Set(secrets.filter(Boolean));
        const before = configured;
        if (next.size !== before.size || [...next].some((s) => !before.has(s))) dirty = true;
        configured = next;
        for (const s of next) learned.delete(s);
        // A key replaced by a settings change is still redacted for a while, among the remembered ones.
        for (const s of before) if (!next.has(s)) remember(s);
        return;
      }
      for (const s of secrets) remember(s);
    },
    secrets: () => [...configured, ...learned],
    redactText: (s) => now().redactText(s),
    redactJson: (s) => now().redactJson(s),
    redactSecrets: (s) => now().redactSecrets(s),
    redactValue: (v) => now().redactValue(v),
    get count() {
      return base + current.count;
    },
  };
}
