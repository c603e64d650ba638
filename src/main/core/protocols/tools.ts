/**
 * Tools in a request body, as each protocol defines them (issue 20). The adapters (openai.ts, anthropic.ts,
 * ollama.ts) call these for the `tools` field and for a history that has tool turns; a request without tools and
 * without tool turns keeps the body it had before.
 *
 * Shapes, from the SDKs' own types:
 * - OpenAI chat completions (openai/openai-node src/resources/chat/completions/completions.ts @7b7d6ca7):
 *   ChatCompletionFunctionTool `{type:'function', function: FunctionDefinition {name, description?, parameters?}}`
 *   (src/resources/shared.ts); ChatCompletionAssistantMessageParam `{role:'assistant', content?: string | null
 *   ("Required unless tool_calls … is specified"), tool_calls?: [{id, type:'function', function:{name,
 *   arguments: string}}]}`; ChatCompletionToolMessageParam `{role:'tool', content: string | text parts only,
 *   tool_call_id}`.
 * - Anthropic Messages (anthropics/anthropic-sdk-typescript src/resources/messages/messages.ts @bfa9197f): Tool
 *   `{name, description?, input_schema: {type:'object', properties?, required?, …}}`; ToolUseBlockParam
 *   `{type:'tool_use', id, name, input}`; ThinkingBlockParam `{type:'thinking', thinking, signature}`
 *   ("Thinking blocks must be passed back unmodified"); ToolResultBlockParam `{type:'tool_result', tool_use_id,
 *   content?: string | (TextBlockParam | ImageBlockParam | …)[], is_error?}`, sent in a `user` message.
 * - Ollama /api/chat (ollama/ollama-js src/interfaces.ts @f23d7eeb: Tool `{type, function:{name, description,
 *   parameters}}`, Message `{role, content, thinking?, images?, tool_calls?: [{function:{name, arguments: object}}],
 *   tool_name?}`; ollama/ollama api/types.go @fb307609: Message also takes `tool_call_id`, ToolCall an `id`).
 *
 * Reasoning goes back only where the provider asks for it:
 * - DeepSeek thinking (capabilities `resendWithTools`): "between two user messages, if the model made tool calls,
 *   the assistant's reasoning_content must take part in the context, in all later requests" (api-docs.deepseek.com
 *   guides/thinking_mode; a missing one is a 400 "The reasoning_content in the thinking mode must be passed back").
 *   So every assistant message of a turn that has tool calls carries `reasoning_content` (empty when it had none),
 *   and the others carry none. A model with resendWithTools whose reasoning comes as `<think>` tags in its text
 *   (inlineTags: MiniMax-M2 on its OpenAI-compatible API, whose guide keeps the whole answer, tags included, in the
 *   history of a tool loop) gets it back the same way, `<think>…</think>` before its text.
 * - Anthropic with thinking on: the assistant messages of the current tool loop (after the last user message)
 *   start with their signed thinking blocks; older turns' thinking is left out (a signature is tied to the model
 *   that wrote it, and the API drops old turns' thinking anyway).
 * - Ollama: its tool-calling guide (docs/capabilities/tool-calling.mdx, "Tool calling with streaming") returns the
 *   gathered `thinking` with the `tool_calls` in the follow-up request: the current tool loop's assistant messages
 *   carry it.
 * - Every other model never gets reasoning back.
 *
 * Arguments the model wrote that are not a JSON object (its mistake, or empty for a call without arguments):
 * OpenAI carries the text as written (its `arguments` is a string; empty becomes "{}"); Anthropic and Ollama take
 * an object only, so they get `{}` (the caller's error result for that call should quote what the model wrote).
 *
 * A tool result's images: Anthropic puts image blocks inside the tool_result's content; Ollama puts them in the tool
 * message's `images`; OpenAI's tool messages take text only, so the text says `[image]` where each was and the
 * images follow in one user message after the run of tool messages. Images go only to a model whose capabilities
 * say it sees (vision: true, the user's correction included); otherwise each is `[image]` in the text.
 *
 * Pairing: every tool call is answered by a tool message right after its assistant message (all three providers
 * refuse a call without its result, and a result without its call): a call with no result (a loop stopped before it
 * ran) gets an error result saying it was not run, and a tool message that answers no call of the assistant message
 * before it is left out.
 */
