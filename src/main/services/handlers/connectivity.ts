/**
 * Connectivity (offline): the routes' states, the OS's online state as the window reports it, and the
 * questions waiting to be sent when their route answers again (../connectivity.ts). A window that asks for the
 * state (or reports the OS's) receives 'connectivity:state' at every change.
 */
import type { AppContext, Handlers } from './types.ts';

export function connectivityHandlers(ctx: AppContext): Handlers<'connectivity:get' | 'connectivity:osOnline' | 'chat:queue' | 'chat:unqueue'> {
  const { connectivity } = ctx;
  return {
    'connectivity:get': (caller) => {
      connectivity.watch(caller.windowId);
      return connectivity.state();
    },
    'connectivity:osOnline': (caller, online) => {
      connectivity.watch(caller.windowId);
      connectivity.setOsOnline(online);
      return connectivity.state();
    },
    'chat:queue': (caller, { conversationId, text }) => connectivity.queue(conversationId, text, caller.windowId),
    'chat:unqueue': (_caller, id) => connectivity.unqueue(id),
  };
}
