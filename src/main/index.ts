/**
 * The Electron shell: windows, IPC wiring, OS integration. Thin by design: every channel goes to the app
 * services (src/main/services/app.ts, plain Node), which the browser test host drives the same way; the
 * network core under src/main/core never imports electron.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, net, protocol, screen, session, shell, type IpcMainInvokeEvent } from 'electron';
import { join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CHANNELS, EVENT_CHANNEL, type Result } from '../shared/ipc.ts';
import { createAppServices, type AppServices } from './services/app.ts';
import { secretUseDialog } from './shell/secret-dialog.ts';
import { readLoginShellEnv } from './services/shell-env.ts';
import { probeOllama } from './services/probe.ts';
import { logDirOf } from './services/paths.ts';
// safeStorage by namespace: absent from a stand-in electron module, where the cipher then reports "not available".
import * as electronApi from 'electron';
import { safeStorageCipher, type SafeStorageLike } from './services/secrets.ts';
import type { Caller } from './services/window-hub.ts';
import { aboutDetail, buildMenuTemplate, menuLabels } from './shell/menu.ts';
import { readWindowState, restoreBounds, trackWindowState, WINDOW_STATE_FILE } from './shell/window-state.ts';

/**
 * Only a development build (electron-vite dev) loads the renderer from a dev server's URL and trusts its
 * origin; a built app ignores ELECTRON_RENDERER_URL, so an environment variable cannot point it at a page
 * that would then be given IPC. `import.meta.env.DEV` is a build-time constant: false in `electron-vite build`.
 */
const RENDERER_URL = import.meta.env.DEV ? process.env.ELECTRON_RENDERER_URL : undefined;
/** Reload and the developer tools (menu items, shortcuts, webPreferences.devTools) exist only in development builds. */
const IS_DEV = import.meta.env.DEV;
const rendererDir = join(import.meta.dirname, '../renderer');
/**
 * The built renderer is served from parley://app/ rather than file://: a file:// page has an opaque origin,
 * which breaks module workers (the code highlighter) and makes 'self' in the CSP mean little. The scheme is
 * standard and secure, and serves only files inside out/renderer.
 */
const APP_ORIGIN = 'parley://app';
const APP_URL = `${APP_ORIGIN}/index.html`;
protocol.registerSchemesAsPrivileged([{ scheme: 'parley', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

// PARLEY_HOME moves data and logs (as for the CLI); otherwise the OS's usual data folder. One log folder for the
// app, the CLI and the support bundle: <data>/logs (services/paths.ts).
if (process.env.PARLEY_HOME) app.setPath('userData', process.env.PARLEY_HOME);
app.setAppLogsPath(logDirOf(app.getPath('userData')));

function isOwnFrame(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  // Only the window's top frame, never an iframe.
  if (!frame || frame.parent) return false;
  if (RENDERER_URL) return URL.canParse(frame.url) && new URL(frame.url).origin === new URL(RENDERER_URL).origin;
  // Node's URL gives a custom scheme the origin 'null': compare the text instead.
  return frame.url.startsWith(`${APP_ORIGIN}/`);
}

/** parley://app/<path> → the file under out/renderer; anything outside it, or another host, is not found. */
function setupAppProtocol(): void {
  protocol.handle('parley', async (req) => {
    const url = new URL(req.url);
    if (url.host !== 'app') return new Response('not found', { status: 404 });
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      return new Response('bad request', { status: 400 });
    }
    const file = normalize(join(rendererDir, path === '/' ? 'index.html' : path));
    if (!file.startsWith(rendererDir + sep)) return new Response('not found', { status: 404 });
    return net.fetch(pathToFileURL(file).href);
  });
}

function setupIpc(services: AppServices): void {
  for (const channel of CHANNELS) {
    ipcMain.removeHandler(channel);
    ipcMain.handle(channel, async (event, ...args: unknown[]): Promise<Result<unknown>> => {
      if (!isOwnFrame(event)) {
        services.logger.scope('ipc').warn('refused IPC from an unknown frame', { channel, url: event.senderFrame?.url });
        return { ok: false, error: { code: 'config_invalid', message: 'IPC from an unknown frame was refused.', hint: '' } };
      }
      // Events for this request go back to the window that asked.
      const result = await services.invoke({ windowId: String(event.sender.id) }, channel, args);
      // The menu follows the window's language.
      if (channel === 'settings:set' && result.ok) setupMenu(services);
      return result;
    });
  }
}

function setupSecurity(): void {
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-navigate', (e) => e.preventDefault());
    contents.on('will-redirect', (e) => e.preventDefault());
    contents.on('will-attach-webview', (e) => e.preventDefault());
    // Links open only through 'link:open' (checked scheme, the full URL shown first); never a new window.
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    // A production window has devTools: false (openDevTools does nothing); should any path open them anyway, they close.
    if (!IS_DEV) contents.on('devtools-opened', () => contents.closeDevTools());
  });
}

function createWindow(services: AppServices): BrowserWindow {
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
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      devTools: IS_DEV,
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
  void win.loadURL(RENDERER_URL ?? APP_URL);
  return win;
}

/** Menu commands act for the focused window (or the only one), as if it had asked through IPC. */
function menuCaller(): Caller {
  const win = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
  return { windowId: win ? String(win.webContents.id) : 'menu' };
}

async function messageBox(options: Electron.MessageBoxOptions): Promise<void> {
  const win = BrowserWindow.getFocusedWindow();
  await (win ? dialog.showMessageBox(win, options) : dialog.showMessageBox(options));
}

