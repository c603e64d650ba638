/**
 * Dispatchers pooled per route, and one HTTP exchange with its time bounds.
 * HTTP/1.1 only, deliberately: intermediaries and some servers mishandle HTTP/2, and SSE gains nothing from it.
 */
import type * as net from 'node:net';
import type * as tls from 'node:tls';
import { tlsLib } from './builtins.ts';
import type { Agent as UndiciAgent, Dispatcher } from 'undici';
// undici's Agent and its request API, without the rest of the package (fetch, WebSocket, caches, mocks: two
// thirds of its code), which `parley` would otherwise load on every run. The API is attached to Dispatcher's
// prototype exactly as undici's own index.js does. (undici's files have no types of their own; typed as its exports.)
// @ts-expect-error: no declaration file for undici's own files
import AgentImpl from 'undici/lib/dispatcher/agent.js';
// @ts-expect-error: no declaration file for undici's own files
import DispatcherImpl from 'undici/lib/dispatcher/dispatcher.js';
// @ts-expect-error: no declaration file for undici's own files
import undiciApi from 'undici/lib/api/index.js';

Object.assign((DispatcherImpl as { prototype: object }).prototype, undiciApi);
const Agent = AgentImpl as typeof UndiciAgent;
import { makeConnector } from './connect.ts';
import { headHeader, type ConnectStep, type HeadHeader, type RequestEventBody } from '../../shared/events.ts';
import { bodyTooLarge, LIMITS } from './limits.ts';
import { isForwarded } from './route/forward.ts';
import type { Route } from './route/types.ts';
import { systemCertificates, type TrustStore } from './trust.ts';

export interface RouteDispatcher {
  dispatcher: Dispatcher;
  /** http:// target through an HTTP(S) proxy: requests go to the proxy in absolute form. */
  forward?: { origin: string; authorization?: string };
}

function routeKey(route: Route): string {
  if (route.kind === 'direct') return 'direct';
  const p = route.proxy;
  return `${p.scheme}://${encodeURIComponent(p.username ?? '')}:${encodeURIComponent(p.password ?? '')}@${p.host}:${p.port}`;
}

/**
 * A dispatcher's TLS secure context, made on first use from its trust store (Node's roots, the OS store and the
 * extra CAs: building it costs tens of milliseconds).
 */
class LazySecureContext {
  #trust: TrustStore | undefined;
  #context: tls.SecureContext | undefined;
  constructor(trust: TrustStore | undefined) {
    this.#trust = trust;
  }
  set(trust: TrustStore): void {
    if (!this.#trust) this.#trust = trust;
  }
  get(): tls.SecureContext {
    // Without a trust store (a TLS hop the pool was not told of: never expected) Node's and the OS's roots.
    this.#context ??= tlsLib().createSecureContext({ ca: this.#trust?.ca ?? systemCertificates() });
    return this.#context;
  }
}

/**
 * Dispatchers keyed by network settings and route, so providers with different routes share one pool and
 * keep their connections. Least recently used ones beyond MAX_DISPATCHERS are closed gracefully (requests
 * in flight finish); close() destroys all.
 */
const MAX_DISPATCHERS = 8;

export class DispatcherPool {
  readonly #entries = new Map<string, RouteDispatcher>();
  readonly #trace: ((ev: ConnectStep) => void) | undefined;
  readonly #lookup: net.LookupFunction | undefined;
  readonly #trust = new WeakMap<RouteDispatcher, LazySecureContext>();

