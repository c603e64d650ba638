/**
 * The application menu, as a template built from plain inputs (platform, development build or not, labels,
 * actions), so its rules are unit-tested in Node (test/unit/app-menu.test.ts); the shell passes the result to
 * Menu.buildFromTemplate. Only a type is imported from electron.
 *
 * Reload and the developer tools exist only in development builds. Their keyboard shortcuts (Ctrl/⌘+R,
 * Ctrl/⌘+Shift+I, F5, F12) belong to Electron's default menu, which this menu replaces: a production build
 * has no item, and so no accelerator, for them (no before-input-event filter is needed), and its window is
 * created with `webPreferences.devTools: false`.
 */
import type { MenuItemConstructorOptions } from 'electron';

export interface MenuLabels {
  file: string;
  edit: string;
  view: string;
  window: string;
  help: string;
  openLogFolder: string;
  exportDiagnostics: string;
  about: string;
}

export const MENU_LABELS_EN: MenuLabels = {
  file: 'File',
  edit: 'Edit',
  view: 'View',
  window: 'Window',
  help: 'Help',
  openLogFolder: 'Open Log Folder',
  exportDiagnostics: 'Export Diagnostics…',
  about: 'About Parley',
};

export const MENU_LABELS_ZH: MenuLabels = {
  file: '文件',
  edit: '编辑',
  view: '视图',
  window: '窗口',
  help: '帮助',
  openLogFolder: '打开日志文件夹',
  exportDiagnostics: '导出诊断信息…',
  about: '关于 Parley',
};

/**
 * The menu's own labels in the window's language: the setting ('en', 'zh'), or for 'system' the OS locale
 * (Electron words the standard roles — Undo, Copy, Quit… — itself, in the OS language).
 */
export function menuLabels(language: string | undefined, systemLocale: string): MenuLabels {
  const lang = !language || language === 'system' ? systemLocale : language;
  return lang.toLowerCase().startsWith('zh') ? MENU_LABELS_ZH : MENU_LABELS_EN;
}

export interface MenuActions {
  openLogFolder(): void;
  exportDiagnostics(): void;
  about(): void;
}

export interface MenuInputs {
  platform: NodeJS.Platform;
  /** `import.meta.env.DEV` in the shell: electron-vite dev. */
  isDev: boolean;
  /** The macOS app menu's title. */
  appName: string;
  labels: MenuLabels;
  actions: MenuActions;
}

/** Roles that must never reach a production build (each brings its own shortcut). */
export const DEV_ONLY_ROLES = ['reload', 'forceReload', 'toggleDevTools'] as const;

const sep: MenuItemConstructorOptions = { type: 'separator' };

export function buildMenuTemplate({ platform, isDev, appName, labels, actions }: MenuInputs): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  const about: MenuItemConstructorOptions = { label: labels.about, click: () => actions.about() };
  const template: MenuItemConstructorOptions[] = [];
  if (mac) {
    template.push({
      label: appName,
      submenu: [about, sep, { role: 'services' }, sep, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, sep, { role: 'quit' }],
    });
  } else {
    // Quit where Windows and Linux users look for it (Ctrl+Q / Alt+F4 keep working too).
    template.push({ label: labels.file, submenu: [{ role: 'quit' }] });
  }
  template.push({
    label: labels.edit,
    submenu: [{ role: 'undo' }, { role: 'redo' }, sep, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }],
  });
  const dev: MenuItemConstructorOptions[] = isDev ? [{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, sep] : [];
  template.push({
    label: labels.view,
    submenu: [...dev, { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, sep, { role: 'togglefullscreen' }],
  });
  template.push(
    mac
      ? // role 'window' makes it macOS's Window menu (with the list of windows).
        { label: labels.window, role: 'window', submenu: [{ role: 'minimize' }, { role: 'zoom' }, { role: 'close' }, sep, { role: 'front' }] }
      : { label: labels.window, submenu: [{ role: 'minimize' }, { role: 'close' }] },
  );
  template.push({
    label: labels.help,
    ...(mac ? { role: 'help' as const } : {}),
    submenu: [
      { label: labels.openLogFolder, click: () => actions.openLogFolder() },
      { label: labels.exportDiagnostics, click: () => actions.exportDiagnostics() },
      // On macOS About lives in the app menu.
      ...(mac ? [] : [sep, about]),
    ],
  });
  return template;
}

/** The About box's text: the app's, Electron's, Chrome's and Node's versions, one a line. */
export function aboutDetail(v: { app: string; electron: string; chrome: string; node: string }): string {
  return [`Version ${v.app}`, `Electron ${v.electron || 'unknown'}`, `Chrome ${v.chrome || 'unknown'}`, `Node ${v.node || 'unknown'}`].join('\n');
}
