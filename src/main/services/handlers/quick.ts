/**
 * The quick window (issue 22): a small always-on-top composer whose question and answer are an ordinary
 * conversation (chat:send from that window). When it is done, main hides it; "Open as conversation" shows the app's
 * window and has it open that conversation ('quick:open' to every other window).
 */
import type { AppContext, Handlers } from './types.ts';

export function quickHandlers(ctx: AppContext): Handlers<'quick:done'> {
  return {
    'quick:done': (caller, { open }) => {
      ctx.opts.hideQuickWindow?.(caller.windowId);
      if (!open) return true;
      if (!ctx.store.getConversation(open)) return false;
      ctx.opts.showMainWindow?.();
      for (const id of ctx.hub.ids()) if (id !== caller.windowId) ctx.hub.emit(id, 'quick:open', { conversationId: open });
      return true;
    },
  };
}
