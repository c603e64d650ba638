/**
 * The attachment store's implementation (its interface and layout: index.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, rmdir, stat, utimes } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import {
  ATTACHMENT_ID, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENT_NAME_CHARS, MAX_IMAGE_PIXELS, MAX_PDF_PAGES, PDF_TIMEOUT_MS, THUMB_SIDE, VIEW_SIDE,
  type AttachmentRef, type ImageMime,
} from '../../../shared/attachments.ts';
import { words, type ErrorKey, type ErrorParams } from '../../../shared/messages/en.ts';
import { ParleyError } from '../../core/errors.ts';
import { formatSize } from '../../core/limits.ts';
import { osReason, writeFailed } from '../safe-write.ts';
import type { AttachmentStore, AttachmentStoreOptions } from './index.ts';
import { downscale } from './downscale.ts';
import { dataUrl, fitted, readHeader } from './image.ts';
import { createReader } from './reader.ts';
import { decodeText, namedAs, sniff, textFacts, type TextFacts } from './sniff.ts';

/** Text files larger than this are decoded in the reader's worker (megabytes of GBK take main's thread for 100s of ms). */
const DECODE_INLINE_BYTES = 256 * 1024;

/** SHA-256 in 1 MB steps, letting other work in between (20 MB at once would hold main's thread for ~50 ms). */
async function sha256(bytes: Uint8Array): Promise<string> {
  const h = createHash('sha256');
  const step = 1024 * 1024;
  for (let at = 0; at < bytes.byteLength; at += step) {
    h.update(bytes.subarray(at, at + step));
    if (at + step < bytes.byteLength) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return h.digest('hex');
}

/** The name as kept and shown: no folder, no control characters, at most MAX_ATTACHMENT_NAME_CHARS. */
export function cleanName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex -- removing control characters from a file name is the point
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return [...clean].slice(0, MAX_ATTACHMENT_NAME_CHARS).join('').slice(0, MAX_ATTACHMENT_NAME_CHARS) || 'attachment';
}

function invalid<K extends ErrorKey>(key: K, params: ErrorParams<K>): ParleyError {
  return new ParleyError('attachment_invalid', words(key, params));
}

interface Analysed {
  ref: Omit<AttachmentRef, 'id' | 'name'>;
  /** The text (UTF-8) kept beside the original. */
  text?: Uint8Array;
  thumb?: Buffer;
}

type Stored = Omit<AttachmentRef, 'id'>;

/** Up to `limit` bytes of a file (a file growing while it is read, or one that says it is empty, cannot make it more). */
async function readAtMost(path: string, limit: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    while (total < limit) {
      const chunk = Buffer.allocUnsafe(Math.min(1024 * 1024, limit - total));
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(bytesRead === chunk.length ? chunk : chunk.subarray(0, bytesRead));
      total += bytesRead;
    }
    return Buffer.concat(chunks, total);
  } finally {
    await fh.close();
  }
}

