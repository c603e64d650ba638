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
 *
 * The parts: state.ts (the route entries and what windows receive), probes.ts (the backoff), queue.ts; here, how a
 * route's state changes (the OS's online state, a chat that ended, a probe that got an answer).
 */
import { join } from 'node:path';
import type { QueuedMessage } from '../../../shared/chat.ts';
import type { ErrorInfo } from '../../../shared/errors.ts';
import type { NetState, NetStatus } from '../../../shared/ipc.ts';
import type { Logger } from '../diagnostics/logging.ts';
import type { WindowHub } from '../window-hub.ts';
import { createProbes } from './probes.ts';
import { createQueue, loadQueue, QUEUE_FILE } from './queue.ts';
import { emit, entry, isRouteDown, names, routeName, snapshot, type Shared } from './state.ts';

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

export function createConnectivity(deps: ConnectivityDeps): Connectivity {
  const log = deps.logger.scope('transport');
  const file = join(deps.dataDir, QUEUE_FILE);
  const s: Shared = { deps, log, entries: new Map(), watchers: new Set(), osOnline: true, closed: false, queue: loadQueue(file, log) };
  const probes = createProbes(s, (providerId) => online(providerId));
  const queue = createQueue(s, file, probes);

  /** The route answers: no more probes, online, and the questions waiting for it go. */
  const online = (providerId: string): void => {
    const e = s.entries.get(providerId);
    if (e) {
      probes.stop(e);
      e.attempts = 0;
      if (e.state !== 'online') {
        e.state = 'online';
        e.since = Date.now();
        e.code = undefined;
        emit(s);
      }
    }
    void queue.drain();
  };

  // Questions kept from the last run: their routes are probed first, sent once they answer.
  const startIds = new Set<string>();
  for (const q of s.queue) {
    const pid = deps.providerOf(q.conversationId);
    if (pid) startIds.add(pid);
  }
  for (const pid of startIds) probes.schedule(entry(s, pid), true);

  return {
    state: () => snapshot(s),
    watch(windowId) {
      s.watchers.add(windowId);
    },
    setOsOnline(isOnline) {
      if (isOnline === s.osOnline) return;
      s.osOnline = isOnline;
      log.info(isOnline ? 'the OS reports the network back' : 'the OS reports no network', {});
      if (!isOnline) {
        for (const p of names(s).keys()) {
          const e = entry(s, p);
          if (e.state === 'online') {
            e.state = 'offline';
            e.since = Date.now();
          }
          probes.stop(e);
        }
      } else {
        // Noticed at once: every route not online is probed now.
        for (const e of s.entries.values()) if (e.state !== 'online') probes.schedule(e, true);
      }
      emit(s);
    },
    chatEnded(providerId, error) {
      if (!error) return online(providerId);
      if (!isRouteDown(error)) {
        // Another HTTP answer (a 401, a 429, a 500…): the route answers, whatever the provider said.
        if (error.status !== undefined && s.entries.has(providerId) && s.entries.get(providerId)?.state !== 'online') return online(providerId);
        // An answer that ended frees its conversation for a question waiting there.
        if (s.queue.length) void queue.drain();
        return;
      }
      const e = entry(s, providerId);
      if (error.route) e.route = routeName(error.route);
      if (error.routeFacts) e.routeFacts = error.routeFacts;
      const next: NetStatus = s.osOnline ? 'unreachable' : 'offline';
      if (e.state !== next || e.code !== error.code) {
        e.state = next;
        e.code = error.code;
        e.since = Date.now();
        log.warn('route unreachable', { providerId, code: error.code, route: e.route });
      }
      if (!e.timer && !e.probing) {
        e.attempts = 0;
        probes.schedule(e);
      }
      emit(s);
    },
    queue: queue.add,
    unqueue: queue.remove,
    close() {
      s.closed = true;
      for (const e of s.entries.values()) probes.stop(e);
    },
  };
}
