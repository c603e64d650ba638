/**
 * What connectivity's parts share: each provider's route entry (its state, since when, why, its probe), the OS's
 * online state, the windows that watch, the queued questions; the state as windows receive it; and the rules for
 * which failures mean that a route does not answer.
 */
import type { QueuedMessage } from '../../../shared/chat.ts';
import type { ErrorCode, ErrorInfo } from '../../../shared/errors.ts';
import type { NetRoute, NetState, NetStatus } from '../../../shared/ipc.ts';
import type { RouteFacts } from '../../../shared/route.ts';
import type { ScopedLogger } from '../diagnostics/logging.ts';
import type { ConnectivityDeps } from './routes.ts';

/** Failures that mean the route stopped answering: no HTTP answer came back from the provider. */
const DOWN_CODES = new Set<ErrorCode>(['dns_failed', 'connect_refused', 'connect_timeout', 'proxy_unreachable', 'proxy_refused']);

/** Whether a failure says the route does not answer (not auth, not a provider's own HTTP answer). */
export function isRouteDown(e: Pick<ErrorInfo, 'code' | 'hop' | 'status'>): boolean {
  if (DOWN_CODES.has(e.code)) return true;
  // The proxy answered that it could not reach the provider.
  return e.code === 'bad_gateway' && e.hop === 'proxy' && (e.status === 502 || e.status === 503 || e.status === 504);
}

/** Whether a probe's failure still means "no answer" (a timeout of the probe itself included). */
export function probeDown(e: Pick<ErrorInfo, 'code' | 'hop' | 'status'>): boolean {
  return isRouteDown(e) || e.code === 'request_timeout' || e.code === 'idle_timeout' || e.code === 'cancelled' || e.code === 'stream_interrupted' || (e.code === 'bad_gateway' && e.status === undefined);
}

/** The route as the banner names it: `http://proxy:3128 (manual)`, `direct (no proxy)` (an error's "via …" without the via). */
export function routeName(route: string): string {
  return route.replace(/^via\s+/i, '').slice(0, 300);
}

export interface Entry {
  providerId: string;
  route: string;
  routeFacts?: RouteFacts;
  state: NetStatus;
  since: number;
  code?: ErrorCode;
  attempts: number;
  timer?: NodeJS.Timeout;
  nextProbeAt?: number;
  probing?: AbortController;
}

export interface Shared {
  readonly deps: ConnectivityDeps;
  readonly log: ScopedLogger;
  readonly entries: Map<string, Entry>;
  readonly watchers: Set<string>;
  osOnline: boolean;
  closed: boolean;
  queue: QueuedMessage[];
}

export function names(s: Shared): Map<string, string> {
  try {
    return new Map(s.deps.providers().map((p) => [p.id, p.name]));
  } catch {
    return new Map();
  }
}

export function snapshot(s: Shared): NetState {
  const n = names(s);
  const routes: NetRoute[] = [...s.entries.values()].filter((e) => n.has(e.providerId)).map((e) => ({
    providerId: e.providerId, provider: n.get(e.providerId) ?? '', route: e.route, ...(e.routeFacts ? { routeFacts: e.routeFacts } : {}), state: e.state, since: e.since,
    ...(e.code ? { code: e.code } : {}), ...(e.nextProbeAt !== undefined && e.state !== 'online' ? { nextProbeAt: e.nextProbeAt } : {}),
  }));
  return { osOnline: s.osOnline, routes, queue: s.queue.map((q) => ({ ...q })) };
}

/** The state to every window that watches it. */
export function emit(s: Shared): void {
  if (s.closed) return;
  const state = snapshot(s);
  for (const id of s.watchers) {
    if (s.deps.hub.has(id)) s.deps.hub.emit(id, 'connectivity:state', state);
    else s.watchers.delete(id);
  }
}

export function stateOf(s: Shared, providerId: string): NetStatus {
  return s.entries.get(providerId)?.state ?? (s.osOnline ? 'online' : 'offline');
}

/** A provider's route entry, made when first needed. */
export function entry(s: Shared, providerId: string): Entry {
  let e = s.entries.get(providerId);
  if (!e) {
    e = { providerId, route: '', state: s.osOnline ? 'online' : 'offline', since: Date.now(), attempts: 0 };
    s.entries.set(providerId, e);
  }
  return e;
}
