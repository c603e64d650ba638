/**
 * Proxy URLs: `scheme://[user[:password]@]host[:port][/]`.
 *
 * - Schemes: http, https, socks4, socks4a, socks5, socks5h; `socks://` means socks5. Case-insensitive.
 * - No scheme (`proxy.corp:3128`) means http.
 * - Default ports: http 80, https 443, socks* 1080.
 * - User name and password are percent-decoded (`p%40ss` -> `p@ss`). The LAST `@` ends them, so an
 *   unencoded `@` or `/` in a password still works.
 * - IPv6 hosts go in brackets (`socks5h://[::1]:1080`); the endpoint holds them without brackets.
 * - No path, query or fragment (a lone trailing `/` is accepted).
 *
 * Errors are RouteErrors with code `config_invalid`; their messages quote the value with the
 * password replaced by `***`. formatProxy never shows the password either.
 */

import type { ProxyEndpoint, ProxyScheme } from './types.ts';
import { parseIPv6 } from './ip.ts';
import { RouteError } from './route-error.ts';
import { words, type Words } from '../../../shared/messages/en.ts';
import { editDistance as distance } from '../../../shared/edit-distance.ts';

const SCHEMES: Record<string, ProxyScheme> = {
  http: 'http',
  https: 'https',
  socks: 'socks5',
  socks4: 'socks4',
  socks4a: 'socks4a',
  socks5: 'socks5',
  socks5h: 'socks5h',
};

const DEFAULT_PORTS: Record<ProxyScheme, number> = {
  http: 80,
  https: 443,
  socks4: 1080,
  socks4a: 1080,
  socks5: 1080,
  socks5h: 1080,
};

const SCHEME_RE = /^([a-z][a-z0-9+.-]*):\/\//i;

/** A proxy URL cut at its userinfo: `prefix` is `scheme://` (or ''), `rest` what follows the userinfo's '@'. */
export interface ProxyUserinfo {
  prefix: string;
  /** As written (percent-encoded). */
  user: string;
  /** As written (percent-encoded); undefined without a ':' in the userinfo. */
  password: string | undefined;
  rest: string;
}

/**
 * The one userinfo rule of Parley for proxy URLs (also used by the masking in messages, the settings view, the
 * doctor's hints, the support bundle and the redactor): after the scheme, the LAST `@` ends the userinfo, and
 * the user name runs to the userinfo's first `:`. So `http://user:p@ss#w/rd@proxy:3128` has the password
 * `p@ss#w/rd`. Undefined when the value has no `@` (no userinfo).
 */
export function splitProxyUserinfo(value: string): ProxyUserinfo | undefined {
  const m = SCHEME_RE.exec(value);
  return splitAfterScheme(m ? m[0] : '', value.slice(m ? m[0].length : 0));
}

function splitAfterScheme(prefix: string, body: string): ProxyUserinfo | undefined {
  const at = body.lastIndexOf('@');
  if (at === -1) return undefined;
  const userinfo = body.slice(0, at);
  const colon = userinfo.indexOf(':');
  return { prefix, user: colon === -1 ? userinfo : userinfo.slice(0, colon), password: colon === -1 ? undefined : userinfo.slice(colon + 1), rest: body.slice(at + 1) };
}

/** The password of a proxy URL as written (percent-encoded), by the rule of splitProxyUserinfo. */
export function proxyPassword(value: string): string | undefined {
  return splitProxyUserinfo(value)?.password;
}

/**
 * The value with its password replaced by `mask` (default `***`), for messages. Without an `@`, a
 * non-numeric "port" is masked too: `http://user:secret` is more likely a forgotten host than a port.
 */
