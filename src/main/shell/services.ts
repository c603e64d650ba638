/**
 * The app services (src/main/services/app.ts) with what the Electron host provides: its data folder, native
 * dialogs, folders and links opened by the OS, the system proxy, and the OS keychain.
 */
import { app, session, shell } from 'electron';
import { updateInstaller } from './update-install.ts';
// safeStorage by namespace: absent from a stand-in electron module, where the cipher then reports "not available".
import * as electronApi from 'electron';
import { createAppServices, type AppServices, type AppServicesOptions } from '../services/app.ts';
import { logDirOf } from '../services/paths.ts';
import { probeOllama } from '../services/settings/ollama-probe.ts';
import { safeStorageCipher, type SafeStorageLike } from '../services/settings/secrets.ts';
import { readLoginShellEnv } from '../services/settings/shell-env.ts';
import { nativeDialogs } from './dialogs.ts';
import { uiLanguage } from './language.ts';

/**
 * PARLEY_HOME moves data and logs (as for the CLI); otherwise the OS's usual data folder. One log folder for the
 * app, the CLI and the support bundle: <data>/logs (services/paths.ts). Before the app is ready.
 */
export function useDataFolder(parleyHome: string | undefined): void {
  if (parleyHome) app.setPath('userData', parleyHome);
  app.setAppLogsPath(logDirOf(app.getPath('userData')));
}

/** The windows the shell manages, for the handlers that move them (the quick window's 'quick:done'). */
export type ShellWindows = Required<Pick<AppServicesOptions, 'showMainWindow' | 'hideQuickWindow'>>;

export function createShellServices(env: NodeJS.ProcessEnv, windows: ShellWindows): AppServices {
  const services: AppServices = createAppServices({
    ...windows,
    dataDir: app.getPath('userData'),
    logDir: logDirOf(app.getPath('userData')),
    env,
    host: 'electron',
    versions: { name: app.getName(), version: app.getVersion(), electron: process.versions.electron ?? '' },
    ...nativeDialogs(() => uiLanguage(services)),
    openFolder: async (path) => {
      const err = await shell.openPath(path);
      if (err) throw new Error(err);
    },
    openPath: async (path) => {
      const err = await shell.openPath(path);
      if (err) throw new Error(err);
    },
    showItemInFolder: async (path) => shell.showItemInFolder(path),
    // Finishing a restore (Settings → Backup): the next start makes it, before the database is opened.
    relaunch: () => {
      app.relaunch();
      app.quit();
    },
    probeOllama,
    loginShellEnv: () => readLoginShellEnv({ env }),
    systemProxyResolver: (url) => session.defaultSession.resolveProxy(url),
    // Keys and proxy passwords in the OS keychain (the asynchronous safeStorage API).
    cipher: safeStorageCipher((electronApi as { safeStorage?: SafeStorageLike }).safeStorage),
    // Updates: the packaged app checks by itself (when the settings allow); a verified file is installed on a click.
    updateAutoCheck: app.isPackaged,
    ...(app.isPackaged ? { installUpdate: updateInstaller(() => services.logger) } : {}),
  });
  services.logger.scope('ipc').info('app started', { version: app.getVersion(), electron: process.versions.electron, logDir: app.getPath('logs') });
  return services;
}
