/**
 * The request events (src/shared/events.ts) are a closed union, and the one mapping of them to the log's lines
 * and the network panel's steps (timelineEntries) words each variant: the answer's pieces and an error are no
 * entries, a response head is the head and the status the request saw. A variant added to the union without a
 * case there fails the type check (the switch ends in `unreachable(ev)`; see the @ts-expect-error below).
 */
import { describe, expect, it } from 'vitest';
import { headHeader, unreachable, type RequestEvent, type RequestEventType } from '../../src/shared/events.ts';
import { timelineEntries } from '../../src/main/services/diagnostics/logging.ts';

/** One event of every type: a Record over the union's types, so a new type must be listed here too. */
const ONE_OF_EACH: { [K in RequestEventType]: Extract<RequestEvent, { type: K }> } = {
  route: { type: 'route', t: 0, route: 'proxy http://127.0.0.1:3128 (manual)', facts: { via: 'proxy', proxy: 'http://127.0.0.1:3128', source: { kind: 'manual' } } },
  dns: { type: 'dns', t: 1, host: 'api.example.test', address: '127.0.0.1' },
  connect: { type: 'connect', t: 2, where: 'proxy', host: '127.0.0.1:3128' },
  proxy: { type: 'proxy', t: 3, scheme: 'http', target: 'api.example.test:443', status: 200 },
  tls: { type: 'tls', t: 4, where: 'target', host: 'api.example.test', protocol: 'TLSv1.3', issuer: 'Test CA' },
  request: { type: 'request', t: 5, method: 'POST', url: 'https://api.example.test/v1/chat/completions', headers: [headHeader('authorization', 'Bearer sk-abcdefghijklmnopqrstuvwxyz0123')] },
  response: { type: 'response', t: 6, status: 200, statusText: 'OK', headers: [headHeader('content-type', 'text/event-stream')] },
  first_byte: { type: 'first_byte', t: 7 },
  delta: { type: 'delta', t: 7, text: 'Hello' },
  reasoning: { type: 'reasoning', t: 7, text: 'Thinking' },
  retry: { type: 'retry', t: 8, attempt: 1, delayMs: 300, reason: 'rate_limited', message: 'HTTP 429' },
  fallback: { type: 'fallback', t: 9, from: 'stream', to: 'whole', reason: 'bad_gateway', remembered: false },
  usage: { type: 'usage', t: 10, usage: { inputTokens: 12, outputTokens: 3, cacheReadTokens: 8 } },
  finish: { type: 'finish', t: 10, ending: { reason: 'length', raw: 'max_tokens' } },
  dropped: { type: 'dropped', t: 5, field: 'stream_options', reason: 'Unknown field: stream_options' },
  end: { type: 'end', t: 10, mode: 'stream', attempts: 1 },
  error: { type: 'error', t: 11, code: 'connect_refused', message: 'Connection to 127.0.0.1:1 was refused.' },
};

/** A fold that forgets `error`: the type check rejects it (the directive fails the check if it does not). */
export function forgetful(ev: RequestEvent): string {
  switch (ev.type) {
    case 'route': case 'dns': case 'connect': case 'proxy': case 'tls': case 'request': case 'response':
    case 'first_byte': case 'delta': case 'reasoning': case 'retry': case 'fallback': case 'end':
    case 'usage': case 'finish': case 'dropped':
      return ev.type;
    default:
      // @ts-expect-error: 'error' is not handled, so `ev` is not `never`
      return unreachable(ev);
  }
}

describe('request events', () => {
  it('every variant has its timeline entries: steps with their English and their sentence, heads with their headers, no entry for text or an error', () => {
    const got = Object.fromEntries(Object.values(ONE_OF_EACH).map((ev) => [ev.type, timelineEntries(ev).map((e) => `${e.type}:${e.message}`)]));
    expect(got).toEqual({
      route: ['route:route'], dns: ['dns:dns'], connect: ['connect:connect'], proxy: ['proxy:proxy'], tls: ['tls:tls'],
      request: ['request:request'], response: ['response:response', 'status:status headers'], first_byte: ['first_byte:status first_delta'],
      delta: [], reasoning: [], retry: ['retry:retry 1'], fallback: ['fallback:fallback'], end: ['end:status end'], error: [],
      usage: [], finish: [], dropped: [],
    });
    expect(timelineEntries(ONE_OF_EACH.route)[0]?.data).toMatchObject({ via: 'proxy', proxy: 'http://127.0.0.1:3128', source: 'manual', rule: 'manual' });
    expect(timelineEntries(ONE_OF_EACH.tls)[0]?.data).toEqual({ detail: 'target api.example.test TLSv1.3 issuer Test CA', say: 'tls', where: 'target', host: 'api.example.test', protocol: 'TLSv1.3', issuer: 'Test CA' });
    expect(timelineEntries(ONE_OF_EACH.proxy)[0]?.data).toEqual({ detail: 'CONNECT api.example.test:443 → 200', say: 'connectAnswer', target: 'api.example.test:443', status: 200 });
    // An ordinary lookup is a sentence of its own too (the panel words it in the window's language).
    expect(timelineEntries(ONE_OF_EACH.dns)[0]?.data).toEqual({ detail: 'api.example.test → 127.0.0.1', say: 'dns', host: 'api.example.test', address: '127.0.0.1' });
    expect(timelineEntries(ONE_OF_EACH.response)[1]?.data).toEqual({ phase: 'headers', ms: 6, status: 200 });
  });

  it('a credential header is only its scheme and shape; other headers are as they are', () => {
    expect(headHeader('Authorization', 'Bearer sk-abcdefghijklmnopqrstuvwxyz0123')).toEqual({ name: 'authorization', value: 'Bearer sk-…0123 (33 chars)', shape: { scheme: 'Bearer ', chars: 33, head: 'sk-', tail: '0123' } });
    expect(headHeader('x-api-key', 'short')).toEqual({ name: 'x-api-key', value: '[redacted (5 chars)]', shape: { scheme: '', chars: 5 } });
    expect(headHeader('Content-Type', 'application/json')).toEqual({ name: 'content-type', value: 'application/json' });
    expect(forgetful(ONE_OF_EACH.route)).toBe('route');
  });
});
