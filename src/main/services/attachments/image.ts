/**
 * Images with sharp (libvips on libuv's thread pool: main's thread only waits): the header's facts before anything
 * is decoded (a decompression bomb is refused there), EXIF orientation applied to what is shown and sent, the
 * first frame of an animation, thumbnails and views as WebP. Copies for a model within its limits: downscale.ts.
 */
import sharp, { type Sharp } from 'sharp';
import { MAX_IMAGE_PIXELS } from '../../../shared/attachments.ts';

/** Every decode is bounded (a bomb the header check missed still stops here) and reads the first frame only. */
export const openImage = (bytes: Uint8Array): Sharp => sharp(bytes, { limitInputPixels: MAX_IMAGE_PIXELS, pages: 1, failOn: 'error' });

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
  return openImage(bytes).autoOrient().resize({ width: side, height: side, fit: 'inside', withoutEnlargement: true }).webp({ quality }).toBuffer();
}

export const dataUrl = (mime: string, data: Uint8Array): string => `data:${mime};base64,${Buffer.from(data).toString('base64')}`;
