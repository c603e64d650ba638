import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ADAPTERS } from '../../src/main/core/protocols/index.ts';
import type { WireEvent } from '../../src/main/core/protocols/types.ts';
import { ParleyError } from '../../src/main/core/errors.ts';
import { LIMITS, formatSize, framesOf } from '../../src/main/core/limits.ts';

/** Splits bytes at the given cut points and decodes each piece with a streaming TextDecoder, as the core does. */
function decodeChunked(protocol: keyof typeof ADAPTERS, bytes: Uint8Array, cuts: number[]): WireEvent[] {
  const dec = ADAPTERS[protocol].createDecoder();
  const td = new TextDecoder();
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const events: WireEvent[] = [];
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    events.push(...dec.push(td.decode(bytes.subarray(prev, p), { stream: true })));
    prev = p;
  }
  events.push(...dec.push(td.decode()));
  events.push(...dec.end());
  return events;
}

const textOf = (evs: WireEvent[], type: 'text' | 'reasoning'): string =>
  evs.filter((e): e is { type: typeof type; text: string } => e.type === type).map((e) => e.text).join('');

function openaiBody(parts: string[], reasoning: string[], eol: string, comments: boolean): string {
  let s = '\uFEFF';
  for (const r of reasoning) s += `data: ${JSON.stringify({ choices: [{ index: 0, delta: { reasoning_content: r } }] })}${eol}${eol}`;
  for (const p of parts) {
    if (comments) s += `: keep-alive${eol}`;
    s += `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: p } }] })}${eol}${eol}`;
  }
  s += `data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}${eol}${eol}`;
  s += `data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 } })}${eol}${eol}data: [DONE]${eol}${eol}`;
  return s;
}

function anthropicBody(parts: string[], reasoning: string[], eol: string): string {
  const ev = (name: string, data: unknown): string => `event: ${name}${eol}data: ${JSON.stringify(data)}${eol}${eol}`;
  let s = ev('message_start', { type: 'message_start', message: { usage: { input_tokens: 7, output_tokens: 1 } } });
  s += ev('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '' } });
  for (const r of reasoning) s += ev('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: r } });
  s += ev('content_block_start', { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } });
  s += ev('ping', { type: 'ping' });
  for (const p of parts) s += ev('content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: p } });
  s += ev('content_block_stop', { type: 'content_block_stop', index: 1 });
  s += ev('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 9 } });
  s += ev('message_stop', { type: 'message_stop' });
  return s;
}

function ollamaBody(parts: string[], reasoning: string[], eol: string): string {
  let s = '';
  for (const r of reasoning) s += JSON.stringify({ message: { role: 'assistant', content: '', thinking: r }, done: false }) + eol;
  for (const p of parts) s += JSON.stringify({ message: { role: 'assistant', content: p }, done: false }) + eol;
  s += JSON.stringify({ message: { role: 'assistant', content: '' }, done: true, done_reason: 'stop', prompt_eval_count: 4, eval_count: 6 }) + eol;
  return s;
}

// Text with multi-byte UTF-8 (CJK, emoji), newlines and JSON-special characters.
const piece = fc.string({ unit: fc.constantFrom('a', 'b', ' ', '\n', '"', '\\', '中', '文', '😀', 'é', '\r', ':', 'data: '), minLength: 1, maxLength: 12 });
const cuts = fc.array(fc.nat(4000), { maxLength: 40 });
const eol = fc.constantFrom('\n', '\r\n', '\r');

describe('stream parsers: same text whatever the chunking', () => {
  it('OpenAI-compatible SSE (BOM, CR/LF/CRLF, comments, reasoning_content, usage, [DONE])', () => {
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 15 }), fc.array(piece, { maxLength: 5 }), eol, fc.boolean(), cuts, (parts, reasoning, e, comments, cs) => {
        const bytes = new TextEncoder().encode(openaiBody(parts, reasoning, e, comments));
        const evs = decodeChunked('openai', bytes, cs);
        expect(textOf(evs, 'text')).toBe(parts.join(''));
        expect(textOf(evs, 'reasoning')).toBe(reasoning.join(''));
        expect(evs.some((x) => x.type === 'end')).toBe(true);
        expect(evs.find((x) => x.type === 'finish')).toEqual({ type: 'finish', reason: 'stop' });
        expect(evs.find((x) => x.type === 'usage')).toEqual({ type: 'usage', usage: { inputTokens: 3, outputTokens: 5, totalTokens: 8 } });
      }),
      { numRuns: 300 },
    );
  });

  it('Anthropic Messages SSE (thinking_delta, text_delta, ping, message_stop)', () => {
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 15 }), fc.array(piece, { maxLength: 5 }), eol, cuts, (parts, reasoning, e, cs) => {
        const evs = decodeChunked('anthropic', new TextEncoder().encode(anthropicBody(parts, reasoning, e)), cs);
        expect(textOf(evs, 'text')).toBe(parts.join(''));
        expect(textOf(evs, 'reasoning')).toBe(reasoning.join(''));
        expect(evs.some((x) => x.type === 'end')).toBe(true);
        expect(evs.find((x) => x.type === 'finish')).toEqual({ type: 'finish', reason: 'end_turn' });
      }),
      { numRuns: 300 },
    );
  });

  it('Ollama NDJSON (LF or CRLF, message.thinking, done:true)', () => {
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 15 }), fc.array(piece, { maxLength: 5 }), fc.constantFrom('\n', '\r\n'), cuts, (parts, reasoning, e, cs) => {
        const evs = decodeChunked('ollama', new TextEncoder().encode(ollamaBody(parts, reasoning, e)), cs);
        expect(textOf(evs, 'text')).toBe(parts.join(''));
        expect(textOf(evs, 'reasoning')).toBe(reasoning.join(''));
        expect(evs.filter((x) => x.type === 'end')).toHaveLength(1);
      }),
      { numRuns: 300 },
    );
  });
});

