/**
 * The app's window: where it was last time (rules: window-state.ts), sandboxed, and attached to the app
 * services so the events of its requests reach it. It is the app's main window: the tray, the shortcut, links,
 * menus and dialogs act on it (mainWindow), never on the quick window (quick-window.ts), which shares its
 * page settings (pageWebPreferences) and its attachment to the services (attachPage).
 */
import { app, BrowserWindow, screen, type WebPreferences } from 'electron';
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

/** Every page of the app: the preload's bridge only, isolated and sandboxed, developer tools in development builds. */
export function pageWebPreferences({ preload, isDev }: Pick<WindowOptions, 'preload' | 'isDev'>): WebPreferences {
  return { preload, contextIsolation: true, sandbox: true, nodeIntegration: false, devTools: isDev };
}

/**
 * Events are addressed to the window's page: held until it says it is ready, held again while it reloads, dropped
 * once it is gone. Its id in the services is its webContents' id (as IPC's caller).
 */
export function attachPage(services: AppServices, win: BrowserWindow): string {
  const wc = win.webContents;
  const windowId = String(wc.id);
  services.attachWindow(windowId, (event, payload) => {
    if (!wc.isDestroyed()) wc.send(EVENT_CHANNEL, event, payload);
  });
  wc.on('did-start-navigation', (details) => {
    if (details.isMainFrame && !details.isSameDocument) services.reloadWindow(windowId);
  });
  wc.once('destroyed', () => services.detachWindow(windowId));
  return windowId;
}

let main: BrowserWindow | undefined;

/** The app's main window while it is open (hidden in the tray counts); undefined once closed. */
export function mainWindow(): BrowserWindow | undefined {
  return main && !main.isDestroyed() ? main : undefined;
}

/** A native dialog's parent: the main window when it is the focused one; otherwise none (a dialog of its own). */
export function dialogParent(): BrowserWindow | undefined {
  const win = mainWindow();
  return win && BrowserWindow.getFocusedWindow() === win ? win : undefined;
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
    webPreferences: pageWebPreferences({ preload, isDev }),
  });
  main = win;
  win.once('closed', () => {
    if (main === win) main = undefined;
  });
  if (bounds.maximized) win.maximize();
  trackWindowState(win, { path: statePath, onError: (e) => log.warn('window state not saved', { path: statePath, reason: e instanceof Error ? e.message : String(e) }) });
  attachPage(services, win);
  void win.loadURL(url);
  return win;
}
