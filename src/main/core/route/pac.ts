/**
 * PAC results, as Chromium's (Electron's) `session.resolveProxy` returns them:
 * entries separated by `;`, each `DIRECT` or `KEYWORD host:port`, keywords case-insensitive:
 *
 * - `DIRECT`: no proxy.
 * - `PROXY h:p`: http proxy.  `HTTPS h:p`: https proxy (TLS to the proxy).
 * - `SOCKS h:p` and `SOCKS4 h:p`: socks4.
 * - `SOCKS5 h:p`: socks5h, since Chromium lets a SOCKS5 proxy resolve the host name.
 *
 * A missing port takes the scheme's default. Unknown keywords (`QUIC`, ...) and malformed
 * entries are skipped; the order is kept (the first entry is the preferred one).
 */

import type { ProxyEndpoint, ProxyScheme } from './types.ts';
import { parseProxyUrl } from './proxy-url.ts';

export type PacEntry = { kind: 'direct' } | { kind: 'proxy'; proxy: ProxyEndpoint };

const KEYWORDS: Record<string, ProxyScheme> = {
  PROXY: 'http',
  HTTPS: 'https',
  SOCKS: 'socks4',
  SOCKS4: 'socks4',
  SOCKS5: 'socks5h',
};

export function parsePacResult(s: string): PacEntry[] {
  const entries: PacEntry[] = [];
  for (const part of s.split(';')) {
    const words = part.trim().split(/\s+/).filter((w) => w !== '');
    const keyword = words[0]?.toUpperCase();
    if (keyword === undefined) continue;
    if (keyword === 'DIRECT') {
      if (words.length === 1) entries.push({ kind: 'direct' });
      continue;
    }
    const scheme = KEYWORDS[keyword];
    const hostPort = words[1];
    if (!scheme || hostPort === undefined || words.length !== 2 || /[@/?#]/.test(hostPort)) continue;
    try {
      entries.push({ kind: 'proxy', proxy: parseProxyUrl(`${scheme}://${hostPort}`) });
    } catch {
      // malformed host or port: skipped
    }
  }
  return entries;
}
