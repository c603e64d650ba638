/**
 * Tools in an answer (MCP): which tools a request offers (every enabled server's, for a model that can use tools),
 * under names every protocol accepts; and one tool call run to its end: asked for approval (main's own prompt,
 * never the window's word), run on its server within its bounds, its card sent to the windows at each change, its
 * result turned into the `tool` message the model reads next. Stop stops the call that is running.
 */
import type { ToolCallPart } from '../../../shared/answer.ts';
import { MAX_TOOL_SHOWN_CHARS, type ToolRun } from '../../../shared/chat.ts';
import type { McpServerEntry, McpTool } from '../../../shared/mcp.ts';
import { ParleyError } from '../../core/errors.ts';
import { words } from '../../../shared/messages/en.ts';
import type { ContentPart, ToolSpec } from '../../core/protocols/types.ts';
import type { McpHub } from '../mcp/hub.ts';
import { emitTo, flush } from './batching.ts';
import type { ChatContext, Writing } from './context.ts';
import type { PlannedMessage } from './history.ts';

/** What the user decides for one call: run it this once, always for this tool, always for its server, or not. */
export type ToolDecision = 'once' | 'always' | 'server' | 'deny';

/** What main asks the user about (its own dialog shows the server, the tool and the arguments). */
export interface ToolApproval {
  conversationId: string;
  serverId: string;
  server: string;
  tool: string;
  description: string;
  /** The arguments' JSON as the model wrote them (shown, bounded). */
  arguments: string;
}

export interface ToolDeps {
  mcp: McpHub;
  servers(): McpServerEntry[];
  /** Main's own prompt (a native dialog in the app; a flag or a terminal question in the CLI). */
  approve(req: ToolApproval, signal: AbortSignal): Promise<ToolDecision>;
  /** Keeps "always" in the server's settings (`allowed`: a tool's name, or '*' for the whole server). */
  allow(serverId: string, tool: string): Promise<void>;
}

/** Tools offered to one request, by the name the model sees. */
export interface OfferedTools {
  specs: ToolSpec[];
  byName: Map<string, McpTool>;
  /** Servers that did not start (named in the log; the answer goes on without their tools). */
  failed: { server: string; error: unknown }[];
}

/** A name every protocol accepts (^[A-Za-z0-9_-]{1,64}$): the tool's own when free, else `server_tool`, unique. */
export function toolName(server: string, tool: string, taken: ReadonlySet<string>): string {
  const clean = (s: string): string => s.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '') || 'tool';
  let name = clean(tool).slice(0, 64);
  if (taken.has(name)) name = `${clean(server).slice(0, 20)}_${clean(tool)}`.slice(0, 64);
  for (let i = 2; taken.has(name); i++) name = `${name.slice(0, 60)}_${i}`;
  return name;
}

/** Every enabled server's tools (each started if it is not running); undefined when there are none. */
export async function offeredTools(deps: ToolDeps, signal?: AbortSignal): Promise<OfferedTools | undefined> {
  if (!deps.servers().some((s) => s.enabled)) return undefined;
  const { tools, failed } = await deps.mcp.tools(signal);
  if (!tools.length) return failed.length ? { specs: [], byName: new Map(), failed } : undefined;
  const byName = new Map<string, McpTool>();
  const specs: ToolSpec[] = [];
  const names = new Map(deps.servers().map((s) => [s.id, s.name]));
  for (const t of tools) {
    const name = toolName(names.get(t.serverId) ?? t.serverId, t.name, new Set(byName.keys()));
    byName.set(name, t);
    specs.push({ name, description: t.description.slice(0, 4000), parameters: t.inputSchema });
  }
  return { specs, byName, failed };
}

/** What the model is told, the same in the app and the CLI. */
export const TOOL_WORDS = {
  unknown: (name: string) => `Error: no tool named "${name}" is available.`,
  denied: 'The user denied this tool call. Do not call it again for this request; answer without it.',
  badArguments: 'Error: the arguments were not a JSON object. Call the tool again with valid JSON arguments.',
  leftOut: (n: number) => `\n[${n} more characters of the result were left out]`,
  failed: (code: string, message: string) => `Error: the tool failed (${code}): ${message}`,
};

