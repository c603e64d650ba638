/**
 * What the next request carries before the draft, as the composer's meter counts it (ContextMeter.tsx): the shown
 * path as main will send it (answers that failed or are empty left out, the conversation's message limit applied),
 * estimated from the text, or, once an answer reported its input tokens, that count plus what the answer wrote
 * (its reasoning is not sent back) and what came after it.
 */
import type { ConversationPage } from '../../shared/chat.ts';
import { estimateTokens, leftOutToFit, MESSAGE_OVERHEAD_TOKENS } from '../../shared/tokens.ts';

/** Tokens the next request carries before the draft, and whether a provider's count stands behind them. */
export function historyTokens(page: ConversationPage | null, defaultLimit: number): { tokens: number; measured: boolean; partial: boolean } {
  if (!page) return { tokens: 0, measured: false, partial: false };
  const conv = page.conversation;
  let msgs = page.messages.filter((m) => (m.role === 'user' || m.role === 'assistant') && m.text.trim() !== '' && m.status !== 'failed');
  const limit = conv.contextMessages || defaultLimit;
  if (limit > 0 && msgs.length > limit) msgs = msgs.slice(-limit);
  // The last answer that reported its input: what it was sent, plus what it wrote (reasoning is not sent back).
  let i = msgs.length - 1;
  while (i >= 0 && !(msgs[i]?.role === 'assistant' && msgs[i]?.usage?.inputTokens !== undefined)) i--;
  const last = i >= 0 ? msgs[i] : undefined;
  if (last?.usage?.inputTokens !== undefined) {
    // A continued answer: its last request (which carried the kept part) and what that wrote.
    const u = last.routeInfo?.lastUsage?.inputTokens !== undefined ? last.routeInfo.lastUsage : last.usage;
    const reasoning = u === last.usage ? (last.usage.reasoningTokens ?? 0) : 0;
    const wrote = u.outputTokens !== undefined ? Math.max(0, u.outputTokens - reasoning) : estimateTokens(last.text);
    const after = msgs.slice(i + 1).reduce((n, m) => n + estimateTokens(m.text) + MESSAGE_OVERHEAD_TOKENS, 0);
    return { tokens: (u.inputTokens ?? 0) + wrote + MESSAGE_OVERHEAD_TOKENS + after, measured: true, partial: false };
  }
  const tokens = estimateTokens(conv.systemPrompt) + msgs.reduce((n, m) => n + estimateTokens(m.text) + MESSAGE_OVERHEAD_TOKENS, 0);
  return { tokens, measured: false, partial: page.before > 0 && !(limit > 0 && msgs.length >= limit) };
}


/**
 * How many earlier messages sending `draft` now would leave out to fit `contextTokens`, by main's own rule
 * (shared/tokens.ts leftOutToFit) over the messages shown; older ones not loaded yet are left out with them.
 */
export function predictLeftOut(page: ConversationPage, draft: string, contextTokens: number, defaultLimit: number): number {
  const conv = page.conversation;
  let msgs: { role: string; text: string }[] = page.messages.filter((m) => (m.role === 'user' || m.role === 'assistant') && m.text.trim() !== '' && m.status !== 'failed');
  if (draft.trim()) msgs = [...msgs, { role: 'user', text: draft }];
  const limit = conv.contextMessages || defaultLimit;
  const capped = limit > 0 && msgs.length > limit;
  if (capped) msgs = msgs.slice(-limit);
  const out = leftOutToFit(msgs, contextTokens, conv.systemPrompt);
  return out > 0 && !capped ? out + page.before : out;
}
