/**
 * Every IPC channel (src/shared/ipc.ts) goes to the app services, and only from the app's own page: the
 * window's top frame on parley://app/ (or, in a development build, the dev server's origin).
 */
import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import { CHANNELS, type Result } from '../../shared/ipc.ts';
import type { AppServices } from '../services/app.ts';
import { APP_ORIGIN } from './protocol.ts';

export interface IpcOptions {
  /** The dev server's URL in a development build (its origin is then the app's); undefined in a built app. */
  rendererUrl: string | undefined;
  /** After the window saved settings. */
  onSettingsSaved: () => void;
}

function isOwnFrame(event: IpcMainInvokeEvent, rendererUrl: string | undefined): boolean {
  const frame = event.senderFrame;
  // Only the window's top frame, never an iframe.
  if (!frame || frame.parent) return false;
  if (rendererUrl) return URL.canParse(frame.url) && new URL(frame.url).origin === new URL(rendererUrl).origin;
  // Node's URL gives a custom scheme the origin 'null': compare the text instead.
  return frame.url.startsWith(`${APP_ORIGIN}/`);
}

export function setupIpc(services: AppServices, { rendererUrl, onSettingsSaved }: IpcOptions): void {
  for (const channel of CHANNELS) {
    ipcMain.removeHandler(channel);
    ipcMain.handle(channel, async (event, ...args: unknown[]): Promise<Result<unknown>> => {
      if (!isOwnFrame(event, rendererUrl)) {
        services.logger.scope('ipc').warn('refused IPC from an unknown frame', { channel, url: event.senderFrame?.url });
        return { ok: false, error: { code: 'config_invalid', message: 'IPC from an unknown frame was refused.', hint: '' } };
      }
      // Events for this request go back to the window that asked.
      const result = await services.invoke({ windowId: String(event.sender.id) }, channel, args);
      if (channel === 'settings:set' && result.ok) onSettingsSaved();
      return result;
    });
  }
}
