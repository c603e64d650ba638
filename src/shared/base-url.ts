/**
 * What is wrong with a provider's base URL, and the exact URL to use instead. The one check behind the
 * settings panel (refuses on save, marks the field), the doctor (its hints) and the command line (its
 * errors), so all three name the same corrected URL. Plain functions, no I/O.
 */
import type { Protocol } from './constants.ts';
import { BASE_URL_NOTES, fill, words, type ErrorParams, type Words } from './messages/en.ts';

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

type FieldProblem = Exclude<BaseUrlProblem, 'v1_doubled' | 'v1_missing'>;
type FieldKey<P extends FieldProblem> = `base_url_field_${P}`;

/** A base URL that cannot work: its English from the catalog (base_url_field_<problem>). */
function refused<P extends FieldProblem>(problem: P, params: ErrorParams<FieldKey<P>> & Record<string, string>, corrected?: string): BaseUrlIssue {
  const key: FieldKey<P> = `base_url_field_${problem}`;
  return { problem, severity: 'error', message: words(key, params).message, ...(corrected !== undefined ? { corrected } : {}), params };
}

/** A refused base URL's sentence, key, values and hint (for the error that refuses it at its field). */
export function refusedWords(issue: BaseUrlIssue & { problem: FieldProblem }): Words {
  return words(`base_url_field_${issue.problem}`, issue.params as ErrorParams<FieldKey<FieldProblem>>);
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
  if (!value) return [refused('empty', {})];
  if (value.includes('${')) return []; // expanded later; checked then
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    // api.openai.com/v1 or localhost:11434: the scheme is missing.
    const host = value.split(/[/?#]/)[0] ?? '';
    const scheme = LOCAL.test(host.replace(/:\d+$/, '')) ? 'http' : 'https';
    const candidate = `${scheme}://${value}`;
    if (URL.canParse(candidate) && host && !/^[a-z][a-z0-9+.-]*:$/i.test(host)) {
      const fixed = checkBaseUrl(candidate, protocol).find((i) => i.corrected)?.corrected ?? candidate;
      return [refused('no_scheme', { url: value, corrected: fixed }, fixed)];
    }
    return [refused('not_url', { url: value })];
  }
  if (!URL.canParse(value)) return [refused('not_url', { url: value })];
  const u = new URL(value);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    return [refused('bad_scheme', { scheme: u.protocol.replace(/:$/, '') })];
  }
  if (!u.hostname) return [refused('no_host', { url: value })];
  if (BIND_ADDRESSES.has(u.hostname)) {
    const c = new URL(u.href);
    c.hostname = '127.0.0.1';
    const corrected = withPath(c, c.pathname.replace(/\/+$/, ''));
    return [refused('bind_address', { host: u.hostname, corrected }, corrected)];
  }
  const path = u.pathname.replace(/\/+$/, '');
  const endpoint = ENDPOINTS[protocol].exec(path);
  if (endpoint) {
    let rest = path.slice(0, endpoint.index);
    // The exact URL to use: for OpenAI-compatible services that also means /v1 when it is missing.
    if (protocol === 'openai' && !OPENAI_VERSIONLESS.test(rest)) rest = `${rest}/v1`;
    const corrected = withPath(u, rest);
    return [refused('endpoint_pasted', { endpoint: endpoint[0], corrected }, corrected)];
  }
  if (protocol === 'openai') {
    const doubled = /(\/v\d+[a-z]*)\1$/.exec(path);
    if (doubled) {
      const corrected = withPath(u, path.slice(0, path.length - (doubled[1] ?? '').length));
      const params = { segment: doubled[1] ?? '', corrected };
      return [{ problem: 'v1_doubled', severity: 'warn', message: fill(BASE_URL_NOTES.v1_doubled, params), corrected, params }];
    }
    if (!OPENAI_VERSIONLESS.test(path)) {
      const corrected = withPath(u, `${path}/v1`);
      return [{ problem: 'v1_missing', severity: 'warn', message: fill(BASE_URL_NOTES.v1_missing, { corrected }), corrected, params: { corrected } }];
    }
  }
  return [];
}