import type { ProviderSettings } from '../../../shared/settings.ts';
import { requestCapabilities } from './thinking.ts';
import { imagesOf, isObj, textOf, tryJson, type ChatMessage, type ChatRequest, type ContentPart, type ToolCallRecord, type ToolSpec } from './types.ts';

/** The text a tool result says for each image it had, where the image cannot go (OpenAI tool messages, no vision). */
export const IMAGE_PLACEHOLDER = '[image]';
/** The result given to a call that has none (the loop stopped or the answer was cut before it ran). */
export const NOT_RUN = 'No result: this tool call was not run.';

/** Whether a request has anything about tools: tools offered, or tool turns in its history. */
export function hasToolTurns(messages: readonly ChatMessage[]): boolean {
  return messages.some((m) => m.role === 'tool' || (m.role === 'assistant' && (m.toolCalls?.length ?? 0) > 0));
}

/** The arguments as an object: the model's JSON when it is an object, else `{}` (empty, not JSON, or not an object). */
export function argumentsObject(text: string): Record<string, unknown> {
  const v = text.trim() === '' ? undefined : tryJson(text);
  return isObj(v) ? v : {};
}

/** The arguments as OpenAI carries them: the text as written, `{}` when empty. */
export function argumentsText(text: string): string {
  return text.trim() === '' ? '{}' : text;
}

/**
 * The history with every call answered right after its assistant message and no result without its call (see
 * above). Results keep their order; the missing ones follow, in the calls' order.
 */
export function pairToolResults(messages: readonly ChatMessage[]): ChatMessage[] {
  if (!hasToolTurns(messages)) return [...messages];
  const out: ChatMessage[] = [];
  let i = 0;
  while (i < messages.length) {
    const m = messages[i]!;
    i++;
    if (m.role === 'tool') continue; // answers no call: its assistant message is not right before it
    out.push(m);
    if (m.role !== 'assistant' || !m.toolCalls?.length) continue;
    const open = new Map(m.toolCalls.map((c) => [c.id, c]));
    while (i < messages.length && messages[i]!.role === 'tool') {
      const r = messages[i]!;
      i++;
      if (r.toolCallId === undefined || !open.has(r.toolCallId)) continue;
      open.delete(r.toolCallId);
      out.push(r);
    }
    for (const c of open.values()) out.push({ role: 'tool', toolCallId: c.id, toolName: c.name, content: NOT_RUN, isError: true });
  }
  return out;
}

/** Index of the first message of the current turn (after the last user message; 0 when there is none). */
export function currentTurnStart(messages: readonly ChatMessage[]): number {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.role === 'user') return i + 1;
  return 0;
}

/** The assistant messages (by index) that belong to a turn, between two user messages, in which tools were called. */
export function toolTurnAssistants(messages: readonly ChatMessage[]): Set<number> {
  const out = new Set<number>();
  let turn: number[] = [];
  let called = false;
  const close = (): void => {
    if (called) for (const i of turn) out.add(i);
    turn = [];
    called = false;
  };
  messages.forEach((m, i) => {
    if (m.role === 'user') close();
    else if (m.role === 'assistant') {
      turn.push(i);
      if (m.toolCalls?.length) called = true;
    }
  });
  close();
  return out;
}

/** A tool result's parts as text, each image said as `[image]` in its place. */
export function resultText(content: string | readonly ContentPart[]): string {
  if (typeof content === 'string') return content;
  return content.map((p) => (p.type === 'text' ? p.text : IMAGE_PLACEHOLDER)).join('\n\n');
}

// ---------------------------------------------------------------------------------------------------------------
// OpenAI

