import { describe, expect, it } from 'vitest';
import { retryDelay, RETRY_AFTER_CAP_MS, shouldRetryHeader } from '../../src/main/core/retry.ts';

const NOW = Date.parse('2026-01-01T00:00:00Z');

describe('retryDelay', () => {
  // [attempt, headers, random, expected delay, expected source, capped from]
  const table: Array<[number, Record<string, string> | undefined, number, number, string, number | undefined]> = [
    [0, undefined, 0, 500, 'backoff', undefined],
    [1, undefined, 0, 1000, 'backoff', undefined],
    [2, undefined, 0, 2000, 'backoff', undefined],
    [3, undefined, 0, 4000, 'backoff', undefined],
    [4, undefined, 0, 8000, 'backoff', undefined],
    [9, undefined, 0, 8000, 'backoff', undefined], // capped at 8 s
    [0, undefined, 0.999, 375, 'backoff', undefined], // jitter takes off up to 25 %
    [1, undefined, 0.5, 875, 'backoff', undefined],
    [0, { 'retry-after-ms': '1234' }, 0.5, 1234, 'retry-after-ms', undefined],
    [0, { 'retry-after-ms': '1234', 'retry-after': '9' }, 0, 1234, 'retry-after-ms', undefined], // -ms wins
    [0, { 'retry-after': '3' }, 0, 3000, 'retry-after', undefined],
    [0, { 'retry-after': '0' }, 0, 0, 'retry-after', undefined],
    [0, { 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }, 0, 5000, 'retry-after', undefined],
    [0, { 'retry-after': '3600' }, 0, RETRY_AFTER_CAP_MS, 'retry-after', 3_600_000],
    [0, { 'retry-after-ms': '120000' }, 0, RETRY_AFTER_CAP_MS, 'retry-after-ms', 120_000],
    [0, { 'retry-after': 'soon' }, 0, 500, 'backoff', undefined], // unparseable → backoff
    [0, { 'retry-after-ms': '-5' }, 0, 500, 'backoff', undefined],
  ];
  for (const [attempt, headers, random, delay, source, capped] of table) {
    it(`attempt ${attempt} ${JSON.stringify(headers ?? {})} r=${random} → ${delay} ms (${source})`, () => {
      const d = retryDelay(attempt, headers, random, NOW);
      expect(d.delayMs).toBe(delay);
      expect(d.source).toBe(source);
      expect(d.cappedFromMs).toBe(capped);
    });
  }
  it('x-should-retry overrides', () => {
    expect(shouldRetryHeader({ 'x-should-retry': 'true' })).toBe(true);
    expect(shouldRetryHeader({ 'x-should-retry': 'false' })).toBe(false);
    expect(shouldRetryHeader({})).toBeUndefined();
  });
});
