/**
 * Parley's own limit of a sync service's request rate (Nutstore: 600 requests in 30 minutes on a free account),
 * with a clock of the test's: within the budget nothing waits; past it a short wait is waited, a long one is
 * sync_rate_limited saying when the next request may go; Retry-After is read as seconds or a date.
 */
import { describe, expect, it } from 'vitest';
import { RateLimiter, retryAfterMs } from '../../src/main/services/sync/target-http.ts';
import { isNutstore } from '../../src/main/services/sync/webdav.ts';
import { SyncLimiters } from '../../src/main/services/sync/route.ts';
import { ParleyError } from '../../src/main/core/errors.ts';
import * as v from 'valibot';
import { syncSettingsSchema } from '../../src/shared/settings.ts';

describe('RateLimiter', () => {
  it('600 in 30 minutes: the 601st is refused with the wait, then allowed once the first leaves the window', async () => {
    let now = 1_000_000;
    const l = new RateLimiter(600, 30 * 60_000, 60_000, () => now);
    for (let i = 0; i < 600; i++) {
      await l.take('dav.jianguoyun.com');
      now += 1000; // one a second: 600 s in all
    }
    expect(l.left).toBe(0);
    const e = await l.take('dav.jianguoyun.com').then(() => undefined, (x: unknown) => x);
    expect(ParleyError.is(e) && e.code).toBe('sync_rate_limited');
    // The first left at 1,000,000 + 30 min: from now (1,600,000) that is 1,200 s.
    expect((e as ParleyError).detail.retryAfterMs).toBe(1_200_000);
    expect((e as ParleyError).message).toContain('600 requests in 30 minutes');
    now = 1_000_000 + 30 * 60_000;
    await l.take('dav.jianguoyun.com');
    expect(l.left).toBe(0);
  });

  it('a wait within its bound is waited for, not refused', async () => {
    const l = new RateLimiter(2, 200, 1000);
    const t0 = Date.now();
    await l.take('h');
    await l.take('h');
    await l.take('h');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
  });
});

describe('Retry-After', () => {
  it('seconds or an HTTP date; anything else is not a wait', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': '7' }))).toBe(7000);
    const now = Date.parse('2026-12-07T10:00:00Z');
    expect(retryAfterMs(new Headers({ 'retry-after': 'Mon, 07 Dec 2026 10:00:30 GMT' }), now)).toBe(30_000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(retryAfterMs(new Headers())).toBeUndefined();
  });
});

describe('Nutstore limits apply to Nutstore only', () => {
  it('its hosts get a limiter, one per account, kept across targets; other services none', () => {
    const limiters = new SyncLimiters();
    const nut = v.parse(syncSettingsSchema, { service: 'webdav', url: 'https://dav.jianguoyun.com/dav/parley/', username: 'me@example.com' });
    expect(isNutstore('dav.jianguoyun.com')).toBe(true);
    expect(isNutstore('nextcloud.example.com')).toBe(false);
    const first = limiters.for(nut);
    expect(first?.max).toBe(600);
    expect(limiters.for(nut)).toBe(first);
    expect(limiters.for({ ...nut, username: 'other@example.com' })).not.toBe(first);
    expect(limiters.for({ ...nut, url: 'https://cloud.example.com/remote.php/dav/files/me/parley/' })).toBeUndefined();
  });
});

describe('sync settings keep no secret', () => {
  it('the password and passphrase are keychain: references or ${VAR}s; a value itself is refused', () => {
    expect(v.safeParse(syncSettingsSchema, { password: 'keychain:abc123', passphrase: '${SYNC_PASSPHRASE}' }).success).toBe(true);
    const plain = v.safeParse(syncSettingsSchema, { password: 'hunter2' });
    expect(plain.success).toBe(false);
    expect(v.safeParse(syncSettingsSchema, { passphrase: 'my passphrase' }).success).toBe(false);
  });
});
