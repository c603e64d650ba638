/**
 * A tool call on the wire, for each protocol, through the core and the loopback upstream (issue 20): the model's
 * streamed tool calls (OpenAI SSE tool_calls deltas split across chunks, Anthropic tool_use blocks with
 * input_json_delta, Ollama NDJSON message.tool_calls) are assembled into the answer's tool_call parts with the ending
 * tool_calls; the next request, with the results, carries the history in that protocol's own shape as the upstream
 * received it (parsed), and its text answer arrives.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { newCore, providerFor } from '../helpers/core.ts';
import { presets, startUpstream, type Upstream } from '../helpers/upstream.ts';
import type { ChatResult, Core } from '../../src/main/core/index.ts';
import type { ChatMessage, ChatRequest, ToolSpec } from '../../src/main/core/protocols/types.ts';
import type { ModelCapabilities } from '../../src/shared/models/capabilities.ts';

let up: Upstream;
let core: Core;
beforeAll(async () => {
  up = await startUpstream();
});
afterAll(async () => {
  await core?.close();
  await up?.stop();
});
beforeEach(async () => {
  await core?.close();
  core = newCore();
  up.clear();
});

type P = 'openai' | 'anthropic' | 'ollama';
const cfg = (protocol: P, stream: 'on' | 'off' = 'on') => ({ provider: providerFor(up.url, protocol), network: { proxy: { mode: 'none' }, stream, retries: 0 } });

const weather: ToolSpec = { name: 'get_weather', description: 'The weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } };
const time: ToolSpec = { name: 'get_time', description: 'The time in a zone', parameters: { type: 'object', properties: { tz: { type: 'string' } } } };
const question: ChatMessage = { role: 'user', content: 'Weather and time in Paris?' };
const calls = [
  { id: 'call_w1', name: 'get_weather', arguments: { city: 'Paris', units: 'metric' } },
  { id: 'call_t2', name: 'get_time', arguments: { tz: 'Europe/Paris' } },
];

/** The history after the first answer: its calls (and reasoning with its signature) and both results. */
function next(first: ChatResult): ChatMessage[] {
  return [
    question,
    {
      role: 'assistant', content: first.text,
      ...(first.reasoning ? { reasoning: first.reasoning } : {}), ...(first.signature ? { reasoningSignature: first.signature } : {}),
      toolCalls: (first.toolCalls ?? []).map((c) => ({ id: c.id, name: c.name, arguments: c.arguments })),
    },
    { role: 'tool', toolCallId: 'call_w1', toolName: 'get_weather', content: '18 °C, cloudy' },
    { role: 'tool', toolCallId: 'call_t2', toolName: 'get_time', content: '14:05', isError: false },
  ];
}

async function loop(protocol: P, req: Partial<ChatRequest> = {}, shape: Parameters<typeof presets.toolCalls>[1] = {}) {
  up.behave(presets.toolCalls(calls, { text: protocol === 'ollama' ? '' : 'Let me look.', chunkSize: 4, ...shape }), { kind: 'ok', text: 'Paris: 18 °C at 14:05.' });
  const tools = [weather, time];
  const first = await core.chat(cfg(protocol), { messages: [question], tools, ...req });
  const second = await core.chat(cfg(protocol), { messages: next(first), tools, ...req });
  const bodies = up.chatRequests.map((r) => r.body as { messages: Array<Record<string, unknown>>; tools?: unknown[]; thinking?: unknown });
  return { first, second, bodies };
}

const expectAssembled = (first: ChatResult, text: string, raw: string) => {
  expect(first.mode).toBe('stream');
  expect(first.text).toBe(text);
  expect(first.ending).toMatchObject({ reason: 'tool_calls', raw });
  expect(first.toolCalls?.map((c) => ({ id: c.id, name: c.name, arguments: JSON.parse(c.arguments) as unknown }))).toEqual(calls);
  expect(first.parts.filter((p) => p.type === 'tool_call').map((p) => p.type === 'tool_call' && p.name)).toEqual(['get_weather', 'get_time']);
};

