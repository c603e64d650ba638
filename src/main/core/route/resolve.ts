/**
 * The route decision for one target URL: direct or through which proxy, and why (`source`).
 *
 * Order:
 * 1. Loopback targets (see bypass.ts) go direct, source `loopback`, in every mode, unless the
 *    bypass list (or, in env mode, NO_PROXY) contains `<-loopback>`.
 * 2. By mode:
 *    - `none`: direct, `proxy mode none`.
 *    - `manual`: the proxy URL must be set and valid (else `config_invalid`, whatever the target);
 *      a bypass rule match goes direct (`bypass rule ".corp.example"`), else the proxy (`manual`).
 *    - `env`: the settings bypass list, then NO_PROXY (`NO_PROXY rule "localhost"`, naming the
 *      variable that was read); else the proxy variable for the target's scheme (`env HTTPS_PROXY`,
 *      see env.ts); no variable set: direct, `env: no proxy variable set`. A malformed proxy
 *      variable is `config_invalid`.
 *    - `system`: the settings bypass list first, then the system resolver (PAC form); the first
 *      usable entry wins (source `system`). No resolver, a resolver that throws, or an answer with no
 *      usable entry is `proxy_unreachable`: the route fails closed, never silently direct.
 *
 * Invalid entries in the settings bypass list are `config_invalid` in the modes that use the list
 * (manual, env, system): the user wrote them. Invalid NO_PROXY entries are ignored, as other tools do.
 * Host names are never resolved here. The system resolver is asked about the target's origin only
 * (`https://host:port/`), never its path, query or credentials.
 */

import type { ProxyEndpoint, ProxyMode, Route, SystemProxyResolver } from './types.ts';
import { isLoopbackHost, matchBypass, parseBypassList, type BypassRules } from './bypass.ts';
import { readProxyEnv } from './env.ts';
import { parsePacResult } from './pac.ts';
import { parseProxyUrl } from './proxy-url.ts';
import { RouteError } from './route-error.ts';
import { words } from '../../../shared/messages/en.ts';
import { routeSourceText, type RouteSource } from '../../../shared/route.ts';

/** A direct route and why: the English `source` is worded from `why` (one source of truth). */
const direct = (why: RouteSource): Route => ({ kind: 'direct', source: routeSourceText(why), why });
const viaProxy = (proxy: ProxyEndpoint, why: RouteSource): Route => ({ kind: 'proxy', proxy, source: routeSourceText(why), why });

export interface RouteInput {
  mode: ProxyMode;
  /** Manual mode: the proxy URL. */
  proxyUrl?: string;
  /** The settings bypass list (see bypass.ts). */
  bypass?: string;
  /** The process environment (env mode). */
  env: Record<string, string | undefined>;
  /** System mode: Electron's session.resolveProxy, or absent (e.g. in the CLI). */
  systemResolver?: SystemProxyResolver;
}

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443, 'ws:': 80, 'wss:': 443 };

/** The port a connection to `url` uses: the explicit one, else the scheme's default (0 if unknown). */
export function targetPort(url: URL): number {
  if (url.port !== '') return Number(url.port);
  return DEFAULT_PORTS[url.protocol] ?? 0;
}

function requireValid(rules: BypassRules): void {
  if (rules.invalid.length === 0) return;
  const list = rules.invalid.map((e) => `"${e}"`).join(', ');
  const star = rules.invalid.includes('*');
  throw new RouteError('config_invalid', words(star ? 'bypass_star' : 'bypass_invalid', { list }));
}

/** Matches the explicit rules only (the implicit loopback bypass is decided before). */
function matchRules(rules: BypassRules, host: string, port: number): string | null {
  return matchBypass({ ...rules, implicitLoopback: false }, host, port)?.rule ?? null;
}

