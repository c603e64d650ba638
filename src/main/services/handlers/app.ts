/** The app itself: info, readiness of a window, renderer logs, the log folder, and links opened in the OS browser. */
import { mkdirSync } from 'node:fs';
import { ParleyError } from '../../core/errors.ts';
import type { AppContext, Handlers } from './types.ts';

/** Only these links leave the app, and only through main (the OS browser or mail client). */
export function safeExternalUrl(url: string): string | undefined {
  if (!URL.canParse(url)) return undefined;
  const u = new URL(url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:' && u.protocol !== 'mailto:') return undefined;
  return u.href;
}

export function appHandlers(ctx: AppContext): Handlers<'app:info' | 'app:ready' | 'log:write' | 'logs:open' | 'link:open'> {
  const uiLog = ctx.logger.scope('ui');
  return {
    'app:info': () => ({ ...ctx.opts.versions, node: process.versions.node, platform: process.platform, logDir: ctx.opts.logDir, dataDir: ctx.opts.dataDir, host: ctx.opts.host }),
    'app:ready': (caller) => {
      ctx.hub.ready(caller.windowId);
    },
    'log:write': (_caller, entry) => {
      uiLog[entry.level](entry.message, entry.data);
    },
    'logs:open': async () => {
      mkdirSync(ctx.opts.logDir, { recursive: true, mode: 0o700 });
      await ctx.opts.openFolder?.(ctx.opts.logDir);
      return ctx.opts.logDir;
    },
    'link:open': async (_caller, url) => {
      const safe = safeExternalUrl(url);
      if (!safe) {
        ctx.logger.scope('ui').warn('link refused', { scheme: url.split(':')[0]?.slice(0, 20) });
        throw new ParleyError('config_invalid', 'Only http, https and mailto links can be opened.', { hop: 'config', phase: 'config' });
      }
      if (!ctx.opts.openExternal) return false;
      return ctx.opts.openExternal(safe);
    },
  };
}
