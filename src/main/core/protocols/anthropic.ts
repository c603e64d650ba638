import { sseDecoder } from './sse.ts';
import { isObj, joinUrl, num, parseCommonError, str, tryJson, type ProtocolAdapter, type WireEvent } from './types.ts';

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
    const system = req.messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n\n');
    return {
      model: p.model,
      max_tokens: req.maxTokens ?? 4096,
      messages: req.messages.filter((m) => m.role !== 'system'),
      ...(system ? { system } : {}),
      stream,
      ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
    };
  },
  isStreamContentType: (ct) => /text\/event-stream/i.test(ct),
  createDecoder: () =>
    sseDecoder((ev) => {
      const json = tryJson(ev.data);
      const type = ev.event ?? (isObj(json) ? str(json.type) : undefined);
      if (type === 'error' || (isObj(json) && json.type === 'error')) {
        const e = parseCommonError(json);
        return [{ type: 'error', message: e?.message ?? ev.data, providerCode: e?.type }];
      }
      if (!isObj(json)) return ev.data.trim() === '' ? [] : [{ type: 'garbage', sample: ev.data.slice(0, 200) }];
      const events: WireEvent[] = [];
      switch (type) {
        case 'message_start': {
          const u = isObj(json.message) && isObj(json.message.usage) ? json.message.usage : undefined;
          if (u) events.push({ type: 'usage', usage: { inputTokens: num(u.input_tokens), outputTokens: num(u.output_tokens) } });
          break;
        }
        case 'content_block_start': {
          const b = json.content_block;
          if (isObj(b) && b.type === 'text' && str(b.text)) events.push({ type: 'text', text: str(b.text)! });
          if (isObj(b) && b.type === 'thinking' && str(b.thinking)) events.push({ type: 'reasoning', text: str(b.thinking)! });
          break;
        }
        case 'content_block_delta': {
          const d = json.delta;
          if (isObj(d) && d.type === 'text_delta' && str(d.text)) events.push({ type: 'text', text: str(d.text)! });
          if (isObj(d) && d.type === 'thinking_delta' && str(d.thinking)) events.push({ type: 'reasoning', text: str(d.thinking)! });
          break;
        }
        case 'message_delta': {
          const d = json.delta;
          if (isObj(d) && str(d.stop_reason)) events.push({ type: 'finish', reason: str(d.stop_reason)! });
          if (isObj(json.usage)) events.push({ type: 'usage', usage: { outputTokens: num(json.usage.output_tokens) } });
          break;
        }
        case 'message_stop':
          events.push({ type: 'end' });
          break;
        default:
          break; // ping, content_block_stop, signature deltas, unknown future events
      }
      return events;
    }),
  parseWhole(json) {
    if (!isObj(json) || !Array.isArray(json.content)) return undefined;
    let text = '';
    let reasoning = '';
    for (const b of json.content) {
      if (isObj(b) && b.type === 'text') text += str(b.text) ?? '';
      if (isObj(b) && b.type === 'thinking') reasoning += str(b.thinking) ?? '';
    }
    const u = isObj(json.usage) ? json.usage : undefined;
    return {
      text,
      reasoning,
      usage: u ? { inputTokens: num(u.input_tokens), outputTokens: num(u.output_tokens) } : undefined,
      finishReason: str(json.stop_reason),
    };
  },
  parseModels(json) {
    if (!isObj(json) || !Array.isArray(json.data)) return undefined;
    return json.data.map((m) => (isObj(m) ? str(m.id) : undefined)).filter((x): x is string => !!x);
  },
  parseError: parseCommonError,
};
