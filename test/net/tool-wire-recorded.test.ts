/**
 * Real providers' recorded tool-call answers (test/fixtures/providers, sources in their headers) served by the
 * loopback upstream, then the next request with the results (issue 20): the body the upstream receives carries what
 * the provider said, in its protocol's shape. DeepSeek's reasoner (its real capability entry: resendWithTools) gets
 * its recorded reasoning back as reasoning_content; Claude's call without arguments goes back with input {};
 * Ollama's two calls go back with object arguments, their ids, and its thinking.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { newCore, providerFor } from '../helpers/core.ts';
import { startUpstream, type Upstream } from '../helpers/upstream.ts';
import { loadRecorded, serve } from '../helpers/recorded.ts';
import type { ChatResult, Core } from '../../src/main/core/index.ts';
import type { ChatMessage, ChatRequest } from '../../src/main/core/protocols/types.ts';
import { capabilitiesFor } from '../../src/shared/models/capabilities.ts';

const RECORDED = loadRecorded();
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

const recorded = (name: string) => {
  const r = RECORDED.find((x) => x.name === name);
  if (!r) throw new Error(`no recording ${name}`);
  return r;
};

/** Serves the recording, then the default answer to the request with the results; returns the second body. */
async function twoRequests(name: string, req: Partial<ChatRequest>, results: (first: ChatResult) => ChatMessage[]) {
  const r = recorded(name);
  up.behave(serve(r, 'whole'));
  const settings = { provider: providerFor(up.url, r.protocol, 'recorded-model'), network: { proxy: { mode: 'none' }, stream: r.stream ? 'on' : 'off', retries: 0 } };
  const question: ChatMessage = { role: 'user', content: 'The recorded question' };
  const first = await core.chat(settings, { messages: [question], ...req });
  expect(first.ending.reason).toBe('tool_calls');
  const assistant: ChatMessage = {
    role: 'assistant', content: first.text,
    ...(first.reasoning ? { reasoning: first.reasoning } : {}), ...(first.signature ? { reasoningSignature: first.signature } : {}),
    toolCalls: (first.toolCalls ?? []).map((c) => ({ id: c.id, name: c.name, arguments: c.arguments })),
  };
  const second = await core.chat(settings, { messages: [question, assistant, ...results(first)], ...req });
  expect(second.text).toBe(up.defaultText);
  return { first, body: up.chatRequests[1]!.body as { messages: Array<Record<string, unknown>> } };
}

describe('recorded tool calls, sent back', () => {
  it('DeepSeek reasoner (deepseek/tool-call-cache.stream.chunks): the call and its reasoning_content go back', async () => {
    const caps = capabilitiesFor({ baseUrl: 'https://api.deepseek.com', protocol: 'openai' }, 'deepseek-reasoner');
    expect(caps.thinking?.resendWithTools).toBe(true);
    const { first, body } = await twoRequests('deepseek/tool-call-cache.stream.chunks', { capabilities: caps }, (f) => [
      { role: 'tool', toolCallId: f.toolCalls![0]!.id, toolName: 'weather', content: '{"temperature": 17}' },
    ]);
    expect(body.messages.slice(1)).toEqual([
      {
        role: 'assistant', content: null, reasoning_content: recorded('deepseek/tool-call-cache.stream.chunks').expect.reasoning,
        tool_calls: [{ id: 'call_00_ioIn7yN9p1ZOMNpDLwd4MgAF', type: 'function', function: { name: 'weather', arguments: '{"location": "San Francisco"}' } }],
      },
      { role: 'tool', tool_call_id: 'call_00_ioIn7yN9p1ZOMNpDLwd4MgAF', content: '{"temperature": 17}' },
    ]);
    expect(first.reasoning).not.toBe('');
  });

  it('Claude, a tool without arguments (anthropic/tool-no-args.stream.chunks): tool_use with input {} and its text', async () => {
    const { body } = await twoRequests('anthropic/tool-no-args.stream.chunks', {}, (f) => [
      { role: 'tool', toolCallId: f.toolCalls![0]!.id, toolName: 'updateIssueList', content: 'Updated 3 issues.' },
    ]);
    expect(body.messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: [
          { type: 'text', text: "I'll update the issue list for you." },
          { type: 'tool_use', id: 'toolu_01QE1WLsSVp5hy5Q3GmGTmjP', name: 'updateIssueList', input: {} },
        ],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01QE1WLsSVp5hy5Q3GmGTmjP', content: 'Updated 3 issues.' }] },
    ]);
  });

  it('Ollama qwen3.5 (ollama/think-tool-calls.whole.json): both calls with their ids and object arguments, and its thinking', async () => {
    const r = recorded('ollama/think-tool-calls.whole.json');
    const { body } = await twoRequests(r.name, {}, (f) => f.toolCalls!.map((c, i) => ({ role: 'tool', toolCallId: c.id, toolName: c.name, content: `class File${i} {}` })));
    const file = (n: string) => `com.chabicht.code-intelligence/src/com/chabicht/code_intelligence/apiclient/${n}.java`;
    expect(body.messages.slice(1)).toEqual([
      {
        role: 'assistant', content: '', thinking: r.expect.reasoning,
        tool_calls: [
          { id: 'call_trmym6vj', function: { name: 'read_file_content', arguments: { file_name: file('OllamaApiClient') } } },
          { id: 'call_24957ol8', function: { name: 'read_file_content', arguments: { file_name: file('OpenAiApiClient') } } },
        ],
      },
      { role: 'tool', content: 'class File0 {}', tool_name: 'read_file_content', tool_call_id: 'call_trmym6vj' },
      { role: 'tool', content: 'class File1 {}', tool_name: 'read_file_content', tool_call_id: 'call_24957ol8' },
    ]);
  });
});
