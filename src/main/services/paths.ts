import { homedir } from 'node:os';
import { join } from 'node:path';

/** The app's data folder, as Electron's app.getPath('userData') computes it for "Parley"; PARLEY_HOME overrides. */
export function defaultConfigDir(env: Record<string, string | undefined> = process.env, platform = process.platform): string {
  if (env.PARLEY_HOME) return env.PARLEY_HOME;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Parley');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Parley');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'Parley');
}

/**
 * The OS's usual log folder for the app, as Electron's app.getPath('logs') gives it after setAppLogsPath():
 * ~/Library/Logs/Parley on macOS, <userData>/logs elsewhere. PARLEY_HOME moves it to <PARLEY_HOME>/logs.
 */
export function defaultLogDir(env: Record<string, string | undefined> = process.env, platform = process.platform): string {
  if (!env.PARLEY_HOME && platform === 'darwin') return join(homedir(), 'Library', 'Logs', 'Parley');
  return join(defaultConfigDir(env, platform), 'logs');
}