async function askSystem(resolver: SystemProxyResolver | undefined, target: URL): Promise<Route> {
  if (!resolver) {
    throw new RouteError('proxy_unreachable', words('system_proxy_unavailable', {}));
  }
  let answer: string;
  try {
    answer = await resolver(`${target.protocol}//${target.host}/`);
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new RouteError('proxy_unreachable', words('system_proxy_failed', { why }), {}, { cause });
  }
  const first = parsePacResult(answer)[0];
  if (!first) {
    // A PAC answer has no scheme for the redactor to find a password by: mask `user:pass@` here.
    const masked = answer.replace(/([^\s;:@/]+:)[^\s;@]+@/g, '$1***@');
    const shown = masked.length > 200 ? `${masked.slice(0, 200)}…` : masked;
    throw new RouteError('proxy_unreachable', words('system_proxy_no_route', { host: target.host, answer: shown }));
  }
  return first.kind === 'direct' ? direct({ kind: 'system' }) : viaProxy(first.proxy, { kind: 'system' });
}

/**
 * A proxy route without a proxy URL: the global manual mode, or a provider's own route "through a proxy".
 * The one wording, for the route and for the settings check at the field.
 */
export function noProxyUrl(which: 'manual' | 'route'): RouteError {
  return which === 'manual'
    ? new RouteError('config_invalid', words('proxy_manual_no_url', {}))
    : new RouteError('config_invalid', words('proxy_route_no_url', {}));
}

/** Decides how to reach `target`. Throws RouteError (`config_invalid` or `proxy_unreachable`). */
export async function resolveRoute(input: RouteInput, target: URL): Promise<Route> {
  const host = target.hostname;
  const port = targetPort(target);
  const settings = parseBypassList(input.bypass ?? '');
  const envInfo = input.mode === 'env' ? readProxyEnv(input.env, target) : undefined;
  const noProxy = envInfo ? parseBypassList(envInfo.noProxy) : undefined;

  const implicitLoopback = settings.implicitLoopback && (noProxy?.implicitLoopback ?? true);
  if (implicitLoopback && isLoopbackHost(host)) return direct({ kind: 'loopback' });

  const mode: ProxyMode = input.mode;
  switch (mode) {
    case 'none':
      return direct({ kind: 'none' });

    case 'manual': {
      if (!input.proxyUrl?.trim()) {
        throw noProxyUrl('manual');
      }
      const proxy = parseProxyUrl(input.proxyUrl);
      requireValid(settings);
      const rule = matchRules(settings, host, port);
      if (rule !== null) return direct({ kind: 'bypass', rule });
      return viaProxy(proxy, { kind: 'manual' });
    }

    case 'env': {
      requireValid(settings);
      const rule = matchRules(settings, host, port);
      if (rule !== null) return direct({ kind: 'bypass', rule });
      const info = envInfo ?? readProxyEnv(input.env, target);
      const envRule = noProxy ? matchRules(noProxy, host, port) : null;
      if (envRule !== null) return direct({ kind: 'noProxy', variable: info.noProxyVariable ?? 'NO_PROXY', rule: envRule });
      if (info.proxyUrl === undefined || info.variable === undefined) return direct({ kind: 'envNone' });
      try {
        return viaProxy(parseProxyUrl(info.proxyUrl), { kind: 'env', variable: info.variable });
      } catch (e) {
        // The inner error's key and values, with the variable (the window puts its name before the sentence).
        if (e instanceof RouteError) {
          throw new RouteError(e.code, `${info.variable}: ${e.message}`, {
            hint: e.hint,
            ...(e.detail.key ? { key: e.detail.key, params: { ...e.detail.params, variable: info.variable } } : {}),
          });
        }
        throw e;
      }
    }

    case 'system': {
      requireValid(settings);
      const rule = matchRules(settings, host, port);
      if (rule !== null) return direct({ kind: 'bypass', rule });
      return askSystem(input.systemResolver, target);
    }

    default: {
      const unknown: never = mode;
      throw new RouteError('config_invalid', words('proxy_mode_unknown', { mode: String(unknown) }));
    }
  }
}
