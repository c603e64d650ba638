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
 * The log folder of a data folder: `<data>/logs`, for the app, the CLI and the support bundle alike (one rule, so
 * `parley bundle` finds the app's logs; on macOS the app used Electron's ~/Library/Logs/Parley, which the CLI
 * neither wrote to nor bundled).
 */
export function logDirOf(dataDir: string): string {
  return join(dataDir, 'logs');
}
