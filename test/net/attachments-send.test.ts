/**
 * A question's attachments through the loopback upstream, for each protocol (issue 19): the request body the
 * provider receives carries the text blocks and the images as the protocol defines them (parsed from the JSON it
 * got), images downscaled to the protocol's limit; a model without vision is refused before anything is sent, and
 * "send without images" sends the text parts only.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { newCore, providerFor } from '../helpers/core.ts';
import { startUpstream, type Upstream } from '../helpers/upstream.ts';
import type { Core } from '../../src/main/core/index.ts';
import { ParleyError } from '../../src/main/core/errors.ts';
import { planRequest } from '../../src/main/services/chat/history.ts';
import { chatFitted } from '../../src/main/services/chat/stream-run.ts';
import { createDownscaler, IMAGE_LIMITS } from '../../src/main/services/attachments/downscale.ts';
import type { AttachmentRef } from '../../src/shared/attachments.ts';
import type { Conversation, Message } from '../../src/shared/chat.ts';

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

const conv = { systemPrompt: 'Be brief.', contextMessages: 0 } as Conversation;
const defaults = { providerId: null, model: '', systemPrompt: '', contextMessages: 0, autoTitle: false };
const id = (n: number): string => String(n).padStart(64, 'a');

/** A photo-like picture (noise: it does not compress) of w × h, as JPEG. */
async function photo(w: number, h: number): Promise<Buffer> {
  const raw = Buffer.alloc(w * h * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 2654435761) >>> 24;
  return sharp(raw, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 92 }).toBuffer();
}

