/**
 * Images a model names load only from public addresses (issue 15): the address check, and the lookup the image
 * connections use, which refuses a name whose answer turned private after it was checked (DNS rebinding).
 * No network: the lookups here are fakes.
 */
import type { LookupFunction } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isPublicAddress, publicOnlyLookup, resolveAll } from '../../src/main/services/chat/public-address.ts';

describe('public addresses', () => {
  it.each([
    '127.0.0.1', '127.255.0.9', '10.0.0.1', '172.16.5.4', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0',
    '224.0.0.1', '255.255.255.255', '::', '::1', 'fe80::1', 'fd00::1', 'fc00::5', 'ff02::1', '::ffff:127.0.0.1', '::ffff:10.1.2.3',
    '::127.0.0.1', '64:ff9b::a00:1', '2002:c0a8:101::1', '2001:db8::1', 'localhost', 'not an ip',
  ])('%s is not public', (ip) => expect(isPublicAddress(ip)).toBe(false));
  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:93.184.216.34', '64:ff9b::808:808'])('%s is public', (ip) => expect(isPublicAddress(ip)).toBe(true));
});

/** A fake resolver answering `answers` in turn (the last one again after). */
function fake(answers: string[][]): { lookup: LookupFunction; calls: () => number } {
  let n = 0;
  const lookup = ((_host: string, opts: unknown, cb: (e: null, a: unknown, f?: number) => void) => {
    const list = (answers[Math.min(n++, answers.length - 1)] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    if ((opts as { all?: boolean }).all) cb(null, list);
    else cb(null, list[0]?.address, list[0]?.family);
  }) as unknown as LookupFunction;
  return { lookup, calls: () => n };
}
const ask = (lookup: LookupFunction, all: boolean): Promise<unknown> => new Promise((resolve, reject) => {
  (lookup as unknown as (h: string, o: object, cb: (e: Error | null, a: unknown) => void) => void)('rebind.test', { all }, (e, a) => (e ? reject(e) : resolve(a)));
});

describe('the lookup of image connections', () => {
  it('a name checked as public that answers loopback at the connection is refused there (DNS rebinding)', async () => {
    const { lookup, calls } = fake([['93.184.216.34'], ['127.0.0.1']]);
    expect(await resolveAll('rebind.test', lookup)).toEqual(['93.184.216.34']);
    const guarded = publicOnlyLookup(lookup);
    await expect(ask(guarded, false)).rejects.toMatchObject({ code: 'ENOTPUBLIC' });
    expect(calls()).toBe(2);
  });
  it('one private address among the answers refuses the name; public answers pass as asked (one, or all)', async () => {
    await expect(ask(publicOnlyLookup(fake([['93.184.216.34', '10.0.0.7']]).lookup), true)).rejects.toMatchObject({ code: 'ENOTPUBLIC' });
    expect(await ask(publicOnlyLookup(fake([['93.184.216.34', '2606:4700::1111']]).lookup), true)).toEqual([{ address: '93.184.216.34', family: 4 }, { address: '2606:4700::1111', family: 6 }]);
    expect(await ask(publicOnlyLookup(fake([['93.184.216.34']]).lookup), false)).toBe('93.184.216.34');
  });
});
