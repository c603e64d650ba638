/**
 * The providers' own words for how an answer ended and what it used, normalised into shared/answer.ts's
 * closed set. One table per protocol family; the provider's value is always kept beside the meaning.
 */
import type { AnswerCost, AnswerEnding, AnswerUsage, FinishReason } from '../../shared/answer.ts';

/**
 * Finish values as OpenAI-compatible providers send them (`finish_reason`), Anthropic (`stop_reason`) and
 * Ollama (`done_reason`). Lower-cased before lookup. A value not listed means `stop` (the raw value is kept).
 *
 *  - OpenAI: stop, length, content_filter, tool_calls, function_call (legacy).
 *  - Anthropic: end_turn, stop_sequence, max_tokens, tool_use, refusal, pause_turn (a long turn paused: the
 *    answer is incomplete and Continue asks for the rest, so it is `length`), model_context_window_exceeded.
 *  - Ollama: stop, length, load / unload (the model was only loaded or unloaded: nothing was generated).
 *  - DashScope / Zhipu GLM: `sensitive` (filtered), `network_error` (the provider failed mid-answer),
 *    `model_length` (GLM: the context is full). DeepSeek: `insufficient_system_resource` (cut by the
 *    provider's own shortage). Gemini's OpenAI endpoint passes `SAFETY`, `RECITATION`, `MAX_TOKENS`.
 */
const FINISH: Record<string, FinishReason> = {
  stop: 'stop',
  end_turn: 'stop',
  stop_sequence: 'stop',
  eos: 'stop',
  eos_token: 'stop',
  load: 'stop',
  unload: 'stop',
  length: 'length',
  max_tokens: 'length',
  max_output_tokens: 'length',
  model_length: 'length',
  model_context_window_exceeded: 'length',
  pause_turn: 'length',
  content_filter: 'content_filter',
  sensitive: 'content_filter',
  safety: 'content_filter',
  recitation: 'content_filter',
  blocklist: 'content_filter',
  prohibited_content: 'content_filter',
  spii: 'content_filter',
  refusal: 'refusal',
  tool_calls: 'tool_calls',
  tool_use: 'tool_calls',
  function_call: 'tool_calls',
  network_error: 'error',
  insufficient_system_resource: 'error',
  error: 'error',
};

/** The category a filtering provider names with its finish value (DashScope/GLM `sensitive`, Gemini `SAFETY`). */
const FILTER_CATEGORY: Record<string, string> = {
  sensitive: 'sensitive',
  safety: 'safety',
  recitation: 'recitation',
  blocklist: 'blocklist',
  prohibited_content: 'prohibited_content',
  spii: 'spii',
};

/** A provider's finish value as an ending (`raw` kept as sent). */
export function endingOf(raw: string | undefined, category?: string): AnswerEnding {
  if (raw === undefined || raw === '') return { reason: 'stop' };
  const key = raw.trim().toLowerCase();
  const reason = FINISH[key] ?? 'stop';
  const cat = category ?? (reason === 'content_filter' ? FILTER_CATEGORY[key] : undefined);
  return { reason, raw, ...(cat ? { category: cat } : {}) };
}

function n(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** Only the fields that are set (so a later report merges over an earlier one without erasing it). */
export function compact(u: AnswerUsage): AnswerUsage {
  return Object.fromEntries(Object.entries(u).filter(([, v]) => v !== undefined)) as AnswerUsage;
}

/** A provider-reported cost (OpenRouter `usage.cost`, in USD credits). */
function providerCost(v: unknown): AnswerCost | undefined {
  const amount = n(v);
  return amount === undefined ? undefined : { amount, currency: 'USD', source: 'provider' };
}

/**
 * OpenAI-compatible usage: prompt_tokens (cache hits included), completion_tokens (reasoning included),
 * prompt_tokens_details.cached_tokens (OpenAI, DashScope, Moonshot…), DeepSeek's prompt_cache_hit_tokens /
 * prompt_cache_miss_tokens, completion_tokens_details.reasoning_tokens, OpenRouter's `cost` (USD).
 */
export function openaiUsage(v: unknown): AnswerUsage | undefined {
  const u = obj(v);
  if (!u) return undefined;
  const pd = obj(u.prompt_tokens_details);
  const cd = obj(u.completion_tokens_details);
  const hit = n(u.prompt_cache_hit_tokens);
  const miss = n(u.prompt_cache_miss_tokens);
  let input = n(u.prompt_tokens) ?? n(u.input_tokens);
  if (input === undefined && hit !== undefined && miss !== undefined) input = hit + miss;
  const out = compact({
    inputTokens: input,
    outputTokens: n(u.completion_tokens) ?? n(u.output_tokens),
    totalTokens: n(u.total_tokens),
    // DeepSeek's hits, OpenAI's details, Moonshot's top-level cached_tokens.
    cacheReadTokens: hit ?? n(pd?.cached_tokens) ?? n(obj(u.input_tokens_details)?.cached_tokens) ?? n(u.cached_tokens),
    cacheWriteTokens: n(pd?.cache_write_tokens) ?? n(pd?.cache_creation_tokens),
    reasoningTokens: n(cd?.reasoning_tokens) ?? n(obj(u.output_tokens_details)?.reasoning_tokens),
    cost: providerCost(u.cost),
  });
  return Object.keys(out).length ? out : undefined;
}

/**
 * Anthropic usage: `input_tokens` counts only the tokens after the last cache breakpoint, so every input token
 * is input + cache_creation_input_tokens + cache_read_input_tokens. Fields of one answer arrive in pieces
 * (message_start, then message_delta): `merge` them raw first, then normalise.
 */
export function anthropicUsage(raw: Record<string, unknown>): AnswerUsage | undefined {
  const input = n(raw.input_tokens);
  const write = n(raw.cache_creation_input_tokens);
  const read = n(raw.cache_read_input_tokens);
  const output = n(raw.output_tokens);
  const anyInput = input !== undefined || write !== undefined || read !== undefined;
  const inputTokens = anyInput ? (input ?? 0) + (write ?? 0) + (read ?? 0) : undefined;
  const out = compact({
    inputTokens,
    outputTokens: output,
    totalTokens: inputTokens !== undefined && output !== undefined ? inputTokens + output : undefined,
    cacheReadTokens: read,
    cacheWriteTokens: write,
  });
  return Object.keys(out).length ? out : undefined;
}

/** Ollama: prompt_eval_count, eval_count. */
export function ollamaUsage(json: Record<string, unknown>): AnswerUsage | undefined {
  const input = n(json.prompt_eval_count);
  const output = n(json.eval_count);
  const out = compact({ inputTokens: input, outputTokens: output, totalTokens: input !== undefined && output !== undefined ? input + output : undefined });
  return Object.keys(out).length ? out : undefined;
}
