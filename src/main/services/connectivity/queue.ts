/**
 * The queue: questions the user chose to send when the route answers again, at most MAX_QUEUED, persisted to
 * `<dataDir>/queue.json` (atomically), sent in order once their conversation's route is online, one answer at a time.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { MAX_QUEUED, type QueuedMessage } from '../../../shared/chat.ts';
import type { ErrorInfo } from '../../../shared/errors.ts';
import { ParleyError } from '../../core/errors.ts';
import { words } from '../../../shared/messages/en.ts';
import type { ScopedLogger } from '../diagnostics/logging.ts';
import { writeFileAtomic } from '../safe-write.ts';
import { MAX_PROBES, type Probes } from './probes.ts';
import { emit, entry, isRouteDown, stateOf, type Shared } from './state.ts';

export const QUEUE_FILE = 'queue.json';
/** The most characters of a queued question (as chat:send). */
export const MAX_QUEUED_TEXT = 1_000_000;

function isQueued(v: unknown): v is QueuedMessage {
  const q = v as QueuedMessage;
  return typeof q === 'object' && q !== null && typeof q.id === 'string' && q.id.length <= 64 && typeof q.conversationId === 'string' && q.conversationId.length <= 64
    && typeof q.text === 'string' && q.text.length > 0 && q.text.length <= MAX_QUEUED_TEXT && typeof q.createdAt === 'number';
}

/** The questions kept from the last run (none when the file is missing or unreadable). */
export function loadQueue(file: string, log: ScopedLogger): QueuedMessage[] {
  let queue: QueuedMessage[] = [];
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    const items = Array.isArray(parsed) ? parsed : Array.isArray((parsed as { queue?: unknown })?.queue) ? (parsed as { queue: unknown[] }).queue : [];
    queue = items.filter(isQueued).slice(0, MAX_QUEUED).map((q) => ({ id: q.id, conversationId: q.conversationId, text: q.text, createdAt: q.createdAt }));
    if (queue.length) log.info('queued questions loaded', { count: queue.length });
  } catch (e) {
    if ((e as NodeJS.ErrnoException)?.code !== 'ENOENT') log.warn('queue file not read: starting with no queued questions', { path: file, reason: e instanceof Error ? e.message : String(e) });
  }
  return queue;
}

export interface Queue {
  /** Sends waiting questions whose route is online, in order, one answer at a time. */
  drain(): Promise<void>;
  add(conversationId: string, text: string, windowId?: string): QueuedMessage;
  remove(id: string): boolean;
}

export function createQueue(s: Shared, file: string, probes: Probes): Queue {
  const { deps, log } = s;
  const persist = (): void => {
    writeFileAtomic(file, `${JSON.stringify({ version: 1, queue: s.queue }, null, 1)}\n`, { mode: 0o600, what: 'the queued questions' });
  };
  const persistQuietly = (): void => {
    try {
      persist();
    } catch (e) {
      log.error('queued questions not saved', { path: file, reason: e instanceof Error ? e.message : String(e) });
    }
  };

  let draining = false;
  let again = false;
  const drain = async (): Promise<void> => {
    if (draining) {
      again = true;
      return;
    }
    draining = true;
    try {
      // Bounded: each pass sends or drops at least one question, or stops.
      for (let pass = 0; pass < MAX_QUEUED * 2 + 2 && !s.closed; pass++) {
        again = false;
        const blocked = new Set<string>();
        let next: QueuedMessage | undefined;
        for (const q of s.queue) {
          if (blocked.has(q.conversationId)) continue;
          const pid = deps.providerOf(q.conversationId);
          if (pid === undefined) {
            next = q; // its conversation is gone: dropped below
            break;
          }
          if (pid && stateOf(s, pid) === 'online') {
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
          s.queue = s.queue.filter((q) => q.id !== item.id);
          persistQuietly();
          emit(s);
        };
        if (deps.providerOf(item.conversationId) === undefined) {
          log.warn('queued question dropped: its conversation is gone', { id: item.id, conversationId: item.conversationId });
          removeItem();
          continue;
        }
        let sent: Promise<ErrorInfo | undefined>;
        try {
          sent = deps.send(item, [...s.watchers]);
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

  return {
    drain,
    add(conversationId, text, windowId) {
      if (s.queue.length >= MAX_QUEUED) {
        throw new ParleyError('limit_exceeded', `At most ${MAX_QUEUED} questions can wait to be sent.`, { hint: 'Remove a waiting question, or wait until the provider answers again.' });
      }
      if (text.length === 0 || text.length > MAX_QUEUED_TEXT) throw new ParleyError('config_invalid', 'A queued question must have between 1 and 1,000,000 characters.', { hop: 'config', phase: 'config' });
      const pid = deps.providerOf(conversationId);
      if (pid === undefined) throw new ParleyError('config_invalid', 'That conversation does not exist (it may have been deleted).', { hop: 'config', phase: 'config' });
      if (!pid) throw new ParleyError('config_invalid', words('no_provider', {}), { hop: 'config', phase: 'config' });
      if (windowId) s.watchers.add(windowId);
      const item: QueuedMessage = { id: randomUUID(), conversationId, text, createdAt: Date.now() };
      s.queue = [...s.queue, item];
      try {
        persist();
      } catch (e) {
        s.queue = s.queue.filter((q) => q.id !== item.id);
        throw e;
      }
      log.info('question queued', { id: item.id, conversationId, chars: text.length, state: stateOf(s, pid) });
      emit(s);
      const e = s.entries.get(pid);
      if (stateOf(s, pid) === 'online') void drain();
      else if (e) {
        // A question waits here now: a probe that is far off (the long interval) comes within the short one.
        if (e.timer && (e.nextProbeAt ?? 0) - Date.now() > probes.maxMs) {
          clearTimeout(e.timer);
          e.timer = undefined;
        }
        probes.schedule(e, !e.timer && !e.probing && e.attempts >= MAX_PROBES);
      }
      else probes.schedule(entry(s, pid));
      return { ...item };
    },
    remove(id) {
      const before = s.queue.length;
      s.queue = s.queue.filter((q) => q.id !== id);
      if (s.queue.length === before) return false;
      persist();
      emit(s);
      return true;
    },
  };
}
