/**
 * The core against the misbehaving upstream, direct: protocols, failures, retries, fallback, partial text, cancel.
 */
import * as net from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { newCore, of, providerFor, run } from '../helpers/core.ts';
import { startUpstream, type Upstream, CAPTIVE_PORTAL_HTML } from '../helpers/upstream.ts';
import { makeTestCA } from '../helpers/certs.ts';
import { Answer, type Core } from '../../src/main/core/index.ts';

let up: Upstream;
let core: Core;
beforeAll(async () => {
  up = await startUpstream();
});
afterAll(async () => {
  await core?.close();
  await up?.stop();
});
beforeEach(async () => {
  await core?.close();
  core = newCore();
  up.clear();
});

const cfg = (protocol: 'openai' | 'anthropic' | 'ollama' = 'openai', network: Record<string, unknown> = {}, model = 'test-model') => ({
  provider: providerFor(up.url, protocol, model),
  network: { proxy: { mode: 'none' }, ...network },
});

describe('three protocols, streaming and whole', () => {
  for (const protocol of ['openai', 'anthropic', 'ollama'] as const) {
    for (const stream of ['on', 'off'] as const) {
      it(`${protocol} stream=${stream}: text, reasoning, usage, finish reason, auth header`, async () => {
        up.behave({ kind: 'ok', text: '你好, wörld 😀 — done.', reasoning: 'Let me think…', chunkSize: 3 });
        const r = await run(core, cfg(protocol, { stream }));
        expect(r.error).toBeUndefined();
        expect(r.text).toBe('你好, wörld 😀 — done.');
        expect(r.result?.reasoning).toBe('Let me think…');
        expect(r.result?.finishReason).toMatch(/stop|end_turn/);
        expect(r.result?.mode).toBe(stream === 'on' ? 'stream' : 'whole');
        expect(r.result?.usage?.outputTokens).toBeGreaterThan(0);
        const req = up.chatRequests[0]!;
        expect(req.stream).toBe(stream === 'on');
        if (protocol === 'anthropic') {
          expect(req.headers['x-api-key']).toBe('sk-test-0123456789abcdef');
          expect(req.headers['anthropic-version']).toBe('2023-06-01');
        } else {
          expect(req.headers.authorization).toBe('Bearer sk-test-0123456789abcdef');
        }
      });
    }
    it(`${protocol}: UTF-8 split across one-byte network writes, CRLF framing and comments`, async () => {
      up.behave({ kind: 'ok', text: '中文字符 and émojis 🎉🎉', split: 'bytes1', crlf: true, comments: true });
      const r = await run(core, cfg(protocol, { stream: 'on' }));
      expect(r.error).toBeUndefined();
      expect(r.text).toBe('中文字符 and émojis 🎉🎉');
    });
    it(`${protocol}: error sent inside the stream → stream_error with the provider's words`, async () => {
      up.behave({ kind: 'streamError', afterChunks: 2, text: 'abcdefghijklmnop', message: 'Model runner crashed' });
      const r = await run(core, cfg(protocol, { stream: 'on' }));
      expect(r.error?.code).toBe('stream_error');
      expect(r.error?.detail.providerMessage).toContain('Model runner crashed');
      expect(r.error?.detail.partial).toBe(r.text);
      expect(r.text.length).toBeGreaterThan(0);
      expect(up.count()).toBe(1);
    });
  }
  it('vLLM-style `reasoning` field', async () => {
    up.behave({ kind: 'ok', text: 'answer', reasoning: 'thought', reasoningField: 'reasoning' });
    const r = await run(core, cfg('openai', { stream: 'on' }));
    expect(r.result?.reasoning).toBe('thought');
  });
  it('DashScope: HTTP 200 with event:error and :HTTP_STATUS/400', async () => {
    up.behave({ kind: 'streamError', afterChunks: 0, dashscope: true, message: 'Range of input length should be [1, 30720]' });
    const r = await run(core, cfg('openai', { stream: 'on' }));
    expect(r.error?.code).toBe('stream_error');
    expect(r.error?.detail.status).toBe(400);
    expect(r.error?.message).toContain('Range of input length');
    expect(up.count()).toBe(1); // a 400 is not retried
  });
  it('lists models', async () => {
    expect(await core.listModels(cfg('openai'))).toContain('test-model');
    expect((await core.listModels(cfg('ollama'))).length).toBeGreaterThan(0);
  });
});

