/**
 * The network core: every LLM request goes through here. Plain Node: no Electron import, no module state.
 * Built by a factory that receives the environment, the system-proxy resolver and a stream memory.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ConnectionSettings } from '../../shared/settings.ts';
import { runChat, describeRoute, routeFacts, mapThrown, memoryStreamMemory, type Answer, type ChatResult, type StreamMemory } from './chat.ts';
import { resolveSettings, type Env } from './config.ts';
import type { ConnectStep, RequestEvent, RequestEventBody, RequestSink } from '../../shared/events.ts';
import { ADAPTERS } from './protocols/index.ts';
import type { ChatRequest } from './protocols/types.ts';
import { tryJson } from './protocols/types.ts';
import { classifyHttp } from './classify.ts';
import { resolveRoute } from './route/resolve.ts';
import type { Route, SystemProxyResolver } from './route/types.ts';
import { DispatcherPool, Deadline, exchange, headerRecord, readText } from './transport.ts';
import { buildTrustStore, checkCaFiles, TrustFileCache } from './trust.ts';
import { LIMITS } from './limits.ts';
import { routeFetch, type RouteFetchInit } from './fetch.ts';

import { ParleyError } from './errors.ts';
export { ParleyError };
export type { ChatResult, StreamMemory } from './chat.ts';
export { Answer } from './chat.ts';
export type { RequestEvent, RequestSink } from '../../shared/events.ts';
export type { ChatRequest, ChatMessage } from './protocols/types.ts';
export type { Route } from './route/types.ts';
export type { RouteFetchInit } from './fetch.ts';
/** A fetch function over one route (see Core.fetcher). */
export type RouteFetch = (url: string | URL, init?: RouteFetchInit) => Promise<Response>;
export { resolveSettings } from './config.ts';

export interface CoreOptions {
  env?: Env;
  systemProxyResolver?: SystemProxyResolver;
  streamMemory?: StreamMemory;
  /** Receives every request's events too (besides each call's own sink): the doctor's report, the CLI's log. */
  sink?: RequestSink;
  random?: () => number;
  /** Name resolution (default: the OS resolver); tests and the doctor may pass their own. */
  lookup?: import('node:net').LookupFunction;
}

export interface CallOptions {
  signal?: AbortSignal;
  /**
   * This request's events, in order (src/shared/events.ts): its route, the connection steps of connections it
   * opens, each attempt's heads, the answer's pieces, retries, the fallback, and its end or error.
   */
  sink?: RequestSink;
  /** chat(): UTF-8 bytes of the answer kept before this request (Continue), counted against the one answer limit. */
  keptBytes?: number;
  /** chat(): where the answer is gathered, for a caller that reads it while it arrives (default: the core's own). */
  answer?: Answer;
  /** listModels(): this route instead of the one the settings give (the doctor's comparison with another route). */
  route?: Route;
}

export interface Core {
  /**
   * Validates and expands raw settings (throws config_invalid / config_unexpanded_env). Settings typed here
   * are taken as they are by chat() and listModels(); anything else is typed there.
   */
  settings(raw: unknown): ConnectionSettings;
  route(settings: ConnectionSettings, url: string): Promise<Route>;
  chat(raw: unknown, request: ChatRequest, opts?: CallOptions): Promise<ChatResult>;
  listModels(raw: unknown, opts?: CallOptions): Promise<string[]>;
  /**
   * GETs a URL over the settings' network route (proxy, CAs, timeouts) with no provider key, up to
   * `maxBytes`: for what the user asked to load (a remote image in an answer).
   */
  fetchBytes(raw: unknown, url: string, opts: CallOptions & { maxBytes: number; accept: string }): Promise<{ contentType: string; body: Buffer }>;
  /**
   * A WHATWG fetch over the route the settings give (proxy, bypass, CA files, connect and first-byte bounds), for
   * libraries that take one (the MCP SDK's HTTP transports): each call is a request with its own events (route,
   * connection steps, heads); each message of an answer (a body, or one event of an event stream) is bounded.
   */
  fetcher(raw: unknown, opts?: Pick<CallOptions, 'sink'> & { maxMessageBytes?: number }): RouteFetch;
  /** Closes every pooled connection. */
  close(): Promise<void>;
  /** Number of pooled dispatchers (for tests and diagnostics). */
  readonly poolSize: number;
}

