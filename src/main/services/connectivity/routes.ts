/**
 * Connectivity (offline): the state of each provider's route, and the questions waiting for it.
 *
 * A route is 'online' until something says otherwise: the OS reports no network ('offline', from the window's
 * navigator.onLine), or a chat or a probe fails at the connection level ('unreachable'). While a route is
 * unreachable (and the OS reports a network) it is probed along the provider's own route (proxy, CAs, timeouts) without its key, with a backoff
 * (1 s, 2 s, 4 s … 30 s while a queued question waits for the route; on to one probe every 10 minutes while nothing
 * does) and a bound on the attempts; any HTTP answer, even a 401 or a 404, means the route
 * answers again. Windows that asked for the state receive 'connectivity:state' at every change.
 *
 * The queue: questions the user chose to send when the route answers again, at most MAX_QUEUED, persisted to
 * `<dataDir>/queue.json` (atomically), sent in order once their conversation's route is online, one answer at a time.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_QUEUED, type QueuedMessage } from '../../../shared/chat.ts';
import type { ErrorCode, ErrorInfo } from '../../../shared/errors.ts';
import type { NetRoute, NetState, NetStatus } from '../../../shared/ipc.ts';
import type { RouteFacts } from '../../../shared/route.ts';
import { ParleyError } from '../../core/errors.ts';
import { words } from '../../../shared/messages/en.ts';
import type { Logger } from '../diagnostics/logging.ts';
import { writeFileAtomic } from '../safe-write.ts';
import type { WindowHub } from '../window-hub.ts';

export const QUEUE_FILE = 'queue.json';
export const PROBE_MIN_MS = 1000;
export const PROBE_MAX_MS = 30_000;
/** The longest wait between probes of a route no queued question waits for. */
export const PROBE_IDLE_MAX_MS = 10 * 60_000;
/** Probes of one route before it waits for another reason (a failure, the OS online again, a queued question). */
export const MAX_PROBES = 500;
export const PROBE_TIMEOUT_MS = 10_000;
/** The most characters of a queued question (as chat:send). */
export const MAX_QUEUED_TEXT = 1_000_000;

/** Failures that mean the route stopped answering: no HTTP answer came back from the provider. */
const DOWN_CODES = new Set<ErrorCode>(['dns_failed', 'connect_refused', 'connect_timeout', 'proxy_unreachable', 'proxy_refused']);

/** Whether a failure says the route does not answer (not auth, not a provider's own HTTP answer). */
export function isRouteDown(e: Pick<ErrorInfo, 'code' | 'hop' | 'status'>): boolean {
  if (DOWN_CODES.has(e.code)) return true;
  // The proxy answered that it could not reach the provider.
  return e.code === 'bad_gateway' && e.hop === 'proxy' && (e.status === 502 || e.status === 503 || e.status === 504);
}

/** Whether a probe's failure still means "no answer" (a timeout of the probe itself included). */
function probeDown(e: Pick<ErrorInfo, 'code' | 'hop' | 'status'>): boolean {
  return isRouteDown(e) || e.code === 'request_timeout' || e.code === 'idle_timeout' || e.code === 'cancelled' || e.code === 'stream_interrupted' || (e.code === 'bad_gateway' && e.status === undefined);
}

export interface ConnectivityDeps {
  dataDir: string;
  logger: Logger;
  hub: WindowHub;
  /** The configured providers (ids and names). */
  providers(): { id: string; name: string }[];
  /** Opens a connection along the provider's route without its key (the model list): resolves or throws. */
  probe(providerId: string, signal: AbortSignal): Promise<void>;
  /** The provider a conversation's next question goes to; undefined when the conversation is gone. */
  providerOf(conversationId: string): string | null | undefined;
  /**
   * Sends a queued question into its conversation (events to `windows`); resolves once its answer ended, with
   * the answer's error if it failed. Throws when it cannot be sent now (an answer being written, no provider…).
   */
  send(item: QueuedMessage, windows: string[]): Promise<ErrorInfo | undefined>;
  /** Tests shorten the backoff. */
  probeMinMs?: number;
  probeMaxMs?: number;
  probeIdleMaxMs?: number;
}

