/**
 * Usage summed in SQL from each answer's stored usage JSON (messages.usage): per conversation (every answer in
 * it, all versions: each was paid for) and per day, provider and model over a range of days.
 */
import type { Currency } from '../../../shared/answer.ts';
import type { UsageRow, UsageTotals } from '../../../shared/usage.ts';
import type { Db } from './db.ts';

const SUMS = `
  count(*) AS answers,
  coalesce(sum(json_extract(usage, '$.inputTokens')), 0) AS input,
  coalesce(sum(json_extract(usage, '$.outputTokens')), 0) AS output,
  coalesce(sum(json_extract(usage, '$.cacheReadTokens')), 0) AS cacheRead,
  coalesce(sum(json_extract(usage, '$.cacheWriteTokens')), 0) AS cacheWrite,
  coalesce(sum(json_extract(usage, '$.reasoningTokens')), 0) AS reasoning,
  sum(CASE WHEN json_extract(usage, '$.cost.currency') = 'USD' THEN json_extract(usage, '$.cost.amount') END) AS usd,
  sum(CASE WHEN json_extract(usage, '$.cost.currency') = 'CNY' THEN json_extract(usage, '$.cost.amount') END) AS cny,
  sum(CASE WHEN json_extract(usage, '$.cost.amount') IS NULL THEN 1 ELSE 0 END) AS uncosted`;
/** Answers that reported tokens (an answer without usage adds nothing). */
const HAS_USAGE = `role = 'assistant' AND usage IS NOT NULL
  AND (json_extract(usage, '$.inputTokens') IS NOT NULL OR json_extract(usage, '$.outputTokens') IS NOT NULL OR json_extract(usage, '$.cost.amount') IS NOT NULL)`;

interface SumRow {
  answers: number;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  reasoning: number;
  usd: number | null;
  cny: number | null;
  uncosted: number;
}

function totals(r: SumRow): UsageTotals {
  const cost: Partial<Record<Currency, number>> = {};
  if (r.usd !== null) cost.USD = Number(r.usd);
  if (r.cny !== null) cost.CNY = Number(r.cny);
  return {
    answers: Number(r.answers), inputTokens: Number(r.input), outputTokens: Number(r.output), cacheReadTokens: Number(r.cacheRead),
    cacheWriteTokens: Number(r.cacheWrite), reasoningTokens: Number(r.reasoning), cost, uncosted: Number(r.uncosted),
  };
}

/** The two queries (exported for the test that checks they read only their indexes, migration 7). */
export const CONVERSATION_USAGE_SQL = `SELECT ${SUMS} FROM messages WHERE conversation_id = ? AND ${HAS_USAGE}`;
export const USAGE_BY_DAY_SQL = `SELECT date(created_at / 1000 - ? * 60, 'unixepoch') AS day, provider_id AS providerId, model, ${SUMS}
    FROM messages WHERE created_at >= ? AND created_at < ? AND ${HAS_USAGE}
    GROUP BY day, provider_id, model ORDER BY day DESC, provider_id, model`;

export function conversationUsage(db: Db, conversationId: string): UsageTotals {
  return totals(db.stmt(CONVERSATION_USAGE_SQL).get(conversationId) as unknown as SumRow);
}

/**
 * Per day (in the zone `tzOffsetMinutes` behind UTC, as Date.getTimezoneOffset() gives it), provider and model,
 * of answers created from `fromMs` to `toMs`; newest day first.
 */
export function usageByDay(db: Db, fromMs: number, toMs: number, tzOffsetMinutes: number): UsageRow[] {
  const rows = db.stmt(USAGE_BY_DAY_SQL).all(tzOffsetMinutes, fromMs, toMs) as unknown as (SumRow & { day: string; providerId: string | null; model: string | null })[];
  return rows.map((r) => ({ day: r.day, providerId: r.providerId, model: r.model, ...totals(r) }));
}
