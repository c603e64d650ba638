/**
 * The proxy bypass matcher: the ONE place that decides whether a host goes direct. Used for the
 * bypass list in the settings and for NO_PROXY / no_proxy.
 *
 * A list is split on commas and whitespace; empty entries are ignored; matching is case-insensitive.
 * Entries:
 *
 * - `*` (alone): bypass every host.
 * - `example.com`: that host and all its subdomains (`api.example.com`), as curl, Go and undici
 *   read NO_PROXY. It does not match `notexample.com`.
 * - `.example.com` and `*.example.com`: the same as `example.com` (the domain and its subdomains).
 *   Other wildcards (`*example.com`, `api.*.com`) are invalid.
 * - `host:port`, `.domain:port`, `1.2.3.4:port`, `[v6]:port`: as without the port, but only for
 *   that port. Without a port, an entry matches every port. The port compared is the target's
 *   effective port (443 for https URLs without one).
 * - IP literals: `10.1.2.3`, `::1`, `[::1]`, `fe80::1`. Compared as addresses, so `0:0:0:0:0:0:0:1`
 *   equals `::1`; an IPv4-mapped target (`::ffff:127.0.0.1`) also counts as its IPv4 address for
 *   IPv4 entries and CIDR blocks. IPv4 must be dotted-quad (no `127.1`, no leading zeros).
 * - CIDR blocks: `10.0.0.0/8`, `fd00::/8` (brackets allowed: `[fd00::]/8`). They match only when the
 *   target host IS an IP literal in the range: host names are never resolved (no DNS lookup), so
 *   `10.0.0.0/8` does not match `intranet.corp` even if it resolves to 10.1.2.3. No port.
 * - `<local>`: host names without a dot (`intranet`, `printer`), not IP literals (Chromium's meaning).
 * - `<-loopback>`: turns off the implicit loopback bypass (Chromium's rule, see below).
 *
 * Loopback (`localhost`, `*.localhost`, 127.0.0.0/8, `::1`, `::ffff:127.x.x.x`) always goes direct,
 * whatever the list says, unless the list contains `<-loopback>`; the match then reports the rule
 * `<loopback>`.
 *
 * A trailing dot on a host or an entry is ignored (`example.com.`); hosts may be given with or
 * without IPv6 brackets. Entries that are not understood (bad CIDR, bad port, stray wildcard, a
 * partial IP such as `192.168`) are kept out of the rules and reported in `invalid`: they never match.
 * The first matching entry, in list order, is the one reported.
 */

import { parseIPv4, parseIPv6, parseIp, prefixEquals, unmapIPv4 } from './ip.ts';

export type BypassRule =
  | { kind: 'all'; text: string }
  | { kind: 'local'; text: string }
  /** The domain and all its subdomains. */
  | { kind: 'domain'; text: string; domain: string; port?: number }
  /** An address (prefix 32/128) or a CIDR block (no port). */
  | { kind: 'ip'; text: string; family: 4 | 6; bytes: readonly number[]; prefix: number; port?: number };

export interface BypassRules {
  /** The usable entries, in list order. `text` is the entry as written. */
  rules: readonly BypassRule[];
  /** Entries that were not understood, as written; they never match. */
  invalid: readonly string[];
  /** True unless the list contains `<-loopback>`. */
  implicitLoopback: boolean;
}

export interface BypassMatch {
  /** The entry that matched, as written, or `<loopback>` for the implicit loopback bypass. */
  rule: string;
}

const DOMAIN_RE = /^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/;

function parsePort(text: string): number | null {
  if (!/^\d{1,5}$/.test(text)) return null;
  const n = Number(text);
  return n >= 1 && n <= 65535 ? n : null;
}

function stripTrailingDot(s: string): string {
  return s.endsWith('.') ? s.slice(0, -1) : s;
}

function ipRule(text: string, family: 4 | 6, bytes: number[], prefix: number, port?: number): BypassRule {
  // An IPv4-mapped IPv6 entry (`::ffff:10.0.0.1`, `::ffff:10.0.0.0/104`) is an IPv4 entry.
  if (family === 6 && prefix >= 96) {
    const v4 = unmapIPv4(bytes);
    if (v4) return ipRule(text, 4, v4, prefix - 96, port);
  }
  const rule: BypassRule = { kind: 'ip', text, family, bytes, prefix };
  if (port !== undefined) rule.port = port;
  return rule;
}

