import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { aboutDetail, buildMenuTemplate, DEV_ONLY_ROLES, MENU_LABELS_EN, MENU_LABELS_ZH, menuLabels, type MenuActions } from '../../src/main/shell/menu.ts';

function build(platform: NodeJS.Platform, isDev: boolean) {
  const actions: MenuActions = { openLogFolder: vi.fn(), exportDiagnostics: vi.fn(), about: vi.fn() };
  return { actions, template: buildMenuTemplate({ platform, isDev, appName: 'Parley', labels: MENU_LABELS_EN, actions }) };
}

const submenu = (item: MenuItemConstructorOptions | undefined): MenuItemConstructorOptions[] => (Array.isArray(item?.submenu) ? item.submenu : []);
const top = (t: MenuItemConstructorOptions[], label: string) => t.find((i) => i.label === label);
const roles = (items: MenuItemConstructorOptions[]) => items.map((i) => i.role).filter(Boolean);
function everyItem(t: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return t.flatMap((i) => [i, ...everyItem(submenu(i))]);
}
/** What the user can click in a menu by its label (Electron passes the item, window and event). */
function click(item: MenuItemConstructorOptions | undefined): void {
  expect(item?.click).toBeTypeOf('function');
  (item!.click as () => void)();
}

describe('buildMenuTemplate', () => {
  it('Windows and Linux: File, Edit, View, Window, Help with the usual roles', () => {
    for (const platform of ['win32', 'linux'] as const) {
      const { template } = build(platform, false);
      expect(template.map((i) => i.label)).toEqual(['File', 'Edit', 'View', 'Window', 'Help']);
      expect(roles(submenu(top(template, 'File')))).toEqual(['quit']);
      expect(roles(submenu(top(template, 'Edit')))).toEqual(['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll']);
      expect(roles(submenu(top(template, 'View')))).toEqual(['resetZoom', 'zoomIn', 'zoomOut', 'togglefullscreen']);
      expect(roles(submenu(top(template, 'Window')))).toEqual(['minimize', 'close']);
      expect(submenu(top(template, 'Help')).filter((i) => i.label).map((i) => i.label)).toEqual(['Open Log Folder', 'Export Diagnostics…', 'About Parley']);
      // No macOS-only roles.
      expect(roles(everyItem(template)).some((r) => ['hide', 'hideOthers', 'unhide', 'front', 'zoom', 'services'].includes(r!))).toBe(false);
    }
  });

  it('macOS: the app menu (About, Hide, Quit) first; Window has zoom and front; About is not repeated in Help', () => {
    const { template, actions } = build('darwin', false);
    expect(template.map((i) => i.label)).toEqual(['Parley', 'Edit', 'View', 'Window', 'Help']);
    const appMenu = submenu(template[0]);
    expect(appMenu[0]?.label).toBe('About Parley');
    click(appMenu[0]);
    expect(actions.about).toHaveBeenCalledTimes(1);
    expect(roles(appMenu)).toEqual(['services', 'hide', 'hideOthers', 'unhide', 'quit']);
    expect(top(template, 'Window')?.role).toBe('window');
    expect(roles(submenu(top(template, 'Window')))).toEqual(['minimize', 'zoom', 'close', 'front']);
    expect(top(template, 'Help')?.role).toBe('help');
    expect(submenu(top(template, 'Help')).map((i) => i.label)).toEqual(['Open Log Folder', 'Export Diagnostics…']);
  });

  it('reload and developer tools only in a development build; a production build has no item or shortcut for them', () => {
    for (const platform of ['win32', 'linux', 'darwin'] as const) {
      const prod = everyItem(build(platform, false).template);
      expect(roles(prod).filter((r) => (DEV_ONLY_ROLES as readonly string[]).includes(r!))).toEqual([]);
      const accelerators = prod.map((i) => i.accelerator?.toLowerCase()).filter(Boolean);
      for (const key of ['cmdorctrl+r', 'commandorcontrol+r', 'f5', 'f12', 'cmdorctrl+shift+i', 'ctrl+shift+i', 'alt+cmd+i']) expect(accelerators).not.toContain(key);
      expect(roles(submenu(top(build(platform, true).template, 'View')))).toEqual(['reload', 'forceReload', 'toggleDevTools', 'resetZoom', 'zoomIn', 'zoomOut', 'togglefullscreen']);
    }
  });

  it('the Help items call their actions, each its own', () => {
    const { template, actions } = build('linux', false);
    const help = submenu(top(template, 'Help'));
    click(help.find((i) => i.label === 'Open Log Folder'));
    expect(actions.openLogFolder).toHaveBeenCalledTimes(1);
    expect(actions.exportDiagnostics).not.toHaveBeenCalled();
    click(help.find((i) => i.label === 'Export Diagnostics…'));
    expect(actions.exportDiagnostics).toHaveBeenCalledTimes(1);
    expect(actions.about).not.toHaveBeenCalled();
    click(help.find((i) => i.label === 'About Parley'));
    expect(actions.about).toHaveBeenCalledTimes(1);
    expect(actions.openLogFolder).toHaveBeenCalledTimes(1);
  });

  it('labels come from the caller', () => {
    const labels = { ...MENU_LABELS_EN, edit: '编辑', help: '帮助', openLogFolder: '打开日志文件夹' };
    const t = buildMenuTemplate({ platform: 'win32', isDev: false, appName: 'Parley', labels, actions: { openLogFolder() {}, exportDiagnostics() {}, about() {} } });
    expect(t.map((i) => i.label)).toEqual(['File', '编辑', 'View', 'Window', '帮助']);
    expect(submenu(top(t, '帮助'))[0]?.label).toBe('打开日志文件夹');
  });
});

describe('aboutDetail', () => {
  it('names the app, Electron, Chrome and Node versions', () => {
    expect(aboutDetail({ app: '0.1.0', electron: '45.4.1', chrome: '142.0.1', node: '24.21.0' })).toBe('Version 0.1.0\nElectron 45.4.1\nChrome 142.0.1\nNode 24.21.0');
    expect(aboutDetail({ app: '0.1.0', electron: '', chrome: '', node: '24.21.0' })).toContain('Electron unknown');
  });
});

describe('menu labels follow the window language', () => {
  it('the setting wins; "system" follows the OS locale', () => {
    expect(menuLabels('zh', 'en-US')).toBe(MENU_LABELS_ZH);
    expect(menuLabels('en', 'zh-CN')).toBe(MENU_LABELS_EN);
    expect(menuLabels('system', 'zh-CN')).toBe(MENU_LABELS_ZH);
    expect(menuLabels(undefined, 'de-DE')).toBe(MENU_LABELS_EN);
    // Every label has a Chinese wording of its own.
    for (const k of Object.keys(MENU_LABELS_EN) as (keyof typeof MENU_LABELS_EN)[]) expect(MENU_LABELS_ZH[k]).not.toBe(MENU_LABELS_EN[k]);
  });
});
