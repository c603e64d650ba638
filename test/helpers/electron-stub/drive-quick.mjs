// Boots the built main process (argv[2]) on the electron stub and uses the quick window the way a user does: its
// global shortcut (pressed, pressed again), a click elsewhere, the tray's Quick Question, Esc and "Open as
// conversation" from its page (quick:done), the show/hide shortcut and tray item while it exists, and its shortcut
// in the settings (one another app holds: STUB_TAKEN_SHORTCUTS; the show/hide one's keys; both swapped).
// Two displays (STUB_DISPLAYS); the pointer is moved to the second before the window is first asked for.
// Prints one JSON object with what happened at each step.
// Run: node --import ./register.mjs drive-quick.mjs out/main/index.js
import { appPage as own, bootMain, invokerOf, trayMenu, until } from './drive-common.mjs';

const stub = await bootMain(process.argv[2]);
const { record } = stub;
await until(() => stub.windows.length > 0 && record.trays.length > 0);
const main = stub.windows[0];
const invoke = invokerOf(stub);
await invoke('app:ready');

const tray = record.trays[0];
const { labels, press } = trayMenu(tray);
const events = (name) => record.sentEvents.filter((e) => e.channel === 'parley:event' && e.args[0] === name).map((e) => ({ to: e.to, payload: e.args[1] }));
const events0 = (name) => events(name).map((e) => e.payload);
const key = (name) => (record.shortcuts.includes(name) ? name : null);
const out = { trayMenu: labels(), shortcutsAtStart: [...record.shortcuts] };
await until(() => events('desktop:state').length > 0);
out.desktopStateAtStart = events0('desktop:state');
const quickKey = out.desktopStateAtStart[0]?.quickShortcut?.accelerator;
const mainKey = out.desktopStateAtStart[0]?.shortcut?.accelerator;

// The pointer on the second display: the quick window opens there, centred.
stub.screen.cursor = { x: 2500, y: 300 };
stub.globalShortcut.press(key(quickKey));
const quick = stub.windows.find((w) => w !== main);
out.windowsAfterPress = stub.windows.length;
// Created hidden: shown only once its page is painted.
out.visibleBeforePaint = quick?.isVisible() ?? null;
await until(() => quick?.isVisible());
out.quick = {
  options: { ...quick.options, webPreferences: undefined },
  webPreferences: quick.options.webPreferences,
  mainWebPreferences: main.options.webPreferences,
  url: quick.loaded?.url,
  alwaysOnTop: quick.isAlwaysOnTop(),
  visible: quick.isVisible(),
  focused: quick.isFocused(),
  bounds: quick.getBounds(),
  mainVisible: main.isVisible(),
  // The app's rules hold for its page too: no navigation away, no new windows.
  windowOpen: quick.webContents.windowOpenHandler?.({ url: 'https://example.com/' }),
};
let prevented = false;
quick.webContents.emit('will-navigate', { preventDefault: () => (prevented = true) }, 'https://example.com/');
out.quick.navigationPrevented = prevented;
await stub.ipcMain.invokeFrom(quick, 'app:ready', `${own}#quick`);

// Its shortcut again: hidden, not closed. Again: the same window back.
stub.globalShortcut.press(key(quickKey));
out.secondPress = { visible: quick.isVisible(), windows: stub.windows.length, destroyed: quick.isDestroyed() };
stub.globalShortcut.press(key(quickKey));
await until(() => quick.isVisible());
out.thirdPress = { visible: quick.isVisible(), sameWindow: stub.windows.length === 2 && stub.windows.includes(quick) };
// Another app takes the focus: out of the way.
quick.blur();
out.afterBlur = quick.isVisible();

// The tray's Quick Question opens it; the tray's Show/Hide and the show/hide shortcut still act on the main window.
press('quick');
await until(() => quick.isVisible());
out.fromTray = quick.isVisible();
press('toggle');
out.trayToggleWithQuick = { main: main.isVisible(), quick: quick.isVisible(), menu: labels() };
press('toggle');
out.trayToggleAgain = { main: main.isVisible(), menu: labels() };
press('quick');
await until(() => quick.isVisible());
stub.globalShortcut.press(key(mainKey));
out.mainShortcutWithQuick = { main: main.isVisible(), quickExists: !quick.isDestroyed() };
stub.globalShortcut.press(key(mainKey));
out.mainShortcutAgain = main.isVisible();