describe('stream parsers: garbage never crashes', () => {
  for (const protocol of ['openai', 'anthropic', 'ollama'] as const) {
    it(`${protocol}: arbitrary bytes give events or garbage, never an exception`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 600 }), cuts, (bytes, cs) => {
          const evs = decodeChunked(protocol, bytes, cs);
          for (const ev of evs) expect(['text', 'reasoning', 'usage', 'finish', 'end', 'error', 'garbage']).toContain(ev.type);
        }),
        { numRuns: 300 },
      );
    });
    it(`${protocol}: arbitrary SSE/NDJSON-shaped lines never crash`, () => {
      const line = fc.oneof(
        fc.constant('data: [DONE]'),
        fc.json().map((j) => `data: ${j}`),
        fc.json(),
        fc.string().map((s) => `event: ${s}`),
        fc.string().map((s) => `: ${s}`),
        fc.constant(''),
        fc.constant('{"error":"boom"}'),
        fc.constant('data: {"choices":[{"delta":{"content":null}}]}'),
      );
      fc.assert(
        fc.property(fc.array(line, { maxLength: 30 }), cuts, (lines, cs) => {
          decodeChunked(protocol, new TextEncoder().encode(lines.join('\n') + '\n'), cs);
        }),
        { numRuns: 300 },
      );
    });
  }
});

