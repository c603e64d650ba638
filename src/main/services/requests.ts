/**
 * The request recorder: the one per-request timeline of Parley's own requests (chats, titles, model lists, the
 * doctor). Every entry is appended to the request's timeline AND written as one log line (scope `transport`,
 * or the entry's own scope) under the request's id, by the same call: the network panel and parley.log are
 * two views of one record and always agree.
 *
 * What feeds it:
 * - the services where a request is made (chat-service, the doctor and providers:models handlers): the start,
 *   the core's ChatEvents (route, status, retry, fallback, end), its connection trace (dns, connect, proxy,
 *   tls) and how it finished;
 * - the HTTP heads, from undici's diagnostics channels: the request headers as written to the socket and the
 *   response status and headers. A request is claimed by the record whose `run()` it was created in (an
 *   AsyncLocalStorage of this recorder), so another request in flight, or another app instance, never mixes in.
 *
 * What it keeps is redacted when it is recorded (credential headers keep only their shape, URLs lose their
 * passwords and secret query values, configured secrets are replaced everywhere) and bounded: the last
 * MAX_REQUESTS requests, each at most MAX_STEPS entries, MAX_HEADERS headers of at most MAX_VALUE characters.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import diagnostics from 'node:diagnostics_channel';
import type { ChatEvent } from '../core/index.ts';
import type { TraceEvent } from '../core/connect.ts';
import type { ErrorCode } from '../../shared/errors.ts';
import type { NetworkData, NetworkHeader, NetworkKind, NetworkRequest, NetworkStep, NetworkStepType, NetworkSummary } from '../../shared/ipc.ts';
import { timelineEntry, type LogScope, type Logger } from './logging.ts';
import type { Redactor } from './redact.ts';
import { isSecretKey, shapeMarker } from './redact.ts';
import { secretShape } from '../../shared/secret-shape.ts';

/** Requests kept (the oldest go first). */
export const MAX_REQUESTS = 200;
/** Entries kept per request's timeline; later ones are counted (`dropped`), and the log has them. */
export const MAX_STEPS = 500;
/** Headers kept per request or response head. */
export const MAX_HEADERS = 64;
/** The most characters of a header value or URL kept. */
export const MAX_VALUE = 1024;
/** How often (at most) a request in flight is announced to the windows. */
const UPDATE_MS = 50;

/** Header names whose value is a credential whatever it looks like (besides redact.ts's secret keys). */
const CREDENTIAL_HEADER = /auth|api-?key|token|secret|cookie|session|signature|password/i;

export interface StepOptions {
  level?: 'info' | 'warn';
  /** The log scope of this entry (default `transport`). */
  scope?: LogScope;
  headers?: NetworkHeader[];
}

export interface RequestRecord {
  readonly id: string;
  /** Appends one entry to the timeline and writes it to the log. */
  add(type: NetworkStepType, message: string, data?: NetworkData, opts?: StepOptions): void;
  /** A ChatEvent of the core (deltas are not entries). */
  event(ev: ChatEvent): void;
  /** A connection step of the core (dns, connect, proxy, tls). */
  trace(ev: TraceEvent): void;
  /** Runs the request's work so that its HTTP heads are recorded here. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** It worked: the last entry (`message` is its log line, e.g. 'chat done'). */
  done(message: string, data?: NetworkData): void;
  /** It failed with this code (an ErrorCode, or a doctor verdict): the last entry. */
  failed(code: ErrorCode | (string & {}), message: string, data?: NetworkData): void;
}

export interface BeginOptions {
  kind: NetworkKind;
  /** The request id (default: a new UUID). */
  id?: string;
  /** The target URL (masked before it is kept). */
  url: string;
  /** The method the request will use (the first head sent replaces it). */
  method?: string;
  /** The first entry's log line, e.g. 'chat request', with its data. */
  message: string;
  data?: NetworkData;
  /** The log scope of the request's own lines, its start and its end (default `transport`; the doctor's: `doctor`). */
  scope?: LogScope;
}

export interface RequestRecorder {
  begin(opts: BeginOptions): RequestRecord;
  /** Newest first. */
  list(): NetworkSummary[];
  get(id: string): NetworkRequest | undefined;
  /** Called (throttled) when a request begins, moves on or ends; returns the unsubscribe function. */
  onUpdate(fn: (summary: NetworkSummary) => void): () => void;
  /** Stops listening to undici's channels. */
  close(): void;
}

interface Entry {
  summary: NetworkSummary;
  timeline: NetworkStep[];
  dropped: number;
  t0: number;
  timer?: NodeJS.Timeout;
  ended: boolean;
}

/** The undici request as its diagnostics channels publish it (the fields read here). */
interface UndiciRequest {
  origin?: unknown;
  path?: unknown;
  method?: unknown;
}