export interface Connectivity {
  state(): NetState;
  /** A window that receives 'connectivity:state' from now on. */
  watch(windowId: string): void;
  /** The OS's online state. */
  setOsOnline(online: boolean): void;
  /** A chat of this provider ended: with an error (a connection-level one makes the route unreachable) or not. */
  chatEnded(providerId: string, error: ErrorInfo | undefined): void;
  queue(conversationId: string, text: string, windowId?: string): QueuedMessage;
  unqueue(id: string): boolean;
  close(): void;
}

interface Entry {
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

/** The route as the banner names it: `http://proxy:3128 (manual)`, `direct (no proxy)` (an error's "via …" without the via). */
function routeName(route: string): string {
  return route.replace(/^via\s+/i, '').slice(0, 300);
}

function isQueued(v: unknown): v is QueuedMessage {
  const q = v as QueuedMessage;
  return typeof q === 'object' && q !== null && typeof q.id === 'string' && q.id.length <= 64 && typeof q.conversationId === 'string' && q.conversationId.length <= 64
    && typeof q.text === 'string' && q.text.length > 0 && q.text.length <= MAX_QUEUED_TEXT && typeof q.createdAt === 'number';
}

export function createConnectivity(deps: ConnectivityDeps): Connectivity {
  const log = deps.logger.scope('transport');
  const minMs = deps.probeMinMs ?? PROBE_MIN_MS;
  const maxMs = deps.probeMaxMs ?? PROBE_MAX_MS;
  const idleMaxMs = Math.max(maxMs, deps.probeIdleMaxMs ?? PROBE_IDLE_MAX_MS);
  const file = join(deps.dataDir, QUEUE_FILE);
  const entries = new Map<string, Entry>();
  const watchers = new Set<string>();
  let osOnline = true;
  let closed = false;
  let queue: QueuedMessage[] = [];
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    const items = Array.isArray(parsed) ? parsed : Array.isArray((parsed as { queue?: unknown })?.queue) ? (parsed as { queue: unknown[] }).queue : [];
    queue = items.filter(isQueued).slice(0, MAX_QUEUED).map((q) => ({ id: q.id, conversationId: q.conversationId, text: q.text, createdAt: q.createdAt }));
    if (queue.length) log.info('queued questions loaded', { count: queue.length });
  } catch (e) {
    if ((e as NodeJS.ErrnoException)?.code !== 'ENOENT') log.warn('queue file not read: starting with no queued questions', { path: file, reason: e instanceof Error ? e.message : String(e) });
  }

  const persist = (): void => {
    writeFileAtomic(file, `${JSON.stringify({ version: 1, queue }, null, 1)}\n`, { mode: 0o600, what: 'the queued questions' });
  };
  const persistQuietly = (): void => {
    try {
      persist();
    } catch (e) {
      log.error('queued questions not saved', { path: file, reason: e instanceof Error ? e.message : String(e) });
    }
  };

  const names = (): Map<string, string> => {
    try {
      return new Map(deps.providers().map((p) => [p.id, p.name]));
    } catch {
      return new Map();
    }
  };
  const state = (): NetState => {
    const n = names();
    const routes: NetRoute[] = [...entries.values()].filter((e) => n.has(e.providerId)).map((e) => ({
      providerId: e.providerId, provider: n.get(e.providerId) ?? '', route: e.route, ...(e.routeFacts ? { routeFacts: e.routeFacts } : {}), state: e.state, since: e.since,
      ...(e.code ? { code: e.code } : {}), ...(e.nextProbeAt !== undefined && e.state !== 'online' ? { nextProbeAt: e.nextProbeAt } : {}),
    }));
    return { osOnline, routes, queue: queue.map((q) => ({ ...q })) };
  };
  const emit = (): void => {
    if (closed) return;
    const s = state();
    for (const id of watchers) {
      if (deps.hub.has(id)) deps.hub.emit(id, 'connectivity:state', s);
      else watchers.delete(id);
    }
  };
  const stateOf = (providerId: string): NetStatus => entries.get(providerId)?.state ?? (osOnline ? 'online' : 'offline');

