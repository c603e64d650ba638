/**
 * The core as the connection doctor sees it: a narrow probe over the same pieces every request uses (settings,
 * route, resolver, connector, trust store, requests), so the doctor tests what Parley does, not a copy of it, and
 * does not reach into the core's modules one by one. Plain Node: no Electron.
 */
import * as dns from 'node:dns';
import type * as net from 'node:net';
import type * as tls from 'node:tls';
import { createSecureContext } from 'node:tls';
import type { ConnectionSettings } from '../../shared/settings.ts';
import { describeRoute, type ChatResult } from './chat.ts';
import type { Env } from './config.ts';
import { INSPECTION_PRODUCTS, issuerText, openConnection } from './connect.ts';
import type { RequestEvent, RequestSink } from '../../shared/events.ts';
import { createCore } from './index.ts';
import { ADAPTERS } from './protocols/index.ts';
import type { ChatRequest } from './protocols/types.ts';
import { readProxyEnv } from './route/env.ts';
import { isForwarded } from './route/forward.ts';
import { parsePacResult } from './route/pac.ts';
import { formatProxy, maskProxyValue, parseProxyUrl } from './route/proxy-url.ts';
import { targetPort } from './route/resolve.ts';
import type { ProxyEndpoint, Route, SystemProxyResolver } from './route/types.ts';
import { buildTrustStore } from './trust.ts';

import { ParleyError } from './errors.ts';
export { ParleyError };
export { referencedVars, resolveSettings, type Env } from './config.ts';
export { describeRoute, formatProxy, isForwarded };
export type { ChatRequest, ChatResult, ProxyEndpoint, RequestSink, Route, SystemProxyResolver };

/** Where the chat requests of a provider go. */
export interface Endpoint {
  url: URL;
  /** Without IPv6 brackets. */
  host: string;
  port: number;
  tls: boolean;
}

/** The chat endpoint of these settings. */
export function chatEndpoint(s: ConnectionSettings): Endpoint {
  const url = new URL(ADAPTERS[s.provider.protocol].chatUrl(s.provider.baseUrl));
  return { url, host: url.hostname.replace(/^\[|\]$/g, ''), port: targetPort(url), tls: url.protocol === 'https:' };
}

/**
 * A proxy URL for words a person reads: the user's password is theirs to type, never printed. The proxy parser's
 * own rule finds it (the last '@' ends the userinfo), so a password with an unencoded `#`, `/` or `@` is hidden whole.
 */
export function passwordless(url: string): string {
  return maskProxyValue(url, 'PASSWORD').replace(/\/$/, '');
}

/** Whether a certificate issuer names a known TLS inspection product. */
export function isInspectionIssuer(issuer: string | undefined): boolean {
  return issuer !== undefined && INSPECTION_PRODUCTS.test(issuer);
}

/** The proxy an environment's variables name for a URL (as curl reads them), and the NO_PROXY list. */
export interface EnvProxy {
  /** The variable, e.g. `HTTPS_PROXY` (empty when none applies). */
  variable: string;
  /** Its value as found (with any password: see passwordless). */
  url?: string;
  /** The value as a proxy (undefined when it is not a proxy URL). */
  proxy?: ProxyEndpoint;
  noProxy: string;
}
export function envProxy(env: Env, url: URL): EnvProxy {
  const pe = readProxyEnv(env, url);
  let proxy: ProxyEndpoint | undefined;
  if (pe.proxyUrl) {
    try {
      proxy = parseProxyUrl(pe.proxyUrl);
    } catch { /* not a proxy URL */ }
  }
  return { variable: pe.variable ?? '', ...(pe.proxyUrl ? { url: pe.proxyUrl } : {}), ...(proxy ? { proxy } : {}), noProxy: pe.noProxy };
}

/** The proxies the system settings name for a URL (none when there is no resolver or it has no answer). */
export async function systemProxies(resolver: SystemProxyResolver | undefined, url: URL): Promise<ProxyEndpoint[]> {
  if (!resolver) return [];
  try {
    return parsePacResult(await resolver(url.href)).flatMap((e) => (e.kind === 'proxy' ? [e.proxy] : []));
  } catch {
    return [];
  }
}

/** A hop as the connector opened it: what it saw (TLS protocol, certificate issuer), or the error. */
export type Hop = { ok: true; protocol?: string; issuer?: string } | { ok: false; error: unknown };

/** What the doctor times in an answer. */
export interface ChatWatch {
  headers?(): void;
  delta?(): void;
}

export interface ProbeOptions {
  env: Env;
  lookup?: net.LookupFunction;
  systemProxyResolver?: SystemProxyResolver;
  /** Every event of the probe's requests (route, connection steps, heads, end: src/shared/events.ts). */
  sink?: RequestSink;
  signal?: AbortSignal;
}

