// Boots the built main process (argv[2]) on the electron stub and attaches files the way a user does: the
// attachment picker (main's own multi-select open dialog, answered with argv[3..]), a thumbnail, then opens and
// reveals one through the OS. Prints one JSON object with what happened.
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const main = resolve(process.argv[2]);
const picked = process.argv.slice(3);
await import(pathToFileURL(main).href);
const stub = globalThis.__electronStub;
for (let i = 0; i < 200 && stub.windows.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
const own = 'parley://app/index.html';
const out = {};
out.cancelled = await stub.ipcMain.invoke('attachments:pick', own);
stub.dialog.nextOpenPaths = picked;
out.pick = await stub.ipcMain.invoke('attachments:pick', own);
out.openDialogs = stub.record.openDialogs;
const first = out.pick.value?.added?.[0];
out.thumb = first ? (await stub.ipcMain.invoke('attachments:thumb', own, first.id)).value?.slice(0, 30) : null;
const pdf = out.pick.value?.added?.find((a) => a.kind === 'pdf');
out.open = pdf ? await stub.ipcMain.invoke('attachments:open', own, pdf.id, 'open') : null;
out.reveal = pdf ? await stub.ipcMain.invoke('attachments:open', own, pdf.id, 'reveal') : null;
out.openedPaths = stub.record.openedPaths;
out.shownItems = stub.record.shownItems;
out.pathFromWindow = await stub.ipcMain.invoke('attachments:add', own, { name: 'x.txt', path: '/etc/passwd' });
console.log(JSON.stringify(out));
process.exit(0);
