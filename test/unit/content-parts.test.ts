/**
 * Attachments in a request (issue 19): what each protocol's body carries for text and image parts, the blocks a
 * text file or PDF becomes, images refused or left out for a model that cannot see them, a 413 classified with its
 * size and who refused it, and images downscaled within a limit (EXIF-rotated, the original untouched).
 */
import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { ADAPTERS } from '../../src/main/core/protocols/index.ts';
import type { ChatMessage } from '../../src/main/core/protocols/types.ts';
import { classifyHttp } from '../../src/main/core/classify.ts';
import { ParleyError } from '../../src/main/core/errors.ts';
import { checkSendable, fileBlock, IMAGES_LEFT_OUT, planRequest, plainMessages, resolveRequest } from '../../src/main/services/chat/history.ts';
import { createDownscaler, downscale, IMAGE_LIMITS, limitUnderBody } from '../../src/main/services/attachments/downscale.ts';
import { chatFitted, nextBodyLimit } from '../../src/main/services/chat/stream-run.ts';
import { bodyLimitKey, fileBodyLimits, memoryBodyLimits } from '../../src/main/services/chat/body-limits.ts';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Downscaler, ImageLimit } from '../../src/main/services/attachments/downscale.ts';
import { resolveSettings } from '../../src/main/core/config.ts';
import type { ChatRequest } from '../../src/main/core/protocols/types.ts';
import type { ChatResult } from '../../src/main/core/chat.ts';
import { MAX_INLINE_TEXT_CHARS, type AttachmentRef } from '../../src/shared/attachments.ts';
import type { Conversation, Message } from '../../src/shared/chat.ts';
import { IMAGE_TOKENS } from '../../src/shared/tokens.ts';

const provider = (protocol: 'openai' | 'anthropic' | 'ollama') => ({ protocol, baseUrl: 'http://h', model: 'm', anthropicVersion: '2023-06-01' });
const PNG = 'iVBORw0KGgo=';
const withImage: ChatMessage[] = [
  { role: 'system', content: 'Be brief.' },
  { role: 'user', content: [{ type: 'text', text: '<file name="a.txt">\nhello\n</file>' }, { type: 'image', mime: 'image/png', data: PNG, name: 'a.png' }, { type: 'text', text: 'What is this?' }] },
];
const bodyOf = (protocol: 'openai' | 'anthropic' | 'ollama', messages: ChatMessage[]) =>
  ADAPTERS[protocol].body(provider(protocol) as never, { messages }, false) as { messages: Array<Record<string, unknown>>; system?: string };

describe('each protocol carries the parts as it defines them', () => {
  it('OpenAI: text and image_url parts, the image a data: URL of its base64', () => {
    const b = bodyOf('openai', withImage);
    expect(b.messages[0]).toEqual({ role: 'system', content: 'Be brief.' });
    expect(b.messages[1]).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: '<file name="a.txt">\nhello\n</file>' },
        { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
        { type: 'text', text: 'What is this?' },
      ],
    });
  });
  it('Anthropic: text and image blocks with a base64 source; the system prompt apart', () => {
    const b = bodyOf('anthropic', withImage);
    expect(b.system).toBe('Be brief.');
    expect(b.messages).toEqual([{
      role: 'user',
      content: [
        { type: 'text', text: '<file name="a.txt">\nhello\n</file>' },
        { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
        { type: 'text', text: 'What is this?' },
      ],
    }]);
  });
  it('Ollama: the text in content, the images beside it as base64', () => {
    const b = bodyOf('ollama', withImage);
    expect(b.messages[1]).toEqual({ role: 'user', content: '<file name="a.txt">\nhello\n</file>\n\nWhat is this?', images: [PNG] });
    expect(b.messages[0]).toEqual({ role: 'system', content: 'Be brief.' });
  });
  it('parts without an image go as one string (endpoints that take only a string: DeepSeek)', () => {
    const textOnly: ChatMessage[] = [{ role: 'user', content: [{ type: 'text', text: 'one' }, { type: 'text', text: 'two' }] }];
    for (const p of ['openai', 'anthropic', 'ollama'] as const) expect(bodyOf(p, textOnly).messages[0]).toEqual({ role: 'user', content: 'one\n\ntwo' });
  });
});

