/**
 * The protocol decoders on shapes no recording in test/fixtures/providers has: an OpenRouter error inside a
 * stream whose real cause is in metadata.raw (shapes of OpenRouterTeam/ai-sdk-provider's error-response tests),
 * chunks of other choices only, and the error bodies' words.
 */
import { describe, expect, it } from 'vitest';
import { openai } from '../../src/main/core/protocols/openai.ts';
import { anthropic } from '../../src/main/core/protocols/anthropic.ts';
import { parseCommonError, type WireEvent } from '../../src/main/core/protocols/types.ts';

const sse = (objs: unknown[]): string => objs.map((o) => `data: ${typeof o === 'string' ? o : JSON.stringify(o)}\n\n`).join('');
const decode = (adapter: typeof openai, text: string): WireEvent[] => {
  const d = adapter.createDecoder();
  return [...d.push(text), ...d.end()];
};

describe('OpenRouter errors: the upstream provider\'s words reach the error', () => {
  it('in a stream, with choices, metadata.raw as JSON text', () => {
    const raw = JSON.stringify({ error: { message: 'Model not available' } });
    const ev = decode(openai, sse([
      { choices: [{ index: 0, delta: { content: 'Hel' } }] },
      { id: 'gen-1', provider: 'Anthropic', error: { code: 502, message: 'Provider returned error', metadata: { raw, provider_name: 'Anthropic' } }, choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }] },
    ]));
    expect(ev).toEqual([
      { type: 'text', text: 'Hel' },
      { type: 'error', message: 'Provider returned error (Anthropic: Model not available)', providerCode: '502', status: 502, raw: 'Model not available', providerName: 'Anthropic' },
    ]);
  });

  it('in an error body: raw as text, as an object with a message, as a nested error', () => {
    expect(parseCommonError({ error: { message: 'Provider returned error', metadata: { provider_name: 'Anthropic', raw: 'Your credit balance is too low' } } })?.message)
      .toBe('Provider returned error (Anthropic: Your credit balance is too low)');
    expect(parseCommonError({ error: { message: 'Provider returned error', metadata: { provider_name: 'OpenAI', raw: { message: 'Rate limit exceeded' } } } })?.message)
      .toBe('Provider returned error (OpenAI: Rate limit exceeded)');
    expect(parseCommonError({ error: { message: 'Provider returned error', metadata: { provider_name: 'Anthropic', raw: { error: { message: 'Invalid API key provided' } } } } })?.message)
      .toBe('Provider returned error (Anthropic: Invalid API key provided)');
    // Without metadata, the words as they are.
    expect(parseCommonError({ error: { message: 'Something went wrong', metadata: { provider_name: 'X' } } })?.message).toBe('Something went wrong');
  });
});

describe('choices', () => {
  it('chunks of another choice are ignored, not joined into the answer', () => {
    const ev = decode(openai, sse([
      { choices: [{ index: 1, delta: { content: 'other' } }] },
      { choices: [{ index: 0, delta: { content: 'mine' } }] },
      { choices: [{ index: 1, delta: {}, finish_reason: 'length' }] },
      { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
      '[DONE]',
    ]));
    expect(ev).toEqual([{ type: 'text', text: 'mine' }, { type: 'finish', reason: 'stop' }, { type: 'end' }]);
  });

  it('a whole answer: choice 0 whatever its position; tool calls with their arguments', () => {
    const whole = openai.parseWhole({
      choices: [
        { index: 1, message: { content: 'second' }, finish_reason: 'stop' },
        { index: 0, message: { content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] }, finish_reason: 'tool_calls' },
      ],
    });
    expect(whole?.events).toEqual([
      { type: 'tool_call', call: { index: 0, id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' } },
      { type: 'finish', reason: 'tool_calls' },
    ]);
  });
});

describe('providers\' own shapes', () => {
  it('Moonshot (Kimi): the usage of a stream in its choice, cache hits at the top of it', () => {
    const ev = decode(openai, sse([
      { choices: [{ index: 0, delta: { content: 'Hi' } }] },
      { choices: [{ index: 0, delta: {}, finish_reason: 'stop', usage: { prompt_tokens: 19, completion_tokens: 13, total_tokens: 32, cached_tokens: 16 } }] },
      '[DONE]',
    ]));
    expect(ev).toContainEqual({ type: 'usage', usage: { inputTokens: 19, outputTokens: 13, totalTokens: 32, cacheReadTokens: 16 } });
  });

  it("vLLM's error object and MiniMax's base_resp inside a 200 stream are errors with the provider's words", () => {
    expect(decode(openai, sse([{ object: 'error', message: 'This model\'s maximum context length is 4096 tokens.', type: 'BadRequestError', param: null, code: 400 }])))
      .toEqual([{ type: 'error', message: 'This model\'s maximum context length is 4096 tokens.', providerCode: 'BadRequestError', status: 400 }]);
    expect(decode(openai, sse([{ base_resp: { status_code: 1008, status_msg: 'insufficient balance' } }])))
      .toEqual([{ type: 'error', message: 'insufficient balance', providerCode: '1008' }]);
    // A whole MiniMax body with base_resp is no answer: its words are the error's.
    expect(openai.parseWhole({ base_resp: { status_code: 1004, status_msg: 'login fail' } })).toBeUndefined();
    expect(parseCommonError({ base_resp: { status_code: 1004, status_msg: 'login fail' } })).toEqual({ message: 'login fail', type: '1004' });
    // status 0 is MiniMax's success.
    expect(openai.parseWhole({ choices: [{ index: 0, message: { content: 'ok' }, finish_reason: 'stop' }], base_resp: { status_code: 0, status_msg: '' } })?.events[0]).toEqual({ type: 'text', text: 'ok' });
  });
});

describe('filters', () => {
  it('Azure OpenAI names the category that tripped its filter', () => {
    const whole = openai.parseWhole({
      choices: [{ index: 0, message: { content: null }, finish_reason: 'content_filter', content_filter_results: { hate: { filtered: false, severity: 'safe' }, violence: { filtered: true, severity: 'high' } } }],
    });
    expect(whole?.events).toEqual([{ type: 'finish', reason: 'content_filter', category: 'violence' }]);
  });
});

describe('Anthropic', () => {
  it('a client tool call streams its input; a server tool\'s does not count', () => {
    const ev = decode(anthropic, [
      'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"server_tool_use","id":"srv","name":"web_search","input":{}}}\n\n',
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\\"q\\":1}"}}\n\n',
      'event: content_block_start\ndata: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"lookup","input":{}}}\n\n',
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"id\\":7}"}}\n\n',
      'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":9}}\n\n',
      'event: message_stop\ndata: {"type":"message_stop"}\n\n',
    ].join(''));
    expect(ev.filter((e) => e.type === 'tool_call')).toEqual([
      { type: 'tool_call', call: { index: 1, id: 'toolu_1', name: 'lookup' } },
      { type: 'tool_call', call: { index: 1, arguments: '{"id":7}' } },
    ]);
  });
});
