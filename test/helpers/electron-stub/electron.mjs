// A stand-in for the `electron` module, enough to boot the built main process (out/main/index.js) in plain
// Node and drive it the way Electron would: app lifecycle, ipcMain handlers, windows, sessions, dialogs.
// It records what the shell asked for; test/net/electron-shell.test.ts reads the record through `globalThis.__electronStub`.
import { EventEmitter } from 'node:events';
import { join } from 'node:path';

const record = { windows: [], sentEvents: [], permissionHandlers: {}, openedPaths: [], externalUrls: [], paths: {}, focused: 0 };
const paths = { userData: '/nonexistent/userData', downloads: '/nonexistent/downloads', logs: undefined };

class AppStub extends EventEmitter {
  #ready;
  constructor() {
    super();
    this.#ready = new Promise((resolve) => setTimeout(resolve, 10));
  }
  whenReady() { return this.#ready; }
  getName() { return 'Parley'; }
  getVersion() { return '0.0.0-stub'; }
  setPath(name, value) { paths[name] = value; }
  getPath(name) {
    if (name === 'logs') return paths.logs ?? join(paths.userData, 'logs');
    if (!(name in paths)) throw new Error(`stub: unknown path ${name}`);
    return paths[name];
  }
  setAppLogsPath(p) { paths.logs = p; }
  /** STUB_LOCK_HELD=1 plays a second launch: another instance holds the lock. */
  requestSingleInstanceLock() { return process.env.STUB_LOCK_HELD !== '1'; }
  quit() { this.emit('will-quit'); }
}
export const app = new AppStub();

class IpcMainStub {
  handlers = new Map();
  handle(channel, fn) {
    if (this.handlers.has(channel)) throw new Error(`stub: second handler for ${channel}`);
    this.handlers.set(channel, fn);
  }
  removeHandler(channel) { this.handlers.delete(channel); }
  /** What Electron does for ipcRenderer.invoke from a frame with this URL (in the first window). */
  async invoke(channel, frameUrl, ...args) {
    const fn = this.handlers.get(channel);
    if (!fn) throw new Error(`stub: no handler for ${channel}`);
    return fn({ senderFrame: { url: frameUrl, parent: null }, sender: windows[0]?.webContents }, ...args);
  }
}
export const ipcMain = new IpcMainStub();

let nextId = 1;
class WebContentsStub extends EventEmitter {
  windowOpenHandler;
  id = nextId++;
  destroyed = false;
  isDestroyed() { return this.destroyed; }
  send(channel, ...args) { record.sentEvents.push({ channel, args }); }
  setWindowOpenHandler(fn) { this.windowOpenHandler = fn; }
}

const windows = [];
export class BrowserWindow {
  constructor(options) {
    this.options = options;
    this.webContents = new WebContentsStub();
    windows.push(this);
    record.windows.push({ options });
    app.emit('web-contents-created', {}, this.webContents);
  }
  loadFile(file) { this.loaded = { file }; return Promise.resolve(); }
  loadURL(url) { this.loaded = { url }; return Promise.resolve(); }
  isMinimized() { return false; }
  restore() {}
  focus() { record.focused++; }
  static getAllWindows() { return windows; }
  static getFocusedWindow() { return windows[0] ?? null; }
}

export const dialog = {
  nextSavePath: null,
  nextOpenPath: null,
  /** The button the user presses in the next message box (0 = Open). */
  nextMessageResponse: 0,
  async showMessageBox(...args) {
    const opts = args.at(-1);
    record.messageBoxes = [...(record.messageBoxes ?? []), { message: opts?.message, detail: opts?.detail }];
    return { response: this.nextMessageResponse };
  },
  async showOpenDialog() {
    return this.nextOpenPath ? { canceled: false, filePaths: [this.nextOpenPath] } : { canceled: true, filePaths: [] };
  },
  async showSaveDialog(...args) {
    const opts = args.at(-1);
    record.saveDialog = { defaultPath: opts?.defaultPath };
    return this.nextSavePath ? { canceled: false, filePath: this.nextSavePath } : { canceled: true, filePath: '' };
  },
};

export const shell = {
  async openPath(p) { record.openedPaths.push(p); return ''; },
  async openExternal(u) { record.externalUrls.push(u); },
};

// parley://app/… served by the shell: the stub keeps the handler so the test can ask it for files.
export const protocol = {
  privileged: [],
  handlers: new Map(),
  registerSchemesAsPrivileged(schemes) { this.privileged.push(...schemes); },
  handle(scheme, fn) { this.handlers.set(scheme, fn); },
};
export const net = {
  async fetch(url) {
    const { readFile } = await import('node:fs/promises');
    const { fileURLToPath } = await import('node:url');
    try {
      return new Response(await readFile(fileURLToPath(url)), { status: 200 });
    } catch {
      return new Response('missing', { status: 404 });
    }
  },
};

export const session = {
  defaultSession: {
    proxyAnswer: 'DIRECT',
    setPermissionRequestHandler(fn) { record.permissionHandlers.request = fn; },
    setPermissionCheckHandler(fn) { record.permissionHandlers.check = fn; },
    async resolveProxy() { return this.proxyAnswer; },
  },
};

globalThis.__electronStub = { app, ipcMain, dialog, shell, session, protocol, net, record, windows, paths };
export default { app, ipcMain, dialog, shell, session, protocol, net, BrowserWindow };