export function openaiTools(tools: readonly ToolSpec[] | undefined): { tools?: unknown[] } {
  if (!tools?.length) return {};
  return { tools: tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } })) };
}

export interface HistoryOptions {
  /** The model sees images (capabilities' vision is true). */
  vision: boolean;
}

/**
 * Chat completions messages for a history with tool turns; `plain` carries a system or user message (and an
 * assistant message without tool calls) as the adapter does without tools.
 */
export function openaiHistory(
  messages: readonly ChatMessage[],
  opts: HistoryOptions & { resendReasoning: boolean; inlineTags?: boolean },
  plain: Plain,
): Record<string, unknown>[] {
  const ms = pairToolResults(messages);
  const withReasoning = opts.resendReasoning ? toolTurnAssistants(ms) : new Set<number>();
  const out: Record<string, unknown>[] = [];
  let pendingImages: { call: ToolCallRecord | undefined; id: string; images: Extract<ContentPart, { type: 'image' }>[] }[] = [];
  const flushImages = (): void => {
    if (!pendingImages.length) return;
    const parts: unknown[] = [];
    for (const r of pendingImages) {
      parts.push({ type: 'text', text: `The image${r.images.length > 1 ? 's' : ''} returned by tool call ${r.id}${r.call ? ` (${r.call.name})` : ''}:` });
      for (const img of r.images) parts.push({ type: 'image_url', image_url: { url: `data:${img.mime};base64,${img.data}` } });
    }
    out.push({ role: 'user', content: parts });
    pendingImages = [];
  };
  const calls = new Map<string, ToolCallRecord>();
  ms.forEach((m, i) => {
    if (m.role !== 'tool') flushImages();
    if (m.role === 'assistant') {
      const text = textOf(m.content);
      const toolCalls = m.toolCalls ?? [];
      for (const c of toolCalls) calls.set(c.id, c);
      if (!toolCalls.length && !withReasoning.has(i)) {
        out.push(plain(m));
        return;
      }
      // A model whose reasoning comes as <think> tags in its text (MiniMax-M2) gets it back the same way.
      const inline = withReasoning.has(i) && opts.inlineTags === true;
      const content = inline && m.reasoning ? `<think>${m.reasoning}</think>\n${text}` : text;
      out.push({
        role: 'assistant',
        content: content === '' && toolCalls.length ? null : content,
        ...(toolCalls.length ? { tool_calls: toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: argumentsText(c.arguments) } })) } : {}),
        ...(withReasoning.has(i) && !inline ? { reasoning_content: m.reasoning ?? '' } : {}),
      });
      return;
    }
    if (m.role === 'tool') {
      const id = m.toolCallId ?? '';
      out.push({ role: 'tool', tool_call_id: id, content: resultText(m.content) });
      const images = imagesOf(m.content);
      if (opts.vision && images.length) pendingImages.push({ call: calls.get(id), id, images });
      return;
    }
    out.push(plain(m));
  });
  flushImages();
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Anthropic

/** A tool_use id as Anthropic takes it (^[a-zA-Z0-9_-]+$): another provider's id with other characters replaced. */
export function anthropicId(id: string): string {
  const s = id.replace(/[^a-zA-Z0-9_-]/g, '_');
  return s === '' ? 'toolu_' : s;
}

export function anthropicTools(tools: readonly ToolSpec[] | undefined): { tools?: unknown[] } {
  if (!tools?.length) return {};
  return {
    tools: tools.map((t) => ({
      name: t.name,
      description: t.description,
      // InputSchema requires `type: 'object'` (MCP's inputSchema is one; a schema without the type gets it).
      input_schema: { ...t.parameters, type: 'object' },
    })),
  };
}

/** Content blocks of a user message (text and images), for appending after tool results. */
function anthropicBlocks(m: ChatMessage): unknown[] {
  if (typeof m.content === 'string') return m.content === '' ? [] : [{ type: 'text', text: m.content }];
  return m.content.flatMap<unknown>((p) =>
    p.type === 'text'
      ? (p.text === '' ? [] : [{ type: 'text', text: p.text }])
      : [{ type: 'image', source: { type: 'base64', media_type: p.mime, data: p.data } }]);
}

