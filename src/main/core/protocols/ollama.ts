import { isObj, joinUrl, num, parseCommonError, str, tryJson, type ProtocolAdapter, type StreamDecoder, type WireEvent } from './types.ts';

/** Base URLs are accepted with or without a trailing /api. */
const ROOT_SUFFIX = /\/api$/;

function lineEvents(line: string): WireEvent[] {
  const t = line.trim();
  if (!t) return [];
  const json = tryJson(t);
  if (!isObj(json)) return [{ type: 'garbage', sample: t.slice(0, 200) }];
  if (json.error !== undefined) {
    const e = parseCommonError(json);
    return [{ type: 'error', message: e?.message ?? t }];
  }
  const events: WireEvent[] = [];
  const m = isObj(json.message) ? json.message : undefined;
  const thinking = m ? str(m.thinking) : undefined;
  if (thinking) events.push({ type: 'reasoning', text: thinking });
  const content = m ? str(m.content) : str(json.response);
  if (content) events.push({ type: 'text', text: content });
  if (json.done === true) {
    events.push({ type: 'usage', usage: { inputTokens: num(json.prompt_eval_count), outputTokens: num(json.eval_count) } });
    events.push({ type: 'finish', reason: str(json.done_reason) ?? 'stop' });
    events.push({ type: 'end' });
  }
  return events;
}

/** NDJSON framing: one JSON object a line (LF or CRLF). Hand-written: it is a line split. */
function ndjsonDecoder(): StreamDecoder {
  let buf = '';
  return {
    push(text) {
      buf += text;
      const out: WireEvent[] = [];
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        out.push(...lineEvents(buf.slice(0, i)));
        buf = buf.slice(i + 1);
      }
      if (buf.length > 0 && /^\s*</.test(buf) && out.length === 0) {
        const sample = buf.slice(0, 200);
        buf = '';
        return [{ type: 'garbage', sample }];
      }
      return out;
    },
    end() {
      const rest = buf;
      buf = '';
      return lineEvents(rest);
    },
  };
}

/** Ollama native API (/api/chat): NDJSON, streams unless stream:false. */
export const ollama: ProtocolAdapter = {
  name: 'ollama',
  chatUrl: (b) => joinUrl(b, '/api/chat', ROOT_SUFFIX),
  modelsUrl: (b) => joinUrl(b, '/api/tags', ROOT_SUFFIX),
  headers: (p) => ({
    'content-type': 'application/json',
    ...(p.apiKey ? { authorization: `Bearer ${p.apiKey}` } : {}),
  }),
  body: (p, req, stream) => ({
    model: p.model,
    messages: req.messages,
    stream,
    ...(req.maxTokens !== undefined || req.temperature !== undefined
      ? { options: { ...(req.maxTokens !== undefined ? { num_predict: req.maxTokens } : {}), ...(req.temperature !== undefined ? { temperature: req.temperature } : {}) } }
      : {}),
  }),
  isStreamContentType: (ct) => /application\/x-ndjson|application\/jsonl|application\/json/i.test(ct),
  createDecoder: ndjsonDecoder,
  parseWhole(json) {
    if (!isObj(json) || (!isObj(json.message) && str(json.response) === undefined)) return undefined;
    const m = isObj(json.message) ? json.message : {};
    return {
      text: str(m.content) ?? str(json.response) ?? '',
      reasoning: str(m.thinking) ?? '',
      usage: { inputTokens: num(json.prompt_eval_count), outputTokens: num(json.eval_count) },
      finishReason: str(json.done_reason),
    };
  },
  parseModels(json) {
    if (!isObj(json) || !Array.isArray(json.models)) return undefined;
    return json.models.map((m) => (isObj(m) ? str(m.name) ?? str(m.model) : undefined)).filter((x): x is string => !!x);
  },
  parseError: parseCommonError,
};
