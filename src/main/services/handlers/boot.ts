/** The window's start: one round trip instead of a chain of them (info, settings, list, streams, first page). */
import { PAGE_SIZE } from '../../../shared/chat.ts';
import type { BootState } from '../../../shared/ipc.ts';
import { ParleyError } from '../../core/errors.ts';
import { appInfo } from './app.ts';
import { LIST_LIMIT } from './conversations.ts';
import type { AppContext, Handlers } from './types.ts';

export function bootHandlers(ctx: AppContext): Handlers<'app:boot'> {
  return {
    'app:boot': (caller): BootState => {
      let settings: BootState['settings'] = null;
      let settingsError: BootState['settingsError'];
      try {
        settings = ctx.settings.view();
      } catch (e) {
        settingsError = (ParleyError.is(e) ? e : new ParleyError('config_invalid', String(e), { hop: 'config', phase: 'config' })).toInfo();
      }
      const conversations = ctx.store.listConversations({ limit: LIST_LIMIT });
      const active = ctx.chat.active(caller);
      const show = active[0]?.conversationId ?? conversations[0]?.id;
      const page = show ? ctx.store.path(show, { limit: PAGE_SIZE }) : null;
      return { info: appInfo(ctx), settings, ...(settingsError ? { settingsError } : {}), conversations, active, page };
    },
  };
}
