/**
 * Real files for the attachment tests, made on the spot: images by sharp (a JPEG whose EXIF says "turn 90°"), a
 * PNG whose header claims 100,000 × 100,000 pixels (a decompression bomb), text in GBK, Big5, Shift-JIS (iconv-lite)
 * and UTF-16 with its BOM, PDFs by pdf-lib (text, 100 pages, a scan with no text layer), and things pretending.
 */
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import iconv from 'iconv-lite';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import sharp from 'sharp';
import { afterEach } from 'vitest';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A new temporary folder, removed after the test. */
export function tempFolder(prefix = 'parley-attach-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

/** Every file under a folder (any depth), relative names. */
export function filesIn(folder: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string): void => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p, `${rel}${n}/`);
      else out.push(rel + n);
    }
  };
  walk(folder, '');
  return out.sort();
}

/** Writes `bytes` as `name` in a new temporary folder (a file "the user picked"); its path. */
export function fileOnDisk(name: string, bytes: Uint8Array | string): string {
  const p = join(tempFolder('parley-picked-'), name);
  writeFileSync(p, bytes);
  return p;
}

/** A w × h PNG: left half red, right half blue (so a turn shows). */
export async function png(w = 64, h = 32, alpha = false): Promise<Buffer> {
  const half = Math.max(1, Math.floor(w / 2));
  return sharp({ create: { width: w, height: h, channels: alpha ? 4 : 3, background: alpha ? { r: 255, g: 0, b: 0, alpha: 0.5 } : '#ff0000' } })
    .composite([{ input: { create: { width: w - half, height: h, channels: 3, background: '#0000ff' } }, left: half, top: 0 }])
    .png()
    .toBuffer();
}

/** A JPEG stored w × h whose EXIF orientation is 6 (shown turned 90° clockwise: h × w), as phones write them. */
export async function rotatedJpeg(w = 80, h = 40): Promise<Buffer> {
  const raw = await png(w, h);
  return sharp(raw).jpeg({ quality: 90 }).withMetadata({ orientation: 6 }).toBuffer();
}

export async function webp(w = 30, h = 20): Promise<Buffer> {
  return sharp(await png(w, h)).webp().toBuffer();
}

/** An animated GIF of two frames, each w × h (the first is what is attached). */
export async function animatedGif(w = 20, h = 10): Promise<Buffer> {
  const frame = await sharp(await png(w, h)).raw().toBuffer();
  return sharp(Buffer.concat([frame, frame]), { raw: { width: w, height: h * 2, channels: 3, pageHeight: h } }).gif({ loop: 0, delay: [100, 100] }).toBuffer();
}

const chunk = (type: string, data: Buffer): Buffer => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td) >>> 0);
  return Buffer.concat([len, td, crc]);
};

/** A small valid-looking PNG whose header says `side` × `side` pixels (100,000²: 10 gigapixels). */
export function bombPng(side = 100_000): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  // The start of an image of zeros: compressed, it is tiny; decoded, it would be 30 GB.
  const idat = deflateSync(Buffer.alloc(64 * 1024));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

export const CHINESE = '这是一个用于测试编码检测的中文文本文件。我们需要确认在代理和网关后面也能正常工作，附件可以是图片、文本和PDF文件。\n第二行：模型会收到文件名和内容。\n';
export const TRADITIONAL = '這是一個用於測試編碼偵測的中文文字檔案。我們需要確認在代理與閘道後面也能正常運作，附件可以是圖片、文字與PDF檔案。\n';
export const JAPANESE = 'これはエンコーディング検出をテストするための日本語のテキストファイルです。プロキシやゲートウェイの後ろでも正しく動作することを確認します。\n';

export const gbk = (s = CHINESE): Buffer => iconv.encode(s, 'gbk');
export const big5 = (s = TRADITIONAL): Buffer => iconv.encode(s, 'big5');
export const shiftJis = (s = JAPANESE): Buffer => iconv.encode(s, 'shift_jis');
/** A Western Windows file (Notepad's "ANSI" on an English or French system). */
export const windows1252 = (s: string): Buffer => iconv.encode(s, 'win1252');
/** UTF-16 little-endian with its byte-order mark (as Windows' Notepad wrote "Unicode"). */
export const utf16le = (s: string): Buffer => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')]);
export const utf16be = (s: string): Buffer => {
  const le = Buffer.from(s, 'utf16le');
  for (let i = 0; i + 1 < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1]!, le[i]!];
  return Buffer.concat([Buffer.from([0xfe, 0xff]), le]);
};

/** A PDF of `pages` pages, each with the lines `line(n)` gives (Helvetica: WinAnsi text only). */
export async function textPdf(pages = 2, line: (page: number) => string[] = (n) => [`Page ${n}: the proxy answered 407.`, 'Parley reads the text layer.']): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let n = 1; n <= pages; n++) {
    const page = doc.addPage([595, 842]);
    line(n).forEach((l, i) => page.drawText(l, { x: 40, y: 800 - i * 14, size: 11, font }));
  }
  return Buffer.from(await doc.save());
}

/** A 100-page PDF with a page of text each (some 40 lines): what extraction must do off main's thread. */
export async function hundredPagePdf(): Promise<Buffer> {
  return textPdf(100, (n) => Array.from({ length: 40 }, (_, i) => `Page ${n}, line ${i + 1}: through the corporate proxy, the gateway answered 413 for a large body.`));
}

/** A "scanned" PDF: one page that is only an image (no text layer). */
export async function scannedPdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const image = await doc.embedPng(await png(200, 100));
  const page = doc.addPage([595, 842]);
  page.drawImage(image, { x: 40, y: 500, width: 400, height: 200 });
  return Buffer.from(await doc.save());
}

/** Bytes that are no image, PDF or text (NULs and noise). */
export function binaryBlob(n = 4096): Buffer {
  const b = Buffer.alloc(n);
  let x = 12345;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  b[10] = 0;
  return b;
}
