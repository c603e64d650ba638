// What the stub's drivers share: waiting, booting the built main process on the stub, the app page's IPC and the
// tray's menu as a user sees it (labels, a disabled item in parentheses) and clicks it.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 10 ms, at most `ms`. */
export async function until(check, ms = 5000) {
  for (let t = 0; t < ms && !check(); t += 10) await sleep(10);
}

/** Imports the built main process (its path) on the stub; returns the stub as it stands right after. */
export async function bootMain(path) {
  await import(pathToFileURL(resolve(path)).href);
  return globalThis.__electronStub;
}

/** The app page's own IPC calls (as its preload sends them). */
export const appPage = 'parley://app/index.html';
export const invokerOf = (stub) => (channel, ...args) => stub.ipcMain.invoke(channel, appPage, ...args);

/** The tray's menu: its items, their labels and a click on one by id. */
export function trayMenu(tray) {
  const items = () => tray.menu?.template ?? [];
  return {
    items,
    labels: () => items().filter((i) => i.type !== 'separator').map((i) => (i.enabled === false ? `(${i.label})` : i.label)),
    press: (id) => items().find((i) => i.id === id).click(),
  };
}
