import { anthropicUsage } from '../answer.ts';
import { sseDecoder } from './sse.ts';
import { applyThinking } from './thinking.ts';
import { anthropicAfterThinking, anthropicToolBody } from './tools.ts';
import { imagesOf, isObj, joinUrl, num, parseCommonError, str, textOf, tryJson, type ChatMessage, type ProtocolAdapter, type WireEvent } from './types.ts';

/** A content block (whole answer, or a stream's content_block_start) as events. */
function blockEvents(b: unknown, index: number, out: WireEvent[]): void {
  if (!isObj(b)) return;
  if (b.type === 'text' && str(b.text)) out.push({ type: 'text', text: str(b.text)! });
  if (b.type === 'thinking') {
    if (str(b.thinking)) out.push({ type: 'reasoning', text: str(b.thinking)! });
    if (str(b.signature)) out.push({ type: 'signature', signature: str(b.signature)! });
  }
  // A client tool the model asks for (server tools, e.g. code execution or web search, Anthropic runs itself).
  if (b.type === 'tool_use') {
    const input = isObj(b.input) && Object.keys(b.input).length > 0 ? JSON.stringify(b.input) : undefined;
    out.push({ type: 'tool_call', call: { index, id: str(b.id), name: str(b.name), ...(input ? { arguments: input } : {}) } });
  }
}

/** The error of an `error` event or body, with the provider's words and type. */
function errorEvent(json: unknown, data: string): WireEvent {
  const e = parseCommonError(json);
  return { type: 'error', message: e?.message ?? data, providerCode: e?.type };
}

/**
 * A message as the Messages API carries it: text as a string, and a message with images as content blocks, each
 * image a base64 source (anthropics/anthropic-sdk-typescript src/resources/messages/messages.ts @f741f921:
 * ImageBlockParam `{type:'image', source}`, Base64ImageSource `{type:'base64', media_type: 'image/jpeg' |
 * 'image/png' | 'image/gif' | 'image/webp', data}`; TextBlockParam `{type:'text', text}`).
 */
export function anthropicMessage(m: ChatMessage): { role: string; content: unknown } {
  if (imagesOf(m.content).length === 0) return { role: m.role, content: textOf(m.content) };
  const blocks = (m.content as Exclude<ChatMessage['content'], string>).map((p) =>
    p.type === 'text' ? { type: 'text', text: p.text } : { type: 'image', source: { type: 'base64', media_type: p.mime, data: p.data } });
  return { role: m.role, content: blocks };
}

/** Base URLs are accepted with or without a trailing /v1. */
const ROOT_SUFFIX = /\/v1$/;

