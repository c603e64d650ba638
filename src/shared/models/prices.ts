/**
 * What models cost: a price table shipped as data (per million tokens, in the currency the provider publishes,
 * with cache-hit prices), the user's overrides on top, and the cost of one answer's usage at a set of prices.
 * Main costs an answer when it ends (services/chat/cost.ts) and keeps the prices with it; the window only shows.
 *
 * Sources (each provider's own published price page; read 2026-12-07 from stored copies of those pages). Prices
 * change: a wrong or missing entry is overridden in Settings → Prices, which wins over this table.
 * - OpenAI: https://platform.openai.com/docs/pricing (Standard tier; "Cached input").
 * - Anthropic: https://platform.claude.com/docs/en/about-claude/pricing ("Base input", "5m cache writes",
 *   "Cache hits and refreshes", "Output").
 * - DeepSeek: https://api-docs.deepseek.com/quick_start/pricing (USD) and
 *   https://api-docs.deepseek.com/zh-cn/quick_start/pricing (CNY): deepseek-chat and deepseek-reasoner, V3.2,
 *   cache hit / cache miss / output.
 * - Qwen (Alibaba Cloud Model Studio, mainland China): https://help.aliyun.com/zh/model-studio/models, the
 *   first input-length tier (≤ 128K, qwen3-max ≤ 32K); the non-thinking output price (thinking output costs more
 *   there: override it for thinking use); implicit cache hits at 20 % of input.
 * - Zhipu GLM: https://www.bigmodel.cn/pricing, the first tier (input < 32K); cache hits as listed.
 * - Moonshot Kimi: https://platform.moonshot.cn/docs/pricing/chat (CNY; cache hit / miss / output).
 */
import type { AnswerCost, AnswerUsage, Currency, ModelPrices } from '../answer.ts';

/** One row of the table: the model names it prices and its published prices (one per currency published). */
export interface PriceEntry {
  models: readonly string[];
  prices: readonly ModelPrices[];
}

const usd = (input: number, output: number, cacheRead?: number, cacheWrite?: number): ModelPrices => ({
  currency: 'USD', input, output, ...(cacheRead !== undefined ? { cacheRead } : {}), ...(cacheWrite !== undefined ? { cacheWrite } : {}),
});
const cny = (input: number, output: number, cacheRead?: number, cacheWrite?: number): ModelPrices => ({
  currency: 'CNY', input, output, ...(cacheRead !== undefined ? { cacheRead } : {}), ...(cacheWrite !== undefined ? { cacheWrite } : {}),
});

export const PRICE_TABLE: readonly PriceEntry[] = [
  // OpenAI (USD)
  { models: ['gpt-5', 'gpt-5-chat-latest', 'gpt-5.1'], prices: [usd(1.25, 10, 0.125)] },
  { models: ['gpt-5-mini'], prices: [usd(0.25, 2, 0.025)] },
  { models: ['gpt-5-nano'], prices: [usd(0.05, 0.4, 0.005)] },
  { models: ['gpt-4.1'], prices: [usd(2, 8, 0.5)] },
  { models: ['gpt-4.1-mini'], prices: [usd(0.4, 1.6, 0.1)] },
  { models: ['gpt-4.1-nano'], prices: [usd(0.1, 0.4, 0.025)] },
  { models: ['gpt-4o', 'chatgpt-4o-latest'], prices: [usd(2.5, 10, 1.25)] },
  { models: ['gpt-4o-mini'], prices: [usd(0.15, 0.6, 0.075)] },
  { models: ['o3'], prices: [usd(2, 8, 0.5)] },
  { models: ['o4-mini'], prices: [usd(1.1, 4.4, 0.275)] },
  { models: ['o3-mini', 'o1-mini'], prices: [usd(1.1, 4.4, 0.55)] },
  { models: ['o1'], prices: [usd(15, 60, 7.5)] },
  // Anthropic (USD; cache writes are the 5-minute ones)
  { models: ['claude-opus-4-5', 'claude-opus-4-6', 'claude-opus-4-7', 'claude-opus-4-8', 'claude-opus-5'], prices: [usd(5, 25, 0.5, 6.25)] },
  { models: ['claude-opus-4-1', 'claude-opus-4', 'claude-opus-4-0', 'claude-3-opus'], prices: [usd(15, 75, 1.5, 18.75)] },
  { models: ['claude-sonnet-4-5', 'claude-sonnet-4', 'claude-sonnet-4-0', 'claude-3-7-sonnet', 'claude-3-5-sonnet'], prices: [usd(3, 15, 0.3, 3.75)] },
  { models: ['claude-haiku-4-5'], prices: [usd(1, 5, 0.1, 1.25)] },
  { models: ['claude-3-5-haiku'], prices: [usd(0.8, 4, 0.08, 1)] },
  { models: ['claude-3-haiku'], prices: [usd(0.25, 1.25, 0.03, 0.3)] },
  // DeepSeek (USD and CNY are both published; V3.2 prices, the same for both models)
  { models: ['deepseek-chat', 'deepseek-reasoner'], prices: [usd(0.28, 0.42, 0.028), cny(2, 3, 0.2)] },
  // Qwen / DashScope (CNY)
  { models: ['qwen3-max'], prices: [cny(6, 24, 1.2)] },
  { models: ['qwen-max', 'qwen-max-latest'], prices: [cny(2.4, 9.6, 0.48)] },
  { models: ['qwen-plus', 'qwen-plus-latest'], prices: [cny(0.8, 2, 0.16)] },
  { models: ['qwen-flash'], prices: [cny(0.15, 1.5, 0.03)] },
  { models: ['qwen-turbo', 'qwen-turbo-latest'], prices: [cny(0.3, 0.6, 0.06)] },
  // Zhipu GLM (CNY)
  { models: ['glm-4.6', 'glm-4.5'], prices: [cny(2, 8, 0.4)] },
  { models: ['glm-4.5-air'], prices: [cny(0.8, 2, 0.16)] },
  { models: ['glm-4.5-flash', 'glm-4-flash', 'glm-4-flash-250414'], prices: [cny(0, 0)] },
  // Moonshot Kimi (CNY)
  { models: ['kimi-k2-0905-preview', 'kimi-k2-0711-preview', 'kimi-k2-thinking'], prices: [cny(4, 16, 1)] },
  { models: ['kimi-k2-turbo-preview', 'kimi-k2-thinking-turbo'], prices: [cny(8, 58, 1)] },
  { models: ['moonshot-v1-8k'], prices: [cny(2, 10)] },
  { models: ['moonshot-v1-32k'], prices: [cny(5, 20)] },
  { models: ['moonshot-v1-128k'], prices: [cny(10, 30)] },
];

