/**
 * An answer as the provider meant it, whatever the protocol (OpenAI-compatible, Anthropic, Ollama): how it
 * ended, what it used and cost, and its ordered parts. The core normalises each protocol into these; storage,
 * the CLI and the window read only these. Plain data (it crosses IPC and is stored as JSON).
 */

/**
 * How an answer ended, a closed set. stop: the model finished. length: cut at the output limit (max tokens).
 * content_filter: the provider's filter stopped it. refusal: the model refused (its words in the refusal part).
 * tool_calls: it ended asking for tools. error: the provider reported an error inside the answer.
 */
export const FINISH_REASONS = ['stop', 'length', 'content_filter', 'refusal', 'tool_calls', 'error'] as const;
export type FinishReason = (typeof FINISH_REASONS)[number];

export function isFinishReason(v: unknown): v is FinishReason {
  return typeof v === 'string' && (FINISH_REASONS as readonly string[]).includes(v);
}

/** How an answer ended: the closed reason, and the provider's own value and words beside it. */
export interface AnswerEnding {
  reason: FinishReason;
  /** The provider's own value (`finish_reason`, `stop_reason`, `done_reason`), as sent. */
  raw?: string;
  /** For content_filter: the provider's category when it names one (e.g. `sensitive`, `hate`). */
  category?: string;
  /** For refusal: the model's refusal in its own words (OpenAI `refusal`). */
  refusal?: string;
  /** For tool_calls: the names of the tools the model asked for (Parley offers none yet). */
  tools?: string[];
}

/** Currencies the price table and the providers' own cost reports use. */
export const CURRENCIES = ['USD', 'CNY'] as const;
export type Currency = (typeof CURRENCIES)[number];

/** Prices of one model per million tokens, in one currency (what a message was costed with is kept with it). */
export interface ModelPrices {
  currency: Currency;
  /** Per million input tokens (cache misses). */
  input: number;
  /** Per million output tokens (reasoning tokens included, as providers bill them). */
  output: number;
  /** Per million input tokens read from the provider's cache (cache hits); `input` when absent. */
  cacheRead?: number;
  /** Per million input tokens written to the cache (Anthropic); `input` when absent. */
  cacheWrite?: number;
}

/** What an answer cost: reported by the provider, or computed here from a price table entry (kept with it). */
export interface AnswerCost {
  amount: number;
  currency: Currency;
  source: 'provider' | 'table' | 'override';
  /** The prices it was computed with (source table or override). */
  prices?: ModelPrices;
}

/**
 * Token usage of one answer. inputTokens counts every input token (cache reads and writes included, as
 * OpenAI's prompt_tokens does); cacheReadTokens / cacheWriteTokens say how many of them hit or filled the
 * cache. outputTokens counts every output token; reasoningTokens how many of them were reasoning.
 */
export interface AnswerUsage {
  inputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  reasoningTokens?: number;
  cost?: AnswerCost;
}

/** A tool the model asked for (its arguments as the JSON text the model wrote). */
export interface ToolCallPart {
  type: 'tool_call';
  id: string;
  name: string;
  arguments: string;
}

/** The answer's parts in the order they came (consecutive pieces of one kind are joined). */
export type AnswerPart =
  | { type: 'text'; text: string }
  /** `signature`: the provider's signature of the thinking (Anthropic), needed to send it back with tools. */
  | { type: 'reasoning'; text: string; signature?: string }
  /** The model's refusal in its own words (OpenAI `refusal`). */
  | { type: 'refusal'; text: string }
  | ToolCallPart;

/**
 * Thinking as the user asks for it, per conversation (or a provider's default): off, on at the model's
 * default, or an effort (OpenAI reasoning_effort and its likes) or a token budget (Anthropic, Gemini, Qwen).
 */
export type ThinkingChoice =
  | { mode: 'default' }
  | { mode: 'off' }
  | { mode: 'on'; effort?: 'low' | 'medium' | 'high'; budgetTokens?: number };
