/**
 * Images on the way out: each sent no larger than the protocol takes (its long side and its bytes), EXIF-rotated,
 * re-encoded only when it must be; the stored original is never touched. A route that refuses large bodies (a 413,
 * remembered: services/chat/body-limits.ts) gets its images smaller still, so the whole request fits under it.
 * Copies are cached in memory per (attachment, limit), bounded in bytes.
 */
import type { Sharp } from 'sharp';
import { IMAGE_MIMES } from '../../../shared/attachments.ts';
import type { Protocol } from '../../../shared/settings.ts';
import { openImage, readHeader } from './image.ts';

/** The most an image may be when sent: its long side in pixels, and its bytes (before base64). */
export interface ImageLimit {
  maxSide: number;
  maxBytes: number;
}

/**
 * What each protocol's models take, per image:
 * - OpenAI: a high-detail image is first scaled to fit 2048 × 2048 (platform.openai.com/docs/guides/images-vision,
 *   "Calculating costs"); 20 MB an image (Azure OpenAI's input_size_error: "cannot exceed 20971520 bytes"), 50 MB a
 *   request.
 * - Anthropic: an image whose long edge is over 1568 px is scaled down before the model sees it
 *   (docs.anthropic.com/en/docs/build-with-claude/vision, "Evaluate image size"); 5 MB an image through the API,
 *   counted on its base64 ("image exceeds 5 MB maximum: 5316852 bytes > 5242880 bytes"), so 3.75 MB of bytes;
 *   32 MB a request.
 * - Ollama: no documented limit; vision models there see at most about this much (LLaVA 1.6: 672 × 672, or
 *   1344 × 336; Llama 3.2 Vision: 1120 × 1120 tiles), and a smaller image is a much shorter prompt to evaluate.
 */
export const IMAGE_LIMITS: Record<Protocol, ImageLimit> = {
  openai: { maxSide: 2048, maxBytes: 20 * 1024 * 1024 },
  anthropic: { maxSide: 1568, maxBytes: (5 * 1024 * 1024 / 4) * 3 },
  ollama: { maxSide: 1344, maxBytes: 10 * 1024 * 1024 },
};

/**
 * The largest request body each protocol's own API takes (OpenAI: 50 MB a request, its images guide; Anthropic:
 * 32 MB for the standard endpoints, "request size limits"; Ollama: none): a request's images are fitted under it
 * from the start, as under a route's remembered limit.
 */
export const REQUEST_LIMITS: Record<Protocol, number | undefined> = {
  openai: 50 * 1024 * 1024,
  anthropic: 32 * 1024 * 1024,
  ollama: undefined,
};

/** The smallest long side an image is sent at (below it, a model reads nothing useful from a photo). */
export const MIN_SIDE = 256;
/** The fewest bytes an image is given when fitting a body limit. */
export const MIN_IMAGE_BYTES = 24 * 1024;
/** What a body holds besides the images' base64 (the JSON around them, headers a gateway counts): a share kept free. */
const BODY_MARGIN = 0.9;

/**
 * The limit each of `images` images gets so that a request body of `otherBytes` (everything but the images) fits
 * `bodyLimit` bytes, within the protocol's own limit. Base64 makes 3 bytes 4. Undefined when even the smallest
 * images would not fit.
 */
export function limitUnderBody(protocol: Protocol, bodyLimit: number, images: number, otherBytes: number): ImageLimit | undefined {
  const own = IMAGE_LIMITS[protocol];
  if (images <= 0) return own;
  const room = Math.floor(bodyLimit * BODY_MARGIN) - otherBytes;
  const each = Math.floor(room / images / 4) * 3;
  if (each < MIN_IMAGE_BYTES) return undefined;
  // A side to start from that is likely to fit the bytes (a photo's JPEG is about a byte for 4 to 8 pixels at
  // quality 80); the bytes are what is held to.
  const side = Math.max(MIN_SIDE, Math.min(own.maxSide, Math.floor(Math.sqrt(each * 6))));
  return { maxSide: side, maxBytes: Math.min(own.maxBytes, each) };
}

export interface ScaledImage {
  mime: string;
  data: Buffer;
  width: number;
  height: number;
  /** True when these are not the original's bytes (rotated, downscaled or re-encoded). */
  scaled: boolean;
}

/** The types every protocol takes as they are: the image types accepted. */
const SENDABLE: ReadonlySet<string> = new Set(IMAGE_MIMES);

