// A stand-in for the `electron` module, enough to boot the built main process (out/main/index.js) in plain
// Node and drive it the way Electron would: app lifecycle, ipcMain handlers, windows, sessions, dialogs.
// It records what the shell asked for; test/net/electron-shell.test.ts and electron-window.test.ts read the
// record through `globalThis.__electronStub`.
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const record = { windows: [], sentEvents: [], permissionHandlers: {}, openedPaths: [], externalUrls: [], paths: {}, focused: 0, devTools: { opened: 0, closed: 0 }, menus: [], applicationMenu: undefined, trays: [], shortcuts: [], loginItems: [], protocolClients: [] };
// What Electron's process.versions adds (Node's own are real).
for (const [name, value] of [['electron', '45.4.1-stub'], ['chrome', '142.0.0.0-stub']]) {
  if (!process.versions[name]) Object.defineProperty(process.versions, name, { value, enumerable: true });
}
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
  getLocale() { return process.env.STUB_LOCALE ?? 'en-US'; }
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
  /** Start with the OS: every call recorded (record.loginItems). */
  setLoginItemSettings(settings) { record.loginItems.push({ ...settings }); }
  getLoginItemSettings() { return { openAtLogin: record.loginItems.at(-1)?.openAtLogin ?? false }; }
  setAsDefaultProtocolClient(scheme) { record.protocolClients.push(scheme); return true; }
  isDefaultProtocolClient(scheme) { return record.protocolClients.includes(scheme); }
}
export const app = new AppStub();

// The displays: STUB_DISPLAYS (JSON: [{ id?, bounds?, workArea, primary? }]) or globalThis.__stubDisplays (set
// before the main process loads), else one 1920×1080 screen with a 40 px task bar. The first is primary
// unless one says `primary: true`.
function displays() {
  const raw = globalThis.__stubDisplays ?? (process.env.STUB_DISPLAYS ? JSON.parse(process.env.STUB_DISPLAYS) : [{ workArea: { x: 0, y: 0, width: 1920, height: 1040 } }]);
  return raw.map((d, i) => ({ id: d.id ?? i + 1, bounds: d.bounds ?? d.workArea, workArea: d.workArea, scaleFactor: 1, primary: d.primary }));
}
export const screen = {
  /** Where the pointer is (a driver moves it): the primary display's top-left corner until then. */
  cursor: null,
  getCursorScreenPoint() { return this.cursor ?? { x: this.getPrimaryDisplay().bounds.x, y: this.getPrimaryDisplay().bounds.y }; },
  /** As Electron: the display whose bounds hold the point, else the nearest one. */
  getDisplayNearestPoint({ x, y }) {
    const all = this.getAllDisplays();
    const gap = (b) => Math.hypot(Math.max(b.x - x, 0, x - (b.x + b.width - 1)), Math.max(b.y - y, 0, y - (b.y + b.height - 1)));
    return all.reduce((best, d) => (gap(d.bounds) < gap(best.bounds) ? d : best), all[0]);
  },
  getAllDisplays() { return displays().map(({ primary: _p, ...d }) => d); },
  getPrimaryDisplay() {
    const all = displays();
    const { primary: _p, ...d } = all.find((x) => x.primary) ?? all[0];
    return d;
  },
};

// The application menu: the template is kept (with its click functions) so a driver can press items.
export const Menu = {
  buildFromTemplate(template) {
    const menu = { template };
    record.menus.push(menu);
    return menu;
  },
  setApplicationMenu(menu) { record.applicationMenu = menu; },
  getApplicationMenu() { return record.applicationMenu ?? null; },
};

// The tray: its menu is the last template set (record.trays[i].menu), so a driver can read and press items.
export class Tray extends EventEmitter {
  constructor(image) {
    super();
    this.image = image;
    this.menu = null;
    this.destroyed = false;
    record.trays.push(this);
  }
  setToolTip(t) { this.tooltip = t; }
  setContextMenu(menu) { this.menu = menu; }
  destroy() { this.destroyed = true; }
  isDestroyed() { return this.destroyed; }
}
export const nativeImage = {
  createEmpty() { return { empty: true, isEmpty: () => true, resize() { return this; } }; },
  /** As Electron: an empty image when the file cannot be read (a missing file, not an image). */
  createFromPath(p) {
    let empty = true;
    try { empty = readFileSync(p).subarray(1, 4).toString('latin1') !== 'PNG'; } catch { /* missing */ }
    return { path: p, isEmpty: () => empty, resize() { return this; } };
  },
  /** As Electron: an empty image unless the data: URL holds a PNG (or JPEG). */
  createFromDataURL(u) {
    const m = /^data:image\/(png|jpeg);base64,(.+)$/.exec(u ?? '');
    const bytes = m ? Buffer.from(m[2], 'base64') : Buffer.alloc(0);
    const empty = !(bytes.subarray(1, 4).toString('latin1') === 'PNG' || (bytes[0] === 0xff && bytes[1] === 0xd8));
    return { dataUrl: true, bytes: bytes.length, isEmpty: () => empty, resize() { return this; } };
  },
};
/**
 * Global shortcuts: registered ones in record.shortcuts; an accelerator in globalThis.__stubTakenShortcuts (or
 * STUB_TAKEN_SHORTCUTS, comma-separated) is held by "another app": register answers false, as Electron does.
 */