/** Anthropic Messages API. */
export const anthropic: ProtocolAdapter = {
  name: 'anthropic',
  chatUrl: (b) => joinUrl(b, '/v1/messages', ROOT_SUFFIX),
  modelsUrl: (b) => joinUrl(b, '/v1/models', ROOT_SUFFIX),
  headers: (p) => ({
    'content-type': 'application/json',
    'anthropic-version': p.anthropicVersion,
    ...(p.apiKey ? { 'x-api-key': p.apiKey } : {}),
  }),
  body: (p, req, stream) => {
    const system = req.messages.filter((m) => m.role === 'system').map((m) => textOf(m.content)).join('\n\n');
    // max_tokens (required here): the user's, else the model's longest answer; above the thinking budget.
    // messages, and tools with the tool turns of the history (tools.ts); thinking blocks kept only with thinking on.
    return anthropicAfterThinking(applyThinking({
      model: p.model,
      ...anthropicToolBody(p, req, anthropicMessage),
      ...(system ? { system } : {}),
      stream,
      ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
      ...(req.topP !== undefined ? { top_p: req.topP } : {}),
    }, p, req, stream), req);
  },
  isStreamContentType: (ct) => /text\/event-stream/i.test(ct),
  createDecoder: () => {
    // Usage arrives in pieces (message_start: input and cache; message_delta: output, sometimes input again).
    let usage: Record<string, unknown> = {};
    // The blocks that are client tool calls (a server tool's input streams the same way, and is not one).
    const toolBlocks = new Set<number>();
    const usageEvent = (u: unknown, events: WireEvent[]): void => {
      if (!isObj(u)) return;
      usage = { ...usage, ...Object.fromEntries(Object.entries(u).filter(([, v]) => typeof v === 'number')) };
      const normal = anthropicUsage(usage);
      if (normal) events.push({ type: 'usage', usage: normal });
    };
    return sseDecoder((ev) => {
      const json = tryJson(ev.data);
      const type = ev.event ?? (isObj(json) ? str(json.type) : undefined);
      if (type === 'error' || (isObj(json) && json.type === 'error')) return [errorEvent(json, ev.data)];
      if (!isObj(json)) return ev.data.trim() === '' ? [] : [{ type: 'garbage', sample: ev.data.slice(0, 200) }];
      const events: WireEvent[] = [];
      const index = num(json.index) ?? 0;
      switch (type) {
        case 'message_start':
          if (isObj(json.message)) usageEvent(json.message.usage, events);
          break;
        case 'content_block_start':
          if (isObj(json.content_block) && json.content_block.type === 'tool_use') toolBlocks.add(index);
          blockEvents(json.content_block, index, events);
          break;
        case 'content_block_delta': {
          const d = json.delta;
          if (!isObj(d)) break;
          if (d.type === 'text_delta' && str(d.text)) events.push({ type: 'text', text: str(d.text)! });
          if (d.type === 'thinking_delta' && str(d.thinking)) events.push({ type: 'reasoning', text: str(d.thinking)! });
          if (d.type === 'signature_delta' && str(d.signature)) events.push({ type: 'signature', signature: str(d.signature)! });
          if (d.type === 'input_json_delta' && str(d.partial_json) && toolBlocks.has(index)) events.push({ type: 'tool_call', call: { index, arguments: str(d.partial_json)! } });
          break;
        }
        case 'message_delta': {
          const d = json.delta;
          // A refusal's details: its category and the provider's explanation (its words).
          const details = isObj(d) && isObj(d.stop_details) ? d.stop_details : undefined;
          const explanation = details ? str(details.explanation) : undefined;
          if (explanation && isObj(d) && d.stop_reason === 'refusal') events.push({ type: 'refusal', text: explanation });
          if (isObj(d) && str(d.stop_reason)) events.push({ type: 'finish', reason: str(d.stop_reason)!, ...(details && str(details.category) ? { category: str(details.category) } : {}) });
          usageEvent(json.usage, events);
          break;
        }
        case 'message_stop':
          events.push({ type: 'end' });
          break;
        default:
          break; // ping, content_block_stop, unknown future events
      }
      return events;
    });
  },
  parseWhole(json) {
    if (!isObj(json) || !Array.isArray(json.content)) return undefined;
    const events: WireEvent[] = [];
    json.content.forEach((b, i) => blockEvents(b, i, events));
    const details = isObj(json.stop_details) ? json.stop_details : undefined;
    if (details && str(details.explanation) && json.stop_reason === 'refusal') events.push({ type: 'refusal', text: str(details.explanation)! });
    if (str(json.stop_reason)) events.push({ type: 'finish', reason: str(json.stop_reason)!, ...(details && str(details.category) ? { category: str(details.category) } : {}) });
    const u = isObj(json.usage) ? anthropicUsage(json.usage) : undefined;
    if (u) events.push({ type: 'usage', usage: u });
    return { events };
  },
  parseModels(json) {
    if (!isObj(json) || !Array.isArray(json.data)) return undefined;
    return json.data.map((m) => (isObj(m) ? str(m.id) : undefined)).filter((x): x is string => !!x);
  },
  parseError: parseCommonError,
};