describe('IPv6', () => {
  it('an upstream on [::1] is reached directly (loopback), streaming', async () => {
    const v6 = await startUpstream({ host: '::1' });
    try {
      const r = await run(core, { provider: providerFor(v6.url), network: { proxy: { mode: 'manual', url: 'http://127.0.0.1:1' } } });
      expect(v6.url).toMatch(/^http:\/\/\[::1\]:\d+$/);
      expect(r.error).toBeUndefined();
      expect(r.text).toBe(v6.defaultText);
      expect(of(r, 'route')[0]?.route).toMatch(/direct \(loopback\)/);
    } finally {
      await v6.stop();
    }
  });
});

describe('failures are classified', () => {
  it('401 → auth_rejected, not retried, provider words kept, key not in the error', async () => {
    up.behave({ kind: 'status', status: 401 });
    const r = await run(core, cfg());
    expect(r.error?.code).toBe('auth_rejected');
    expect(r.error?.detail.providerMessage).toBeTruthy();
    expect(up.count()).toBe(1);
    expect(JSON.stringify(r.error?.toInfo())).not.toContain('sk-test-0123456789abcdef');
  });
  it('404 model → model_not_found (each protocol)', async () => {
    for (const p of ['openai', 'anthropic', 'ollama'] as const) {
      up.behave({ kind: 'status', status: 404 });
      const r = await run(core, cfg(p, {}, 'no-such-model'));
      expect(r.error?.code, p).toBe('model_not_found');
    }
  });
  it('wrong base URL path → not_found', async () => {
    const r = await run(core, { provider: { ...providerFor(up.url, 'ollama'), baseUrl: up.url + '/wrong' }, network: { proxy: { mode: 'none' } } });
    expect(r.error?.code).toBe('not_found');
    expect(r.error?.message).toContain('/wrong/api/chat');
  });
  it('captive portal page with 200 → protocol_error (after trying non-streaming)', async () => {
    up.behave({ kind: 'html' }, { kind: 'html' });
    const r = await run(core, cfg());
    expect(r.error?.code).toBe('protocol_error');
    expect(r.error?.message).toMatch(/web page/);
    expect(CAPTIVE_PORTAL_HTML).toContain('<title>');
  });
  it('nothing listening → connect_refused', async () => {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const port = (srv.address() as net.AddressInfo).port;
    await new Promise((r) => srv.close(r));
    const r = await run(core, { provider: providerFor(`http://127.0.0.1:${port}`), network: { proxy: { mode: 'none' }, retries: 0 } });
    expect(r.error?.code).toBe('connect_refused');
    expect(r.error?.detail.host).toBe(`127.0.0.1:${port}`);
  });
  it('TLS handshake that never completes → connect_timeout within the connect timeout', async () => {
    const sockets: net.Socket[] = [];
    const srv = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const port = (srv.address() as net.AddressInfo).port;
    const r = await run(core, { provider: providerFor(`https://127.0.0.1:${port}`), network: { proxy: { mode: 'none' }, retries: 0, timeouts: { connectMs: 400 } } });
    sockets.forEach((s) => s.destroy());
    await new Promise((r2) => srv.close(r2));
    expect(r.error?.code).toBe('connect_timeout');
    expect(r.ms).toBeLessThan(3000);
  });
  it('server closes during the TLS handshake → tls_handshake_failed', async () => {
    const srv = net.createServer((s) => s.once('data', () => s.destroy()));
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const port = (srv.address() as net.AddressInfo).port;
    const r = await run(core, { provider: providerFor(`https://127.0.0.1:${port}`), network: { proxy: { mode: 'none' }, retries: 0 } });
    await new Promise((r2) => srv.close(r2));
    expect(r.error?.code).toBe('tls_handshake_failed');
  });
  it('untrusted certificate → tls_untrusted naming the issuer; trusted with caFiles', async () => {
    const ca = await makeTestCA();
    const tlsUp = await startUpstream({ tls: { cert: ca.cert, key: ca.key } });
    try {
      const base = { provider: providerFor(tlsUp.url), network: { proxy: { mode: 'none' }, retries: 0 } };
      const bad = await run(core, base);
      expect(bad.error?.code).toBe('tls_untrusted');
      expect(bad.error?.detail.certIssuer).toContain('Parley Test CA');
      expect(bad.error?.hint).toMatch(/CA certificate/);
      const good = await run(core, { ...base, network: { ...base.network, caFiles: [ca.caCertPath] } });
      expect(good.error).toBeUndefined();
      expect(good.text).toBe(tlsUp.defaultText);
      const viaEnv = await run(newCore({ NODE_EXTRA_CA_CERTS: ca.caCertPath }), base);
      expect(viaEnv.error).toBeUndefined();
      const missing = await run(core, { ...base, network: { ...base.network, caFiles: ['/nonexistent/ca.pem'] } });
      expect(missing.error?.code).toBe('config_invalid');
    } finally {
      await tlsUp.stop();
    }
  });
  it('unset ${VAR} → config_unexpanded_env before any request', async () => {
    const r = await run(core, { provider: { ...providerFor(up.url), apiKey: '${PARLEY_TEST_UNSET_KEY}' }, network: { proxy: { mode: 'none' } } });
    expect(r.error?.code).toBe('config_unexpanded_env');
    expect(r.error?.message).toContain('PARLEY_TEST_UNSET_KEY');
    expect(up.requests).toHaveLength(0);
  });
});

