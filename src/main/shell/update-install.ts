/**
 * Installing a verified update with electron-builder's updater (electron-updater): services/update has checked the
 * file's size and SHA-512 and backed up the data folder; installer.ts has electron-updater read the chosen feed
 * through Parley's route and take that file after its own check. Then electron-updater quits and installs the way
 * this package needs (AppImage, NSIS, Squirrel.Mac, deb, rpm) and starts Parley again. Only on the user's click.
 */
import electronUpdater from 'electron-updater';
import type { Logger } from '../services/diagnostics/logging.ts';
import { prepareInstall } from '../services/update/installer.ts';
import type { InstallJob } from '../services/update/service.ts';

export function updateInstaller(logger: () => Logger): (job: InstallJob) => Promise<void> {
  return async (job) => {
    // The platform's updater (NsisUpdater, MacUpdater, AppImageUpdater, DebUpdater, RpmUpdater), made on first use.
    const { autoUpdater } = electronUpdater;
    await prepareInstall(autoUpdater, { ...job, logger: logger() });
    // Silent where the package allows it; Parley starts again after.
    autoUpdater.quitAndInstall(true, true);
  };
}
