/**
 * The connector: opens the socket for one request along its route (direct, HTTP(S) CONNECT tunnel, or
 * SOCKS4/4a/5/5h), then upgrades it to TLS and verifies the certificate itself, so that every failure
 * names the hop that failed and, for an untrusted certificate, its issuer.
 *
 * Why hand-written instead of undici's ProxyAgent / Socks5ProxyAgent: those hide which hop failed and the
 * certificate that failed verification, and undici's SOCKS agent rejects socks4 and socks5h.
 */
import * as net from 'node:net';
import type * as tls from 'node:tls';
import { tlsLib } from './builtins.ts';
import { lookup } from 'node:dns/promises';
import type { SocksProxy } from 'socks';
import type { buildConnector } from 'undici';
import { ParleyError } from './errors.ts';
import { proxyTargetFailure } from './classify.ts';
import type { ProxyEndpoint, Route } from './route/types.ts';
import { formatProxy } from './route/proxy-url.ts';
import { TLS_REASONS, type ErrorCode } from '../../shared/errors.ts';
import { words } from '../../shared/messages/en.ts';
import type { ConnectStep } from '../../shared/events.ts';

export interface ConnectorOptions {
  route: Route;
  /** Connect to the HTTP(S) proxy itself (forward mode for http:// targets): the proxy is the hop. */
  forwardProxy?: boolean;
  secureContext: tls.SecureContext;
  connectTimeoutMs: number;
  /** The connection's steps (dns, connect, proxy, tls), as events of the request that opened it. */
  trace?: (ev: ConnectStep) => void;
  /** Name resolution (default: the OS resolver, as `dns.lookup`). */
  lookup?: net.LookupFunction;
}

export interface Target {
  host: string;
  port: number;
  tls: boolean;
}

/** Known TLS inspection products, recognised in a certificate issuer. */
export const INSPECTION_PRODUCTS = /mitmproxy|zscaler|fortinet|fortigate|palo alto|blue ?coat|symantec web|netskope|sophos|checkpoint|check point|cisco umbrella|forcepoint|websense|kaspersky|avast|eset|bitdefender|barracuda|mcafee web|skyhigh|charles proxy|fiddler|burp|proxyman/i;

type Stage = 'proxy_connect' | 'proxy_handshake' | 'target_connect' | 'tls';

class Ctx {
  stage: Stage = 'target_connect';
  readonly opts: ConnectorOptions;
  readonly target: Target;
  /** The TCP socket to the proxy, once open: whether it ever sent a byte tells a mute proxy from a slow tunnel. */
  proxySocket: net.Socket | undefined;
  constructor(opts: ConnectorOptions, target: Target) {
    this.opts = opts;
    this.target = target;
  }
  /** A step of this connection: an event of the request that opened it (the core stamps its time). */
  trace(step: ConnectStep): void {
    this.opts.trace?.(step);
  }
  get proxy(): ProxyEndpoint | undefined {
    return this.opts.route.kind === 'proxy' ? this.opts.route.proxy : undefined;
  }
  get routeText(): string {
    const r = this.opts.route;
    return r.kind === 'proxy' ? `via ${formatProxy(r.proxy)} (${r.source})` : `direct (${r.source})`;
  }
}

function hostPort(host: string, port: number): string {
  // An IPv6 literal is the only host with a colon (a plain test: net.isIPv6's first call compiles a large pattern).
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function socketError(ctx: Ctx, err: NodeJS.ErrnoException, where: 'proxy' | 'target'): ParleyError {
  const p = ctx.proxy;
  const host = where === 'proxy' && p ? hostPort(p.host, p.port) : hostPort(ctx.target.host, ctx.target.port);
  const sys = err.code ?? err.message;
  const base = { hop: where, host, route: ctx.routeText } as const;
  if (where === 'proxy') {
    if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') {
      return new ParleyError('proxy_unreachable', words('proxy_dns', { host: p?.host ?? '', sys }), { ...base, phase: 'dns', retryable: err.code === 'EAI_AGAIN' }, { cause: err });
    }
    return new ParleyError('proxy_unreachable', words('proxy_connect', { host, sys }), { ...base, phase: 'connect', retryable: true }, { cause: err });
  }
  switch (err.code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NODATA':
    case 'EAI_FAIL':
      return new ParleyError('dns_failed', words('dns_failed', { host: ctx.target.host, sys }), { ...base, phase: 'dns', retryable: err.code === 'EAI_AGAIN' }, { cause: err });
    case 'ECONNREFUSED':
      return new ParleyError('connect_refused', words('connect_refused', { host }), { ...base, phase: 'connect', retryable: true }, { cause: err });
    case 'ETIMEDOUT':
      return new ParleyError('connect_timeout', words('connect_timeout', { host }), { ...base, phase: 'connect', retryable: true }, { cause: err });
    default:
      return new ParleyError('connect_refused', words('connect_failed', { host, sys }), { ...base, phase: 'connect', retryable: true }, { cause: err });
  }
}