// Esc in the quick window (quick:done without a conversation): hidden; the main window left as it was.
press('toggle');
press('quick');
await until(() => quick.isVisible());
out.esc = { result: await stub.ipcMain.invokeFrom(quick, 'quick:done', `${own}#quick`, {}) };
out.esc.quick = quick.isVisible();
out.esc.main = main.isVisible();
// The main window's page saying it is done hides nothing (it is not the quick window).
press('quick');
await until(() => quick.isVisible());
out.fromMain = { result: await invoke('quick:done', {}), quick: quick.isVisible() };

// "Open as conversation": the quick window hides, the main window (hidden in the tray) is shown, focused, and told
// (only it) to open that conversation.
await invoke('providers:save', { name: 'Loopback', preset: 'custom', protocol: 'openai', baseUrl: 'http://127.0.0.1:9/v1', models: ['m1'], defaultModel: 'm1' });
const conv = await stub.ipcMain.invokeFrom(quick, 'conversations:create', `${own}#quick`);
if (main.isVisible()) press('toggle');
out.mainHiddenBeforeOpen = !main.isVisible();
press('quick');
await until(() => quick.isVisible());
const opensBefore = events('quick:open').length;
out.open = { result: await stub.ipcMain.invokeFrom(quick, 'quick:done', `${own}#quick`, { open: conv.value?.id }) };
out.open.quick = quick.isVisible();
out.open.main = main.isVisible();
out.open.mainFocused = main.isFocused();
out.open.events = events('quick:open').slice(opensBefore);
out.open.ids = { main: main.webContents.id, quick: quick.webContents.id, conversation: conv.value?.id };
// A conversation that does not exist: hidden all the same, nothing opened.
press('quick');
await until(() => quick.isVisible());
const opensBeforeUnknown = events('quick:open').length;
out.unknown = { result: await stub.ipcMain.invokeFrom(quick, 'quick:done', `${own}#quick`, { open: 'no-such-conversation' }), quick: quick.isVisible(), events: events('quick:open').length - opensBeforeUnknown };
// The main window reloading: the conversation is opened once its new page says it is ready.
main.webContents.emit('did-start-navigation', { isMainFrame: true, isSameDocument: false });
press('quick');
await until(() => quick.isVisible());
const beforeReload = events('quick:open').length;
await stub.ipcMain.invokeFrom(quick, 'quick:done', `${own}#quick`, { open: conv.value?.id });
out.reload = { beforeReady: events('quick:open').length - beforeReload };
await invoke('app:ready');
out.reload.afterReady = events('quick:open').slice(beforeReload);

// Its shortcut in the settings: one another app holds is reported (the show/hide one unaffected)…
const states = () => events0('desktop:state');
let n = states().length;
out.saveTaken = await invoke('settings:set', { desktop: { quickShortcut: 'Alt+Space' } });
await until(() => states().length > n);
out.taken = { state: states().at(-1), shortcuts: [...record.shortcuts] };
// …the show/hide shortcut's keys (spelt otherwise) are not registered twice…
n = states().length;
await invoke('settings:set', { desktop: { quickShortcut: 'shift+CmdOrCtrl+space' } });
await until(() => states().length > n);
out.duplicate = { state: states().at(-1), shortcuts: [...record.shortcuts] };
// …both swapped in one save: both registered, each doing the other's former job…
n = states().length;
await invoke('settings:set', { desktop: { shortcut: quickKey, quickShortcut: mainKey } });
await until(() => states().length > n);
out.swapped = { state: states().at(-1), shortcuts: [...record.shortcuts].sort() };
quick.hide();
const mainBefore = main.isVisible();
stub.globalShortcut.press(mainKey);
await until(() => quick.isVisible());
out.swapped.pressOldMainKey = { quick: quick.isVisible(), mainUnchanged: main.isVisible() === mainBefore };
// …and empty: none, the tray's item still opens the window.
n = states().length;
await invoke('settings:set', { desktop: { quickShortcut: '' } });
await until(() => states().length > n);
out.off = { state: states().at(-1), shortcuts: [...record.shortcuts] };

// The main window really closed (close to the tray is off): the quick window goes with it, so the app quits.
let allClosed = false;
stub.app.on('window-all-closed', () => (allClosed = true));
main.close();
out.closed = { windows: stub.windows.length, quickDestroyed: quick.isDestroyed(), allClosed, shortcuts: [...record.shortcuts] };
process.stdout.write(JSON.stringify(out) + '\n');
process.exit(0);
