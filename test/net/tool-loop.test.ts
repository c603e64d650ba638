/**
 * The tool loop through the app services the window calls (issue 20): a loopback OpenAI-compatible upstream that
 * asks for a tool in its streaming format, real MCP servers from npm (server-everything; server-filesystem, whose
 * write_file leaves a file a test can look for), and main's own approval. What a user sees: the tool's card (asked,
 * running, done or denied, with its result and duration), the final answer written after the tool's result, the
 * model given the result in the next request, "always allow" kept, Stop stopping a tool that runs, and a window
 * that cannot approve a tool by itself (no channel approves; settings:set cannot add a server or an allowance).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import * as v from 'valibot';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AppServices } from '../../src/main/services/app.ts';
import type { ToolApproval, ToolDecision } from '../../src/main/services/chat/tool-loop.ts';
import type { ChatStreamEvent, Message } from '../../src/shared/chat.ts';
import type { ArgsIn, Channel, ResultOf } from '../../src/shared/ipc.ts';
import { mcpServerSchema, type McpServerInput } from '../../src/shared/mcp.ts';
import { testAppServices } from '../helpers/app-services.ts';

const require = createRequire(import.meta.url);
const EVERYTHING = require.resolve('@modelcontextprotocol/server-everything/dist/index.js');
const FILESYSTEM = require.resolve('@modelcontextprotocol/server-filesystem/dist/index.js');
const HOSTILE = join(import.meta.dirname, '../fixtures/mcp/hostile-server.mjs');

/** What the upstream answers: a tool call (name, arguments) while the request has no tool result, then text. */
interface Script {
  tool: string;
  args: Record<string, unknown>;
  /** The final answer, given the tool message's content. */
  final: (toolResult: string) => string;
}
let script: Script;
const bodies: Record<string, unknown>[] = [];
let upstream: Server;
let upstreamUrl: string;

function sse(res: import('node:http').ServerResponse, chunks: unknown[]): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const c of chunks) res.write(`data: ${JSON.stringify(c)}\n\n`);
  res.end('data: [DONE]\n\n');
}
const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [{ index: 0, delta, finish_reason: finish }] });

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const parts: Buffer[] = [];
  for await (const p of req) parts.push(p as Buffer);
  return JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, unknown>;
}

let dir: string;
let svc: AppServices;
const events: ChatStreamEvent[] = [];
let decision: ToolDecision | 'hang' = 'deny';
const asked: ToolApproval[] = [];

async function call<C extends Channel>(channel: C, ...args: ArgsIn<C>): Promise<ResultOf<C>> {
  const r = await svc.invoke({ windowId: 'w1' }, channel, args);
  if (!r.ok) throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
  return r.value;
}

function setServers(servers: Omit<McpServerInput, 'id'>[]): string[] {
  const parsed = servers.map((s, i) => v.parse(mcpServerSchema, { id: `srv${i}`, ...s }));
  svc.settings.updateMcpServers(() => parsed);
  return parsed.map((s) => s.id);
}

