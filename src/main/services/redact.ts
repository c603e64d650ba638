/**
 * The one redaction function: used once in the logging pipeline (a log hook) and again by the support bundle.
 * Secrets are replaced by a marker that keeps their shape (prefix, length) but never enough to recover them.
 */
import { isEnvRef } from '../core/config.ts';

export interface Redactor {
  redactText(s: string): string;
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

/** The marker for a secret: `sk-…c0d1 (51 chars)` for long ones, `[redacted (N chars)]` otherwise. */
export function shapeMarker(secret: string): string {
  const n = [...secret].length;
  if (n >= 20) return `${secret.slice(0, 3)}…${secret.slice(-4)} (${n} chars)`;
  return `[redacted (${n} chars)]`;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Patterns whose capture group `s` is the secret (the rest of the match is kept). */
const PATTERNS: RegExp[] = [
  // Header lines in text: Authorization: …, x-api-key: …, Proxy-Authorization: …, Cookie: / Set-Cookie: …
  /\b(?:proxy-authorization|authorization|x-api-key|api-key|set-cookie|cookie)["']?\s*[:=]\s*["']?(?:(?:Bearer|Basic|Digest|Token)\s+)?(?<s>[^\s"'][^\r\n"']*)/gim,
  // Bearer / Basic tokens anywhere
  /\b(?:Bearer|Basic)\s+(?<s>[A-Za-z0-9._~+/=-]{6,})/g,
  // Passwords in URLs: scheme://user:PASS@host
  /\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@"']*:(?<s>[^\s/@"']+)@/gi,
  // Key shapes: sk-…, sk-proj-…, sk-ant-… (OpenAI, Anthropic, DeepSeek, Moonshot, DashScope)
  /(?<![A-Za-z0-9_-])(?<s>sk-[A-Za-z0-9_-]{12,})/g,
  // Google API keys
  /(?<![A-Za-z0-9_-])(?<s>AIza[0-9A-Za-z_-]{30,})/g,
  // JWT-like
  /(?<![A-Za-z0-9_-])(?<s>eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*)?)/g,
  // JSON key/value pairs with secret names: "apiKey":"…", "password": "…"
  /"(?:api[-_]?key|password|passwd|secret|token|access[-_]?token|refresh[-_]?token)"\s*:\s*"(?<s>[^"]+)"/gi,
];

const URL_PASSWORD = PATTERNS[2] as RegExp;

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
  const knownRe = forms.size > 0 ? new RegExp([...forms.keys()].sort((a, b) => b.length - a.length).map(escapeRe).join('|'), 'g') : undefined;

  function applyPattern(s: string, re: RegExp): string {
    re.lastIndex = 0;
    return s.replace(re, (...args: unknown[]) => {
      const groups = args[args.length - 1] as { s?: string };
      const match = args[0] as string;
      const secret = groups.s;
      if (!secret || MARKER_RE.test(secret.trim()) || secret.includes('…') || secret.startsWith('[redacted') || secret === '***') return match;
      count++;
      const marker = re === URL_PASSWORD ? '***' : shapeMarker(secret);
      const idx = match.lastIndexOf(secret);
      return match.slice(0, idx) + marker + match.slice(idx + secret.length);
    });
  }

  function redactText(input: string): string {
    // URL passwords first (so they become `user:***@`), then configured secrets, then the shapes.
    let s = applyPattern(input, URL_PASSWORD);
    if (knownRe) {
      s = s.replace(knownRe, (m) => {
        count++;
        return shapeMarker(forms.get(m) ?? m);
      });
    }
    for (const re of PATTERNS) if (re !== URL_PASSWORD) s = applyPattern(s, re);
    return s;
  }

  function redactValue(v: unknown, depth = 0): unknown {
    if (typeof v === 'string') return redactText(v);
    if (v === null || typeof v !== 'object' || depth > 32) return v;
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
    if (!knownRe) return input;
    return input.replace(knownRe, (m) => {
      count++;
      return shapeMarker(forms.get(m) ?? m);
    });
  }

  return {
    redactText,
    redactSecrets,
    redactValue: (v) => redactValue(v),
    get count() {
      return count;
    },
  };
}