describe('retries', () => {
  it('503 twice then success: two announced retries with backoff, three requests', async () => {
    up.behave({ kind: 'status', status: 503 }, { kind: 'status', status: 503 });
    const r = await run(core, cfg('openai', { stream: 'on' }));
    expect(r.error).toBeUndefined();
    expect(r.text).toBe(up.defaultText);
    const retries = of(r, 'retry');
    expect(retries.map((x) => [x.attempt, x.reason, x.delayMs])).toEqual([[1, 'server_error', 500], [2, 'server_error', 1000]]);
    expect(up.count()).toBe(3);
    const gap1 = up.chatRequests[1]!.time - up.chatRequests[0]!.time;
    const gap2 = up.chatRequests[2]!.time - up.chatRequests[1]!.time;
    expect(gap1).toBeGreaterThanOrEqual(480);
    expect(gap2).toBeGreaterThanOrEqual(980);
  });
  it('429 honours retry-after-ms', async () => {
    up.behave({ kind: 'status', status: 429, headers: { 'retry-after-ms': '300' } });
    const r = await run(core, cfg());
    expect(r.error).toBeUndefined();
    expect(of(r, 'retry')).toEqual([expect.objectContaining({ attempt: 1, delayMs: 300, reason: 'rate_limited' })]);
    expect(up.chatRequests[1]!.time - up.chatRequests[0]!.time).toBeGreaterThanOrEqual(290);
  });
  it('429 with a long Retry-After is capped, and the cap is stated', async () => {
    up.behave({ kind: 'status', status: 429, headers: { 'retry-after': '3600' } });
    const ac = new AbortController();
    const r = await run(core, cfg(), { signal: ac.signal, onEvent: (e) => e.type === 'retry' && ac.abort() });
    expect(of(r, 'retry')[0]).toEqual(expect.objectContaining({ delayMs: 60_000, cappedFromMs: 3_600_000 }));
    expect(r.error?.code).toBe('cancelled');
  });
  it('a 429 that outlasts the retries says how many tries were made and when the provider said to try again, not that Parley retries', async () => {
    up.behave(...Array.from({ length: 3 }, () => ({ kind: 'status' as const, status: 429, headers: { 'retry-after': '1' } })));
    const t0 = Date.now();
    const r = await run(core, cfg('openai', { retries: 2, stream: 'on' }));
    expect(r.error?.code).toBe('rate_limited');
    expect(up.count()).toBe(3);
    const info = r.error?.toInfo();
    expect(info).toMatchObject({ attempts: 3, retryAfterMs: 1000 });
    expect(info?.retryAt).toBeGreaterThanOrEqual(t0 + 2000 + 1000);
    expect(info?.hint).not.toMatch(/retries automatically/i);
    // Refused at once (a quota): one try, no attempts to count, nor a wait.
    up.behave({ kind: 'status', status: 429, body: { error: { message: 'You exceeded your current quota, please check your plan and billing details on the dashboard.', type: 'insufficient_quota' } } });
    const q = await run(core, cfg('openai', { retries: 2, stream: 'on' }));
    expect(q.error?.toInfo()).not.toHaveProperty('attempts');
    expect(q.error?.message).toMatch(/on the dashboard\.$/);
  });
  it('retries stop at the configured count', async () => {
    up.behave(...Array.from({ length: 5 }, () => ({ kind: 'status' as const, status: 500 })));
    const r = await run(core, cfg('openai', { retries: 1, stream: 'on' }));
    expect(r.error?.code).toBe('server_error');
    expect(of(r, 'retry')).toHaveLength(1);
    expect(up.count()).toBe(2);
  });
  it('never retried: 401, 403, 404, 400', async () => {
    for (const status of [401, 403, 404, 400]) {
      up.clear();
      up.behave({ kind: 'status', status });
      const r = await run(core, cfg());
      expect(of(r, 'retry'), String(status)).toHaveLength(0);
      expect(up.count()).toBe(1);
    }
  });
  it('a connection reset before the answer is retried', async () => {
    up.behave({ kind: 'reset' });
    const r = await run(core, cfg('openai', { stream: 'off' }));
    expect(r.error).toBeUndefined();
    expect(of(r, 'retry')).toHaveLength(1);
  });
  it('a request that timed out after it was sent is not retried', async () => {
    up.behave({ kind: 'hang' }, { kind: 'hang' });
    const r = await run(core, cfg('openai', { stream: 'off', timeouts: { totalMs: 400 } }));
    expect(r.error?.code).toBe('request_timeout');
    expect(of(r, 'retry')).toHaveLength(0);
    expect(up.count()).toBe(1);
  });
});

