/**
 * The chat in main, through the same app services the window calls (IPC contract), against the project's
 * misbehaving upstream: events addressed to the window that asked, with a request id and growing sequence
 * numbers, gathered to about one per frame; the answer saved as it arrives; stop, continue, retry,
 * regenerate and edit; a window that reloads catches up; a failure becomes a message with its code, hint
 * and the provider's own words.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startUpstream, type Upstream } from '../helpers/upstream.ts';
import type { AppServices } from '../../src/main/services/app.ts';
import { testAppServices } from '../helpers/app-services.ts';
import type { ChatStreamEvent, Message } from '../../src/shared/chat.ts';
import type { ArgsIn, Channel, ResultOf } from '../../src/shared/ipc.ts';

const KEY = 'sk-chatServiceKey0123456789abcdefghij';

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
  id: string;
  events: ChatStreamEvent[];
}

function app(dataDir?: string): { svc: AppServices; win: Win; dataDir: string; window(id: string): Win } {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'parley-chat-'));
  if (!dataDir) dirs.push(dir);
  const svc = testAppServices(dir);
  open.push(svc);
  const window = (id: string): Win => {
    const w: Win = { id, events: [] };
    svc.attachWindow(id, (event, payload) => {
      if (event === 'chat:stream') w.events.push(payload as ChatStreamEvent);
    });
    return w;
  };
  const win = window('w1');
  svc.hub.ready('w1');
  return { svc, win, dataDir: dir, window };
}

async function call<C extends Channel>(svc: AppServices, channel: C, ...args: ArgsIn<C>): Promise<ResultOf<C>> {
  return callAs(svc, 'w1', channel, ...args);
}
async function callAs<C extends Channel>(svc: AppServices, windowId: string, channel: C, ...args: ArgsIn<C>): Promise<ResultOf<C>> {
  const r = await svc.invoke({ windowId }, channel, args);
  if (!r.ok) throw Object.assign(new Error(`${channel}: ${r.error.code}: ${r.error.message}`), { info: r.error });
  return r.value;
}

async function setup(svc: AppServices): Promise<string> {
  const view = await call(svc, 'providers:save', { name: 'Local', preset: 'custom', protocol: 'openai', baseUrl: `${up.url}/v1`, apiKey: KEY, models: ['test-model'], defaultModel: 'test-model' });
  await call(svc, 'settings:set', { network: { proxy: { mode: 'none' }, retries: 2 } });
  expect(view.providers).toHaveLength(1);
  return (await call(svc, 'conversations:create')).id;
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

const deltas = (win: Win, requestId: string): string => win.events.filter((e) => e.requestId === requestId && e.type === 'delta').map((e) => (e.type === 'delta' ? e.text : '')).join('');

describe('sending and streaming', () => {
  it('an answer streams to the window that asked, gathered per frame, with growing sequence numbers; it is saved and the request carries the path', async () => {
    const { svc, win, window, dataDir } = app();
    const other = window('w2');
    svc.hub.ready('w2');
    const convId = await setup(svc);
    const text = Array.from({ length: 300 }, (_, i) => `w${i}`).join(' ');
    up.behave({ kind: 'ok', text, chunkSize: 2 });
    const sent = await call(svc, 'chat:send', { conversationId: convId, text: 'Hello there' });
    expect(sent.tail.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(sent.conversation.title).toBe('Hello there');
    const msg = await ended(win, sent.requestId);
    expect(msg.status).toBe('complete');
    expect(msg.text).toBe(text);
    expect(deltas(win, sent.requestId)).toBe(text);
    const seqs = win.events.filter((e) => e.requestId === sent.requestId).map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    // ~450 deltas from the provider, far fewer events: gathered about once a frame.
    expect(win.events.filter((e) => e.type === 'delta').length).toBeLessThan(150);
    // Only the window that asked hears about it.
    expect(other.events).toHaveLength(0);
    expect(msg.ttftMs).toBeGreaterThanOrEqual(0);
    expect(msg.routeInfo?.route).toContain('direct');
    // Saved: reopening shows it; the request carried the question and no reasoning.
    const page = await call(svc, 'conversations:open', convId);
    expect(page.messages.map((m) => [m.role, m.status])).toEqual([['user', 'complete'], ['assistant', 'complete']]);
    expect(page.messages[1]?.text).toBe(text);
    const req = up.chatRequests.at(-1);
    expect(req?.body?.messages).toEqual([{ role: 'user', content: 'Hello there' }]);
    expect(req?.headers.authorization).toBe(`Bearer ${KEY}`);
    // The request's own timeline in the log: its route, its connection steps, its status, under its id.
    await new Promise((r) => setTimeout(r, 200));
    const lines = readFileSync(join(dataDir, 'logs', 'parley.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { scope: string; message: string; data?: { requestId?: string } });
    const mine = lines.filter((l) => l.scope === 'transport' && l.data?.requestId === sent.requestId).map((l) => l.message);
    expect(mine).toEqual(expect.arrayContaining(['chat request', 'route', 'connect', 'status headers', 'status first_delta', 'chat done']));
    expect(readFileSync(join(dataDir, 'logs', 'parley.log'), 'utf8')).not.toContain(KEY);
  });

  it('events wait for a window that is not ready yet, and a reloaded window catches up from a snapshot without losing or doubling text', async () => {
    const { svc, win } = app();
    const convId = await setup(svc);
    up.behave({ kind: 'ok', text: 'one two three four five six seven eight nine ten', chunkSize: 3, gapMs: 60 });
    const sent = await call(svc, 'chat:send', { conversationId: convId, text: 'Count' });
    await new Promise((r) => setTimeout(r, 250));
    // The window reloads: its events wait; the new page asks for a snapshot, then says it is ready.
    svc.reloadWindow('w1');
    const before = win.events.length;
    await new Promise((r) => setTimeout(r, 150));
    expect(win.events.length).toBe(before);
    const [snap] = await call(svc, 'chat:active');
    expect(snap?.requestId).toBe(sent.requestId);
    await call(svc, 'app:ready');
    const msg = await ended(win, sent.requestId);
    // The new page's view: the snapshot plus the events after it.
    const after = win.events.filter((e) => e.requestId === sent.requestId && e.seq > (snap?.seq ?? 0));
    const rebuilt = (snap?.text ?? '') + after.map((e) => (e.type === 'delta' ? e.text : '')).join('');
    expect(rebuilt).toBe('one two three four five six seven eight nine ten');
    expect(msg.text).toBe(rebuilt);
  });

  it('Stop ends the request at once and keeps the partial answer; Continue asks the model to go on and joins it into the same message', async () => {
    const { svc, win } = app();
    const convId = await setup(svc);
    up.behave({ kind: 'ok', text: 'alpha beta gamma delta epsilon zeta eta theta', chunkSize: 2, gapMs: 80 });
    const sent = await call(svc, 'chat:send', { conversationId: convId, text: 'Greek letters' });
    for (let i = 0; i < 100 && deltas(win, sent.requestId).length < 6; i++) await new Promise((r) => setTimeout(r, 20));
    const t0 = Date.now();
    expect(await call(svc, 'chat:stop', sent.requestId)).toBe(true);
    const stopped = await ended(win, sent.requestId);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(stopped.status).toBe('stopped');
    expect(stopped.text.length).toBeGreaterThan(0);
    expect('alpha beta gamma delta epsilon zeta eta theta'.startsWith(stopped.text)).toBe(true);
    // Nothing more arrives for it.
    const seen = win.events.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(win.events.length).toBe(seen);
    // Continue: same message, the partial kept in front; the request sent the partial and asked to go on.
    up.behave({ kind: 'ok', text: ' and the rest.' });
    const cont = await call(svc, 'chat:continue', stopped.id);
    expect(cont.tail[0]?.id).toBe(stopped.id);
    const done = await ended(win, cont.requestId);
    expect(done.id).toBe(stopped.id);
    expect(done.status).toBe('complete');
    expect(done.text).toBe(`${stopped.text} and the rest.`);
    const req = up.chatRequests.at(-1)?.body?.messages as { role: string; content: string }[];
    expect(req.at(-2)).toEqual({ role: 'assistant', content: stopped.text });
    expect(req.at(-1)?.role).toBe('user');
  });

  it('an answer cut mid-stream is interrupted with its text, and Continue joins the rest', async () => {
    const { svc, win } = app();
    const convId = await setup(svc);
    up.behave({ kind: 'cut', afterChunks: 3, text: 'first second third fourth fifth', chunkSize: 4 }, { kind: 'cut', afterChunks: 3, text: 'first second third fourth fifth', chunkSize: 4 });
    const sent = await call(svc, 'chat:send', { conversationId: convId, text: 'Go' });
    const cut = await ended(win, sent.requestId);
    expect(cut.status).toBe('interrupted');
    expect(cut.text.length).toBeGreaterThan(0);
    expect(cut.error?.code).toBe('stream_interrupted');
    up.clear();
    up.behave({ kind: 'ok', text: ' sixth.' });
    const cont = await call(svc, 'chat:continue', cut.id);
    const done = await ended(win, cont.requestId);
    expect(done.status).toBe('complete');
    expect(done.text).toBe(`${cut.text} sixth.`);
  });

  it('retries and fallback are events shown where the answer is written', async () => {
    const { svc, win } = app();
    const convId = await setup(svc);
    up.behave({ kind: 'status', status: 503 }, { kind: 'ok', text: 'after retry' });
    const sent = await call(svc, 'chat:send', { conversationId: convId, text: 'Retry me' });
    const msg = await ended(win, sent.requestId);
    expect(msg.text).toBe('after retry');
    const notice = win.events.find((e) => e.type === 'notice');
    expect(notice?.type === 'notice' && notice.notice.kind === 'retry' ? notice.notice : null).toMatchObject({ kind: 'retry', attempt: 2, of: 3, reason: 'server_error' });
    expect(msg.routeInfo?.retries?.[0]).toMatchObject({ attempt: 1, reason: 'server_error' });
    // A gateway page to stream requests: answered without streaming, said so.
    up.behave({ kind: 'streamOnly', then: { kind: 'status', status: 502, body: '<html>502 Bad Gateway</html>', contentType: 'text/html' } });
    const again = await call(svc, 'chat:send', { conversationId: convId, text: 'Fallback' });
    const m2 = await ended(win, again.requestId);
    expect(m2.status).toBe('complete');
    const fb = win.events.find((e) => e.requestId === again.requestId && e.type === 'notice');
    expect(fb?.type === 'notice' ? fb.notice : null).toMatchObject({ kind: 'fallback', reason: 'bad_gateway' });
    expect(m2.routeInfo?.mode).toBe('whole');
  });

  it('a 401 is a failed message with the code, the hint and the provider’s own words; Retry sends again into it', async () => {
    const { svc, win } = app();
    const convId = await setup(svc);
    up.behave({ kind: 'status', status: 401, body: { error: { message: 'Incorrect API key provided: sk-chat…ghij', type: 'invalid_request_error', code: 'invalid_api_key' } } });
    const sent = await call(svc, 'chat:send', { conversationId: convId, text: 'Hi' });
    const failed = await ended(win, sent.requestId);
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('auth_rejected');
    expect(failed.error?.hint).toBeTruthy();
    expect(failed.error?.providerMessage).toContain('Incorrect API key');
    expect(JSON.stringify(win.events)).not.toContain(KEY);
    up.behave({ kind: 'ok', text: 'Now it works' });
    const retried = await call(svc, 'chat:retry', failed.id);
    const ok = await ended(win, retried.requestId);
    expect(ok.id).toBe(failed.id);
    expect(ok.status).toBe('complete');
    expect(ok.error).toBeUndefined();
  });

  it('Retry of a kept answer while the network is still down keeps it (the retry is a new version); Retry of a complete answer is refused', async () => {
    const { svc, win } = app();
    const convId = await setup(svc);
    const words = 'kept words that the user already read and wants to keep around';
    up.behave({ kind: 'cut', afterChunks: 4, text: words, chunkSize: 6 });
    await call(svc, 'settings:set', { network: { retries: 0 } });
    const sent = await call(svc, 'chat:send', { conversationId: convId, text: 'Tell me' });
    const cut = await ended(win, sent.requestId);
    expect(cut.status).toBe('interrupted');
    expect(cut.text.length).toBeGreaterThan(0);
    // The network is still down: every request is reset.
    up.behave(...Array.from({ length: 6 }, () => ({ kind: 'reset' as const })));
    const retried = await call(svc, 'chat:retry', cut.id);
    const failed = await ended(win, retried.requestId);
    expect(failed.status).toBe('failed');
    const page = await call(svc, 'conversations:open', convId);
    const shown = page.messages.at(-1);
    expect(shown).toMatchObject({ id: failed.id, version: 2, versions: 2 });
    const kept = await call(svc, 'messages:switch', convId, cut.id);
    expect(kept.messages.at(-1)).toMatchObject({ id: cut.id, status: 'interrupted', text: cut.text, version: 1, versions: 2 });
    // A complete answer is not retried (the window offers Regenerate there); its text stays.
    up.clear();
    up.behave({ kind: 'ok', text: 'A complete answer' });
    const again = await call(svc, 'chat:send', { conversationId: convId, text: 'And now?' });
    const complete = await ended(win, again.requestId);
    await expect(call(svc, 'chat:retry', complete.id)).rejects.toMatchObject({ info: { code: 'config_invalid' } });
    expect((await call(svc, 'conversations:open', convId)).messages.at(-1)).toMatchObject({ id: complete.id, status: 'complete', text: 'A complete answer' });
  });

  it('deleting a question while its answer is written stops the answer first, then deletes both', async () => {
    const { svc, win } = app();
    const convId = await setup(svc);
    up.behave({ kind: 'ok', text: Array.from({ length: 60 }, (_, i) => `slow${i}`).join(' '), chunkSize: 2, gapMs: 100 });
    const sent = await call(svc, 'chat:send', { conversationId: convId, text: 'A long one' });
    for (let i = 0; i < 100 && deltas(win, sent.requestId).length < 4; i++) await new Promise((r) => setTimeout(r, 20));
    const question = sent.tail[0];
    const page = await call(svc, 'messages:delete', question?.id ?? '');
    expect(page.messages).toEqual([]);
    // By the time the delete answers, the request has ended: nothing runs on against the deleted rows.
    const end = win.events.find((e) => e.requestId === sent.requestId && e.type === 'end');
    expect(end?.type === 'end' ? end.message.status : 'still streaming').toBe('stopped');
    expect(await call(svc, 'chat:active')).toEqual([]);
    const seen = win.events.length;
    await new Promise((r) => setTimeout(r, 400));
    expect(win.events.length).toBe(seen);
    expect((await call(svc, 'conversations:open', convId)).messages).toEqual([]);
  });

  it('Continue that would take an answer past 4 MB stops at the bound: what is shown is what is saved, and the bound is said on the message', async () => {
    const { svc, win, dataDir } = app();
    const convId = await setup(svc);
    const MB = 1024 * 1024;
    up.behave({ kind: 'ok', text: 'a'.repeat(3 * MB), chunkSize: 64 * 1024 });
    const sent = await call(svc, 'chat:send', { conversationId: convId, text: 'Long' });
    const first = await ended(win, sent.requestId, 30_000);
    expect(first.text.length).toBe(3 * MB);
    up.behave({ kind: 'ok', text: 'b'.repeat(2 * MB), chunkSize: 100_000 });
    const cont = await call(svc, 'chat:continue', first.id);
    const shown = await ended(win, cont.requestId, 30_000);
    expect(shown.status).toBe('interrupted');
    expect(shown.error).toMatchObject({ code: 'limit_exceeded', key: 'limit_answer', params: { size: '4 MB' } });
    expect(Buffer.byteLength(shown.text)).toBeLessThanOrEqual(4 * MB);
    expect(shown.text.length).toBeGreaterThan(3 * MB);
    // After a restart the answer reads as it was shown.
    await svc.close();
    const again = app(dataDir);
    const saved = (await call(again.svc, 'conversations:open', convId)).messages.at(-1);
    expect(saved).toMatchObject({ id: first.id, status: 'interrupted', error: { code: 'limit_exceeded' } });
    expect(saved?.text).toBe(shown.text);
    // What still fits is joined; at the bound, Continue is refused with the bound named.
    up.behave({ kind: 'ok', text: 'c'.repeat(4 * MB - shown.text.length) });
    const full = await call(again.svc, 'chat:continue', first.id).then((r) => ended(again.win, r.requestId, 30_000));
    expect(full).toMatchObject({ status: 'complete' });
    expect(Buffer.byteLength(full.text)).toBe(4 * MB);
    await expect(call(again.svc, 'chat:continue', first.id)).rejects.toMatchObject({ info: { code: 'limit_exceeded', key: 'limit_continue', params: { size: '4 MB' } } });
  });

  it('a conversation whose provider was removed goes on with the default provider instead of failing on the missing id', async () => {
    const { svc, win } = app();
    const convId = await setup(svc);
    const view = await call(svc, 'providers:save', { name: 'Other', preset: 'custom', protocol: 'openai', baseUrl: `${up.url}/v1`, apiKey: KEY, models: ['other-model'], defaultModel: 'other-model' });
    const other = view.providers.find((p) => p.name === 'Other');
    const main = view.providers.find((p) => p.name === 'Local');
    await call(svc, 'conversations:update', convId, { providerId: other?.id, model: 'other-model' });
    await call(svc, 'providers:delete', other?.id ?? '');
    up.behave({ kind: 'ok', text: 'From the default provider' });
    const sent = await call(svc, 'chat:send', { conversationId: convId, text: 'Still there?' });
    const msg = await ended(win, sent.requestId);
    expect(msg).toMatchObject({ status: 'complete', text: 'From the default provider', providerId: main?.id, model: 'test-model' });
    expect(sent.conversation).toMatchObject({ providerId: null, model: null });
    expect(up.chatRequests.at(-1)?.body?.model).toBe('test-model');
  });

  it('a Markdown export’s headings are in the language the window asks for', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-chat-'));
    dirs.push(dir);
    const svc = testAppServices(dir, { chooseSavePath: async (name) => join(dir, name) });
    open.push(svc);
    const c = await svc.invoke({ windowId: 'w1' }, 'conversations:create', []);
    if (!c.ok) throw new Error(c.error.message);
    await svc.invoke({ windowId: 'w1' }, 'conversations:update', [c.value.id, { title: '代理笔记', systemPrompt: '简短回答。' }]);
    const zh = await svc.invoke({ windowId: 'w1' }, 'conversations:export', [c.value.id, 'markdown', 'zh']);
    expect(zh.ok && readFileSync(zh.value ?? '', 'utf8')).toBe('# 代理笔记\n\n## 系统提示词\n\n简短回答。\n');
    const en = await svc.invoke({ windowId: 'w1' }, 'conversations:export', [c.value.id, 'markdown', 'en']);
    expect(en.ok && readFileSync(en.value ?? '', 'utf8')).toBe('# 代理笔记\n\n## System prompt\n\n简短回答。\n');
  });

  it('Regenerate makes a sibling version; editing a question makes a new branch; switching versions changes the shown path', async () => {
    const { svc, win } = app();
    const convId = await setup(svc);
    up.behave({ kind: 'ok', text: 'Answer one' });
    const first = await call(svc, 'chat:send', { conversationId: convId, text: 'Question' });
    const a1 = await ended(win, first.requestId);
    up.behave({ kind: 'ok', text: 'Answer two' });
    const regen = await call(svc, 'chat:regenerate', a1.id);
    const a2 = await ended(win, regen.requestId);
    expect(a2.id).not.toBe(a1.id);
    let page = await call(svc, 'conversations:open', convId);
    expect(page.messages.at(-1)).toMatchObject({ text: 'Answer two', version: 2, versions: 2 });
    page = await call(svc, 'messages:switch', convId, a1.id);
    expect(page.messages.at(-1)).toMatchObject({ text: 'Answer one', version: 1, versions: 2 });
    // Edit the question: a new branch with its own answer.
    const q = page.messages[0];
    up.behave({ kind: 'ok', text: 'Edited answer' });
    const edit = await call(svc, 'chat:send', { conversationId: convId, text: 'Question, edited', editOf: q?.id });
    await ended(win, edit.requestId);
    page = await call(svc, 'conversations:open', convId);
    expect(page.messages.map((m) => m.text)).toEqual(['Question, edited', 'Edited answer']);
    expect(page.messages[0]).toMatchObject({ version: 2, versions: 2 });
    const req = up.chatRequests.at(-1)?.body?.messages;
    expect(req).toEqual([{ role: 'user', content: 'Question, edited' }]);
  });

  it('the request carries the system prompt and at most the conversation’s message count, never reasoning', async () => {
    const { svc, win } = app();
    const convId = await setup(svc);
    await call(svc, 'conversations:update', convId, { systemPrompt: 'Be brief.', contextMessages: 3 });
    for (const q of ['one', 'two', 'three']) {
      up.behave({ kind: 'ok', text: `answer ${q}`, reasoning: `thinking about ${q}` });
      const s = await call(svc, 'chat:send', { conversationId: convId, text: q });
      const m = await ended(win, s.requestId);
      expect(m.reasoning).toBe(`thinking about ${q}`);
    }
    const req = up.chatRequests.at(-1)?.body?.messages as { role: string; content: string }[];
    expect(req[0]).toEqual({ role: 'system', content: 'Be brief.' });
    expect(req.slice(1)).toEqual([{ role: 'user', content: 'two' }, { role: 'assistant', content: 'answer two' }, { role: 'user', content: 'three' }]);
    expect(JSON.stringify(req)).not.toContain('thinking about');
  });

  it('where the model’s context size is unknown, a request carries the newest history that fits a default budget, starting with a question', async () => {
    const { svc, win } = app();
    const convId = await setup(svc);
    const long = 'x'.repeat(200_000); // ≈ 50,000 tokens by the estimate
    for (const q of ['first', 'second', 'third']) {
      up.behave({ kind: 'ok', text: long, chunkSize: 20_000 });
      const s = await call(svc, 'chat:send', { conversationId: convId, text: q });
      await ended(win, s.requestId);
    }
    const req = up.chatRequests.at(-1)?.body?.messages as { role: string; content: string }[];
    expect(req.map((m) => (m.content.length > 100 ? 'long' : m.content))).toEqual(['second', 'long', 'third']);
  });

  it('the title is the first question, unless the user turned on model-written titles (one extra request, after the answer)', async () => {
    const { svc, win } = app();
    const convId = await setup(svc);
    up.behave({ kind: 'ok', text: 'An answer' });
    const plain = await call(svc, 'chat:send', { conversationId: convId, text: 'How do I configure a SOCKS proxy for my terminal session?' });
    await ended(win, plain.requestId);
    expect(plain.conversation.title).toBe('How do I configure a SOCKS proxy for my terminal session?');
    expect(up.chatRequests).toHaveLength(1);
    await call(svc, 'settings:set', { defaults: { autoTitle: true } });
    const conv2 = (await call(svc, 'conversations:create')).id;
    up.behave({ kind: 'ok', text: 'Use ssh -D.' }, { kind: 'ok', text: '"SOCKS proxy via SSH"' });
    const titled = await call(svc, 'chat:send', { conversationId: conv2, text: 'socks?' });
    for (let i = 0; i < 200 && !win.events.some((e) => e.type === 'title'); i++) await new Promise((r) => setTimeout(r, 20));
    const ev = win.events.find((e) => e.type === 'title');
    expect(ev?.type === 'title' ? ev.title : '').toBe('SOCKS proxy via SSH');
    expect(ev?.requestId).toBe(titled.requestId);
    expect((await call(svc, 'conversations:list')).find((c) => c.id === conv2)?.title).toBe('SOCKS proxy via SSH');
    expect(up.chatRequests).toHaveLength(3);
  });

  it('a restart shows an answer that was being written as interrupted, with what was saved', async () => {
    const first = app();
    const convId = await setup(first.svc);
    up.behave({ kind: 'ok', text: 'slow words arriving one by one for a while', chunkSize: 2, gapMs: 150 });
    await call(first.svc, 'chat:send', { conversationId: convId, text: 'Slow' });
    await new Promise((r) => setTimeout(r, 1500));
    // A second app on the same folder (the first one "crashed": it never finished the answer).
    const second = app(first.dataDir);
    const page = await call(second.svc, 'conversations:open', convId);
    const m = page.messages.at(-1);
    expect(m?.status).toBe('interrupted');
    expect(m?.text.length).toBeGreaterThan(0);
  });
});
