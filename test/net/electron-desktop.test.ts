/**
 * The desktop habits of the built main process (out/main/index.js; issue 22), booted in plain Node on the
 * electron stub (test/helpers/electron-stub, driver drive-desktop.mjs): the tray's menu (Show/Hide, the state
 * and route, New chat, Quit) following the window and the connectivity state, closing to the tray, the global
 * shortcut (and one another app holds, which the window is told), start with the OS, and parley:// links
 * confirmed in main's dialog (Cancel saves nothing; a key or an unknown field is refused). The quick window (driver
 * drive-quick.mjs): its shortcut and the tray's item open one small always-on-top window on the page's #quick, centred
 * on the display with the pointer; pressed again, or the focus elsewhere, it hides; its quick:done hides it and has
 * the main window (only it) open the conversation; the tray and the show/hide shortcut keep acting on the main window.
 * What it cannot show: a real tray, real OS shortcuts or login items, a browser opening a link, or real painting and
 * focus (the stand-in paints at once and moves the focus as Electron documents it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  expect(r.startMenu).toEqual(['Hide Parley', '(Online)', '(Route: proxy from the environment)', 'New Chat', 'Quick Question', 'Quit Parley']);
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
  // Both global shortcuts: show/hide Parley, and the quick window's.
  const quick = { accelerator: 'CommandOrControl+Alt+Space', state: 'registered' };
  expect(r.shortcutsAtStart).toEqual(['CommandOrControl+Shift+Space', 'CommandOrControl+Alt+Space']);
  // Told again after a reload.
  expect(r.stateAfterReload).toEqual([{ shortcut: { accelerator: 'CommandOrControl+Alt+P', state: 'registered' }, quickShortcut: quick }]);
  expect(r.desktopStateAtStart).toEqual([{ shortcut: { accelerator: 'CommandOrControl+Shift+Space', state: 'registered' }, quickShortcut: quick }]);
  expect([r.afterShortcut1, r.afterShortcut2]).toEqual([false, true]);
  expect(r.saveTaken.ok).toBe(true);
  expect(r.desktopStateTaken).toEqual({ shortcut: { accelerator: 'Alt+Space', state: 'taken' }, quickShortcut: quick });
  expect(r.shortcutsWhenTaken).toEqual(['CommandOrControl+Alt+Space']);
  expect(r.desktopStateFree).toEqual({ shortcut: { accelerator: 'CommandOrControl+Alt+P', state: 'registered' }, quickShortcut: quick });
  expect(r.shortcutsWhenFree.toSorted()).toEqual(['CommandOrControl+Alt+P', 'CommandOrControl+Alt+Space']);
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
  expect(zh.startMenu).toEqual(['隐藏 Parley', '(在线)', '(线路：环境变量中的代理)', '新对话', '快速提问', '退出 Parley']);
  expect(zh.declinedBox.message).toBe('要把这个服务商添加到 Parley 吗？');
  expect(zh.refusedBoxes[0].message).toBe('未打开这个 parley:// 链接。');
}, 60_000);

describe('the quick window', () => {
  let q: Drive;
  beforeAll(async () => {
    // Two displays side by side; the driver puts the pointer on the second one.
    const displays = [{ workArea: { x: 0, y: 0, width: 1920, height: 1040 } }, { workArea: { x: 1920, y: 0, width: 2560, height: 1400 } }];
    q = driverRecord<Drive>(await runDriver('drive-quick.mjs', [], { HOME: home, SHELL: '/bin/sh', PARLEY_HOME: join(home, 'quick'), STUB_TAKEN_SHORTCUTS: 'Alt+Space', STUB_DISPLAYS: JSON.stringify(displays) }));
  }, 60_000);

  it('its shortcut opens one small always-on-top window on the page\'s #quick, painted first, centred where the pointer is, sandboxed like the app\'s', () => {
    expect(q.trayMenu).toContain('Quick Question');
    expect(q.shortcutsAtStart).toEqual(['CommandOrControl+Shift+Space', 'CommandOrControl+Alt+Space']);
    expect(q.windowsAfterPress).toBe(2);
    expect(q.visibleBeforePaint).toBe(false);
    expect(q.quick).toMatchObject({
      options: { width: 560, height: 360, show: false, alwaysOnTop: true, skipTaskbar: true, frame: false },
      url: 'parley://app/index.html#quick',
      alwaysOnTop: true,
      visible: true,
      focused: true,
      // The second display's work area (x 1920, 2560 × 1400), centred: not the primary's.
      bounds: { x: 1920 + (2560 - 560) / 2, y: (1400 - 360) / 2, width: 560, height: 360 },
      mainVisible: true,
      windowOpen: { action: 'deny' },
      navigationPrevented: true,
    });
    // The same page settings as the app's window: the bridge only, isolated, sandboxed, no developer tools.
    expect(q.quick.webPreferences).toEqual(q.quick.mainWebPreferences);
    expect(q.quick.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, devTools: false });
  });

  it('pressed again it hides (kept, not closed) and comes back; a click elsewhere hides it; the tray\'s Quick Question opens it', () => {
    expect(q.secondPress).toEqual({ visible: false, windows: 2, destroyed: false });
    expect(q.thirdPress).toEqual({ visible: true, sameWindow: true });
    expect(q.afterBlur).toBe(false);
    expect(q.fromTray).toBe(true);
  });

  it('the tray\'s Show/Hide and the show/hide shortcut act on the main window while the quick window is open', () => {
    expect(q.trayToggleWithQuick).toEqual({ main: false, quick: true, menu: expect.arrayContaining(['Show Parley']) });
    expect(q.trayToggleAgain).toEqual({ main: true, menu: expect.arrayContaining(['Hide Parley']) });
    expect(q.mainShortcutWithQuick).toEqual({ main: false, quickExists: true });
    expect(q.mainShortcutAgain).toBe(true);
  });

  it('Esc (quick:done) hides it and leaves the main window alone; the main window\'s page cannot hide it', () => {
    expect(q.esc).toEqual({ result: { ok: true, value: true }, quick: false, main: false });
    expect(q.fromMain).toEqual({ result: { ok: true, value: true }, quick: true });
  });

  it('"Open as conversation" hides it, shows and focuses the main window from the tray, and only the main window opens the conversation, once its page is ready', () => {
    expect(q.mainHiddenBeforeOpen).toBe(true);
    const { main, conversation } = q.open.ids;
    expect(conversation).toEqual(expect.any(String));
    expect(q.open).toMatchObject({ result: { ok: true, value: true }, quick: false, main: true, mainFocused: true });
    expect(q.open.events).toEqual([{ to: main, payload: { conversationId: conversation } }]);
    // A conversation that does not exist: hidden, nothing opened.
    expect(q.unknown).toEqual({ result: { ok: true, value: false }, quick: false, events: 0 });
    // The main window reloading: held until its new page says it is ready.
    expect(q.reload).toEqual({ beforeReady: 0, afterReady: [{ to: main, payload: { conversationId: conversation } }] });
  });

  it('its shortcut: one another app holds is reported, the show/hide one\'s keys are not taken twice, a swap in one save works, empty is off', () => {
    const main = { accelerator: 'CommandOrControl+Shift+Space', state: 'registered' };
    expect(q.saveTaken.ok).toBe(true);
    expect(q.taken).toEqual({ state: { shortcut: main, quickShortcut: { accelerator: 'Alt+Space', state: 'taken' } }, shortcuts: ['CommandOrControl+Shift+Space'] });
    expect(q.duplicate).toEqual({ state: { shortcut: main, quickShortcut: { accelerator: 'shift+CmdOrCtrl+space', state: 'duplicate' } }, shortcuts: ['CommandOrControl+Shift+Space'] });
    expect(q.swapped).toEqual({
      state: { shortcut: { accelerator: 'CommandOrControl+Alt+Space', state: 'registered' }, quickShortcut: { accelerator: 'CommandOrControl+Shift+Space', state: 'registered' } },
      shortcuts: ['CommandOrControl+Alt+Space', 'CommandOrControl+Shift+Space'],
      pressOldMainKey: { quick: true, mainUnchanged: true },
    });
    expect(q.off).toEqual({ state: { shortcut: { accelerator: 'CommandOrControl+Alt+Space', state: 'registered' }, quickShortcut: { accelerator: '', state: 'off' } }, shortcuts: ['CommandOrControl+Alt+Space'] });
  });

  it('the main window really closed: the quick window goes with it, so the app quits as it did without one', () => {
    expect(q.closed).toEqual({ windows: 0, quickDestroyed: true, allClosed: true, shortcuts: [] });
  });
});