describe('time bounds', () => {
  it('stall mid-answer → idle_timeout, partial kept, not retried', async () => {
    up.behave({ kind: 'stall', afterChunks: 2, text: 'one two three four five six' });
    const r = await run(core, cfg('openai', { stream: 'on', timeouts: { idleMs: 400 } }));
    expect(r.error?.code).toBe('idle_timeout');
    expect(r.error?.detail.partial).toBe(r.text);
    expect(r.text.length).toBeGreaterThan(0);
    expect(up.count()).toBe(1);
  });
  it('no response headers within the first-byte timeout (stream) → idle_timeout, not retried', async () => {
    up.behave({ kind: 'hang' }, { kind: 'hang' });
    const r = await run(core, cfg('openai', { stream: 'on', timeouts: { firstByteMs: 300 } }));
    expect(r.error?.code).toBe('idle_timeout');
    expect(of(r, 'retry')).toHaveLength(0);
    expect(up.count()).toBe(1);
  });
  it('total timeout → request_timeout', async () => {
    up.behave({ kind: 'ok', gapMs: 200, chunkSize: 1, text: 'slow slow slow slow' });
    const r = await run(core, cfg('openai', { stream: 'on', timeouts: { totalMs: 700 } }));
    expect(r.error?.code).toBe('request_timeout');
    expect(r.error?.detail.partial).toBe(r.text);
    expect(r.ms).toBeLessThan(2000);
  });
});

