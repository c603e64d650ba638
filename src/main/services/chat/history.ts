/** What a request carries: the system prompt, then as much of the path as the conversation's limits and the model's context allow. */
import type { ChatMessage } from '../../core/protocols/types.ts';
import type { Conversation, HistoryTrim, Message } from '../../../shared/chat.ts';
import { estimateTokens, leftOutToFit } from '../../../shared/tokens.ts';
import type { StoredSettings } from '../../../shared/settings.ts';

/** The most messages of a path a request reads (a conversation's own limit or the model's context cut further). */
export const MAX_HISTORY = 2000;
/** Where a model's context size is not known, a request carries at most about this many tokens of history. */
export const UNKNOWN_CONTEXT_TOKENS = 128_000;

export const CONTINUE_PROMPT = 'Continue exactly where your previous answer stopped. Do not repeat what you already wrote and do not add any preamble.';

export { estimateTokens };

/** What a request carries, and what was left out of it to fit the context (the window says how much). */
export interface RequestPlan {
  messages: ChatMessage[];
  /** Set when earlier messages of the path were left out to fit the context. */
  context?: HistoryTrim;
}

/** The messages a request carries: system prompt, then the path within the conversation's limits; never reasoning. */
export function buildRequest(conv: Conversation, path: Message[], contextTokens: number | undefined, defaults: StoredSettings['defaults']): ChatMessage[] {
  return planRequest(conv, path, contextTokens, defaults).messages;
}

/** As buildRequest, saying how many earlier messages were left out to fit the model's context (never silently). */
export function planRequest(conv: Conversation, path: Message[], contextTokens: number | undefined, defaults: StoredSettings['defaults']): RequestPlan {
  let msgs = path.filter((m) => (m.role === 'user' || m.role === 'assistant') && m.text.trim() !== '' && m.status !== 'failed');
  const limit = conv.contextMessages || defaults.contextMessages;
  if (limit > 0 && msgs.length > limit) msgs = msgs.slice(-limit);
  const system = conv.systemPrompt || '';
  // Keep the newest messages that fit, leaving a quarter of the context for the answer; say how many were not.
  const trimmed = leftOutToFit(msgs, contextTokens ?? UNKNOWN_CONTEXT_TOKENS, system);
  msgs = msgs.slice(trimmed);
  // A request starts with the user's words.
  while (msgs.length > 1 && msgs[0]?.role !== 'user') msgs = msgs.slice(1);
  const messages = [...(system ? [{ role: 'system' as const, content: system }] : []), ...msgs.map((m) => ({ role: m.role as 'user' | 'assistant', content: m.text }))];
  return trimmed > 0 ? { messages, context: { leftOut: trimmed, contextTokens: contextTokens ?? UNKNOWN_CONTEXT_TOKENS, ...(contextTokens === undefined ? { assumed: true } : {}) } } : { messages };
}