export function maskProxyValue(value: string, mask = '***'): string {
  const u = splitProxyUserinfo(value);
  if (u) return `${u.prefix}${u.user}${u.password === undefined ? '' : `:${mask}`}@${u.rest}`;
  const m = SCHEME_RE.exec(value);
  const prefix = m ? m[0] : '';
  const rest = value.slice(prefix.length);
  const slash = rest.search(/[/?#]/);
  const authority = slash === -1 ? rest : rest.slice(0, slash);
  const afterBracket = authority.lastIndexOf(']');
  const colon = authority.lastIndexOf(':');
  if (colon > afterBracket) {
    const port = authority.slice(colon + 1);
    if (port !== '' && !/^\d+$/.test(port)) {
      return prefix + authority.slice(0, colon + 1) + mask + (slash === -1 ? '' : rest.slice(slash));
    }
  }
  return value;
}

function decode(part: string): string | null {
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

/** The supported scheme a mistyped one (`htp`, `sock5`, `https5`) most likely meant. */
function closestScheme(name: string): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const known of Object.keys(SCHEMES)) {
    const d = distance(name, known);
    if (d < bestD || (d === bestD && best !== undefined && known.length > best.length)) {
      bestD = d;
      best = known;
    }
  }
  return bestD <= (name.length <= 3 ? 1 : 2) ? best : undefined;
}

/**
 * A known scheme whose `://` is mistyped: `http//host` (no colon), `http:/host` or `http:host` (slashes
 * missing). Returns what the value was meant to be; undefined when it is not such a typo (`proxy.corp:3128`,
 * `user:pw@host`, a host named like a scheme with a port).
 */
function schemeSeparatorTypo(raw: string): { wrote: string; meant: string } | undefined {
  const m = /^([a-z][a-z0-9]*)(\/\/|:\/(?!\/)|:(?![/\d]))/i.exec(raw);
  if (!m) return undefined;
  const name = (m[1] ?? '').toLowerCase();
  if (!SCHEMES[name]) return undefined;
  // `http:pw@host` is a user named like a scheme: only a typo when no userinfo follows.
  if (m[2]?.startsWith(':') && !m[2].startsWith(':/') && raw.includes('@')) return undefined;
  return { wrote: m[0], meant: `${m[1]}://${raw.slice(m[0].length)}` };
}

/** Parses a proxy URL; throws RouteError `config_invalid` (password masked) when it cannot be used. */
export function parseProxyUrl(value: string): ProxyEndpoint {
  const raw = value.trim();
  // The sentence by its key, with its values (the masked URL is always among them).
  const url = maskProxyValue(raw);
  const fail = (w: Words): RouteError => new RouteError('config_invalid', w);
  if (raw === '') throw fail(words('proxy_url_empty', { url }));

  const m = SCHEME_RE.exec(raw);
  let scheme: ProxyScheme = 'http';
  let rest = raw;
  if (m) {
    const name = (m[1] ?? '').toLowerCase();
    const known = SCHEMES[name];
    if (!known) {
      const guess = closestScheme(name);
      throw fail(words(guess ? 'proxy_url_scheme_guess' : 'proxy_url_scheme', { url, scheme: name, guess: guess ?? '' }));
    }
    scheme = known;
    rest = raw.slice(m[0].length);
    if (rest.startsWith('/')) {
      const example = maskProxyValue(m[0] + rest.replace(/^\/+/, ''));
      throw fail(words('proxy_url_extra_slash', { url, prefix: m[0], example }));
    }
  } else {
    const typo = schemeSeparatorTypo(raw);
    if (typo) {
      const example = maskProxyValue(typo.meant);
      throw fail(words(!typo.wrote.includes(':') ? 'proxy_url_sep_colon' : typo.wrote.endsWith('/') ? 'proxy_url_sep_slash' : 'proxy_url_sep_slashes', { url, wrote: typo.wrote, example }));
    }
  }

  let username: string | undefined;
  let password: string | undefined;
  const ui = splitAfterScheme('', rest);
  if (ui) {
    rest = ui.rest;
    const user = decode(ui.user);
    const pass = ui.password === undefined ? undefined : decode(ui.password);
    if (user === null || pass === null) throw fail(words('proxy_url_bad_escape', { url }));
    if (user !== '') username = user;
    if (pass !== undefined) password = pass;
  }

  if (rest.endsWith('/')) rest = rest.slice(0, -1);
  if (/[/?#]/.test(rest)) throw fail(words('proxy_url_path', { url }));
  if (/\s/.test(rest)) throw fail(words('proxy_url_spaces', { url }));

  let host: string;
  let portText: string | undefined;
  if (rest.startsWith('[')) {
    const b = /^\[([^\]]*)\](?::(.*))?$/.exec(rest);
    if (!b) throw fail(words('proxy_url_bad_ipv6', { url }));
    host = (b[1] ?? '').toLowerCase();
    if (!parseIPv6(host)) throw fail(words('proxy_url_bad_ipv6', { url }));
    portText = b[2];
  } else {
    const parts = rest.split(':');
    if (parts.length > 2) {
      if (parseIPv6(rest)) throw fail(words('proxy_url_ipv6_brackets', { url }));
      const ports = parts.slice(1);
      if (parts[0] !== '' && ports.every((x) => /^\d*$/.test(x))) {
        const list = ports.map((x) => `":${x}"`);
        const example = maskProxyValue(`${m ? m[0] : ''}${parts[0]}:${ports.at(-1) ?? ''}`);
        throw fail(words('proxy_url_two_ports', { url, count: ports.length, ports: list, example }));
      }
      throw fail(words('proxy_url_stray_colon', { url }));
    }
    const colon = rest.indexOf(':');
    const name = colon === -1 ? rest : rest.slice(0, colon);
    portText = colon === -1 ? undefined : rest.slice(colon + 1);
    if (name === '') {
      throw fail(words(m ? (ui ? 'proxy_url_no_host_at' : 'proxy_url_no_host') : ui ? 'proxy_url_no_host_scheme_at' : 'proxy_url_no_host_scheme', { url, prefix: m ? m[0] : '', example: `${m ? m[0] : 'http://'}proxy.corp:3128` }));
    }
    try {
      // WHATWG host parsing: lowercases, IDNA, rejects forbidden characters.
      host = new URL(`http://${name}/`).hostname;
    } catch {
      throw fail(words('proxy_url_bad_host', { url }));
    }
    if (host === '') throw fail(words('proxy_url_host_empty', { url }));
  }

  let port = DEFAULT_PORTS[scheme];
  if (portText !== undefined && portText !== '') {
    const n = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
    if (!(n >= 1 && n <= 65535)) throw fail(words('proxy_url_bad_port', { url }));
    port = n;
  }

  const endpoint: ProxyEndpoint = { scheme, host, port };
  if (username !== undefined) endpoint.username = username;
  if (password !== undefined) endpoint.password = password;
  return endpoint;
}

/** The endpoint as a URL for display and logs: the password is always `***`. */
export function formatProxy(p: ProxyEndpoint): string {
  const host = p.host.includes(':') ? `[${p.host}]` : p.host;
  let auth = '';
  if (p.username !== undefined || p.password !== undefined) {
    auth = encodeURIComponent(p.username ?? '') + (p.password !== undefined ? ':***' : '') + '@';
  }
  return `${p.scheme}://${auth}${host}:${p.port}`;
}
