/**
 * The window and the menu of the built main process (out/main/index.js), booted in plain Node on the electron
 * stub (test/helpers/electron-stub, driver drive-window.mjs): the application menu of a production build (no
 * reload, no developer tools), `devTools: false`, the Help items, and the window's size, position and
 * maximised state saved to window-state.json and restored on the next boot, brought back on screen when its
 * monitor is gone, and defaults when the file is corrupt. What it cannot show: real Electron and a real screen.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { driverRecord, runDriver } from '../helpers/shell-driver.ts';


// A 1920×1080 primary screen (40 px task bar) and a 2560×1440 monitor to its right.
const PRIMARY = { workArea: { x: 0, y: 0, width: 1920, height: 1040 } };
const EXTERNAL = { workArea: { x: 1920, y: 0, width: 2560, height: 1440 } };

interface MenuItem { label?: string; role?: string; accelerator?: string; click: boolean; submenu?: MenuItem[] }
// The driver's JSON record, read field by field with expect(): typing each field would repeat the driver.
// The stand-in's driver (test/helpers/electron-stub/*.mjs) is untyped JavaScript: its calls are checked by the assertions.
type Drive = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let home: string;
let dataDir: string;
beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'parley-window-'));
  dataDir = join(home, 'data');
});
afterAll(() => {
  if (home) rmSync(home, { recursive: true, force: true });
});

async function drive(plan: Record<string, unknown>, displays: unknown[], extraEnv: Record<string, string> = {}): Promise<Drive> {
  return driverRecord<Drive>(await runDriver('drive-window.mjs', [], { HOME: home, SHELL: '/bin/sh', PARLEY_HOME: dataDir, DRIVE_PLAN: JSON.stringify(plan), STUB_DISPLAYS: JSON.stringify(displays), ...extraEnv }));
}

const all = (items: MenuItem[]): MenuItem[] => items.flatMap((i) => [i, ...all(i.submenu ?? [])]);

it('a production build sets its own menu without reload or developer tools, and a window without devTools', async () => {
  const exportPath = join(home, 'export', 'diagnostics.zip');
  const r = await drive({ help: true, exportPath }, [PRIMARY, EXTERNAL]);
  const menu = r.menu as MenuItem[];
  const mac = r.platform === 'darwin';
  expect(menu.map((i) => i.label)).toEqual([mac ? 'Parley' : 'File', 'Edit', 'View', 'Window', 'Help']);
  const roles = all(menu).map((i) => i.role).filter(Boolean);
  expect(roles).toEqual(expect.arrayContaining(['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll', 'zoomIn', 'zoomOut', 'resetZoom', 'togglefullscreen', 'minimize', 'close', 'quit']));
  for (const devOnly of ['reload', 'forceReload', 'toggleDevTools']) expect(roles).not.toContain(devOnly);
  expect(all(menu).filter((i) => i.accelerator)).toEqual([]);
  expect(r.webPreferences).toMatchObject({ devTools: false, contextIsolation: true, sandbox: true, nodeIntegration: false });
  // openDevTools does nothing; developer tools opened by any other path are closed at once.
  expect(r.devToolsAfterOpen).toBe(false);
  expect(r.devTools).toEqual({ opened: 0, closed: 1 });
  // Help: the log folder opened; Export diagnostics cancelled (nothing shown), then written where the save
  // dialog said and its path shown; About names the versions.
  expect(r.openedPaths).toEqual([join(dataDir, 'logs')]);
  expect(r.boxesAfterCancel).toBe(0);
  expect(existsSync(exportPath)).toBe(true);
  const [exported, about] = r.messageBoxes as { type: string; message: string; detail: string }[];
  expect(exported).toEqual({ type: 'info', message: 'Diagnostics exported', detail: exportPath });
  expect(about?.message).toBe('Parley');
  expect(about?.detail).toBe(`Version 0.0.0-stub\nElectron 45.4.1-stub\nChrome 142.0.0.0-stub\nNode ${process.versions.node}`);
  // A first start: the default size, centred on the primary display.
  expect(r.options).toEqual({ x: 410, y: 140, width: 1100, height: 760 });
  expect(r.maximized).toBe(false);
});

it('size, position and maximised state are saved (debounced, and on close) and restored; a monitor that is gone gives the primary display', async () => {
  const statePath = join(dataDir, 'window-state.json');
  rmSync(statePath, { force: true });
  // Dragged to the external monitor and resized, then maximised and closed.
  const moved = { x: 2200, y: 300, width: 1400, height: 900 };
  const a = await drive({ setBounds: moved, maximize: true, close: true }, [PRIMARY, EXTERNAL]);
  expect(a.stateRightAfterMove).toBeNull();
  expect(a.stateAfterDebounce).toEqual({ ...moved, maximized: false });
  expect(a.stateAfterClose).toEqual({ ...moved, maximized: true });
  expect(a.windowsAfterClose).toBe(0);

  // Next start, both monitors: where it was, maximised again; un-maximised and closed.
  const b = await drive({ unmaximize: true, close: true }, [PRIMARY, EXTERNAL]);
  expect(b.options).toEqual({ x: 2200, y: 300, width: 1400, height: 900 });
  expect(b.maximized).toBe(true);
  expect(JSON.parse(readFileSync(statePath, 'utf8'))).toEqual({ ...moved, maximized: false });

  // The external monitor unplugged: centred on the primary display, not off screen.
  const c = await drive({ close: true }, [PRIMARY]);
  expect(c.options).toEqual({ x: 260, y: 70, width: 1400, height: 900 });
  // A smaller screen: the size clamped to its work area.
  const small = { workArea: { x: 0, y: 0, width: 1280, height: 720 } };
  const d = await drive({}, [small]);
  expect(d.options).toEqual({ x: 0, y: 0, width: 1280, height: 720 });

  // A corrupt file: the defaults, and a line in the log saying why.
  writeFileSync(statePath, '{"x": 12, "y":');
  const e = await drive({}, [PRIMARY]);
  expect(e.options).toEqual({ x: 410, y: 140, width: 1100, height: 760 });
  expect(e.log).toContain('window state not read');
});

it('the menu speaks the OS language when the app follows the system (zh-CN here)', async () => {
  const r = await drive({}, [PRIMARY], { STUB_LOCALE: 'zh-CN' });
  const menu = r.menu as MenuItem[];
  const labels = menu.map((i) => i.label);
  expect(labels).toEqual(expect.arrayContaining(['编辑', '视图', '窗口', '帮助']));
});