/**
 * An image within `limit`: its own bytes when they already fit (long side, bytes, no EXIF turn, one frame, a type
 * every protocol takes; Ollama's runners read PNG and JPEG only, so `plain` asks for one of them); else turned as
 * its EXIF says, downscaled to the long side, and encoded as JPEG (PNG when it has transparency and that fits),
 * stepping the side and quality down until it fits the bytes.
 */
export async function downscale(bytes: Uint8Array, mime: string, limit: ImageLimit, plain = false): Promise<ScaledImage> {
  // The header's facts (as shown, after EXIF orientation), nothing decoded: image.ts, as the store reads them.
  const { width, height, oriented, frames, hasAlpha } = await readHeader(bytes);
  const asIs = SENDABLE.has(mime) && (!plain || mime === 'image/png' || mime === 'image/jpeg');
  if (asIs && !oriented && frames === 1 && Math.max(width, height) <= limit.maxSide && bytes.byteLength <= limit.maxBytes) {
    return { mime, data: Buffer.from(bytes), width, height, scaled: false };
  }
  let side = Math.min(limit.maxSide, Math.max(width, height));
  const resized = (s: number): Sharp => openImage(bytes).autoOrient().resize({ width: s, height: s, fit: 'inside', withoutEnlargement: true });
  for (let step = 0; step < 8; step++) {
    if (hasAlpha && step === 0) {
      const { data, info } = await resized(side).png({ compressionLevel: 9 }).toBuffer({ resolveWithObject: true });
      if (data.byteLength <= limit.maxBytes) return { mime: 'image/png', data, width: info.width, height: info.height, scaled: true };
    }
    for (const quality of [85, 70]) {
      const { data, info } = await resized(side).flatten({ background: '#ffffff' }).jpeg({ quality, mozjpeg: true }).toBuffer({ resolveWithObject: true });
      if (data.byteLength <= limit.maxBytes) return { mime: 'image/jpeg', data, width: info.width, height: info.height, scaled: true };
    }
    // Bytes go with the area: a side cut by the square root of the excess, a little more each time.
    side = Math.max(64, Math.floor(side * 0.75));
  }
  const { data, info } = await resized(64).flatten({ background: '#ffffff' }).jpeg({ quality: 50 }).toBuffer({ resolveWithObject: true });
  return { mime: 'image/jpeg', data, width: info.width, height: info.height, scaled: true };
}

/** Where an image's original bytes come from (the attachment store: services/attachments/index.ts). */
export interface ImageSource {
  bytes(id: string): Promise<Buffer | undefined>;
}

export interface Downscaler {
  /** The image `id` (of type `mime`) within `limit`; undefined when it is not stored. Cached per (id, limit). */
  image(id: string, mime: string, limit: ImageLimit, plain?: boolean): Promise<ScaledImage | undefined>;
  /** Bytes held in the cache now. */
  readonly cachedBytes: number;
}

/** The most bytes of downscaled copies kept in memory (the least recently used go first). */
export const CACHE_BYTES = 64 * 1024 * 1024;

/** Downscaled copies of stored images, cached in memory per (id, limit, plain): an answer's retries and the next question reuse them. */
export function createDownscaler(source: ImageSource, maxCacheBytes = CACHE_BYTES): Downscaler {
  const cache = new Map<string, Promise<ScaledImage | undefined>>();
  const sizes = new Map<string, number>();
  let total = 0;
  const evict = (): void => {
    for (const [k, n] of sizes) {
      if (total <= maxCacheBytes) break;
      sizes.delete(k);
      cache.delete(k);
      total -= n;
    }
  };
  return {
    image(id, mime, limit, plain = false) {
      const key = `${id} ${limit.maxSide} ${limit.maxBytes} ${plain ? 1 : 0}`;
      const hit = cache.get(key);
      if (hit) {
        // Most recently used last.
        cache.delete(key);
        cache.set(key, hit);
        const n = sizes.get(key);
        if (n !== undefined) {
          sizes.delete(key);
          sizes.set(key, n);
        }
        return hit;
      }
      const made = (async () => {
        const bytes = await source.bytes(id);
        return bytes ? downscale(bytes, mime, limit, plain) : undefined;
      })();
      cache.set(key, made);
      made.then((img) => {
        if (!img || !cache.has(key)) return;
        sizes.set(key, img.data.byteLength);
        total += img.data.byteLength;
        evict();
      }, () => cache.delete(key));
      return made;
    },
    get cachedBytes() {
      return total;
    },
  };
}
