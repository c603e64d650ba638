/**
 * Installing a verified update (services/update has checked its size and SHA-512 and backed up the data folder):
 * how each kind of package is installed, as electron-builder's own updater does it, chosen by a plain function the
 * tests read (installPlan), then carried out here with Electron's app.
 * - Linux AppImage: the new AppImage replaces the running one (written beside it, made executable, renamed over
 *   it), then Parley restarts from it.
 * - Windows NSIS: the installer runs silently (`/S --updated --force-run`, electron-builder's NSIS flags) after
 *   Parley quits; it starts Parley again.
 * - Otherwise (macOS needs the signed zip through Squirrel.Mac; deb and rpm need the system's package manager):
 *   the file is shown in the file manager to be opened by hand, and nothing is replaced.
 */
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { app, shell } from 'electron';
import { installPlan } from './update-plan.ts';

export async function installUpdate(file: string): Promise<void> {
  const plan = installPlan(file, { os: process.platform, appImage: process.env.APPIMAGE });
  if (plan.kind === 'replace-appimage') {
    const temp = join(dirname(plan.target), `.${basename(plan.target)}.update`);
    try {
      copyFileSync(file, temp);
      chmodSync(temp, 0o755);
      renameSync(temp, plan.target);
    } catch (e) {
      rmSync(temp, { force: true });
      throw e;
    }
    app.relaunch({ execPath: plan.target });
    app.quit();
    return;
  }
  if (plan.kind === 'run-installer') {
    app.once('will-quit', () => {
      spawn(file, plan.args, { detached: true, stdio: 'ignore' }).unref();
    });
    app.quit();
    return;
  }
  shell.showItemInFolder(file);
}