let n = 0;
const ref = (kind: AttachmentRef['kind'], extra: Partial<AttachmentRef> = {}): AttachmentRef => ({
  id: String(++n).padStart(64, '0'), name: `f${n}.${kind === 'image' ? 'png' : kind === 'pdf' ? 'pdf' : 'txt'}`, kind, mime: kind === 'image' ? 'image/png' : kind === 'pdf' ? 'application/pdf' : 'text/plain', size: 10, ...extra,
});
const msg = (role: 'user' | 'assistant', text: string, attachments?: AttachmentRef[]): Message => ({
  id: `m${++n}`, conversationId: 'c', parentId: null, role, text, reasoning: '', status: 'complete', createdAt: 0, updatedAt: 0, ...(attachments ? { attachments } : {}),
});
const conv = { systemPrompt: '', contextMessages: 0 } as Conversation;
const defaults = { providerId: null, model: '', systemPrompt: '', contextMessages: 0, autoTitle: false };

describe('a question’s attachments in the request', () => {
  it('text files and PDFs become blocks with their names, saying what was left out; a scanned PDF says it has no text', () => {
    expect(fileBlock(ref('text', { name: 'a.txt', chars: 5, keptChars: 5 }), 'hello')).toBe('<file name="a.txt">\nhello\n</file>');
    const cut = fileBlock(ref('text', { name: 'big.log', chars: 250_000, keptChars: 100_000 }), 'x'.repeat(250_000));
    expect(cut).toContain('x'.repeat(100_000) + '\n</file>');
    expect(cut).not.toContain('x'.repeat(100_001));
    expect(cut).toContain('the last 150,000 were left out');
    // A reference that does not say what it keeps is held to the inline bound all the same.
    const unsaid = fileBlock(ref('text', { name: 'huge.txt' }), 'y'.repeat(MAX_INLINE_TEXT_CHARS + 5));
    expect(unsaid).not.toContain('y'.repeat(MAX_INLINE_TEXT_CHARS + 1));
    expect(unsaid).toContain('the last 5 were left out');
    const scan = fileBlock(ref('pdf', { name: 'scan.pdf', pages: 3, noText: true }), undefined);
    expect(scan).toMatch(/^<file name="scan.pdf" type="pdf" pages="3">\n\[This PDF has no text layer/);
    // A name cannot close its own quotes or open a tag.
    expect(fileBlock(ref('text', { name: 'a"b<c>.txt' }), '')).toContain('name="a\'b(c).txt"');
  });

  it('a model without vision: refused before sending with attachment_unsupported (a key the window words); withoutImages sends the text parts', () => {
    const img = ref('image');
    const txt = ref('text', { chars: 5, keptChars: 5 });
    const path = [msg('user', 'earlier', [img]), msg('assistant', 'ok'), msg('user', 'now', [txt])];
    let err: unknown;
    try {
      planRequest(conv, path, 100_000, defaults, { vision: false, model: 'deepseek-chat' });
    } catch (e) {
      err = e;
    }
    expect(ParleyError.is(err) && err.code).toBe('attachment_unsupported');
    expect(ParleyError.is(err) && err.toInfo()).toMatchObject({ key: 'attachment_no_vision', params: { model: 'deepseek-chat', count: 1 } });
    // The same check for a question not yet stored (its own images, and the path's).
    expect(() => checkSendable([], [img], { vision: false, model: 'm' })).toThrow(/cannot see images/);
    expect(() => checkSendable([], [img], { vision: false, withoutImages: true })).not.toThrow();
    expect(() => checkSendable([], [img], { vision: true })).not.toThrow();

    const plan = planRequest(conv, path, 100_000, defaults, { vision: false, withoutImages: true });
    expect(plan.imagesLeftOut).toBe(1);
    expect(plan.messages[0]).toEqual({ role: 'user', content: 'earlier' });
    expect(plan.messages[2]).toEqual({ role: 'user', content: [{ type: 'attachment', ref: txt }, { type: 'text', text: 'now' }] });
    expect(plainMessages(plan.messages)[2]).toEqual({ role: 'user', content: 'now' });

    // A question of images alone keeps its turn, saying what was there (an empty message is refused by providers).
    const alone = planRequest(conv, [msg('user', '', [img]), msg('assistant', 'a cat'), msg('user', 'and now?')], 100_000, defaults, { vision: false, withoutImages: true });
    expect(alone.messages.map((m) => m.content)).toEqual([IMAGES_LEFT_OUT, 'a cat', 'and now?']);

    const seeing = planRequest(conv, path, 100_000, defaults, { vision: true });
    expect(seeing.imagesLeftOut).toBeUndefined();
    expect(seeing.messages[0]).toEqual({ role: 'user', content: [{ type: 'attachment', ref: img }, { type: 'text', text: 'earlier' }] });
  });

  it('a question of attachments only is sent; images count at a fixed estimate when fitting the context', () => {
    const imgs = Array.from({ length: 4 }, () => ref('image'));
    const path = [msg('user', `old question ${'x'.repeat(400)}`), msg('assistant', `old answer ${'y'.repeat(400)}`), msg('user', '', imgs)];
    // 4 images = 6,400 tokens: an 8,600-token context (6,450 for history) holds them and nothing before.
    const plan = planRequest(conv, path, 8600, defaults, { vision: true });
    expect(IMAGE_TOKENS * 4).toBe(6400);
    expect(plan.context?.leftOut).toBe(2);
    expect(plan.messages).toEqual([{ role: 'user', content: imgs.map((r) => ({ type: 'attachment', ref: r })) }]);
  });

  it('resolving reads the store: text blocks, images as parts, a file no longer stored says so', async () => {
    const png = await sharp({ create: { width: 40, height: 20, channels: 3, background: '#336699' } }).png().toBuffer();
    const img = ref('image');
    const txt = ref('text', { name: 'notes.md', chars: 3, keptChars: 3 });
    const gone = ref('text', { name: 'gone.txt' });
    const store = { textFor: async (id: string) => (id === txt.id ? 'abc' : undefined), bytes: async (id: string) => (id === img.id ? png : undefined) };
    const plan = planRequest(conv, [msg('user', 'look', [txt, img, gone])], 100_000, defaults, { vision: true });
    const { messages, images } = await resolveRequest(plan.messages, { text: store, images: createDownscaler(store), limit: IMAGE_LIMITS.openai });
    expect(images).toEqual({ count: 1, scaled: 0 });
    // An image that can no longer be read (damaged on disk): attachment_invalid naming it, not a crash.
    const broken = { ...store, bytes: async () => Buffer.from('not a png at all') };
    await expect(resolveRequest(plan.messages, { text: store, images: createDownscaler(broken), limit: IMAGE_LIMITS.openai })).rejects.toMatchObject({ code: 'attachment_invalid', detail: { key: 'attachment_image_damaged', params: { name: img.name } } });
    expect(messages[0]?.content).toEqual([
      { type: 'text', text: '<file name="notes.md">\nabc\n</file>' },
      { type: 'image', mime: 'image/png', data: png.toString('base64'), name: img.name },
      { type: 'text', text: '<file name="gone.txt">\n[This file is no longer stored: its text could not be sent.]\n</file>' },
      { type: 'text', text: 'look' },
    ]);
  });
});

describe('413: the body was too large', () => {
  const nginx413 = '<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n<center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n';
  it('a gateway’s page (nginx): body_too_large, by a gateway, with the size sent', () => {
    const e = classifyHttp({ status: 413, headers: { server: 'nginx/1.22.1', 'content-type': 'text/html' }, body: nginx413, url: 'https://llm.corp/v1/chat/completions', forwardProxy: false, sentBytes: 3_500_000 }, ADAPTERS.openai, 'gpt-4o');
    expect(e.code).toBe('body_too_large');
    expect(e.detail.body).toEqual({ bytes: 3_500_000, by: 'gateway', server: 'nginx/1.22.1' });
    expect(e.detail.retryable).toBe(false);
    expect(e.message).toBe('A gateway in front of llm.corp refused a request body of 3.3 MB as too large (413): 413 Request Entity Too Large.');
    expect(e.toInfo()).toMatchObject({ key: 'body_too_large_gateway', params: { host: 'llm.corp', size: '3.3 MB', bytes: 3_500_000 }, hop: 'target' });
  });
  it('a forward proxy’s own 413 is the proxy hop; the provider’s JSON 413 is the provider’s', () => {
    const viaProxy = classifyHttp({ status: 413, headers: { server: 'squid/5.7', 'content-type': 'text/html' }, body: '<html><title>ERROR</title></html>', url: 'http://llm.lan/v1/chat/completions', forwardProxy: true, sentBytes: 10 }, ADAPTERS.openai, 'm');
    expect(viaProxy.detail.hop).toBe('proxy');
    expect(viaProxy.detail.body?.by).toBe('gateway');
    const own = classifyHttp({ status: 413, headers: { 'content-type': 'application/json' }, body: '{"type":"error","error":{"type":"request_too_large","message":"Request exceeds the maximum allowed number of bytes."}}', url: 'https://api.anthropic.com/v1/messages', forwardProxy: false, sentBytes: 40_000_000 }, ADAPTERS.anthropic, 'claude');
    expect(own.code).toBe('body_too_large');
    expect(own.detail.body).toEqual({ bytes: 40_000_000, by: 'provider' });
    expect(own.message).toContain('api.anthropic.com refused a request body of 38.1 MB as too large (413): Request exceeds the maximum allowed number of bytes.');
  });
  it('the retry’s body limit: nginx’s default for a larger body, else half; images share what the body leaves', () => {
    expect(nextBodyLimit(3_500_000)).toBe(1024 * 1024);
    expect(nextBodyLimit(800_000)).toBe(400_000);
    const l = limitUnderBody('openai', 1024 * 1024, 2, 10_000)!;
    // Two images' base64 and 10 KB of text stay under 90 % of the limit.
    expect(2 * Math.ceil(l.maxBytes / 3) * 4 + 10_000).toBeLessThanOrEqual(1024 * 1024 * 0.9);
    expect(l.maxSide).toBeLessThanOrEqual(IMAGE_LIMITS.openai.maxSide);
    expect(limitUnderBody('openai', 100_000, 10, 10_000)).toBeUndefined();
  });
});

describe('downscale on the way out', () => {
  it('turns as EXIF says, fits the long side and the bytes, and leaves the original as it was', async () => {
    // 3000 × 1000 stored, EXIF orientation 6 (turn 90°): a 1000 × 3000 picture.
    const raw = Buffer.alloc(3000 * 1000 * 3);
    for (let i = 0; i < raw.length; i++) raw[i] = (i * 7919) % 251;
    const original = await sharp(raw, { raw: { width: 3000, height: 1000, channels: 3 } }).jpeg({ quality: 90 }).withMetadata({ orientation: 6 }).toBuffer();
    const copy = Buffer.from(original);
    const out = await downscale(original, 'image/jpeg', { maxSide: 1568, maxBytes: 300_000 });
    expect(out.scaled).toBe(true);
    expect(out.mime).toBe('image/jpeg');
    expect(out.height).toBeGreaterThan(out.width);
    expect(Math.max(out.width, out.height)).toBeLessThanOrEqual(1568);
    expect(out.data.byteLength).toBeLessThanOrEqual(300_000);
    const m = await sharp(out.data).metadata();
    expect([m.width, m.height, m.orientation ?? 1]).toEqual([out.width, out.height, 1]);
    expect(original.equals(copy)).toBe(true);
  }, 30_000);
  it('an image within the limit goes as it is; a WebP for Ollama becomes PNG or JPEG; copies are cached per limit', async () => {
    const png = await sharp({ create: { width: 300, height: 200, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0.5 } } }).png().toBuffer();
    const same = await downscale(png, 'image/png', IMAGE_LIMITS.anthropic);
    expect(same.scaled).toBe(false);
    expect(same.data.equals(png)).toBe(true);
    const webp = await sharp(png).webp().toBuffer();
    expect((await downscale(webp, 'image/webp', IMAGE_LIMITS.ollama, true)).mime).toBe('image/png');
    let reads = 0;
    const d = createDownscaler({ bytes: async () => { reads++; return webp; } });
    await d.image('a', 'image/webp', IMAGE_LIMITS.ollama, true);
    await d.image('a', 'image/webp', IMAGE_LIMITS.ollama, true);
    await d.image('a', 'image/webp', { maxSide: 100, maxBytes: 10_000 }, true);
    expect(reads).toBe(2);
    expect(d.cachedBytes).toBeGreaterThan(0);
  });
});

