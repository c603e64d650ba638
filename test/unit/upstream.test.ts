import { afterEach, describe, expect, it } from 'vitest';
import { presets, startUpstream } from '../helpers/upstream.ts';
import type { Upstream } from '../helpers/upstream.ts';

let up: Upstream | undefined;
afterEach(async () => {
  await up?.stop();
  up = undefined;
});

function post(url: string, body: object, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

/** Concatenates all OpenAI/Anthropic SSE text deltas or Ollama line contents. */
function textOf(raw: string): string {
  let out = '';
  for (const line of raw.split(/\r?\n/)) {
    const json = line.startsWith('data: ') ? line.slice(6) : line.startsWith('{') ? line : '';
    if (!json || json === '[DONE]') continue;
    const o = JSON.parse(json) as {
      choices?: { delta?: { content?: string | null } }[];
      delta?: { type?: string; text?: string };
      message?: { content?: string };
    };
    out += o.choices?.[0]?.delta?.content ?? (o.delta?.type === 'text_delta' ? (o.delta.text ?? '') : '') + (o.message?.content ?? '');
  }
  return out;
}

describe('fake upstream', () => {
  it('streams a normal answer in each protocol', async () => {
    up = await startUpstream();
    up.behave({ kind: 'ok', text: 'héllo wörld 😀', reasoning: 'think', chunkSize: 3 });

    const oa = await post(`${up.url}/v1/chat/completions`, { model: 'm', stream: true, stream_options: { include_usage: true }, messages: [] }, { authorization: 'Bearer sk-1' });
    expect(oa.headers.get('content-type')).toMatch(/text\/event-stream/);
    const oaRaw = await oa.text();
    expect(textOf(oaRaw)).toBe('héllo wörld 😀');
    expect(oaRaw).toContain('"reasoning_content":"thi"');
    expect(oaRaw).toContain('"finish_reason":"stop"');
    expect(oaRaw).toContain('"total_tokens"');
    expect(oaRaw.trimEnd().endsWith('data: [DONE]')).toBe(true);

    const an = await post(`${up.url}/v1/messages`, { model: 'claude', stream: true, messages: [] }, { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' });
    const anRaw = await an.text();
    expect(textOf(anRaw)).toBe('Hello from upstream');
    expect(anRaw).toContain('event: message_start');
    expect(anRaw.trimEnd().endsWith('event: message_stop\ndata: {"type":"message_stop"}')).toBe(true);

    const ol = await post(`${up.url}/api/chat`, { model: 'llama3', messages: [] });
    expect(ol.headers.get('content-type')).toBe('application/x-ndjson');
    const olLines = (await ol.text()).trim().split('\n');
    expect(textOf(olLines.join('\n'))).toBe('Hello from upstream');
    expect(JSON.parse(olLines.at(-1) ?? '{}')).toMatchObject({ done: true, done_reason: 'stop' });

    expect(up.count()).toBe(3);
    expect(up.count(/messages/)).toBe(1);
    expect(up.requests[0]?.headers.authorization).toBe('Bearer sk-1');
    expect(up.requests[1]?.headers['anthropic-version']).toBe('2023-06-01');
    expect(up.requests.map((r) => r.stream)).toEqual([true, true, true]);
  });

  it('splits into single bytes with CRLF and comments, still parseable', async () => {
    up = await startUpstream();
    up.behave({ kind: 'ok', text: 'ünï😀', split: 'bytes1', crlf: true, comments: true });
    const res = await post(`${up.url}/prefix/v1/chat/completions`, { stream: true });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const parts: Uint8Array[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
    }
    expect(parts.length).toBeGreaterThan(50);
    const raw = Buffer.concat(parts).toString('utf8');
    expect(raw).toContain(': keep-alive\r\n\r\n');
    expect(textOf(raw)).toBe('ünï😀');
  });

  it('serves model lists without consuming the queue', async () => {
    up = await startUpstream();
    up.behave({ kind: 'status', status: 401 });
    const models = (await (await fetch(`${up.url}/v1/models`)).json()) as { data: { id: string }[] };
    expect(models.data[0]?.id).toBe('test-model');
    const tags = (await (await fetch(`${up.url}/api/tags`)).json()) as { models: { name: string }[] };
    expect(tags.models[0]?.name).toBe('llama3:latest');
    expect(up.pending).toBe(1);
    const res = await post(`${up.url}/v1/chat/completions`, {});
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 'invalid_api_key' } });
  });

  it('status behaviours carry headers and bodies', async () => {
    up = await startUpstream();
    up.behave(presets.rateLimited({ retryAfterMs: 50 }), presets.squid502(), { kind: 'status', status: 404 });
    const r1 = await post(`${up.url}/v1/chat/completions`, {});
    expect(r1.status).toBe(429);
    expect(r1.headers.get('retry-after-ms')).toBe('50');
    await r1.text();
    const r2 = await post(`${up.url}/v1/chat/completions`, {});
    expect(r2.status).toBe(502);
    expect(r2.headers.get('server')).toBe('squid/5.7');
    expect(await r2.text()).toContain('<html>');
    const r3 = await post(`${up.url}/v1/messages`, { model: 'claude-x' });
    expect(await r3.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error', message: 'model: claude-x' } });
  });

  it('streamOnly applies only to streaming requests', async () => {
    up = await startUpstream();
    up.behave({ kind: 'streamOnly', then: { kind: 'status', status: 502 } }, { kind: 'streamOnly', then: { kind: 'status', status: 502 } });
    const plain = await post(`${up.url}/v1/chat/completions`, { stream: false });
    expect(plain.status).toBe(200);
    expect(await plain.json()).toMatchObject({ object: 'chat.completion', choices: [{ message: { content: 'Hello from upstream' } }] });
    const streamed = await post(`${up.url}/v1/chat/completions`, { stream: true });
    expect(streamed.status).toBe(502);
    await streamed.text();
  });

  it('cut ends the stream early with an error; end-early ends without the marker', async () => {
    up = await startUpstream();
    up.behave({ kind: 'cut', afterChunks: 2, text: 'aaaaabbbbbccccc' }, { kind: 'end-early', afterChunks: 1 });
    const cut = await post(`${up.url}/v1/chat/completions`, { stream: true });
    expect(cut.status).toBe(200);
    await expect(cut.text()).rejects.toThrow();
    const early = await post(`${up.url}/v1/messages`, { stream: true });
    const raw = await early.text();
    expect(textOf(raw)).toBe('Hello');
    expect(raw).not.toContain('message_stop');
  });

  it('in-stream errors per protocol, including DashScope', async () => {
    up = await startUpstream();
    up.behave({ kind: 'streamError', afterChunks: 1 }, { kind: 'streamError', afterChunks: 0, dashscope: true });
    const an = await (await post(`${up.url}/v1/messages`, { stream: true })).text();
    expect(an).toContain('event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}');
    const ds = await post(`${up.url}/compatible-mode/v1/chat/completions`, { stream: true });
    expect(ds.status).toBe(200);
    const dsRaw = await ds.text();
    expect(dsRaw).toContain(':HTTP_STATUS/400');
    expect(dsRaw).toContain('"code":"InvalidParameter"');
  });

  it('stop() resolves quickly with stalled and hanging connections', async () => {
    up = await startUpstream();
    up.behave({ kind: 'stall', afterChunks: 1 }, { kind: 'hang' });
    const stalled = await post(`${up.url}/v1/chat/completions`, { stream: true });
    const reader = (stalled.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    const hanging = post(`${up.url}/api/chat`, {});
    await up.waitForCount(2);
    const t0 = Date.now();
    await up.stop();
    await up.stop();
    expect(Date.now() - t0).toBeLessThan(500);
    await expect(hanging).rejects.toThrow();
    await expect(reader.read()).rejects.toThrow();
  });
});
