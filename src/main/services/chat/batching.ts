/**
 * An answer's pieces on their way: gathered and sent to the window at most about once a frame (`flush`), saved at
 * most about once a second (`save`), retries and fallbacks as notices where the answer is written; every event of
 * the request joins its timeline (`sinkFor`).
 */
import type { RequestEvent } from '../../core/index.ts';
import type { StreamNotice } from '../../../shared/chat.ts';
import type { WindowHub } from '../window-hub.ts';
import type { ChatContext, Writing } from './context.ts';

/** How often gathered deltas go to the window (about one frame). */
export const FLUSH_MS = 16;
/** How often a streaming answer's row is saved. */
export const SAVE_MS = 1000;

export function emitTo(ctx: ChatContext, a: Writing, payload: Parameters<WindowHub['emit']>[2]): void {
  for (const w of a.windows) ctx.deps.hub.emit(w, 'chat:stream', payload as never);
}

export function flush(ctx: ChatContext, a: Writing): void {
  if (a.flushTimer) clearTimeout(a.flushTimer);
  a.flushTimer = undefined;
  if (!a.pendingText && !a.pendingReasoning) return;
  const seq = ++a.seq;
  const ev = { requestId: a.requestId, seq, type: 'delta' as const, conversationId: a.conversationId, messageId: a.messageId, text: a.pendingText, reasoning: a.pendingReasoning, ...(seq === 1 ? { base: a.prefix } : {}) };
  a.pendingText = '';
  a.pendingReasoning = '';
  emitTo(ctx, a, ev);
}

function save(ctx: ChatContext, a: Writing): void {
  if (a.saveTimer) clearTimeout(a.saveTimer);
  a.saveTimer = undefined;
  a.lastSave = Date.now();
  try {
    ctx.deps.store.updateMessage(a.messageId, { text: a.prefix + a.answer.text.toString(), reasoning: a.answer.reasoning.toString() });
  } catch (e) {
    ctx.log.error('saving a streaming answer failed', { requestId: a.requestId, error: e instanceof Error ? e.message : String(e) });
  }
}

function notice(ctx: ChatContext, a: Writing, n: StreamNotice): void {
  flush(ctx, a);
  a.notice = n;
  const seq = ++a.seq;
  emitTo(ctx, a, { requestId: a.requestId, seq, type: 'notice', conversationId: a.conversationId, messageId: a.messageId, notice: n, ...(seq === 1 ? { base: a.prefix } : {}) });
}

/** A request's events: the answer's pieces are batched for the window and saved; every event joins its timeline. */
export const sinkFor = (ctx: ChatContext, a: Writing, retries: number) => (ev: RequestEvent): void => {
  a.rec.sink(ev);
  switch (ev.type) {
    case 'delta':
    case 'reasoning': {
      if (a.firstDeltaMs === undefined) a.firstDeltaMs = Date.now() - a.startedAt;
      if (a.notice?.kind === 'retry') a.notice = undefined;
      // The answer itself is gathered by the core (a.answer); what is kept here is what the next batch sends.
      if (ev.type === 'delta') {
        a.pendingText += ev.text;
      } else {
        a.reasoningStart ??= Date.now();
        a.reasoningEnd = Date.now();
        a.pendingReasoning += ev.text;
      }
      a.flushTimer ??= setTimeout(() => flush(ctx, a), ctx.flushMs);
      if (!a.saveTimer) a.saveTimer = setTimeout(() => save(ctx, a), Math.max(0, ctx.saveMs - (Date.now() - a.lastSave)));
      break;
    }
    case 'retry':
      a.routeInfo.retries = [...(a.routeInfo.retries ?? []), { attempt: ev.attempt, delayMs: ev.delayMs, reason: ev.reason }];
      notice(ctx, a, { kind: 'retry', attempt: ev.attempt + 1, of: retries + 1, delayMs: ev.delayMs, reason: ev.reason, at: Date.now() });
      break;
    case 'fallback':
      a.routeInfo.fallback = { reason: ev.reason, remembered: ev.remembered, ...(ev.noReasoning ? { noReasoning: true } : {}) };
      notice(ctx, a, { kind: 'fallback', reason: ev.reason, remembered: ev.remembered, ...(ev.noReasoning ? { noReasoning: true } : {}) });
      break;
    case 'route':
      a.routeInfo.route = ev.route;
      break;
    case 'dropped':
      // A whole request asked again without thinking: the answer has no reasoning (said where the fallback is).
      if (ev.field === 'thinking' && a.routeInfo.fallback && !a.routeInfo.fallback.noReasoning) {
        a.routeInfo.fallback = { ...a.routeInfo.fallback, noReasoning: true };
        notice(ctx, a, { kind: 'fallback', reason: a.routeInfo.fallback.reason, remembered: a.routeInfo.fallback.remembered, noReasoning: true });
      }
      break;
    default:
      break;
  }
};