/** A call's arguments as the object a tool takes: the model's JSON text ('' is {}), or undefined when it is not an object. */
export function toolArguments(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = text.trim() ? JSON.parse(text) : {};
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const shown = (s: string): string => (s.length > MAX_TOOL_SHOWN_CHARS ? s.slice(0, MAX_TOOL_SHOWN_CHARS) + '…' : s);

function card(ctx: ChatContext, a: Writing, run: ToolRun, runs: ToolRun[]): void {
  const i = runs.findIndex((r) => r.id === run.id);
  if (i === -1) runs.push(run);
  else runs[i] = run;
  flush(ctx, a);
  const seq = ++a.seq;
  emitTo(ctx, a, { requestId: a.requestId, seq, type: 'tool', conversationId: a.conversationId, messageId: a.messageId, tool: run, ...(seq === 1 ? { base: a.prefix } : {}) });
}

/**
 * Runs one call the model made: approval, the call, its card at each change (`runs` holds every card of the
 * answer). Returns the `tool` message for the next request. A stop while it asks or runs throws `cancelled`.
 */
export async function runToolCall(ctx: ChatContext, a: Writing, deps: ToolDeps, offered: OfferedTools, call: ToolCallPart, round: number, runs: ToolRun[]): Promise<PlannedMessage> {
  const tool = offered.byName.get(call.name);
  const reply = (content: string | ContentPart[], isError: boolean): PlannedMessage => ({ role: 'tool', content, toolCallId: call.id, toolName: call.name, ...(isError ? { isError: true } : {}) });
  const server = tool ? deps.servers().find((s) => s.id === tool.serverId) : undefined;
  // A card's id is unique within the answer (a provider that sends no ids gets call_0… again in every round).
  const own = call.id || `call-${runs.length + 1}`;
  const base: ToolRun = { id: runs.some((r) => r.id === own) ? `${own}-r${round}` : own, round, serverId: tool?.serverId ?? '', server: server?.name ?? '', tool: tool?.name ?? call.name, arguments: shown(call.arguments), state: 'asking' };
  if (!tool || !server || !server.enabled) {
    card(ctx, a, { ...base, state: 'failed', isError: true, result: `No tool named "${call.name}" is offered.` }, runs);
    return reply(TOOL_WORDS.unknown(call.name), true);
  }
  const args = toolArguments(call.arguments);
  if (!args) {
    card(ctx, a, { ...base, state: 'failed', isError: true, result: 'The model wrote arguments that are not a JSON object.' }, runs);
    return reply(TOOL_WORDS.badArguments, true);
  }
  const allowed = server.allowed.includes('*') || server.allowed.includes(tool.name);
  if (!allowed) {
    card(ctx, a, base, runs);
    const decision = await deps.approve({ conversationId: a.conversationId, serverId: server.id, server: server.name, tool: tool.name, description: tool.description, arguments: shown(call.arguments) }, a.abort.signal);
    if (a.abort.signal.aborted) {
      card(ctx, a, { ...base, state: 'stopped' }, runs);
      throw new ParleyError('cancelled', 'Stopped.', { phase: 'body' });
    }
    if (decision === 'deny') {
      card(ctx, a, { ...base, state: 'denied' }, runs);
      return reply(TOOL_WORDS.denied, true);
    }
    if (decision === 'always' || decision === 'server') {
      await deps.allow(server.id, decision === 'server' ? '*' : tool.name).catch((e: unknown) => ctx.log.warn('tool allowance not saved', { server: server.name, tool: tool.name, error: e instanceof Error ? e.message : String(e) }));
    }
  }
  card(ctx, a, { ...base, state: 'running' }, runs);
  const t0 = performance.now();
  try {
    const r = await deps.mcp.call(server.id, tool.name, args, { signal: a.abort.signal });
    const durationMs = Math.round(performance.now() - t0);
    card(ctx, a, { ...base, state: r.isError ? 'failed' : 'done', result: shown(r.text + (r.leftOut ? `\n[${r.leftOut} characters left out]` : '')), ...(r.images.length ? { images: r.images.length } : {}), ...(r.isError ? { isError: true } : {}), durationMs }, runs);
    ctx.log.info('tool call', { requestId: a.requestId, server: server.name, tool: tool.name, ms: durationMs, isError: r.isError, chars: r.text.length, images: r.images.length });
    const text = r.text + (r.leftOut ? TOOL_WORDS.leftOut(r.leftOut) : '');
    return r.images.length
      ? reply([{ type: 'text', text }, ...r.images.map((im) => ({ type: 'image' as const, mime: im.mime, data: im.data }))], r.isError)
      : reply(text, r.isError);
  } catch (e) {
    const durationMs = Math.round(performance.now() - t0);
    // Anything but a ParleyError is the server's failure in its own words (the window words the sentence from its key).
    const err = ParleyError.is(e) ? e : new ParleyError('mcp_server_failed', words('mcp_failed', { server: server.name, words: (e instanceof Error ? e.message : String(e)).slice(0, 300) }), { hop: 'target', phase: 'body' });
    if (err.code === 'cancelled' || a.abort.signal.aborted) {
      card(ctx, a, { ...base, state: 'stopped', durationMs }, runs);
      throw new ParleyError('cancelled', 'Stopped.', { phase: 'body' });
    }
    const { partial: _p, ...info } = err.toInfo();
    card(ctx, a, { ...base, state: 'failed', isError: true, error: ctx.deps.redactError(info), durationMs }, runs);
    ctx.log.warn('tool call failed', { requestId: a.requestId, server: server.name, tool: tool.name, code: err.code, ms: durationMs });
    return reply(TOOL_WORDS.failed(err.code, err.message), true);
  }
}
