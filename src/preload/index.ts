/** Thin preload: maps method names to channels; the renderer never sees a channel string. */
import { contextBridge, ipcRenderer } from 'electron';
import { CHANNELS, type ParleyApi } from '../shared/ipc.ts';

const api = Object.fromEntries(
  CHANNELS.map((channel) => [channel.split(':')[1], (...args: unknown[]) => ipcRenderer.invoke(channel, ...args)]),
) as ParleyApi;

contextBridge.exposeInMainWorld('parley', api);
