/** What a request carries: the system prompt, then as much of the path as the conversation's limits and the model's context allow. */
import type { ChatMessage } from '../../core/protocols/types.ts';
import type { Conversation, Message } from '../../../shared/chat.ts';
import type { StoredSettings } from '../../../shared/settings.ts';

/** The most messages of a path a request reads (a conversation's own limit or the model's context cut further). */
export const MAX_HISTORY = 2000;
/** Where a model's context size is not known, a request carries at most about this many tokens of history. */
export const UNKNOWN_CONTEXT_TOKENS = 128_000;

export const CONTINUE_PROMPT = 'Continue exactly where your previous answer stopped. Do not repeat what you already wrote and do not add any preamble.';

/** Rough tokens of a text (≈4 characters a token, CJK ≈1 a token), for fitting a context size without a tokenizer. */
export function estimateTokens(text: string): number {
  let cjk = 0;
  for (const ch of text) if (ch.charCodeAt(0) > 0x2e80) cjk++;
  return Math.ceil((text.length - cjk) / 4) + cjk;
}

/** The messages a request carries: system prompt, then the path within the conversation's limits; never reasoning. */
export function buildRequest(conv: Conversation, path: Message[], contextTokens: number | undefined, defaults: StoredSettings['defaults']): ChatMessage[] {
  let msgs = path.filter((m) => (m.role === 'user' || m.role === 'assistant') && m.text.trim() !== '' && m.status !== 'failed');
  const limit = conv.contextMessages || defaults.contextMessages;
  if (limit > 0 && msgs.length > limit) msgs = msgs.slice(-limit);
  const system = conv.systemPrompt || '';
  {
    // Keep the newest messages that fit, leaving a quarter of the context for the answer.
    let budget = Math.floor((contextTokens ?? UNKNOWN_CONTEXT_TOKENS) * 0.75) - estimateTokens(system);
    let start = msgs.length;
    while (start > 0) {
      const cost = estimateTokens(msgs[start - 1]?.text ?? '') + 4;
      if (cost > budget && start < msgs.length) break;
      budget -= cost;
      start--;
    }
    msgs = msgs.slice(start);
  }
  // A request starts with the user's words.
  while (msgs.length > 1 && msgs[0]?.role !== 'user') msgs = msgs.slice(1);
  return [...(system ? [{ role: 'system' as const, content: system }] : []), ...msgs.map((m) => ({ role: m.role as 'user' | 'assistant', content: m.text }))];
}
