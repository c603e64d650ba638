/** A conversation's title: the first question's first line, then (when the user turned it on) one the model writes. */
import type { Core } from '../../core/index.ts';
import { textOf, type ChatMessage } from '../../core/protocols/types.ts';
import { ParleyError } from '../../core/errors.ts';
import type { connectionFor } from '../settings/providers.ts';
import { emitTo } from './batching.ts';
import { titleOptions, type RequestOptions } from './params.ts';
import type { ChatContext, Writing } from './context.ts';

export function titleFrom(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  const chars = [...line];
  // A question with no words of its own (blank lines): untitled, as a new chat is ('' is "New chat" in the window's language).
  return chars.length > 60 ? `${chars.slice(0, 57).join('')}…` : line;
}

/** A model's answer as a title: without reasoning tags it left in its text (`<think>…</think>`), quotes and markup, on one line. */
export function titleText(text: string): string {
  const bare = text.replace(/<(think|thinking|reasoning|thought)>[\s\S]*?(<\/\1>|$)/gi, ' ');
  return bare.replace(/^["'“”「」\s#*]+|["'“”「」\s.。]+$/g, '').replace(/\s+/g, ' ').slice(0, 80);
}

/** A model-written title after the first answer (only when the user turned it on: it is an extra request). */
export async function autoTitle(ctx: ChatContext, a: Writing, raw: ReturnType<typeof connectionFor>, history: ChatMessage[], answer: string, options: RequestOptions = titleOptions({})): Promise<void> {
  const { deps, log } = ctx;
  const asked = history.filter((m) => m.role === 'user');
  if (asked.length !== 1 || history.some((m) => m.role === 'assistant')) return;
  try {
    // A whole request, except to a model that thinks only in streams and cannot stop (QwQ on DashScope).
    const th = options.capabilities?.thinking;
    const settings = deps.core.settings({ ...raw, network: { ...raw.network, stream: th?.streamOnly && !th.canDisable ? 'on' : 'off' } });
    const rec = deps.requests.begin({ kind: 'title', url: raw.provider.baseUrl, method: 'POST', message: 'title request', data: { for: a.requestId, model: raw.provider.model } });
    const prompt = `Write a title of at most six words for this conversation. Answer with the title only, no quotes.\n\nQuestion: ${textOf(asked[0]?.content ?? '').slice(0, 2000)}\n\nAnswer: ${answer.slice(0, 2000)}`;
    let r: Awaited<ReturnType<Core['chat']>>;
    try {
      // Thinking off where the model allows it, and tokens enough for one that thinks anyway (params.ts).
      r = await deps.core.chat(settings, { ...options, messages: [{ role: 'user', content: prompt }] }, { signal: AbortSignal.timeout(60_000), sink: rec.sink });
      rec.done('title done', { mode: r.mode, attempts: r.attempts });
    } catch (e) {
      rec.failed(ParleyError.is(e) ? e.code : 'protocol_error', 'title failed', { error: e instanceof Error ? e.message : String(e) });
      throw e;
    }
    const title = titleText(r.text);
    if (!title) return;
    deps.store.updateConversation(a.conversationId, { title });
    emitTo(ctx, a, { requestId: a.requestId, seq: ++a.seq, type: 'title', conversationId: a.conversationId, messageId: a.messageId, title });
  } catch (e) {
    log.warn('title request failed', { requestId: a.requestId, error: e instanceof Error ? e.message : String(e) });
  }
}
