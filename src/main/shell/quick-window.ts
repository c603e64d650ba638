/**
 * The quick window (issue 22): a small always-on-top composer (the renderer with #quick) that the tray or its
 * global shortcut opens over whatever the user is doing. One window, created the first time it is asked for and
 * then only hidden: on Esc or "Open as conversation" (the page's 'quick:done', services/handlers/quick.ts), when
 * it loses the focus, or when its shortcut is pressed again. It is shown once its page is painted, centred on the
 * display the pointer is on. Same page settings and attachment to the services as the main window (window.ts);
 * the navigation and permission rules (security.ts) hold for every page the app creates.
 */
import { BrowserWindow, screen } from 'electron';
import type { AppServices } from '../services/app.ts';
import { attachPage, pageWebPreferences, type WindowOptions } from './window.ts';

export const QUICK_WIDTH = 560;
export const QUICK_HEIGHT = 360;

export interface QuickWindowHandle {
  /** Shown (and focused): hidden; hidden or not created yet: shown. */
  toggle(): void;
  show(): void;
  hide(): void;
  /** Whether `windowId` (a caller's) is the quick window's page. */
  owns(windowId: string): boolean;
  /** The window itself, if created and not closed (tests, and the main window's closing). */
  window(): BrowserWindow | undefined;
  /** Closes it for good (the main window closed, or the app quits); asked for again, it is created again. */
  destroy(): void;
}

/** `url`: the app's page (as the main window's); the quick window loads it with the hash 'quick'. */
export function quickWindow(services: AppServices, { url, preload, isDev }: WindowOptions): QuickWindowHandle {
  let win: BrowserWindow | undefined;
  let windowId = '';
  let painted = false;
  // Asked to show before the page was painted: shown when it is (unless hidden again in between).
  let wanted = false;

  const page = new URL(url);
  page.hash = 'quick';

  const present = (w: BrowserWindow): void => {
    // Centred on the display with the pointer (where the user is looking), inside its work area.
    const area = screen.getDisplayNearestPoint(screen.getCursorScreenPoint()).workArea;
    const { width, height } = w.getBounds();
    w.setBounds({ x: area.x + Math.round((area.width - width) / 2), y: area.y + Math.round((area.height - height) / 2) });
    w.show();
    w.focus();
  };

  const create = (): BrowserWindow => {
    const w = new BrowserWindow({
      width: QUICK_WIDTH,
      height: QUICK_HEIGHT,
      show: false,
      frame: false,
      resizable: false,
      minimizable: false,
      maximizable: false,
      fullscreenable: false,
      alwaysOnTop: true,
      skipTaskbar: true,
      title: 'Parley',
      webPreferences: pageWebPreferences({ preload, isDev }),
    });
    win = w;
    painted = false;
    windowId = attachPage(services, w);
    w.once('ready-to-show', () => {
      painted = true;
      if (wanted && !w.isDestroyed()) present(w);
    });
    // Another app or the main window took the focus: out of the way (kept, with its answer, for next time).
    w.on('blur', () => {
      wanted = false;
      if (!w.isDestroyed()) w.hide();
    });
    w.once('closed', () => {
      if (win === w) {
        win = undefined;
        windowId = '';
      }
    });
    void w.loadURL(page.href);
    return w;
  };

  const show = (): void => {
    const w = win && !win.isDestroyed() ? win : create();
    wanted = true;
    if (painted) present(w);
  };
  const hide = (): void => {
    wanted = false;
    if (win && !win.isDestroyed()) win.hide();
  };
  return {
    toggle: () => (win && !win.isDestroyed() && win.isVisible() ? hide() : show()),
    show,
    hide,
    owns: (id) => !!win && id === windowId,
    window: () => (win && !win.isDestroyed() ? win : undefined),
    destroy() {
      wanted = false;
      if (win && !win.isDestroyed()) win.destroy();
    },
  };
}
