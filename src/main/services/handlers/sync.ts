/**
 * Sync from the window: its settings (secrets only as "set"), saving them (a new secret goes to the keychain; a
 * stored password going to a new host needs main's own yes), a sync now, and its state pushed as 'sync:state' to
 * the windows that asked for it.
 */
import type { AppContext, Handlers } from './types.ts';

type SyncChannel = 'sync:get' | 'sync:save' | 'sync:run' | 'sync:test';

export function syncHandlers(ctx: AppContext): Handlers<SyncChannel> {
  return {
    'sync:get': (caller) => {
      ctx.syncWatchers.add(caller.windowId);
      return ctx.sync.view();
    },
    'sync:save': (caller, draft) => {
      ctx.syncWatchers.add(caller.windowId);
      return ctx.sync.save(draft);
    },
    'sync:run': async (caller) => {
      ctx.syncWatchers.add(caller.windowId);
      await ctx.sync.run();
      return ctx.sync.view();
    },
    'sync:test': () => ctx.sync.test(),
  };
}
