/** The route module: which way (direct or which proxy) a request goes, and why. */

export type { ProxyEndpoint, ProxyMode, ProxyScheme, Route, SystemProxyResolver } from './types.ts';
export { parseBypassList, matchBypass, isLoopbackHost, type BypassRule, type BypassRules, type BypassMatch } from './bypass.ts';
export { readProxyEnv, type ProxyEnv } from './env.ts';
export { parseProxyUrl, formatProxy, maskProxyValue } from './proxy-url.ts';
export { parsePacResult, type PacEntry } from './pac.ts';
export { isForwarded } from './forward.ts';
export { resolveRoute, targetPort, type RouteInput } from './resolve.ts';
export { RouteError, type RouteErrorCode } from './route-error.ts';