/** A user's own price for a model (Settings → Prices): wins over the table. */
export interface PriceOverride extends ModelPrices {
  model: string;
}

/** What a model is priced at, and from where. */
export interface PriceChoice {
  prices: ModelPrices;
  source: 'table' | 'override';
}

/** Dated or tagged names price as their base model: gpt-4o-2024-08-06, claude-sonnet-4-5-20250929, qwen-plus-latest. */
const VERSION_SUFFIX = /^-(\d{4}-\d{2}-\d{2}|\d{8}|\d{4}|\d{6}|latest)$/;

/**
 * The table's key for a model name: lower case, without a router's `vendor/` prefix (openai/gpt-4o), and Claude's
 * versions with dashes as Anthropic writes them (OpenRouter's anthropic/claude-sonnet-4.5 is claude-sonnet-4-5).
 */
export function priceKey(model: string): string {
  const m = model.trim().toLowerCase();
  const slash = m.lastIndexOf('/');
  const name = slash === -1 ? m : m.slice(slash + 1);
  return name.startsWith('claude-') ? name.replace(/(\d)\.(\d)/g, '$1-$2') : name;
}

function tableEntry(model: string): PriceEntry | undefined {
  const key = priceKey(model);
  let best: { entry: PriceEntry; len: number } | undefined;
  for (const entry of PRICE_TABLE) {
    for (const name of entry.models) {
      if (key === name) return entry;
      if (key.startsWith(name) && VERSION_SUFFIX.test(key.slice(name.length)) && (!best || name.length > best.len)) best = { entry, len: name.length };
    }
  }
  return best?.entry;
}

/**
 * The prices an answer of `model` is costed at: the user's override for it, else the table's (in `currency` where
 * the provider publishes several, else the one it publishes); undefined when neither knows the model.
 */
export function pricesFor(model: string, opts: { currency?: Currency; overrides?: readonly PriceOverride[] } = {}): PriceChoice | undefined {
  const key = priceKey(model);
  const own = opts.overrides?.find((o) => priceKey(o.model) === key);
  if (own) {
    const { model: _m, ...prices } = own;
    return { prices, source: 'override' };
  }
  const entry = tableEntry(model);
  if (!entry) return undefined;
  const prices = entry.prices.find((p) => p.currency === opts.currency) ?? entry.prices[0];
  return prices ? { prices: { ...prices }, source: 'table' } : undefined;
}

/**
 * What `usage` costs at `prices`: cache misses at the input price, cache reads and writes at theirs (the input
 * price where none is given), output (reasoning included) at the output price. Undefined without token counts.
 */
export function costOf(usage: AnswerUsage, prices: ModelPrices): number | undefined {
  if (usage.inputTokens === undefined && usage.outputTokens === undefined) return undefined;
  const input = usage.inputTokens ?? 0;
  const read = Math.min(usage.cacheReadTokens ?? 0, input);
  const write = Math.min(usage.cacheWriteTokens ?? 0, input - read);
  const miss = input - read - write;
  const amount = miss * prices.input + read * (prices.cacheRead ?? prices.input) + write * (prices.cacheWrite ?? prices.input) + (usage.outputTokens ?? 0) * prices.output;
  return amount / 1_000_000;
}

/** The cost of an answer: the provider's own report wins; else the prices chosen for its model; else none. */
export function answerCost(usage: AnswerUsage | undefined, choice: PriceChoice | undefined): AnswerCost | undefined {
  if (!usage) return undefined;
  if (usage.cost?.source === 'provider') return usage.cost;
  if (!choice) return undefined;
  const amount = costOf(usage, choice.prices);
  return amount === undefined ? undefined : { amount, currency: choice.prices.currency, source: choice.source, prices: choice.prices };
}
