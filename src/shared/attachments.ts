/**
 * Attachments (files a question carries) as both sides see them: the reference a message holds, what kinds there
 * are, and their bounds. Plain data only (it crosses IPC). The bytes stay in main's content-addressed store
 * (services/attachments); the window sees references, thumbnails and larger views as data: URLs (the CSP allows
 * nothing else), and never a path.
 */
import type { ErrorInfo } from './errors.ts';

/** image: PNG, JPEG, WebP, GIF (first frame). text: any text or code file (any extension, or none). pdf: its text layer. */
export const ATTACHMENT_KINDS = ['image', 'text', 'pdf'] as const;
export type AttachmentKind = (typeof ATTACHMENT_KINDS)[number];

/** The image types accepted (what the bytes are, not what the name says). */
export const IMAGE_MIMES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'] as const;
export type ImageMime = (typeof IMAGE_MIMES)[number];

/** An attachment's id: the SHA-256 of its original bytes, lower-case hex (the stored file's name). */
export const ATTACHMENT_ID = /^[0-9a-f]{64}$/;

/** One attachment as a message refers to it (and as the composer's chip shows it). */
export interface AttachmentRef {
  /** SHA-256 of the original bytes (hex): the same file twice is stored once. */
  id: string;
  /** The file's name as the user had it (no folder). */
  name: string;
  kind: AttachmentKind;
  /** What the bytes are (sniffed): image/png…, text/plain, application/pdf. */
  mime: string;
  /** Bytes of the original. */
  size: number;
  /** Images: pixels after EXIF rotation. */
  width?: number;
  height?: number;
  /** Text files: the encoding it was read in (utf-8, utf-16le, gb18030, big5, shift_jis…). */
  encoding?: string;
  /** PDFs: pages. */
  pages?: number;
  /** Text and PDFs: characters of text extracted. */
  chars?: number;
  /** Text and PDFs: only the first `keptChars` of `chars` characters are sent (the rest is said to be left out). */
  keptChars?: number;
  /** PDFs: no text layer (a scan): nothing of it can be sent as text, and the window says so. */
  noText?: boolean;
}

/** Bounds on attachments (refused beyond them with `limit_exceeded` and a message saying which). */
export const MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024;
export const MAX_ATTACHMENTS_PER_MESSAGE = 10;
/** All attachments of one message together. */
export const MAX_MESSAGE_ATTACHMENT_BYTES = 50 * 1024 * 1024;
/** Text sent inline per text file or PDF; beyond it the block says how much was left out. */
export const MAX_INLINE_TEXT_CHARS = 100_000;
/** A decoded image larger than this is refused (a decompression bomb: a small PNG of gigapixels). */
export const MAX_IMAGE_PIXELS = 50_000_000;
/** PDFs: pages read at most, and how long extraction may take before it is stopped. */
export const MAX_PDF_PAGES = 2000;
export const PDF_TIMEOUT_MS = 30_000;
/** A file name as kept and shown. */
export const MAX_ATTACHMENT_NAME_CHARS = 255;
/** The longest side of a thumbnail, and of the enlarged view, sent to the window. */
export const THUMB_SIDE = 320;
export const VIEW_SIDE = 2048;
/** base64 of the largest attachment the window may hand over (paste, drop). */
export const MAX_ATTACHMENT_BASE64_CHARS = Math.ceil(MAX_ATTACHMENT_BYTES / 3) * 4;
/**
 * A larger file is handed over in pieces of at most this many base64 characters (a multiple of 4): each piece is a
 * copy of a megabyte, not one of 14 MB, on the window's main thread (no task over 50 ms for a 10 MB photo).
 */
export const ATTACHMENT_PIECE_CHARS = 1024 * 1024;
/** The most pieces of one file, and how long main keeps the pieces of a file that stopped arriving. */
export const MAX_ATTACHMENT_PIECES = Math.ceil(MAX_ATTACHMENT_BASE64_CHARS / ATTACHMENT_PIECE_CHARS);
export const ATTACHMENT_PIECES_MS = 60_000;

/** What the picker added, and what it refused (each with why). */
export interface PickResult {
  added: AttachmentRef[];
  refused: { name: string; error: ErrorInfo }[];
}
