/**
 * Tools in each protocol's request body (issue 20): the tools offered and a history with tool turns, exactly as
 * each protocol defines them (src/main/core/protocols/tools.ts cites the SDK types): a two-round history (user →
 * assistant with two tool calls → two results → assistant text → user), reasoning sent back only where the provider
 * needs it, results with images, arguments that are not JSON, and calls left without a result.
 */
import { describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../src/main/core/protocols/index.ts';
import type { ChatMessage, ChatRequest, ToolSpec } from '../../src/main/core/protocols/types.ts';
import { NOT_RUN } from '../../src/main/core/protocols/tools.ts';
import type { ModelCapabilities } from '../../src/shared/models/capabilities.ts';

type P = 'openai' | 'anthropic' | 'ollama';
const provider = (protocol: P, over: { baseUrl?: string; model?: string } = {}) =>
  ({ protocol, baseUrl: over.baseUrl ?? 'http://h', model: over.model ?? 'm', anthropicVersion: '2023-06-01' });
type Body = { messages: Array<Record<string, unknown>>; tools?: unknown[]; system?: string; thinking?: unknown; [k: string]: unknown };
const bodyOf = (protocol: P, req: ChatRequest, over: { baseUrl?: string; model?: string } = {}, stream = false): Body =>
  ADAPTERS[protocol].body(provider(protocol, over) as never, req, stream) as Body;

const weather: ToolSpec = {
  name: 'get_weather',
  description: 'The weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};
const PNG = 'iVBORw0KGgo=';

/** user → assistant (text, reasoning, two calls) → two results (the second an error) → assistant text → user. */
const twoRounds: ChatMessage[] = [
  { role: 'system', content: 'Be brief.' },
  { role: 'user', content: 'Weather in Paris and Tokyo?' },
  {
    role: 'assistant', content: 'Let me look.', reasoning: 'Two cities: two calls.', reasoningSignature: 'sig-1',
    toolCalls: [
      { id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { id: 'call_2', name: 'get_weather', arguments: '{"city":"Tokyo"}' },
    ],
  },
  { role: 'tool', toolCallId: 'call_1', toolName: 'get_weather', content: '18 °C, cloudy' },
  { role: 'tool', toolCallId: 'call_2', toolName: 'get_weather', content: 'timed out', isError: true },
  { role: 'assistant', content: 'Paris: 18 °C. Tokyo: unknown.', reasoning: 'One failed.' },
  { role: 'user', content: 'And Berlin?' },
];

/** The current tool loop: the request after the results, before the model's answer. */
const loop: ChatMessage[] = [
  { role: 'user', content: 'Old question' },
  { role: 'assistant', content: 'Old answer', reasoning: 'old thoughts', reasoningSignature: 'sig-old' },
  { role: 'user', content: 'Weather in Paris?' },
  { role: 'assistant', content: '', reasoning: 'Call it.', reasoningSignature: 'sig-2', toolCalls: [{ id: 'toolu_01', name: 'get_weather', arguments: '{"city":"Paris"}' }] },
  { role: 'tool', toolCallId: 'toolu_01', toolName: 'get_weather', content: '18 °C' },
];

const withImageResult: ChatMessage[] = [
  { role: 'user', content: 'Show me both maps' },
  { role: 'assistant', content: '', toolCalls: [{ id: 'call_a', name: 'map', arguments: '{"city":"Paris"}' }, { id: 'call_b', name: 'map', arguments: '{"city":"Rome"}' }] },
  { role: 'tool', toolCallId: 'call_a', toolName: 'map', content: [{ type: 'text', text: 'Paris map:' }, { type: 'image', mime: 'image/png', data: PNG }] },
  { role: 'tool', toolCallId: 'call_b', toolName: 'map', content: 'no map for Rome' },
];

const claudeThinking: ModelCapabilities = { tools: true, vision: true, maxOutput: 64_000, thinking: { defaultOn: false, canDisable: true, budget: { min: 1024 } } };

describe('OpenAI chat completions', () => {
  it('tools as functions; the calls as tool_calls with their JSON text; each result a tool message with its call id', () => {
    const b = bodyOf('openai', { messages: twoRounds, tools: [weather] });
    expect(b.tools).toEqual([{ type: 'function', function: { name: 'get_weather', description: 'The weather in a city', parameters: weather.parameters } }]);
    expect(b.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Weather in Paris and Tokyo?' },
      {
        role: 'assistant', content: 'Let me look.',
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Tokyo"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '18 °C, cloudy' },
      { role: 'tool', tool_call_id: 'call_2', content: 'timed out' },
      { role: 'assistant', content: 'Paris: 18 °C. Tokyo: unknown.' },
      { role: 'user', content: 'And Berlin?' },
    ]);
  });
  it('an assistant message with only tool calls has content null; no tools field when none are offered', () => {
    const b = bodyOf('openai', { messages: loop });
    expect(b.messages[3]).toEqual({ role: 'assistant', content: null, tool_calls: [{ id: 'toolu_01', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] });
    expect('tools' in b).toBe(false);
    expect('tools' in bodyOf('openai', { messages: [{ role: 'user', content: 'Hi' }], tools: [] })).toBe(false);
  });
  it('DeepSeek (resendWithTools) gets reasoning_content on every assistant message of a turn with tool calls, in later requests too; not on a turn without tools', () => {
    const history: ChatMessage[] = [
      { role: 'user', content: 'Hello' },
      { role: 'assistant', content: 'Hi!', reasoning: 'A greeting.' },
      ...twoRounds.slice(1, 6),
      { role: 'user', content: 'And Berlin?' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'call_3', name: 'get_weather', arguments: '{"city":"Berlin"}' }] },
      { role: 'tool', toolCallId: 'call_3', content: '12 °C' },
    ];
    const b = bodyOf('openai', { messages: history, tools: [weather] }, { baseUrl: 'https://api.deepseek.com', model: 'deepseek-chat' });
    const assistants = b.messages.filter((m) => m.role === 'assistant');
    expect(assistants.map((m) => m.reasoning_content)).toEqual([undefined, 'Two cities: two calls.', 'One failed.', '']);
    expect('reasoning_content' in assistants[0]!).toBe(false);
  });
  it('a resendWithTools model whose reasoning comes as <think> tags gets it back the same way, in its text', () => {
    const caps: ModelCapabilities = { tools: true, thinking: { defaultOn: true, canDisable: false, inlineTags: true, resendWithTools: true } };
    const b = bodyOf('openai', { messages: loop, tools: [weather], capabilities: caps });
    expect(b.messages[3]).toEqual({ role: 'assistant', content: '<think>Call it.</think>\n', tool_calls: [{ id: 'toolu_01', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] });
    expect(b.messages[1]).toEqual({ role: 'assistant', content: 'Old answer' });
  });
  it('other models never get reasoning back', () => {
    const b = bodyOf('openai', { messages: twoRounds, tools: [weather] }, { baseUrl: 'https://api.openai.com/v1', model: 'gpt-4.1' });
    expect(JSON.stringify(b.messages)).not.toContain('reasoning');
    expect(JSON.stringify(b.messages)).not.toContain('Two cities');
  });
  it('a result with an image: [image] in the tool message; with vision the image follows in one user message after the results', () => {
    const blind = bodyOf('openai', { messages: withImageResult });
    expect(blind.messages.slice(2)).toEqual([
      { role: 'tool', tool_call_id: 'call_a', content: 'Paris map:\n\n[image]' },
      { role: 'tool', tool_call_id: 'call_b', content: 'no map for Rome' },
    ]);
    const seeing = bodyOf('openai', { messages: withImageResult, capabilities: { tools: true, vision: true } });
    expect(seeing.messages.slice(2)).toEqual([
      { role: 'tool', tool_call_id: 'call_a', content: 'Paris map:\n\n[image]' },
      { role: 'tool', tool_call_id: 'call_b', content: 'no map for Rome' },
      { role: 'user', content: [{ type: 'text', text: 'The image returned by tool call call_a (map):' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } }] },
    ]);
  });
  it('arguments that are not JSON go as the model wrote them; empty arguments as {}', () => {
    const b = bodyOf('openai', { messages: [
      { role: 'user', content: 'x' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'a', arguments: '{"city": "Par' }, { id: 'c2', name: 'b', arguments: '' }] },
      { role: 'tool', toolCallId: 'c1', content: 'bad arguments' },
      { role: 'tool', toolCallId: 'c2', content: 'ok' },
    ] });
    const calls = b.messages[1]!.tool_calls as Array<{ function: { arguments: string } }>;
    expect(calls.map((c) => c.function.arguments)).toEqual(['{"city": "Par', '{}']);
  });
});