describe('a streamed tool call and the next request, per protocol', () => {
  it('OpenAI: tool_calls deltas assembled; the next body has tool_calls, tool messages and the tools', async () => {
    const { first, second, bodies } = await loop('openai');
    expectAssembled(first, 'Let me look.', 'tool_calls');
    expect(second.text).toBe('Paris: 18 °C at 14:05.');
    expect(second.ending.reason).toBe('stop');
    expect(bodies[0]!.tools).toEqual([
      { type: 'function', function: { name: 'get_weather', description: 'The weather in a city', parameters: weather.parameters } },
      { type: 'function', function: { name: 'get_time', description: 'The time in a zone', parameters: time.parameters } },
    ]);
    expect(bodies[1]!.tools).toEqual(bodies[0]!.tools);
    expect(bodies[1]!.messages).toEqual([
      { role: 'user', content: 'Weather and time in Paris?' },
      {
        role: 'assistant', content: 'Let me look.',
        tool_calls: [
          { id: 'call_w1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris","units":"metric"}' } },
          { id: 'call_t2', type: 'function', function: { name: 'get_time', arguments: '{"tz":"Europe/Paris"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_w1', content: '18 °C, cloudy' },
      { role: 'tool', tool_call_id: 'call_t2', content: '14:05' },
    ]);
  });

  it('OpenAI, one byte a write: the calls are assembled all the same', async () => {
    const { first } = await loop('openai', {}, { split: 'bytes1' });
    expectAssembled(first, 'Let me look.', 'tool_calls');
  });

  it('OpenAI with DeepSeek-style thinking (resendWithTools): the reasoning goes back as reasoning_content with the calls', async () => {
    const caps: ModelCapabilities = { tools: true, reasoning: true, thinking: { defaultOn: true, canDisable: true, resendWithTools: true } };
    const { first, bodies } = await loop('openai', { capabilities: caps }, { reasoning: 'Two tools: weather and time.' });
    expect(first.reasoning).toBe('Two tools: weather and time.');
    expect(bodies[1]!.messages[1]).toMatchObject({ role: 'assistant', reasoning_content: 'Two tools: weather and time.' });
    // Without resendWithTools the same answer's reasoning stays home.
    up.clear();
    const plain = await loop('openai', {}, { reasoning: 'Two tools: weather and time.' });
    expect(JSON.stringify(plain.bodies[1]!.messages)).not.toContain('Two tools');
  });

  it('Anthropic: tool_use blocks with input_json_delta assembled; the next body has tool_use and one user message of tool_result blocks', async () => {
    const { first, second, bodies } = await loop('anthropic');
    expectAssembled(first, 'Let me look.', 'tool_use');
    expect(second.text).toBe('Paris: 18 °C at 14:05.');
    expect(bodies[0]!.tools).toEqual([
      { name: 'get_weather', description: 'The weather in a city', input_schema: weather.parameters },
      { name: 'get_time', description: 'The time in a zone', input_schema: time.parameters },
    ]);
    expect(bodies[1]!.messages).toEqual([
      { role: 'user', content: 'Weather and time in Paris?' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Let me look.' },
          { type: 'tool_use', id: 'call_w1', name: 'get_weather', input: { city: 'Paris', units: 'metric' } },
          { type: 'tool_use', id: 'call_t2', name: 'get_time', input: { tz: 'Europe/Paris' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_w1', content: '18 °C, cloudy' },
          { type: 'tool_result', tool_use_id: 'call_t2', content: '14:05' },
        ],
      },
    ]);
  });

  it('Anthropic with thinking on: the streamed thinking and its signature go back first in the assistant message', async () => {
    const caps: ModelCapabilities = { tools: true, reasoning: true, maxOutput: 64_000, thinking: { defaultOn: false, canDisable: true, budget: { min: 1024 } } };
    const { first, bodies } = await loop('anthropic', { capabilities: caps, thinking: { mode: 'on' } }, { reasoning: 'Weather, then time.' });
    expect(first.reasoning).toBe('Weather, then time.');
    expect(first.signature).toMatch(/^[A-Za-z0-9+/=]{20,}$/);
    expect(bodies[1]!.thinking).toMatchObject({ type: 'enabled' });
    expect((bodies[1]!.messages[1]!.content as unknown[])[0]).toEqual({ type: 'thinking', thinking: 'Weather, then time.', signature: first.signature });
  });

  it('Ollama: message.tool_calls lines assembled; the next body has tool_calls with object arguments and tool messages with tool_name', async () => {
    const { first, second, bodies } = await loop('ollama', {}, { reasoning: 'Both tools.' });
    expectAssembled(first, '', 'stop');
    expect(second.text).toBe('Paris: 18 °C at 14:05.');
    expect(bodies[0]!.tools).toEqual([
      { type: 'function', function: { name: 'get_weather', description: 'The weather in a city', parameters: weather.parameters } },
      { type: 'function', function: { name: 'get_time', description: 'The time in a zone', parameters: time.parameters } },
    ]);
    expect(bodies[1]!.messages).toEqual([
      { role: 'user', content: 'Weather and time in Paris?' },
      {
        role: 'assistant', content: '', thinking: 'Both tools.',
        tool_calls: [
          { id: 'call_w1', function: { name: 'get_weather', arguments: { city: 'Paris', units: 'metric' } } },
          { id: 'call_t2', function: { name: 'get_time', arguments: { tz: 'Europe/Paris' } } },
        ],
      },
      { role: 'tool', content: '18 °C, cloudy', tool_name: 'get_weather', tool_call_id: 'call_w1' },
      { role: 'tool', content: '14:05', tool_name: 'get_time', tool_call_id: 'call_t2' },
    ]);
  });

  it('whole (non-streamed) answers with tool calls are read the same way, for each protocol', async () => {
    for (const protocol of ['openai', 'anthropic', 'ollama'] as const) {
      up.clear();
      up.behave(presets.toolCalls(calls));
      const r = await core.chat(cfg(protocol, 'off'), { messages: [question], tools: [weather, time] });
      expect(r.mode, protocol).toBe('whole');
      expect(r.ending.reason, protocol).toBe('tool_calls');
      expect(r.toolCalls?.map((c) => ({ id: c.id, name: c.name, arguments: JSON.parse(c.arguments) as unknown })), protocol).toEqual(calls);
    }
  });

  it('a request without tools has no tools field on the wire', async () => {
    for (const protocol of ['openai', 'anthropic', 'ollama'] as const) {
      up.clear();
      await core.chat(cfg(protocol), { messages: [question] });
      expect('tools' in (up.chatRequests[0]!.body ?? {}), protocol).toBe(false);
    }
  });
});
