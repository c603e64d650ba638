/** Retry timing: one pure function, as the official OpenAI/Anthropic SDKs do it. */

/** Server-requested delays above this are capped (and the cap is reported). */
export const RETRY_AFTER_CAP_MS = 60_000;
export const BACKOFF_BASE_MS = 500;
export const BACKOFF_MAX_MS = 8_000;

export interface RetryDelay {
  delayMs: number;
  source: 'retry-after-ms' | 'retry-after' | 'backoff';
  /** Set when the server asked for longer than the cap. */
  cappedFromMs?: number;
}

/**
 * @param attempt 0 for the first retry
 * @param headers response headers (lower-case names), if any
 * @param random a number in [0,1) for jitter
 * @param now for HTTP-date Retry-After
 */
export function retryDelay(attempt: number, headers: Record<string, string> | undefined, random: number, now = Date.now()): RetryDelay {
  const h = headers ?? {};
  const fromServer = (ms: number, source: RetryDelay['source']): RetryDelay | undefined => {
    if (!Number.isFinite(ms) || ms < 0) return undefined;
    return ms > RETRY_AFTER_CAP_MS ? { delayMs: RETRY_AFTER_CAP_MS, source, cappedFromMs: Math.round(ms) } : { delayMs: Math.round(ms), source };
  };
  const ra_ms = h['retry-after-ms'];
  if (ra_ms !== undefined && ra_ms.trim() !== '') {
    const r = fromServer(Number(ra_ms), 'retry-after-ms');
    if (r) return r;
  }
  const ra = h['retry-after'];
  if (ra !== undefined && ra.trim() !== '') {
    const secs = Number(ra);
    const r = Number.isNaN(secs) ? fromServer(Date.parse(ra) - now, 'retry-after') : fromServer(secs * 1000, 'retry-after');
    if (r) return r;
  }
  const base = Math.min(BACKOFF_BASE_MS * 2 ** attempt, BACKOFF_MAX_MS);
  return { delayMs: Math.round(base * (1 - 0.25 * random)), source: 'backoff' };
}

/** The server's explicit word on retrying (`x-should-retry`), if any. */
export function shouldRetryHeader(headers: Record<string, string> | undefined): boolean | undefined {
  const v = headers?.['x-should-retry'];
  return v === 'true' ? true : v === 'false' ? false : undefined;
}