const clip = (s: string): string => (s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE)}…` : s);

export function createRequestRecorder(deps: { logger: Logger; redactor: Redactor; max?: number; maxSteps?: number }): RequestRecorder {
  const { logger, redactor } = deps;
  const max = deps.max ?? MAX_REQUESTS;
  const maxSteps = deps.maxSteps ?? MAX_STEPS;
  const entries = new Map<string, Entry>();
  const listeners = new Set<(s: NetworkSummary) => void>();
  const current = new AsyncLocalStorage<RecordImpl>();
  const owners = new WeakMap<object, RecordImpl>();

  const maskUrl = (url: string): string => clip(redactor.redactText(url));
  const header = (name: string, value: string): NetworkHeader => {
    const n = name.trim().toLowerCase();
    const v = value.trim();
    if (isSecretKey(n) || CREDENTIAL_HEADER.test(n)) {
      // Only the scheme and the shape of a credential (`Bearer sk-…ghij (51 chars)`), never enough to use it.
      const scheme = /^(Bearer|Basic|Digest|Token)\s+/i.exec(v)?.[0] ?? '';
      if (v === '') return { name: n, value: '' };
      const secret = v.slice(scheme.length);
      return { name: n, value: `${scheme}${shapeMarker(secret)}`, shape: { scheme, ...secretShape(secret) } };
    }
    return { name: n, value: clip(redactor.redactText(v)) };
  };

  const announce = (e: Entry): void => {
    if (e.timer) clearTimeout(e.timer);
    e.timer = undefined;
    const s = { ...e.summary, steps: e.timeline.length };
    for (const fn of listeners) {
      try {
        fn(s);
      } catch { /* a listener's failure is not the request's */ }
    }
  };
  const changed = (e: Entry, now = false): void => {
    if (now) return announce(e);
    e.timer ??= setTimeout(() => announce(e), UPDATE_MS);
  };

  class RecordImpl implements RequestRecord {
    readonly id: string;
    readonly #e: Entry;
    /** The scope of the request's own lines (its start and its end); the network's are `transport`. */
    readonly #own: LogScope;
    constructor(id: string, e: Entry, own: LogScope) {
      this.id = id;
      this.#e = e;
      this.#own = own;
    }

    add(type: NetworkStepType, message: string, data: NetworkData = {}, opts: StepOptions = {}): void {
      const e = this.#e;
      const level = opts.level ?? (type === 'retry' || type === 'fallback' || type === 'failed' ? 'warn' : 'info');
      const safe = redactor.redactValue(data) as NetworkData;
      const headers = opts.headers?.slice(0, MAX_HEADERS);
      // One entry, two views: the log line (same message, same data, under the request id) and the timeline.
      logger.scope(opts.scope ?? 'transport')[level](message, { requestId: this.id, ...safe, ...(headers ? { headers } : {}) });
      if (e.ended && type !== 'done' && type !== 'failed') return;
      const final = type === 'done' || type === 'failed';
      if (e.timeline.length >= maxSteps - (final ? 0 : 1)) {
        e.dropped++;
        if (!final) return;
        e.timeline.splice(maxSteps - 1);
      }
      e.timeline.push({ type, t: Math.round(performance.now() - e.t0), message, level, data: safe, ...(headers ? { headers } : {}) });
      const s = e.summary;
      if (type === 'retry') s.retries++;
      if (type === 'fallback') s.fellBack = true;
      if (type === 'response' && typeof safe.status === 'number') s.status = safe.status;
      changed(e, type === 'start');
    }

    event(ev: ChatEvent): void {
      if (ev.type === 'route' && ev.facts) this.#e.summary.route = ev.facts;
      const entry = timelineEntry(ev);
      if (entry) this.add(entry.type, entry.message, entry.data, { level: entry.level });
    }

    trace(ev: TraceEvent): void {
      // The sentence's key and values beside the English (`say`, then its fields): the panel words them.
      const { sentence, ...values } = ev.say ?? { sentence: undefined };
      this.add(ev.type, ev.type, { ms: ev.ms, detail: ev.detail, ...(sentence ? { say: sentence, ...values } : {}) });
    }

    run<T>(fn: () => Promise<T>): Promise<T> {
      return current.run(this, fn);
    }

    /** The head undici wrote to the socket: `METHOD path HTTP/1.1`, then the headers. */
    sent(req: UndiciRequest, head: string): void {
      const [first = '', ...lines] = head.split('\r\n');
      const [method = String(req.method ?? '')] = first.split(' ');
      const path = String(req.path ?? '');
      const url = maskUrl(/^https?:\/\//i.test(path) ? path : `${String(req.origin ?? '')}${path}`);
      const headers: NetworkHeader[] = [];
      for (const line of lines) {
        const i = line.indexOf(':');
        if (i > 0) headers.push(header(line.slice(0, i), line.slice(i + 1)));
      }
      const s = this.#e.summary;
      if (!s.method) {
        // The first head names the request: its method and the URL it really went to.
        s.method = method;
        s.url = url;
        try {
          s.host = new URL(url).host;
        } catch { /* kept from the start */ }
      }
      const forward: NetworkData = /^https?:\/\//i.test(path) ? { via: maskUrl(String(req.origin ?? '')) } : {};
      this.add('request', 'request', { method, url, ...forward }, { headers });
    }

    received(res: { statusCode?: unknown; statusText?: unknown; headers?: unknown }): void {
      const raw = Array.isArray(res.headers) ? (res.headers as unknown[]) : [];
      const headers: NetworkHeader[] = [];
      for (let i = 0; i + 1 < raw.length; i += 2) headers.push(header(String(raw[i]), String(raw[i + 1])));
      const status = typeof res.statusCode === 'number' ? res.statusCode : 0;
      this.add('response', 'response', { status, ...(res.statusText ? { statusText: String(res.statusText) } : {}) }, { headers });
    }

    done(message: string, data: NetworkData = {}): void {
      this.#finish('done', message, data);
    }

    failed(code: string, message: string, data: NetworkData = {}): void {
      this.#e.summary.error = code;
      this.#finish('failed', message, { code, ...data });
    }

    #finish(type: 'done' | 'failed', message: string, data: NetworkData): void {
      const e = this.#e;
      if (e.ended) return;
      e.summary.state = type;
      e.summary.durationMs = Math.round(performance.now() - e.t0);
      this.add(type, message, data, { scope: this.#own });
      e.ended = true;
      changed(e, true);
    }
  }

  // undici's heads, claimed by the record whose run() created the request.
  const onCreate = (msg: unknown): void => {
    const rec = current.getStore();
    const req = (msg as { request?: object }).request;
    if (rec && req) owners.set(req, rec);
  };
  const onSend = (msg: unknown): void => {
    const m = msg as { request?: UndiciRequest; headers?: unknown };
    const rec = m.request ? owners.get(m.request) : undefined;
    if (rec && typeof m.headers === 'string') rec.sent(m.request as UndiciRequest, m.headers);
  };
  const onHeaders = (msg: unknown): void => {
    const m = msg as { request?: object; response?: { statusCode?: unknown; statusText?: unknown; headers?: unknown } };
    const rec = m.request ? owners.get(m.request) : undefined;
    if (rec && m.response) rec.received(m.response);
  };
  diagnostics.subscribe('undici:request:create', onCreate);
  diagnostics.subscribe('undici:client:sendHeaders', onSend);
  diagnostics.subscribe('undici:request:headers', onHeaders);

  const view = (e: Entry): NetworkRequest => ({ ...e.summary, steps: e.timeline.length, timeline: e.timeline.map((s) => ({ ...s })), dropped: e.dropped });

  return {
    begin(opts) {
      const id = opts.id ?? randomUUID();
      const url = maskUrl(opts.url);
      let host = '';
      try {
        host = new URL(opts.url).host;
      } catch { /* no URL yet (the doctor on empty settings) */ }
      const e: Entry = {
        summary: { id, kind: opts.kind, method: '', host, url, startedAt: Date.now(), state: 'active', retries: 0, fellBack: false, steps: 0 },
        timeline: [],
        dropped: 0,
        t0: performance.now(),
        ended: false,
      };
      entries.set(id, e);
      while (entries.size > max) {
        const oldest = entries.keys().next().value as string;
        const old = entries.get(oldest);
        if (old?.timer) clearTimeout(old.timer);
        entries.delete(oldest);
      }
      const rec = new RecordImpl(id, e, opts.scope ?? 'transport');
      rec.add('start', opts.message, { kind: opts.kind, ...(opts.method ? { method: opts.method } : {}), url, ...opts.data }, { scope: opts.scope ?? 'transport' });
      return rec;
    },
    list: () => [...entries.values()].reverse().map((e) => ({ ...e.summary, steps: e.timeline.length })),
    get(id) {
      const e = entries.get(id);
      return e ? view(e) : undefined;
    },
    onUpdate(fn) {
      listeners.add(fn);
      return () => void listeners.delete(fn);
    },
    close() {
      diagnostics.unsubscribe('undici:request:create', onCreate);
      diagnostics.unsubscribe('undici:client:sendHeaders', onSend);
      diagnostics.unsubscribe('undici:request:headers', onHeaders);
      for (const e of entries.values()) if (e.timer) clearTimeout(e.timer);
      listeners.clear();
    },
  };
}
