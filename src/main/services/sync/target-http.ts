/**
 * What the WebDAV and S3 targets share: one request over the target's route fetch with Parley's client-side rate
 * limit, retries of 429/503 honouring Retry-After (bounded) and of a dropped connection, a body read with a size and
 * an idle bound, and the answers that are not the store (a web page, a redirect, an empty or cut-off body) turned into
 * errors with codes. Credentials are in the headers the caller gives and never reach an error or a log: errors name
 * the host and the path only.
 */
import { randomInt } from 'node:crypto';
import type { RouteFetch } from '../../core/index.ts';
import { ParleyError } from '../../core/errors.ts';
import { words } from '../../../shared/messages/en.ts';
import type { ErrorCode } from '../../../shared/errors.ts';
import { MAX_SYNC_RETRIES, MAX_SYNC_RETRY_WAIT_MS } from '../../../shared/bounds.ts';

/** The most of an error answer's body read for the service's own words. */
const ERROR_BODY_BYTES = 16 * 1024;
/** The most characters of the service's own words an error carries. */
const WORDS_CHARS = 200;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(cancelled());
      return;
    }
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(cancelled());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function cancelled(): ParleyError {
  return new ParleyError('cancelled', words('cancelled', {}), { phase: 'request' });
}

/**
 * At most `max` requests in any `windowMs` (Nutstore: 600 in 30 minutes). A request waits for its turn up to
 * `maxWaitMs`; a longer wait is sync_rate_limited saying when the next may go (the engine stops and resumes then).
 */
export class RateLimiter {
  readonly #times: number[] = [];
  readonly max: number;
  readonly windowMs: number;
  readonly maxWaitMs: number;
  readonly now: () => number;
  constructor(max: number, windowMs: number, maxWaitMs: number = MAX_SYNC_RETRY_WAIT_MS, now: () => number = Date.now) {
    this.max = max;
    this.windowMs = windowMs;
    this.maxWaitMs = maxWaitMs;
    this.now = now;
  }

  /** Requests still allowed now. */
  get left(): number {
    this.#drop(this.now());
    return this.max - this.#times.length;
  }

  #drop(t: number): void {
    while (this.#times.length && (this.#times[0] as number) <= t - this.windowMs) this.#times.shift();
  }

  async take(host: string, signal?: AbortSignal): Promise<void> {
    for (;;) {
      const t = this.now();
      this.#drop(t);
      if (this.#times.length < this.max) {
        this.#times.push(t);
        return;
      }
      const wait = (this.#times[0] as number) + this.windowMs - t;
      if (wait > this.maxWaitMs) {
        throw new ParleyError('sync_rate_limited', words('sync_rate_local', { host, max: this.max, minutes: Math.round(this.windowMs / 60_000), seconds: Math.ceil(wait / 1000) }), {
          hop: 'target', phase: 'request', host, retryAfterMs: wait, retryAt: t + wait,
        });
      }
      await sleep(wait, signal);
    }
  }
}

export interface TargetHttp {
  /** The target's route fetch (core.fetcher): every request through Parley's transport. */
  fetch: RouteFetch;
  limiter?: RateLimiter;
  /** The most time between two pieces of a body being read (the route's idle timeout). */
  idleMs: number;
  /** Retries of one request (default MAX_SYNC_RETRIES), and the longest wait honoured (default MAX_SYNC_RETRY_WAIT_MS). */
  retries?: number;
  maxWaitMs?: number;
  /** The first back-off (doubled each retry, with jitter) where the service gives no Retry-After. */
  backoffMs?: number;
}

export interface TargetRequest {
  method: string;
  url: string;
  /** Made for each attempt (an S3 signature carries its time). */
  headers: () => Record<string, string> | Promise<Record<string, string>>;
  body?: Uint8Array | string;
  /** What the request is about, for errors: the path in the store (never with credentials). */
  path: string;
  signal?: AbortSignal;
  /** Detects a throttling answer the status does not say (Nutstore's BlockedTemporarily under a 401 or 503). */
  throttled?: (status: number, text: string) => boolean;
}

/** An answer: its status and headers; error answers (4xx, 5xx) with their body already read as text (bounded). */
export interface TargetAnswer {
  status: number;
  headers: Headers;
  /** The body of an error answer, bounded (the service's words are taken from it). */
  text: string;
  /** The body of a success answer, unread. */
  res: Response;
  /** Ends the request (the idle bound of a body read uses it). */
  abort: AbortController;
  host: string;
  path: string;
}

/** Retry-After as milliseconds: seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(h: Headers, now = Date.now()): number | undefined {
  const v = h.get('retry-after')?.trim();
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Network failures worth another try: a connection dropped before or during the answer. */
const TRANSIENT: readonly ErrorCode[] = ['stream_interrupted', 'bad_gateway'];

async function readSome(res: Response, max: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < max) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      size += value.byteLength;
    }
  } catch {
    /* what arrived is enough for the words */
  } finally {
    void reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(parts).subarray(0, max).toString('utf8');
}

