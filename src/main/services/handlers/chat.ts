/** Sending and streaming: every request is owned by the chat service in main. */
import type { AppContext, Handlers } from './types.ts';

export function chatHandlers(ctx: AppContext): Handlers<'chat:send' | 'chat:regenerate' | 'chat:continue' | 'chat:retry' | 'chat:stop' | 'chat:active'> {
  const { chat } = ctx;
  return {
    'chat:send': (caller, args) => chat.send(caller, args),
    'chat:regenerate': (caller, id) => chat.regenerate(caller, id),
    'chat:continue': (caller, id) => chat.continue(caller, id),
    'chat:retry': (caller, id) => chat.retry(caller, id),
    'chat:stop': (_caller, requestId) => chat.stop(requestId),
    'chat:active': (caller) => chat.active(caller),
  };
}
