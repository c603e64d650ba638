/** Thin preload: maps method names to channels; the renderer never sees a channel string or ipcRenderer. */
import { contextBridge, ipcRenderer } from 'electron';
import { CHANNELS, EVENT_CHANNEL, EVENTS, methodName, type EventName } from '../shared/ipc-names.ts';
import type { ParleyApi } from '../shared/ipc.ts';

const methods = Object.fromEntries(CHANNELS.map((channel) => [methodName(channel), (...args: unknown[]) => ipcRenderer.invoke(channel, ...args)]));

const api = {
  ...methods,
  on(event: EventName, listener: (payload: unknown) => void): () => void {
    if (!(EVENTS as readonly string[]).includes(event)) throw new Error(`unknown event ${event}`);
    const fn = (_e: unknown, name: string, payload: unknown): void => {
      if (name === event) listener(payload);
    };
    ipcRenderer.on(EVENT_CHANNEL, fn);
    return () => void ipcRenderer.removeListener(EVENT_CHANNEL, fn);
  },
} as ParleyApi;

contextBridge.exposeInMainWorld('parley', api);
