/**
 * How a request was routed, as data: direct or through which proxy, and why (which setting or rule chose it).
 * The core decides it (src/main/core/route/resolve.ts); the CLI and the logs write it in English
 * (`routeSourceText`, `routeText`), the window words it in its own language from the same fields, never by
 * reading the English back.
 */
import { fill, ROUTE_SOURCE_TEXT, ROUTE_TEXT } from './messages/en.ts';

/** Why the route is what it is: a closed set, each with its values. */
export type RouteSource =
  /** The target is a loopback address: always direct. */
  | { kind: 'loopback' }
  /** Proxy mode none. */
  | { kind: 'none' }
  /** Proxy mode manual: the proxy URL in the settings. */
  | { kind: 'manual' }
  /** Proxy mode system: the operating system's settings (or PAC script). */
  | { kind: 'system' }
  /** A rule of the settings' bypass list. */
  | { kind: 'bypass'; rule: string }
  /** A rule of NO_PROXY (or no_proxy: `variable` names the one read), env mode. */
  | { kind: 'noProxy'; variable: string; rule: string }
  /** A proxy variable (HTTPS_PROXY, all_proxy…), env mode. */
  | { kind: 'env'; variable: string }
  /** Env mode with no proxy variable set. */
  | { kind: 'envNone' };

export type RouteSourceKind = RouteSource['kind'];

/** A route as the window and the logs see it: the proxy's URL (no password), and why. */
export interface RouteFacts {
  via: 'direct' | 'proxy';
  /** The proxy (scheme://host:port), for `via: 'proxy'`. */
  proxy?: string;
  source: RouteSource;
}

/** The English words for a source (the CLI, the logs, ErrorInfo.route). */
export function routeSourceText(s: RouteSource): string {
  return fill(ROUTE_SOURCE_TEXT[s.kind], s);
}

/** `direct (loopback)`, `proxy http://proxy.corp:3128 (manual)`. */
export function routeText(f: RouteFacts): string {
  return fill(ROUTE_TEXT[f.via], { proxy: f.proxy ?? '', source: routeSourceText(f.source) });
}

const SOURCE_KINDS: ReadonlySet<string> = new Set<RouteSourceKind>(['loopback', 'none', 'manual', 'system', 'bypass', 'noProxy', 'env', 'envNone']);
const text = (v: unknown, max = 300): v is string => typeof v === 'string' && v.length <= max;

/** Whether a value is RouteFacts (the window checks what main sends before it words it). */
export function isRouteFacts(v: unknown): v is RouteFacts {
  const f = v as RouteFacts;
  if (typeof f !== 'object' || f === null || (f.via !== 'direct' && f.via !== 'proxy')) return false;
  if (f.proxy !== undefined && !text(f.proxy)) return false;
  const s = f.source as Record<string, unknown> | undefined;
  if (typeof s !== 'object' || s === null || !SOURCE_KINDS.has(String(s.kind))) return false;
  if (s.kind === 'bypass' || s.kind === 'noProxy') if (!text(s.rule)) return false;
  if (s.kind === 'noProxy' || s.kind === 'env') if (!text(s.variable, 64)) return false;
  return true;
}

/**
 * A source as flat sentence values (a doctor sentence's params hold strings and numbers only): `sourceKind` and
 * its `sourceRule` / `sourceVariable`, beside the English `source`. The window words them (routeSourceOf).
 */
export function routeSourceParams(s: RouteSource): Record<string, string> {
  return { sourceKind: s.kind, ...('rule' in s ? { sourceRule: s.rule } : {}), ...('variable' in s ? { sourceVariable: s.variable } : {}) };
}

/** The source a sentence's values carry (routeSourceParams), checked; undefined when they carry none. */
export function routeSourceOf(p: Record<string, unknown>): RouteSource | undefined {
  const source = { kind: p.sourceKind, ...(p.sourceRule !== undefined ? { rule: p.sourceRule } : {}), ...(p.sourceVariable !== undefined ? { variable: p.sourceVariable } : {}) };
  return isRouteFacts({ via: 'direct', source }) ? (source as RouteSource) : undefined;
}
