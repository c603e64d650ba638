/**
 * The one rule for an HTTP(S) proxy hop: an http:// target through an http:// or https:// proxy is forwarded
 * (absolute form), everything else tunnelled or direct. The dispatcher pool (what chat requests use) follows it.
 */
import { describe, expect, it } from 'vitest';
import { isForwarded } from '../../src/main/core/route/forward.ts';
import { DispatcherPool } from '../../src/main/core/transport.ts';
import type { ProxyScheme, Route } from '../../src/main/core/route/types.ts';

const proxy = (scheme: ProxyScheme): Route => ({ kind: 'proxy', proxy: { scheme, host: '127.0.0.1', port: 9 }, source: 'manual' });
const direct: Route = { kind: 'direct', source: 'proxy mode none' };

const CASES: Array<[string, Route, boolean, boolean]> = [
  ['http:// target via an http:// proxy', proxy('http'), false, true],
  ['http:// target via an https:// proxy', proxy('https'), false, true],
  ['https:// target via an http:// proxy (CONNECT)', proxy('http'), true, false],
  ['https:// target via an https:// proxy (CONNECT)', proxy('https'), true, false],
  ['http:// target via socks4', proxy('socks4'), false, false],
  ['http:// target via socks4a', proxy('socks4a'), false, false],
  ['http:// target via socks5', proxy('socks5'), false, false],
  ['http:// target via socks5h', proxy('socks5h'), false, false],
  ['https:// target via socks5h', proxy('socks5h'), true, false],
  ['http:// target, direct', direct, false, false],
  ['https:// target, direct', direct, true, false],
];

describe('isForwarded: which hops an HTTP(S) proxy forwards', () => {
  it.each(CASES)('%s → forwarded %s', (_name, route, targetIsTls, expected) => {
    expect(isForwarded(route, targetIsTls)).toBe(expected);
  });
  it.each(CASES)('the pool sends %s in absolute form exactly when forwarded', async (_name, route, targetIsTls, expected) => {
    const pool = new DispatcherPool();
    try {
      const d = await pool.get(route, undefined, 1000, targetIsTls, 'k');
      expect(d.forward !== undefined).toBe(expected);
    } finally {
      await pool.close();
    }
  });
});