describe('attachments in the request body, per protocol', () => {
  let big: Buffer;
  let small: Buffer;
  const text: AttachmentRef = { id: id(1), name: 'notes.txt', kind: 'text', mime: 'text/plain', size: 20, chars: 9, keptChars: 9, encoding: 'gb18030' };
  const pdf: AttachmentRef = { id: id(2), name: 'report.pdf', kind: 'pdf', mime: 'application/pdf', size: 900, pages: 2, chars: 30, keptChars: 10 };
  const scan: AttachmentRef = { id: id(3), name: 'scan.pdf', kind: 'pdf', mime: 'application/pdf', size: 900, pages: 1, noText: true };
  const bigImg: AttachmentRef = { id: id(4), name: 'photo.jpg', kind: 'image', mime: 'image/jpeg', size: 0, width: 3000, height: 2000 };
  const smallImg: AttachmentRef = { id: id(5), name: 'dot.png', kind: 'image', mime: 'image/png', size: 0, width: 16, height: 16 };
  const texts: Record<string, string> = { [text.id]: '你好，附件里的文字', [pdf.id]: 'Page one. Page two, and more.' };
  beforeAll(async () => {
    big = await photo(3000, 2000);
    small = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#ff0000' } }).png().toBuffer();
  });
  const store = {
    textFor: async (k: string) => texts[k],
    bytes: async (k: string) => (k === bigImg.id ? big : k === smallImg.id ? small : undefined),
  };
  const question: Message = {
    id: 'q', conversationId: 'c', parentId: null, role: 'user', text: 'What do these say?', reasoning: '', status: 'complete', createdAt: 0, updatedAt: 0,
    attachments: [text, pdf, scan, bigImg, smallImg],
  };
  const send = async (protocol: 'openai' | 'anthropic' | 'ollama', policy: { vision?: boolean; withoutImages?: boolean }) => {
    const settings = core.settings({ provider: providerFor(up.url, protocol), network: { proxy: { mode: 'none' }, stream: 'off' } });
    const plan = planRequest(conv, [question], 100_000, defaults, { model: 'test-model', ...policy });
    const r = await chatFitted({ core, attachments: store, images: createDownscaler(store) }, settings, plan.messages, {});
    return { r, plan, body: up.chatRequests.at(-1)!.body as Record<string, unknown> };
  };
  const blocks = [
    '<file name="notes.txt">\n你好，附件里的文字\n</file>',
    '<file name="report.pdf" type="pdf" pages="2">\nPage one. \n</file>\n[Only the first 10 of its 30 characters are included here: the last 20 were left out.]',
    '<file name="scan.pdf" type="pdf" pages="1">\n[This PDF has no text layer (it is a scan or images of pages): none of its text could be read.]\n</file>',
  ];
  /** The image a data: URL / base64 names, decoded: its type and size. */
  const seen = async (b64: string) => sharp(Buffer.from(b64, 'base64')).metadata();

  it('OpenAI: text parts and image_url parts with data: URLs, the photo within 2048 px', async () => {
    const { r, body } = await send('openai', { vision: true });
    expect(r.result.text).toBe('Hello from upstream');
    const msgs = body.messages as Array<{ role: string; content: unknown }>;
    expect(msgs[0]).toEqual({ role: 'system', content: 'Be brief.' });
    const parts = msgs[1]!.content as Array<Record<string, unknown>>;
    expect(parts.map((p) => p.type)).toEqual(['text', 'text', 'text', 'image_url', 'image_url', 'text']);
    expect(parts.slice(0, 3).map((p) => p.text)).toEqual(blocks);
    expect(parts[5]).toEqual({ type: 'text', text: 'What do these say?' });
    const url = (parts[3]!.image_url as { url: string }).url;
    expect(url).toMatch(/^data:image\/jpeg;base64,/);
    const m = await seen(url.slice(url.indexOf(',') + 1));
    expect(Math.max(m.width, m.height)).toBe(IMAGE_LIMITS.openai.maxSide);
    // The small PNG goes as it is stored.
    expect(parts[4]).toEqual({ type: 'image_url', image_url: { url: `data:image/png;base64,${small.toString('base64')}` } });
  });

  it('Anthropic: text blocks and image blocks with a base64 source, the photo within 1568 px', async () => {
    const { body } = await send('anthropic', { vision: true });
    expect(body.system).toBe('Be brief.');
    const content = (body.messages as Array<{ content: Array<Record<string, unknown>> }>)[0]!.content;
    expect(content.map((p) => p.type)).toEqual(['text', 'text', 'text', 'image', 'image', 'text']);
    expect(content.slice(0, 3).map((p) => p.text)).toEqual(blocks);
    const src = content[3]!.source as { type: string; media_type: string; data: string };
    expect([src.type, src.media_type]).toEqual(['base64', 'image/jpeg']);
    const m = await seen(src.data);
    expect(Math.max(m.width, m.height)).toBe(IMAGE_LIMITS.anthropic.maxSide);
    expect(Buffer.from(src.data, 'base64').byteLength).toBeLessThanOrEqual(IMAGE_LIMITS.anthropic.maxBytes);
    expect(content[4]).toEqual({ type: 'image', source: { type: 'base64', media_type: 'image/png', data: small.toString('base64') } });
  });

  it('Ollama: the blocks and the words in content, the images beside it as base64', async () => {
    const { body } = await send('ollama', { vision: true });
    const msg = (body.messages as Array<{ role: string; content: string; images?: string[] }>)[1]!;
    expect(msg.content).toBe([...blocks, 'What do these say?'].join('\n\n'));
    expect(msg.images).toHaveLength(2);
    const m = await seen(msg.images![0]!);
    expect(m.format).toBe('jpeg');
    expect(Math.max(m.width, m.height)).toBe(IMAGE_LIMITS.ollama.maxSide);
    expect(msg.images![1]).toBe(small.toString('base64'));
  });

  it('a model without vision: refused with attachment_unsupported, and nothing reaches the provider', async () => {
    let err: unknown;
    try {
      await send('openai', { vision: false });
    } catch (e) {
      err = e;
    }
    expect(ParleyError.is(err) && err.toInfo()).toMatchObject({ code: 'attachment_unsupported', key: 'attachment_no_vision', params: { count: 2 } });
    expect(up.count()).toBe(0);
  });

  it('send without images: the text parts only, as one string (the images stay out of the body)', async () => {
    for (const protocol of ['openai', 'anthropic', 'ollama'] as const) {
      const { plan, body } = await send(protocol, { vision: false, withoutImages: true });
      expect(plan.imagesLeftOut).toBe(2);
      const msgs = body.messages as Array<{ role: string; content: unknown; images?: unknown }>;
      const user = msgs.find((x) => x.role === 'user')!;
      expect(user.content, protocol).toBe([...blocks, 'What do these say?'].join('\n\n'));
      expect(user.images).toBeUndefined();
      expect(up.chatRequests.at(-1)!.rawBody).not.toContain(big.subarray(0, 30).toString('base64'));
    }
  });
});