  const entry = (providerId: string): Entry => {
    let e = entries.get(providerId);
    if (!e) {
      e = { providerId, route: '', state: osOnline ? 'online' : 'offline', since: Date.now(), attempts: 0 };
      entries.set(providerId, e);
    }
    return e;
  };
  const stopProbe = (e: Entry): void => {
    if (e.timer) clearTimeout(e.timer);
    e.timer = undefined;
    e.nextProbeAt = undefined;
    e.probing?.abort();
    e.probing = undefined;
  };
  /** The next probe of a route, after its backoff; a probe already waiting or running is left alone unless `now`. */
  const schedule = (e: Entry, now = false): void => {
    // The OS's "no network" is trusted (its "online" is what may be wrong): no probe until it reports the network back.
    if (closed || !osOnline) return;
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
    const waits = queue.some((q) => deps.providerOf(q.conversationId) === e.providerId);
    const delay = now ? 0 : Math.min(waits ? maxMs : idleMaxMs, minMs * 2 ** Math.min(e.attempts, 20));
    e.nextProbeAt = Date.now() + delay;
    e.timer = setTimeout(() => {
      e.timer = undefined;
      void runProbe(e);
    }, delay);
    e.timer.unref?.();
  };
  const runProbe = async (e: Entry): Promise<void> => {
    if (closed || e.probing) return;
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
    if (e.probing !== ctl || closed) return; // stopped meanwhile
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
    emit();
  };

  const online = (providerId: string): void => {
    const e = entries.get(providerId);
    if (e) {
      stopProbe(e);
      e.attempts = 0;
      if (e.state !== 'online') {
        e.state = 'online';
        e.since = Date.now();
        e.code = undefined;
        emit();
      }
    }
    void drain();
  };

  // ---- the queue ----
  let draining = false;
  let again = false;
  /** Sends waiting questions whose route is online, in order, one answer at a time. */
  const drain = async (): Promise<void> => {
    if (draining) {
      again = true;
      return;
    }
    draining = true;
    try {
      // Bounded: each pass sends or drops at least one question, or stops.
      for (let pass = 0; pass < MAX_QUEUED * 2 + 2 && !closed; pass++) {
        again = false;
        const blocked = new Set<string>();
        let next: QueuedMessage | undefined;
        for (const q of queue) {
          if (blocked.has(q.conversationId)) continue;
          const pid = deps.providerOf(q.conversationId);
          if (pid === undefined) {
            next = q; // its conversation is gone: dropped below
            break;
          }
          if (pid && stateOf(pid) === 'online') {
            next = q;
            break;
          }
          blocked.add(q.conversationId); // questions of one conversation keep their order
        }
        if (!next) {
          if (again) continue;
          return;
        }
        const item = next;
        const removeItem = (): void => {
          queue = queue.filter((q) => q.id !== item.id);
          persistQuietly();
          emit();
        };
        if (deps.providerOf(item.conversationId) === undefined) {
          log.warn('queued question dropped: its conversation is gone', { id: item.id, conversationId: item.conversationId });
          removeItem();
          continue;
        }
        let sent: Promise<ErrorInfo | undefined>;
        try {
          sent = deps.send(item, [...watchers]);
        } catch (err) {
          // Not now (an answer is being written there, a provider missing): it waits for the next chance.
          log.warn('queued question not sent yet', { id: item.id, reason: err instanceof Error ? err.message : String(err) });
          return;
        }
        removeItem();
        log.info('queued question sent', { id: item.id, conversationId: item.conversationId });
        const error = await sent.catch((err: unknown) => (ParleyError.is(err) ? err.toInfo() : undefined));
        if (error && isRouteDown(error)) return; // chatEnded made the route unreachable: the rest waits
      }
    } finally {
      draining = false;
    }
  };

