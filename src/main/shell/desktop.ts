/**
 * The desktop habits (issue 22), applied from the settings' `desktop` part at start and after every save: the
 * tray (tray.ts), closing the window to the tray, the global shortcuts (shortcut.ts: show/hide Parley, and the
 * quick window's), the quick window (quick-window.ts), starting with the OS, and `parley://` links (deep-link.ts).
 * Windows learn the shortcuts' state through the 'desktop:state' event. Everything here but the quick window's
 * own items acts on the app's main window (window.ts mainWindow), whichever window has the focus.
 */
import { app, BrowserWindow } from 'electron';
import type { DesktopState } from '../../shared/ipc.ts';
import type { DesktopSettings } from '../../shared/settings.ts';
import type { AppServices } from '../services/app.ts';
import { deepLinkInArgv } from '../services/deep-link.ts';
import { openDeepLink } from './deep-link.ts';
import type { QuickWindowHandle } from './quick-window.ts';
import { createShortcut } from './shortcut.ts';
import { setupTray } from './tray.ts';
import { mainWindow } from './window.ts';

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
  /** The main window was created: close-to-tray, and its first 'desktop:state'. */
  windowOpened(win: BrowserWindow): void;
  /** Shows and focuses the main window (opening it when it was closed): the quick window's "Open as conversation". */
  showMainWindow(): void;
  /** Hides the quick window when `windowId` is its page (its Esc, or its answer opened as a conversation). */
  hideQuickWindow(windowId: string): void;
}

/** `openWindow` opens the main window; `quick` is the quick window (created when first shown). */
export function setupDesktop(services: AppServices, openWindow: () => void, quick: QuickWindowHandle): DesktopHandle {
  const log = services.logger.scope('ui');
  const desktop = (): DesktopSettings | undefined => {
    try {
      return services.settings.get().desktop;
    } catch {
      return undefined;
    }
  };
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
      quickWindow: () => quick.show(),
      quit: () => app.quit(),
    },
  });

  const shortcut = createShortcut(toggleWindow);
  const quickShortcut = createShortcut(() => quick.toggle());
  const state = (): DesktopState => ({ shortcut: shortcut.state(), quickShortcut: quickShortcut.state() });
  const broadcast = (): void => {
    for (const win of BrowserWindow.getAllWindows()) services.hub.emit(String(win.webContents.id), 'desktop:state', state());
  };
  let loginItem: boolean | undefined;
  const apply = (): void => {
    const d = desktop();
    const before = state();
    const keys = { shortcut: d?.shortcut ?? '', quickShortcut: d?.quickShortcut ?? '' };
    // Keys moving from one shortcut to the other (or both changing): both released first, so neither finds the
    // other's old keys still held by Parley itself.
    if (keys.shortcut !== before.shortcut.accelerator || keys.quickShortcut !== before.quickShortcut.accelerator) {
      shortcut.dispose();
      quickShortcut.dispose();
    }
    shortcut.apply(keys.shortcut);
    quickShortcut.apply(keys.quickShortcut, keys.shortcut);
    const now = state();
    for (const which of ['shortcut', 'quickShortcut'] as const) {
      const s = now[which];
      if (s.state !== 'registered' && s.state !== 'off') log.warn('global shortcut not registered', { shortcut: which, accelerator: s.accelerator, state: s.state });
    }
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
    if (JSON.stringify(before) !== JSON.stringify(now)) broadcast();
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
    quickShortcut.dispose();
    tray.destroy();
  });

  apply();
  // A link the app was launched with, once the window is up.
  const first = [deepLinkInArgv(process.argv), ...early.splice(0)].filter((u): u is string => !!u);
  if (first.length) setImmediate(() => first.forEach(link));

  return {
    apply,
    showMainWindow: () => {
      showWindow();
      tray.refresh();
    },
    hideQuickWindow: (windowId) => {
      if (quick.owns(windowId)) quick.hide();
    },
    windowOpened(win) {
      win.on('close', (event) => {
        if (quitting || !desktop()?.closeToTray) return;
        event.preventDefault();
        win.hide();
        tray.refresh();
      });
      win.on('show', () => tray.refresh());
      win.on('hide', () => tray.refresh());
      // Really closed (not to the tray): the quick window goes too, so the app quits as without it (macOS keeps the
      // app; the quick window is created again when asked for).
      win.once('closed', () => quick.destroy());
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
