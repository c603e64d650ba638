/**
 * Thinking in the chat service, against the loopback upstream: a conversation's parameters (else its provider's
 * defaults) reach the request; the stream → whole fallback and the title request turn thinking off where the
 * provider demands it (DashScope's Qwen3: 400 "parameter.enable_thinking must be set to false for non-streaming
 * calls") and still answer, the fallback saying its answer has no reasoning; a title gets enough tokens and never
 * fails the chat; reasoning is never sent back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DASHSCOPE_THINKING_400, startUpstream, type Upstream } from '../helpers/upstream.ts';
import type { AppServices } from '../../src/main/services/app.ts';
import { testAppServices } from '../helpers/app-services.ts';
import type { ChatStreamEvent, Conversation, Message } from '../../src/shared/chat.ts';
import type { ArgsIn, Channel, ResultOf } from '../../src/shared/ipc.ts';

const KEY = 'sk-chatThinkingKey0123456789abcdefghij';

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

interface Win {
  events: ChatStreamEvent[];
}

function app(): { svc: AppServices; win: Win } {
  const dir = mkdtempSync(join(tmpdir(), 'parley-thinking-'));
  dirs.push(dir);
  const svc = testAppServices(dir);
  open.push(svc);
  const win: Win = { events: [] };
  svc.attachWindow('w1', (event, payload) => {
    if (event === 'chat:stream') win.events.push(payload as ChatStreamEvent);
  });
  svc.hub.ready('w1');
  return { svc, win };
}

async function call<C extends Channel>(svc: AppServices, channel: C, ...args: ArgsIn<C>): Promise<ResultOf<C>> {
  const r = await svc.invoke({ windowId: 'w1' }, channel, args);
  if (!r.ok) throw Object.assign(new Error(`${channel}: ${r.error.code}: ${r.error.message}`), { info: r.error });
  return r.value;
}

async function ended(win: Win, requestId: string, timeoutMs = 15_000): Promise<Message> {
  const t0 = Date.now();
  for (;;) {
    const end = win.events.find((e) => e.requestId === requestId && e.type === 'end');
    if (end && end.type === 'end') return end.message;
    if (Date.now() - t0 > timeoutMs) throw new Error(`no end for ${requestId}; events: ${JSON.stringify(win.events.slice(-3))}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function titled(win: Win, requestId: string, timeoutMs = 15_000): Promise<string | undefined> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    const t = win.events.find((e) => e.requestId === requestId && e.type === 'title');
    if (t && t.type === 'title') return t.title;
    await new Promise((r) => setTimeout(r, 20));
  }
  return undefined;
}

/** A DashScope-like provider (preset qwen) on the loopback upstream with Qwen3 (thinks by default). */
async function qwen(svc: AppServices, model = 'qwen3-32b', extra: Partial<ArgsIn<'providers:save'>[0]> = {}): Promise<string> {
  await call(svc, 'providers:save', { name: 'Qwen', preset: 'qwen', protocol: 'openai', baseUrl: `${up.url}/compatible-mode/v1`, apiKey: KEY, models: [model], defaultModel: model, ...extra });
  await call(svc, 'settings:set', { network: { proxy: { mode: 'none' }, retries: 0 }, defaults: { autoTitle: true } });
  return (await call(svc, 'conversations:create')).id;
}

const chatBodies = (): Record<string, unknown>[] => up.chatRequests.map((r) => r.body ?? {});

