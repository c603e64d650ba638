/**
 * The one rule for how a request passes an HTTP(S) proxy: an http:// target is forwarded (the request goes to the
 * proxy in absolute form, `GET http://host/path`), everything else is tunnelled (CONNECT, or SOCKS). The connector
 * and its pool open the hop by it, and the doctor tests the same hop by it.
 */
import type { Route } from './types.ts';

/**
 * Whether a request to a target over `route` is forwarded by an HTTP(S) proxy rather than tunnelled: an http://
 * target (no TLS of its own) through an http:// or https:// proxy. An https:// target is always tunnelled (TLS
 * end to end), SOCKS always tunnels, and a direct route has no proxy to forward to.
 */
export function isForwarded(route: Route, targetIsTls: boolean): boolean {
  return !targetIsTls && route.kind === 'proxy' && (route.proxy.scheme === 'http' || route.proxy.scheme === 'https');
}
