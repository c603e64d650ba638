import { openaiUsage } from '../answer.ts';
import { sseDecoder } from './sse.ts';
import { applyThinking } from './thinking.ts';
import { openaiToolBody } from './tools.ts';
import { imagesOf, isObj, joinUrl, num, parseCommonError, str, textOf, tryJson, type ChatMessage, type ProtocolAdapter, type WireEvent } from './types.ts';

function statusFromComments(comments: string[]): number | undefined {
  for (const c of comments) {
    const m = /^HTTP_STATUS\/(\d{3})/.exec(c);
    if (m) return Number(m[1]);
  }
  return undefined;
}

/** A thinking part's text: a string, or Mistral's list of `{type:'text', text}` chunks. */
function thinkingText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (!Array.isArray(v)) return '';
  return v.map((c) => (isObj(c) ? str(c.text) ?? '' : typeof c === 'string' ? c : '')).join('');
}

/**
 * `content` as a string, or as a list of parts: `{type:'text', text}` and Mistral's (Magistral)
 * `{type:'thinking', thinking:[{type:'text', text}]}`, which is reasoning.
 */
function contentEvents(c: unknown, out: WireEvent[]): void {
  if (typeof c === 'string') {
    if (c) out.push({ type: 'text', text: c });
    return;
  }
  if (!Array.isArray(c)) return;
  for (const part of c) {
    if (typeof part === 'string') {
      if (part) out.push({ type: 'text', text: part });
    } else if (isObj(part) && part.type === 'thinking') {
      const t = thinkingText(part.thinking);
      if (t) out.push({ type: 'reasoning', text: t });
    } else if (isObj(part) && (part.type === 'text' || part.type === undefined)) {
      const t = str(part.text);
      if (t) out.push({ type: 'text', text: t });
    }
  }
}

const argText = (v: unknown): string | undefined => (typeof v === 'string' ? v : v === undefined || v === null ? undefined : JSON.stringify(v));

/** One choice's delta (stream) or message (whole): reasoning, refusal, content, tool calls. */
function messageEvents(d: Record<string, unknown>, out: WireEvent[]): void {
  const reasoning = str(d.reasoning_content) ?? str(d.reasoning);
  if (reasoning) out.push({ type: 'reasoning', text: reasoning });
  const refusal = str(d.refusal);
  if (refusal) out.push({ type: 'refusal', text: refusal });
  contentEvents(d.content, out);
  if (Array.isArray(d.tool_calls)) {
    d.tool_calls.forEach((tc, i) => {
      if (!isObj(tc)) return;
      const f = isObj(tc.function) ? tc.function : {};
      const call = { index: num(tc.index) ?? i, id: str(tc.id), name: str(f.name), arguments: argText(f.arguments) };
      out.push({ type: 'tool_call', call });
    });
  }
  if (isObj(d.function_call)) {
    // The legacy single function call.
    out.push({ type: 'tool_call', call: { index: 0, name: str(d.function_call.name), arguments: argText(d.function_call.arguments) } });
  }
}

/**
 * The provider's finish value, and for a filtered answer the category that tripped the filter where the
 * provider names one (Azure OpenAI's content_filter_results: the first category with `filtered: true`).
 */
function finishEvent(c: Record<string, unknown>): WireEvent | undefined {
  const reason = str(c.finish_reason);
  if (!reason) return undefined;
  const results = isObj(c.content_filter_results) ? c.content_filter_results : undefined;
  const category = reason === 'content_filter' && results ? Object.keys(results).find((k) => isObj(results[k]) && results[k].filtered === true) : undefined;
  return { type: 'finish', reason, ...(category ? { category } : {}) };
}

/** Choice 0 only: the others (n > 1) are other answers, not more of this one. */
function choiceZero(choices: unknown): Record<string, unknown> | undefined {
  if (!Array.isArray(choices)) return undefined;
  const c = choices.find((x, i) => isObj(x) && (num(x.index) ?? i) === 0);
  return isObj(c) ? c : undefined;
}

/** An error inside a 200 answer: `error` (OpenAI, OpenRouter, llama.cpp), vLLM's `{object:'error'}`, MiniMax's non-zero `base_resp`. */
function isErrorChunk(json: unknown): boolean {
  if (!isObj(json)) return false;
  if (json.error !== undefined && json.error !== null) return true;
  if (json.object === 'error') return true;
  return isObj(json.base_resp) && typeof json.base_resp.status_code === 'number' && json.base_resp.status_code !== 0;
}

