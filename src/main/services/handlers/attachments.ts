/**
 * Attachments: adding (main's own picker, or bytes from a paste or a drop), thumbnails, the enlarged view, open and
 * reveal. A path is read only when main's open dialog returned it; the window hands over bytes, never a path, and
 * sees references and data: URLs, never where a file is.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ATTACHMENT_PIECE_CHARS, ATTACHMENT_PIECES_MS, MAX_ATTACHMENT_BASE64_CHARS, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS_PER_MESSAGE, MAX_MESSAGE_ATTACHMENT_BYTES, type AttachmentRef, type PickResult } from '../../../shared/attachments.ts';
import { words } from '../../../shared/messages/en.ts';
import { ParleyError } from '../../core/errors.ts';
import { formatSize } from '../../core/limits.ts';
import { cleanName } from '../attachments/store.ts';
import { writeFailed } from '../safe-write.ts';
import type { AppContext, Handlers } from './types.ts';

type AttachmentChannel = 'attachments:pick' | 'attachments:add' | 'attachments:addPiece' | 'attachments:thumb' | 'attachments:view' | 'attachments:open';

/** A name the file systems of all three OSes accept (Windows refuses <>:"/\|?* and a trailing dot or space). */
const fsName = (name: string): string => cleanName(name).replace(/[<>:"/\\|?*]/g, '_').replace(/[. ]+$/, '') || 'attachment';

/**
 * The pieces of files a window hands over in parts (paste, drop), kept until the last one: in order, at most
 * MAX_ATTACHMENT_BASE64_CHARS together, a few files per window at once, dropped after ATTACHMENT_PIECES_MS without a
 * piece. What is wrong is refused at once and the file's pieces dropped.
 */
export function attachmentPieces(now: () => number = Date.now) {
  const uploads = new Map<string, { name: string; count: number; pieces: string[]; chars: number; at: number }>();
  const MAX_PER_WINDOW = 4;
  const invalid = (why: string): ParleyError => new ParleyError('config_invalid', `The attachment's pieces are not in order: ${why}.`);
  return {
    /** Keeps a piece; the whole file's base64 with its last piece, else null. */
    take(windowId: string, name: string, data: string, part: { upload: string; index: number; count: number }): string | null {
      const t = now();
      for (const [k, u] of uploads) if (t - u.at > ATTACHMENT_PIECES_MS) uploads.delete(k);
      const key = `${windowId}\u0000${part.upload}`;
      let u = uploads.get(key);
      if (part.index === 0) {
        const mine = [...uploads.keys()].filter((k) => k.startsWith(`${windowId}\u0000`));
        if (mine.length >= MAX_PER_WINDOW) uploads.delete(mine[0]!);
        u = { name, count: part.count, pieces: [], chars: 0, at: t };
        uploads.set(key, u);
      }
      if (!u) throw invalid('a piece of a file that was not begun (or whose pieces stopped for a minute)');
      if (part.index !== u.pieces.length || part.count !== u.count || name !== u.name) {
        uploads.delete(key);
        throw invalid(`piece ${part.index + 1} of ${part.count} where piece ${u.pieces.length + 1} of ${u.count} was due`);
      }
      if (data.length > ATTACHMENT_PIECE_CHARS || (part.index < part.count - 1 && data.length % 4 !== 0)) {
        uploads.delete(key);
        throw invalid('a piece of the wrong size');
      }
      u.chars += data.length;
      if (u.chars > MAX_ATTACHMENT_BASE64_CHARS) {
        uploads.delete(key);
        const size = Math.floor((u.chars * 3) / 4);
        throw new ParleyError('limit_exceeded', words('attachment_too_large', { name: cleanName(name), size: formatSize(size), max: formatSize(MAX_ATTACHMENT_BYTES) }));
      }
      u.pieces.push(data);
      u.at = t;
      if (u.pieces.length < u.count) return null;
      uploads.delete(key);
      return u.pieces.join('');
    },
  };
}

export function attachmentHandlers(ctx: AppContext): Handlers<AttachmentChannel> {
  const log = ctx.logger.scope('storage');
  const pieces = attachmentPieces();
  /** A file's whole base64 from the window: its length checked before anything is decoded, then stored. */
  async function add(name: string, data: string): Promise<AttachmentRef> {
    // The decoded length from the text's length alone, before anything is decoded.
    const size = Buffer.byteLength(data, 'base64');
    if (size > MAX_ATTACHMENT_BYTES) {
      throw new ParleyError('limit_exceeded', words('attachment_too_large', { name: cleanName(name), size: formatSize(size), max: formatSize(MAX_ATTACHMENT_BYTES) }));
    }
    const bytes = Buffer.from(data, 'base64');
    // Node skips what is not base64 (a space, a data: prefix): fewer bytes than the length promises.
    if (bytes.byteLength !== size || data.length % 4 === 1) throw new ParleyError('config_invalid', 'The attachment\'s data is not base64.');
    return ctx.attachments.add(name, bytes);
  }
  /** Copies opened or shown: a folder of this run's own in the OS's temporary folder. */
  let openDir: string | undefined;

  /** A copy of a stored attachment under its own name, so the OS picks the right app (the store's names are hashes). */
  async function namedCopy(id: string): Promise<string | undefined> {
    const ref = ctx.attachments.describe(id);
    const source = ctx.attachments.path(id);
    if (!ref || !source) return undefined;
    openDir ??= join(tmpdir(), `parley-open-${randomBytes(6).toString('hex')}`);
    const folder = join(openDir, id.slice(0, 16));
    const target = join(folder, fsName(ref.name));
    try {
      await mkdir(folder, { recursive: true, mode: 0o700 });
      const done = await stat(target).then((s) => s.size === ref.size, () => false);
      if (!done) await copyFile(source, target);
    } catch (e) {
      throw writeFailed(target, e, 'a copy of the attachment');
    }
    return target;
  }

  return {
    async 'attachments:pick'(): Promise<PickResult> {
      const choose = ctx.opts.chooseAttachments;
      if (!choose) throw new ParleyError('config_invalid', 'This window cannot pick files: paste or drop them instead.');
      const paths = await choose();
      const result: PickResult = { added: [], refused: [] };
      if (!paths) return result;
      let total = 0;
      // One file at a time: at most one file's bytes in memory.
      for (const path of paths) {
        const name = cleanName(basename(path));
        try {
          if (result.added.length >= MAX_ATTACHMENTS_PER_MESSAGE) {
            throw new ParleyError('limit_exceeded', words('attachment_too_many', { name, max: MAX_ATTACHMENTS_PER_MESSAGE }));
          }
          const size = await stat(path).then((s) => s.size, () => 0);
          if (size <= MAX_ATTACHMENT_BYTES && total + size > MAX_MESSAGE_ATTACHMENT_BYTES) {
            throw new ParleyError('limit_exceeded', words('attachment_total_too_large', { name, max: formatSize(MAX_MESSAGE_ATTACHMENT_BYTES) }));
          }
          const ref = await ctx.attachments.addPath(path);
          // The same file picked twice (or two copies of it) is one attachment.
          if (result.added.some((r) => r.id === ref.id)) continue;
          total += ref.size;
          result.added.push(ref);
        } catch (e) {
          if (!ParleyError.is(e)) throw e;
          log.info('attachment refused', { code: e.code, key: e.detail.key });
          result.refused.push({ name, error: e.toInfo() });
        }
      }
      return result;
    },
    async 'attachments:addPiece'(caller, { name, data, upload, index, count }) {
      const whole = pieces.take(caller.windowId, name, data, { upload, index, count });
      return whole === null ? null : add(name, whole);
    },
    async 'attachments:add'(_caller, { name, data }) {
      return add(name, data);
    },
    'attachments:thumb': (_caller, id) => ctx.attachments.thumb(id),
    'attachments:view': (_caller, id) => ctx.attachments.view(id),
    async 'attachments:open'(_caller, id, how) {
      const hook = how === 'open' ? ctx.opts.openPath : ctx.opts.showItemInFolder;
      if (!hook) throw new ParleyError('config_invalid', how === 'open' ? 'This window cannot open files with other apps.' : 'This window cannot show files in the file manager.');
      const copy = await namedCopy(id);
      if (!copy) return false;
      await hook(copy);
      return true;
    },
  };
}
