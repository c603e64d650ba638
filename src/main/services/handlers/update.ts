/**
 * Updates from the window: the view (settings, state, feeds), check, download, install (the user's click; main backs
 * up the data folder first), the feeds' test (the doctor's report), and Settings → Updates saved (a new feed only
 * after main's own dialog: a feed decides what is installed). The state goes as 'update:state' to the windows that
 * asked for it.
 */
import { ParleyError } from '../../core/errors.ts';
import { RELEASE_FEEDS, type UpdateView } from '../../../shared/update.ts';
import type { AppContext, Handlers } from './types.ts';

type UpdateChannel = 'update:get' | 'update:check' | 'update:download' | 'update:install' | 'update:save' | 'update:test';

export function updateHandlers(ctx: AppContext): Handlers<UpdateChannel> {
  const view = (): UpdateView => {
    const u = ctx.settings.get().updates;
    return { settings: { autoCheck: u.autoCheck, autoDownload: u.autoDownload, channel: u.channel, feeds: [...u.feeds] }, status: ctx.updates.status(), feeds: u.feeds.length ? [...u.feeds] : [...RELEASE_FEEDS] };
  };
  const watch = (windowId: string): void => void ctx.updateWatchers.add(windowId);
  return {
    'update:get': (caller) => {
      watch(caller.windowId);
      return view();
    },
    'update:check': (caller) => {
      watch(caller.windowId);
      return ctx.updates.check();
    },
    'update:download': (caller) => {
      watch(caller.windowId);
      return ctx.updates.download();
    },
    'update:install': (caller) => {
      watch(caller.windowId);
      return ctx.updates.install();
    },
    'update:test': () => ctx.updates.test(),
    'update:save': async (caller, draft) => {
      watch(caller.windowId);
      const old = ctx.settings.get().updates;
      const fresh = draft.feeds.filter((f) => !old.feeds.includes(f) && !(RELEASE_FEEDS as readonly string[]).includes(f));
      if (fresh.length) {
        const yes = ctx.opts.confirmUpdateFeeds ? await ctx.opts.confirmUpdateFeeds(fresh) : false;
        if (!yes) throw new ParleyError('cancelled', `The update feed ${fresh[0]} was not added: only a feed you trust may decide what Parley installs.`, { hop: 'config', phase: 'config', field: 'feeds' });
      }
      ctx.settings.updateUpdates(() => ({ autoCheck: draft.autoCheck, autoDownload: draft.autoDownload, channel: draft.channel, feeds: [...new Set(draft.feeds)] }));
      ctx.logger.scope('update').info('update settings saved', { autoCheck: draft.autoCheck, autoDownload: draft.autoDownload, channel: draft.channel, feeds: draft.feeds.length });
      ctx.updates.reschedule();
      return view();
    },
  };
}
