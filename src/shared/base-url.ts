/**
 * What is wrong with a provider's base URL, and the exact URL to use instead. The one check behind the
 * settings panel (refuses on save, marks the field), the doctor (its hints) and the command line (its
 * errors), so all three name the same corrected URL. Plain functions, no I/O.
 */
import type { Protocol } from './constants.ts';

export type BaseUrlProblem =
  | 'empty'
  | 'not_url'
  | 'no_scheme'
  | 'bad_scheme'
  | 'no_host'
  | 'bind_address'
  | 'endpoint_pasted'
  | 'v1_doubled'
  | 'v1_missing';

export interface BaseUrlIssue {
  problem: BaseUrlProblem;
  /** 'error': the URL cannot work (refused on save); 'warn': it probably will not (the doctor says so). */
  severity: 'error' | 'warn';
  /** English, for the command line and logs; the window words it by `problem` with `params`. */
  message: string;
  /** The URL to use instead, when there is one. */
  corrected?: string;
  params: Record<string, string>;
}

/** Addresses a server listens on, not ones to connect to. */
export const BIND_ADDRESSES = new Set(['0.0.0.0', '[::]', '::']);

/** Endpoints people paste at the end of a base URL, per protocol (the adapter appends them itself). */
const ENDPOINTS: Record<Protocol, RegExp> = {
  openai: /\/(?:chat\/completions|completions|responses|embeddings|models)$/,
  anthropic: /\/(?:v1\/)?(?:messages|complete|models)$/,
  ollama: /\/api\/(?:chat|generate|tags|embed|embeddings)$/,
};

/** OpenAI-compatible paths that are right without ending in /vN (DashScope, OpenRouter, some gateways). */
const OPENAI_VERSIONLESS = /\/(?:openai|compatible-mode\/v\d+|api\/v\d+|api\/paas\/v\d+|v\d+[a-z]*|openai\/deployments\/[^/]+)$/;

const LOCAL = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

function withPath(u: URL, path: string): string {
  const c = new URL(u.href);
  c.pathname = path || '/';
  c.hash = '';
  const s = c.href;
  // No trailing slash on a bare origin unless there is a query (https://api.x.com, not https://api.x.com/).
  return c.search ? s : s.replace(/\/$/, '');
}

/** The issues of a base URL for a protocol, the most serious first (empty when it looks right). */
export function checkBaseUrl(raw: string, protocol: Protocol): BaseUrlIssue[] {
  const value = raw.trim();
  if (!value) return [{ problem: 'empty', severity: 'error', message: 'The base URL is empty.', params: {} }];
  if (value.includes('${')) return []; // expanded later; checked then
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    // api.openai.com/v1 or localhost:11434: the scheme is missing.
    const host = value.split(/[/?#]/)[0] ?? '';
    const scheme = LOCAL.test(host.replace(/:\d+$/, '')) ? 'http' : 'https';
    const candidate = `${scheme}://${value}`;
    if (URL.canParse(candidate) && host && !/^[a-z][a-z0-9+.-]*:$/i.test(host)) {
      const fixed = checkBaseUrl(candidate, protocol).find((i) => i.corrected)?.corrected ?? candidate;
      return [{ problem: 'no_scheme', severity: 'error', message: `The base URL "${value}" has no scheme: use ${fixed}.`, corrected: fixed, params: { url: value, corrected: fixed } }];
    }
    return [{ problem: 'not_url', severity: 'error', message: `The base URL "${value}" is not a URL (expected e.g. https://api.openai.com/v1).`, params: { url: value } }];
  }
  if (!URL.canParse(value)) return [{ problem: 'not_url', severity: 'error', message: `The base URL "${value}" is not a URL (expected e.g. https://api.openai.com/v1).`, params: { url: value } }];
  const u = new URL(value);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    return [{ problem: 'bad_scheme', severity: 'error', message: `The base URL must start with http:// or https://, not ${u.protocol}//.`, params: { scheme: u.protocol.replace(/:$/, '') } }];
  }
  if (!u.hostname) return [{ problem: 'no_host', severity: 'error', message: `The base URL "${value}" has no host name.`, params: { url: value } }];
  if (BIND_ADDRESSES.has(u.hostname)) {
    const c = new URL(u.href);
    c.hostname = '127.0.0.1';
    const corrected = withPath(c, c.pathname.replace(/\/+$/, ''));
    return [{ problem: 'bind_address', severity: 'error', message: `${u.hostname} is the address a server listens on, not one to connect to: use ${corrected}.`, corrected, params: { host: u.hostname, corrected } }];
  }
  const path = u.pathname.replace(/\/+$/, '');
  const endpoint = ENDPOINTS[protocol].exec(path);
  if (endpoint) {
    let rest = path.slice(0, endpoint.index);
    // The exact URL to use: for OpenAI-compatible services that also means /v1 when it is missing.
    if (protocol === 'openai' && !OPENAI_VERSIONLESS.test(rest)) rest = `${rest}/v1`;
    const corrected = withPath(u, rest);
    return [{ problem: 'endpoint_pasted', severity: 'error', message: `The base URL ends in the endpoint ${endpoint[0]}, which Parley adds itself: use ${corrected}.`, corrected, params: { endpoint: endpoint[0], corrected } }];
  }
  if (protocol === 'openai') {
    const doubled = /(\/v\d+[a-z]*)\1$/.exec(path);
    if (doubled) {
      const corrected = withPath(u, path.slice(0, path.length - (doubled[1] ?? '').length));
      return [{ problem: 'v1_doubled', severity: 'warn', message: `The base URL repeats ${doubled[1]}: use ${corrected}.`, corrected, params: { segment: doubled[1] ?? '', corrected } }];
    }
    if (!OPENAI_VERSIONLESS.test(path)) {
      const corrected = withPath(u, `${path}/v1`);
      return [{ problem: 'v1_missing', severity: 'warn', message: `Most OpenAI-compatible services need /v1 at the end of the base URL: try ${corrected}.`, corrected, params: { corrected } }];
    }
  }
  return [];
}
