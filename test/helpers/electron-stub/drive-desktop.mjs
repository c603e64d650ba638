// Boots the built main process (argv[2]) on the electron stub and does what a user does with the desktop habits:
// the tray's items, closing to the tray, the global shortcut (one another app holds: STUB_TAKEN_SHORTCUTS),
// start with the OS, and parley:// links (a second launch's argv and macOS's open-url), answering main's dialog.
// Prints one JSON object with what happened at each step.
// Run: node --import ./register.mjs drive-desktop.mjs out/main/index.js
import { bootMain, invokerOf, sleep, trayMenu, until } from './drive-common.mjs';

const stub = await bootMain(process.argv[2]);
const { record } = stub;
// macOS hands over the link the app was opened with before it is ready: declined here.
stub.dialog.nextMessageResponse = 1;
let prevented = 0;
stub.app.emit('open-url', { preventDefault: () => prevented++ }, 'parley://add-provider?name=Early&baseUrl=https%3A%2F%2Fearly.example%2Fv1');
await until(() => stub.windows.length > 0 && record.trays.length > 0);
const win = stub.windows[0];
const invoke = invokerOf(stub);
await invoke('app:ready');

const tray = record.trays[0];
const { labels, press } = trayMenu(tray);
const events = (name) => record.sentEvents.filter((e) => e.channel === 'parley:event' && e.args[0] === name).map((e) => e.args[1]);
const boxes = () => record.messageBoxes ?? [];

await until(() => (record.messageBoxes ?? []).length > 0);
const out = { trayIcon: { dataUrl: tray.image?.dataUrl, bytes: tray.image?.bytes, empty: tray.image?.isEmpty() }, earlyBox: record.messageBoxes?.[0], startMenu: labels(), shortcutsAtStart: [...record.shortcuts], loginItemsAtStart: [...record.loginItems], protocolClients: [...record.protocolClients] };
out.desktopStateAtStart = events('desktop:state');

// Show/Hide from the tray.
press('toggle');
out.afterHide = { visible: win.isVisible(), menu: labels() };
press('toggle');
out.afterShow = { visible: win.isVisible(), menu: labels() };

// New chat: the window shown and told to start one.
press('toggle');
press('new-chat');
await until(() => events('desktop:command').length > 0);
out.newChat = { visible: win.isVisible(), commands: events('desktop:command') };

// The OS says there is no network: the tray says so.
await invoke('connectivity:osOnline', false);
await until(() => labels().some((l) => l.includes('Offline')));
out.offlineMenu = labels();
await invoke('connectivity:osOnline', true);
await until(() => !labels().some((l) => l.includes('Offline')));
out.onlineMenu = labels();

// The global shortcut shows and hides the window.
stub.globalShortcut.press(record.shortcuts[0]);
out.afterShortcut1 = win.isVisible();
stub.globalShortcut.press(record.shortcuts[0]);
out.afterShortcut2 = win.isVisible();

// A shortcut another app holds: the window is told, and nothing is registered in its place.
out.saveTaken = await invoke('settings:set', { desktop: { shortcut: 'Alt+Space' } });
await until(() => events('desktop:state').length > out.desktopStateAtStart.length);
out.desktopStateTaken = events('desktop:state').at(-1);
out.shortcutsWhenTaken = [...record.shortcuts];
out.saveFree = await invoke('settings:set', { desktop: { shortcut: 'CommandOrControl+Alt+P' } });
out.desktopStateFree = events('desktop:state').at(-1);
out.shortcutsWhenFree = [...record.shortcuts];
out.saveBadShortcut = await invoke('settings:set', { desktop: { shortcut: 'Ctrl+Shift+' } });

// A reload: the page is told the state again once it says it is ready.
const statesBefore = events('desktop:state').length;
win.webContents.emit('did-start-navigation', { isMainFrame: true, isSameDocument: false });
await invoke('app:ready');
out.stateAfterReload = events('desktop:state').slice(statesBefore);

// Start with the OS.
out.saveLogin = await invoke('settings:set', { desktop: { openAtLogin: true } });
out.loginItems = [...record.loginItems];

// Close to the tray: on, the window hides; off again (the default), it closes.
await invoke('settings:set', { desktop: { closeToTray: true } });
win.close();
out.closeToTray = { windows: stub.windows.length, visible: win.isVisible(), menu: labels() };
// Hidden in the tray: launching Parley again (or, on macOS, clicking its dock icon) shows it.
stub.app.emit('second-instance', {}, ['/usr/bin/parley'], process.cwd());
out.shownBySecondLaunch = win.isVisible();
win.close();
stub.app.emit('activate');
out.shownByActivate = win.isVisible();
win.close();

// parley:// links. A second launch carries one (Windows, Linux): main's dialog names it; Cancel saves nothing.
const link = 'parley://add-provider?name=Loopback&baseUrl=http%3A%2F%2F127.0.0.1%3A9%2Fv1&models=m1,m2&defaultModel=m1';
const providers = async () => (await invoke('settings:get')).value.providers.map((p) => ({ name: p.name, baseUrl: p.baseUrl, models: p.models }));
let n = boxes().length;
stub.dialog.nextMessageResponse = 1;
stub.app.emit('second-instance', {}, ['/usr/bin/parley', link], process.cwd());
await until(() => boxes().length > n);
await sleep(100);
out.declinedBox = boxes().at(-1);
out.providersAfterDecline = await providers();
stub.dialog.nextMessageResponse = 0;
n = boxes().length;
stub.app.emit('second-instance', {}, ['/usr/bin/parley', link], process.cwd());
await until(() => boxes().length > n);
await sleep(300);
out.providersAfterAdd = await providers();
// macOS's open-url: a link with a key is refused, and so is one with an unknown field; nothing saved.
n = boxes().length;
stub.app.emit('open-url', { preventDefault: () => prevented++ }, 'parley://add-provider?name=X&baseUrl=https%3A%2F%2Fapi.example%2Fv1&apiKey=sk-from-a-page');
await until(() => boxes().length > n);
stub.app.emit('open-url', { preventDefault: () => prevented++ }, 'parley://add-mcp?name=T&url=https%3A%2F%2Fmcp.example%2F&command=rm');
await until(() => boxes().length > n + 1);
out.openUrlPrevented = prevented;
out.refusedBoxes = boxes().slice(n);
out.providersAfterRefused = await providers();
// A tool server: Add in the link's dialog, then Save in the tool server's own save dialog (as from Settings).
n = boxes().length;
stub.dialog.nextMessageResponses = [0, 1];
stub.app.emit('open-url', { preventDefault: () => prevented++ }, 'parley://add-mcp?name=Docs&url=http%3A%2F%2F127.0.0.1%3A9%2Fmcp');
await until(() => boxes().length >= n + 2);
await sleep(300);
out.mcpBoxes = boxes().slice(n).map((b) => b.message);
out.mcpServers = (await invoke('mcp:list')).value.map((s) => ({ name: s.name, transport: s.transport, url: s.url }));

await invoke('settings:set', { desktop: { closeToTray: false } });
win.close();
out.closed = { windows: stub.windows.length, trayDestroyed: tray.isDestroyed(), shortcuts: [...record.shortcuts] };
process.stdout.write(JSON.stringify(out) + '\n');
process.exit(0);
