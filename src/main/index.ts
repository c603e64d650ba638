/**
 * The Electron shell: windows, IPC wiring, OS integration. Thin by design; the network core under
 * src/main/core never imports electron. The chat UI and its IPC arrive with a later issue.
 */
import { app, BrowserWindow, ipcMain, session, shell, type IpcMainInvokeEvent } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AppInfo, Channel, IpcContract, Result } from '../shared/ipc.ts';

const RENDERER_URL = process.env.ELECTRON_RENDERER_URL;
const rendererFile = join(import.meta.dirname, '../renderer/index.html');

function isOwnFrame(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  // Only the window's top frame, never an iframe.
  if (!frame || frame.parent) return false;
  if (RENDERER_URL) return URL.canParse(frame.url) && new URL(frame.url).origin === new URL(RENDERER_URL).origin;
  return frame.url === pathToFileURL(rendererFile).href;
}

/** One guarded wrapper for every handler: drops foreign senders, replaces rather than stacks. */
function handle<C extends Channel>(channel: C, fn: (...args: IpcContract[C]['args']) => Promise<IpcContract[C]['result']>): void {
  ipcMain.removeHandler(channel);
  ipcMain.handle(channel, async (event, ...args: unknown[]): Promise<Result<IpcContract[C]['result']>> => {
    if (!isOwnFrame(event)) return { ok: false, error: { code: 'config_invalid', message: 'IPC from an unknown frame was refused.', hint: '' } };
    return { ok: true, value: await fn(...(args as IpcContract[C]['args'])) };
  });
}

function setupIpc(): void {
  handle('app:info', async (): Promise<AppInfo> => ({
    name: app.getName(),
    version: app.getVersion(),
    electron: process.versions.electron ?? '',
    node: process.versions.node,
    platform: process.platform,
  }));
}

function setupSecurity(): void {
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-navigate', (e) => e.preventDefault());
    contents.on('will-redirect', (e) => e.preventDefault());
    contents.on('will-attach-webview', (e) => e.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (url.startsWith('https://')) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
}

function createWindow(): void {
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
  if (RENDERER_URL) void win.loadURL(RENDERER_URL);
  else void win.loadFile(rendererFile);
}

void app.whenReady().then(() => {
  setupSecurity();
  setupIpc();
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