function toolResultBlock(m: ChatMessage, vision: boolean): Record<string, unknown> {
  const images = imagesOf(m.content);
  let content: unknown;
  if (vision && images.length) {
    content = anthropicBlocks(m);
  } else {
    const text = resultText(m.content);
    content = text === '' ? undefined : text;
  }
  return {
    type: 'tool_result',
    tool_use_id: anthropicId(m.toolCallId ?? ''),
    ...(content !== undefined ? { content } : {}),
    ...(m.isError ? { is_error: true } : {}),
  };
}

/**
 * Messages API messages (system messages left out: the adapter sends them as `system`) for a history with tool
 * turns. Consecutive tool results are one user message of tool_result blocks, and a user message right after them
 * joins it (its text and images after the results). `thinking`: thinking is on in this request, so the current
 * loop's signed reasoning goes back first in its assistant messages.
 */
export function anthropicHistory(
  messages: readonly ChatMessage[],
  opts: HistoryOptions & { thinking: boolean },
  plain: Plain,
): Record<string, unknown>[] {
  const ms = pairToolResults(messages.filter((m) => m.role !== 'system'));
  const loop = currentTurnStart(ms);
  const out: Record<string, unknown>[] = [];
  /** The user message being built of tool results (still open for more results or the next question). */
  let results: unknown[] | undefined;
  ms.forEach((m, i) => {
    if (m.role === 'tool') {
      if (!results) {
        results = [];
        out.push({ role: 'user', content: results });
      }
      results.push(toolResultBlock(m, opts.vision));
      return;
    }
    if (m.role === 'user' && results) {
      results.push(...anthropicBlocks(m));
      results = undefined;
      return;
    }
    results = undefined;
    if (m.role !== 'assistant') {
      out.push(plain(m));
      return;
    }
    const signed = opts.thinking && i >= loop && m.reasoningSignature !== undefined && m.reasoningSignature !== '';
    const toolCalls = m.toolCalls ?? [];
    if (!signed && !toolCalls.length) {
      out.push(plain(m));
      return;
    }
    const text = textOf(m.content);
    out.push({
      role: 'assistant',
      content: [
        ...(signed ? [{ type: 'thinking', thinking: m.reasoning ?? '', signature: m.reasoningSignature }] : []),
        ...(text !== '' ? [{ type: 'text', text }] : []),
        ...toolCalls.map((c) => ({ type: 'tool_use', id: anthropicId(c.id), name: c.name, input: argumentsObject(c.arguments) })),
      ],
    });
  });
  return out;
}

/**
 * Anthropic with thinking on refuses a tool loop whose assistant message does not start with its thinking block
 * ("When `thinking` is enabled, a final `assistant` message must start with a thinking block"): true when the
 * current loop has an assistant message with tool calls and no signed reasoning (thinking was off when it was
 * written, or the answer came from another provider), so the request goes without thinking.
 */
export function anthropicLoopUnsigned(messages: readonly ChatMessage[]): boolean {
  const ms = messages.filter((m) => m.role !== 'system');
  const loop = currentTurnStart(ms);
  return ms.slice(loop).some((m) => m.role === 'assistant' && (m.toolCalls?.length ?? 0) > 0 && !m.reasoningSignature);
}

// ---------------------------------------------------------------------------------------------------------------
// Ollama

export function ollamaTools(tools: readonly ToolSpec[] | undefined): { tools?: unknown[] } {
  if (!tools?.length) return {};
  return { tools: tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } })) };
}