describe('stream parsers: errors and foreign content', () => {
  const decodeAll = (p: keyof typeof ADAPTERS, s: string): WireEvent[] => decodeChunked(p, new TextEncoder().encode(s), []);
  it('OpenAI: error object in a data line', () => {
    const evs = decodeAll('openai', 'data: {"error":{"message":"Rate limit reached","type":"rate_limit_exceeded"}}\n\n');
    expect(evs).toEqual([{ type: 'error', message: 'Rate limit reached', providerCode: 'rate_limit_exceeded', status: undefined }]);
  });
  it('DashScope: HTTP 200 with event:error and :HTTP_STATUS comment', () => {
    const evs = decodeAll('openai', ':HTTP_STATUS/400\nevent:error\ndata:{"code":"InvalidParameter","message":"Range of input length should be [1, 30720]"}\n\n');
    expect(evs).toEqual([{ type: 'error', message: 'Range of input length should be [1, 30720]', providerCode: 'InvalidParameter', status: 400 }]);
  });
  it('Anthropic: event: error overloaded_error', () => {
    const evs = decodeAll('anthropic', 'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n');
    expect(evs).toEqual([{ type: 'error', message: 'Overloaded', providerCode: 'overloaded_error' }]);
  });
  it('Ollama: {"error"} line mid-stream', () => {
    const evs = decodeAll('ollama', '{"message":{"content":"Hi"},"done":false}\n{"error":"model runner has unexpectedly stopped"}\n');
    expect(evs).toEqual([{ type: 'text', text: 'Hi' }, { type: 'error', message: 'model runner has unexpectedly stopped' }]);
  });
  it('an HTML page where a stream was expected is reported as garbage', () => {
    for (const p of ['openai', 'anthropic', 'ollama'] as const) {
      const evs = decodeAll(p, '<!DOCTYPE html><html><title>Login required</title></html>\n');
      expect(evs[0]?.type).toBe('garbage');
    }
  });
  it('an unterminated last SSE event is dropped (WHATWG)', () => {
    const evs = decodeAll('openai', 'data: {"choices":[{"delta":{"content":"a"}}]}\n\ndata: {"choices":[{"delta":{"content":"b"}}]}');
    expect(textOf(evs, 'text')).toBe('a');
  });
});

