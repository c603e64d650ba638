/**
 * The request recorder: the one per-request timeline of Parley's own requests (chats, titles, model lists, the
 * doctor). Every entry is appended to the request's timeline AND written as one log line (scope `transport`,
 * or the entry's own scope) under the request's id, by the same call: the network panel and parley.log are
 * two views of one record and always agree.
 *
 * What feeds it: the services where a request is made (chat-service, the doctor and providers:models handlers)
 * begin a record, pass its `sink` to the core as the request's own event sink, and end it. The timeline is a
 * fold of the core's request events (src/shared/events.ts: route, connection steps, the heads the core sent
 * and received, first byte, retries, fallback, end), each worded by logging.ts's timelineEntries.
 *
 * What it keeps is redacted when it is recorded (credential headers keep only their shape, URLs lose their
 * passwords and secret query values, configured secrets are replaced everywhere) and bounded: the last
 * MAX_REQUESTS requests, each at most MAX_STEPS entries, MAX_HEADERS headers of at most MAX_VALUE characters.
 */
import { randomUUID } from 'node:crypto';
import type { HeadHeader, RequestEvent } from '../../../shared/events.ts';
import type { ErrorCode } from '../../../shared/errors.ts';
import type { NetworkData, NetworkHeader, NetworkKind, NetworkRequest, NetworkStep, NetworkStepType, NetworkSummary } from '../../../shared/ipc.ts';
import { timelineEntries, type LogScope, type Logger } from './logging.ts';
import type { Redactor } from './redact.ts';

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
  /** The request's event sink (CallOptions.sink): each event folded into the timeline (the answer's pieces are not entries). */
  readonly sink: (ev: RequestEvent) => void;
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
  /** A tool server's request: its server and JSON-RPC method (NetworkSummary.mcp). */
  mcp?: NetworkSummary['mcp'];
}

export interface RequestRecorder {
  begin(opts: BeginOptions): RequestRecord;
  /** Newest first. */
  list(): NetworkSummary[];
  get(id: string): NetworkRequest | undefined;
  /** Called (throttled) when a request begins, moves on or ends; returns the unsubscribe function. */
  onUpdate(fn: (summary: NetworkSummary) => void): () => void;
  /** Stops the announcement timers and drops the listeners. */
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

const clip = (s: string): string => (s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE)}…` : s);

export function createRequestRecorder(deps: { logger: Logger; redactor: Redactor; max?: number; maxSteps?: number }): RequestRecorder {
  const { logger, redactor } = deps;
  const max = deps.max ?? MAX_REQUESTS;
  const maxSteps = deps.maxSteps ?? MAX_STEPS;
  const entries = new Map<string, Entry>();
  const listeners = new Set<(s: NetworkSummary) => void>();

  const maskUrl = (url: string): string => clip(redactor.redactText(url));
  // The core shaped the credentials; the rest is redacted here (configured secrets) and bounded.
  const header = (h: HeadHeader): NetworkHeader => (h.shape ? h : { name: h.name, value: clip(redactor.redactText(h.value)) });

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

    readonly sink = (ev: RequestEvent): void => {
      const s = this.#e.summary;
      if (ev.type === 'route' && ev.facts) s.route = ev.facts;
      if (ev.type === 'request' && !s.method) {
        // The first head names the request: its method and the URL it really went to.
        s.method = ev.method;
        s.url = maskUrl(ev.url);
        try {
          s.host = new URL(ev.url).host;
        } catch { /* kept from the start */ }
      }
      for (const entry of timelineEntries(ev)) {
        const data = entry.type === 'request' ? { ...entry.data, url: maskUrl(ev.type === 'request' ? ev.url : ''), ...(ev.type === 'request' && ev.via ? { via: maskUrl(ev.via) } : {}) } : entry.data;
        this.add(entry.type, entry.message, data, { level: entry.level, ...(entry.headers ? { headers: entry.headers.slice(0, MAX_HEADERS).map(header) } : {}) });
      }
    };

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
        summary: { id, kind: opts.kind, method: '', host, url, startedAt: Date.now(), state: 'active', retries: 0, fellBack: false, steps: 0, ...(opts.mcp ? { mcp: opts.mcp } : {}) },
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
      for (const e of entries.values()) if (e.timer) clearTimeout(e.timer);
      listeners.clear();
    },
  };
}
