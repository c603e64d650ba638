/**
 * What answers used and cost, summed: per conversation (its header) and per provider and day (the Usage view).
 * Costs stay per currency (a conversation may hold answers costed in USD and in CNY); answers with token counts
 * but no known price are counted as `uncosted`, so a total never silently leaves them out.
 */
import type { Currency } from './answer.ts';

export interface UsageTotals {
  /** Answers that reported usage. */
  answers: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  /** Summed cost per currency (only currencies that occur). */
  cost: Partial<Record<Currency, number>>;
  /** Answers with usage but no cost (no price known for their model when they ended). */
  uncosted: number;
}

/** One day's usage of one provider's model (days in the window's time zone). */
export interface UsageRow extends UsageTotals {
  /** YYYY-MM-DD. */
  day: string;
  providerId: string | null;
  model: string | null;
}

/** The most days the Usage view asks for at once. */
export const MAX_USAGE_DAYS = 366;

export function emptyTotals(): UsageTotals {
  return { answers: 0, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, cost: {}, uncosted: 0 };
}

/** Adds `b` into `a` (for the view's per-provider and grand totals). */
export function addTotals(a: UsageTotals, b: UsageTotals): UsageTotals {
  const cost = { ...a.cost };
  for (const [c, v] of Object.entries(b.cost) as [Currency, number][]) cost[c] = (cost[c] ?? 0) + v;
  return {
    answers: a.answers + b.answers, inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens,
    cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens, cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
    reasoningTokens: a.reasoningTokens + b.reasoningTokens, cost, uncosted: a.uncosted + b.uncosted,
  };
}
