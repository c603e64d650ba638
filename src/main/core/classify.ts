/** Classification of HTTP answers that are not a successful completion. Pure: tested on tables. */
import { ParleyError } from './errors.ts';
import { checkBaseUrl } from '../../shared/base-url.ts';
import { maskUrlSecrets } from './config.ts';
import type { ProtocolAdapter } from './protocols/types.ts';
import { tryJson } from './protocols/types.ts';
import type { ErrorCode } from '../../shared/errors.ts';
import { words, type Words } from '../../shared/messages/en.ts';
import { formatSize } from './limits.ts';

/** Server header values that name an intermediary rather than a provider. */
const PROXY_SERVERS = /squid|nginx|haproxy|envoy|apache|varnish|cloudflare|akamai|awselb|elb|traefik|caddy|istio|openresty|tengine|bigip|zscaler|fortigate|bluecoat|mitmproxy|litellm-proxy/i;

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  url: string;
  /** The request went through an HTTP proxy in forward (absolute-form) mode, so the proxy may answer itself. */
  forwardProxy: boolean;
  /** The configured base URL the request URL was made from; without it, it is read back from `url`. */
  baseUrl?: string;
  /** Bytes of the request body that was sent (a 413 names them). */
  sentBytes?: number;
}

/**
 * The base URL a request URL was made from: the URL without the adapter's endpoint path (its query kept).
 * Undefined when the URL does not end in one of the adapter's endpoints.
 */
export function baseUrlOf(url: string, adapter: ProtocolAdapter): string | undefined {
  if (!URL.canParse(url)) return undefined;
  const u = new URL(url);
  for (const make of [adapter.chatUrl, adapter.modelsUrl]) {
    const endpoint = new URL(make('http://h')).pathname;
    if (u.pathname.endsWith(endpoint)) {
      u.pathname = u.pathname.slice(0, -endpoint.length) || '/';
      u.hash = '';
      return u.search ? u.href : u.href.replace(/\/$/, '');
    }
  }
  return undefined;
}

/**
 * The hint of a 404 for the base URL: the exact URL to use when the one base-URL check names one. Its key (the
 * message is the same sentence for each) says which hint it is; `corrected` and `base` go in the params.
 */
function notFoundWords(a: HttpAnswer, adapter: ProtocolAdapter, said: { words: string }): Words {
  const base = a.baseUrl ?? baseUrlOf(a.url, adapter);
  const corrected = base !== undefined ? checkBaseUrl(base, adapter.name).find((i) => i.corrected)?.corrected : undefined;
  if (corrected) return words('not_found', { url: a.url, ...said, corrected: maskUrlSecrets(corrected), base: maskUrlSecrets(base ?? '') });
  return words(adapter.name === 'openai' ? 'not_found_openai' : 'not_found_root', { url: a.url, ...said });
}

function looksHtml(body: string, contentType: string): boolean {
  return /text\/html/i.test(contentType) || /^\s*(<!doctype html|<html|<head|<body|<\?xml)/i.test(body);
}

function htmlTitle(body: string): string | undefined {
  const m = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(body) ?? /<h1[^>]*>([\s\S]*?)<\/h1>/i.exec(body);
  return m?.[1]?.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ').trim().slice(0, 200) || undefined;
}

function modelMissing(text: string): boolean {
  return /^model: \S+$|model[^.]*(not[ _]?found|does not exist|not exist|not available|unknown|invalid)|(no such|unknown|invalid) model|model_not_found|try pulling it/i.test(text);
}

/** A sentence whose quoted words already end it ("…on the dashboard." + ".") ends once. */
export function oneStop(sentence: string): string {
  return sentence.replace(/([.!?。！？])\.$/u, '$1');
}

/** Printable ASCII of a proxy's words (hostile text), at most `max` characters. */
const printable = (text: string, max: number): string => text.replace(/[^\x20-\x7e]/g, '?').slice(0, max);

/**
 * When a proxy's own error answer says the target is down, the error about the target (not the proxy): squid
 * names its failure in `X-Squid-Error` (ERR_CONNECT_FAIL 111 for a refused connection, 110 for a timeout;
 * ERR_DNS_FAIL) and the system's words on its page ("The system returned: (111) Connection refused").
 * `target` is host:port, `proxy` the proxy's host:port. Undefined when the answer does not say so.
 */
export function proxyTargetFailure(a: { status: number; headers: Record<string, string>; body: string; target: string; proxy?: string; route?: string }): ParleyError | undefined {
  const m = /^(ERR_[A-Z_]{1,40})(?:\s+(\d{1,5}))?/.exec((a.headers['x-squid-error'] ?? '').trim());
  if (!m) return undefined;
  const name = m[1] ?? '';
  const errno = m[2];
  const sysText = /The system returned:\s*(?:<[^>]{0,20}>\s*)*([^<\n]{1,200})/i.exec(a.body)?.[1]?.trim();
  const detail = `squid: ${name}${errno ? ` ${errno}` : ''}${sysText ? `, ${printable(sysText, 120)}` : ''}`;
  const host = a.target.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  const base = { hop: 'target' as const, host: a.target, status: a.status, providerMessage: detail, afterSend: false, ...(a.route ? { route: a.route } : {}) };
  const params = { target: a.target, host, detail };
  if (name === 'ERR_DNS_FAIL') {
    return new ParleyError('dns_failed', words('proxy_target_dns', params), { ...base, phase: 'dns', retryable: false });
  }
  if (name !== 'ERR_CONNECT_FAIL') return undefined;
  if (errno === '111') {
    return new ParleyError('connect_refused', words('proxy_target_refused', params), { ...base, phase: 'connect', retryable: false });
  }
  return new ParleyError('connect_timeout', words('proxy_target_unreachable', params), { ...base, phase: 'connect', retryable: true });
}

