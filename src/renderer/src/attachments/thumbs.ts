/**
 * Stored images as the window shows them: thumbnails ('attachments:thumb', THUMB_SIDE on the long side) kept in
 * a bounded cache (scrolling back does not ask again) and asked for once however many places show one; the
 * enlarged view ('attachments:view') asked for each time it opens (it is large and seldom seen twice).
 */
import { call } from '../api.ts';
import { log } from '../log.ts';
import { LruCache } from '../markdown/lru.ts';

/** About 300 thumbnails, or 24 M characters of data: URLs, whichever comes first. */
const cache = new LruCache<string>(300, 24_000_000);
const inFlight = new Map<string, Promise<string | null>>();

/** A thumbnail already loaded (shown at once, without an observer or a request). */
export function cachedThumb(id: string): string | undefined {
  return cache.get(id);
}

/** A stored image's thumbnail as a data: URL; null when main cannot make one (not stored, not an image). */
export function loadThumb(id: string): Promise<string | null> {
  const hit = cache.get(id);
  if (hit) return Promise.resolve(hit);
  let p = inFlight.get(id);
  if (!p) {
    p = call('attachmentsThumb', (api) => api.attachmentsThumb(id)).then((r) => {
      inFlight.delete(id);
      if (r.ok && r.value.startsWith('data:image/')) {
        cache.set(id, r.value);
        return r.value;
      }
      if (!r.ok) log.warn('attachment thumbnail failed', r.error);
      return null;
    });
    inFlight.set(id, p);
  }
  return p;
}

/** The enlarged view as a data: URL; null when it cannot be shown. */
export async function loadView(id: string): Promise<string | null> {
  const r = await call('attachmentsView', (api) => api.attachmentsView(id));
  if (r.ok && r.value.startsWith('data:image/')) return r.value;
  if (!r.ok) log.warn('attachment view failed', r.error);
  return null;
}

/** Opens a stored attachment with the OS's app, or shows it in the file manager; false when it is no longer stored. */
export async function openAttachment(id: string, how: 'open' | 'reveal'): Promise<boolean> {
  const r = await call('attachmentsOpen', (api) => api.attachmentsOpen(id, how));
  if (!r.ok) log.warn('attachment open failed', r.error);
  return r.ok && r.value;
}
