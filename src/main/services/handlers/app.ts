/** The app itself: info, readiness of a window, renderer logs, the log folder, and links opened in the OS browser. */
import { ensurePrivateDir } from '../safe-write.ts';
import { ParleyError } from '../../core/errors.ts';
import { words } from '../../../shared/messages/en.ts';
import type { AppInfo } from '../../../shared/ipc.ts';
import { safeLinkUrl } from '../../../shared/links.ts';
import type { AppContext, Handlers } from './types.ts';
import { isPublicAddress, resolveAll } from '../chat/public-address.ts';


/** Image types shown from a data: URL (no SVG: it can carry scripts and remote references). */
const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif'];
export const MAX_IMAGE_BYTES = 8 * 1024 * 1024;

/** Lines a window may log at once, and how many more per second: a flood must not rotate the log history away. */
export const LOG_BURST = 100;
export const LOG_PER_SECOND = 20;

/** How long after a window's start the search worker starts (its start then does not compete with the first paint). */
export const SEARCH_WARM_DELAY_MS = 300;

/**
 * A token bucket per window: a line over the rate is dropped (never waited for), and each run of dropped lines
 * is written as one counted notice a second after it began.
 */
export function logRateLimit(notice: (windowId: string, dropped: number) => void, burst = LOG_BURST, perSecond = LOG_PER_SECOND): { take(windowId: string): boolean } {
  const buckets = new Map<string, { tokens: number; at: number; dropped: number }>();
  return {
    take(windowId) {
      const now = performance.now();
      let b = buckets.get(windowId);
      if (!b) {
        b = { tokens: burst, at: now, dropped: 0 };
        buckets.set(windowId, b);
        // Windows come and go (each reload of the browser host is one): the oldest full buckets are forgotten.
        if (buckets.size > 256) for (const [id, x] of buckets) if (x.dropped === 0 && buckets.size > 256) buckets.delete(id);
      }
      b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * perSecond);
      b.at = now;
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return true;
      }
      if (b.dropped++ === 0) {
        const bucket = b;
        setTimeout(() => {
          notice(windowId, bucket.dropped);
          bucket.dropped = 0;
        }, 1000).unref?.();
      }
      return false;
    },
  };
}

/** The one error of an image that did not load: neither the server's words nor its status reach the window. */
function imageFailed(host: string): ParleyError {
  return new ParleyError('protocol_error', words('image_failed', { host }));
}

export function appInfo(ctx: AppContext): AppInfo {
  return { ...ctx.opts.versions, node: process.versions.node, platform: process.platform, logDir: ctx.opts.logDir, dataDir: ctx.opts.dataDir, host: ctx.opts.host };
}

export function appHandlers(ctx: AppContext): Handlers<'app:info' | 'app:ready' | 'log:write' | 'logs:open' | 'link:open' | 'image:load'> {
  const uiLog = ctx.logger.scope('ui');
  const logLimit = logRateLimit((windowId, dropped) => uiLog.warn('renderer log lines dropped: too many too fast', { windowId, dropped }));
  return {
    'app:info': () => appInfo(ctx),
    'app:ready': (caller) => {
      ctx.hub.ready(caller.windowId);
      // The window has shown its start: the search worker starts now, off that path, so the first search is not
      // the one that waits for it.
      setTimeout(() => ctx.store.warmSearch(), SEARCH_WARM_DELAY_MS).unref();
    },
    'log:write': (caller, entry) => {
      if (logLimit.take(caller.windowId)) uiLog[entry.level](entry.message, entry.data);
    },
    'logs:open': async () => {
      ensurePrivateDir(ctx.opts.logDir);
      await ctx.opts.openFolder?.(ctx.opts.logDir);
      return ctx.opts.logDir;
    },
    'image:load': async (_caller, url) => {
      const u = URL.canParse(url) ? new URL(url) : undefined;
      if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:') || u.username || u.password) {
        throw new ParleyError('config_invalid', 'Only http and https images can be loaded.', { hop: 'config', phase: 'config' });
      }
      // Only from public addresses, by what the name resolves to (the connection checks again: public-address.ts).
      // Nothing is sent to a loopback, private or link-local address, so no answer tells an open port from a closed one.
      const addresses = await resolveAll(u.hostname, ctx.opts.lookup).catch(() => []);
      if (!addresses.length || !addresses.every(isPublicAddress)) {
        ctx.logger.scope('ui').warn('image refused: not a public address', { host: u.host });
        throw new ParleyError('config_invalid', words('image_not_public', { host: u.host }), { hop: 'config', phase: 'config' });
      }
      // The global network settings, never a provider's key.
      const s = ctx.settings.get();
      const raw = { provider: { protocol: 'openai', baseUrl: u.origin, model: 'image' }, network: s.network };
      let got: { contentType: string; body: Buffer };
      try {
        got = await ctx.imageCore.fetchBytes(ctx.imageCore.settings(raw), u.href, { maxBytes: MAX_IMAGE_BYTES, accept: IMAGE_TYPES.join(', ') });
      } catch (e) {
        // One answer for every failure: what a server said (an error page, a status) is not the window's to read.
        ctx.logger.scope('ui').warn('image not loaded', { host: u.host, code: ParleyError.is(e) ? e.code : 'protocol_error' });
        throw imageFailed(u.host);
      }
      const type = got.contentType.split(';')[0]?.trim().toLowerCase() ?? '';
      if (!IMAGE_TYPES.includes(type)) {
        ctx.logger.scope('ui').warn('image not loaded: not an image', { host: u.host, type: type.slice(0, 100) });
        throw imageFailed(u.host);
      }
      ctx.logger.scope('ui').info('image loaded', { host: u.host, type, bytes: got.body.length });
      return `data:${type};base64,${got.body.toString('base64')}`;
    },
    'link:open': async (_caller, url) => {
      const safe = safeLinkUrl(url);
      if (!safe) {
        ctx.logger.scope('ui').warn('link refused', { scheme: url.split(':')[0]?.slice(0, 20) });
        throw new ParleyError('config_invalid', 'Only http, https and mailto links can be opened.', { hop: 'config', phase: 'config' });
      }
      if (!ctx.opts.openExternal) return false;
      return ctx.opts.openExternal(safe);
    },
  };
}