/** /api/chat messages for a history with tool turns; `plain` carries the others as the adapter does without tools. */
export function ollamaHistory(
  messages: readonly ChatMessage[],
  opts: HistoryOptions,
  plain: Plain,
): Record<string, unknown>[] {
  const ms = pairToolResults(messages);
  const loop = currentTurnStart(ms);
  return ms.map((m, i) => {
    if (m.role === 'tool') {
      const images = imagesOf(m.content).map((p) => p.data);
      const withImages = opts.vision && images.length > 0;
      return {
        role: 'tool',
        content: withImages ? textOf(m.content) : resultText(m.content),
        ...(withImages ? { images } : {}),
        ...(m.toolName ? { tool_name: m.toolName } : {}),
        ...(m.toolCallId ? { tool_call_id: m.toolCallId } : {}),
      };
    }
    if (m.role !== 'assistant' || (!m.toolCalls?.length && !(i >= loop && m.reasoning))) return plain(m);
    return {
      role: 'assistant',
      content: textOf(m.content),
      ...(i >= loop && m.reasoning ? { thinking: m.reasoning } : {}),
      ...(m.toolCalls?.length ? { tool_calls: m.toolCalls.map((c) => ({ id: c.id, function: { name: c.name, arguments: argumentsObject(c.arguments) } })) } : {}),
    };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The adapters' entry points: a request's messages and tools, with its model's capabilities.

type Plain = (m: ChatMessage) => { role: string; content: unknown };

/** Chat completions `messages` and `tools` (no `tools` field when none are offered). */
export function openaiToolBody(p: ProviderSettings, req: ChatRequest, plain: Plain): { messages: unknown[]; tools?: unknown[] } {
  if (!hasToolTurns(req.messages)) return { messages: req.messages.map(plain), ...openaiTools(req.tools) };
  const caps = requestCapabilities(p, req);
  const messages = openaiHistory(req.messages, {
    vision: caps.vision === true, resendReasoning: caps.thinking?.resendWithTools === true, inlineTags: caps.thinking?.inlineTags === true,
  }, plain);
  return { messages, ...openaiTools(req.tools) };
}

/** Messages API `messages` (system messages left out) and `tools`; then `anthropicAfterThinking` on the whole body. */
export function anthropicToolBody(p: ProviderSettings, req: ChatRequest, plain: Plain): { messages: unknown[]; tools?: unknown[] } {
  const rest = req.messages.filter((m) => m.role !== 'system');
  if (!hasToolTurns(rest)) return { messages: rest.map(plain), ...anthropicTools(req.tools) };
  const caps = requestCapabilities(p, req);
  return { messages: anthropicHistory(rest, { vision: caps.vision === true, thinking: true }, plain), ...anthropicTools(req.tools) };
}

/**
 * The body once thinking is decided (thinking.ts): with thinking off, the signed thinking blocks are taken out
 * again; with thinking on and a current loop whose tool calls came without signed thinking, the request goes with
 * thinking disabled (one thinking configuration per assistant turn: the loop began without it).
 */
export function anthropicAfterThinking(body: Record<string, unknown>, req: ChatRequest): Record<string, unknown> {
  if (!hasToolTurns(req.messages)) return body;
  let on = isObj(body.thinking) && body.thinking.type !== 'disabled';
  if (on && anthropicLoopUnsigned(req.messages)) {
    body.thinking = { type: 'disabled' };
    on = false;
  }
  if (!on && Array.isArray(body.messages)) {
    body.messages = body.messages.map((m: unknown) => {
      if (!isObj(m) || m.role !== 'assistant' || !Array.isArray(m.content)) return m;
      return { ...m, content: m.content.filter((b: unknown) => !(isObj(b) && b.type === 'thinking')) };
    });
  }
  return body;
}

/** /api/chat `messages` and `tools`. */
export function ollamaToolBody(p: ProviderSettings, req: ChatRequest, plain: Plain): { messages: unknown[]; tools?: unknown[] } {
  if (!hasToolTurns(req.messages)) return { messages: req.messages.map(plain), ...ollamaTools(req.tools) };
  const caps = requestCapabilities(p, req);
  return { messages: ollamaHistory(req.messages, { vision: caps.vision === true }, plain), ...ollamaTools(req.tools) };
}