async function ask(text: string, opts: { stopWhen?: (e: ChatStreamEvent) => boolean } = {}): Promise<{ message: Message; cards: ChatStreamEvent[] }> {
  const conv = await call('conversations:create');
  const sent = await call('chat:send', { conversationId: conv.id, text });
  const t0 = Date.now();
  let stopped = false;
  for (;;) {
    const mine = events.filter((e) => e.requestId === sent.requestId);
    if (!stopped && opts.stopWhen && mine.some(opts.stopWhen)) {
      stopped = true;
      await call('chat:stop', sent.requestId);
    }
    const end = mine.find((e) => e.type === 'end');
    if (end?.type === 'end') return { message: end.message, cards: mine.filter((e) => e.type === 'tool') };
    if (Date.now() - t0 > 30_000) throw new Error('no end');
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  upstream = createServer((req, res) => {
    void readBody(req).then((body) => {
      bodies.push(body);
      const messages = body.messages as { role: string; content?: unknown }[];
      const result = [...messages].reverse().find((m) => m.role === 'tool');
      if (!result) {
        // The tool call as OpenAI streams it: id and name first, the arguments' JSON in two pieces.
        const argText = JSON.stringify(script.args);
        const half = Math.floor(argText.length / 2);
        sse(res, [
          chunk({ role: 'assistant', content: 'Let me check. ' }),
          chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: script.tool, arguments: argText.slice(0, half) } }] }),
          chunk({ tool_calls: [{ index: 0, function: { arguments: argText.slice(half) } }] }),
          chunk({}, 'tool_calls'),
        ]);
        return;
      }
      sse(res, [chunk({ role: 'assistant', content: script.final(typeof result.content === 'string' ? result.content : JSON.stringify(result.content)) }), chunk({}, 'stop')]);
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as { port: number }).port}/v1`;
  dir = mkdtempSync(join(tmpdir(), 'parley-tools-'));
  svc = testAppServices(dir, {
    confirmToolCall: async (req, signal) => {
      asked.push(req);
      if (decision !== 'hang') return decision;
      return new Promise((resolve) => signal.addEventListener('abort', () => resolve('deny'), { once: true }));
    },
  });
  svc.attachWindow('w1', (event, payload) => {
    if (event === 'chat:stream') events.push(payload as ChatStreamEvent);
  });
  svc.hub.ready('w1');
  await call('providers:save', { name: 'Loopback', preset: 'custom', protocol: 'openai', baseUrl: upstreamUrl, apiKey: 'sk-tools0123456789abcdefgh', models: ['gpt-4o'], defaultModel: 'gpt-4o' });
  await call('settings:set', { network: { proxy: { mode: 'none' }, retries: 0, stream: 'on' } });
}, 60_000);

afterAll(async () => {
  await svc?.close();
  await new Promise((r) => upstream?.close(r));
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  bodies.length = 0;
  asked.length = 0;
});

describe('the tool loop', () => {
  it('asks main, runs the tool, gives its result to the model, and the answer goes on after it', async () => {
    setServers([{ name: 'Everything', transport: 'stdio', command: process.execPath, args: [EVERYTHING] }]);
    script = { tool: 'echo', args: { message: '你好, tools' }, final: (r) => `The tool answered: ${r}` };
    decision = 'once';
    const { message, cards } = await ask('Echo something');
    expect(asked).toEqual([expect.objectContaining({ server: 'Everything', tool: 'echo', arguments: JSON.stringify(script.args) })]);
    expect(message.status).toBe('complete');
    expect(message.text).toBe('Let me check. \n\nThe tool answered: Echo: 你好, tools');
    expect(message.tools).toEqual([expect.objectContaining({ id: 'call_1', server: 'Everything', tool: 'echo', state: 'done', result: 'Echo: 你好, tools', round: 1 })]);
    expect(message.tools?.[0]?.durationMs).toBeGreaterThanOrEqual(0);
    expect(cards.map((c) => (c.type === 'tool' ? c.tool.state : ''))).toEqual(['asking', 'running', 'done']);
    // The first request offered the server's tools; the second carried the call and its result.
    expect((bodies[0]?.tools as { function: { name: string } }[]).map((t) => t.function.name)).toContain('echo');
    const second = bodies[1]?.messages as Record<string, unknown>[];
    expect(second.at(-2)).toMatchObject({ role: 'assistant', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'echo', arguments: JSON.stringify(script.args) } }] });
    expect(second.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_1', content: 'Echo: 你好, tools' });
    // Kept with the answer: reopening the conversation shows the same card.
    const page = await call('conversations:open', message.conversationId);
    expect(page.messages.at(-1)?.tools?.[0]).toMatchObject({ tool: 'echo', state: 'done' });
  }, 60_000);

  it('denied: the tool does not run (no file written), the model is told, and the card says denied', async () => {
    const root = mkdtempSync(join(tmpdir(), 'parley-fs-'));
    setServers([{ name: 'Files', transport: 'stdio', command: process.execPath, args: [FILESYSTEM, root] }]);
    const target = join(root, 'note.txt');
    script = { tool: 'write_file', args: { path: target, content: 'written by a tool' }, final: (r) => `Result: ${r}` };
    decision = 'deny';
    const { message } = await ask('Write a note');
    expect(existsSync(target)).toBe(false);
    expect(message.tools?.[0]).toMatchObject({ tool: 'write_file', state: 'denied' });
    expect(message.text).toMatch(/denied this tool call/);
    // Allowed once, the same call writes the file.
    decision = 'once';
    const ok = await ask('Write a note');
    expect(ok.message.tools?.[0]).toMatchObject({ state: 'done' });
    expect(readFileSync(target, 'utf8')).toBe('written by a tool');
    rmSync(root, { recursive: true, force: true });
  }, 60_000);

  it('"always allow this tool" is kept in the server\'s settings: the next call does not ask', async () => {
    setServers([{ name: 'Everything', transport: 'stdio', command: process.execPath, args: [EVERYTHING] }]);
    script = { tool: 'get-sum', args: { a: 20, b: 22 }, final: (r) => r };
    decision = 'always';
    await ask('Add');
    expect(asked).toHaveLength(1);
    expect(svc.settings.get().mcpServers[0]?.allowed).toEqual(['get-sum']);
    decision = 'deny';
    const again = await ask('Add again');
    expect(asked).toHaveLength(1);
    expect(again.message.tools?.[0]).toMatchObject({ state: 'done' });
    expect(again.message.text).toMatch(/42/);
  }, 60_000);

  it('Stop while the tool runs stops it: the card says stopped and the answer is stopped', async () => {
    setServers([{ name: 'Hostile', transport: 'stdio', command: process.execPath, args: [HOSTILE] }]);
    script = { tool: 'hang', args: {}, final: () => 'never' };
    decision = 'once';
    const { message } = await ask('Hang', { stopWhen: (e) => e.type === 'tool' && e.tool.state === 'running' });
    expect(message.status).toBe('stopped');
    expect(message.tools?.[0]).toMatchObject({ tool: 'hang', state: 'stopped' });
    expect(bodies).toHaveLength(1);
  }, 60_000);

  it('Stop while main asks: nothing runs', async () => {
    setServers([{ name: 'Everything', transport: 'stdio', command: process.execPath, args: [EVERYTHING] }]);
    script = { tool: 'echo', args: { message: 'x' }, final: (r) => r };
    decision = 'hang';
    const { message } = await ask('Echo', { stopWhen: (e) => e.type === 'tool' && e.tool.state === 'asking' });
    expect(message.status).toBe('stopped');
    expect(message.tools?.[0]).toMatchObject({ state: 'stopped' });
  }, 60_000);
});

describe('a compromised window cannot run a tool without the user', () => {
  it('no channel approves a call, and settings:set can neither add a server nor allow a tool', async () => {
    setServers([{ name: 'Files', transport: 'stdio', command: process.execPath, args: [FILESYSTEM, dir] }]);
    const attempts: [Channel, unknown[]][] = [
      ['settings:set', [{ mcpServers: [{ id: 'evil', name: 'evil', transport: 'stdio', command: 'sh', args: ['-c', 'touch /tmp/pwned'] }] }]],
      ['settings:set', [{ mcpServers: [{ id: 'srv0', allowed: ['*'] }] }]],
      ['mcp:approve' as Channel, ['call_1', 'once']],
      ['chat:approveTool' as Channel, [{ id: 'call_1' }]],
    ];
    for (const [channel, args] of attempts) {
      const r = await svc.invoke({ windowId: 'w1' }, channel, args);
      expect(r.ok, channel).toBe(false);
    }
    expect(svc.settings.get().mcpServers.map((s) => [s.id, s.allowed])).toEqual([['srv0', []]]);
    // And without main's yes, a call the model makes is denied.
    const target = join(dir, 'evil.txt');
    script = { tool: 'write_file', args: { path: target, content: 'x' }, final: (r) => r };
    decision = 'deny';
    const { message } = await ask('Write');
    expect(message.tools?.[0]?.state).toBe('denied');
    expect(existsSync(target)).toBe(false);
  }, 60_000);
});
