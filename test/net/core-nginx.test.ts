/**
 * Reverse proxies that break streams, with real nginx in front of the misbehaving upstream.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { newCore, of, providerFor, run } from '../helpers/core.ts';
import { startUpstream, type Upstream } from '../helpers/upstream.ts';
import { startNginx, type RunningServer } from '../helpers/servers.ts';
import type { Core } from '../../src/main/core/index.ts';

let up: Upstream;
let nginx: RunningServer;
let core: Core;

beforeAll(async () => {
  up = await startUpstream();
  nginx = await startNginx(({ port }) => `
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    # gzip for event streams: nginx holds the stream and releases it at the end
    location /gzipped/ {
      gzip on; gzip_types text/event-stream application/x-ndjson; gzip_min_length 1; gzip_proxied any;
      proxy_set_header Accept-Encoding "";
      proxy_pass http://127.0.0.1:${up.port}/;
    }
    # Parley sends no Accept-Encoding: /gzip/ asks /gzipped/ for gzip and gunzips it for the client.
    location /gzip/ {
      gunzip on;
      proxy_buffering off;
      proxy_set_header Accept-Encoding gzip;
      proxy_pass http://127.0.0.1:${port}/gzipped/;
    }
    # a short read timeout closes a quiet stream
    location /short/ {
      proxy_read_timeout 1s;
      proxy_buffering off;
      proxy_pass http://127.0.0.1:${up.port}/;
    }
    location / {
      proxy_buffering off;
      proxy_pass http://127.0.0.1:${up.port}/;
    }
  `);
}, 60_000);
afterAll(async () => {
  await core?.close();
  await Promise.all([up?.stop(), nginx?.stop()]);
});
beforeEach(async () => {
  await core?.close();
  core = newCore();
  up.clear();
});

const cfg = (prefix: string, protocol: 'openai' | 'anthropic' | 'ollama' = 'openai', network: Record<string, unknown> = {}) => ({
  provider: providerFor(nginx.url + prefix, protocol),
  network: { proxy: { mode: 'none' }, ...network },
});

describe('nginx in front of the provider', () => {
  it('streams pass through an unbuffered reverse proxy', async () => {
    up.behave({ kind: 'ok', text: 'through nginx 你好', chunkSize: 2 });
    const r = await run(core, cfg(''));
    expect(r.error).toBeUndefined();
    expect(r.text).toBe('through nginx 你好');
    expect(r.result?.mode).toBe('stream');
  });
  it('gzip holding the stream: every delta arrives at once at the end, and the whole answer arrives', async () => {
    up.behave({ kind: 'ok', text: 'held back then released', gapMs: 80, chunkSize: 4 });
    const times: number[] = [];
    const t0 = performance.now();
    const r = await run(core, cfg('/gzip', 'openai', { stream: 'on' }), { onEvent: (e) => e.type === 'delta' && times.push(performance.now() - t0) });
    expect(r.error).toBeUndefined();
    expect(r.text).toBe('held back then released');
    // 6 chunks 80 ms apart upstream; held by nginx, they arrive together after the last one was sent.
    expect(times.length).toBeGreaterThanOrEqual(3);
    expect(times[0]!).toBeGreaterThan(300);
    expect(times.at(-1)! - times[0]!).toBeLessThan(50);
  });
  it('502 to stream requests only (upstream resets them): bad_gateway from nginx, falls back to whole', async () => {
    up.behave({ kind: 'streamOnly', then: { kind: 'reset' } }, { kind: 'ok' });
    const r = await run(core, cfg('', 'ollama'));
    expect(r.error).toBeUndefined();
    expect(r.text).toBe(up.defaultText);
    expect(of(r, 'fallback')).toEqual([expect.objectContaining({ reason: 'bad_gateway' })]);
  });
  it('stream on: nginx 502 is reported as bad_gateway naming the intermediary, retried', async () => {
    up.behave({ kind: 'reset' }, { kind: 'reset' });
    const r = await run(core, cfg('', 'openai', { stream: 'on', retries: 1 }));
    expect(r.error?.code).toBe('bad_gateway');
    expect(r.error?.message).toMatch(/nginx/);
    expect(r.error?.detail.providerMessage).toMatch(/502 Bad Gateway/);
    expect(of(r, 'retry')).toHaveLength(1);
  });
  it('proxy_read_timeout closes a quiet stream before content: falls back to whole', async () => {
    up.behave({ kind: 'stall', afterChunks: 0 }, { kind: 'ok', text: 'whole answer after the cut' });
    const r = await run(core, cfg('/short', 'anthropic'));
    expect(r.error).toBeUndefined();
    expect(r.text).toBe('whole answer after the cut');
    expect(of(r, 'fallback')[0]?.reason).toMatch(/stream_interrupted|bad_gateway|server_error/);
  });
  it('proxy_read_timeout after content: the partial text is kept and the cut reported', async () => {
    up.behave({ kind: 'stall', afterChunks: 2, text: 'partial words then silence' });
    const r = await run(core, cfg('/short', 'openai'));
    expect(r.error?.code).toBe('stream_interrupted');
    expect(r.text.length).toBeGreaterThan(0);
    expect(r.error?.detail.partial).toBe(r.text);
    expect(up.count()).toBe(1);
  });
});
