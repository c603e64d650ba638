/**
 * Images with sharp (libvips on libuv's thread pool: main's thread only waits): the header's facts before anything
 * is decoded (a decompression bomb is refused there), EXIF orientation applied to what is shown and sent, the
 * first frame of an animation, thumbnails and views as WebP, and copies for a model within its limits.
 */
import sharp, { type Sharp } from 'sharp';
import { MAX_IMAGE_PIXELS, type ImageMime } from '../../../shared/attachments.ts';

/** Every decode is bounded (a bomb the header check missed still stops here) and reads the first frame only. */
const open = (bytes: Uint8Array): Sharp => sharp(bytes, { limitInputPixels: MAX_IMAGE_PIXELS, pages: 1, failOn: 'error' });

export interface ImageHeader {
  /** As shown: after EXIF orientation. */
  width: number;
  height: number;
  /** Stored pixels (before orientation): what the decoder will allocate. */
  pixels: number;
  /** Whether EXIF orientation turns or mirrors it (its bytes are then never sent as they are). */
  oriented: boolean;
  hasAlpha: boolean;
  /** Frames (an animated GIF or WebP has more than one; the first is used). */
  frames: number;
}

/** The header's facts (nothing decoded); throws when sharp cannot read even that. */
export async function readHeader(bytes: Uint8Array): Promise<ImageHeader> {
  // The header only (no pixel is decoded): its size is checked by the caller, so sharp's own limit is off here.
  const m = await sharp(bytes, { pages: 1, limitInputPixels: false }).metadata();
  const height = m.pageHeight ?? m.height;
  const turned = (m.orientation ?? 1) >= 5;
  return {
    width: turned ? height : m.width,
    height: turned ? m.width : height,
    pixels: m.width * height,
    oriented: (m.orientation ?? 1) > 1,
    hasAlpha: m.hasAlpha,
    frames: m.pages ?? 1,
  };
}

/** Decodes the whole first frame (a damaged or cut file fails here) and returns a thumbnail of it. */
export async function fitted(bytes: Uint8Array, side: number, quality = 82): Promise<Buffer> {
  return open(bytes).autoOrient().resize({ width: side, height: side, fit: 'inside', withoutEnlargement: true }).webp({ quality }).toBuffer();
}

export const dataUrl = (mime: string, data: Uint8Array): string => `data:${mime};base64,${Buffer.from(data).toString('base64')}`;

export interface Scaled {
  mime: ImageMime;
  data: Buffer;
  width: number;
  height: number;
  scaled: boolean;
}

/**
 * A copy for a model: the original when it fits as it is (long side, bytes, no EXIF turn, one frame); else
 * rotated and downscaled to `maxSide`, as JPEG (PNG when it has transparency and that fits), stepping the size and
 * quality down until it is at most `maxBytes`.
 */
export async function forModel(bytes: Uint8Array, mime: ImageMime, limits: { maxSide: number; maxBytes: number }): Promise<Scaled> {
  const h = await readHeader(bytes);
  if (!h.oriented && h.frames === 1 && Math.max(h.width, h.height) <= limits.maxSide && bytes.byteLength <= limits.maxBytes) {
    return { mime, data: Buffer.from(bytes), width: h.width, height: h.height, scaled: false };
  }
  let side = Math.min(limits.maxSide, Math.max(h.width, h.height));
  for (let attempt = 0; attempt < 8; attempt++) {
    const base = open(bytes).autoOrient().resize({ width: side, height: side, fit: 'inside', withoutEnlargement: true });
    if (h.hasAlpha && attempt === 0) {
      const { data, info } = await base.png({ compressionLevel: 9 }).toBuffer({ resolveWithObject: true });
      if (data.byteLength <= limits.maxBytes) return { mime: 'image/png', data, width: info.width, height: info.height, scaled: true };
    }
    for (const quality of [85, 70]) {
      const { data, info } = await open(bytes).autoOrient().resize({ width: side, height: side, fit: 'inside', withoutEnlargement: true })
        .flatten({ background: '#ffffff' }).jpeg({ quality, mozjpeg: true }).toBuffer({ resolveWithObject: true });
      if (data.byteLength <= limits.maxBytes) return { mime: 'image/jpeg', data, width: info.width, height: info.height, scaled: true };
    }
    side = Math.max(64, Math.floor(side * 0.7));
  }
  // Even 64 pixels at quality 70 did not fit: the smallest there is.
  const { data, info } = await open(bytes).autoOrient().resize({ width: 64, height: 64, fit: 'inside' }).flatten({ background: '#ffffff' }).jpeg({ quality: 50 }).toBuffer({ resolveWithObject: true });
  return { mime: 'image/jpeg', data, width: info.width, height: info.height, scaled: true };
}