/** Turns a non-2xx (or non-LLM) HTTP answer into a ParleyError with the provider's own words. */
export function classifyHttp(a: HttpAnswer, adapter: ProtocolAdapter, model: string): ParleyError {
  const ct = a.headers['content-type'] ?? '';
  const json = tryJson(a.body);
  const perr = json !== undefined ? adapter.parseError(json) : undefined;
  const html = looksHtml(a.body, ct);
  const server = a.headers.server ?? '';
  const via = a.headers.via ?? '';
  const intermediary = (html || json === undefined) && (PROXY_SERVERS.test(server) || via !== '' || html);
  // The words of a provider's API error, or a page's title; never any other body (an internal service's answer,
  // reached through a base URL the window chose, is not the window's to read).
  const providerMessage = perr?.message?.trim().slice(0, 2000) ?? (html ? htmlTitle(a.body) : undefined);
  const host = new URL(a.url).host;
  const base = {
    status: a.status, host, phase: 'headers' as const, hop: 'target' as 'target' | 'proxy',
    providerMessage, providerCode: perr?.type, responseHeaders: a.headers, afterSend: true,
  };
  const s = a.status;
  const mk = (code: ErrorCode, message: string | Words, extra: Partial<typeof base> & { hint?: string; retryable?: boolean } = {}): ParleyError =>
    typeof message === 'string'
      ? new ParleyError(code, oneStop(message), { ...base, ...extra })
      : new ParleyError(code, { ...message, message: oneStop(message.message) }, { ...base, ...extra });
  const said = { words: providerMessage ?? '' };
  const w = providerMessage ? `: ${providerMessage}` : '';

  if (s === 407) {
    return mk('proxy_auth_failed', words('proxy_auth_407', said), { hop: 'proxy' });
  }
  if (a.forwardProxy && s >= 500) {
    // The proxy's own page may say that it is the target that is down.
    const down = proxyTargetFailure({ status: s, headers: a.headers, body: a.body, target: host });
    if (down) return down;
  }
  if (a.forwardProxy && intermediary && (s === 403 || s === 502 || s === 503 || s === 504)) {
    return mk(s === 403 ? 'proxy_refused' : 'bad_gateway', words(s === 403 ? 'proxy_forward_refused' : 'proxy_forward_failed', { status: s, host, ...said }), { hop: 'proxy', retryable: s !== 403 });
  }
  if (s === 401 || s === 403) {
    return mk('auth_rejected', words(s === 401 ? 'auth_rejected_401' : 'auth_rejected_403', { host, status: s, ...said }));
  }
  if (s === 404) {
    if (modelMissing(providerMessage ?? '') || perr?.type === 'model_not_found') {
      return mk('model_not_found', words(adapter.name === 'ollama' ? 'model_not_found_ollama' : 'model_not_found', { model, host, ...said }));
    }
    return mk('not_found', notFoundWords(a, adapter, said));
  }
  if (s === 408) return mk('request_timeout', `${host} timed out waiting for the request (408)${w}.`, { retryable: true });
  if (s === 409) return mk('server_error', `${host} reported a conflict (409)${w}.`, { retryable: true });
  if (s === 429) {
    const quota = /insufficient_quota|quota|billing|balance|credit|arrearage/i.test(`${perr?.type ?? ''} ${providerMessage ?? ''}`);
    return mk('rate_limited', words(quota ? 'rate_limited_quota' : 'rate_limited', { host, ...said }), { retryable: !quota });
  }
  if (s === 413) {
    // The body is larger than someone on the way accepts: a gateway's page (nginx's "413 Request Entity Too
    // Large", a proxy's server header) or the provider's own error. Never retried as it is (the chat sends
    // smaller images once: services/chat/stream-run.ts).
    const gateway = !perr && (intermediary || PROXY_SERVERS.test(server));
    const bytes = a.sentBytes ?? 0;
    const body = { bytes, by: gateway ? 'gateway' as const : 'provider' as const, ...(server ? { server: printable(server, 80) } : {}) };
    const err = mk('body_too_large', words(gateway ? 'body_too_large_gateway' : 'body_too_large', { host, size: formatSize(bytes), bytes, ...said }), {
      hop: gateway && a.forwardProxy ? 'proxy' : 'target', retryable: false,
    });
    return err.with({ body });
  }
  if (s >= 400 && s < 500) {
    if (modelMissing(providerMessage ?? '')) {
      return mk('model_not_found', words('model_unavailable', { model, host, ...said }));
    }
    return mk('request_rejected', words('request_rejected', { host, status: s, ...said }));
  }
  if (s === 502 || s === 503 || s === 504) {
    if (intermediary) {
      return mk('bad_gateway', words(server ? 'gateway_failed_server' : 'gateway_failed', { status: s, server, ...said }), { retryable: true });
    }
    return mk('server_error', words('server_unavailable', { host, status: s, ...said }), { retryable: true });
  }
  if (s >= 500) return mk('server_error', words('server_failed', { host, status: s, ...said }), { retryable: true });
  // 2xx/3xx that is not an LLM answer
  if (html) {
    return mk('protocol_error', words('web_page', { host, ...said }));
  }
  return mk('protocol_error', `${host} answered ${s} with something that is not an LLM API answer.`, {});
}
