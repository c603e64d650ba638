/**
 * The answers being written: at most MAX_ACTIVE at once, each started here and run by stream-run.ts; after its end
 * event, "chat ended" goes to the listeners (connectivity learns a route's state from it) and the model may title
 * the conversation. Stops, a window's snapshot (`active`), and the waits before a delete or quit.
 */
import { randomUUID } from 'node:crypto';
import { Answer } from '../../core/index.ts';
import { ParleyError } from '../../core/errors.ts';
import { createDownscaler } from '../attachments/downscale.ts';
import type { Conversation, Message } from '../../../shared/chat.ts';
import { connectionFor } from '../settings/providers.ts';
import type { Caller } from '../window-hub.ts';
import { emitTo, flush } from './batching.ts';
import type { ChatContext, Writing } from './context.ts';
import type { ChatEnded, ChatService } from './service.ts';
import { runAnswer } from './stream-run.ts';
import { requestOptions, titleOptions } from './params.ts';
import { autoTitle } from './titles.ts';
import { plainMessages, type PlannedMessage } from './history.ts';

/** The most answers streaming at once. */
export const MAX_ACTIVE = 16;

export interface Answers extends Pick<ChatService, 'onEnded' | 'stop' | 'active' | 'isActive' | 'stopConversation' | 'stopWithin' | 'close' | 'settled'> {
  /** Starts writing `assistant` with `history` (after `prefix`, for Continue); returns the request's id. */
  start(caller: Caller, conv: Conversation, assistant: Message, history: PlannedMessage[], prefix: string): string;
  /** More windows that receive a request's events. */
  addWindows(requestId: string, windows: string[]): void;
}

export function createAnswers(ctx: ChatContext): Answers {
  const { deps, log } = ctx;
  const { store } = deps;
  const actives = new Map<string, Writing>();
  const byMessage = new Map<string, Writing>();
  const endedListeners = new Set<(ended: ChatEnded) => void>();
  // Images as sent to models (downscaled copies cached per attachment and limit).
  const images = deps.attachments ? createDownscaler(deps.attachments) : undefined;

  function start(caller: Caller, conv: Conversation, assistant: Message, history: PlannedMessage[], prefix: string): string {
    if (actives.size >= MAX_ACTIVE) {
      throw new ParleyError('limit_exceeded', `At most ${MAX_ACTIVE} answers can be written at once.`, { hint: 'Wait for an answer to finish, or stop one.' });
    }
    const s = deps.settings.get();
    const provider = deps.settings.providerFor(assistant.providerId ?? conv.providerId ?? s.defaults.providerId ?? '');
    const raw = connectionFor(s, provider, assistant.model ?? conv.model ?? undefined);
    deps.learnSecrets?.(raw);
    // The conversation's parameters (else the provider's), the model's capabilities and the provider's preset.
    const options = requestOptions(conv, provider, raw.provider.model);
    const requestId = randomUUID();
    const a: Writing = {
      requestId, conversationId: conv.id, messageId: assistant.id, windows: new Set([caller.windowId]), seq: 0, prefix,
      answer: new Answer(), pendingText: '', pendingReasoning: '', lastSave: Date.now(), abort: new AbortController(),
      stoppedByUser: false, startedAt: Date.now(), tools: [], routeInfo: {
        ...(assistant.routeInfo?.context ? { context: assistant.routeInfo.context } : {}),
        ...(assistant.routeInfo?.imagesLeftOut ? { imagesLeftOut: assistant.routeInfo.imagesLeftOut } : {}),
      }, done: Promise.resolve(),
      rec: deps.requests.begin({
        kind: 'chat', id: requestId, url: raw.provider.baseUrl, method: 'POST', message: 'chat request',
        data: { conversationId: conv.id, messageId: assistant.id, provider: provider.name, protocol: provider.protocol, baseUrl: provider.baseUrl, model: raw.provider.model, messages: history.length },
      }),
    };
    actives.set(requestId, a);
    byMessage.set(assistant.id, a);
    a.done = (async () => {
      const message = await runAnswer(ctx, a, raw, history, options, images);
      actives.delete(requestId);
      byMessage.delete(a.messageId);
      emitTo(ctx, a, { requestId, seq: ++a.seq, type: 'end', conversationId: a.conversationId, messageId: a.messageId, message });
      if (!(message.status === 'stopped' && a.stoppedByUser)) {
        try {
          const ended: ChatEnded = { providerId: provider.id, conversationId: a.conversationId, messageId: a.messageId, ...(message.status !== 'complete' && message.error ? { error: message.error } : {}) };
          for (const listener of endedListeners) listener(ended);
        } catch (e) {
          log.warn('chat end not reported', { requestId, error: e instanceof Error ? e.message : String(e) });
        }
      }
      if (message.status === 'complete' && deps.settings.get().defaults.autoTitle) await autoTitle(ctx, a, raw, plainMessages(history), message.text, titleOptions(options));
    })();
    return requestId;
  }

  /** Stops these answers and waits until they are saved. */
  const stopAll = async (mine: Writing[]): Promise<void> => {
    for (const a of mine) {
      a.stoppedByUser = true;
      a.abort.abort();
    }
    await Promise.all(mine.map((a) => a.done));
  };

  return {
    start,
    addWindows(requestId, windows) {
      const a = actives.get(requestId);
      for (const w of windows) a?.windows.add(w);
    },
    onEnded(listener) {
      endedListeners.add(listener);
      return () => void endedListeners.delete(listener);
    },
    stop(requestId) {
      const a = actives.get(requestId);
      if (!a) return false;
      a.stoppedByUser = true;
      a.abort.abort();
      return true;
    },
    active(caller) {
      return [...actives.values()].map((a) => {
        flush(ctx, a);
        a.windows.add(caller.windowId);
        return {
          requestId: a.requestId, conversationId: a.conversationId, messageId: a.messageId, text: a.prefix + a.answer.text.toString(), reasoning: a.answer.reasoning.toString(), seq: a.seq, startedAt: a.startedAt,
          ...(a.notice ? { notice: a.notice } : {}),
        };
      });
    },
    isActive: (messageId) => byMessage.has(messageId),
    stopConversation: (conversationId) => stopAll([...actives.values()].filter((a) => a.conversationId === conversationId)),
    async stopWithin(messageId) {
      const m = store.getMessage(messageId);
      if (!m) return;
      // An answer is below the message when the message is on its path (at most MAX_ACTIVE paths are read).
      await stopAll([...actives.values()].filter((a) => a.conversationId === m.conversationId
        && (a.messageId === messageId || store.pathMessages(a.conversationId, a.messageId).some((p) => p.id === messageId))));
    },
    async close() {
      const all = [...actives.values()];
      for (const a of all) a.abort.abort();
      await Promise.all(all.map((a) => a.done));
    },
    async settled(requestId) {
      await actives.get(requestId)?.done;
    },
  };
}