describe('thinking in the chat service', () => {
  it('the upstream answers a whole Qwen3 request that does not turn thinking off with DashScope\'s 400', async () => {
    up.behave({ kind: 'thinkingStreamOnly' });
    const res = await fetch(`${up.url}/compatible-mode/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'qwen3-32b', messages: [{ role: 'user', content: 'hi' }] }) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject(DASHSCOPE_THINKING_400);
  });

  it('Qwen3 on DashScope: the fallback and the title turn thinking off and still answer; the window is told the answer has no reasoning', async () => {
    const { svc, win } = app();
    const convId = await qwen(svc);
    // The stream breaks (a gateway page): the whole request must say enable_thinking false, as must the title's.
    up.behave(
      { kind: 'streamOnly', then: { kind: 'status', status: 502, body: '<html>502 Bad Gateway</html>', contentType: 'text/html' } },
      { kind: 'thinkingStreamOnly', text: 'Whole answer.' },
      { kind: 'thinkingStreamOnly', text: 'Qwen Title' },
    );
    const sent = await call(svc, 'chat:send', { conversationId: convId, text: 'Tell me something' });
    const msg = await ended(win, sent.requestId);
    expect(msg.status).toBe('complete');
    expect(msg.text).toBe('Whole answer.');
    expect(msg.routeInfo?.mode).toBe('whole');
    expect(msg.routeInfo?.fallback).toMatchObject({ reason: 'bad_gateway', noReasoning: true });
    const fb = win.events.find((e) => e.requestId === sent.requestId && e.type === 'notice');
    expect(fb?.type === 'notice' ? fb.notice : null).toMatchObject({ kind: 'fallback', noReasoning: true });
    expect(await titled(win, sent.requestId)).toBe('Qwen Title');
    // The network panel's timeline has it too (the window words it).
    const rec = await call(svc, 'requests:get', sent.requestId);
    expect(rec?.timeline.find((s) => s.type === 'fallback')?.data).toMatchObject({ reason: 'bad_gateway', noReasoning: true });
    const bodies = chatBodies();
    expect(bodies).toHaveLength(3);
    expect(bodies[0]?.stream).toBe(true);
    expect(bodies[0]?.enable_thinking).toBeUndefined();
    expect(bodies.slice(1).map((b) => [b.stream, b.enable_thinking])).toEqual([[false, false], [false, false]]);
  });

  it('behind a host Parley does not know, a whole request refused for thinking is asked again with enable_thinking false: the fallback and the title still answer', async () => {
    const { svc, win } = app();
    await call(svc, 'providers:save', { name: 'Relay', preset: 'custom', protocol: 'openai', baseUrl: `${up.url}/v1`, apiKey: KEY, models: ['qwen3-32b'], defaultModel: 'qwen3-32b' });
    await call(svc, 'settings:set', { network: { proxy: { mode: 'none' }, retries: 0 }, defaults: { autoTitle: true } });
    const convId = (await call(svc, 'conversations:create')).id;
    up.behave(
      { kind: 'streamOnly', then: { kind: 'status', status: 502, body: '<html>502 Bad Gateway</html>', contentType: 'text/html' } },
      { kind: 'thinkingStreamOnly', text: 'Relayed whole.' },
      { kind: 'thinkingStreamOnly', text: 'Relayed whole.' },
      { kind: 'thinkingStreamOnly', text: 'Relay Title' },
      { kind: 'thinkingStreamOnly', text: 'Relay Title' },
    );
    const sent = await call(svc, 'chat:send', { conversationId: convId, text: 'Through a relay' });
    const msg = await ended(win, sent.requestId);
    expect(msg.status).toBe('complete');
    expect(msg.text).toBe('Relayed whole.');
    expect(msg.routeInfo?.fallback).toMatchObject({ reason: 'bad_gateway', noReasoning: true });
    expect(await titled(win, sent.requestId)).toBe('Relay Title');
    const bodies = chatBodies();
    expect(bodies.map((b) => [b.stream, b.enable_thinking])).toEqual([[true, undefined], [false, undefined], [false, false], [false, undefined], [false, false]]);
  });

  it('a title from a model that thinks only in streams and cannot stop (QwQ on DashScope) is asked streamed', async () => {
    const { svc, win } = app();
    const convId = await qwen(svc, 'qwq-plus');
    up.behave({ kind: 'thinkingStreamOnly', text: 'Answer.' }, { kind: 'thinkingStreamOnly', text: 'QwQ Title' });
    const sent = await call(svc, 'chat:send', { conversationId: convId, text: 'Why is the sky blue' });
    expect((await ended(win, sent.requestId)).status).toBe('complete');
    expect(await titled(win, sent.requestId)).toBe('QwQ Title');
    expect(chatBodies().map((b) => b.stream)).toEqual([true, true]);
  });

  it('a conversation\'s parameters reach the request, else the provider\'s defaults; the streamed answer keeps its reasoning', async () => {
    const { svc, win } = app();
    const convId = await qwen(svc, 'qwen-plus', { params: { temperature: 0.3, thinking: { mode: 'on', budgetTokens: 3000 } } });
    await call(svc, 'settings:set', { defaults: { autoTitle: false } });
    up.behave({ kind: 'thinkingStreamOnly', text: 'With thought.' });
    const first = await ended(win, (await call(svc, 'chat:send', { conversationId: convId, text: 'One' })).requestId);
    expect(first.reasoning).toBe('Thinking it over.');
    expect(chatBodies()[0]).toMatchObject({ temperature: 0.3, enable_thinking: true, thinking_budget: 3000 });
    // The conversation's own values win, each on its own (its thinking off; the provider's temperature stays).
    const conv: Conversation = await call(svc, 'conversations:update', convId, { params: { topP: 0.5, maxTokens: 700, thinking: { mode: 'off' } } });
    expect(conv.params).toEqual({ topP: 0.5, maxTokens: 700, thinking: { mode: 'off' } });
    up.behave({ kind: 'ok', text: 'Plain.' });
    await ended(win, (await call(svc, 'chat:send', { conversationId: convId, text: 'Two' })).requestId);
    expect(chatBodies()[1]).toMatchObject({ temperature: 0.3, top_p: 0.5, max_tokens: 700, enable_thinking: false });
    expect(chatBodies()[1]?.thinking_budget).toBeUndefined();
    // Reasoning is never sent back: the history carries the first answer's text only.
    const history = chatBodies()[1]?.messages as { role: string; content: string }[];
    expect(history.map((m) => m.content)).toEqual(['One', 'With thought.', 'Two']);
    expect(JSON.stringify(history)).not.toContain('Thinking it over');
  });

  it('out-of-bounds parameters are refused at the window\'s edge', async () => {
    const { svc } = app();
    const convId = await qwen(svc);
    for (const params of [{ temperature: 3 }, { topP: 1.5 }, { maxTokens: 0 }, { thinking: { mode: 'on', budgetTokens: -1 } }, { thinking: { mode: 'sometimes' } }, { seed: 1 }]) {
      const r = await svc.invoke({ windowId: 'w1' }, 'conversations:update', [convId, { params }]);
      expect(r.ok, JSON.stringify(params)).toBe(false);
    }
  });

  it('a title from a model that always thinks gets enough tokens and loses its think tags; a failed title never fails the chat', async () => {
    const { svc, win } = app();
    const convId = await qwen(svc, 'deepseek-reasoner');
    up.behave({ kind: 'ok', text: 'Answer.' }, { kind: 'ok', text: '<think>The user wants a title.</think>Trip to Paris' });
    const sent = await call(svc, 'chat:send', { conversationId: convId, text: 'Plan a trip to Paris' });
    expect((await ended(win, sent.requestId)).status).toBe('complete');
    expect(await titled(win, sent.requestId)).toBe('Trip to Paris');
    const title = chatBodies()[1];
    expect(title?.max_tokens).toBeGreaterThanOrEqual(4096);
    // A model that can stop thinking is asked to, with a few words' worth of tokens.
    const { svc: svc2, win: win2 } = app();
    const conv2 = await qwen(svc2, 'qwen3-32b');
    up.clear();
    up.behave({ kind: 'ok', text: 'Answer two.' }, { kind: 'status', status: 500 });
    const sent2 = await call(svc2, 'chat:send', { conversationId: conv2, text: 'First question here' });
    const m2 = await ended(win2, sent2.requestId);
    expect(m2.status).toBe('complete');
    expect(m2.text).toBe('Answer two.');
    await up.waitForCount(2);
    expect(chatBodies()[1]).toMatchObject({ enable_thinking: false, max_tokens: 100 });
    expect(await titled(win2, sent2.requestId, 1500)).toBeUndefined();
    const conv = (await call(svc2, 'conversations:list')).find((c) => c.id === conv2);
    expect(conv?.title).toBe('First question here');
  });
});