function networkKey(s: ConnectionSettings): string {
  const n = s.network;
  return JSON.stringify([n.proxy, n.caFiles, n.timeouts.connectMs]);
}

export function createCore(options: CoreOptions = {}): Core {
  const env = options.env ?? process.env;
  // Connections are opened inside the request that needs them (the pool's connector runs in its async context):
  // their steps go to that request's events.
  const opening = new AsyncLocalStorage<(ev: ConnectStep) => void>();
  const trace = (ev: ConnectStep): void => opening.getStore()?.(ev);
  const pool = new DispatcherPool(trace, options.lookup);
  const typed = new WeakSet<object>();
  const typeOnce = (raw: unknown): ConnectionSettings => {
    if (typeof raw === 'object' && raw !== null && typed.has(raw)) return raw as ConnectionSettings;
    const s = resolveSettings(raw, env);
    typed.add(s);
    return s;
  };
  /**
   * Runs one request with its event sink: every event stamped with the time since the request began, the
   * connection steps found by the async context, and the request's end or error as its last event.
   */
  const request = async <T>(opts: CallOptions, fn: (emit: (ev: RequestEventBody) => void) => Promise<T>, end?: (r: T) => RequestEventBody): Promise<T> => {
    const t0 = performance.now();
    const sinks = [opts.sink, options.sink].filter((f): f is RequestSink => f !== undefined);
    const emit = (body: RequestEventBody): void => {
      const ev = { ...body, t: Math.round(performance.now() - t0) } as RequestEvent;
      for (const sink of sinks) {
        try {
          sink(ev);
        } catch { /* a sink's failure is not the request's */ }
      }
    };
    try {
      const r = await opening.run(emit, () => fn(emit));
      emit(end ? end(r) : { type: 'end' });
      return r;
    } catch (e) {
      const err = ParleyError.is(e) ? e : undefined;
      emit({ type: 'error', code: err?.code ?? 'protocol_error', message: err?.message ?? (e instanceof Error ? e.message : String(e)) });
      throw e;
    }
  };
  const memory = options.streamMemory ?? memoryStreamMemory();

  const route = (s: ConnectionSettings, url: string): Promise<Route> =>
    resolveRoute({ mode: s.network.proxy.mode, proxyUrl: s.network.proxy.url, bypass: s.network.proxy.bypass, env, systemResolver: options.systemProxyResolver }, new URL(url));

  // CA files are stat'ed for each request with a TLS hop and read again only when they changed; the OS store is
  // read once per core, on the first such request.
  const trustFiles = new TrustFileCache();
  async function prepare(raw: unknown, url: (s: ConnectionSettings) => string, emit: (ev: RequestEventBody) => void, given?: Route) {
    const settings = typeOnce(raw);
    const target = url(settings);
    const r = given ?? (await route(settings, target));
    const facts = routeFacts(r);
    emit({ type: 'route', route: describeRoute(r), ...(facts ? { facts } : {}) });
    const targetIsTls = new URL(target).protocol === 'https:';
    // The trust store (the OS certificates, the CA files) only for a request with a TLS hop: an http:// provider
    // reached directly or through a plain proxy reads no certificate and builds no secure context.
    const tlsHop = targetIsTls || (r.kind === 'proxy' && r.proxy.scheme === 'https');
    const trust = tlsHop ? await buildTrustStore(settings.network.caFiles, env, trustFiles) : undefined;
    // Without a TLS hop the CA files are still checked (cheap), so a broken one is the same error on every route.
    if (!tlsHop) await checkCaFiles(settings.network.caFiles, trustFiles);
    const dispatcher = await pool.get(r, trust, settings.network.timeouts.connectMs, targetIsTls, networkKey(settings));
    return { settings, route: r, dispatcher };
  }

  return {
    settings: typeOnce,
    route,
    chat(raw, req, opts = {}) {
      return request(opts, async (emit) => {
        const adapter = (s: ConnectionSettings) => ADAPTERS[s.provider.protocol].chatUrl(s.provider.baseUrl);
        const p = await prepare(raw, adapter, emit);
        return runChat({ ...p, memory, signal: opts.signal, emit, random: options.random, keptBytes: opts.keptBytes, ...(opts.answer ? { answer: opts.answer } : {}) }, req);
      }, (r) => ({ type: 'end', mode: r.mode, attempts: r.attempts }));
    },
    listModels(raw, opts = {}) {
      return request(opts, (emit) => listModels(raw, opts, emit));
    },
    fetchBytes(raw, url, opts) {
      return request(opts, async (emit) => {
        const p = await prepare(raw, () => url, emit);
        const t = p.settings.network.timeouts;
        const deadline = new Deadline(opts.signal, Date.now() + Math.min(t.totalMs || 60_000, 60_000));
        const started = performance.now();
        try {
          const res = await exchange({ url, method: 'GET', headers: { accept: opts.accept }, route: p.dispatcher, deadline, firstByteMs: Math.min(t.firstByteMs, 30_000), emit });
          if (res.statusCode !== 200) {
            // Dropped unread: its abort is expected, not an unhandled error.
            res.body.on('error', () => {});
            res.body.destroy();
            throw new ParleyError('not_found', `The server answered ${res.statusCode} for ${new URL(url).host}.`, { status: res.statusCode, phase: 'headers', hint: 'Open the link in your browser instead.' });
          }
          const chunks: Buffer[] = [];
          let size = 0;
          deadline.arm('idle', Math.min(t.idleMs, 30_000));
          for await (const chunk of res.body) {
            deadline.arm('idle', Math.min(t.idleMs, 30_000));
            size += (chunk as Buffer).length;
            if (size > opts.maxBytes) {
              res.body.destroy();
              throw new ParleyError('limit_exceeded', `The file is larger than ${Math.round(opts.maxBytes / 1024 / 1024)} MB, the most Parley loads.`, { phase: 'body' });
            }
            chunks.push(chunk as Buffer);
          }
          return { contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks) };
        } catch (e) {
          throw mapThrown(e, deadline, 'headers', p, started);
        } finally {
          deadline.dispose();
        }
      });
    },
    fetcher(raw, opts = {}) {
      return (url, init) =>
        request({ ...(opts.sink ? { sink: opts.sink } : {}) }, async (emit) => {
          const target = String(url);
          const p = await prepare(raw, () => target, emit);
          const started = performance.now();
          return routeFetch({
            settings: p.settings, dispatcher: p.dispatcher, emit, maxMessageBytes: opts.maxMessageBytes ?? LIMITS.bodyBytes,
            mapError: (e, deadline, phase) => {
              const err = mapThrown(e, deadline, phase, p, started);
              return err.with({ route: err.detail.route ?? describeRoute(p.route), routeFacts: routeFacts(p.route) });
            },
          }, target, init);
        });
    },
    close: () => pool.close(),
    get poolSize() {
      return pool.size;
    },
  };

  async function listModels(raw: unknown, opts: CallOptions, emit: (ev: RequestEventBody) => void): Promise<string[]> {
    {
      const p = await prepare(raw, (s) => ADAPTERS[s.provider.protocol].modelsUrl(s.provider.baseUrl), emit, opts.route);
      const adapter = ADAPTERS[p.settings.provider.protocol];
      const url = adapter.modelsUrl(p.settings.provider.baseUrl);
      const t = p.settings.network.timeouts;
      const deadline = new Deadline(opts.signal, t.totalMs > 0 ? Date.now() + t.totalMs : undefined);
      const started = performance.now();
      try {
        const headers = adapter.headers(p.settings.provider);
        delete headers['content-type'];
        const res = await exchange({ url, method: 'GET', headers, route: p.dispatcher, deadline, firstByteMs: t.firstByteMs, emit });
        const body = await readText(res, deadline, t.idleMs, LIMITS.modelListBytes);
        const h = headerRecord(res.headers);
        const models = res.statusCode === 200 ? adapter.parseModels(tryJson(body)) : undefined;
        if (!models) throw classifyHttp({ status: res.statusCode, headers: h, body, url, forwardProxy: !!p.dispatcher.forward }, adapter, p.settings.provider.model);
        return models;
      } catch (e) {
        const err = mapThrown(e, deadline, 'headers', p, started);
        throw err.with({ route: err.detail.route ?? describeRoute(p.route), routeFacts: routeFacts(p.route) });
      } finally {
        deadline.dispose();
      }
    }
  }
}