/** Sends a request with the rate limit and the retries; a 3xx, 4xx or 5xx comes back with its body read as text. */
export async function send(http: TargetHttp, req: TargetRequest): Promise<TargetAnswer> {
  const host = new URL(req.url).host;
  const retries = http.retries ?? MAX_SYNC_RETRIES;
  const maxWait = http.maxWaitMs ?? MAX_SYNC_RETRY_WAIT_MS;
  const backoff = (attempt: number): number => Math.min(maxWait, (http.backoffMs ?? 500) * 2 ** attempt + randomInt(0, 250));
  for (let attempt = 0; ; attempt++) {
    if (req.signal?.aborted) throw cancelled();
    await http.limiter?.take(host, req.signal);
    const abort = new AbortController();
    const onOuter = (): void => abort.abort();
    req.signal?.addEventListener('abort', onOuter, { once: true });
    let res: Response;
    try {
      res = await http.fetch(req.url, { method: req.method, headers: await req.headers(), ...(req.body !== undefined ? { body: req.body } : {}), signal: abort.signal });
    } catch (e) {
      req.signal?.removeEventListener('abort', onOuter);
      if (req.signal?.aborted) throw cancelled();
      if (ParleyError.is(e) && TRANSIENT.includes(e.code) && attempt < retries) {
        await sleep(backoff(attempt), req.signal);
        continue;
      }
      throw ParleyError.is(e) ? e.with({ host }) : e;
    }
    const answer: TargetAnswer = { status: res.status, headers: res.headers, text: '', res, abort, host, path: req.path };
    if (res.status < 300) {
      // The caller reads (or drops) the body; the outer signal stays linked until then.
      return answer;
    }
    req.signal?.removeEventListener('abort', onOuter);
    answer.text = await readSome(res, ERROR_BODY_BYTES);
    const throttled = res.status === 429 || res.status === 503 || (req.throttled?.(res.status, answer.text) ?? false);
    const failedServer = res.status === 500 || res.status === 502 || res.status === 504;
    if ((throttled || failedServer) && attempt < retries) {
      const asked = retryAfterMs(res.headers);
      const wait = asked ?? backoff(attempt);
      if (wait <= maxWait) {
        await sleep(wait, req.signal);
        continue;
      }
    }
    if (throttled) {
      const asked = retryAfterMs(res.headers);
      throw new ParleyError('sync_rate_limited', words('sync_rate_limited', { host, status: res.status, words: serviceWords(answer.text) }), {
        hop: 'target', phase: 'headers', host, status: res.status, attempts: attempt + 1,
        ...(asked !== undefined ? { retryAfterMs: asked, retryAt: Date.now() + asked } : {}),
        ...(serviceWords(answer.text) ? { providerMessage: serviceWords(answer.text) } : {}),
      });
    }
    return answer;
  }
}

