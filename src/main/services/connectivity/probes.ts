/**
 * Probes of a route that does not answer: along the provider's own route without its key, with a backoff (1 s,
 * 2 s, 4 s … 30 s while a queued question waits for the route; on to one probe every 10 minutes while nothing does)
 * and a bound on the attempts. Any HTTP answer, even a 401 or a 404, means the route answers again (`online`).
 */
import type { ErrorInfo } from '../../../shared/errors.ts';
import { ParleyError } from '../../core/errors.ts';
import { emit, isRouteDown, probeDown, routeName, type Entry, type Shared } from './state.ts';

export const PROBE_MIN_MS = 1000;
export const PROBE_MAX_MS = 30_000;
/** The longest wait between probes of a route no queued question waits for. */
export const PROBE_IDLE_MAX_MS = 10 * 60_000;
/** Probes of one route before it waits for another reason (a failure, the OS online again, a queued question). */
export const MAX_PROBES = 500;
export const PROBE_TIMEOUT_MS = 10_000;

export interface Probes {
  /** The longest wait between probes while a question waits. */
  readonly maxMs: number;
  /** The next probe of a route, after its backoff; a probe already waiting or running is left alone unless `now`. */
  schedule(e: Entry, now?: boolean): void;
  /** No more probes of this route (until scheduled again). */
  stop(e: Entry): void;
}

export function createProbes(s: Shared, online: (providerId: string) => void): Probes {
  const { deps, log } = s;
  const minMs = deps.probeMinMs ?? PROBE_MIN_MS;
  const maxMs = deps.probeMaxMs ?? PROBE_MAX_MS;
  const idleMaxMs = Math.max(maxMs, deps.probeIdleMaxMs ?? PROBE_IDLE_MAX_MS);

  const stop = (e: Entry): void => {
    if (e.timer) clearTimeout(e.timer);
    e.timer = undefined;
    e.nextProbeAt = undefined;
    e.probing?.abort();
    e.probing = undefined;
  };
  const schedule = (e: Entry, now = false): void => {
    // The OS's "no network" is trusted (its "online" is what may be wrong): no probe until it reports the network back.
    if (s.closed || !s.osOnline) return;
    if (now) {
      e.attempts = 0;
      if (e.timer) clearTimeout(e.timer);
      e.timer = undefined;
    } else if (e.timer || e.probing) return;
    if (e.attempts >= MAX_PROBES) {
      log.warn('route probes stopped: waiting for a new reason to try', { providerId: e.providerId, attempts: e.attempts });
      e.nextProbeAt = undefined;
      return;
    }
    // Probed often only while a question waits for the route; otherwise the wait grows to a long interval.
    const waits = s.queue.some((q) => deps.providerOf(q.conversationId) === e.providerId);
    const delay = now ? 0 : Math.min(waits ? maxMs : idleMaxMs, minMs * 2 ** Math.min(e.attempts, 20));
    e.nextProbeAt = Date.now() + delay;
    e.timer = setTimeout(() => {
      e.timer = undefined;
      void run(e);
    }, delay);
    e.timer.unref?.();
  };
  const run = async (e: Entry): Promise<void> => {
    if (s.closed || e.probing) return;
    const ctl = new AbortController();
    e.probing = ctl;
    e.attempts++;
    const timeout = setTimeout(() => ctl.abort(new ParleyError('request_timeout', 'The probe got no answer in time.', {})), PROBE_TIMEOUT_MS);
    let failure: ErrorInfo | undefined;
    try {
      await deps.probe(e.providerId, ctl.signal);
    } catch (err) {
      failure = ParleyError.is(err) ? err.toInfo() : { code: 'cancelled', message: err instanceof Error ? err.message : String(err), hint: '' };
    } finally {
      clearTimeout(timeout);
    }
    if (e.probing !== ctl || s.closed) return; // stopped meanwhile
    e.probing = undefined;
    if (!failure || !probeDown(failure)) {
      log.info('route answers again', { providerId: e.providerId, attempts: e.attempts, ...(failure ? { answered: failure.code, status: failure.status ?? '' } : {}) });
      online(e.providerId);
      return;
    }
    if (failure.route) e.route = routeName(failure.route);
    if (failure.routeFacts) e.routeFacts = failure.routeFacts;
    if (e.state !== 'unreachable') {
      // A probe at start (queued questions), or after the OS reported the network back, found the route down.
      e.state = 'unreachable';
      e.since = Date.now();
      if (isRouteDown(failure)) e.code = failure.code;
    }
    log.info('route probe: no answer yet', { providerId: e.providerId, attempt: e.attempts, code: failure.code });
    schedule(e);
    emit(s);
  };
  return { maxMs, schedule, stop };
}