describe('streaming → non-streaming fallback (auto)', () => {
  it('502 to the stream request only: falls back, delivers the whole answer as deltas, remembers', async () => {
    up.behave({ kind: 'streamOnly', then: { kind: 'status', status: 502, body: '<html><title>502 Bad Gateway</title></html>', contentType: 'text/html', headers: { server: 'nginx' } } });
    const r = await run(core, cfg('openai', {}));
    expect(r.error).toBeUndefined();
    expect(r.text).toBe(up.defaultText);
    expect(of(r, 'fallback')).toEqual([expect.objectContaining({ from: 'stream', to: 'whole', reason: 'bad_gateway', remembered: false })]);
    expect(of(r, 'delta').length).toBeGreaterThanOrEqual(1);
    expect(up.chatRequests.map((q) => q.stream)).toEqual([true, false]);
    // remembered for this endpoint and route
    const again = await run(core, cfg('openai', {}));
    expect(of(again, 'fallback')).toEqual([expect.objectContaining({ remembered: true, reason: 'bad_gateway' })]);
    expect(up.chatRequests.map((q) => q.stream)).toEqual([true, false, false]);
  });
  it('premature end before any content → falls back', async () => {
    up.behave({ kind: 'end-early', afterChunks: 0 });
    const r = await run(core, cfg('anthropic'));
    expect(r.error).toBeUndefined();
    expect(of(r, 'fallback')[0]?.reason).toBe('stream_interrupted');
  });
  it('no first byte within the idle timeout → falls back', async () => {
    up.behave({ kind: 'stall', afterChunks: 0 });
    const r = await run(core, cfg('ollama', { timeouts: { idleMs: 400 } }));
    expect(r.error).toBeUndefined();
    expect(of(r, 'fallback')[0]?.reason).toBe('idle_timeout');
    expect(r.result?.mode).toBe('whole');
  });
  it("the provider's own 5xx is retried, not blamed on streaming", async () => {
    up.behave({ kind: 'status', status: 503 });
    const r = await run(core, cfg());
    expect(r.error).toBeUndefined();
    expect(of(r, 'fallback')).toHaveLength(0);
    expect(of(r, 'retry')).toHaveLength(1);
    expect(up.chatRequests.map((q) => q.stream)).toEqual([true, true]);
  });
  it('a whole JSON answer to a stream request is used as is, and said', async () => {
    up.behave({ kind: 'json-for-stream' });
    const r = await run(core, cfg());
    expect(r.text).toBe(up.defaultText);
    expect(of(r, 'fallback')[0]?.reason).toBe('protocol_error');
    expect(up.count()).toBe(1);
  });
  it('mode on: no fallback; mode off: never streams', async () => {
    up.behave({ kind: 'streamOnly', then: { kind: 'status', status: 502, body: '<html>bad</html>', contentType: 'text/html' } });
    const on = await run(core, cfg('openai', { stream: 'on', retries: 0 }));
    expect(on.error?.code).toBe('bad_gateway');
    expect(of(on, 'fallback')).toHaveLength(0);
    up.clear();
    const off = await run(core, cfg('openai', { stream: 'off' }));
    expect(off.error).toBeUndefined();
    expect(up.chatRequests.map((q) => q.stream)).toEqual([false]);
  });
  it('when the whole request fails too, streaming is not blamed', async () => {
    const page = { kind: 'status' as const, status: 502, body: '<html><title>502 Bad Gateway</title></html>', contentType: 'text/html' };
    up.behave(page, page);
    const r = await run(core, cfg('openai', { retries: 1 }));
    expect(r.error).toBeUndefined();
    expect(up.chatRequests.map((q) => q.stream)).toEqual([true, false, true]);
    const again = await run(core, cfg());
    expect(of(again, 'fallback')).toHaveLength(0);
  });
});

describe('keep what arrived', () => {
  for (const protocol of ['openai', 'anthropic', 'ollama'] as const) {
    it(`${protocol}: cut after content → stream_interrupted with the partial text, no retry, no fallback`, async () => {
      up.behave({ kind: 'cut', afterChunks: 3, text: 'The quick brown fox jumps over the lazy dog', chunkSize: 4 });
      const r = await run(core, cfg(protocol));
      expect(r.error?.code).toBe('stream_interrupted');
      expect(r.text).toBe('The quick br');
      expect(r.error?.detail.partial).toBe('The quick br');
      expect(of(r, 'fallback')).toHaveLength(0);
      expect(of(r, 'retry')).toHaveLength(0);
      expect(up.count()).toBe(1);
    });
  }
});