describe('Anthropic Messages', () => {
  it('tools with input_schema; text and tool_use blocks (input parsed); both results in one user message of tool_result blocks', () => {
    const b = bodyOf('anthropic', { messages: twoRounds, tools: [weather] });
    expect(b.system).toBe('Be brief.');
    expect(b.tools).toEqual([{ name: 'get_weather', description: 'The weather in a city', input_schema: weather.parameters }]);
    expect(b.messages).toEqual([
      { role: 'user', content: 'Weather in Paris and Tokyo?' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Let me look.' },
          { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'call_2', name: 'get_weather', input: { city: 'Tokyo' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_1', content: '18 °C, cloudy' },
          { type: 'tool_result', tool_use_id: 'call_2', content: 'timed out', is_error: true },
        ],
      },
      { role: 'assistant', content: 'Paris: 18 °C. Tokyo: unknown.' },
      { role: 'user', content: 'And Berlin?' },
    ]);
  });
  it('with thinking on, the current loop\'s assistant message starts with its signed thinking; older turns\' thinking stays out', () => {
    const b = bodyOf('anthropic', { messages: loop, tools: [weather], thinking: { mode: 'on' }, capabilities: claudeThinking }, {}, true);
    expect(b.thinking).toMatchObject({ type: 'enabled' });
    expect(b.messages[1]).toEqual({ role: 'assistant', content: 'Old answer' });
    expect(b.messages[3]).toEqual({
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'Call it.', signature: 'sig-2' },
        { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } },
      ],
    });
    expect(b.messages[4]).toEqual({ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01', content: '18 °C' }] });
  });
  it('with thinking off, no thinking block goes back even when signed', () => {
    const b = bodyOf('anthropic', { messages: loop, tools: [weather], capabilities: claudeThinking });
    expect(JSON.stringify(b.messages)).not.toContain('"thinking"');
    expect(b.messages[3]).toEqual({ role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } }] });
  });
  it('thinking on while the loop\'s calls came without signed thinking: the request goes with thinking disabled', () => {
    const unsigned = loop.map((m) => (m.toolCalls ? { ...m, reasoning: undefined, reasoningSignature: undefined } : m));
    const b = bodyOf('anthropic', { messages: unsigned, tools: [weather], thinking: { mode: 'on' }, capabilities: claudeThinking }, {}, true);
    expect(b.thinking).toEqual({ type: 'disabled' });
    expect(JSON.stringify(b.messages)).not.toContain('"type":"thinking"');
  });
  it('a result\'s images go inside its tool_result for a model that sees; [image] otherwise; a question after the results joins their message', () => {
    const next: ChatMessage[] = [...withImageResult, { role: 'user', content: 'Now Berlin' }];
    const seeing = bodyOf('anthropic', { messages: next, capabilities: { vision: true } });
    expect(seeing.messages.slice(2)).toEqual([{
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'call_a', content: [{ type: 'text', text: 'Paris map:' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } }] },
        { type: 'tool_result', tool_use_id: 'call_b', content: 'no map for Rome' },
        { type: 'text', text: 'Now Berlin' },
      ],
    }]);
    const blind = bodyOf('anthropic', { messages: next, capabilities: { vision: false } });
    expect((blind.messages[2]!.content as unknown[])[0]).toEqual({ type: 'tool_result', tool_use_id: 'call_a', content: 'Paris map:\n\n[image]' });
  });
  it('arguments that are not a JSON object go as input {}; another provider\'s ids fit Anthropic\'s pattern', () => {
    const b = bodyOf('anthropic', { messages: [
      { role: 'user', content: 'x' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'fc.1:a', name: 'a', arguments: '{"city": "Par' }, { id: 'c2', name: 'b', arguments: '[1,2]' }, { id: 'c3', name: 'c', arguments: '' }] },
      { role: 'tool', toolCallId: 'fc.1:a', content: 'bad' },
      { role: 'tool', toolCallId: 'c2', content: 'bad' },
      { role: 'tool', toolCallId: 'c3', content: 'ok' },
    ] });
    const blocks = b.messages[1]!.content as Array<{ id: string; input: unknown }>;
    expect(blocks.map((x) => x.input)).toEqual([{}, {}, {}]);
    expect(blocks[0]!.id).toBe('fc_1_a');
    expect((b.messages[2]!.content as Array<{ tool_use_id: string }>)[0]!.tool_use_id).toBe('fc_1_a');
  });
  it('a call without a result gets an error result saying it was not run; a result without its call is left out', () => {
    const b = bodyOf('anthropic', { messages: [
      { role: 'user', content: 'x' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'a', arguments: '{}' }, { id: 'c2', name: 'b', arguments: '{}' }] },
      { role: 'tool', toolCallId: 'c1', content: 'one' },
      { role: 'tool', toolCallId: 'stray', content: 'lost' },
      { role: 'user', content: 'Stopped. Go on.' },
    ] });
    expect(b.messages[2]).toEqual({
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'c1', content: 'one' },
        { type: 'tool_result', tool_use_id: 'c2', content: NOT_RUN, is_error: true },
        { type: 'text', text: 'Stopped. Go on.' },
      ],
    });
    expect(JSON.stringify(b)).not.toContain('lost');
  });
});

