import { DecodedEvents, LIMITS, limitExceeded, type FrameCounting } from '../limits.ts';
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

/**
 * NDJSON framing: one JSON object a line (LF or CRLF). Hand-written: it is a line split, in linear time (the
 * unterminated line is kept as pieces, joined once when its newline arrives) and bounded: a line longer than
 * `lineChars` throws `limit_exceeded`. `frames` counts non-empty lines: the server's progress, for the idle timer.
 */
function ndjsonDecoder(): StreamDecoder & FrameCounting {
  let pieces: string[] = [];
  let pending = 0;
  let frames = 0;
  let sawAny = false;
  const out = new DecodedEvents(() => {
    pieces = [];
    pending = 0;
  });
  const line = (l: string): void => {
    if (l.length > LIMITS.lineChars) throw limitExceeded('lineChars');
    if (l.trim() === '') return;
    sawAny = true;
    frames++;
    out.events.push(...lineEvents(l));
  };
  return {
    get frames() {
      return frames;
    },
    push(text) {
      return out.run(() => {
        let from = 0;
        let i: number;
        while ((i = text.indexOf('\n', from)) >= 0) {
          const tail = text.slice(from, i);
          line(pieces.length > 0 ? pieces.join('') + tail : tail);
          pieces = [];
          pending = 0;
          from = i + 1;
        }
        if (from < text.length) {
          const rest = text.slice(from);
          if (!sawAny && pieces.length === 0 && /^\s*</.test(rest.slice(0, 64))) {
            // An HTML page (captive portal, proxy error) where a stream was expected.
            sawAny = true;
            out.events.push({ type: 'garbage', sample: rest.slice(0, 200) });
            return;
          }
          pending += rest.length;
          if (pending > LIMITS.lineChars) throw limitExceeded('lineChars');
          pieces.push(rest);
        }
      });
    },
    end() {
      return out.run(() => {
        const rest = pieces.join('');
        pieces = [];
        pending = 0;
        line(rest);
      });
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
