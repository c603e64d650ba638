/**
 * Reasoning written between tags at the start of an answer's text is reasoning, however the stream is cut; a
 * tag anywhere else is the answer's own text.
 */
import { describe, expect, it } from 'vitest';
import { splitThink, ThinkSplitter, THINK_TAGS } from '../../src/main/core/think-tags.ts';
import { endingOf, anthropicUsage, openaiUsage } from '../../src/main/core/answer.ts';

/** Feeds `pieces` and returns the joined text and reasoning. */
function feed(pieces: string[]): { text: string; reasoning: string } {
  const sp = new ThinkSplitter();
  const out = [...pieces.flatMap((p) => sp.push(p)), ...sp.end()];
  return {
    text: out.filter((p) => p.kind === 'text').map((p) => p.text).join(''),
    reasoning: out.filter((p) => p.kind === 'reasoning').map((p) => p.text).join(''),
  };
}

/** Every way of cutting `s` in two, and one character a piece. */
function cuts(s: string): string[][] {
  const chars = [...s];
  const all: string[][] = [chars];
  for (let i = 1; i < chars.length; i++) all.push([chars.slice(0, i).join(''), chars.slice(i).join('')]);
  return all;
}

describe('think tags', () => {
  it('an R1-style answer: reasoning split out however the stream is cut', () => {
    const s = '<think>\nThe user greets me.\nI should greet back.\n</think>\n\nHello! How can I help?';
    for (const c of cuts(s)) expect(feed(c)).toEqual({ reasoning: 'The user greets me.\nI should greet back.', text: 'Hello! How can I help?' });
  });

  it('every tag form, with whitespace before it', () => {
    for (const [open, close, answer] of THINK_TAGS) {
      const s = `  \n${open}step 1${close}${answer ?? ''}Answer`;
      for (const c of cuts(s)) expect(feed(c), open).toEqual({ reasoning: 'step 1', text: 'Answer' });
    }
  });

  it('an answer that mentions </think> later, or opens with another tag, is left alone', () => {
    const a = 'Use </think> to close a block: <think>x</think>';
    for (const c of cuts(a)) expect(feed(c)).toEqual({ reasoning: '', text: a });
    const b = '<thinking about it> is not a tag';
    for (const c of cuts(b)) expect(feed(c)).toEqual({ reasoning: '', text: b });
    expect(splitThink('<div>hi</div>')).toEqual({ reasoning: '', text: '<div>hi</div>' });
  });

  it('an unclosed block stays reasoning; an empty one leaves only the answer (Qwen3 with thinking off)', () => {
    expect(feed(['<think>still thinking when the answer was cut'])).toEqual({ reasoning: 'still thinking when the answer was cut', text: '' });
    expect(feed(['<think>almost done </thi'])).toEqual({ reasoning: 'almost done </thi', text: '' });
    expect(splitThink('<think>\n\n</think>\n\nHi there')).toEqual({ reasoning: '', text: 'Hi there' });
  });

  it("gpt-oss's raw harmony: the analysis channel is reasoning, the final channel's header is dropped", () => {
    const s = '<|channel|>analysis<|message|>User says hi. Reply briefly.<|end|><|start|>assistant<|channel|>final<|message|>Hi! How can I help?';
    for (const c of cuts(s)) expect(feed(c)).toEqual({ reasoning: 'User says hi. Reply briefly.', text: 'Hi! How can I help?' });
    // Cut before the final channel: what came of its header is text, not lost.
    expect(feed(['<|channel|>analysis<|message|>x<|end|><|start|>assi'])).toEqual({ reasoning: 'x', text: '<|start|>assi' });
  });

  it('a continuation (not the start of an answer) is all text', () => {
    const sp = new ThinkSplitter(false);
    expect(sp.push('<think>x</think>y')).toEqual([{ kind: 'text', text: '<think>x</think>y' }]);
  });
});

describe('endings and usage', () => {
  it('finish values map to the closed set with the raw value kept', () => {
    expect(endingOf('length')).toEqual({ reason: 'length', raw: 'length' });
    expect(endingOf('max_tokens')).toEqual({ reason: 'length', raw: 'max_tokens' });
    expect(endingOf('sensitive')).toEqual({ reason: 'content_filter', raw: 'sensitive', category: 'sensitive' });
    expect(endingOf('network_error')).toEqual({ reason: 'error', raw: 'network_error' });
    expect(endingOf('tool_use')).toEqual({ reason: 'tool_calls', raw: 'tool_use' });
    expect(endingOf('function_call')).toEqual({ reason: 'tool_calls', raw: 'function_call' });
    expect(endingOf('refusal')).toEqual({ reason: 'refusal', raw: 'refusal' });
    expect(endingOf('load')).toEqual({ reason: 'stop', raw: 'load' });
    expect(endingOf(undefined)).toEqual({ reason: 'stop' });
  });

  it('usage: DeepSeek cache hits, OpenAI cached and reasoning tokens, OpenRouter cost; Anthropic input counts its cache', () => {
    expect(openaiUsage({ prompt_tokens: 20, completion_tokens: 100, total_tokens: 120, prompt_cache_hit_tokens: 16, prompt_cache_miss_tokens: 4, completion_tokens_details: { reasoning_tokens: 80 } }))
      .toEqual({ inputTokens: 20, outputTokens: 100, totalTokens: 120, cacheReadTokens: 16, reasoningTokens: 80 });
    expect(openaiUsage({ prompt_tokens: 2006, completion_tokens: 300, prompt_tokens_details: { cached_tokens: 1920 }, cost: 0.00042 }))
      .toEqual({ inputTokens: 2006, outputTokens: 300, cacheReadTokens: 1920, cost: { amount: 0.00042, currency: 'USD', source: 'provider' } });
    expect(anthropicUsage({ input_tokens: 10, cache_creation_input_tokens: 100, cache_read_input_tokens: 1000, output_tokens: 5 }))
      .toEqual({ inputTokens: 1110, outputTokens: 5, totalTokens: 1115, cacheReadTokens: 1000, cacheWriteTokens: 100 });
  });
});