describe('the answer, gathered once', () => {
  it('a caller reads what arrived so far from the one Answer the core gathers into (the app saves and shows it while it streams)', async () => {
    up.behave({ kind: 'ok', text: 'Gathered once by the core, read while it streams.', reasoning: 'Thinking first.', chunkSize: 4 });
    const answer = new Answer();
    const seen: string[] = [];
    const result = await core.chat(cfg(), { messages: [{ role: 'user', content: 'Hi' }] }, { answer, sink: (e) => e.type === 'delta' && seen.push(answer.text.toString()) });
    expect(seen.length).toBeGreaterThan(1);
    expect(seen[0]?.length).toBeLessThan(result.text.length);
    expect(seen.at(-1)).toBe('Gathered once by the core, read while it streams.');
    expect(answer.reasoning.toString()).toBe('Thinking first.');
    expect(result.text).toBe(answer.text.toString());
  });
});

describe('cancel', () => {
  it('cancel mid-stream: cancelled, partial kept, nothing left open', async () => {
    const before = process.getActiveResourcesInfo().filter((x) => x === 'Timeout').length;
    up.behave({ kind: 'ok', gapMs: 100, chunkSize: 2, text: 'a b c d e f g h i j k l m n o p' });
    const ac = new AbortController();
    let n = 0;
    const r = await run(core, cfg(), { signal: ac.signal, onEvent: (e) => e.type === 'delta' && ++n === 3 && ac.abort() });
    expect(r.error?.code).toBe('cancelled');
    expect(r.error?.detail.partial).toBe(r.text);
    expect(core.poolSize).toBe(1);
    await core.close();
    expect(core.poolSize).toBe(0);
    await new Promise((res) => setTimeout(res, 100));
    expect(up.connections).toBe(0);
    expect(process.getActiveResourcesInfo().filter((x) => x === 'Timeout').length).toBeLessThanOrEqual(before);
  });
  it('cancel before headers and while waiting to retry', async () => {
    up.behave({ kind: 'hang' });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 150);
    const r = await run(core, cfg(), { signal: ac.signal });
    expect(r.error?.code).toBe('cancelled');
    expect(r.ms).toBeLessThan(2000);
    await core.close();
    await new Promise((res) => setTimeout(res, 100));
    expect(up.connections).toBe(0);
  });
  it('dispatchers are pooled per network settings and route; other settings never cut a running answer', async () => {
    await run(core, cfg());
    await run(core, cfg());
    expect(core.poolSize).toBe(1);
    // A slow answer on the first settings while a request with other settings (another provider's route) runs.
    up.behave({ kind: 'ok', gapMs: 40, chunkSize: 2, text: 'one two three four five six' });
    const slow = run(core, cfg());
    await new Promise((res) => setTimeout(res, 100));
    const other = await run(core, cfg('openai', { timeouts: { connectMs: 1234 } }));
    expect(other.error).toBeUndefined();
    const first = await slow;
    expect(first.error).toBeUndefined();
    expect(first.text).toBe('one two three four five six');
    expect(core.poolSize).toBe(2);
  });
});

describe('name resolution', () => {
  // The OS resolver here is not on loopback, so resolution failures are produced by a resolver that
  // answers like getaddrinfo does for an unknown name: no DNS query leaves the machine.
  const notFound = ((host: string, _opts: unknown, cb: (err: NodeJS.ErrnoException | null, address: string, family: number) => void) => {
    cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND', hostname: host }), '', 0);
  }) as unknown as import('node:net').LookupFunction;

  it('unknown target host → dns_failed naming the host, not retried', async () => {
    const c = (await import('../../src/main/core/index.ts')).createCore({ env: {}, lookup: notFound });
    const r = await run(c, { provider: providerFor('https://api.nonexistent.example/v1'), network: { proxy: { mode: 'none' } } });
    await c.close();
    expect(r.error?.code).toBe('dns_failed');
    expect(r.error?.message).toContain('api.nonexistent.example');
    expect(of(r, 'retry')).toHaveLength(0);
  });
  it('unknown proxy host → proxy_unreachable naming the proxy', async () => {
    const c = (await import('../../src/main/core/index.ts')).createCore({ env: {}, lookup: notFound });
    const r = await run(c, { provider: providerFor('https://api.example.com/v1'), network: { proxy: { mode: 'manual', url: 'http://proxy.nonexistent.example:3128' } } });
    await c.close();
    expect(r.error?.code).toBe('proxy_unreachable');
    expect(r.error?.message).toContain('proxy.nonexistent.example');
  });
});
