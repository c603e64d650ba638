/**
 * The desktop habits (issue 22), applied from the settings' `desktop` part at start and after every save: the
 * tray (tray.ts), closing the window to the tray, the global shortcut (shortcut.ts), starting with the OS, and
 * `parley://` links (deep-link.ts). Windows learn the shortcut's state through the 'desktop:state' event.
 */
import { app, BrowserWindow } from 'electron';
import type { DesktopState } from '../../shared/ipc.ts';
import type { DesktopSettings } from '../../shared/settings.ts';
import type { AppServices } from '../services/app.ts';
import { deepLinkInArgv } from '../services/deep-link.ts';
import { openDeepLink } from './deep-link.ts';
import { createShortcut } from './shortcut.ts';
import { setupTray } from './tray.ts';

/**
 * macOS can hand the app a link (open-url) before it is ready, when setupDesktop has not listened yet: those are
 * kept from the start (call before app.whenReady) and opened once it has. At most a few: more are dropped.
 */
const early: string[] = [];
let earlyListener: ((event: { preventDefault(): void }, url: string) => void) | undefined;
export function keepEarlyLinks(): void {
  earlyListener = (event, url) => {
    event.preventDefault();
    if (early.length < 4) early.push(url);
  };
  app.on('open-url', earlyListener);
}

export interface DesktopHandle {
  /** After the settings were saved: the shortcut, start with the OS, the tray's words. */
  apply(): void;
  /** A window was created: close-to-tray, and its first 'desktop:state'. */
  windowOpened(win: BrowserWindow): void;
}

export function setupDesktop(services: AppServices, openWindow: () => void): DesktopHandle {
  const log = services.logger.scope('ui');
  const desktop = (): DesktopSettings | undefined => {
    try {
      return services.settings.get().desktop;
    } catch {
      return undefined;
    }
  };
  const mainWindow = (): BrowserWindow | undefined => BrowserWindow.getAllWindows()[0];
  let quitting = false;
  app.on('before-quit', () => {
    quitting = true;
  });

  const showWindow = (): BrowserWindow | undefined => {
    const win = mainWindow();
    if (!win) {
      openWindow();
      return mainWindow();
    }
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
    return win;
  };
  const toggleWindow = (): void => {
    const win = mainWindow();
    if (win && win.isVisible() && !win.isMinimized()) win.hide();
    else showWindow();
    tray.refresh();
  };
  const tray = setupTray(services, {
    windowVisible: () => mainWindow()?.isVisible() ?? false,
    actions: {
      toggleWindow,
      newChat: () => {
        const win = showWindow();
        tray.refresh();
        // The window starts the conversation itself (as its Ctrl/⌘+N does); held until its page is ready.
        if (win) services.hub.emit(String(win.webContents.id), 'desktop:command', { command: 'new-chat' });
      },
      quit: () => app.quit(),
    },
  });

  const shortcut = createShortcut(toggleWindow);
  const state = (): DesktopState => ({ shortcut: shortcut.state() });
  const broadcast = (): void => {
    for (const win of BrowserWindow.getAllWindows()) services.hub.emit(String(win.webContents.id), 'desktop:state', state());
  };
  let loginItem: boolean | undefined;
  const apply = (): void => {
    const d = desktop();
    const before = shortcut.state();
    const now = shortcut.apply(d?.shortcut ?? '');
    if (now.state === 'taken' || now.state === 'invalid') log.warn('global shortcut not registered', { accelerator: now.accelerator, state: now.state });
    const openAtLogin = d?.openAtLogin ?? false;
    if (openAtLogin !== loginItem) {
      loginItem = openAtLogin;
      try {
        app.setLoginItemSettings({ openAtLogin });
      } catch (e) {
        log.warn('start with the OS not set', { reason: e instanceof Error ? e.message : String(e) });
      }
    }
    tray.refresh();
    if (before.accelerator !== now.accelerator || before.state !== now.state) broadcast();
  };

  // parley:// links: the OS's (macOS: open-url; Windows, Linux: a launch's argv, here or in a second launch).
  if (!app.isDefaultProtocolClient?.('parley')) app.setAsDefaultProtocolClient('parley');
  const link = (url: string | undefined): void => {
    if (!url) return;
    showWindow();
    void openDeepLink(services, url).catch((e: unknown) => log.warn('deep link failed', { reason: e instanceof Error ? e.message : String(e) }));
  };
  if (earlyListener) app.removeListener('open-url', earlyListener);
  app.on('open-url', (event, url) => {
    event.preventDefault();
    link(url);
  });
  // A window hidden in the tray comes back when the app is launched again or its dock icon is clicked (lifecycle.ts
  // only focuses a window, or opens one when there is none).
  const unhide = (): void => {
    const win = mainWindow();
    if (win && !win.isVisible()) showWindow();
  };
  app.on('second-instance', (_event, argv: string[]) => {
    unhide();
    link(deepLinkInArgv(argv));
  });
  app.on('activate', unhide);
  app.on('will-quit', () => {
    shortcut.dispose();
    tray.destroy();
  });

  apply();
  // A link the app was launched with, once the window is up.
  const first = [deepLinkInArgv(process.argv), ...early.splice(0)].filter((u): u is string => !!u);
  if (first.length) setImmediate(() => first.forEach(link));

  return {
    apply,
    windowOpened(win) {
      win.on('close', (event) => {
        if (quitting || !desktop()?.closeToTray) return;
        event.preventDefault();
        win.hide();
        tray.refresh();
      });
      win.on('show', () => tray.refresh());
      win.on('hide', () => tray.refresh());
      const id = String(win.webContents.id);
      services.hub.emit(id, 'desktop:state', state());
      // A reload starts the page over: it is told again (held by the hub until it says it is ready).
      win.webContents.on('did-start-navigation', (details) => {
        if (details.isMainFrame && !details.isSameDocument) services.hub.emit(id, 'desktop:state', state());
      });
      tray.refresh();
    },
  };
}