function currentLanguage(services: AppServices): string | undefined {
  try {
    return services.settings.get().ui.language;
  } catch {
    return undefined; // unreadable settings: the OS language
  }
}

function setupMenu(services: AppServices): void {
  const failed = async (what: string, error: { message: string; hint: string }): Promise<void> =>
    messageBox({ type: 'error', buttons: ['OK'], message: what, detail: [error.message, error.hint].filter(Boolean).join('\n\n') });
  const template = buildMenuTemplate({
    platform: process.platform,
    isDev: IS_DEV,
    appName: app.getName(),
    labels: menuLabels(currentLanguage(services), app.getLocale()),
    actions: {
      openLogFolder: () => {
        void services.invoke(menuCaller(), 'logs:open', []).then((r) => (r.ok ? undefined : failed('The log folder could not be opened.', r.error)));
      },
      exportDiagnostics: () => {
        // The same channel as the Diagnostics panel's button: save dialog, bundle, redaction.
        void services.invoke(menuCaller(), 'diagnostics:export', []).then((r) => {
          if (!r.ok) return failed('Diagnostics could not be exported.', r.error);
          if (r.value) return messageBox({ type: 'info', buttons: ['OK'], message: 'Diagnostics exported', detail: r.value.path });
        });
      },
      about: () => {
        const detail = aboutDetail({ app: app.getVersion(), electron: process.versions.electron ?? '', chrome: process.versions.chrome ?? '', node: process.versions.node });
        void messageBox({ type: 'info', buttons: ['OK'], title: menuLabels(currentLanguage(services), app.getLocale()).about, message: app.getName(), detail });
      },
    },
  });
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

async function save(defaultName: string, filter: { name: string; extensions: string[] }): Promise<string | null> {
  const win = BrowserWindow.getFocusedWindow();
  const opts = { defaultPath: join(app.getPath('downloads'), defaultName), filters: [filter] };
  const r = win ? await dialog.showSaveDialog(win, opts) : await dialog.showSaveDialog(opts);
  return r.canceled || !r.filePath ? null : r.filePath;
}

// One app per data folder: a second process would race the first one's database and streams.
if (!app.requestSingleInstanceLock()) {
  app.quit();
  process.exit(0);
}
app.on('second-instance', () => {
  const win = BrowserWindow.getAllWindows()[0];
  if (win) {
    if (win.isMinimized()) win.restore();
    win.focus();
  }
});

void app.whenReady().then(() => {
  setupSecurity();
  setupAppProtocol();
  const services = createAppServices({
    dataDir: app.getPath('userData'),
    logDir: logDirOf(app.getPath('userData')),
    env: process.env,
    host: 'electron',
    versions: { name: app.getName(), version: app.getVersion(), electron: process.versions.electron ?? '' },
    chooseExportPath: async (defaultName) => save(defaultName, { name: 'Zip', extensions: ['zip'] }),
    chooseSavePath: async (defaultName, format) => save(defaultName, format === 'markdown' ? { name: 'Markdown', extensions: ['md'] } : { name: 'JSON', extensions: ['json'] }),
    chooseOpenPath: async () => {
      const win = BrowserWindow.getFocusedWindow();
      const o = { properties: ['openFile' as const], filters: [{ name: 'JSON', extensions: ['json'] }] };
      const r = win ? await dialog.showOpenDialog(win, o) : await dialog.showOpenDialog(o);
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
    chooseCaFile: async () => {
      const win = BrowserWindow.getFocusedWindow();
      const o = { title: 'Add a trusted CA certificate', properties: ['openFile' as const], filters: [{ name: 'Certificates (PEM)', extensions: ['pem', 'crt', 'cer'] }, { name: 'All files', extensions: ['*'] }] };
      const r = win ? await dialog.showOpenDialog(win, o) : await dialog.showOpenDialog(o);
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
    openFolder: async (path) => {
      const err = await shell.openPath(path);
      if (err) throw new Error(err);
    },
    openExternal: async (url) => {
      // The user sees the full URL before anything leaves the app.
      const win = BrowserWindow.getFocusedWindow();
      const o = { type: 'question' as const, buttons: ['Open', 'Cancel'], defaultId: 1, cancelId: 1, message: 'Open this link in your browser?', detail: url };
      const r = win ? await dialog.showMessageBox(win, o) : await dialog.showMessageBox(o);
      if (r.response !== 0) return false;
      await shell.openExternal(url);
      return true;
    },
    // A secret the window would send somewhere new: the user decides here, in main; the default answer is no.
    confirmSecretUse: async (req) => {
      const win = BrowserWindow.getFocusedWindow();
      const o = secretUseDialog(req, currentLanguage(services), app.getLocale());
      const r = win ? await dialog.showMessageBox(win, o) : await dialog.showMessageBox(o);
      return r.response === 1;
    },
    probeOllama,
    loginShellEnv: () => readLoginShellEnv({ env: process.env }),
    systemProxyResolver: (url) => session.defaultSession.resolveProxy(url),
    // Keys and proxy passwords in the OS keychain (the asynchronous safeStorage API).
    cipher: safeStorageCipher((electronApi as { safeStorage?: SafeStorageLike }).safeStorage),
  });
  services.logger.scope('ipc').info('app started', { version: app.getVersion(), electron: process.versions.electron, logDir: app.getPath('logs') });
  setupIpc(services);
  setupMenu(services);
  createWindow(services);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow(services);
  });
  // Answers being written are stopped and saved (as interrupted, with their text) before the app exits.
  let closing = false;
  app.on('before-quit', (e) => {
    if (closing) return;
    closing = true;
    e.preventDefault();
    void services.close().finally(() => app.quit());
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
