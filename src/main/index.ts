/**
 * The Electron shell: windows, IPC wiring, OS integration. Thin by design: every channel goes to the app
 * services (src/main/services/app.ts, plain Node), which the browser test host drives the same way; the
 * network core under src/main/core never imports electron.
 */
import { app, BrowserWindow, dialog, ipcMain, net, protocol, session, shell, type IpcMainInvokeEvent } from 'electron';
import { join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CHANNELS, EVENT_CHANNEL, type Result } from '../shared/ipc.ts';
import { createAppServices, type AppServices } from './services/app.ts';
import { readLoginShellEnv } from './services/shell-env.ts';
import { probeOllama } from './services/probe.ts';

/**
 * Only a development build (electron-vite dev) loads the renderer from a dev server's URL and trusts its
 * origin; a built app ignores ELECTRON_RENDERER_URL, so an environment variable cannot point it at a page
 * that would then be given IPC. `import.meta.env.DEV` is a build-time constant: false in `electron-vite build`.
 */
const RENDERER_URL = import.meta.env.DEV ? process.env.ELECTRON_RENDERER_URL : undefined;
const rendererDir = join(import.meta.dirname, '../renderer');
/**
 * The built renderer is served from parley://app/ rather than file://: a file:// page has an opaque origin,
 * which breaks module workers (the code highlighter) and makes 'self' in the CSP mean little. The scheme is
 * standard and secure, and serves only files inside out/renderer.
 */
const APP_ORIGIN = 'parley://app';
const APP_URL = `${APP_ORIGIN}/index.html`;
protocol.registerSchemesAsPrivileged([{ scheme: 'parley', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

// PARLEY_HOME moves data and logs (as for the CLI); otherwise the OS's usual folders.
if (process.env.PARLEY_HOME) app.setPath('userData', process.env.PARLEY_HOME);
app.setAppLogsPath(process.env.PARLEY_HOME ? join(process.env.PARLEY_HOME, 'logs') : undefined);

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
      return services.invoke({ windowId: String(event.sender.id) }, channel, args);
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
  });
}

function createWindow(services: AppServices): BrowserWindow {
  const win = new BrowserWindow({
    width: 1100,
    height: 760,
    title: 'Parley',
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    },
  });
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
    logDir: app.getPath('logs'),
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
    probeOllama,
    loginShellEnv: () => readLoginShellEnv({ env: process.env }),
    systemProxyResolver: (url) => session.defaultSession.resolveProxy(url),
  });
  services.logger.scope('ipc').info('app started', { version: app.getVersion(), electron: process.versions.electron, logDir: app.getPath('logs') });
  setupIpc(services);
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