/** The service's own words in an error body: an XML message, an HTML title, or the first line of text. */
export function serviceWords(text: string): string {
  const t = text.trim();
  if (!t) return '';
  const pick = (re: RegExp): string | undefined => re.exec(t)?.[1]?.replace(/\s+/g, ' ').trim();
  const said = pick(/<(?:\w+:)?message[^>]*>([\s\S]*?)<\/(?:\w+:)?message>/i)
    ?? pick(/<(?:\w+:)?exception[^>]*>([\s\S]*?)<\/(?:\w+:)?exception>/i)
    ?? pick(/<title[^>]*>([\s\S]*?)<\/title>/i)
    ?? pick(/<h1[^>]*>([\s\S]*?)<\/h1>/i)
    ?? (t.startsWith('<') ? '' : t.split(/\r?\n/)[0]);
  return (said ?? '').replace(/<[^>]*>/g, '').slice(0, WORDS_CHARS);
}

/**
 * Whether a body is a web page (a captive portal's, a login page's): served as HTML and starting as markup. By its
 * type only: a stored file whose bytes happen to be HTML, served as what it is (octet-stream, or no type), is data
 * for the engine to judge (it refuses what is not Parley's, naming the file).
 */
export function looksLikeWebPage(contentType: string, head: string): boolean {
  const ct = contentType.toLowerCase();
  if (!ct.includes('text/html') && !ct.includes('application/xhtml')) return false;
  return head.replace(/^\uFEFF/, '').trimStart().startsWith('<');
}

/** A redirect's location without its query (which may carry a token): origin and path. */
function locationOf(h: Headers, base: string): string {
  const loc = h.get('location');
  if (!loc) return '(none)';
  try {
    const u = new URL(loc, base);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(unreadable)';
  }
}

/** The error of an answer that is not the store's: a redirect (a login page, a captive portal). */
export function redirectError(a: TargetAnswer, url: string): ParleyError {
  return new ParleyError('sync_not_storage', words('sync_redirect', { host: a.host, path: a.path, location: locationOf(a.headers, url), status: a.status }), {
    hop: 'target', phase: 'headers', host: a.host, status: a.status,
  });
}

/** The error of an answer by its status (the service's words in it); `extra` a refined sentence for some statuses. */
export function statusError(a: TargetAnswer): ParleyError {
  const said = serviceWords(a.text);
  const detail = { hop: 'target' as const, phase: 'headers' as const, host: a.host, status: a.status, ...(said ? { providerMessage: said } : {}) };
  const p = { host: a.host, path: a.path, status: a.status, words: said };
  if (a.status >= 300 && a.status < 400) return redirectError(a, `https://${a.host}/`);
  if (a.status === 401) return new ParleyError('sync_auth_failed', words('sync_auth_webdav', p), detail);
  if (a.status === 403) return new ParleyError('sync_forbidden', words('sync_forbidden', p), detail);
  if (a.status === 413) return new ParleyError('sync_too_large', words('sync_too_large', p), detail);
  if (a.status === 507) return new ParleyError('sync_storage_full', words('sync_storage_full', p), detail);
  if (a.status >= 500) return new ParleyError('sync_server_failed', words('sync_server_failed', p), detail);
  return new ParleyError('request_rejected', words('sync_refused', p), detail);
}

/**
 * A success answer's body as bytes: at most `maxBytes` (more is limit_exceeded), each piece within the idle bound,
 * all the bytes its Content-Length says (fewer is sync_truncated); a web page or (`nonEmpty`) an empty body is an
 * error, not data.
 */
