/**
 * The application menu (its template: menu.ts) set for the app, in the window's language, its commands wired
 * to the app services.
 */
import { app, Menu } from 'electron';
import type { AppServices } from '../services/app.ts';
import type { Caller } from '../services/window-hub.ts';
import { messageBox } from './dialogs.ts';
import { uiLanguage } from './language.ts';
import { aboutDetail, buildMenuTemplate, menuLabels } from './menu.ts';
import { mainWindow } from './window.ts';

/** Menu commands act for the app's main window (never the quick window), as if it had asked through IPC. */
function menuCaller(): Caller {
  const win = mainWindow();
  return { windowId: win ? String(win.webContents.id) : 'menu' };
}

/** Sets (or sets again, after the language changed) the application menu. */
export function setupApplicationMenu(services: AppServices, isDev: boolean): void {
  const failed = async (what: string, error: { message: string; hint: string }): Promise<void> =>
    messageBox({ type: 'error', buttons: ['OK'], message: what, detail: [error.message, error.hint].filter(Boolean).join('\n\n') });
  const template = buildMenuTemplate({
    platform: process.platform,
    isDev,
    appName: app.getName(),
    labels: menuLabels(uiLanguage(services), app.getLocale()),
    actions: {
      openLogFolder: () => {
        void services.invoke(menuCaller(), 'logs:open', []).then((r) => (r.ok ? undefined : failed('The log folder could not be opened.', r.error)));
      },
      exportDiagnostics: () => {
        // The same channel as the Diagnostics panel's button: save dialog, bundle, redaction.
        void services.invoke(menuCaller(), 'diagnostics:export', []).then((r) => {
          if (!r.ok) return failed('Diagnostics could not be exported.', r.error);
          if (r.value) return messageBox({ type: 'info', buttons: ['OK'], message: 'Diagnostics exported', detail: r.value.path });
        });
      },
      about: () => {
        const detail = aboutDetail({ app: app.getVersion(), electron: process.versions.electron ?? '', chrome: process.versions.chrome ?? '', node: process.versions.node });
        void messageBox({ type: 'info', buttons: ['OK'], title: menuLabels(uiLanguage(services), app.getLocale()).about, message: app.getName(), detail });
      },
    },
  });
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