export interface Probe {
  /** The chat endpoint of the settings. */
  readonly endpoint: Endpoint;
  /** The route of the chat endpoint, as a request would take it. */
  route(): Promise<Route>;
  /** Every address of a name, as the connector's resolver answers. */
  lookup(host: string): Promise<Array<{ address: string; family: number }>>;
  /**
   * Opens the connection to the chat endpoint over `route` with the connector (TLS when `tls`), then closes it.
   * The hop is the one requests take (isForwarded: to the proxy itself for a forwarded http:// target).
   */
  open(route: Route, tls: boolean): Promise<Hop>;
  /**
   * Whether the provider is reached over `route` the way requests reach it (isForwarded): a tunnel through the
   * proxy (TLS when the target has it), or, for a forwarded http:// target, a request through the proxy (the
   * model list without the API key: a proxy the user has not chosen never sees it) that the provider answers.
   */
  reach(route: Route): Promise<Hop>;
  /** The provider's model list, as the app asks for it. */
  listModels(raw: unknown): Promise<string[]>;
  /** One chat request, as the app sends it; `watch` is told when its response head and each piece of text arrive. */
  chat(raw: unknown, request: ChatRequest, watch?: ChatWatch): Promise<ChatResult>;
  close(): Promise<void>;
}

/**
 * A probe for these (valid) settings. Reads the trust store first: a CA file that cannot be read throws here,
 * as it would for a request.
 */
export async function openProbe(settings: ConnectionSettings, opts: ProbeOptions): Promise<Probe> {
  const endpoint = chatEndpoint(settings);
  const secureContext: tls.SecureContext = createSecureContext({ ca: (await buildTrustStore(settings.network.caFiles, opts.env)).ca });
  const core = createCore({ env: opts.env, lookup: opts.lookup, systemProxyResolver: opts.systemProxyResolver, ...(opts.sink ? { sink: opts.sink } : {}) });
  const connectTimeoutMs = settings.network.timeouts.connectMs || 15_000;
  const open = async (route: Route, tlsOn: boolean): Promise<Hop> => {
    try {
      const forwardProxy = isForwarded(route, endpoint.tls);
      const sock = await openConnection({ route, forwardProxy, secureContext, connectTimeoutMs, lookup: opts.lookup }, { host: endpoint.host, port: endpoint.port, tls: tlsOn }, opts.signal);
      const t = sock as tls.TLSSocket;
      const hop: Hop = tlsOn ? { ok: true, protocol: t.getProtocol() ?? undefined, issuer: issuerText(t.getPeerCertificate()) ?? 'unknown issuer' } : { ok: true };
      sock.destroy();
      return hop;
    } catch (e) {
      return { ok: false, error: e };
    }
  };
  return {
    endpoint,
    route: () => core.route(settings, endpoint.url.href),
    lookup: (host) => lookupAll(opts.lookup, host),
    open,
    async reach(route) {
      if (!isForwarded(route, endpoint.tls)) return open(route, endpoint.tls);
      const keyless: ConnectionSettings = { ...settings, provider: { ...settings.provider } };
      delete keyless.provider.apiKey;
      try {
        await core.listModels(keyless, { signal: opts.signal, route });
        return { ok: true };
      } catch (e) {
        return providerAnswered(e) ? { ok: true } : { ok: false, error: e };
      }
    },
    listModels: (raw) => core.listModels(raw, { signal: opts.signal }),
    chat(raw, request, watch) {
      const sink = (ev: RequestEvent): void => {
        if (ev.type === 'response') watch?.headers?.();
        if (ev.type === 'delta' || ev.type === 'reasoning') watch?.delta?.();
      };
      return core.chat(raw, request, { signal: opts.signal, ...(watch ? { sink } : {}) });
    },
    close: () => core.close(),
  };
}

/** A request's error that is the provider's own answer (an HTTP status it sent), not the proxy's or the way's. */
function providerAnswered(e: unknown): boolean {
  return ParleyError.is(e) && e.detail.afterSend === true && e.detail.status !== undefined && e.detail.hop !== 'proxy';
}

function lookupAll(fn: net.LookupFunction | undefined, host: string): Promise<Array<{ address: string; family: number }>> {
  return new Promise((resolve, reject) => {
    const cb = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number): void => {
      if (err) reject(err);
      else if (Array.isArray(address)) resolve(address);
      else resolve([{ address, family: family ?? (address.includes(':') ? 6 : 4) }]);
    };
    if (fn) fn(host, { all: true }, cb as never);
    else dns.lookup(host, { all: true }, cb as never);
  });
}
