/**
 * How a connection went, read from a request's own events (the route's sink): the address resolved, the host
 * connected, the proxy's tunnel, the TLS protocol and who issued the certificate. The doctors of the sync target
 * (sync/check.ts) and of the update feeds (update/doctor.ts) report them as data (`facts`) and in English (`detail`).
 */
import type { ErrorCode } from '../../../shared/errors.ts';
import type { RequestEvent } from '../../../shared/events.ts';

/** Errors that mean the service was not reached on the route (as opposed to an answer it gave). */
export const REACH_CODES: readonly ErrorCode[] = ['dns_failed', 'connect_refused', 'connect_timeout', 'proxy_unreachable', 'proxy_auth_failed', 'proxy_refused', 'tls_untrusted', 'tls_handshake_failed', 'stream_interrupted', 'idle_timeout', 'request_timeout', 'bad_gateway'];

export interface ConnectionFacts {
  detail: string;
  facts: Record<string, string | number>;
}

export function connectionFacts(events: readonly RequestEvent[]): ConnectionFacts {
  const facts: Record<string, string | number> = {};
  const parts: string[] = [];
  for (const e of events) {
    if (e.type === 'dns' && facts.address === undefined) {
      facts.address = e.address;
      parts.push(`${e.host} resolved to ${e.address}`);
    } else if (e.type === 'connect' && facts.connected === undefined) {
      facts.connected = e.host;
      parts.push(`connected to ${e.host}${e.where === 'proxy' ? ' (the proxy)' : ''}`);
    } else if (e.type === 'proxy' && facts.tunnel === undefined) {
      facts.tunnel = e.target;
      parts.push(`tunnel to ${e.target} through the ${e.scheme} proxy${e.status ? ` (${e.status})` : ''}`);
    } else if (e.type === 'tls' && e.where === 'target' && facts.tlsIssuer === undefined) {
      facts.tlsIssuer = e.issuer;
      facts.tlsProtocol = e.protocol;
      parts.push(`${e.protocol} with ${e.host}, certificate issued by ${e.issuer}`);
    }
  }
  return { detail: parts.length ? `${parts.join('; ')}.` : 'Reached over a connection already open.', facts };
}