/** An error object inside a 200 answer (OpenAI, OpenRouter with `metadata.raw`), as an event. */
function errorEvent(json: unknown, fallback: string, status?: number): WireEvent {
  const e = parseCommonError(json);
  const codeNum = isObj(json) ? (isObj(json.error) ? num(json.error.code) : num(json.code)) : undefined;
  return {
    type: 'error', message: e?.message ?? (fallback || 'error event'), providerCode: e?.type,
    ...(status !== undefined ? { status } : codeNum !== undefined && codeNum >= 400 && codeNum < 600 ? { status: codeNum } : {}),
    ...(e?.raw ? { raw: e.raw } : {}), ...(e?.providerName ? { providerName: e.providerName } : {}),
  };
}

/**
 * A message as chat completions carries it: text as a string (some compatible endpoints, DeepSeek's among them,
 * take only a string), and a message with images as content parts, each image a data: URL of its base64 bytes
 * (openai/openai-node src/resources/chat/completions/completions.ts @2f679e61: ChatCompletionContentPartText
 * `{type:'text', text}`, ChatCompletionContentPartImage `{type:'image_url', image_url:{url, detail?}}`, the url
 * "either a URL of the image or the base64 encoded image data").
 */
export function openaiMessage(m: ChatMessage): { role: string; content: unknown } {
  if (imagesOf(m.content).length === 0) return { role: m.role, content: textOf(m.content) };
  const parts = (m.content as Exclude<ChatMessage['content'], string>).map((p) =>
    p.type === 'text' ? { type: 'text', text: p.text } : { type: 'image_url', image_url: { url: `data:${p.mime};base64,${p.data}` } });
  return { role: m.role, content: parts };
}

/** OpenAI-compatible chat completions: OpenAI, DeepSeek, Moonshot, DashScope compatible mode, LiteLLM, vLLM. */
export const openai: ProtocolAdapter = {
  name: 'openai',
  chatUrl: (b) => joinUrl(b, '/chat/completions'),
  modelsUrl: (b) => joinUrl(b, '/models'),
  headers: (p) => ({
    'content-type': 'application/json',
    ...(p.apiKey ? { authorization: `Bearer ${p.apiKey}` } : {}),
  }),
  body: (p, req, stream) => applyThinking({
    model: p.model,
    // messages, and tools with the tool turns of the history (tools.ts)
    ...openaiToolBody(p, req, openaiMessage),
    stream,
    ...(stream ? { stream_options: { include_usage: true } } : {}),
    ...(req.maxTokens !== undefined ? { max_tokens: req.maxTokens } : {}),
    ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
    ...(req.topP !== undefined ? { top_p: req.topP } : {}),
  }, p, req, stream),
  isStreamContentType: (ct) => /text\/event-stream/i.test(ct),
  createDecoder: () =>
    sseDecoder((ev, comments) => {
      const data = ev.data.trim();
      if (data === '[DONE]') return [{ type: 'end' }];
      const json = tryJson(data);
      const status = statusFromComments(comments);
      // An error chunk, with or without `choices` (OpenRouter sends both, the choice saying finish_reason "error");
      // vLLM's error object; MiniMax's base_resp with a non-zero status.
      if (ev.event === 'error' || isErrorChunk(json)) return [errorEvent(json, data, status)];
      if (!isObj(json)) return data === '' ? [] : [{ type: 'garbage', sample: data.slice(0, 200) }];
      const events: WireEvent[] = [];
      const c0 = choiceZero(json.choices);
      if (c0) {
        const d = isObj(c0.delta) ? c0.delta : isObj(c0.message) ? c0.message : {};
        messageEvents(d, events);
        const fin = finishEvent(c0);
        if (fin) events.push(fin);
      }
      // Moonshot (Kimi) puts a stream's usage in its choice; Groq (before it sent `usage`) in `x_groq.usage`.
      const groq = isObj(json.x_groq) ? json.x_groq.usage : undefined;
      const u = openaiUsage(json.usage) ?? (c0 ? openaiUsage(c0.usage) : undefined) ?? openaiUsage(groq);
      if (u) events.push({ type: 'usage', usage: u });
      return events;
    }),
  parseWhole(json) {
    if (!isObj(json) || isErrorChunk(json) || !Array.isArray(json.choices)) return undefined;
    const c0 = choiceZero(json.choices);
    if (!c0 || !isObj(c0.message)) return undefined;
    const events: WireEvent[] = [];
    messageEvents(c0.message, events);
    const fin = finishEvent(c0);
    if (fin) events.push(fin);
    const u = openaiUsage(json.usage);
    if (u) events.push({ type: 'usage', usage: u });
    return { events };
  },
  parseModels(json) {
    if (!isObj(json) || !Array.isArray(json.data)) return undefined;
    return json.data.map((m) => (isObj(m) ? str(m.id) : undefined)).filter((x): x is string => !!x);
  },
  parseError: parseCommonError,
};
