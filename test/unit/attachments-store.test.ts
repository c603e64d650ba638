/**
 * The attachment store with real files: what a person attaching them would see (kind, size, pixels as shown, the
 * encoding, the text read back exactly, pages), the same file stored once, and every refusal with its code and
 * catalog key, leaving nothing in the data folder.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_ATTACHMENT_BYTES, MAX_INLINE_TEXT_CHARS, THUMB_SIDE, type AttachmentRef } from '../../src/shared/attachments.ts';
import { createAttachmentStore, type AttachmentStore, type AttachmentStoreOptions } from '../../src/main/services/attachments/index.ts';
import {
  animatedGif, big5, binaryBlob, bombPng, CHINESE, fileOnDisk, filesIn, gbk, JAPANESE, png, rotatedJpeg, scannedPdf, shiftJis, tempFolder, textPdf,
  TRADITIONAL, utf16be, utf16le, webp, windows1252,
} from '../helpers/attachment-files.ts';

const stores: AttachmentStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

function newStore(opts: Partial<AttachmentStoreOptions> = {}): AttachmentStore {
  const s = createAttachmentStore({ dir: join(tempFolder(), 'attachments'), ...opts });
  stores.push(s);
  return s;
}

interface Refusal { code: string; message: string; detail: { key?: string; params?: Record<string, unknown> } }
async function refusal(p: Promise<unknown>): Promise<Refusal> {
  try {
    await p;
  } catch (e) {
    return e as Refusal;
  }
  throw new Error('expected a refusal');
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
async function pixelsOf(url: string): Promise<{ width: number; height: number; format: string }> {
  const m = /^data:image\/webp;base64,(.+)$/.exec(url);
  expect(m, url.slice(0, 40)).not.toBeNull();
  const meta = await sharp(Buffer.from(m![1]!, 'base64')).metadata();
  return { width: meta.width, height: meta.height, format: meta.format };
}

describe('images', { timeout: 30_000 }, () => {
  it('a PNG: its pixels, its file named by its SHA-256, and a thumbnail', async () => {
    const s = newStore();
    const bytes = await png(640, 320);
    const ref = await s.add('screenshot.png', bytes);
    expect(ref).toEqual({ id: sha(bytes), name: 'screenshot.png', kind: 'image', mime: 'image/png', size: bytes.length, width: 640, height: 320 });
    expect(readFileSync(join(s.dir, ref.id.slice(0, 2), ref.id))).toEqual(bytes);
    expect(s.has(ref.id)).toBe(true);
    expect(s.describe(ref.id)).toEqual(ref);
    expect(await pixelsOf(await s.thumb(ref.id))).toEqual({ width: THUMB_SIDE, height: THUMB_SIDE / 2, format: 'webp' });
    const view = await pixelsOf(await s.view(ref.id));
    expect(view).toEqual({ width: 640, height: 320, format: 'webp' });
    expect(existsSync(join(s.dir, ref.id.slice(0, 2), `${ref.id}.view.webp`))).toBe(true);
  });

  it('a JPEG with EXIF orientation 6 (a phone photo) is as shown: turned, in its size, thumbnail and copy for a model', async () => {
    const s = newStore();
    const bytes = await rotatedJpeg(80, 40);
    const ref = await s.add('IMG_0001.JPG', bytes);
    expect(ref).toMatchObject({ kind: 'image', mime: 'image/jpeg', width: 40, height: 80 });
    expect(await pixelsOf(await s.thumb(ref.id))).toMatchObject({ width: 40, height: 80 });
    const out = await s.imageFor(ref.id, { maxSide: 2048, maxBytes: 5_000_000 });
    expect(out).toMatchObject({ mime: 'image/jpeg', width: 40, height: 80, scaled: true });
    // The copy's own pixels are upright (no EXIF turn left for the model to miss).
    const m = await sharp(out.data).metadata();
    expect([m.width, m.height, m.orientation ?? 1]).toEqual([40, 80, 1]);
  });

  it('a copy for a model fits its long side and bytes; an image that fits is sent as it is', async () => {
    const s = newStore();
    const big = await s.add('big.png', await png(3000, 1500));
    const out = await s.imageFor(big.id, { maxSide: 1568, maxBytes: 200_000 });
    expect(out.scaled).toBe(true);
    expect(Math.max(out.width, out.height)).toBeLessThanOrEqual(1568);
    expect(out.data.length).toBeLessThanOrEqual(200_000);
    const small = await png(100, 50);
    const same = await s.imageFor((await s.add('small.png', small)).id, { maxSide: 1568, maxBytes: 200_000 });
    expect(same).toMatchObject({ mime: 'image/png', scaled: false, width: 100, height: 50 });
    expect(same.data).toEqual(small);
  });

  it('a GIF is its first frame; WebP is accepted', async () => {
    const s = newStore();
    expect(await s.add('anim.gif', await animatedGif(20, 10))).toMatchObject({ kind: 'image', mime: 'image/gif', width: 20, height: 10 });
    expect(await s.add('pic.webp', await webp(30, 20))).toMatchObject({ kind: 'image', mime: 'image/webp', width: 30, height: 20 });
  });

  it('a PNG whose header says 100,000 × 100,000 pixels is refused from its header, quickly, and nothing is stored', async () => {
    const s = newStore();
    const t0 = performance.now();
    const e = await refusal(s.add('bomb.png', bombPng()));
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(e.code).toBe('attachment_invalid');
    expect(e.detail).toMatchObject({ key: 'attachment_image_bomb', params: { name: 'bomb.png', width: 100_000, height: 100_000, max: 50 } });
    expect(e.message).toBe('The image "bomb.png" is 100000 × 100000 pixels: Parley opens images of at most 50 million pixels.');
    expect(filesIn(s.dir)).toEqual([]);
  });

  it('a cut image is refused as damaged', async () => {
    const s = newStore();
    const bytes = await png(200, 200);
    const e = await refusal(s.add('cut.png', bytes.subarray(0, bytes.length - 40)));
    expect([e.code, e.detail.key]).toEqual(['attachment_invalid', 'attachment_image_damaged']);
    expect(filesIn(s.dir)).toEqual([]);
  });
});

describe('text files', { timeout: 30_000 }, () => {
  const cases: [string, string, Buffer, string, string][] = [
    ['GBK (Simplified Chinese Windows)', 'notes.txt', gbk(), 'gb18030', CHINESE],
    ['Big5', 'readme.md', big5(), 'big5', TRADITIONAL],
    ['Shift-JIS', 'memo.txt', shiftJis(), 'shift_jis', JAPANESE],
    ['UTF-16 LE with BOM', 'unicode.txt', utf16le(CHINESE), 'utf-16le', CHINESE],
    ['UTF-16 BE with BOM', 'be.txt', utf16be(JAPANESE), 'utf-16be', JAPANESE],
    ['UTF-8 with BOM', 'bom.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TRADITIONAL)]), 'utf-8', TRADITIONAL],
  ];
  it.each(cases)('%s: the encoding named and the text read back exactly', async (_label, name, bytes, encoding, original) => {
    const s = newStore();
    const ref = await s.add(name, bytes);
    expect(ref).toMatchObject({ kind: 'text', mime: 'text/plain', encoding, size: bytes.length, chars: original.length, keptChars: original.length });
    expect(await s.textFor(ref.id)).toBe(original);
  });

  it('a file with no extension (Dockerfile) or any extension is text when it reads as text', async () => {
    const s = newStore();
    const docker = 'FROM node:24\nRUN npm ci\n';
    expect(await s.add('Dockerfile', Buffer.from(docker))).toMatchObject({ kind: 'text', encoding: 'utf-8', chars: docker.length });
    expect(await s.add('main.rs', Buffer.from('fn main() { println!("你好"); }\n'))).toMatchObject({ kind: 'text', encoding: 'utf-8' });
  });

  it('text that starts like a GIF or mentions %PDF- early is still text (a script checking magic bytes)', async () => {
    const s = newStore();
    const script = "GIF89a = b'GIF89a'\nPDF = b'%PDF-'\ndef kind(b):\n    return 'pdf' if b.startswith(PDF) else 'gif'\n";
    expect(await s.add('magic.py', Buffer.from(script))).toMatchObject({ kind: 'text', chars: script.length });
    const notes = `Notes on PDF headers: every file starts with %PDF-1.7 and ends with %%EOF.\n`;
    expect(await s.add('notes', Buffer.from(notes))).toMatchObject({ kind: 'text' });
    // Named as a PDF, it is refused as one that cannot be read; the same bytes stored as text are not a PDF either.
    expect((await refusal(s.add('other.pdf', Buffer.from(`${notes}more\n`)))).detail.key).toBe('attachment_pdf_damaged');
    expect((await refusal(s.add('notes.pdf', Buffer.from(notes)))).detail.key).toBe('attachment_not_pdf');
  });

  it('a long text keeps its whole text stored and says how much is sent inline', async () => {
    const s = newStore();
    const text = 'x'.repeat(MAX_INLINE_TEXT_CHARS + 5000);
    const ref = await s.add('big.log', Buffer.from(text));
    expect(ref).toMatchObject({ chars: MAX_INLINE_TEXT_CHARS + 5000, keptChars: MAX_INLINE_TEXT_CHARS });
    expect(await s.textFor(ref.id)).toBe(text);
  });

  it('refuses a .png that is text, a .pdf that is not a PDF, and a binary file; nothing stays', async () => {
    const s = newStore();
    const cases: [string, Uint8Array, string][] = [
      ['x.png', Buffer.from('just some text, not an image'), 'attachment_not_image'],
      ['report.pdf', Buffer.from('not a pdf at all'), 'attachment_not_pdf'],
      ['data.bin', binaryBlob(), 'attachment_binary'],
      ['photo.jpg', await textPdf(1), 'attachment_not_image'],
      ['scan.pdf', await png(10, 10), 'attachment_not_pdf'],
    ];
    for (const [name, bytes, key] of cases) {
      const e = await refusal(s.add(name, bytes));
      expect([name, e.code, e.detail.key, e.detail.params?.name]).toEqual([name, 'attachment_invalid', key, name]);
    }
    expect(filesIn(s.dir)).toEqual([]);
  });

  it('an image Parley cannot use (AVIF, as from a phone) is refused as not what its name says', async () => {
    const s = newStore();
    const avif = await sharp(await png(40, 40)).avif().toBuffer();
    const e = await refusal(s.add('IMG_2024.avif', avif));
    expect([e.code, e.detail.key]).toEqual(['attachment_invalid', 'attachment_not_image']);
    expect(e.message).toBe('"IMG_2024.avif" is named as an image, but it is not a PNG, JPEG, WebP or GIF image.');
  });

  it('a Western text in Windows-1252 reads back exactly', async () => {
    const s = newStore();
    const text = 'Café crème, naïve façade — résumé of the “proxy” settings: déjà vu. '.repeat(20);
    const bytes = windows1252(text);
    const ref = await s.add('notes.txt', bytes);
    expect(ref).toMatchObject({ kind: 'text', encoding: 'windows-1252' });
    expect(await s.textFor(ref.id)).toBe(text);
  });

  it('an original that went missing is stored again when added again', async () => {
    const s = newStore();
    const bytes = Buffer.from('keep me');
    const ref = await s.add('a.txt', bytes);
    rmSync(join(s.dir, ref.id.slice(0, 2), ref.id));
    await s.add('a.txt', bytes);
    expect(await s.bytes(ref.id)).toEqual(bytes);
  });

  it('a stored text added again under an image name is refused (the name must still fit)', async () => {
    const s = newStore();
    const bytes = Buffer.from('hello');
    await s.add('hello.txt', bytes);
    expect((await refusal(s.add('hello.png', bytes))).detail.key).toBe('attachment_not_image');
  });
});

describe('PDFs', { timeout: 30_000 }, () => {
  it('a text PDF: its pages and its text', async () => {
    const s = newStore();
    const ref = await s.add('manual.pdf', await textPdf(2));
    expect(ref).toMatchObject({ kind: 'pdf', mime: 'application/pdf', pages: 2 });
    expect(ref.noText).toBeUndefined();
    const text = await s.textFor(ref.id);
    expect(text).toContain('Page 1: the proxy answered 407.');
    expect(text).toContain('Page 2: the proxy answered 407.');
    expect(ref.chars).toBe(text!.length);
  });

  it('a scanned PDF (no text layer) is stored and says it has no text', async () => {
    const s = newStore();
    const ref = await s.add('scan.pdf', await scannedPdf());
    expect(ref).toMatchObject({ kind: 'pdf', pages: 1, noText: true, chars: 0 });
    expect(await s.textFor(ref.id)).toBeUndefined();
  });

  it('a damaged PDF is refused', async () => {
    const s = newStore();
    const e = await refusal(s.add('broken.pdf', Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >>\n%%EOF\n')));
    expect([e.code, e.detail.key]).toEqual(['attachment_invalid', 'attachment_pdf_damaged']);
    expect(filesIn(s.dir)).toEqual([]);
  });

  it('a PDF over the page bound is refused with limit_exceeded', async () => {
    const s = newStore({ maxPdfPages: 5 });
    const e = await refusal(s.add('long.pdf', await textPdf(6)));
    expect(e.code).toBe('limit_exceeded');
    expect(e.detail).toMatchObject({ key: 'attachment_pdf_pages', params: { pages: 6, max: 5 } });
    expect(filesIn(s.dir)).toEqual([]);
  });
});

describe('bounds and the disk', { timeout: 30_000 }, () => {
  it('a file over 20 MB is refused before it is read or stored', async () => {
    const s = newStore();
    const e = await refusal(s.add('huge.txt', Buffer.alloc(MAX_ATTACHMENT_BYTES + 1, 0x61)));
    expect(e.code).toBe('limit_exceeded');
    expect(e.detail).toMatchObject({ key: 'attachment_too_large', params: { name: 'huge.txt', max: '20 MB' } });
    const path = fileOnDisk('huge.log', '');
    truncateSync(path, MAX_ATTACHMENT_BYTES + 1);
    expect((await refusal(s.addPath(path))).code).toBe('limit_exceeded');
    expect(filesIn(s.dir)).toEqual([]);
  });

  it('a path that is gone or a folder is refused as unreadable', async () => {
    const s = newStore();
    const gone = await refusal(s.addPath(join(tempFolder(), 'gone.txt')));
    expect([gone.code, gone.detail.key, gone.detail.params?.name]).toEqual(['attachment_invalid', 'attachment_unreadable', 'gone.txt']);
    expect(gone.message).toContain('ENOENT');
    expect((await refusal(s.addPath(tempFolder()))).detail.key).toBe('attachment_unreadable');
  });

  it('a file from disk is stored under its own name', async () => {
    const s = newStore();
    const ref = await s.addPath(fileOnDisk('报告.txt', gbk()));
    expect(ref).toMatchObject({ name: '报告.txt', kind: 'text', encoding: 'gb18030' });
  });

  it('the same bytes twice (even at once) are stored once', async () => {
    const s = newStore();
    const bytes = await png(50, 50);
    const [a, b] = await Promise.all([s.add('a.png', bytes), s.add('b.png', bytes)]);
    const c = await s.add('c.png', bytes);
    expect(new Set([a.id, b.id, c.id]).size).toBe(1);
    expect([a.name, b.name, c.name]).toEqual(['a.png', 'b.png', 'c.png']);
    expect(filesIn(s.dir).filter((f) => !f.includes('.'))).toEqual([`${a.id.slice(0, 2)}/${a.id}`]);
    expect(await s.ids()).toEqual([a.id]);
  });

  it('a disk that fails is storage_failed, and nothing half-written stays', async () => {
    const s = newStore();
    const bytes = Buffer.from('the quick brown fox');
    const id = sha(bytes);
    // Where its folder would be, a file: the OS refuses the write (as a full or read-only disk would).
    mkdirSync(s.dir, { recursive: true });
    writeFileSync(join(s.dir, id.slice(0, 2)), 'in the way');
    const e = await refusal(s.add('fox.txt', bytes));
    expect(e.code).toBe('storage_failed');
    expect(filesIn(s.dir)).toEqual([id.slice(0, 2)]);
    expect(s.has(id)).toBe(false);
  });

  it('remove deletes an attachment and all made from it', async () => {
    const s = newStore();
    const img = await s.add('a.png', await png(40, 40));
    await s.view(img.id);
    const txt = await s.add('a.txt', Buffer.from('hello'));
    expect(await s.remove([img.id, 'f'.repeat(64), 'not-an-id'])).toBe(1);
    expect(s.has(img.id)).toBe(false);
    expect(s.describe(img.id)).toBeUndefined();
    expect(await s.bytes(img.id)).toBeUndefined();
    expect(filesIn(s.dir).every((f) => f.includes(txt.id))).toBe(true);
    await s.remove([txt.id]);
    expect(filesIn(s.dir)).toEqual([]);
  });

  it('sweep removes old staged attachments nobody keeps, and a crash\'s temporary files', async () => {
    const s = newStore();
    const old = await s.add('old.txt', Buffer.from('old'));
    const kept = await s.add('kept.txt', Buffer.from('kept'));
    const fresh = await s.add('fresh.txt', Buffer.from('fresh'));
    const dayAgo = new Date(Date.now() - 86_400_000);
    for (const r of [old, kept]) utimesSync(join(s.dir, r.id.slice(0, 2), `${r.id}.json`), dayAgo, dayAgo);
    const tmp = join(s.dir, fresh.id.slice(0, 2), `.${fresh.id}.abc.tmp`);
    writeFileSync(tmp, 'half');
    utimesSync(tmp, dayAgo, dayAgo);
    expect(await s.sweep((id) => id === kept.id, 3_600_000)).toBe(1);
    expect([s.has(old.id), s.has(kept.id), s.has(fresh.id), existsSync(tmp)]).toEqual([false, true, true, false]);
    // Added again, an old one is young again.
    utimesSync(join(s.dir, kept.id.slice(0, 2), `${kept.id}.json`), dayAgo, dayAgo);
    await s.add('kept again.txt', Buffer.from('kept'));
    expect(await s.sweep(() => false, 3_600_000)).toBe(0);
  });

  it('thumbnails are only for stored images', async () => {
    const s = newStore();
    const t = await s.add('a.txt', Buffer.from('hi'));
    expect((await refusal(s.thumb(t.id))).detail.key).toBe('attachment_not_viewable');
    expect((await refusal(s.view('0'.repeat(64)))).detail.key).toBe('attachment_gone');
  });

  it('a name keeps no folder and no control characters', async () => {
    const s = newStore();
    const ref: AttachmentRef = await s.add('../../etc/evil\u0007name.txt', Buffer.from('x'));
    expect(ref.name).toBe('evilname.txt');
  });
});