describe('sending a plan with images (chatFitted)', () => {
  const settings = (protocol: 'openai' | 'anthropic') => resolveSettings({ provider: { protocol, baseUrl: 'https://gw.example/v1', model: 'm' }, network: { proxy: { mode: 'none' } } }, {});
  /** A downscaler that records the limits it is asked for, and a core that answers (after `refuse` 413s). */
  const rig = (refuse = 0) => {
    const limits: ImageLimit[] = [];
    const images: Downscaler = { image: async (_id, mime, limit) => (limits.push(limit), { mime, data: Buffer.alloc(10), width: 1, height: 1, scaled: true }), cachedBytes: 0 };
    const sent: ChatRequest[] = [];
    const core = {
      chat: async (_raw: unknown, req: ChatRequest): Promise<ChatResult> => {
        sent.push(req);
        if (sent.length <= refuse) throw new ParleyError('body_too_large', 'refused', { status: 413, body: { bytes: 3_000_000, by: 'gateway' } });
        return { text: 'ok', reasoning: '', ending: { reason: 'stop' }, parts: [], mode: 'whole', attempts: 1, bodyBytes: 12_345 };
      },
    };
    return { limits, images, sent, core };
  };
  const plan = (count: number) => planRequest(conv, [msg('user', 'look', Array.from({ length: count }, () => ref('image')))], 1_000_000, defaults, { vision: true }).messages;

  it('ten images for Anthropic share its 32 MB request limit from the start; one image gets the protocol’s own limit', async () => {
    const one = rig();
    await chatFitted({ core: one.core, images: one.images }, settings('anthropic'), plan(1), {});
    expect(one.limits).toEqual([IMAGE_LIMITS.anthropic]);
    const ten = rig();
    await chatFitted({ core: ten.core, images: ten.images }, settings('anthropic'), plan(10), {});
    expect(ten.limits).toHaveLength(10);
    expect(ten.limits[0]!.maxBytes * 10 * 4 / 3).toBeLessThanOrEqual(32 * 1024 * 1024 * 0.9);
    expect(ten.limits[0]!.maxSide).toBe(IMAGE_LIMITS.anthropic.maxSide);
  });

  it('a 413 is asked once more with images under 1 MB in all and remembered; the next plan fits it first; a second 413 is the error', async () => {
    const limits = memoryBodyLimits();
    const r = rig(1);
    const out = await chatFitted({ core: r.core, images: r.images, bodyLimits: limits }, settings('openai'), plan(2), {});
    expect(r.sent).toHaveLength(2);
    // First within OpenAI's own limits (2048 px; two images sharing its 50 MB request), then under 1 MB in all.
    expect(r.limits.slice(0, 2).map((l) => l.maxSide)).toEqual([2048, 2048]);
    expect(r.limits[0]!.maxBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(r.limits[2]!.maxBytes * 2 * 4 / 3).toBeLessThan(1024 * 1024 * 0.9);
    expect(out.downscaled).toEqual({ limitBytes: 1024 * 1024, to: 12_345, from: 3_000_000, by: 'gateway' });
    expect(limits.count()).toBe(1);

    const next = rig();
    const again = await chatFitted({ core: next.core, images: next.images, bodyLimits: limits }, settings('openai'), plan(1), {});
    expect(next.sent).toHaveLength(1);
    expect(next.limits[0]!.maxBytes * 4 / 3).toBeLessThan(1024 * 1024 * 0.9);
    expect(again.downscaled).toEqual({ limitBytes: 1024 * 1024, to: 12_345, by: 'gateway', remembered: true });

    const twice = rig(2);
    await expect(chatFitted({ core: twice.core, images: twice.images }, settings('openai'), plan(1), {})).rejects.toMatchObject({ code: 'body_too_large' });
    expect(twice.sent).toHaveLength(2);
    // Without images a 413 is not asked again.
    const text = rig(1);
    await expect(chatFitted({ core: text.core }, settings('openai'), [{ role: 'user', content: 'hi' }], {})).rejects.toMatchObject({ code: 'body_too_large' });
    expect(text.sent).toHaveLength(1);
  });
});

describe('the routes’ body limits, kept in the data folder', () => {
  it('keeps a limit until it expires, by a hash of the route (no base URL or key in the file), owner-only; forget empties it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-limits-'));
    try {
      const limits = fileBodyLimits(dir);
      const s = resolveSettings({ provider: { protocol: 'openai', baseUrl: 'https://gw.corp/v1?key=sk-secret123', model: 'm' }, network: { proxy: { mode: 'manual', url: 'http://proxy.corp:3128' } } }, {});
      const key = bodyLimitKey(s);
      const now = Date.now();
      limits.set(key, { limitBytes: 1024 * 1024, by: 'gateway', at: now, until: now + 60_000 });
      limits.set('another route', { limitBytes: 5, by: 'provider', at: now - 2, until: now - 1 });
      // Another run reads it back; the expired one is gone.
      const again = fileBodyLimits(dir);
      expect(again.get(key)).toMatchObject({ limitBytes: 1024 * 1024, by: 'gateway' });
      expect(again.get('another route')).toBeUndefined();
      expect(again.count()).toBe(1);
      // Another proxy is another route.
      expect(again.get(bodyLimitKey({ ...s, network: { ...s.network, proxy: { ...s.network.proxy, mode: 'none' } } }))).toBeUndefined();
      const file = readFileSync(join(dir, 'body-limits.json'), 'utf8');
      for (const secret of ['gw.corp', 'sk-secret123', 'proxy.corp']) expect(file).not.toContain(secret);
      if (process.platform !== 'win32') expect(statSync(join(dir, 'body-limits.json')).mode & 0o777).toBe(0o600);
      expect(again.forget()).toBe(1);
      expect(fileBodyLimits(dir).get(key)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
