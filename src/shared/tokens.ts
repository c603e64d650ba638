/**
 * A cheap token estimate without a tokenizer, the same in main (fitting history into a context) and the window
 * (the composer's context meter): about 4 characters a token for Latin text, about one token a character for
 * CJK (Chinese, Japanese, Korean) and other characters past U+2E80, as their tokenizers give on average.
 * One pass over the text, no allocation (a 1 MB draft costs about a millisecond).
 */
export function estimateTokens(text: string): number {
  let wide = 0;
  let lows = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // A surrogate pair (emoji, rare CJK) is one character: counted at its high half only.
    if (c >= 0xdc00 && c <= 0xdfff) lows++;
    else if (c > 0x2e80) wide++;
  }
  return Math.ceil((text.length - lows - wide) / 4) + wide;
}

/** Tokens a message adds beyond its text (role and separators), as the common chat templates spend. */
export const MESSAGE_OVERHEAD_TOKENS = 4;

/** The share of a context window history may fill; the rest is left for the answer. */
export const HISTORY_SHARE = 0.75;

/**
 * Which of a conversation's messages (oldest first) a request to a `contextTokens` window keeps: the newest that
 * fit HISTORY_SHARE of it after the system prompt (the newest one always), then from the first question on (an
 * answer whose question was left out goes with it). Returns how many of the oldest are left out. Main fits
 * requests with it (services/chat/history.ts) and the composer's meter predicts the same number.
 */
export function leftOutToFit(msgs: readonly { role: string; text: string; extraTokens?: number }[], contextTokens: number, system: string): number {
  let budget = Math.floor(contextTokens * HISTORY_SHARE) - estimateTokens(system);
  let start = msgs.length;
  while (start > 0) {
    const cost = estimateTokens(msgs[start - 1]?.text ?? '') + (msgs[start - 1]?.extraTokens ?? 0) + MESSAGE_OVERHEAD_TOKENS;
    if (cost > budget && start < msgs.length) break;
    budget -= cost;
    start--;
  }
  if (start === 0) return 0;
  while (start < msgs.length - 1 && msgs[start]?.role !== 'user') start++;
  return start;
}

/**
 * An image's tokens, counted at one fixed estimate: about what the providers charge for one at the size Parley sends
 * (Anthropic: about 1,600 for an image within 1568 px; OpenAI high detail: 765 to 1,105 for 2048 px).
 */
export const IMAGE_TOKENS = 1600;

/** Tokens of a file sent as text, without its text at hand: from the characters it sends (3 a token, between Latin and CJK), and its block's lines. */
export function fileTokens(keptChars: number): number {
  return Math.ceil(keptChars / 3) + 24;
}

/** What a message's attachments add to its tokens (`images`: whether its images are sent). */
export function attachmentTokens(refs: readonly { kind: string; chars?: number; keptChars?: number }[] | undefined, images = true): number {
  let n = 0;
  for (const r of refs ?? []) n += r.kind === 'image' ? (images ? IMAGE_TOKENS : 0) : fileTokens(r.keptChars ?? r.chars ?? 0);
  return n;
}
