/**
 * What a file's bytes are (not what its name says): an image by its magic bytes, a PDF by `%PDF-`, otherwise text
 * when it decodes as text. Text: a byte-order mark says UTF-8 or UTF-16; else valid UTF-8 is UTF-8; else chardet
 * names the likely encodings (GB18030/GBK, Big5, Shift-JIS, EUC-*, the Windows code pages…) and the first that
 * decodes without error is it. NULs or many control characters: binary, not text.
 */
import chardet from 'chardet';
import { MAX_INLINE_TEXT_CHARS, type ImageMime } from '../../../shared/attachments.ts';

export type Sniffed = { kind: 'image'; mime: ImageMime } | { kind: 'pdf' } | { kind: 'other' };

const startsWith = (b: Uint8Array, sig: readonly number[], at = 0): boolean => sig.every((x, i) => b[at + i] === x);

export function sniff(b: Uint8Array): Sniffed {
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { kind: 'image', mime: 'image/png' };
  if (startsWith(b, [0xff, 0xd8, 0xff])) return { kind: 'image', mime: 'image/jpeg' };
  if (startsWith(b, [0x47, 0x49, 0x46, 0x38]) && (b[4] === 0x37 || b[4] === 0x39) && b[5] === 0x61) return { kind: 'image', mime: 'image/gif' };
  if (startsWith(b, [0x52, 0x49, 0x46, 0x46]) && startsWith(b, [0x57, 0x45, 0x42, 0x50], 8)) return { kind: 'image', mime: 'image/webp' };
  // PDF readers accept a header within the first 1024 bytes (some writers put junk before it).
  const head = Buffer.from(b.buffer, b.byteOffset, Math.min(b.byteLength, 1024)).toString('latin1');
  if (head.includes('%PDF-')) return { kind: 'pdf' };
  return { kind: 'other' };
}

/** Extensions that name an image or a PDF: a file with one must be what it says. */
const IMAGE_EXT = new Set(['png', 'jpg', 'jpeg', 'jpe', 'jfif', 'webp', 'gif', 'bmp', 'tif', 'tiff', 'heic', 'heif', 'avif', 'ico']);

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/** What the name promises, when it promises something checkable. */
export function namedAs(name: string): 'image' | 'pdf' | undefined {
  const ext = extensionOf(name);
  return IMAGE_EXT.has(ext) ? 'image' : ext === 'pdf' ? 'pdf' : undefined;
}

export interface DecodedText {
  text: string;
  /** The WHATWG name of the encoding: utf-8, utf-16le, utf-16be, gb18030, big5, shift_jis… */
  encoding: string;
}

/** Encodings chardet may name that Parley reads (its names → TextDecoder's labels). */
const CHARDET_LABELS: Record<string, string> = {
  'UTF-8': 'utf-8',
  GB18030: 'gb18030',
  Big5: 'big5',
  Shift_JIS: 'shift_jis',
  'EUC-JP': 'euc-jp',
  'EUC-KR': 'euc-kr',
  'ISO-2022-JP': 'iso-2022-jp',
  'KOI8-R': 'koi8-r',
};

function labelOf(chardetName: string): string | undefined {
  const known = CHARDET_LABELS[chardetName];
  if (known) return known;
  if (/^(ISO-8859-\d+|windows-125\d)$/i.test(chardetName)) return chardetName.toLowerCase();
  return undefined;
}

function decodeStrict(bytes: Uint8Array, label: string): string | undefined {
  try {
    return new TextDecoder(label, { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** Control characters other than tab, newlines, form feed and escape (C0 and C1): binary when more than a few. */
function looksBinary(text: string): boolean {
  let controls = 0;
  const n = Math.min(text.length, 64 * 1024);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) return true;
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c && c !== 0x1b) || (c >= 0x7f && c <= 0x9f) || c === 0xfffd) controls++;
  }
  return controls > Math.max(2, n / 200);
}

/** The text of bytes that are text, or undefined when they are not (binary, or no encoding reads them). */
export function decodeText(bytes: Uint8Array): DecodedText | undefined {
  if (bytes.byteLength === 0) return { text: '', encoding: 'utf-8' };
  const bom: [number[], string][] = [[[0xef, 0xbb, 0xbf], 'utf-8'], [[0xff, 0xfe], 'utf-16le'], [[0xfe, 0xff], 'utf-16be']];
  for (const [sig, label] of bom) {
    if (!startsWith(bytes, sig)) continue;
    // TextDecoder drops the BOM itself.
    const text = decodeStrict(bytes, label);
    return text === undefined || looksBinary(text) ? undefined : { text, encoding: label };
  }
  // A NUL in a file without a UTF-16 BOM: binary.
  if (bytes.includes(0)) return undefined;
  const utf8 = decodeStrict(bytes, 'utf-8');
  if (utf8 !== undefined) return looksBinary(utf8) ? undefined : { text: utf8, encoding: 'utf-8' };
  // chardet reads a sample (a large file's first 256 KB says its encoding as well as all of it).
  const sample = bytes.subarray(0, 256 * 1024);
  const seen = new Set<string>();
  for (const m of chardet.analyse(sample)) {
    const label = labelOf(m.name);
    if (!label || seen.has(label)) continue;
    seen.add(label);
    const text = decodeStrict(bytes, label);
    if (text === undefined) continue;
    if (looksBinary(text)) return undefined;
    return { text, encoding: new TextDecoder(label).encoding };
  }
  return undefined;
}

/** Characters of text sent inline: at most MAX_INLINE_TEXT_CHARS, never half of a surrogate pair. */
export function keptOf(text: string): number {
  let kept = Math.min(text.length, MAX_INLINE_TEXT_CHARS);
  if (kept < text.length && kept > 0) {
    const c = text.charCodeAt(kept - 1);
    if (c >= 0xd800 && c <= 0xdbff) kept--;
  }
  return kept;
}

/** Text as it is kept (UTF-8), with its counts: what main stores without handling the string itself. */
export interface TextFacts {
  chars: number;
  keptChars: number;
  utf8: Uint8Array;
}

export function textFacts(text: string): TextFacts {
  return { chars: text.length, keptChars: keptOf(text), utf8: new TextEncoder().encode(text) };
}
