/**
 * A question's files through the app services the window calls (IPC contract), against the loopback upstream:
 * chat:send stores them with the question (in order, with their refs) and the request carries them; a file no longer
 * stored or an image for a model that cannot see is refused before anything is stored; edit and send again takes the
 * files the window sends, regenerate leaves the question as it was; deleting the conversation deletes the files; a
 * JSON export imported into another data folder brings the same bytes back (conversations:export / :import).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { startUpstream, type Upstream } from '../helpers/upstream.ts';
import type { AppServices, AppServicesOptions } from '../../src/main/services/app.ts';
import { testAppServices } from '../helpers/app-services.ts';
import type { ChatStreamEvent } from '../../src/shared/chat.ts';
import type { ArgsIn, Channel, ResultOf } from '../../src/shared/ipc.ts';

const KEY = 'sk-attachmentsSendKey0123456789abcdef';

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

function app(options: Partial<AppServicesOptions> = {}): { svc: AppServices; events: ChatStreamEvent[]; dataDir: string } {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-attach-'));
  dirs.push(dataDir);
  const svc = testAppServices(dataDir, options);
  open.push(svc);
  const events: ChatStreamEvent[] = [];
  svc.attachWindow('w1', (event, payload) => {
    if (event === 'chat:stream') events.push(payload as ChatStreamEvent);
  });
  svc.hub.ready('w1');
  return { svc, events, dataDir };
}

async function call<C extends Channel>(svc: AppServices, channel: C, ...args: ArgsIn<C>): Promise<ResultOf<C>> {
  const r = await svc.invoke({ windowId: 'w1' }, channel, args);
  if (!r.ok) throw Object.assign(new Error(`${channel}: ${r.error.code}: ${r.error.message}`), { info: r.error });
  return r.value;
}

async function refused<C extends Channel>(svc: AppServices, channel: C, ...args: ArgsIn<C>): Promise<string> {
  const r = await svc.invoke({ windowId: 'w1' }, channel, args);
  if (r.ok) throw new Error(`${channel} was not refused`);
  return r.error.code;
}

async function setup(svc: AppServices, model = 'test-model'): Promise<string> {
  await call(svc, 'providers:save', { name: 'Local', preset: 'custom', protocol: 'openai', baseUrl: `${up.url}/v1`, apiKey: KEY, models: [model], defaultModel: model });
  await call(svc, 'settings:set', { network: { proxy: { mode: 'none' }, retries: 0 } });
  return (await call(svc, 'conversations:create')).id;
}

async function ended(events: ChatStreamEvent[], requestId: string): Promise<void> {
  const t0 = Date.now();
  while (!events.some((e) => e.requestId === requestId && e.type === 'end')) {
    if (Date.now() - t0 > 15_000) throw new Error(`no end for ${requestId}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64');
/** The text the last chat request carried, all its messages' text parts joined. */
const sentText = (): string => JSON.stringify(up.chatRequests.at(-1)!.body);

