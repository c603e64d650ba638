// Boots the built main process (argv[2]) on the electron stub, then does what a renderer and a user would:
// IPC from the app's own page and from a foreign frame, events, export with the save dialog, navigation
// attempts. Prints one JSON object with what happened. Run: node --import ./register.mjs drive.mjs out/main/index.js
import { pathToFileURL } from 'node:url';
import { dirname, join, resolve } from 'node:path';

const main = resolve(process.argv[2]);
const exportPath = process.argv[3];
await import(pathToFileURL(main).href);
const stub = globalThis.__electronStub;
for (let i = 0; i < 200 && stub.windows.length === 0; i++) await new Promise((r) => setTimeout(r, 10));

const own = 'parley://app/index.html';
const out = { loadedUrl: stub.windows[0]?.loaded?.url, webPreferences: stub.windows[0]?.options?.webPreferences, privileged: stub.protocol.privileged };
// The app protocol serves out/renderer and nothing outside it.
const serve = stub.protocol.handlers.get('parley');
const get = async (u) => { const r = await serve(new Request(u)); return { status: r.status, text: r.status === 200 ? (await r.text()).slice(0, 200) : '' }; };
out.protocolIndex = await get('parley://app/index.html');
out.protocolTraversal = await get('parley://app/..%2F..%2Fpackage.json');
out.protocolTraversal2 = await get('parley://app/%2e%2e/%2e%2e/package.json');
out.protocolOtherHost = await get('parley://evil/index.html');
out.fileFrame = await stub.ipcMain.invoke('app:info', pathToFileURL(join(dirname(main), '../renderer/index.html')).href);
out.info = await stub.ipcMain.invoke('app:info', own);
out.foreign = await stub.ipcMain.invoke('app:info', 'https://evil.example/');
// A second launch (Electron tells the first instance): the first window comes to the front.
stub.app.emit('second-instance', {}, [], process.cwd());
out.focusedOnSecondLaunch = stub.record.focused;
// The test sets ELECTRON_RENDERER_URL: a built app neither loads it nor trusts its origin.
out.devServerFrame = process.env.ELECTRON_RENDERER_URL ? await stub.ipcMain.invoke('app:info', `${process.env.ELECTRON_RENDERER_URL}/index.html`) : null;
out.foreignIframe = await stub.ipcMain.handlers.get('settings:get')({ senderFrame: { url: own, parent: {} } });
out.setProvider = await stub.ipcMain.invoke('providers:save', own, { name: 'Local', preset: 'custom', protocol: 'openai', baseUrl: process.env.STUB_BASE_URL, apiKey: process.env.STUB_KEY, models: ['test-model'], defaultModel: 'test-model' });
out.setSettings = await stub.ipcMain.invoke('settings:set', own, { network: { proxy: { mode: 'system' } } });
out.badArgs = await stub.ipcMain.invoke('settings:set', own, 'not an object');
// Events wait until the window says it is ready.
out.ready = await stub.ipcMain.invoke('app:ready', own);
out.log = await stub.ipcMain.invoke('log:write', own, { level: 'warn', message: `renderer says ${process.env.STUB_KEY}` });
out.doctor = await stub.ipcMain.invoke('doctor:run', own);
// Every event the doctor caused (the window's first event, 'desktop:state' at its creation, is not one).
out.doctorEvents = stub.record.sentEvents.filter((e) => e.channel === 'parley:event' && e.args[0] !== 'desktop:state').map((e) => e.args[0]);
out.cancelledExport = await stub.ipcMain.invoke('diagnostics:export', own);
stub.dialog.nextSavePath = exportPath;
out.export = await stub.ipcMain.invoke('diagnostics:export', own);
out.saveDialog = stub.record.saveDialog;
out.logsOpen = await stub.ipcMain.invoke('logs:open', own);
out.openedPaths = stub.record.openedPaths;
// Navigation and new windows from the page.
const wc = stub.windows[0].webContents;
let prevented = 0;
wc.emit('will-navigate', { preventDefault: () => prevented++ }, 'https://evil.example/');
out.navigationPrevented = prevented;
out.openHttps = wc.windowOpenHandler({ url: 'https://docs.example/help' });
out.openFile = wc.windowOpenHandler({ url: 'file:///etc/passwd' });
// Links: only through main, after the user saw the full URL in a message box; Cancel opens nothing.
out.linkOpened = await stub.ipcMain.invoke('link:open', own, 'https://docs.example/help');
stub.dialog.nextMessageResponse = 1;
out.linkDeclined = await stub.ipcMain.invoke('link:open', own, 'https://docs.example/declined');
out.linkJs = await stub.ipcMain.invoke('link:open', own, 'javascript:alert(1)');
out.messageBoxes = stub.record.messageBoxes;
out.externalUrls = stub.record.externalUrls;
out.permission = await new Promise((r) => stub.record.permissionHandlers.request(null, 'media', r));
process.stdout.write(JSON.stringify(out) + '\n');
process.exit(0);