function parseCidr(text: string, entry: string): BypassRule | null {
  const slash = entry.lastIndexOf('/');
  let addr = entry.slice(0, slash);
  const prefixText = entry.slice(slash + 1);
  if (addr.startsWith('[') && addr.endsWith(']')) addr = addr.slice(1, -1);
  if (!/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = Number(prefixText);
  const v4 = parseIPv4(addr);
  if (v4) return prefix <= 32 ? ipRule(text, 4, v4, prefix) : null;
  const v6 = parseIPv6(addr);
  if (v6) return prefix <= 128 ? ipRule(text, 6, v6, prefix) : null;
  return null;
}

/** One entry (lowercased, trimmed); null when invalid. `<-loopback>` is handled by the caller. */
function parseEntry(text: string, entry: string): BypassRule | null {
  if (entry === '*') return { kind: 'all', text };
  if (entry === '<local>') return { kind: 'local', text };
  if (entry.startsWith('<')) return null;
  if (entry.includes('/')) {
    // `[fd00::/8]` is accepted too
    const unbracketed = entry.startsWith('[') && entry.endsWith(']') ? entry.slice(1, -1) : entry;
    return parseCidr(text, unbracketed);
  }
  let host = entry;
  let port: number | undefined;
  if (entry.startsWith('[')) {
    const m = /^\[([^\]]+)\](?::(.*))?$/.exec(entry);
    if (!m) return null;
    const v6 = parseIPv6(m[1] ?? '');
    if (!v6) return null;
    if (m[2] !== undefined) {
      const p = parsePort(m[2]);
      if (p === null) return null;
      port = p;
    }
    return ipRule(text, 6, v6, 128, port);
  }
  const colons = entry.split(':').length - 1;
  if (colons >= 2) {
    const v6 = parseIPv6(entry);
    return v6 ? ipRule(text, 6, v6, 128) : null;
  }
  if (colons === 1) {
    const i = entry.indexOf(':');
    const p = parsePort(entry.slice(i + 1));
    if (p === null) return null;
    port = p;
    host = entry.slice(0, i);
  }
  host = stripTrailingDot(host);
  const v4 = parseIPv4(host);
  if (v4) return ipRule(text, 4, v4, 32, port);
  let domain = host;
  if (domain.startsWith('*.')) domain = domain.slice(2);
  else if (domain.startsWith('.')) domain = domain.slice(1);
  if (!DOMAIN_RE.test(domain)) return null;
  // `192.168` or `.1.2.3.4` look like (partial) IP addresses, which names never are: use CIDR.
  const last = domain.slice(domain.lastIndexOf('.') + 1);
  if (/^\d+$/.test(last)) return null;
  const rule: BypassRule = { kind: 'domain', text, domain };
  if (port !== undefined) rule.port = port;
  return rule;
}

/** Parses a bypass list (settings or NO_PROXY). Never throws: bad entries go to `invalid`. */
export function parseBypassList(list: string): BypassRules {
  const rules: BypassRule[] = [];
  const invalid: string[] = [];
  let implicitLoopback = true;
  for (const text of list.split(/[\s,]+/)) {
    if (text === '') continue;
    const entry = text.toLowerCase();
    if (entry === '<-loopback>') {
      implicitLoopback = false;
      continue;
    }
    const rule = parseEntry(text, entry);
    if (rule) rules.push(rule);
    else invalid.push(text);
  }
  // `*` means every host only as the whole list (as curl reads NO_PROXY); beside other entries it is a stray
  // character the user did not mean to bypass everything with.
  if (rules.length + invalid.length > 1 && rules.some((r) => r.kind === 'all')) {
    for (const r of rules.filter((x) => x.kind === 'all')) invalid.push(r.text);
    return { rules: rules.filter((r) => r.kind !== 'all'), invalid, implicitLoopback };
  }
  return { rules, invalid, implicitLoopback };
}

interface Target {
  name: string;
  v4: readonly number[] | null;
  v6: readonly number[] | null;
}

function normalizeHost(host: string): Target {
  let name = host.trim().toLowerCase();
  if (name.startsWith('[') && name.endsWith(']')) name = name.slice(1, -1);
  name = stripTrailingDot(name);
  const ip = parseIp(name);
  if (!ip) return { name, v4: null, v6: null };
  if (ip.family === 4) return { name, v4: ip.bytes, v6: null };
  return { name, v4: unmapIPv4(ip.bytes), v6: ip.bytes };
}

function isLoopbackTarget(t: Target): boolean {
  if (t.v4) return t.v4[0] === 127;
  if (t.v6) return prefixEquals(t.v6, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 128);
  return t.name === 'localhost' || t.name.endsWith('.localhost');
}

/** Whether the host is loopback: `localhost`, `*.localhost`, 127.0.0.0/8, `::1`, `::ffff:127.x.x.x`. */
export function isLoopbackHost(host: string): boolean {
  return isLoopbackTarget(normalizeHost(host));
}

function ruleMatches(rule: BypassRule, t: Target, port: number): boolean {
  switch (rule.kind) {
    case 'all':
      return true;
    case 'local':
      return t.name !== '' && !t.v4 && !t.v6 && !t.name.includes('.');
    case 'domain':
      if (rule.port !== undefined && rule.port !== port) return false;
      if (t.v4 || t.v6) return false;
      return t.name === rule.domain || t.name.endsWith('.' + rule.domain);
    case 'ip': {
      if (rule.port !== undefined && rule.port !== port) return false;
      const bytes = rule.family === 4 ? t.v4 : t.v6;
      return bytes !== null && prefixEquals(bytes, rule.bytes, rule.prefix);
    }
  }
}

/**
 * Whether `host:port` bypasses the proxy under these rules, and which rule decided.
 * `host` may be a name or an IP literal (with or without IPv6 brackets); it is never resolved.
 */
export function matchBypass(rules: BypassRules, host: string, port: number): BypassMatch | null {
  const t = normalizeHost(host);
  if (rules.implicitLoopback && isLoopbackTarget(t)) return { rule: '<loopback>' };
  for (const rule of rules.rules) if (ruleMatches(rule, t, port)) return { rule: rule.text };
  return null;
}
