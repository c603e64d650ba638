/**
 * The whole tool loop in each protocol (issue 20), through the app services the window calls: the loopback upstream
 * asks for a tool in the protocol's own streaming format (OpenAI SSE tool_calls deltas, Anthropic tool_use blocks
 * with input_json_delta, Ollama NDJSON message.tool_calls), main approves (once), a real MCP server from npm
 * (server-everything's echo, over stdio) runs it, and the next request carries the call and its result in that
 * protocol's shape as the upstream received it; the final answer follows the first round's words in the same
 * message, with the tool's card.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppServices } from '../../src/main/services/app.ts';
import type { ToolApproval } from '../../src/main/services/chat/tool-loop.ts';
import type { ChatStreamEvent, Message } from '../../src/shared/chat.ts';
import type { ArgsIn, Channel, ResultOf } from '../../src/shared/ipc.ts';
import { mcpServerSchema } from '../../src/shared/mcp.ts';
import { testAppServices } from '../helpers/app-services.ts';
import { BASE_PATH } from '../helpers/core.ts';
import { presets, startUpstream, type Upstream } from '../helpers/upstream.ts';

const require = createRequire(import.meta.url);
const EVERYTHING = require.resolve('@modelcontextprotocol/server-everything/dist/index.js');

let up: Upstream;
let dir: string;
let svc: AppServices;
const events: ChatStreamEvent[] = [];
const asked: ToolApproval[] = [];

async function call<C extends Channel>(channel: C, ...args: ArgsIn<C>): Promise<ResultOf<C>> {
  const r = await svc.invoke({ windowId: 'w1' }, channel, args);
  if (!r.ok) throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
  return r.value;
}

beforeAll(async () => {
  up = await startUpstream();
  dir = mkdtempSync(join(tmpdir(), 'parley-tool-wire-loop-'));
  svc = testAppServices(dir, {
    confirmToolCall: async (req) => {
      asked.push(req);
      return 'once';
    },
  });
  svc.attachWindow('w1', (event, payload) => {
    if (event === 'chat:stream') events.push(payload as ChatStreamEvent);
  });
  svc.hub.ready('w1');
  await call('settings:set', { network: { proxy: { mode: 'none' }, retries: 0, stream: 'on' } });
  svc.settings.updateMcpServers(() => [v.parse(mcpServerSchema, { id: 'srv0', name: 'Everything', transport: 'stdio', command: process.execPath, args: [EVERYTHING] })]);
}, 60_000);

afterAll(async () => {
  await svc?.close();
  await up?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function ask(protocol: 'openai' | 'anthropic' | 'ollama', model: string): Promise<Message> {
  const view = await call('providers:save', { name: `Loopback ${protocol}`, preset: 'custom', protocol, baseUrl: up.url + BASE_PATH[protocol], apiKey: 'sk-toolwire0123456789abcdef', models: [model], shownModels: [model], defaultModel: model });
  const provider = view.providers.find((p) => p.name === `Loopback ${protocol}`)!;
  const conv = await call('conversations:create', { providerId: provider.id, model });
  const sent = await call('chat:send', { conversationId: conv.id, text: 'Say hello through the echo tool' });
  const t0 = Date.now();
  for (;;) {
    const end = events.find((e) => e.requestId === sent.requestId && e.type === 'end');
    if (end?.type === 'end') return end.message;
    if (Date.now() - t0 > 30_000) throw new Error('no end');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the tool loop in each protocol', () => {
  const args = { message: '你好 from the loop' };
  const result = 'Echo: 你好 from the loop';

  it('OpenAI', async () => {
    up.clear();
    asked.length = 0;
    up.behave(presets.toolCalls([{ id: 'call_e1', name: 'echo', arguments: args }], { text: 'Let me ask the tool.', chunkSize: 3 }), { kind: 'ok', text: 'It said hello.' });
    const message = await ask('openai', 'gpt-4o');
    expect(asked).toEqual([expect.objectContaining({ tool: 'echo', arguments: JSON.stringify(args) })]);
    expect(message.status).toBe('complete');
    expect(message.text).toBe('Let me ask the tool.\n\nIt said hello.');
    expect(message.tools).toEqual([expect.objectContaining({ id: 'call_e1', tool: 'echo', state: 'done', result })]);
    const second = up.chatRequests[1]!.body as { messages: Record<string, unknown>[] };
    expect(second.messages.slice(-2)).toEqual([
      { role: 'assistant', content: 'Let me ask the tool.', tool_calls: [{ id: 'call_e1', type: 'function', function: { name: 'echo', arguments: JSON.stringify(args) } }] },
      { role: 'tool', tool_call_id: 'call_e1', content: result },
    ]);
  }, 60_000);

  it('Anthropic', async () => {
    up.clear();
    asked.length = 0;
    up.behave(presets.toolCalls([{ id: 'toolu_e1', name: 'echo', arguments: args }], { text: 'Let me ask the tool.', chunkSize: 3 }), { kind: 'ok', text: 'It said hello.' });
    const message = await ask('anthropic', 'claude-test');
    expect(asked).toHaveLength(1);
    expect(message.status).toBe('complete');
    expect(message.text).toBe('Let me ask the tool.\n\nIt said hello.');
    expect(message.tools).toEqual([expect.objectContaining({ id: 'toolu_e1', tool: 'echo', state: 'done', result })]);
    const second = up.chatRequests[1]!.body as { messages: Record<string, unknown>[]; tools: unknown[] };
    expect(second.tools).toContainEqual(expect.objectContaining({ name: 'echo', input_schema: expect.objectContaining({ type: 'object' }) }));
    expect(second.messages.slice(-2)).toEqual([
      { role: 'assistant', content: [{ type: 'text', text: 'Let me ask the tool.' }, { type: 'tool_use', id: 'toolu_e1', name: 'echo', input: args }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_e1', content: result }] },
    ]);
  }, 60_000);

  it('Ollama', async () => {
    up.clear();
    asked.length = 0;
    up.behave(presets.toolCalls([{ id: 'call_o1', name: 'echo', arguments: args }]), { kind: 'ok', text: 'It said hello.' });
    // A local model the capability table knows takes tools (llama3.1 does; the first llama3 does not: Ollama answers
    // 400 "does not support tools", so an unknown Ollama model is offered none, below).
    const message = await ask('ollama', 'llama3.1:8b');
    expect(asked).toHaveLength(1);
    expect(message.status).toBe('complete');
    expect(message.text).toBe('It said hello.');
    expect(message.tools).toEqual([expect.objectContaining({ id: 'call_o1', tool: 'echo', state: 'done', result })]);
    const second = up.chatRequests[1]!.body as { messages: Record<string, unknown>[]; tools: unknown[] };
    expect(second.tools).toContainEqual({ type: 'function', function: expect.objectContaining({ name: 'echo' }) });
    expect(second.messages.slice(-2)).toEqual([
      { role: 'assistant', content: '', tool_calls: [{ id: 'call_o1', function: { name: 'echo', arguments: args } }] },
      { role: 'tool', content: result, tool_name: 'echo', tool_call_id: 'call_o1' },
    ]);
  }, 60_000);

  it('an Ollama model the table does not know is offered no tools (Ollama would refuse the request)', async () => {
    up.clear();
    up.behave({ kind: 'ok', text: 'Plain.' });
    const message = await ask('ollama', 'llama3:latest');
    expect(message.text).toBe('Plain.');
    expect(up.chatRequests[0]?.body).not.toHaveProperty('tools');
  }, 60_000);
});
