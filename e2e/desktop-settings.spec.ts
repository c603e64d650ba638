/**
 * The desktop habits in the window (issue 22), browser target (e2e/web-host.ts): Settings → App saves close to
 * the tray, the global shortcuts (show/hide, and the quick window's) and start with the OS into the settings'
 * `desktop` part; a malformed shortcut is refused and nothing is saved; when main reports that another app holds a
 * shortcut ('desktop:state'), its field says so in en and zh; the quick window's shortcut typed as the show/hide one
 * is named at once; the tray's New chat ('desktop:command') shows the chat with a new conversation.
 * The events are sent here by the host's own services, as main's shell does (test/net/electron-desktop.test.ts
 * shows the shell sending them).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Send } from '../src/main/services/window-hub.ts';
import { launchChromium } from './targets.ts';
import { startWebHost, type WebHost } from './web-host.ts';
import { tid } from './helpers.ts';

let browser: Browser;
let host: WebHost;
let page: Page;
let dataDir: string;
/** The page's window ids in the host's hub (each events connection is one). */
const windows: string[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  dataDir = mkdtempSync(join(tmpdir(), 'parley-e2e-desktop-'));
  host = await startWebHost({ dataDir, logDir: join(dataDir, 'logs'), env: {} });
  const attach = host.services.attachWindow.bind(host.services);
  host.services.attachWindow = (id: string, send: Send) => {
    windows.push(id);
    attach(id, send);
  };
  page = await browser.newPage();
  await page.goto(host.url);
  await page.waitForSelector(tid('welcome'));
}, 60_000);

afterAll(async () => {
  await page?.close();
  await host?.close();
  await browser?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const toWindows = (fn: (id: string) => void): void => windows.filter((id) => host.services.hub.has(id)).forEach(fn);

it('Settings → App saves close to tray, the shortcut and start with the OS; a malformed shortcut saves nothing', async () => {
  await page.click(tid('nav-settings'));
  expect(await page.isChecked(tid('settings-closeToTray'))).toBe(false);
  expect(await page.isChecked(tid('settings-openAtLogin'))).toBe(false);
  expect(await page.inputValue(tid('settings-shortcut'))).toBe('CommandOrControl+Shift+Space');
  expect(await page.inputValue(tid('settings-quickShortcut'))).toBe('CommandOrControl+Alt+Space');
  await page.check(tid('settings-closeToTray'));
  await page.check(tid('settings-openAtLogin'));
  await page.fill(tid('settings-shortcut'), 'Alt+Shift+P');
  await page.fill(tid('settings-quickShortcut'), 'Alt+Shift+Q');
  await page.click(tid('settings-save'));
  await expect.poll(() => page.getAttribute(tid('settings-status'), 'data-state')).toBe('saved');
  expect(host.services.settings.get().desktop).toEqual({ closeToTray: true, shortcut: 'Alt+Shift+P', quickShortcut: 'Alt+Shift+Q', openAtLogin: true });

  await page.fill(tid('settings-shortcut'), 'Shift+');
  // Said at the field as it is typed, by the same schema main saves with.
  expect(await page.textContent(tid('settings-shortcut-problem'))).toBe('Not a shortcut: modifiers (CommandOrControl, Alt, Shift…) and one key, joined by +.');
  await page.click(tid('settings-save'));
  await expect.poll(() => page.getAttribute(tid('settings-status'), 'data-state')).toBe('error');
  expect(host.services.settings.get().desktop.shortcut).toBe('Alt+Shift+P');
}, 30_000);

it('a shortcut another app holds is named at its field, in en and zh', async () => {
  await page.fill(tid('settings-shortcut'), 'Alt+Shift+P');
  expect(await page.locator(tid('settings-shortcut-problem')).count()).toBe(0);
  toWindows((id) => host.services.hub.emit(id, 'desktop:state', { shortcut: { accelerator: 'Alt+Shift+P', state: 'taken' }, quickShortcut: { accelerator: 'Alt+Shift+Q', state: 'registered' } }));
  const problem = page.locator(tid('settings-shortcut-problem'));
  await problem.waitFor();
  expect(await problem.textContent()).toBe('The shortcut Alt+Shift+P is not working: another app already uses it. Choose another one.');
  expect(await page.getAttribute(tid('settings-shortcut'), 'aria-invalid')).toBe('true');
  await page.selectOption(tid('settings-language'), 'zh');
  await page.click(tid('settings-save'));
  await expect.poll(() => problem.textContent()).toBe('快捷键 Alt+Shift+P 无法使用：另一个应用已占用它。请换一个。');
  // Registered after all: the warning goes.
  toWindows((id) => host.services.hub.emit(id, 'desktop:state', { shortcut: { accelerator: 'Alt+Shift+P', state: 'registered' }, quickShortcut: { accelerator: 'Alt+Shift+Q', state: 'registered' } }));
  await expect.poll(() => problem.count()).toBe(0);
  await page.selectOption(tid('settings-language'), 'en');
  await page.click(tid('settings-save'));
  await expect.poll(() => page.getAttribute(tid('settings-status'), 'data-state')).toBe('saved');
}, 30_000);

it('the quick window\'s shortcut: the show/hide one\'s keys are named as typed, and one another app holds at its own field', async () => {
  const problem = page.locator(tid('settings-quickShortcut-problem'));
  expect(await problem.count()).toBe(0);
  // The same keys, spelt otherwise: the quick window would not get them.
  await page.fill(tid('settings-quickShortcut'), 'shift+alt+p');
  expect(await problem.textContent()).toBe('The shortcut shift+alt+p already shows and hides Parley. Choose another one for the quick window.');
  await page.fill(tid('settings-quickShortcut'), 'Alt+Shift+Q');
  expect(await problem.count()).toBe(0);
  toWindows((id) => host.services.hub.emit(id, 'desktop:state', { shortcut: { accelerator: 'Alt+Shift+P', state: 'registered' }, quickShortcut: { accelerator: 'Alt+Shift+Q', state: 'taken' } }));
  await problem.waitFor();
  expect(await problem.textContent()).toBe('The shortcut Alt+Shift+Q is not working: another app already uses it. Choose another one.');
  expect(await page.getAttribute(tid('settings-quickShortcut'), 'aria-invalid')).toBe('true');
  // The show/hide shortcut's field says nothing: it works.
  expect(await page.locator(tid('settings-shortcut-problem')).count()).toBe(0);
  // Emptied: no quick shortcut (the tray still opens the window), saved as off.
  await page.fill(tid('settings-quickShortcut'), '');
  expect(await problem.count()).toBe(0);
  await page.click(tid('settings-save'));
  await expect.poll(() => page.getAttribute(tid('settings-status'), 'data-state')).toBe('saved');
  expect(host.services.settings.get().desktop.quickShortcut).toBe('');
}, 30_000);

it('the tray\'s New chat shows the chat with a new conversation, from Settings', async () => {
  expect(await page.locator(tid('chat-title')).count()).toBe(0);
  toWindows((id) => host.services.hub.emit(id, 'desktop:command', { command: 'new-chat' }));
  const title = page.locator(tid('chat-title'));
  await title.waitFor();
  expect(await title.textContent()).toBe('New chat');
  expect(await page.isVisible(tid('settings-shortcut'))).toBe(false);
}, 30_000);
