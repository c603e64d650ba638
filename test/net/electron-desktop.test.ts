/**
 * The desktop habits of the built main process (out/main/index.js; issue 22), booted in plain Node on the
 * electron stub (test/helpers/electron-stub, driver drive-desktop.mjs): the tray's menu (Show/Hide, the state
 * and route, New chat, Quit) following the window and the connectivity state, closing to the tray, the global
 * shortcut (and one another app holds, which the window is told), start with the OS, and parley:// links
 * confirmed in main's dialog (Cancel saves nothing; a key or an unknown field is refused).
 * What it cannot show: a real tray, real OS shortcuts or login items, or a browser opening a link.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { driverRecord, runDriver } from '../helpers/shell-driver.ts';

// The driver's JSON record, read field by field with expect().
// The stand-in's driver (test/helpers/electron-stub/*.mjs) is untyped JavaScript: its calls are checked by the assertions.
type Drive = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let home: string;
beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'parley-desktop-'));
});
afterAll(() => {
  if (home) rmSync(home, { recursive: true, force: true });
});

async function drive(name: string, env: Record<string, string> = {}): Promise<Drive> {
  // 'Alt+Space' is held by another app (globalShortcut.register answers false for it).
  return driverRecord<Drive>(await runDriver('drive-desktop.mjs', [], { HOME: home, SHELL: '/bin/sh', PARLEY_HOME: join(home, name), STUB_TAKEN_SHORTCUTS: 'Alt+Space', ...env }));
}

let r: Drive;
beforeAll(async () => {
  r = await drive('en');
}, 60_000);

it('the tray shows and hides the window, says the state and route, and its New chat tells the shown window to start one', () => {
  // The icon is a PNG inside the built main (not an empty, invisible icon, nor a file the package lacks).
  expect(r.trayIcon).toEqual({ dataUrl: true, bytes: expect.any(Number), empty: false });
  expect(r.startMenu).toEqual(['Hide Parley', '(Online)', '(Route: proxy from the environment)', 'New Chat', 'Quit Parley']);
  expect(r.afterHide).toEqual({ visible: false, menu: expect.arrayContaining(['Show Parley']) });
  expect(r.afterShow).toEqual({ visible: true, menu: expect.arrayContaining(['Hide Parley']) });
  // Hidden, then New chat: shown again, and the window got the command (after it said it was ready).
  expect(r.newChat).toEqual({ visible: true, commands: [{ command: 'new-chat' }] });
  // The window reports the OS offline: the tray follows the app services' connectivity state.
  expect(r.offlineMenu).toContain('(Offline (no network))');
  expect(r.onlineMenu).toContain('(Online)');
});

it('closing the window hides it to the tray only when the setting is on (off by default); quitting removes the tray and the shortcut', () => {
  expect(r.closeToTray).toEqual({ windows: 1, visible: false, menu: expect.arrayContaining(['Show Parley']) });
  // Hidden there, a second launch or the dock icon brings it back.
  expect([r.shownBySecondLaunch, r.shownByActivate]).toEqual([true, true]);
  // The setting off again: the window closes (the app quits on Linux and Windows), the tray and shortcut go.
  expect(r.closed).toEqual({ windows: 0, trayDestroyed: true, shortcuts: [] });
});

it('the global shortcut shows and hides Parley; one another app holds is reported to the window, and a malformed one is refused at save', () => {
  expect(r.shortcutsAtStart).toEqual(['CommandOrControl+Shift+Space']);
  // Told again after a reload.
  expect(r.stateAfterReload).toEqual([{ shortcut: { accelerator: 'CommandOrControl+Alt+P', state: 'registered' } }]);
  expect(r.desktopStateAtStart).toEqual([{ shortcut: { accelerator: 'CommandOrControl+Shift+Space', state: 'registered' } }]);
  expect([r.afterShortcut1, r.afterShortcut2]).toEqual([false, true]);
  expect(r.saveTaken.ok).toBe(true);
  expect(r.desktopStateTaken).toEqual({ shortcut: { accelerator: 'Alt+Space', state: 'taken' } });
  expect(r.shortcutsWhenTaken).toEqual([]);
  expect(r.desktopStateFree).toEqual({ shortcut: { accelerator: 'CommandOrControl+Alt+P', state: 'registered' } });
  expect(r.shortcutsWhenFree).toEqual(['CommandOrControl+Alt+P']);
  expect(r.saveBadShortcut).toMatchObject({ ok: false, error: { code: 'config_invalid', message: expect.stringContaining('desktop.shortcut') } });
});

it('start with the OS is applied at start and when the setting changes', () => {
  expect(r.loginItemsAtStart).toEqual([{ openAtLogin: false }]);
  expect(r.loginItems).toEqual([{ openAtLogin: false }, { openAtLogin: true }]);
});

it('a parley:// link is registered, always confirmed in main naming every field, saved only on Add; a key or an unknown field is refused', () => {
  expect(r.protocolClients).toEqual(['parley']);
  expect(r.declinedBox).toEqual({
    type: 'question',
    message: 'Add this provider to Parley?',
    detail: expect.stringContaining('Name: Loopback\nPreset: custom\nProtocol: openai\nBase URL: http://127.0.0.1:9/v1\nModels: m1, m2\nDefault model: m1\n'),
  });
  expect(r.providersAfterDecline).toEqual([]);
  expect(r.providersAfterAdd).toEqual([{ name: 'Loopback', baseUrl: 'http://127.0.0.1:9/v1', models: ['m1', 'm2'] }]);
  // The early one (before the app was ready) included: asked about, declined, nothing saved.
  expect(r.openUrlPrevented).toBe(3);
  expect(r.earlyBox).toMatchObject({ type: 'question', detail: expect.stringContaining('Name: Early\n') });
  expect(r.refusedBoxes).toEqual([
    { type: 'warning', message: 'This parley:// link was not opened.', detail: expect.stringContaining('"apiKey": keys, tokens and headers are never taken from a link') },
    { type: 'warning', message: 'This parley:// link was not opened.', detail: 'Unknown field "command" (allowed: name, transport, url).' },
  ]);
  expect(r.providersAfterRefused).toEqual(r.providersAfterAdd);
  // A tool server: the link's dialog, then the one every new tool server gets; saved after both said yes.
  expect(r.mcpBoxes[0]).toBe('Add this tool server to Parley?');
  expect(r.mcpBoxes).toHaveLength(2);
  expect(r.mcpServers).toEqual([{ name: 'Docs', transport: 'http', url: 'http://127.0.0.1:9/mcp' }]);
});

it('the tray and main\'s link dialog speak Chinese when the OS does', async () => {
  const zh = await drive('zh', { STUB_LOCALE: 'zh-CN' });
  expect(zh.startMenu).toEqual(['隐藏 Parley', '(在线)', '(线路：环境变量中的代理)', '新对话', '退出 Parley']);
  expect(zh.declinedBox.message).toBe('要把这个服务商添加到 Parley 吗？');
  expect(zh.refusedBoxes[0].message).toBe('未打开这个 parley:// 链接。');
}, 60_000);
