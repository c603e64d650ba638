/**
 * Main's events, wired in one place: the stores take theirs here ('doctor:step' the doctor's steps, 'chat:stream'
 * the answers being written, 'connectivity:state' the routes' states and the waiting questions); a view that keeps its own
 * state (the network panel's rows) subscribes through `subscribe`. Without the bridge (or when it refuses) there
 * are simply no events.
 */
import type { EventContract, EventName } from '../../shared/ipc.ts';
import { bridge } from './api.ts';
import { useChat } from './chat-store.ts';
import { useImport } from './import-store.ts';
import { useStore } from './store.ts';
import { useSync } from './sync-store.ts';
import { useUpdates } from './update-store.ts';
import { useDesktop } from './desktop-store.ts';
import { timedStream } from './stream-probe.ts';

/** Listens to one of main's events; returns the way to stop. */
export function subscribe<E extends EventName>(event: E, listener: (payload: EventContract[E]) => void): () => void {
  try {
    return bridge()?.on(event, listener) ?? (() => undefined);
  } catch {
    return () => undefined;
  }
}

/** The stores' events, from the start of the window (before the start's data is asked for: nothing is missed). */
export function wireStores(): () => void {
  const offs = [
    subscribe('doctor:step', (step) => useStore.getState().onDoctorStep(step)),
    // Timed only for the benchmark (stream-probe.ts); as shipped, the listener itself.
    subscribe('chat:stream', timedStream((ev) => useChat.getState().onStream(ev))),
    subscribe('connectivity:state', (state) => useChat.getState().onNetState(state)),
    subscribe('conversations:importProgress', (p) => useImport.getState().onProgress(p)),
    subscribe('sync:state', (status) => useSync.getState().onState(status)),
    subscribe('update:state', (status) => useUpdates.getState().onState(status)),
    // The quick window's answer opened as a conversation: shown here, in the list read again.
    subscribe('quick:open', ({ conversationId }) => {
      useStore.getState().setSection('chat');
      void useChat.getState().loadList().then(() => useChat.getState().open(conversationId));
    }),
    subscribe('desktop:state', (state) => useDesktop.getState().onState(state)),
    // The tray's New chat: the same as the window's own Ctrl/⌘+Shift+O (the chat shown, a new conversation).
    subscribe('desktop:command', ({ command }) => {
      if (command !== 'new-chat') return;
      useStore.getState().setSection('chat');
      void useChat.getState().newChat();
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}
