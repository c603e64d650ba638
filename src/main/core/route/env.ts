/**
 * Proxy environment variables, read the way curl reads them.
 *
 * - https (and wss) targets: `https_proxy`, `HTTPS_PROXY`, then `all_proxy`, `ALL_PROXY`.
 * - http (and ws) targets: `http_proxy`, `HTTP_PROXY`, then `all_proxy`, `ALL_PROXY`.
 *   (curl ignores `HTTP_PROXY` because of "httpoxy" in CGI programs; Parley is not a CGI program,
 *   so it honours it, after `http_proxy`.)
 * - other schemes: `all_proxy`, `ALL_PROXY`.
 * - bypass list: `no_proxy`, then `NO_PROXY` (read with the bypass matcher, see bypass.ts).
 *
 * The lowercase name wins over the uppercase one when both are set. A variable that is empty (or
 * only whitespace) counts as unset, so `https_proxy=` falls through to `HTTPS_PROXY`. Values are
 * returned trimmed and not parsed (see parseProxyUrl).
 */

export interface ProxyEnv {
  /** The proxy URL for this target, as found. */
  proxyUrl?: string;
  /** The variable it came from, e.g. `HTTPS_PROXY`. */
  variable?: string;
  /** The NO_PROXY list ('' when unset). */
  noProxy: string;
  /** The variable the list came from: `no_proxy` or `NO_PROXY`. */
  noProxyVariable?: string;
}

function first(env: Record<string, string | undefined>, names: readonly string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return { name, value };
  }
  return undefined;
}

/** Which proxy variable (and NO_PROXY list) applies to `targetUrl`. */
export function readProxyEnv(env: Record<string, string | undefined>, targetUrl: URL): ProxyEnv {
  const scheme = targetUrl.protocol.replace(/:$/, '').toLowerCase();
  const names =
    scheme === 'https' || scheme === 'wss'
      ? ['https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY']
      : scheme === 'http' || scheme === 'ws'
        ? ['http_proxy', 'HTTP_PROXY', 'all_proxy', 'ALL_PROXY']
        : ['all_proxy', 'ALL_PROXY'];
  const proxy = first(env, names);
  const noProxy = first(env, ['no_proxy', 'NO_PROXY']);
  const result: ProxyEnv = { noProxy: noProxy?.value ?? '' };
  if (proxy) {
    result.proxyUrl = proxy.value;
    result.variable = proxy.name;
  }
  if (noProxy) result.noProxyVariable = noProxy.name;
  return result;
}
