/** Usage and cost (issue 18): the price table, the user's prices, an answer costed once with its prices kept, and the sums storage gives. */
import { describe, expect, it } from 'vitest';
import { answerCost, costOf, pricesFor } from '../../src/shared/models/prices.ts';
import { joinUsage, withCost } from '../../src/main/services/chat/cost.ts';
import { rawDb, tempDir, tempStore } from '../helpers/storage.ts';
import { CONVERSATION_USAGE_SQL, USAGE_BY_DAY_SQL } from '../../src/main/services/storage/usage.ts';
import { join } from 'node:path';

describe('the price table', () => {
  it('prices dated and routed names as their model, and not a longer model as a shorter one', () => {
    expect(pricesFor('gpt-4o-2024-08-06')?.prices).toMatchObject({ currency: 'USD', input: 2.5, output: 10, cacheRead: 1.25 });
    expect(pricesFor('gpt-4o-mini')?.prices).toMatchObject({ input: 0.15, output: 0.6 });
    expect(pricesFor('openai/gpt-4o-mini')?.prices.input).toBe(0.15);
    expect(pricesFor('claude-sonnet-4-5-20250929')?.prices).toMatchObject({ input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 });
    expect(pricesFor('anthropic/claude-haiku-4.5')?.prices).toMatchObject({ input: 1, output: 5 });
    expect(pricesFor('my-finetune')).toBeUndefined();
  });

  it('takes the currency asked for where the provider publishes both, else the one it publishes', () => {
    expect(pricesFor('deepseek-chat', { currency: 'CNY' })?.prices).toMatchObject({ currency: 'CNY', input: 2, output: 3, cacheRead: 0.2 });
    expect(pricesFor('deepseek-chat', { currency: 'USD' })?.prices).toMatchObject({ currency: 'USD', input: 0.28 });
    expect(pricesFor('qwen-plus', { currency: 'USD' })?.prices.currency).toBe('CNY');
  });

  it("the user's own price wins over the table", () => {
    const c = pricesFor('deepseek-chat', { currency: 'USD', overrides: [{ model: 'DeepSeek-Chat', currency: 'CNY', input: 1, output: 1 }] });
    expect(c).toEqual({ source: 'override', prices: { currency: 'CNY', input: 1, output: 1 } });
  });

  it('costs cache hits and writes at their prices and the rest at the input price', () => {
    // 1M input of which 600k cache reads and 100k writes; 200k output.
    const usage = { inputTokens: 1_000_000, cacheReadTokens: 600_000, cacheWriteTokens: 100_000, outputTokens: 200_000 };
    expect(costOf(usage, { currency: 'USD', input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 })).toBeCloseTo(0.3 * 3 + 0.6 * 0.3 + 0.1 * 3.75 + 0.2 * 15, 10);
    expect(costOf(usage, { currency: 'USD', input: 2, output: 10 })).toBeCloseTo(1 * 2 + 0.2 * 10, 10);
    expect(costOf({}, { currency: 'USD', input: 2, output: 10 })).toBeUndefined();
  });

  it("the provider's own cost wins over any table", () => {
    const reported = { amount: 0.0123, currency: 'USD' as const, source: 'provider' as const };
    expect(answerCost({ inputTokens: 10, outputTokens: 10, cost: reported }, pricesFor('gpt-4o'))).toBe(reported);
  });
});

describe('an answer costed when it ends', () => {
  it('keeps the prices it was costed with', () => {
    const pricing = { currency: 'CNY' as const, overrides: [] };
    const usage = withCost({ inputTokens: 2_000_000, cacheReadTokens: 1_000_000, outputTokens: 1_000_000 }, 'deepseek-chat', pricing);
    expect(usage?.cost).toEqual({ amount: 2 + 0.2 + 3, currency: 'CNY', source: 'table', prices: { currency: 'CNY', input: 2, output: 3, cacheRead: 0.2 } });
    // An unknown model: tokens kept, no cost made up.
    expect(withCost({ inputTokens: 5, outputTokens: 5 }, 'local-llama', pricing)).toEqual({ inputTokens: 5, outputTokens: 5 });
  });
});

describe('an answer Continue joined onto a kept one', () => {
  it('adds both parts\' tokens and, in one currency, their costs (the newer prices kept)', () => {
    const kept = { inputTokens: 100, outputTokens: 50, reasoningTokens: 10, cost: { amount: 0.5, currency: 'USD' as const, source: 'table' as const, prices: { currency: 'USD' as const, input: 1, output: 2 } } };
    const rest = { inputTokens: 200, outputTokens: 20, cacheReadTokens: 150, cost: { amount: 0.25, currency: 'USD' as const, source: 'override' as const, prices: { currency: 'USD' as const, input: 3, output: 4 } } };
    expect(joinUsage(kept, rest)).toEqual({
      inputTokens: 300, outputTokens: 70, reasoningTokens: 10, cacheReadTokens: 150,
      cost: { amount: 0.75, currency: 'USD', source: 'override', prices: { currency: 'USD', input: 3, output: 4 } },
    });
    expect(joinUsage(undefined, rest)).toBe(rest);
    expect(joinUsage(kept, undefined)).toBe(kept);
    // Two currencies cannot be added: the newer part's cost stands alone.
    expect(joinUsage(kept, { ...rest, cost: { amount: 1, currency: 'CNY', source: 'table' } })?.cost).toEqual({ amount: 1, currency: 'CNY', source: 'table' });
  });
});