describe('stream parsers: bounded lines, comments and linear splitting (issue 8)', () => {
  const catchIn = (f: () => unknown): unknown => {
    try {
      f();
    } catch (e) {
      return e;
    }
    return undefined;
  };
  const expectLimit = (e: unknown, message: string): void => {
    expect(ParleyError.is(e), String(e)).toBe(true);
    expect((e as ParleyError).code).toBe('limit_exceeded');
    expect((e as ParleyError).message).toBe(message);
  };
  const LINE = 'An answer line was longer than 1 MB, the most Parley accepts.';
  const deltaLine = (p: keyof typeof ADAPTERS, text: string): string =>
    p === 'ollama' ? JSON.stringify({ message: { role: 'assistant', content: text }, done: false }) + '\n' : `data: ${JSON.stringify(p === 'openai' ? { choices: [{ index: 0, delta: { content: text } }] } : { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } })}\n\n`;
  /** Feeds `total` characters of one line that never ends, in pieces of `piece`; returns what was thrown. */
  const endlessLine = (p: keyof typeof ADAPTERS, total: number, piece: number): unknown => {
    const dec = ADAPTERS[p].createDecoder();
    const start = p === 'ollama' ? '{"message":{"content":"' : 'data: {"choices":[{"delta":{"content":"';
    return catchIn(() => {
      dec.push(start);
      const a = 'a'.repeat(piece);
      for (let n = 0; n < total; n += piece) dec.push(a);
      dec.end();
    });
  };

  for (const p of ['openai', 'anthropic', 'ollama'] as const) {
    it(`${p}: a line that never ends stops at ${formatSize(LIMITS.lineChars)}, whatever the piece size`, () => {
      for (const piece of [1, 1000, 64 * 1024, 3 * 1024 * 1024]) {
        expectLimit(endlessLine(p, LIMITS.lineChars + 2 * piece, piece), LINE);
      }
    });
    it(`${p}: a line just under the limit is accepted`, () => {
      const text = 'x'.repeat(LIMITS.lineChars - 200);
      const evs = decodeChunked(p, new TextEncoder().encode(deltaLine(p, text)), [...Array(40).keys()].map((i) => i * 30_000));
      expect(textOf(evs, 'text')).toBe(text);
    });
    it(`${p}: a line over the limit that does end is refused too`, () => {
      const dec = ADAPTERS[p].createDecoder();
      expectLimit(catchIn(() => dec.push(deltaLine(p, 'x'.repeat(LIMITS.lineChars + 10)))), LINE);
    });
    it(`${p}: events completed before the limit in the same piece come first, then the limit`, () => {
      const dec = ADAPTERS[p].createDecoder();
      const huge = deltaLine(p, 'x'.repeat(LIMITS.lineChars + 10)).replace(/\n+$/, '');
      const evs = dec.push(deltaLine(p, 'kept') + huge);
      expect(textOf(evs, 'text')).toBe('kept');
      expectLimit(catchIn(() => dec.push('more')), LINE);
      expectLimit(catchIn(() => dec.end()), LINE);
    });
    it(`${p}: splitting a long line is linear: 900 KB in 64-byte pieces`, () => {
      const dec = ADAPTERS[p].createDecoder();
      const line = deltaLine(p, 'y'.repeat(900 * 1024));
      const t0 = performance.now();
      const evs: WireEvent[] = [];
      for (let i = 0; i < line.length; i += 64) evs.push(...dec.push(line.slice(i, i + 64)));
      const ms = performance.now() - t0;
      expect(textOf(evs, 'text')).toHaveLength(900 * 1024);
      // Quadratic (join or scan the whole buffer on every piece) takes seconds here; linear takes a few ms.
      expect(ms).toBeLessThan(500);
    });
  }

  it('SSE: data lines without the blank line that ends an event are bounded too', () => {
    const dec = ADAPTERS.openai.createDecoder();
    const line = `data: ${'z'.repeat(1000)}\n`;
    expectLimit(catchIn(() => {
      for (let n = 0; n < LIMITS.lineChars + 10_000; n += line.length) dec.push(line);
    }), LINE);
  });

  it(`SSE: comments kept before an event stop at ${formatSize(LIMITS.commentChars)}; an event starts the count again`, () => {
    const comment = `: keep-alive ${'.'.repeat(50)}\n`;
    const flood = comment.repeat(Math.ceil((2 * LIMITS.commentChars) / comment.length));
    const dec = ADAPTERS.openai.createDecoder();
    expectLimit(catchIn(() => dec.push(flood)), 'The stream sent more than 64 KB of comments without an event, the most Parley keeps.');
    // The same amount spread between events is fine: only the comments before one event are kept.
    const ok = ADAPTERS.openai.createDecoder();
    const half = comment.repeat(Math.floor(LIMITS.commentChars / comment.length / 2));
    const evs = [...ok.push(half + deltaLine('openai', 'a')), ...ok.push(half + deltaLine('openai', 'b')), ...ok.push(half + deltaLine('openai', 'c'))];
    expect(textOf(evs, 'text')).toBe('abc');
  });

  it('SSE: a line that is no SSE field is skipped without being held, however long', () => {
    const dec = ADAPTERS.openai.createDecoder();
    dec.push(deltaLine('openai', 'a'));
    const junk = 'x'.repeat(64 * 1024);
    for (let n = 0; n < 4 * LIMITS.lineChars; n += junk.length) expect(dec.push(junk)).toEqual([]);
    expect(textOf(dec.push('\n' + deltaLine('openai', 'b')), 'text')).toBe('b');
  });

  it('frames count complete events, comment lines and NDJSON lines, never a part of one', () => {
    const sse = ADAPTERS.anthropic.createDecoder();
    const f = (): number | undefined => framesOf(sse);
    expect(f()).toBe(0);
    sse.push('event: ping\ndata: {"type":"ping"}\n\n');
    expect(f()).toBe(1);
    sse.push(': keep-alive\n');
    expect(f()).toBe(2);
    sse.push('event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_d');
    sse.push('elta","text":"hi"}}\n');
    expect(f()).toBe(2);
    sse.push('\n');
    expect(f()).toBe(3);
    const nd = ADAPTERS.ollama.createDecoder();
    nd.push('\n\n{"message":{"content":""},"done":false}');
    expect(framesOf(nd)).toBe(0);
    nd.push('\n');
    expect(framesOf(nd)).toBe(1);
  });
});
