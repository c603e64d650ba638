import { DecodedEvents, LIMITS, limitExceeded, type FrameCounting } from '../limits.ts';
import { ollamaUsage } from '../answer.ts';
import { imagesOf, isObj, joinUrl, parseCommonError, str, textOf, tryJson, type ChatMessage, type ProtocolAdapter, type StreamDecoder, type WireEvent } from './types.ts';
import { applyThinking } from './thinking.ts';
import { ollamaToolBody } from './tools.ts';

/** One answer object (a stream line, or the whole answer) as events. */
function answerEvents(json: Record<string, unknown>, events: WireEvent[], index: { n: number }): void {
  const m = isObj(json.message) ? json.message : undefined;
  const thinking = m ? str(m.thinking) : str(json.thinking);
  if (thinking) events.push({ type: 'reasoning', text: thinking });
  const content = m ? str(m.content) : str(json.response);
  if (content) events.push({ type: 'text', text: content });
  if (m && Array.isArray(m.tool_calls)) {
    for (const tc of m.tool_calls) {
      if (!isObj(tc) || !isObj(tc.function)) continue;
      const f = tc.function;
      const args = typeof f.arguments === 'string' ? f.arguments : f.arguments === undefined ? undefined : JSON.stringify(f.arguments);
      events.push({ type: 'tool_call', call: { index: index.n++, id: str(tc.id), name: str(f.name), ...(args !== undefined ? { arguments: args } : {}) } });
    }
  }
  if (json.done === true) {
    const u = ollamaUsage(json);
    if (u) events.push({ type: 'usage', usage: u });
    events.push({ type: 'finish', reason: str(json.done_reason) ?? 'stop' });
  }
}

/**
 * A message as /api/chat carries it: its text in `content`, and its images beside it as base64 strings
 * (ollama/ollama-js src/interfaces.ts @cdac318b: Message `{role, content: string, images?: Uint8Array[] | string[]}`).
 */
export function ollamaMessage(m: ChatMessage): { role: string; content: string; images?: string[] } {
  const images = imagesOf(m.content).map((p) => p.data);
  return { role: m.role, content: textOf(m.content), ...(images.length ? { images } : {}) };
}

/** Base URLs are accepted with or without a trailing /api. */
const ROOT_SUFFIX = /\/api$/;

function lineEvents(line: string, index: { n: number }): WireEvent[] {
  const t = line.trim();
  if (!t) return [];
  const json = tryJson(t);
  if (!isObj(json)) return [{ type: 'garbage', sample: t.slice(0, 200) }];
  if (json.error !== undefined) {
    const e = parseCommonError(json);
    return [{ type: 'error', message: e?.message ?? t, providerCode: e?.type }];
  }
  const events: WireEvent[] = [];
  answerEvents(json, events, index);
  if (json.done === true) events.push({ type: 'end' });
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
  const index = { n: 0 };
  const out = new DecodedEvents(() => {
    pieces = [];
    pending = 0;
  });
  const line = (l: string): void => {
    if (l.length > LIMITS.lineChars) throw limitExceeded('lineChars');
    if (l.trim() === '') return;
    sawAny = true;
    frames++;
    out.events.push(...lineEvents(l, index));
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
  body: (p, req, stream) => applyThinking({
    model: p.model,
    // messages, and tools with the tool turns of the history (tools.ts)
    ...ollamaToolBody(p, req, ollamaMessage),
    stream,
    ...(req.maxTokens !== undefined || req.temperature !== undefined || req.topP !== undefined
      ? { options: { ...(req.maxTokens !== undefined ? { num_predict: req.maxTokens } : {}), ...(req.temperature !== undefined ? { temperature: req.temperature } : {}), ...(req.topP !== undefined ? { top_p: req.topP } : {}) } }
      : {}),
  }, p, req, stream),
  isStreamContentType: (ct) => /application\/x-ndjson|application\/jsonl|application\/json/i.test(ct),
  createDecoder: ndjsonDecoder,
  parseWhole(json) {
    if (!isObj(json) || (!isObj(json.message) && str(json.response) === undefined)) return undefined;
    const events: WireEvent[] = [];
    answerEvents({ ...json, done: true }, events, { n: 0 });
    return { events };
  },
  parseModels(json) {
    if (!isObj(json) || !Array.isArray(json.models)) return undefined;
    return json.models.map((m) => (isObj(m) ? str(m.name) ?? str(m.model) : undefined)).filter((x): x is string => !!x);
  },
  parseError: parseCommonError,
};
