/**
 * One answer's request, run to its end: the core's chat with the answer's sink, then the message as it ended
 * (complete, stopped, interrupted with what was kept, or failed), saved with its timings and route.
 */
import type { ChatMessage } from '../../core/protocols/types.ts';
import { ParleyError } from '../../core/errors.ts';
import type { Message } from '../../../shared/chat.ts';
import { contentForLog } from '../diagnostics/logging.ts';
import type { connectionFor } from '../settings/providers.ts';
import { flush, sinkFor } from './batching.ts';
import { joinUsage, withCost } from './cost.ts';
import type { ChatContext, Writing } from './context.ts';
import type { RequestOptions } from './params.ts';

export async function runAnswer(ctx: ChatContext, a: Writing, raw: ReturnType<typeof connectionFor>, history: ChatMessage[], options: RequestOptions = {}): Promise<Message> {
  const { deps, log } = ctx;
  const { store } = deps;
  const { requestId, prefix } = a;
  let final: Partial<Message>;
  try {
    const settings = deps.core.settings(raw);
    const result = await deps.core.chat(settings, { ...options, messages: history }, {
      signal: a.abort.signal,
      sink: sinkFor(ctx, a, settings.network.retries),
      answer: a.answer,
      // One bound for the whole message: what Continue adds counts with what is kept.
      ...(prefix ? { keptBytes: Buffer.byteLength(prefix) } : {}),
    });
    a.routeInfo.attempts = result.attempts;
    a.routeInfo.mode = result.mode;
    // How it ended (stop, cut at the limit, filtered, refused, tool calls) and its whole usage, kept with it.
    final = {
      status: 'complete', text: prefix + result.text, reasoning: result.reasoning, ending: result.ending,
      ...(result.usage ? { usage: result.usage } : {}), ...(result.finishReason ? { finishReason: result.finishReason } : {}),
    };
    a.rec.done('chat done', {
      mode: result.mode, attempts: result.attempts, chars: result.text.length, ending: result.ending.reason,
      ...(result.finishReason ? { finishReason: result.finishReason } : {}),
    });
    if (deps.logger.logContent) log.info('answer', { requestId, answer: contentForLog(result.text) });
  } catch (e) {
    const err = ParleyError.is(e) ? e : new ParleyError('protocol_error', e instanceof Error ? e.message : String(e), {}, { cause: e });
    const { partial: _p, ...info } = err.toInfo();
    const error = deps.redactError(info);
    const kept = prefix + a.answer.text.toString();
    const reasoning = a.answer.reasoning.toString();
    // The provider's own error inside the answer is how it ended (its value kept, e.g. GLM `network_error`).
    const ended = err.code === 'stream_error' ? { ending: { reason: 'error' as const, ...(err.detail.providerCode ? { raw: err.detail.providerCode } : {}) } } : {};
    if (err.code === 'cancelled' && a.stoppedByUser) final = { status: 'stopped', text: kept, reasoning };
    else if (a.answer.text.length || reasoning || prefix) final = { status: 'interrupted', text: kept, reasoning, error, ...ended };
    else final = { status: 'failed', text: '', reasoning, error, ...ended };
    a.rec.failed(err.code, 'chat failed', { message: error.message, kept: kept.length });
  }
  flush(ctx, a);
  if (a.saveTimer) clearTimeout(a.saveTimer);
  if (a.flushTimer) clearTimeout(a.flushTimer);
  const now = Date.now();
  try {
    return store.updateMessage(a.messageId, {
      ...final,
      // Costed once, here, with the prices kept beside it.
      // Continue adds to what the kept part used.
      ...(final.usage ? { usage: joinUsage(prefix ? store.getMessage(a.messageId)?.usage : undefined, withCost(final.usage, raw.provider.model, deps.settings.get().pricing)) } : {}),
      ...(a.firstDeltaMs !== undefined ? { ttftMs: a.firstDeltaMs } : {}),
      durationMs: now - a.startedAt,
      ...(a.reasoningStart !== undefined ? { reasoningMs: (a.reasoningEnd ?? now) - a.reasoningStart } : {}),
      // A continued answer's usage is both parts': what its last request read and wrote is kept apart (the
      // composer's context meter counts from it).
      routeInfo: prefix && final.usage ? { ...a.routeInfo, lastUsage: { inputTokens: final.usage.inputTokens, outputTokens: final.usage.outputTokens } } : a.routeInfo,
    });
  } catch (e) {
    log.error('saving the answer failed', { requestId, error: e instanceof Error ? e.message : String(e) });
    return { ...(store.getMessage(a.messageId) as Message), ...final } as Message;
  }
}