  constructor(trace?: (ev: ConnectStep) => void, lookup?: net.LookupFunction) {
    this.#trace = trace;
    this.#lookup = lookup;
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * The dispatcher for this route. `trust` is given when the request has a TLS hop (an https:// target, or an
   * https:// proxy): the secure context is made from it the first time a connection of this dispatcher upgrades
   * to TLS, never for a dispatcher whose connections are all plain (an http:// provider, direct or via a plain proxy).
   */
  async get(route: Route, trust: TrustStore | undefined, connectTimeoutMs: number, targetIsTls: boolean, networkKey: string): Promise<RouteDispatcher> {
    const forward = isForwarded(route, targetIsTls);
    // Without a TLS hop the extra CA files were not read: such a request shares the dispatcher of TLS requests
    // without extra CAs (key ''), and a dispatcher made without trust gets it from the first request that has it.
    const key = `${networkKey}|${trust?.key ?? ''}|${routeKey(route)}|${forward ? 'fwd' : 'tun'}`;
    let entry = this.#entries.get(key);
    if (entry) {
      // Most recently used last.
      this.#entries.delete(key);
      this.#entries.set(key, entry);
      if (trust) this.#trust.get(entry)?.set(trust);
    } else {
      const lazy = new LazySecureContext(trust);
      const dispatcher = new Agent({
        connect: makeConnector({
          route, connectTimeoutMs, forwardProxy: forward, trace: this.#trace, lookup: this.#lookup,
          // Read by the connector only when it upgrades a socket to TLS.
          get secureContext() {
            return lazy.get();
          },
        }),
        allowH2: false,
        // Time bounds are Parley's own (see exchange()); undici's would race them.
        headersTimeout: 0,
        bodyTimeout: 0,
        keepAliveTimeout: 30_000,
      });
      entry = { dispatcher };
      this.#trust.set(entry, lazy);
      if (forward && route.kind === 'proxy') {
        const p = route.proxy;
        const host = p.host.includes(':') ? `[${p.host}]` : p.host;
        entry.forward = {
          origin: `${p.scheme}://${host}:${p.port}`,
          authorization: p.username !== undefined ? 'Basic ' + Buffer.from(`${p.username}:${p.password ?? ''}`).toString('base64') : undefined,
        };
      }
      this.#entries.set(key, entry);
      while (this.#entries.size > MAX_DISPATCHERS) {
        const [oldKey, old] = this.#entries.entries().next().value as [string, RouteDispatcher];
        this.#entries.delete(oldKey);
        void old.dispatcher.close().catch(() => undefined);
      }
    }
    return entry;
  }

  async close(): Promise<void> {
    const all = [...this.#entries.values()];
    this.#entries.clear();
    await Promise.all(all.map((e) => e.dispatcher.destroy().catch(() => undefined)));
  }
}

export type AbortReason = 'cancel' | 'first_byte' | 'idle' | 'total';

/** One request's clock: first-byte, idle and total bounds, and cancellation, as one AbortSignal with a reason. */
export class Deadline {
  readonly controller = new AbortController();
  reason: AbortReason | undefined;
  #timer: NodeJS.Timeout | undefined;
  #totalTimer: NodeJS.Timeout | undefined;
  readonly #onOuter: () => void;

  readonly outer: AbortSignal | undefined;
  constructor(outer: AbortSignal | undefined, totalDeadline: number | undefined) {
    this.outer = outer;
    this.#onOuter = () => this.abort('cancel');
    if (outer?.aborted) this.abort('cancel');
    outer?.addEventListener('abort', this.#onOuter, { once: true });
    if (totalDeadline !== undefined) {
      this.#totalTimer = setTimeout(() => this.abort('total'), Math.max(0, totalDeadline - Date.now()));
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  abort(reason: AbortReason): void {
    if (this.controller.signal.aborted) return;
    this.reason = reason;
    this.controller.abort(new Error(`parley:${reason}`));
  }

  /** (Re)arms the first-byte or idle timer; 0 disables. */
  arm(reason: 'first_byte' | 'idle', ms: number): void {
    clearTimeout(this.#timer);
    this.#timer = ms > 0 ? setTimeout(() => this.abort(reason), ms) : undefined;
  }

  dispose(): void {
    clearTimeout(this.#timer);
    clearTimeout(this.#totalTimer);
    this.outer?.removeEventListener('abort', this.#onOuter);
  }
}

/** The methods Parley sends: a chat's and a model list's, and a sync target's (WebDAV and S3). */
export type HttpMethod = 'GET' | 'POST' | 'DELETE' | 'PUT' | 'HEAD' | 'PROPFIND' | 'MKCOL' | 'MOVE' | 'COPY';

export interface ExchangeInput {
  url: string;
  method: HttpMethod;
  headers: Record<string, string>;
  /** Text (a chat's JSON) or bytes (a file a sync target uploads). */
  body?: string | Uint8Array;
  route: RouteDispatcher;
  deadline: Deadline;
  firstByteMs: number;
  /** The request's sink: the heads, as the request is written to its connection and as its answer's head arrives. */
  emit?: (ev: RequestEventBody) => void;
}

export type Response = Dispatcher.ResponseData;

/** Sends the request and waits for the response head within the first-byte bound. */
export async function exchange(input: ExchangeInput): Promise<Response> {
  const u = new URL(input.url);
  const headers: Record<string, string> = { accept: '*/*', 'user-agent': 'Parley/0.1', ...input.headers };
  let origin = u.origin;
  let path = u.pathname + u.search;
  if (input.route.forward) {
    origin = input.route.forward.origin;
    path = u.href;
    headers.host = u.host;
    if (input.route.forward.authorization) headers['proxy-authorization'] = input.route.forward.authorization;
  }
  input.deadline.arm('first_byte', input.firstByteMs);
  const emit = input.emit;
  // The heads are emitted where undici writes the request to its connection (after the connection's own
  // steps) and where the answer's head arrives: a handler around this one request's own.
  const dispatcher = emit
    ? input.route.dispatcher.compose((dispatch) => (opts, handler) => dispatch(opts, new HeadObserver(handler, () => {
      const sent: HeadHeader[] = [headHeader('host', headers.host ?? u.host), headHeader('connection', 'keep-alive')];
      for (const [k, v] of Object.entries(headers)) if (k !== 'host') sent.push(headHeader(k, v));
      if (input.body !== undefined) sent.push(headHeader('content-length', String(Buffer.byteLength(input.body))));
      emit({ type: 'request', method: input.method, url: withoutSecrets(u), ...(input.route.forward ? { via: input.route.forward.origin } : {}), headers: sent });
    }, (status: number, h: Record<string, string | string[] | undefined>, statusText?: string) => {
      const got: HeadHeader[] = [];
      for (const [k, v] of Object.entries(h)) if (v !== undefined) for (const one of Array.isArray(v) ? v : [v]) got.push(headHeader(k, one));
      emit({ type: 'response', status, ...(statusText ? { statusText } : {}), headers: got });
    })))
    : input.route.dispatcher;
  const res = await dispatcher.request({
    origin,
    path,
    method: input.method,
    headers,
    body: input.body ?? null,
    signal: input.deadline.signal,
  });
  return res;
}

/** A URL as a head event names it: no user name or password (secret query values are masked by who keeps it). */
function withoutSecrets(u: URL): string {
  if (!u.username && !u.password) return u.href;
  const c = new URL(u.href);
  c.username = '';
  c.password = '';
  return c.href;
}

/** undici's handler of one request, seen when its head is written and when the answer's head arrives. */
type Received = (status: number, headers: Record<string, string | string[] | undefined>, statusText?: string) => void;

class HeadObserver implements Dispatcher.DispatchHandler {
  readonly #inner: Dispatcher.DispatchHandler;
  readonly #sent: () => void;
  readonly #received: Received;
  constructor(inner: Dispatcher.DispatchHandler, sent: () => void, received: Received) {
    this.#inner = inner;
    this.#sent = sent;
    this.#received = received;
  }
  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.#sent();
    this.#inner.onRequestStart?.(controller, context);
  }
  onRequestUpgrade(controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>, socket: import('node:stream').Duplex): void {
    this.#inner.onRequestUpgrade?.(controller, statusCode, headers, socket);
  }
  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>, statusMessage?: string): void {
    this.#received(statusCode, headers, statusMessage);
    this.#inner.onResponseStart?.(controller, statusCode, headers, statusMessage);
  }
  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#inner.onResponseData?.(controller, chunk);
  }
  onResponseEnd(controller: Dispatcher.DispatchController, trailers: Record<string, string | string[] | undefined>): void {
    this.#inner.onResponseEnd?.(controller, trailers);
  }
  onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    this.#inner.onResponseError?.(controller, error);
  }
}

/**
 * Reads a whole body as text, with the idle bound between chunks, up to `limitBytes` bytes on the wire (default
 * LIMITS.bodyBytes): more ends the read with `limit_exceeded` naming the limit, before the excess is kept.
 */
/** Bytes of a whole body that count as progress for the idle timeout (see readText). */
const IDLE_PROGRESS_BYTES = 1024;

export async function readText(res: Response, deadline: Deadline, idleMs: number, limitBytes: number = LIMITS.bodyBytes): Promise<string> {
  const decoder = new TextDecoder();
  const parts: string[] = [];
  let size = 0;
  // Progress is a kilobyte, not a byte: a body trickling a byte at a time (that never completes) times out as
  // idle instead of running to the total timeout (off by default). A short body ends before its idle bound.
  let sinceArm = 0;
  deadline.arm('idle', idleMs);
  for await (const chunk of res.body) {
    sinceArm += (chunk as Buffer).length;
    if (sinceArm >= IDLE_PROGRESS_BYTES) {
      deadline.arm('idle', idleMs);
      sinceArm = 0;
    }
    size += (chunk as Buffer).length;
    if (size > limitBytes) {
      res.body.destroy();
      throw bodyTooLarge(limitBytes);
    }
    parts.push(decoder.decode(chunk as Buffer, { stream: true }));
  }
  parts.push(decoder.decode());
  return parts.join('');
}

export function headerRecord(h: Dispatcher.ResponseData['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}