function tcpConnect(ctx: Ctx, host: string, port: number, where: 'proxy' | 'target', signal: AbortSignal): Promise<net.Socket> {
  return new Promise<net.Socket>((resolve, reject) => {
    const socket = net.connect({ host, port, autoSelectFamily: true, ...(ctx.opts.lookup ? { lookup: ctx.opts.lookup } : {}) });
    const onAbort = (): void => {
      socket.destroy();
      reject(new Error('aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('lookup', (err, address) => {
      if (!err) ctx.trace({ type: 'dns', host, address: String(address) });
    });
    socket.once('connect', () => {
      signal.removeEventListener('abort', onAbort);
      socket.removeAllListeners('error');
      ctx.trace({ type: 'connect', where, host: hostPort(host, port) });
      resolve(socket);
    });
    socket.once('error', (err) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(socketError(ctx, err, where));
    });
  });
}

function basicAuth(p: ProxyEndpoint): string | undefined {
  if (p.username === undefined) return undefined;
  return 'Basic ' + Buffer.from(`${p.username}:${p.password ?? ''}`).toString('base64');
}

/** The largest CONNECT answer head read. */
const MAX_HEAD_BYTES = 64 * 1024;
/** A proxy's status line: `HTTP/1.x SP 3DIGIT [SP reason]`, nothing else. */
const STATUS_LINE = /^HTTP\/1\.\d ([1-5]\d\d)(?: [^\r\n]*)?$/;

/** Why reading a CONNECT answer head failed. */
class HeadError extends Error {
  readonly kind: 'not_http' | 'too_large' | 'closed';
  readonly got: string;
  constructor(kind: HeadError['kind'], got = '', options?: { cause?: unknown }) {
    super(kind, options);
    this.kind = kind;
    this.got = got;
  }
}

/** Text from a hostile peer, fit for a message: printable ASCII only, at most `max` characters. */
function shown(text: string, max: number): string {
  const clean = text.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > max ? clean.slice(0, max) + '…' : clean;
}

/**
 * Reads an HTTP response head from the socket (CONNECT answer). Returns the head and any bytes after it.
 * Fails as soon as the answer cannot be HTTP (its start, or its complete status line), and past 64 KB.
 */
