/** Proxy and route types shared by the route resolver and the connector. */

import type { RouteSource } from '../../../shared/route.ts';

export type ProxyScheme = 'http' | 'https' | 'socks4' | 'socks4a' | 'socks5' | 'socks5h';

export interface ProxyEndpoint {
  scheme: ProxyScheme;
  host: string; // no brackets for IPv6
  port: number;
  username?: string; // percent-decoded
  password?: string; // percent-decoded
}

export type ProxyMode = 'none' | 'env' | 'manual' | 'system';

/**
 * The decision for one target URL, with the reason (which setting or rule decided): `why` as data (set by
 * resolveRoute), `source` its English words (or, for a route the doctor makes up to compare, just words).
 */
export type Route =
  | { kind: 'direct'; source: string; why?: RouteSource }
  | { kind: 'proxy'; proxy: ProxyEndpoint; source: string; why?: RouteSource };

/** The system proxy resolver (Electron's session.resolveProxy): answers in PAC form, e.g. "PROXY h:p; DIRECT". */
export type SystemProxyResolver = (url: string) => Promise<string>;