describe('Ollama /api/chat', () => {
  it('tools as functions; tool_calls with arguments as objects; results as tool messages with tool_name', () => {
    const b = bodyOf('ollama', { messages: twoRounds, tools: [weather] });
    expect(b.tools).toEqual([{ type: 'function', function: { name: 'get_weather', description: 'The weather in a city', parameters: weather.parameters } }]);
    expect(b.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Weather in Paris and Tokyo?' },
      {
        role: 'assistant', content: 'Let me look.',
        tool_calls: [
          { id: 'call_1', function: { name: 'get_weather', arguments: { city: 'Paris' } } },
          { id: 'call_2', function: { name: 'get_weather', arguments: { city: 'Tokyo' } } },
        ],
      },
      { role: 'tool', content: '18 °C, cloudy', tool_name: 'get_weather', tool_call_id: 'call_1' },
      { role: 'tool', content: 'timed out', tool_name: 'get_weather', tool_call_id: 'call_2' },
      { role: 'assistant', content: 'Paris: 18 °C. Tokyo: unknown.' },
      { role: 'user', content: 'And Berlin?' },
    ]);
  });
  it('the current loop\'s thinking goes back with its calls (Ollama\'s tool-calling guide); older turns\' does not', () => {
    const b = bodyOf('ollama', { messages: loop, tools: [weather] });
    expect(b.messages[1]).toEqual({ role: 'assistant', content: 'Old answer' });
    expect(b.messages[3]).toEqual({ role: 'assistant', content: '', thinking: 'Call it.', tool_calls: [{ id: 'toolu_01', function: { name: 'get_weather', arguments: { city: 'Paris' } } }] });
  });
  it('a result\'s images beside its text for a model that sees; [image] otherwise; bad arguments as {}', () => {
    const seeing = bodyOf('ollama', { messages: withImageResult, capabilities: { vision: true } });
    expect(seeing.messages[2]).toEqual({ role: 'tool', content: 'Paris map:', images: [PNG], tool_name: 'map', tool_call_id: 'call_a' });
    const blind = bodyOf('ollama', { messages: withImageResult });
    expect(blind.messages[2]).toEqual({ role: 'tool', content: 'Paris map:\n\n[image]', tool_name: 'map', tool_call_id: 'call_a' });
    const bad = bodyOf('ollama', { messages: [
      { role: 'user', content: 'x' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'a', arguments: 'not json' }] },
      { role: 'tool', toolCallId: 'c1', content: 'bad' },
    ] });
    expect((bad.messages[1]!.tool_calls as Array<{ function: { arguments: unknown } }>)[0]!.function.arguments).toEqual({});
  });
});

describe('without tools, bodies are as before', () => {
  it('no tools field and plain messages for every protocol', () => {
    const plain: ChatMessage[] = [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello', reasoning: 'r', reasoningSignature: 's' }, { role: 'user', content: 'Bye' }];
    for (const p of ['openai', 'anthropic', 'ollama'] as const) {
      const b = bodyOf(p, { messages: plain });
      expect('tools' in b).toBe(false);
      expect(b.messages).toEqual([{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello' }, { role: 'user', content: 'Bye' }]);
    }
  });
});
