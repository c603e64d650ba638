/**
 * The attachment store: files a question carries, kept content-addressed in the data folder
 * (`<dataDir>/attachments/<aa>/<sha256>`, `aa` the id's first two hex digits), each written to a temporary file in
 * the same folder and renamed (nothing half-written stays). The same bytes twice are stored once. Beside each
 * original, what was derived from it: `<sha>.json` (its description, written last: an attachment is stored once
 * this exists), `<sha>.txt` (the text of a text file or PDF, UTF-8), `<sha>.thumb.webp` (an image's thumbnail,
 * made when it is added: decoding it proves the image whole) and `<sha>.view.webp` (its enlarged view, on first use).
 *
 * What is accepted is what the bytes are (sniffed), not what the name says: PNG, JPEG, WebP, GIF (first frame) are
 * images (sharp); `%PDF` is a PDF (its text by pdf.js, in a worker thread, stopped at PDF_TIMEOUT_MS); anything that
 * decodes as text is text (encoding detected by chardet, decoded by TextDecoder; files over 256 KB in the same
 * worker thread). A file that is too big, or a PDF of more than MAX_PDF_PAGES pages, is refused with
 * `limit_exceeded`; one that is unreadable, not what its extension says, a decompression bomb, or a PDF that
 * never finishes is refused with `attachment_invalid`; the store's disk failing is `storage_failed`. Every refusal
 * is a ParleyError with a catalog key (src/shared/messages/en.ts), and leaves nothing in the folder.
 *
 * Used by: handlers/attachments.ts (pick, add, thumb, view, open), the chat's send path (describe, textFor, bytes;
 * imageFor), storage (add, addPath, describe, path, remove, sweep: messages' files, export and import).
 */
import { join } from 'node:path';
import type { AttachmentRef } from '../../../shared/attachments.ts';
import type { ImageLimit, ScaledImage } from './downscale.ts';
import type { Logger } from '../diagnostics/logging.ts';
import { createStore } from './store.ts';

/** The store's folder in a data folder. */
export function attachmentsDirOf(dataDir: string): string {
  return join(dataDir, 'attachments');
}

export interface AttachmentStoreOptions {
  /** The store's own folder: attachmentsDirOf(dataDir). Created on the first write. */
  dir: string;
  logger?: Logger;
  /** Bounds (tests lower them; default: shared/attachments.ts). */
  pdfTimeoutMs?: number;
  maxPdfPages?: number;
  maxBytes?: number;
  /** The reader's worker script (PDFs, large text files; default: reader-worker(.ts|.js) beside this module or one folder up). */
  workerUrl?: URL;
}

/** An image as it is sent to a model (downscale.ts): at most `maxSide` on its long side and `maxBytes` long, EXIF-rotated. */
export type { ScaledImage } from './downscale.ts';

export interface AttachmentStore {
  /** The store's folder. */
  readonly dir: string;
  /**
   * Checks, stores and describes a file from bytes (a paste, a drop, an import). `name` is the file's name as the
   * user had it (folders are dropped). Rejects with a ParleyError (limit_exceeded, attachment_invalid,
   * storage_failed); nothing stays stored then.
   */
  add(name: string, bytes: Uint8Array): Promise<AttachmentRef>;
  /** The same from a file on disk: ONLY a path main's own open dialog returned (never one from the window). */
  addPath(path: string): Promise<AttachmentRef>;
  /** Whether an attachment is stored (complete). */
  has(id: string): boolean;
  /** A stored attachment's description (its name is the one it was first stored under), or undefined. */
  describe(id: string): AttachmentRef | undefined;
  /** The stored original's absolute path, or undefined when not stored. Main only: never sent to the window. */
  path(id: string): string | undefined;
  /** The original's bytes, or undefined when not stored. */
  bytes(id: string): Promise<Buffer | undefined>;
  /**
   * The whole text of a text file or PDF (decoded, UTF-8 in JS), or undefined (an image, a PDF with no text layer,
   * not stored). What is sent inline is its first `ref.keptChars` characters (`text.slice(0, keptChars)`; chars
   * and keptChars count UTF-16 code units, as String.length); the rest is to be said to be left out.
   */
  textFor(id: string): Promise<string | undefined>;
  /** An image's thumbnail (long side THUMB_SIDE) as a data: URL (cached beside it). Not an image: attachment_invalid. */
  thumb(id: string): Promise<string>;
  /** An image at most VIEW_SIDE on its long side as a data: URL (cached beside it). */
  view(id: string): Promise<string>;
  /**
   * An image for a model: EXIF-rotated, downscaled to fit `maxSide` and re-encoded (JPEG, or PNG with
   * transparency) until at most `maxBytes`; the original's bytes when they already fit. The original stays stored.
   */
  imageFor(id: string, limits: ImageLimit): Promise<ScaledImage>;
  /** Every stored attachment's id. */
  ids(): Promise<string[]>;
  /** Deletes these attachments and all derived from them (ids not stored are ignored); how many were removed. */
  remove(ids: Iterable<string>): Promise<number>;
  /**
   * Deletes attachments stored (or last added again) more than `olderThanMs` ago for which `keep(id)` is false:
   * files staged in the composer and never sent. Also removes temporary files left by a crash. How many were removed.
   */
  sweep(keep: (id: string) => boolean, olderThanMs: number): Promise<number>;
  /** Stops the reads under way (their adds reject with cancelled). */
  close(): Promise<void>;
}

export function createAttachmentStore(opts: AttachmentStoreOptions): AttachmentStore {
  return createStore(opts);
}
