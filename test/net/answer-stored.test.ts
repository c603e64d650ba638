/**
 * The app keeps how each answer ended, its whole usage and the provider's own finish value on the message
 * (what the window's ending cards and costs read), streamed or whole, through the same app services the window
 * calls, with recorded provider answers served by the loopback upstream. A provider's error inside the answer is
 * its ending too.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startUpstream, type Upstream } from '../helpers/upstream.ts';
import type { AppServices } from '../../src/main/services/app.ts';
import { testAppServices } from '../helpers/app-services.ts';
import type { ChatStreamEvent, Message } from '../../src/shared/chat.ts';
import type { ArgsIn, Channel, ResultOf } from '../../src/shared/ipc.ts';
import { loadRecorded, serve } from '../helpers/recorded.ts';

const RECORDED = new Map(loadRecorded().map((r) => [r.name, r]));
const rec = (name: string) => RECORDED.get(name)!;

let up: Upstream;
const dirs: string[] = [];
const open: AppServices[] = [];
beforeAll(async () => {
  up = await startUpstream();
});
afterEach(() => up.clear());
afterAll(async () => {
  for (const s of open) await s.close();
  await up?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function call<C extends Channel>(svc: AppServices, channel: C, ...args: ArgsIn<C>): Promise<ResultOf<C>> {
  const r = await svc.invoke({ windowId: 'w1' }, channel, args);
  if (!r.ok) throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
  return r.value;
}

/** An app with one provider of `protocol` on the upstream, streaming `stream`; sends `text` and returns the saved answer. */
async function ask(protocol: 'openai' | 'anthropic' | 'ollama', stream: 'on' | 'off'): Promise<{ svc: AppServices; answer: () => Promise<Message> }> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-stored-'));
  dirs.push(dir);
  const svc = testAppServices(dir);
  open.push(svc);
  const events: ChatStreamEvent[] = [];
  svc.attachWindow('w1', (event, payload) => {
    if (event === 'chat:stream') events.push(payload as ChatStreamEvent);
  });
  svc.hub.ready('w1');
  const baseUrl = protocol === 'openai' ? `${up.url}/v1` : up.url;
  await call(svc, 'providers:save', { name: 'Recorded', preset: 'custom', protocol, baseUrl, apiKey: 'sk-stored0123456789abcdefghij', models: ['m'], defaultModel: 'm' });
  await call(svc, 'settings:set', { network: { proxy: { mode: 'none' }, retries: 0, stream } });
  const convId = (await call(svc, 'conversations:create')).id;
  return {
    svc,
    answer: async () => {
      const sent = await call(svc, 'chat:send', { conversationId: convId, text: 'Hi' });
      const t0 = Date.now();
      for (;;) {
        const end = events.find((e) => e.requestId === sent.requestId && e.type === 'end');
        if (end && end.type === 'end') {
          // What is saved, not only what was sent to the window.
          const saved = (await call(svc, 'conversations:open', convId)).messages.at(-1)!;
          expect(saved).toMatchObject({ id: end.message.id, status: end.message.status });
          return saved;
        }
        if (Date.now() - t0 > 15_000) throw new Error('no end');
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

describe('the ending and usage are kept on the answer', () => {
  it('streamed: cut at the limit (OpenAI length), with its usage', async () => {
    const { answer } = await ask('openai', 'on');
    up.behave(serve(rec('openai/length.stream.sse'), 'whole'));
    const m = await answer();
    expect(m).toMatchObject({ status: 'complete', text: '{"', finishReason: 'length', ending: { reason: 'length', raw: 'length' } });
    expect(m.usage).toMatchObject({ inputTokens: 79, outputTokens: 1, reasoningTokens: 0 });
  });

  it('streamed: Anthropic thinking with cache usage (input counts the cache reads and writes)', async () => {
    const { answer } = await ask('anthropic', 'on');
    up.behave(serve(rec('anthropic/prompt-cache.stream.chunks'), 'whole'));
    const m = await answer();
    expect(m).toMatchObject({ status: 'complete', finishReason: 'end_turn', ending: { reason: 'stop', raw: 'end_turn' } });
    expect(m.usage).toMatchObject({ inputTokens: 9632, outputTokens: 198, cacheReadTokens: 6289, cacheWriteTokens: 3337 });
  });

  it('whole: a refusal keeps the provider\'s words in its ending; tool calls name the tools', async () => {
    const { answer } = await ask('openai', 'off');
    up.behave(serve(rec('openai/refusal.whole.json'), 'whole'));
    const refused = await answer();
    expect(refused).toMatchObject({ status: 'complete', text: '', finishReason: 'stop', ending: { reason: 'refusal', raw: 'stop', refusal: "I'm very sorry, but I can't assist with that." } });
    up.behave(serve(rec('openai/tool-calls.whole.json'), 'whole'));
    const tools = await answer();
    expect(tools).toMatchObject({ status: 'complete', ending: { reason: 'tool_calls', raw: 'tool_calls', tools: ['GetWeatherArgs', 'get_stock_price'] } });
    expect(tools.usage).toMatchObject({ inputTokens: 149, outputTokens: 60 });
  });

  it('streamed: a filtered answer keeps its text and the category; a provider error inside the answer is its ending', async () => {
    const { answer } = await ask('openai', 'on');
    up.behave(serve(rec('zhipu/sensitive.stream.sse'), 'whole'));
    const filtered = await answer();
    expect(filtered).toMatchObject({ status: 'complete', text: 'I cannot', finishReason: 'sensitive', ending: { reason: 'content_filter', raw: 'sensitive', category: 'sensitive' } });
    up.behave(serve(rec('zhipu/network-error.stream.sse'), 'whole'));
    const failed = await answer();
    expect(failed).toMatchObject({ status: 'failed', ending: { reason: 'error', raw: 'network_error' }, error: { code: 'stream_error' } });
  });

  it('reasoning written in <think> tags is the answer\'s reasoning, not its text (vLLM serving Qwen3)', async () => {
    const { answer } = await ask('openai', 'off');
    const r = rec('vllm/qwen3-think-content.whole.json');
    up.behave(serve(r, 'whole'));
    const m = await answer();
    expect(m.text).toBe(r.expect.text);
    expect(m.reasoning).toBe(r.expect.reasoning);
    expect(m.ending).toEqual({ reason: 'stop', raw: 'stop' });
  });
});