export const globalShortcut = {
  registered: new Map(),
  register(accelerator, fn) {
    const taken = globalThis.__stubTakenShortcuts ?? (process.env.STUB_TAKEN_SHORTCUTS ?? '').split(',').filter(Boolean);
    if (taken.includes(accelerator)) return false;
    this.registered.set(accelerator, fn);
    record.shortcuts = [...this.registered.keys()];
    return true;
  },
  unregister(accelerator) { this.registered.delete(accelerator); record.shortcuts = [...this.registered.keys()]; },
  unregisterAll() { this.registered.clear(); record.shortcuts = []; },
  isRegistered(accelerator) { return this.registered.has(accelerator); },
  /** What the OS does when the user presses the keys. */
  press(accelerator) { this.registered.get(accelerator)?.(); },
};

class IpcMainStub {
  handlers = new Map();
  handle(channel, fn) {
    if (this.handlers.has(channel)) throw new Error(`stub: second handler for ${channel}`);
    this.handlers.set(channel, fn);
  }
  removeHandler(channel) { this.handlers.delete(channel); }
  /** What Electron does for ipcRenderer.invoke from a frame with this URL (in the first window). */
  async invoke(channel, frameUrl, ...args) {
    return this.invokeFrom(windows[0], channel, frameUrl, ...args);
  }
  /** The same from the page of window `win` (a second window: the quick window). */
  async invokeFrom(win, channel, frameUrl, ...args) {
    const fn = this.handlers.get(channel);
    if (!fn) throw new Error(`stub: no handler for ${channel}`);
    return fn({ senderFrame: { url: frameUrl, parent: null }, sender: win?.webContents }, ...args);
  }
}
export const ipcMain = new IpcMainStub();

let nextId = 1;
class WebContentsStub extends EventEmitter {
  windowOpenHandler;
  id = nextId++;
  destroyed = false;
  devToolsOpen = false;
  constructor(webPreferences) {
    super();
    this.webPreferences = webPreferences ?? {};
  }
  /** As Electron: nothing happens when the window was created with webPreferences.devTools: false. */
  openDevTools() {
    if (this.webPreferences.devTools === false) return;
    this.devToolsOpen = true;
    record.devTools.opened++;
    this.emit('devtools-opened');
  }
  closeDevTools() {
    record.devTools.closed++;
    if (!this.devToolsOpen) return;
    this.devToolsOpen = false;
    this.emit('devtools-closed');
  }
  isDevToolsOpened() { return this.devToolsOpen; }
  isDestroyed() { return this.destroyed; }
  /** Recorded with the id of the page it went to (`to`). */
  send(channel, ...args) { record.sentEvents.push({ channel, args, to: this.id }); }
  setWindowOpenHandler(fn) { this.windowOpenHandler = fn; }
}

