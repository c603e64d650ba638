/**
 * An answer's cost, worked out once when it ends: the provider's own report wins; else the user's price for the
 * model (Settings → Prices); else the shipped table (shared/models/prices.ts). The prices used are kept in
 * usage.cost, so a later price change never changes what an old message cost.
 */
import type { AnswerCost, AnswerUsage } from '../../../shared/answer.ts';
import { answerCost, pricesFor } from '../../../shared/models/prices.ts';
import type { StoredSettings } from '../../../shared/settings.ts';

export function withCost(usage: AnswerUsage | undefined, model: string | undefined, pricing: StoredSettings['pricing'] | undefined): AnswerUsage | undefined {
  if (!usage) return usage;
  const choice = model ? pricesFor(model, { currency: pricing?.currency ?? 'USD', overrides: pricing?.overrides ?? [] }) : undefined;
  const cost = answerCost(usage, choice);
  if (!cost) {
    const { cost: _none, ...rest } = usage;
    return rest;
  }
  return { ...usage, cost };
}

const sum = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined && b === undefined ? undefined : (a ?? 0) + (b ?? 0));

/**
 * The usage of an answer Continue joined onto a kept one: both parts' tokens, and both costs where they are in
 * one currency (the newer part's prices kept); in two currencies (the user changed the price between), the
 * newer part's cost alone, from its source.
 */
export function joinUsage(before: AnswerUsage | undefined, after: AnswerUsage | undefined): AnswerUsage | undefined {
  if (!before) return after;
  if (!after) return before;
  const out: AnswerUsage = {};
  for (const k of ['inputTokens', 'outputTokens', 'totalTokens', 'cacheReadTokens', 'cacheWriteTokens', 'reasoningTokens'] as const) {
    const v = sum(before[k], after[k]);
    if (v !== undefined) out[k] = v;
  }
  let cost: AnswerCost | undefined = after.cost ?? before.cost;
  if (before.cost && after.cost && before.cost.currency === after.cost.currency) cost = { ...after.cost, amount: before.cost.amount + after.cost.amount };
  return cost ? { ...out, cost } : out;
}
