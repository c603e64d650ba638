/** The app's life: one instance per data folder, windows coming back, and a clean quit. */
import { app } from 'electron';
import type { AppServices } from '../services/app.ts';
import { mainWindow } from './window.ts';

/**
 * One app per data folder: a second process would race the first one's database and streams. False in the
 * second process (which then quits); in the first, a second launch brings its window to the front.
 */
export function claimSingleInstance(): boolean {
  if (!app.requestSingleInstanceLock()) return false;
  app.on('second-instance', () => {
    const win = mainWindow();
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  return true;
}

/** `openWindow`: a new main window, when the app is activated (macOS: the dock icon) with none open (the quick window aside). */
export function setupLifecycle(services: AppServices, openWindow: () => void): void {
  app.on('activate', () => {
    if (!mainWindow()) openWindow();
  });
  // Answers being written are stopped and saved (as interrupted, with their text) before the app exits.
  let closing = false;
  app.on('before-quit', (e) => {
    if (closing) return;
    closing = true;
    e.preventDefault();
    void services.close().finally(() => app.quit());
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}