const windows = [];
/** The window with the keyboard focus (none when the app is not in front). */
let focusedWindow = null;
function focusOn(win) {
  if (focusedWindow === win) return;
  const before = focusedWindow;
  focusedWindow = win;
  before?.emit('blur');
  win?.emit('focus');
}
export class BrowserWindow extends EventEmitter {
  #normal;
  #maximized = false;
  #destroyed = false;
  #visible = true;
  #painted = false;
  #alwaysOnTop;
  constructor(options) {
    super();
    this.options = options;
    // As Electron: `show: false` creates it hidden; shown, it has the focus. `alwaysOnTop` until set otherwise.
    this.#visible = options?.show !== false;
    this.#alwaysOnTop = options?.alwaysOnTop === true;
    // As Electron: without x/y the window is centred on the primary display.
    const area = screen.getPrimaryDisplay().workArea;
    const width = options?.width ?? 800;
    const height = options?.height ?? 600;
    this.#normal = { x: options?.x ?? area.x + Math.round((area.width - width) / 2), y: options?.y ?? area.y + Math.round((area.height - height) / 2), width, height };
    this.webContents = new WebContentsStub(options?.webPreferences);
    windows.push(this);
    record.windows.push({ options });
    app.emit('web-contents-created', {}, this.webContents);
    if (this.#visible) focusOn(this);
  }
  /** As Electron: 'ready-to-show' once, when the first page is painted (here: just after the load starts). */
  #paint() {
    setTimeout(() => {
      if (this.#painted || this.#destroyed) return;
      this.#painted = true;
      this.emit('ready-to-show');
    }, 5);
  }
  loadFile(file) { this.loaded = { file }; this.#paint(); return Promise.resolve(); }
  loadURL(url) { this.loaded = { url }; this.#paint(); return Promise.resolve(); }
  isMinimized() { return false; }
  isVisible() { return this.#visible && !this.#destroyed; }
  /** As Electron: shown, it takes the focus (the window that had it gets 'blur'). */
  show() {
    if (!this.#visible) { this.#visible = true; this.emit('show'); }
    focusOn(this);
  }
  hide() {
    if (this.#visible) { this.#visible = false; this.emit('hide'); }
    if (focusedWindow === this) focusOn(null);
  }
  isFocused() { return focusedWindow === this; }
  /** What another app taking the focus does: 'blur'. */
  blur() { if (focusedWindow === this) focusOn(null); }
  isAlwaysOnTop() { return this.#alwaysOnTop; }
  setAlwaysOnTop(flag) { this.#alwaysOnTop = !!flag; }
  isFullScreen() { return false; }
  restore() {}
  focus() {
    record.focused++;
    if (!this.#destroyed) focusOn(this);
  }
  /** Maximised: the work area of the display the window is on (the first display, for the stub). */
  getBounds() { return this.#maximized ? { ...screen.getAllDisplays()[0].workArea } : { ...this.#normal }; }
  getNormalBounds() { return { ...this.#normal }; }
  /** What a user's drag does: 'move' and/or 'resize' follow. */
  setBounds(b) {
    const before = this.#normal;
    this.#normal = { ...before, ...b };
    if (this.#normal.x !== before.x || this.#normal.y !== before.y) this.emit('move');
    if (this.#normal.width !== before.width || this.#normal.height !== before.height) this.emit('resize');
  }
  isMaximized() { return this.#maximized; }
  maximize() {
    if (this.#maximized) return;
    this.#maximized = true;
    this.emit('maximize');
    this.emit('resize');
  }
  unmaximize() {
    if (!this.#maximized) return;
    this.#maximized = false;
    this.emit('unmaximize');
    this.emit('resize');
  }
  isDestroyed() { return this.#destroyed; }
  /** 'close' (which may be prevented), then the window and its page are gone; the last one gone: 'window-all-closed'. */
  close() {
    let prevented = false;
    this.emit('close', { preventDefault: () => { prevented = true; } });
    if (prevented) return;
    this.destroy();
  }
  /** As Electron: gone at once, without 'close'. */
  destroy() {
    if (this.#destroyed) return;
    if (focusedWindow === this) focusOn(null);
    this.#destroyed = true;
    this.webContents.destroyed = true;
    this.webContents.emit('destroyed');
    windows.splice(windows.indexOf(this), 1);
    this.emit('closed');
    if (windows.length === 0) app.emit('window-all-closed');
  }
  static getAllWindows() { return windows; }
  static getFocusedWindow() { return focusedWindow; }
}

export const dialog = {
  nextSavePath: null,
  nextOpenPath: null,
  /** The button the user presses in the next message box (0 = Open). */
  nextMessageResponse: 0,
  /** The buttons of the next several message boxes, in order (then nextMessageResponse again). */
  nextMessageResponses: [],
  async showMessageBox(...args) {
    const opts = args.at(-1);
    record.messageBoxes = [...(record.messageBoxes ?? []), { type: opts?.type, message: opts?.message, detail: opts?.detail }];
    return { response: this.nextMessageResponses.length ? this.nextMessageResponses.shift() : this.nextMessageResponse };
  },
  /** Several files for the next open dialog that allows them (multiSelections: the attachment picker). */
  nextOpenPaths: null,
  async showOpenDialog(...args) {
    const opts = args.at(-1);
    record.openDialogs = [...(record.openDialogs ?? []), { title: opts?.title, properties: opts?.properties }];
    if (opts?.properties?.includes('multiSelections') && this.nextOpenPaths) return { canceled: false, filePaths: this.nextOpenPaths };
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
  showItemInFolder(p) { record.shownItems = [...(record.shownItems ?? []), p]; },
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

globalThis.__electronStub = { app, ipcMain, dialog, shell, session, protocol, net, screen, Menu, Tray, nativeImage, globalShortcut, record, windows, paths };
export default { app, ipcMain, dialog, shell, session, protocol, net, screen, Menu, BrowserWindow, Tray, nativeImage, globalShortcut };