export async function readBytes(http: TargetHttp, a: TargetAnswer, maxBytes: number, opts: { nonEmpty: boolean; signal?: AbortSignal }): Promise<Uint8Array> {
  const declared = a.headers.get('content-length');
  const expected = declared !== null && /^\d+$/.test(declared) ? Number(declared) : undefined;
  const p = { host: a.host, path: a.path };
  if (expected !== undefined && expected > maxBytes) {
    a.abort.abort();
    throw new ParleyError('limit_exceeded', `${a.path} on ${a.host} is ${Math.ceil(expected / 1024 / 1024)} MB, over ${Math.round(maxBytes / 1024 / 1024)} MB, the most Parley reads of one sync file.`, { phase: 'body', host: a.host });
  }
  const parts: Uint8Array[] = [];
  let size = 0;
  let idle = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    if (http.idleMs > 0) {
      timer = setTimeout(() => {
        idle = true;
        a.abort.abort();
      }, http.idleMs);
    }
  };
  const reader = a.res.body?.getReader();
  try {
    arm();
    if (reader) {
      for (;;) {
        let r: { done: boolean; value?: Uint8Array };
        try {
          r = await reader.read();
        } catch (e) {
          if (opts.signal?.aborted) throw cancelled();
          if (idle) throw new ParleyError('idle_timeout', words('idle_timeout_body', { ms: http.idleMs }), { phase: 'body', host: a.host });
          if (ParleyError.is(e) && e.code === 'limit_exceeded') throw e;
          throw new ParleyError('sync_not_storage', words('sync_cut_off', { ...p, got: size, expected: expected ?? '?' }), { hop: 'target', phase: 'body', host: a.host, status: a.status }, { cause: e });
        }
        if (r.done || !r.value) break;
        arm();
        size += r.value.byteLength;
        if (size > maxBytes) throw new ParleyError('limit_exceeded', `${a.path} on ${a.host} is over ${Math.round(maxBytes / 1024 / 1024)} MB, the most Parley reads of one sync file.`, { phase: 'body', host: a.host });
        parts.push(r.value);
      }
    }
  } finally {
    clearTimeout(timer);
    if (reader) void reader.cancel().catch(() => undefined);
    a.abort.abort();
  }
  const bytes = new Uint8Array(Buffer.concat(parts));
  if (expected !== undefined && size !== expected) {
    throw new ParleyError('sync_not_storage', words('sync_cut_off', { ...p, got: size, expected }), { hop: 'target', phase: 'body', host: a.host, status: a.status });
  }
  if (looksLikeWebPage(a.headers.get('content-type') ?? '', Buffer.from(bytes.subarray(0, 512)).toString('utf8'))) {
    const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(Buffer.from(bytes.subarray(0, 16 * 1024)).toString('utf8'))?.[1]?.replace(/\s+/g, ' ').trim().slice(0, WORDS_CHARS) ?? '';
    throw new ParleyError('sync_not_storage', words('sync_web_page', { ...p, words: title }), { hop: 'target', phase: 'body', host: a.host, status: a.status });
  }
  if (opts.nonEmpty && size === 0) {
    throw new ParleyError('sync_not_storage', words('sync_empty_body', p), { hop: 'target', phase: 'body', host: a.host, status: a.status });
  }
  return bytes;
}

/** Drops a success answer's body unread. */
export function drop(a: TargetAnswer): void {
  void a.res.body?.cancel().catch(() => undefined);
  a.abort.abort();
}

/** A sync file is never empty (every file the engine writes has a header): an empty one is refused before upload. */
export function refuseEmpty(name: string, bytes: Uint8Array): void {
  if (bytes.byteLength === 0) throw new ParleyError('limit_exceeded', `A sync file is never empty: ${name} was not uploaded.`, { phase: 'config' });
}

/**
 * A write's success answer checked: a 200 that is a web page is a captive portal that answers every method, not a
 * store that took the file (Apache answers a PUT 201 with a small HTML page of its own: only a 200 is suspect).
 */
export async function acceptWrite(http: TargetHttp, a: TargetAnswer): Promise<void> {
  const ct = a.headers.get('content-type') ?? '';
  if (a.status === 200 && /html/i.test(ct)) {
    await readBytes(http, a, 1024 * 1024, { nonEmpty: false });
    // readBytes throws for a web page; an HTML type with a body that is not one is still not a store's answer.
    throw new ParleyError('sync_not_storage', words('sync_web_page', { host: a.host, path: a.path, words: '' }), { hop: 'target', phase: 'body', host: a.host, status: a.status });
  }
  drop(a);
}