export function createStore(opts: AttachmentStoreOptions): AttachmentStore {
  const dir = opts.dir;
  const log = opts.logger?.scope('storage');
  const maxBytes = opts.maxBytes ?? MAX_ATTACHMENT_BYTES;
  const pdfTimeoutMs = opts.pdfTimeoutMs ?? PDF_TIMEOUT_MS;
  const maxPdfPages = opts.maxPdfPages ?? MAX_PDF_PAGES;
  const reader = createReader(opts.workerUrl);
  /** Adds under way by id: the same bytes added twice at once are analysed and written once. */
  const adding = new Map<string, Promise<unknown>>();

  const folderOf = (id: string): string => join(dir, id.slice(0, 2));
  const file = (id: string, suffix = ''): string => join(folderOf(id), id + suffix);
  const valid = (id: string): boolean => ATTACHMENT_ID.test(id);

  function readMeta(id: string): Stored | undefined {
    if (!valid(id)) return undefined;
    try {
      return JSON.parse(readFileSync(file(id, '.json'), 'utf8')) as Stored;
    } catch {
      return undefined;
    }
  }

  /** Writes `path` through a temporary file in its folder; on failure nothing of it stays (storage_failed). */
  async function writeAtomic(path: string, data: Uint8Array | string): Promise<void> {
    const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
    let fh: Awaited<ReturnType<typeof open>> | undefined;
    try {
      fh = await open(tmp, 'wx', 0o600);
      await fh.writeFile(data);
      await fh.sync();
      await fh.close();
      fh = undefined;
      await rename(tmp, path);
    } catch (e) {
      await fh?.close().catch(() => undefined);
      await rm(tmp, { force: true }).catch(() => undefined);
      throw writeFailed(path, e, 'the attachment');
    }
  }

  async function analyse(name: string, bytes: Uint8Array): Promise<Analysed> {
    const what = sniff(bytes);
    const named = namedAs(name);
    try {
      if (what.kind === 'image') return await asImage(name, bytes, what.mime, named);
      if (what.kind === 'pdf') return await asPdf(name, bytes, named);
    } catch (e) {
      // Text that only starts like an image or mentions %PDF- early (a script that checks magic bytes, notes about
      // PDFs) is text, when its name does not say otherwise.
      const damaged = ParleyError.is(e) && (e.detail.key === 'attachment_image_damaged' || e.detail.key === 'attachment_pdf_damaged');
      if (!damaged || named !== undefined) throw e;
      const text = await asText(name, bytes, named).catch(() => undefined);
      if (!text) throw e;
      return text;
    }
    return asText(name, bytes, named);
  }

  async function asImage(name: string, bytes: Uint8Array, mime: ImageMime, named: 'image' | 'pdf' | undefined): Promise<Analysed> {
    if (named === 'pdf') throw invalid('attachment_not_pdf', { name });
    let header;
    try {
      header = await readHeader(bytes);
    } catch {
      throw invalid('attachment_image_damaged', { name });
    }
    // A decompression bomb is refused from its header, before any pixel is decoded.
    if (header.pixels > MAX_IMAGE_PIXELS) {
      throw invalid('attachment_image_bomb', { name, width: header.width, height: header.height, max: MAX_IMAGE_PIXELS / 1_000_000 });
    }
    let thumb: Buffer;
    try {
      // Decoding the whole first frame also proves the file is not damaged or cut.
      thumb = await fitted(bytes, THUMB_SIDE);
    } catch {
      throw invalid('attachment_image_damaged', { name });
    }
    return { ref: { kind: 'image', mime, size: bytes.byteLength, width: header.width, height: header.height }, thumb };
  }

  async function asPdf(name: string, bytes: Uint8Array, named: 'image' | 'pdf' | undefined): Promise<Analysed> {
    if (named === 'image') throw invalid('attachment_not_image', { name });
    const size = bytes.byteLength;
    const r = await reader.pdf(bytes, { timeoutMs: pdfTimeoutMs, maxPages: maxPdfPages });
    if (!r.ok) {
      if (r.why === 'timeout') throw invalid('attachment_pdf_timeout', { name, seconds: Math.round(pdfTimeoutMs / 100) / 10 });
      if (r.why === 'pages') throw new ParleyError('limit_exceeded', words('attachment_pdf_pages', { name, pages: r.pages, max: maxPdfPages }));
      if (r.why === 'encrypted') throw invalid('attachment_pdf_encrypted', { name });
      if (r.why === 'cancelled') throw new ParleyError('cancelled', 'Reading the PDF was stopped: Parley is closing.');
      log?.info('pdf refused', { why: r.detail.slice(0, 200) });
      throw invalid('attachment_pdf_damaged', { name });
    }
    if (r.noText) return { ref: { kind: 'pdf', mime: 'application/pdf', size, pages: r.pages, chars: 0, keptChars: 0, noText: true } };
    return { ref: { kind: 'pdf', mime: 'application/pdf', size, pages: r.pages, chars: r.chars, keptChars: r.keptChars }, text: r.utf8 };
  }

  async function asText(name: string, bytes: Uint8Array, named: 'image' | 'pdf' | undefined): Promise<Analysed> {
    if (named === 'image') throw invalid('attachment_not_image', { name });
    if (named === 'pdf') throw invalid('attachment_not_pdf', { name });
    let decoded: ({ encoding: string } & TextFacts) | undefined;
    if (bytes.byteLength <= DECODE_INLINE_BYTES) {
      const d = decodeText(bytes);
      if (d) decoded = { encoding: d.encoding, ...textFacts(d.text) };
    } else {
      const r = await reader.text(bytes, { timeoutMs: pdfTimeoutMs });
      if (r.ok) decoded = r;
      else if (r.why === 'cancelled') throw new ParleyError('cancelled', 'Reading the file was stopped: Parley is closing.');
      else if (r.why === 'timeout') throw invalid('attachment_unreadable', { name, sys: `not read within ${Math.round(pdfTimeoutMs / 1000)} s` });
    }
    if (!decoded) throw invalid('attachment_binary', { name });
    return { ref: { kind: 'text', mime: 'text/plain', size: bytes.byteLength, encoding: decoded.encoding, chars: decoded.chars, keptChars: decoded.keptChars }, text: decoded.utf8 };
  }

  /** An already stored attachment under another name: the name must still fit what it is. */
  async function again(id: string, name: string, meta: Stored): Promise<AttachmentRef> {
    const named = namedAs(name);
    if (named === 'image' && meta.kind !== 'image') throw invalid('attachment_not_image', { name });
    if (named === 'pdf' && meta.kind !== 'pdf') throw invalid('attachment_not_pdf', { name });
    // Staged again: a sweep counts its age from now.
    const now = new Date();
    await utimes(file(id, '.json'), now, now).catch(() => undefined);
    return { ...meta, id, name };
  }

  async function store(id: string, name: string, bytes: Uint8Array): Promise<AttachmentRef> {
    const t0 = performance.now();
    const a = await analyse(name, bytes);
    const folder = folderOf(id);
    const written: string[] = [];
    const put = async (path: string, data: Uint8Array | string): Promise<void> => {
      await writeAtomic(path, data);
      written.push(path);
    };
    try {
      await mkdir(folder, { recursive: true, mode: 0o700 }).catch((e: unknown) => {
        throw writeFailed(folder, e, 'the folder');
      });
      await put(file(id), bytes);
      if (a.text !== undefined) await put(file(id, '.txt'), a.text);
      if (a.thumb) await put(file(id, '.thumb.webp'), a.thumb);
      // The description last: the attachment is stored once it exists.
      const stored: Stored = { name, ...a.ref };
      await put(file(id, '.json'), JSON.stringify(stored));
    } catch (e) {
      for (const p of written) await rm(p, { force: true }).catch(() => undefined);
      await rmdir(folder).catch(() => undefined);
      log?.error('attachment not stored', { id: id.slice(0, 12), reason: ParleyError.is(e) ? e.message : osReason(e) });
      throw ParleyError.is(e) ? e : writeFailed(file(id), e, 'the attachment');
    }
    log?.info('attachment stored', { id: id.slice(0, 12), kind: a.ref.kind, size: a.ref.size, ms: Math.round(performance.now() - t0) });
    return { id, name, ...a.ref };
  }

  async function add(rawName: string, bytes: Uint8Array): Promise<AttachmentRef> {
    const name = cleanName(rawName);
    if (bytes.byteLength > maxBytes) {
      throw new ParleyError('limit_exceeded', words('attachment_too_large', { name, size: formatSize(bytes.byteLength), max: formatSize(maxBytes) }));
    }
    const id = await sha256(bytes);
    for (;;) {
      const busy = adding.get(id);
      if (!busy) break;
      await busy.catch(() => undefined);
    }
    const meta = readMeta(id);
    // Stored, unless its original went missing (then it is stored again).
    if (meta && existsSync(file(id))) return again(id, name, meta);
    const p = store(id, name, bytes);
    adding.set(id, p);
    try {
      return await p;
    } finally {
      adding.delete(id);
    }
  }

  async function addPath(path: string): Promise<AttachmentRef> {
    const name = cleanName(basename(path));
    let size: number;
    try {
      const st = await stat(path);
      if (!st.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
      size = st.size;
    } catch (e) {
      throw invalid('attachment_unreadable', { name, sys: osReason(e) });
    }
    if (size > maxBytes) throw new ParleyError('limit_exceeded', words('attachment_too_large', { name, size: formatSize(size), max: formatSize(maxBytes) }));
    let bytes: Buffer;
    try {
      bytes = await readAtMost(path, maxBytes + 1);
    } catch (e) {
      throw invalid('attachment_unreadable', { name, sys: osReason(e) });
    }
    // A file that grew past the bound since it was looked at is refused by add, having read one byte too many at most.
    return add(name, bytes);
  }

  function describe(id: string): AttachmentRef | undefined {
    const meta = readMeta(id);
    return meta ? { ...meta, id } : undefined;
  }

  function imageOf(id: string): AttachmentRef & { mime: ImageMime } {
    const ref = describe(id);
    if (!ref) throw new ParleyError('attachment_invalid', words('attachment_gone', {}));
    if (ref.kind !== 'image') throw new ParleyError('attachment_invalid', words('attachment_not_viewable', { name: ref.name }));
    return ref as AttachmentRef & { mime: ImageMime };
  }

  /** A derived image (thumbnail, view), made once and kept beside the original. */
  async function derived(id: string, suffix: string, side: number): Promise<string> {
    imageOf(id);
    const path = file(id, suffix);
    try {
      return dataUrl('image/webp', await readFile(path));
    } catch { /* not made yet */ }
    const original = await readFile(file(id)).catch((e: unknown) => {
      throw new ParleyError('storage_failed', `Parley could not read the attachment ${file(id)} (${osReason(e)}).`, {}, { cause: e });
    });
    const data = await fitted(original, side);
    // A cache: when it cannot be written, the image is still shown (and made again next time).
    await writeAtomic(path, data).catch((e: unknown) => log?.warn('attachment preview not kept', { reason: ParleyError.is(e) ? e.message : String(e) }));
    return dataUrl('image/webp', data);
  }

  async function ids(): Promise<string[]> {
    const out: string[] = [];
    let folders: string[];
    try {
      folders = await readdir(dir);
    } catch {
      return out;
    }
    for (const f of folders) {
      if (!/^[0-9a-f]{2}$/.test(f)) continue;
      const names = await readdir(join(dir, f)).catch(() => [] as string[]);
      for (const n of names) {
        const m = /^([0-9a-f]{64})\.json$/.exec(n);
        if (m && m[1]!.startsWith(f)) out.push(m[1]!);
      }
    }
    return out;
  }

  /** Deletes an id's files (the description first: it is no longer stored from then on). */
  async function removeOne(id: string): Promise<boolean> {
    const was = existsSync(file(id, '.json'));
    for (const suffix of ['.json', '', '.txt', '.thumb.webp', '.view.webp']) await rm(file(id, suffix), { force: true });
    await rmdir(folderOf(id)).catch(() => undefined);
    return was;
  }

  return {
    dir,
    add,
    addPath,
    has: (id) => valid(id) && existsSync(file(id, '.json')),
    describe,
    path: (id) => (valid(id) && existsSync(file(id, '.json')) ? file(id) : undefined),
    async bytes(id) {
      if (!valid(id) || !existsSync(file(id, '.json'))) return undefined;
      return readFile(file(id)).catch(() => undefined);
    },
    async textFor(id) {
      const meta = readMeta(id);
      if (!meta || meta.kind === 'image' || meta.noText) return undefined;
      return readFile(file(id, '.txt'), 'utf8').catch(() => undefined);
    },
    thumb: (id) => derived(id, '.thumb.webp', THUMB_SIDE),
    view: (id) => derived(id, '.view.webp', VIEW_SIDE),
    async imageFor(id, limits) {
      const ref = imageOf(id);
      const original = await readFile(file(id));
      return downscale(original, ref.mime, limits);
    },
    ids,
    async remove(list) {
      let n = 0;
      for (const id of new Set(list)) {
        if (!valid(id)) continue;
        try {
          if (await removeOne(id)) n++;
        } catch (e) {
          throw writeFailed(file(id), e, 'the attachment');
        }
      }
      return n;
    },
    async sweep(keep, olderThanMs) {
      const before = Date.now() - olderThanMs;
      const mtime = (path: string): Promise<number> => stat(path).then((st) => st.mtimeMs, () => Number.POSITIVE_INFINITY);
      let n = 0;
      const folders = await readdir(dir).catch(() => [] as string[]);
      for (const f of folders) {
        if (!/^[0-9a-f]{2}$/.test(f)) continue;
        const folder = join(dir, f);
        const names = await readdir(folder).catch(() => [] as string[]);
        const seen = new Set<string>();
        for (const name of names) {
          if (name.endsWith('.tmp')) {
            // A temporary file a crash left behind.
            if ((await mtime(join(folder, name))) < before) await rm(join(folder, name), { force: true });
            continue;
          }
          const id = /^([0-9a-f]{64})/.exec(name)?.[1];
          if (!id || seen.has(id)) continue;
          seen.add(id);
          if (existsSync(file(id, '.json'))) {
            // Its age: when it was stored or last added again.
            if ((await mtime(file(id, '.json'))) < before && !keep(id) && (await removeOne(id))) n++;
          } else if ((await mtime(join(folder, name))) < before) {
            // Parts of an add a crash cut short (no description): never stored.
            await removeOne(id);
          }
        }
        await rmdir(folder).catch(() => undefined);
      }
      return n;
    },
    close: () => reader.close(),
  };
}