  // Questions kept from the last run: their routes are probed first, sent once they answer.
  const startIds = new Set<string>();
  for (const q of queue) {
    const pid = deps.providerOf(q.conversationId);
    if (pid) startIds.add(pid);
  }
  for (const pid of startIds) schedule(entry(pid), true);

  return {
    state,
    watch(windowId) {
      watchers.add(windowId);
    },
    setOsOnline(isOnline) {
      if (isOnline === osOnline) return;
      osOnline = isOnline;
      log.info(isOnline ? 'the OS reports the network back' : 'the OS reports no network', {});
      if (!isOnline) {
        for (const p of names().keys()) {
          const e = entry(p);
          if (e.state === 'online') {
            e.state = 'offline';
            e.since = Date.now();
          }
          stopProbe(e);
        }
      } else {
        // Noticed at once: every route not online is probed now.
        for (const e of entries.values()) if (e.state !== 'online') schedule(e, true);
      }
      emit();
    },
    chatEnded(providerId, error) {
      if (!error) return online(providerId);
      if (!isRouteDown(error)) {
        // Another HTTP answer (a 401, a 429, a 500…): the route answers, whatever the provider said.
        if (error.status !== undefined && entries.has(providerId) && entries.get(providerId)?.state !== 'online') return online(providerId);
        // An answer that ended frees its conversation for a question waiting there.
        if (queue.length) void drain();
        return;
      }
      const e = entry(providerId);
      if (error.route) e.route = routeName(error.route);
      if (error.routeFacts) e.routeFacts = error.routeFacts;
      const next: NetStatus = osOnline ? 'unreachable' : 'offline';
      if (e.state !== next || e.code !== error.code) {
        e.state = next;
        e.code = error.code;
        e.since = Date.now();
        log.warn('route unreachable', { providerId, code: error.code, route: e.route });
      }
      if (!e.timer && !e.probing) {
        e.attempts = 0;
        schedule(e);
      }
      emit();
    },
    queue(conversationId, text, windowId) {
      if (queue.length >= MAX_QUEUED) {
        throw new ParleyError('limit_exceeded', `At most ${MAX_QUEUED} questions can wait to be sent.`, { hint: 'Remove a waiting question, or wait until the provider answers again.' });
      }
      if (text.length === 0 || text.length > MAX_QUEUED_TEXT) throw new ParleyError('config_invalid', 'A queued question must have between 1 and 1,000,000 characters.', { hop: 'config', phase: 'config' });
      const pid = deps.providerOf(conversationId);
      if (pid === undefined) throw new ParleyError('config_invalid', 'That conversation does not exist (it may have been deleted).', { hop: 'config', phase: 'config' });
      if (!pid) throw new ParleyError('config_invalid', words('no_provider', {}), { hop: 'config', phase: 'config' });
      if (windowId) watchers.add(windowId);
      const item: QueuedMessage = { id: randomUUID(), conversationId, text, createdAt: Date.now() };
      queue = [...queue, item];
      try {
        persist();
      } catch (e) {
        queue = queue.filter((q) => q.id !== item.id);
        throw e;
      }
      log.info('question queued', { id: item.id, conversationId, chars: text.length, state: stateOf(pid) });
      emit();
      const e = entries.get(pid);
      if (stateOf(pid) === 'online') void drain();
      else if (e) {
        // A question waits here now: a probe that is far off (the long interval) comes within the short one.
        if (e.timer && (e.nextProbeAt ?? 0) - Date.now() > maxMs) {
          clearTimeout(e.timer);
          e.timer = undefined;
        }
        schedule(e, !e.timer && !e.probing && e.attempts >= MAX_PROBES);
      }
      else schedule(entry(pid));
      return { ...item };
    },
    unqueue(id) {
      const before = queue.length;
      queue = queue.filter((q) => q.id !== id);
      if (queue.length === before) return false;
      persist();
      emit();
      return true;
    },
    close() {
      closed = true;
      for (const e of entries.values()) stopProbe(e);
    },
  };
}
