/**
 * The app's window: where it was last time (rules: window-state.ts), sandboxed, and attached to the app
 * services so the events of its requests reach it.
 */
import { app, BrowserWindow, screen } from 'electron';
import { join } from 'node:path';
import { EVENT_CHANNEL } from '../../shared/ipc.ts';
import type { AppServices } from '../services/app.ts';
import { readWindowState, restoreBounds, trackWindowState, WINDOW_STATE_FILE } from './window-state.ts';

export interface WindowOptions {
  /** The page to load: parley://app/index.html, or the dev server's in a development build. */
  url: string;
  /** The built preload script (out/preload/index.cjs). */
  preload: string;
  isDev: boolean;
}

export function createWindow(services: AppServices, { url, preload, isDev }: WindowOptions): BrowserWindow {
  // Size, position and maximised state come back from the last run (rules: src/main/shell/window-state.ts).
  const log = services.logger.scope('ui');
  const statePath = join(app.getPath('userData'), WINDOW_STATE_FILE);
  const primaryId = screen.getPrimaryDisplay().id;
  const displays = screen.getAllDisplays().map((d) => ({ workArea: d.workArea, primary: d.id === primaryId }));
  const saved = readWindowState(statePath, (reason) => log.warn('window state not read: using the defaults', { path: statePath, reason }));
  const bounds = restoreBounds(saved, displays, { width: 1100, height: 760 });
  const win = new BrowserWindow({
    ...(bounds.x !== undefined && bounds.y !== undefined ? { x: bounds.x, y: bounds.y } : {}),
    width: bounds.width,
    height: bounds.height,
    title: 'Parley',
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      devTools: isDev,
    },
  });
  if (bounds.maximized) win.maximize();
  trackWindowState(win, { path: statePath, onError: (e) => log.warn('window state not saved', { path: statePath, reason: e instanceof Error ? e.message : String(e) }) });
  // Events are addressed to this window: held until its page says it is ready, held again while it reloads,
  // dropped once it is gone.
  const wc = win.webContents;
  const windowId = String(wc.id);
  services.attachWindow(windowId, (event, payload) => {
    if (!wc.isDestroyed()) wc.send(EVENT_CHANNEL, event, payload);
  });
  wc.on('did-start-navigation', (details) => {
    if (details.isMainFrame && !details.isSameDocument) services.reloadWindow(windowId);
  });
  wc.once('destroyed', () => services.detachWindow(windowId));
  void win.loadURL(url);
  return win;
}