describe('attachments on the send path', { timeout: 60_000 }, () => {
  it('send stores the files with the question, in order, and the request carries them; regenerate leaves the question as it was; edit takes the files the window sends', async () => {
    const { svc, events } = app();
    const convId = await setup(svc);
    up.behave({ kind: 'ok', text: 'Read them.' });
    const a = await call(svc, 'attachments:add', { name: 'proxy.conf', data: b64('http_proxy=http://proxy.corp:3128\n') });
    const b = await call(svc, 'attachments:add', { name: '说明.txt', data: b64('代理服务器需要认证。\n') });
    const sent = await call(svc, 'chat:send', { conversationId: convId, text: 'Why does this fail?', attachments: [b.id, a.id] });
    await ended(events, sent.requestId);
    expect(sentText()).toContain('<file name=\\"说明.txt\\">');
    expect(sentText()).toContain('proxy.corp:3128');
    const page = await call(svc, 'conversations:open', convId);
    const question = page.messages[0]!;
    expect(question.attachments).toEqual([b, a]);

    // Regenerate: a new answer; the question keeps its files, and the new request carries them again.
    const again = await call(svc, 'chat:regenerate', page.messages[1]!.id);
    await ended(events, again.requestId);
    expect(sentText()).toContain('proxy.corp:3128');
    expect((await call(svc, 'conversations:open', convId)).messages[0]!.attachments).toEqual([b, a]);

    // Edit and send again: the window sends the files it keeps (here: one of them, and a new one).
    const c = await call(svc, 'attachments:add', { name: 'curl.log', data: b64('< HTTP/1.1 407 Proxy Authentication Required\n') });
    const edited = await call(svc, 'chat:send', { conversationId: convId, text: 'And now?', editOf: question.id, attachments: [a.id, c.id] });
    await ended(events, edited.requestId);
    const now = (await call(svc, 'conversations:open', convId)).messages[0]!;
    expect(now).toMatchObject({ version: 2, versions: 2, attachments: [a, c] });
    expect(sentText()).toContain('407 Proxy Authentication Required');
    expect(sentText()).not.toContain('代理服务器需要认证');
    const first = await call(svc, 'messages:switch', convId, question.id);
    expect(first.messages[0]!.attachments).toEqual([b, a]);
  });

  it('a file no longer stored, or an image for a model that cannot see, is refused before anything is stored', async () => {
    const { svc, events, dataDir } = app();
    const convId = await setup(svc, 'deepseek-chat');
    expect(await refused(svc, 'chat:send', { conversationId: convId, text: 'see this', attachments: ['0'.repeat(64)] })).toBe('attachment_invalid');
    const img = await call(svc, 'attachments:add', { name: 'screen.png', data: (await sharp({ create: { width: 4, height: 4, channels: 3, background: '#00ff00' } }).png().toBuffer()).toString('base64') });
    expect(await refused(svc, 'chat:send', { conversationId: convId, text: 'see this', attachments: [img.id] })).toBe('attachment_unsupported');
    expect((await call(svc, 'conversations:open', convId)).messages).toEqual([]);
    expect(up.chatRequests).toHaveLength(0);
    // Sent without the images: the question keeps its image stored, the request has none.
    up.behave({ kind: 'ok', text: 'No image here.' });
    const sent = await call(svc, 'chat:send', { conversationId: convId, text: 'see this', attachments: [img.id], withoutImages: true });
    await ended(events, sent.requestId);
    expect(sentText()).not.toContain('image');
    const page = await call(svc, 'conversations:open', convId);
    expect(page.messages[0]!.attachments).toEqual([img]);
    expect(page.messages[1]!.routeInfo?.imagesLeftOut).toBe(1);
    // Regenerate keeps that choice: not refused, the image left out again.
    const again = await call(svc, 'chat:regenerate', page.messages[1]!.id);
    await ended(events, again.requestId);
    expect((await call(svc, 'conversations:open', convId)).messages[1]).toMatchObject({ version: 2, routeInfo: { imagesLeftOut: 1 } });
    expect(up.chatRequests).toHaveLength(2);
    // The user corrects the model's capabilities (it sees images): the same question goes out with its image.
    const view = await call(svc, 'settings:get');
    const p = view.providers[0]!;
    await call(svc, 'providers:save', { id: p.id, name: p.name, preset: 'custom', protocol: 'openai', baseUrl: `${up.url}/v1`, capabilities: { 'deepseek-chat': { vision: true } } });
    const seen = await call(svc, 'chat:send', { conversationId: convId, text: 'and now?', attachments: [img.id] });
    await ended(events, seen.requestId);
    expect(sentText()).toContain('image_url');
    // Deleting the conversation deletes the file.
    const file = join(dataDir, 'attachments', img.id.slice(0, 2), img.id);
    expect(existsSync(file)).toBe(true);
    await call(svc, 'conversations:delete', convId);
    for (let i = 0; i < 100 && existsSync(file); i++) await new Promise((r) => setTimeout(r, 20));
    expect(existsSync(file)).toBe(false);
  });

  it('a JSON export imported into another data folder brings the same files back', async () => {
    const exportPath = join(mkdtempSync(join(tmpdir(), 'parley-attach-out-')), 'export.json');
    dirs.push(join(exportPath, '..'));
    const { svc, events } = app({ chooseExportPath: async () => exportPath });
    const convId = await setup(svc);
    up.behave({ kind: 'ok', text: 'ok' });
    const bytes = Buffer.from('line one\nline two 第二行\n');
    const a = await call(svc, 'attachments:add', { name: 'two lines.txt', data: b64(bytes) });
    const sent = await call(svc, 'chat:send', { conversationId: convId, text: 'q', attachments: [a.id] });
    await ended(events, sent.requestId);
    expect(await call(svc, 'conversations:export', convId, 'json')).toBe(exportPath);

    const other = app({ chooseOpenPath: async () => exportPath });
    const [imported] = await call(other.svc, 'conversations:import');
    const page = await call(other.svc, 'conversations:open', imported!.id);
    expect(page.messages[0]!.attachments).toEqual([a]);
    expect(readFileSync(join(other.dataDir, 'attachments', a.id.slice(0, 2), a.id))).toEqual(bytes);
  });
});
