// Boots the built main process (argv[2]) on the electron stub and does what a user does to the window and the
// menu, as the JSON plan in DRIVE_PLAN says: { setBounds?, maximize?, unmaximize?, help?, exportPath?, close? }.
// Prints one JSON object: the window as it was created, the application menu, what the Help items did, and
// window-state.json after a debounced save and after close.
// Run: DRIVE_PLAN='{…}' node --import ./register.mjs drive-window.mjs out/main/index.js
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const plan = JSON.parse(process.env.DRIVE_PLAN ?? '{}');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(check, ms = 5000) {
  for (let t = 0; t < ms && !check(); t += 10) await sleep(10);
}

await import(pathToFileURL(resolve(process.argv[2])).href);
const stub = globalThis.__electronStub;
await until(() => stub.windows.length > 0);
const win = stub.windows[0];
const statePath = join(stub.app.getPath('userData'), 'window-state.json');
const readState = () => (existsSync(statePath) ? JSON.parse(readFileSync(statePath, 'utf8')) : null);

/** The menu as data: labels, roles and accelerators of every item, nested. */
const describe = (items) => items.map((i) => ({ label: i.label, role: i.role, type: i.type, accelerator: i.accelerator, click: typeof i.click === 'function', submenu: Array.isArray(i.submenu) ? describe(i.submenu) : undefined }));
const template = stub.record.applicationMenu?.template ?? [];
const out = {
  platform: process.platform,
  options: { x: win.options.x, y: win.options.y, width: win.options.width, height: win.options.height },
  webPreferences: win.options.webPreferences,
  maximized: win.isMaximized(),
  menu: describe(template),
};

// The developer tools in this build: asked for directly, and as if something had opened them.
win.webContents.openDevTools();
out.devToolsAfterOpen = win.webContents.isDevToolsOpened();
win.webContents.emit('devtools-opened');
out.devTools = { ...stub.record.devTools };

if (plan.help) {
  const help = template.find((i) => i.label === 'Help')?.submenu ?? [];
  const about = [...help, ...(template[0]?.submenu ?? [])].find((i) => i.label === 'About Parley');
  const press = (item) => item.click(item, win, {});
  const boxes = () => stub.record.messageBoxes?.length ?? 0;
  press(help.find((i) => i.label === 'Open Log Folder'));
  await until(() => stub.record.openedPaths.length > 0);
  out.openedPaths = stub.record.openedPaths;
  // Export: cancelled (nothing happens), then saved where the dialog said, and the path shown.
  press(help.find((i) => i.label === 'Export Diagnostics…'));
  await until(() => stub.record.saveDialog);
  await sleep(200);
  out.boxesAfterCancel = boxes();
  stub.dialog.nextSavePath = plan.exportPath;
  press(help.find((i) => i.label === 'Export Diagnostics…'));
  await until(() => boxes() > 0);
  press(about);
  await until(() => boxes() > 1);
  out.messageBoxes = stub.record.messageBoxes;
}

if (plan.setBounds) {
  win.setBounds(plan.setBounds);
  out.stateRightAfterMove = readState();
  await sleep(900);
  out.stateAfterDebounce = readState();
}
if (plan.maximize) win.maximize();
if (plan.unmaximize) win.unmaximize();
if (plan.close) {
  win.close();
  out.stateAfterClose = readState();
  out.windowsAfterClose = stub.windows.length;
}
out.log = existsSync(join(stub.app.getPath('logs'), 'parley.log')) ? readFileSync(join(stub.app.getPath('logs'), 'parley.log'), 'utf8') : '';
process.stdout.write(JSON.stringify(out) + '\n');
process.exit(0);