describe('usage totals from storage', () => {
  it('sums a conversation, every version included, costs per currency, and counts answers without a price', () => {
    const store = tempStore();
    const a = store.createConversation({ title: 'a' });
    const b = store.createConversation({ title: 'b' });
    const q = store.addMessage({ conversationId: a.id, parentId: null, role: 'user', text: 'q', reasoning: '', status: 'complete' });
    const answer = (conv: string, parentId: string, usage: object | undefined, providerId = 'p1', model = 'm1'): void => {
      store.addMessage({ conversationId: conv, parentId, role: 'assistant', text: 'x', reasoning: '', status: 'complete', providerId, model, ...(usage ? { usage } : {}) });
    };
    answer(a.id, q.id, { inputTokens: 100, outputTokens: 50, cacheReadTokens: 40, reasoningTokens: 20, cost: { amount: 0.5, currency: 'USD', source: 'table' } });
    answer(a.id, q.id, { inputTokens: 10, outputTokens: 5, cost: { amount: 0.25, currency: 'USD', source: 'provider' } });
    answer(a.id, q.id, { inputTokens: 1, outputTokens: 1, cacheWriteTokens: 1, cost: { amount: 3, currency: 'CNY', source: 'table' } });
    answer(a.id, q.id, { inputTokens: 7, outputTokens: 3 });
    answer(a.id, q.id, undefined);
    const qb = store.addMessage({ conversationId: b.id, parentId: null, role: 'user', text: 'q', reasoning: '', status: 'complete' });
    answer(b.id, qb.id, { inputTokens: 1000, outputTokens: 1000, cost: { amount: 9, currency: 'USD', source: 'table' } });

    expect(store.conversationUsage(a.id)).toEqual({
      answers: 4, inputTokens: 118, outputTokens: 59, cacheReadTokens: 40, cacheWriteTokens: 1, reasoningTokens: 20,
      cost: { USD: 0.75, CNY: 3 }, uncosted: 1,
    });
    expect(store.conversationUsage(store.createConversation().id)).toMatchObject({ answers: 0, inputTokens: 0, cost: {} });
  });

  it("reads only the usage indexes, never a message's row with its text (opening a long conversation does not scan it)", () => {
    const dir = tempDir();
    const store = tempStore({ dataDir: dir });
    const c = store.createConversation();
    store.addMessage({ conversationId: c.id, role: 'assistant', text: 'x', usage: { inputTokens: 1, outputTokens: 1 } });
    const db = rawDb(join(dir, 'parley.db'));
    try {
      const plan = (sql: string): string => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...(sql === CONVERSATION_USAGE_SQL ? [c.id] : [0, 0, Date.now()])) as { detail: string }[]).map((r) => r.detail).join(' | ');
      expect(plan(CONVERSATION_USAGE_SQL)).toMatch(/USING COVERING INDEX messages_usage_conversation/);
      expect(plan(USAGE_BY_DAY_SQL)).toMatch(/USING (COVERING )?INDEX messages_usage_day/);
      // The day's sums read the numbers the index stores (migration 10), extracting nothing from the JSON per answer
      // (before it: 13 json_extract calls an answer, 277 ms of CPU over 100,000 answers).
      const code = db.prepare(`EXPLAIN ${USAGE_BY_DAY_SQL}`).all(0, 0, Date.now()) as { opcode: string; p4: unknown }[];
      expect(code.filter((op) => (op.opcode === 'Function' || op.opcode === 'PureFunc') && String(op.p4).startsWith('json_extract'))).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('groups by day in the window\'s time zone, provider and model', () => {
    const store = tempStore();
    const c = store.createConversation();
    const q = store.addMessage({ conversationId: c.id, parentId: null, role: 'user', text: 'q', reasoning: '', status: 'complete' });
    const at = (iso: string, providerId: string, model: string, input: number): void => {
      const m = store.addMessage({ conversationId: c.id, parentId: q.id, role: 'assistant', text: 'x', reasoning: '', status: 'complete', providerId, model, usage: { inputTokens: input, outputTokens: 1 } });
      rows.push({ id: m.id, at: Date.parse(iso) });
    };
    const rows: { id: string; at: number }[] = [];
    at('2026-12-01T10:00:00Z', 'p1', 'm1', 1);
    at('2026-12-01T23:30:00Z', 'p1', 'm1', 2);
    at('2026-12-01T12:00:00Z', 'p2', 'm2', 4);
    at('2026-12-02T01:00:00Z', 'p1', 'm1', 8);
    // Set the creation times behind the API (the store stamps Date.now()).
    const db = rawDb(store.file, false);
    for (const r of rows) db.prepare('UPDATE messages SET created_at = ? WHERE id = ?').run(r.at, r.id);
    db.close();

    const range = { fromMs: Date.parse('2026-11-01T00:00:00Z'), toMs: Date.parse('2027-01-01T00:00:00Z') };
    const utc = store.usageByDay({ ...range, tzOffsetMinutes: 0 }).map((r) => [r.day, r.providerId, r.model, r.inputTokens]);
    expect(utc).toEqual([['2026-12-02', 'p1', 'm1', 8], ['2026-12-01', 'p1', 'm1', 3], ['2026-12-01', 'p2', 'm2', 4]]);
    // Beijing (UTC+8: getTimezoneOffset() = -480): 23:30 UTC on the 1st is the 2nd there.
    const beijing = store.usageByDay({ ...range, tzOffsetMinutes: -480 }).map((r) => [r.day, r.providerId, r.inputTokens]);
    expect(beijing).toEqual([['2026-12-02', 'p1', 10], ['2026-12-01', 'p1', 1], ['2026-12-01', 'p2', 4]]);
    expect(store.usageByDay({ fromMs: Date.parse('2026-12-02T00:00:00Z'), toMs: range.toMs, tzOffsetMinutes: 0 }).map((r) => r.inputTokens)).toEqual([8]);
  });
});
