/**
 * Public addresses only, for what a model names (images in answers): main must not become the window's
 * way into loopback, the LAN or a cloud's metadata service. A name is checked by what it resolves to, and the
 * connection itself uses a lookup that refuses any other answer (a name that resolves to a public address first
 * and to 127.0.0.1 at the connection, DNS rebinding, is refused there).
 */
import { lookup as osLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { parseIp, prefixEquals, unmapIPv4 } from '../../core/route/ip.ts';

const v4 = (a: number, b: number, c: number, d: number, prefix: number): [number[], number] => [[a, b, c, d], prefix];
/** Not reachable on the public internet: this host, private networks, link-local, shared, documentation, multicast, reserved. */
const BLOCKED_V4: [number[], number][] = [
  v4(0, 0, 0, 0, 8), v4(10, 0, 0, 0, 8), v4(100, 64, 0, 0, 10), v4(127, 0, 0, 0, 8), v4(169, 254, 0, 0, 16), v4(172, 16, 0, 0, 12),
  v4(192, 0, 0, 0, 24), v4(192, 0, 2, 0, 24), v4(192, 88, 99, 0, 24), v4(192, 168, 0, 0, 16), v4(198, 18, 0, 0, 15),
  v4(198, 51, 100, 0, 24), v4(203, 0, 113, 0, 24), v4(224, 0, 0, 0, 4), v4(240, 0, 0, 0, 4),
];
const v6 = (head: number[], prefix: number): [number[], number] => [[...head, ...new Array<number>(16 - head.length).fill(0)], prefix];
const BLOCKED_V6: [number[], number][] = [
  v6([], 128), // ::
  v6([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 128), // ::1
  v6([0x01, 0x00], 64), // 100::/64 discard
  v6([0x20, 0x01, 0x0d, 0xb8], 32), // documentation
  v6([0xfc], 7), // unique local
  v6([0xfe, 0x80], 10), // link-local
  v6([0xfe, 0xc0], 10), // site-local (deprecated)
  v6([0xff], 8), // multicast
];

/** Whether an IP literal is a public unicast address. Anything that is not an IP literal is not. */
export function isPublicAddress(ip: string): boolean {
  const a = parseIp(ip);
  if (!a) return false;
  let bytes = [...a.bytes];
  if (a.family === 6) {
    // IPv4 inside IPv6: mapped (::ffff:a.b.c.d), compatible (::a.b.c.d), NAT64 (64:ff9b::/96), 6to4 (2002:AABB:CCDD::).
    const inner = unmapIPv4(bytes)
      ?? (prefixEquals(bytes, v6([], 96)[0], 96) && !bytes.slice(12).every((x) => x === 0) ? bytes.slice(12) : null)
      ?? (prefixEquals(bytes, v6([0x00, 0x64, 0xff, 0x9b], 96)[0], 96) ? bytes.slice(12) : null)
      ?? (bytes[0] === 0x20 && bytes[1] === 0x02 ? bytes.slice(2, 6) : null);
    if (inner) bytes = inner;
    else return !BLOCKED_V6.some(([net, p]) => prefixEquals(bytes, net, p));
  }
  return !BLOCKED_V4.some(([net, p]) => prefixEquals(bytes, net, p));
}

/** The error of a name or address that is not public (never says more about what is there). */
export class NotPublicError extends Error {
  readonly code = 'ENOTPUBLIC';
}

/** Every address `host` resolves to (an IP literal is itself). */
export function resolveAll(host: string, lookup: LookupFunction = osLookup as unknown as LookupFunction): Promise<string[]> {
  const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (parseIp(h)) return Promise.resolve([h]);
  return new Promise((resolve, reject) => {
    lookup(h, { all: true }, (err: NodeJS.ErrnoException | null, addresses: string | LookupAddress[]) => {
      if (err) return reject(err);
      resolve(Array.isArray(addresses) ? addresses.map((x) => x.address) : [addresses]);
    });
  });
}

/** A lookup that answers only with public addresses: any other answer is an error (ENOTPUBLIC), no connection is made. */
export function publicOnlyLookup(base: LookupFunction = osLookup as unknown as LookupFunction): LookupFunction {
  return ((hostname: string, options: unknown, callback?: unknown) => {
    const cb = (typeof options === 'function' ? options : callback) as (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
    const opts = (typeof options === 'object' && options !== null ? options : typeof options === 'number' ? { family: options } : {}) as { all?: boolean; family?: number };
    base(hostname, { ...opts, all: true }, (err: NodeJS.ErrnoException | null, addresses: string | LookupAddress[]) => {
      if (err) return cb(err, opts.all ? [] : '', 0);
      const list: LookupAddress[] = Array.isArray(addresses) ? addresses : [{ address: addresses, family: addresses.includes(':') ? 6 : 4 }];
      if (!list.length || list.some((x) => !isPublicAddress(x.address))) return cb(new NotPublicError(`${hostname} is not a public address`), opts.all ? [] : '', 0);
      const first = list[0] as LookupAddress;
      if (opts.all) cb(null, list);
      else cb(null, first.address, first.family);
    });
  }) as unknown as LookupFunction;
}
