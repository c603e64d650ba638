/**
 * Handing a verified update to electron-builder's updater (electron-updater), which installs it the way each
 * package needs (an AppImage replaced, the NSIS installer run silently with its publisher checked, Squirrel.Mac's
 * signed zip, deb and rpm through the system's package tool). Parley has chosen the feed by trying the list in
 * order and downloaded and verified the file (feed.ts, download.ts); here electron-updater reads the chosen feed's
 * manifest itself, through the route (executor.ts), and takes Parley's file after its own SHA-512 check. It never
 * installs by itself: nothing downloads or installs on quit, and the shell calls quitAndInstall only on the user's
 * click, after the backup.
 */
import type { AppUpdater, Logger as UpdaterLogger } from 'electron-updater';
import { ParleyError } from '../../core/errors.ts';
import type { RouteFetch } from '../../core/index.ts';
import { words } from '../../../shared/messages/en.ts';
import type { Logger } from '../diagnostics/logging.ts';
import { feedBase, type UpdateChannel, type UpdateRelease } from './feed.ts';
import { RouteHttpExecutor } from './executor.ts';

export interface PrepareInstall {
  release: UpdateRelease;
  channel: UpdateChannel;
  /** The verified file (download.ts). */
  file: string;
  /** The route's fetch (recorded, redirects followed by route.ts's rules). */
  fetch: RouteFetch;
  idleMs: number;
  logger?: Logger;
}

/** electron-updater's messages into Parley's log (scope update). */
function updaterLogger(log: ReturnType<Logger['scope']> | undefined): UpdaterLogger {
  const at = (level: 'info' | 'warn' | 'error') => (message?: unknown) => log?.[level]('electron-updater', { message: String(message ?? '') });
  return { info: at('info'), warn: at('warn'), error: at('error') };
}

function installerError(e: unknown, release: UpdateRelease): ParleyError {
  if (ParleyError.is(e)) return e;
  const code = (e as { code?: unknown })?.code;
  // electron-updater's own words, without the response headers it appends.
  const message = (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
  if (code === 'ERR_CHECKSUM_MISMATCH') {
    return new ParleyError('update_checksum_mismatch', words('update_checksum_mismatch', { file: release.file.url, version: release.version }), { hop: 'target', phase: 'body' });
  }
  return new ParleyError('update_feed_invalid', words('update_installer_failed', { version: release.version, message: message.slice(0, 500) }), { hop: 'target', phase: 'body' });
}

/**
 * Sets electron-updater up on Parley's route and has it check the chosen feed and take the verified file. Resolves
 * when the update is ready for `quitAndInstall`; errors are ParleyErrors (electron-updater's own words kept).
 */
export async function prepareInstall(updater: AppUpdater, p: PrepareInstall): Promise<void> {
  // electron-updater declares its executor read-only; replacing it is the one way to send its requests elsewhere.
  (updater as unknown as { httpExecutor: RouteHttpExecutor }).httpExecutor = new RouteHttpExecutor({ fetch: p.fetch, idleMs: p.idleMs, verified: { path: p.file, sha512: p.release.file.sha512 } });
  updater.logger = updaterLogger(p.logger?.scope('update'));
  updater.autoDownload = false;
  updater.autoInstallOnAppQuit = false;
  updater.allowDowngrade = false;
  // The whole file is already here, verified: no block-map requests.
  updater.disableDifferentialDownload = true;
  updater.setFeedURL({ provider: 'generic', url: feedBase(p.release.feed), channel: p.channel === 'beta' ? 'beta' : 'latest' });
  try {
    const result = await updater.checkForUpdates();
    if (!result) throw new ParleyError('config_invalid', 'This copy of Parley cannot install updates (it is not a packaged app).', { hop: 'config', phase: 'config' });
    const offered = result.updateInfo.version;
    if (!result.isUpdateAvailable || offered !== p.release.version) {
      throw new ParleyError('update_feed_invalid', words('update_offer_changed', { feed: p.release.feed, offered, version: p.release.version }), { hop: 'target', phase: 'body' });
    }
    await updater.downloadUpdate();
  } catch (e) {
    throw installerError(e, p.release);
  }
}
