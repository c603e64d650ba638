/**
 * An answer's cost, worked out once when it ends: the provider's own report wins; else the user's price for the
 * model (Settings → Prices); else the shipped table (shared/models/prices.ts). The prices used are kept in
 * usage.cost, so a later price change never changes what an old message cost.
 */
import type { AnswerUsage } from '../../../shared/answer.ts';
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