function readHead(socket: net.Socket, signal: AbortSignal): Promise<{ head: string; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const cleanup = (): void => {
      socket.off('data', onData);
      socket.off('error', onErr);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      signal.removeEventListener('abort', onAbort);
    };
    const fail = (e: Error): void => {
      cleanup();
      reject(e);
    };
    const onData = (d: Buffer): void => {
      buf = Buffer.concat([buf, d]);
      const prefix = buf.subarray(0, 5).toString('latin1');
      if (!'HTTP/'.startsWith(prefix)) {
        fail(new HeadError('not_http', buf.subarray(0, 80).toString('latin1').split(/\r?\n/)[0]));
        return;
      }
      const eol = buf.indexOf('\r\n');
      if (eol >= 0 && !STATUS_LINE.test(buf.subarray(0, eol).toString('latin1'))) {
        fail(new HeadError('not_http', buf.subarray(0, Math.min(eol, 80)).toString('latin1')));
        return;
      }
      const i = buf.indexOf('\r\n\r\n');
      if (i >= 0 && i <= MAX_HEAD_BYTES) {
        cleanup();
        resolve({ head: buf.subarray(0, i).toString('latin1'), rest: buf.subarray(i + 4) });
      } else if (buf.length > MAX_HEAD_BYTES) {
        fail(new HeadError('too_large'));
      }
    };
    const onErr = (e: Error): void => fail(new HeadError('closed', '', { cause: e }));
    const onEnd = (): void => fail(new HeadError('closed'));
    const onAbort = (): void => {
      cleanup();
      socket.destroy();
      reject(new Error('aborted'));
    };
    socket.on('data', onData);
    socket.once('error', onErr);
    socket.once('end', onEnd);
    socket.once('close', onEnd);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

async function httpTunnel(ctx: Ctx, p: ProxyEndpoint, signal: AbortSignal): Promise<net.Socket> {
  ctx.stage = 'proxy_connect';
  let socket: net.Socket = await tcpConnect(ctx, p.host, p.port, 'proxy', signal);
  if (p.scheme === 'https') {
    socket = await tlsUpgrade(ctx, socket, p.host, 'proxy', signal);
  }
  ctx.stage = 'proxy_handshake';
  ctx.proxySocket = socket;
  const authority = hostPort(ctx.target.host, ctx.target.port);
  const proxyHost = hostPort(p.host, p.port);
  const auth = basicAuth(p);
  socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${auth ? `Proxy-Authorization: ${auth}\r\n` : ''}\r\n`);
  let head: string;
  let rest: Buffer;
  try {
    ({ head, rest } = await readHead(socket, signal));
  } catch (e) {
    socket.destroy();
    if (signal.aborted || !(e instanceof HeadError)) throw e;
    const base = { hop: 'proxy', phase: 'proxy_handshake', host: proxyHost, route: ctx.routeText } as const;
    if (e.kind === 'not_http') {
      throw new ParleyError('proxy_refused', words('proxy_not_http', { proxy: proxyHost, got: shown(e.got, 80) }), { ...base, providerMessage: shown(e.got, 80) });
    }
    if (e.kind === 'too_large') {
      throw new ParleyError('proxy_refused', words('proxy_head_too_large', { proxy: proxyHost, target: authority }), base);
    }
    throw new ParleyError('proxy_refused', words('proxy_closed', { proxy: proxyHost, target: authority }), { ...base, retryable: true }, { cause: e.cause ?? e });
  }
  const lines = head.split('\r\n');
  const statusLine = lines[0] ?? '';
  // readHead let only a strict status line through.
  const status = Number(STATUS_LINE.exec(statusLine)?.[1]);
  if (status >= 200 && status < 300) {
    if (rest.length) socket.unshift(rest);
    ctx.trace({ type: 'proxy', scheme: p.scheme, target: authority, status });
    return socket;
  }
  socket.destroy();
  if (status >= 500) {
    // The proxy's own answer may say that it is the target that is down (squid: X-Squid-Error).
    const headers = Object.fromEntries(lines.slice(1).map((l) => [l.slice(0, Math.max(0, l.indexOf(':'))).trim().toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    const down = proxyTargetFailure({ status, headers, body: rest.toString('latin1'), target: authority, proxy: proxyHost, route: ctx.routeText });
    if (down) throw down;
  }
  const base = { hop: 'proxy', phase: 'proxy_handshake', host: proxyHost, status, route: ctx.routeText, providerMessage: shown(statusLine, 200) } as const;
  if (status === 407) {
    throw new ParleyError('proxy_auth_failed', words(auth ? 'proxy_auth_rejected' : 'proxy_auth_required', { proxy: proxyHost }), base);
  }
  if (status >= 300 && status < 400) {
    const location = lines.slice(1).find((l) => /^location:/i.test(l))?.slice('location:'.length).trim();
    throw new ParleyError('proxy_refused', words(location ? 'proxy_redirect' : 'proxy_redirect_nowhere', { proxy: proxyHost, target: authority, location: location ? shown(location, 200) : '', line: shown(statusLine, 120) }), base);
  }
  throw new ParleyError('proxy_refused', words(status === 403 ? 'proxy_tunnel_forbidden' : 'proxy_tunnel_refused', { proxy: proxyHost, target: authority, host: ctx.target.host, line: shown(statusLine.trim(), 120) }), {
    ...base, retryable: status >= 500,
  });
}

function socksError(ctx: Ctx, p: ProxyEndpoint, e: unknown): ParleyError {
  const msg = e instanceof Error ? e.message : String(e);
  const proxyHost = hostPort(p.host, p.port);
  const base = { hop: 'proxy', host: proxyHost, route: ctx.routeText, providerMessage: msg } as const;
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || /ECONNREFUSED|ENOTFOUND/.test(msg)) {
    return new ParleyError('proxy_unreachable', words('socks_unreachable', { proxy: proxyHost, sys: code ?? msg }), { ...base, phase: 'connect', retryable: true }, { cause: e });
  }
  if (/auth/i.test(msg)) {
    return new ParleyError('proxy_auth_failed', words(p.username !== undefined ? 'socks_auth_rejected' : 'socks_auth_required', { proxy: proxyHost }), { ...base, phase: 'proxy_handshake' }, { cause: e });
  }
  if (/timed out/i.test(msg)) return socksStalled(ctx, p, SOCKS_HANDSHAKE_MS);
  if (/rejected|refused|unreachable|failure|not allowed/i.test(msg)) {
    return new ParleyError('proxy_refused', words('socks_refused', { proxy: proxyHost, target: hostPort(ctx.target.host, ctx.target.port), sys: msg }), {
      ...base, phase: 'proxy_handshake', retryable: true,
    }, { cause: e });
  }
  return new ParleyError('proxy_refused', words('socks_handshake', { proxy: proxyHost, sys: msg }), { ...base, phase: 'proxy_handshake', retryable: true }, { cause: e });
}

/** Bound on a SOCKS handshake when the connect timeout is off (0): the socks library always has one. */
const SOCKS_HANDSHAKE_MS = 30_000;

/**
 * A SOCKS proxy that did not finish the handshake within `ms`: one that never sent a byte did not answer the
 * handshake at all (not a SOCKS proxy, or a stuck one); one that did is still trying to reach the target.
 */
function socksStalled(ctx: Ctx, p: ProxyEndpoint, ms: number): ParleyError {
  const proxyHost = hostPort(p.host, p.port);
  const target = hostPort(ctx.target.host, ctx.target.port);
  const base = { hop: 'proxy', phase: 'proxy_handshake', host: proxyHost, route: ctx.routeText, retryable: true } as const;
  if ((ctx.proxySocket?.bytesRead ?? 0) === 0) {
    return new ParleyError('proxy_unreachable', words('socks_silent', { proxy: proxyHost, ms }), base);
  }
  return new ParleyError('connect_timeout', words('socks_tunnel_timeout', { proxy: proxyHost, target, ms }), base);
}

async function socksTunnel(ctx: Ctx, p: ProxyEndpoint, signal: AbortSignal): Promise<net.Socket> {
  ctx.stage = 'proxy_connect';
  const remoteDns = p.scheme === 'socks4a' || p.scheme === 'socks5h';
  let destHost = ctx.target.host;
  if (!remoteDns && net.isIP(destHost) === 0) {
    // socks4 and socks5 (without h): the name is resolved here, as curl does.
    try {
      const family = p.scheme === 'socks4' ? 4 : 0;
      const custom = ctx.opts.lookup;
      const r = custom
        ? await new Promise<{ address: string }>((res, rej) => custom(destHost, { family, all: false }, (err, address) => (err ? rej(err) : res({ address: String(address) }))))
        : await lookup(destHost, { family });
      destHost = r.address;
      ctx.trace({ type: 'dns', host: ctx.target.host, address: destHost, local: { scheme: p.scheme } });
    } catch (e) {
      throw socketError(ctx, e as NodeJS.ErrnoException, 'target');
    }
  }
  // The TCP connection is ours (same resolver, same errors as for an HTTP proxy); the socks library only
  // speaks the handshake over it, so a timeout can tell a proxy that never answered from one that is slow.
  // The socks library (with ip-address: ~8 ms to load) is loaded on the first SOCKS route, not at start.
  const { SocksClient } = await import('socks');
  const raw = await tcpConnect(ctx, p.host, p.port, 'proxy', signal);
  ctx.stage = 'proxy_handshake';
  ctx.proxySocket = raw;
  const proxy: SocksProxy = {
    host: p.host,
    port: p.port,
    type: p.scheme === 'socks4' || p.scheme === 'socks4a' ? 4 : 5,
    ...(p.username !== undefined ? { userId: p.username, password: p.password ?? '' } : {}),
  };
  // The socks API takes no signal: race it, and destroy the socket on an abort.
  let onAbort = (): void => undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      raw.destroy();
      reject(new Error('aborted'));
    };
  });
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const pending = SocksClient.createConnection({
      proxy,
      command: 'connect',
      destination: { host: destHost, port: ctx.target.port },
      existing_socket: raw,
      // Started after the TCP connect, so the connect timeout (openConnection's timer) fires first; with the
      // connect timeout off, the handshake still has a bound.
      timeout: ctx.opts.connectTimeoutMs > 0 ? ctx.opts.connectTimeoutMs : SOCKS_HANDSHAKE_MS,
    });
    pending.then((r) => signal.aborted && r.socket.destroy(), () => undefined);
    const { socket } = await Promise.race([pending, aborted]);
    ctx.trace({ type: 'proxy', scheme: p.scheme, target: hostPort(ctx.target.host, ctx.target.port) });
    return socket;
  } catch (e) {
    raw.destroy();
    if (signal.aborted) throw e;
    throw socksError(ctx, p, e);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** A certificate's issuer as `CN / O / OU` (shared with the doctor). */
export function issuerText(cert: tls.PeerCertificate | undefined): string | undefined {
  if (!cert || !cert.issuer) return undefined;
  const i = cert.issuer as unknown as Record<string, string | string[] | undefined>;
  const one = (k: string): string | undefined => {
    const v = i[k];
    return Array.isArray(v) ? v.join(', ') : v;
  };
  const parts = [one('CN'), one('O'), one('OU')].filter((x): x is string => !!x);
  return parts.length ? [...new Set(parts)].join(' / ') : undefined;
}


function tlsUpgrade(ctx: Ctx, raw: net.Socket, servername: string, where: 'proxy' | 'target', signal: AbortSignal): Promise<tls.TLSSocket> {
  ctx.stage = 'tls';
  const port = where === 'proxy' ? ctx.proxy!.port : ctx.target.port;
  const host = hostPort(servername, port);
  return new Promise<tls.TLSSocket>((resolve, reject) => {
    const socket = tlsLib().connect({
      socket: raw,
      // Node's own identity check uses `host`; without it, it would check the host the raw socket was opened
      // to, which is the proxy for a tunnel.
      host: servername,
      ...(net.isIP(servername) ? {} : { servername }),
      secureContext: ctx.opts.secureContext,
      ALPNProtocols: ['http/1.1'],
      // Verified below, so that a failure can name the certificate's issuer.
      rejectUnauthorized: false,
    });
    const onAbort = (): void => {
      socket.destroy();
      raw.destroy();
      reject(new Error('aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const fail = (e: ParleyError): void => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      raw.destroy();
      reject(e);
    };
    socket.once('secureConnect', () => {
      signal.removeEventListener('abort', onAbort);
      const cert = socket.getPeerCertificate();
      const issuer = issuerText(cert);
      const viaProxy = ctx.opts.route.kind === 'proxy' && where === 'target';
      const intercept = issuer && INSPECTION_PRODUCTS.test(issuer) ? issuer : undefined;
      const untrusted = (reason: string, sys: string): ParleyError =>
        new ParleyError('tls_untrusted', words(intercept ? 'tls_untrusted_inspect' : viaProxy ? 'tls_untrusted_proxy' : 'tls_untrusted', { host, reason, sys, issuer: issuer ?? 'unknown' }), {
          hop: where, phase: 'tls', host, certIssuer: issuer, route: ctx.routeText, providerMessage: sys,
        });
      if (!socket.authorized) {
        const sys = String(socket.authorizationError ?? 'unknown');
        fail(untrusted(TLS_REASONS[sys] ?? sys, sys));
        return;
      }
      // Always, also for an IP address: a certificate names an IP only in its subjectAltName, never in its CN.
      const idErr = tlsLib().checkServerIdentity(servername, cert);
      if (idErr) {
        fail(untrusted(`it is for another host name (${idErr.message})`, 'ERR_TLS_CERT_ALTNAME_INVALID'));
        return;
      }
      socket.removeAllListeners('error');
      ctx.trace({ type: 'tls', where, host, protocol: socket.getProtocol() ?? '', issuer: issuer ?? '?' });
      resolve(socket);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const viaProxy = ctx.opts.route.kind === 'proxy' && where === 'target';
      fail(new ParleyError('tls_handshake_failed', words(viaProxy ? 'tls_handshake_proxy' : 'tls_handshake', { host, sys: err.code ?? err.message, servername }), {
        hop: where, phase: 'tls', host, route: ctx.routeText, providerMessage: err.message, retryable: true,
      }, { cause: err }));
    });
  });
}

function timeoutError(ctx: Ctx): ParleyError {
  const ms = ctx.opts.connectTimeoutMs;
  const p = ctx.proxy;
  const target = hostPort(ctx.target.host, ctx.target.port);
  switch (ctx.stage) {
    case 'proxy_connect':
      return new ParleyError('proxy_unreachable', words('proxy_accept_timeout', { proxy: p ? hostPort(p.host, p.port) : '', ms }), { hop: 'proxy', phase: 'connect', route: ctx.routeText, retryable: true });
    case 'proxy_handshake': {
      if (p && p.scheme !== 'http' && p.scheme !== 'https') return socksStalled(ctx, p, ms);
      const proxyHost = p ? hostPort(p.host, p.port) : '';
      return new ParleyError('connect_timeout', words('proxy_connect_timeout', { proxy: proxyHost, target, ms }), { hop: 'proxy', phase: 'proxy_handshake', host: proxyHost, route: ctx.routeText, retryable: true });
    }
    case 'tls':
      return new ParleyError('connect_timeout', words('tls_timeout', { target, ms }), { hop: 'target', phase: 'tls', host: target, route: ctx.routeText, retryable: true });
    default:
      return new ParleyError('connect_timeout', words('connect_timeout_ms', { target, ms }), { hop: 'target', phase: 'connect', host: target, route: ctx.routeText, retryable: true });
  }
}

/** Opens a (TLS-verified where needed) socket to the target along the route. */
export async function openConnection(opts: ConnectorOptions, target: Target, outer?: AbortSignal): Promise<net.Socket> {
  const ctx = new Ctx(opts, target);
  const controller = new AbortController();
  const onOuter = (): void => controller.abort();
  outer?.addEventListener('abort', onOuter, { once: true });
  let timedOut = false;
  const timer = opts.connectTimeoutMs > 0
    ? setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, opts.connectTimeoutMs)
    : undefined;
  try {
    const signal = controller.signal;
    let socket: net.Socket;
    const route = opts.route;
    if (route.kind === 'proxy' && opts.forwardProxy) {
      ctx.stage = 'proxy_connect';
      socket = await tcpConnect(ctx, route.proxy.host, route.proxy.port, 'proxy', signal);
      if (route.proxy.scheme === 'https') socket = await tlsUpgrade(ctx, socket, route.proxy.host, 'proxy', signal);
      return socket;
    }
    if (route.kind === 'direct') {
      socket = await tcpConnect(ctx, target.host, target.port, 'target', signal);
    } else if (route.proxy.scheme === 'http' || route.proxy.scheme === 'https') {
      socket = await httpTunnel(ctx, route.proxy, signal);
    } else {
      socket = await socksTunnel(ctx, route.proxy, signal);
    }
    if (target.tls) socket = await tlsUpgrade(ctx, socket, target.host, 'target', signal);
    return socket;
  } catch (e) {
    if (timedOut) throw timeoutError(ctx);
    if (outer?.aborted) throw new ParleyError('cancelled', words('cancelled', {}), { phase: 'connect' });
    throw e;
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onOuter);
  }
}

/** The same, as an undici connector. */
export function makeConnector(opts: ConnectorOptions): buildConnector.connector {
  return (o, cb) => {
    const tlsTarget = o.protocol === 'https:';
    const port = Number(o.port) || (tlsTarget ? 443 : 80);
    const host = o.hostname.replace(/^\[|\]$/g, '');
    openConnection(opts, { host, port, tls: tlsTarget }).then(
      (s) => cb(null, s),
      (e: Error) => cb(e, null),
    );
  };
}

export type { ErrorCode };
