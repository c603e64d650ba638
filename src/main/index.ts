/**
 * The Electron shell: windows, IPC wiring, OS integration. Thin by design: every channel goes to the app
 * services (src/main/services/app.ts, plain Node), which the browser test host drives the same way; the
 * network core under src/main/core never imports electron. Each part lives in src/main/shell/; this file
 * calls them in order, and opens the window only once every handler is registered.
 */
import { app } from 'electron';
import { join } from 'node:path';
import { setupApplicationMenu } from './shell/application-menu.ts';
import { setupIpc } from './shell/ipc.ts';
import { claimSingleInstance, setupLifecycle } from './shell/lifecycle.ts';
import { APP_URL, registerAppScheme, setupAppProtocol } from './shell/protocol.ts';
import { setupSecurity } from './shell/security.ts';
import { createShellServices, useDataFolder } from './shell/services.ts';
import { createWindow } from './shell/window.ts';
import { keepEarlyLinks, setupDesktop, type DesktopHandle } from './shell/desktop.ts';
import { quickWindow } from './shell/quick-window.ts';

/**
 * Only a development build (electron-vite dev) loads the renderer from a dev server's URL and trusts its
 * origin; a built app ignores ELECTRON_RENDERER_URL, so an environment variable cannot point it at a page
 * that would then be given IPC. `import.meta.env.DEV` is a build-time constant: false in `electron-vite build`.
 */
const RENDERER_URL = import.meta.env.DEV ? process.env.ELECTRON_RENDERER_URL : undefined;
/** Reload and the developer tools (menu items, shortcuts, webPreferences.devTools) exist only in development builds. */
const IS_DEV = import.meta.env.DEV;
const RENDERER_DIR = join(import.meta.dirname, '../renderer');
const PRELOAD = join(import.meta.dirname, '../preload/index.cjs');

// Before the app is ready: the parley:// scheme, the data folder, one instance per data folder.
registerAppScheme();
useDataFolder(process.env.PARLEY_HOME);
if (!claimSingleInstance()) {
  app.quit();
  process.exit(0);
}
// A parley:// link macOS hands over at launch, before the app is ready.
keepEarlyLinks();

void app.whenReady().then(() => {
  setupSecurity(IS_DEV);
  setupAppProtocol(RENDERER_DIR);
  // The quick window's 'quick:done' moves the windows the desktop part manages (set up below, before any window).
  const services = createShellServices(process.env, {
    showMainWindow: () => desktop.showMainWindow(),
    hideQuickWindow: (windowId) => desktop.hideQuickWindow(windowId),
  });
  // The menu follows the window's language; the desktop habits (tray, shortcut, start with the OS) their settings.
  setupIpc(services, {
    rendererUrl: RENDERER_URL,
    onSettingsSaved: () => {
      setupApplicationMenu(services, IS_DEV);
      desktop.apply();
    },
  });
  setupApplicationMenu(services, IS_DEV);
  const page = { url: RENDERER_URL ?? APP_URL, preload: PRELOAD, isDev: IS_DEV };
  const openWindow = (): void => {
    const win = createWindow(services, page);
    desktop.windowOpened(win);
  };
  setupLifecycle(services, openWindow);
  // The small always-on-top composer (the same page with #quick): created the first time the tray or its shortcut asks.
  const desktop: DesktopHandle = setupDesktop(services, openWindow, quickWindow(services, page));
  openWindow();
});
