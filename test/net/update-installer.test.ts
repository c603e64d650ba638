/**
 * electron-builder's updater (electron-updater, the real package) on Parley's route (issue 22): the AppImage
 * updater the packaged Linux app uses, with its requests sent through services/update/executor.ts. Over a real
 * squid with a password: electron-updater reads the chosen feed's manifest through the proxy and takes the file
 * Parley downloaded and verified, after its own SHA-512 check, without downloading it again. A manifest whose
 * checksum is wrong is refused by electron-updater's own check (its download through the route), a stalled body
 * ends with idle_timeout, and a feed that changed its offer since the check is refused: nothing is left to install.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';
import { AppImageUpdater } from 'electron-updater';
import type { AppAdapter } from 'electron-updater/out/AppAdapter.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src/main/core/index.ts';
import { networkSchema, type StoredSettings } from '../../src/shared/settings.ts';
import { checkForUpdate, type UpdateRelease } from '../../src/main/services/update/feed.ts';
import { downloadRelease } from '../../src/main/services/update/download.ts';
import { prepareInstall } from '../../src/main/services/update/installer.ts';
import { followingRedirects, updateFetch } from '../../src/main/services/update/route.ts';
import { ParleyError } from '../../src/main/core/errors.ts';
import { waitFor } from '../helpers/proc.ts';
import { startSquid, type SquidServer } from '../helpers/servers.ts';
import { ARTIFACT, resetFeed, SHA, startFeed, stopFeed, type Feed, type FeedBehaviour } from '../helpers/update-feed.ts';

const USER = 'euser';
const PASS = 'eu-Pa55word';
const FILE = 'Parley-1.3.0-linux-x86_64.AppImage';
let core: Core;
let dir: string;
let feed: Feed;
let squid: SquidServer;
let n = 0;
const savedAppImage = process.env.APPIMAGE;

const network = (proxy: Record<string, unknown> = { mode: 'none' }): StoredSettings['network'] => v.parse(networkSchema, { proxy });
const viaSquid = () => followingRedirects(updateFetch(core, network({ mode: 'manual', url: `http://${USER}:${PASS}@127.0.0.1:${squid.port}` })));
const direct = () => followingRedirects(updateFetch(core, network()));

/** The packaged app as electron-updater sees it (Electron's app adapter, with folders of the test's own). */
function packagedApp(): { app: AppAdapter; cache: string } {
  const root = join(dir, `app-${n++}`);
  const cache = join(root, 'cache');
  mkdirSync(cache, { recursive: true });
  // What electron-builder writes into the package from electron-builder.yml's publish entry.
  writeFileSync(join(root, 'app-update.yml'), 'provider: generic\nurl: https://example.invalid/\nupdaterCacheDirName: parley-updater\n');
  const app: AppAdapter = {
    version: '1.2.0',
    name: 'Parley',
    isPackaged: true,
    appUpdateConfigPath: join(root, 'app-update.yml'),
    userDataPath: root,
    baseCachePath: cache,
    whenReady: async () => undefined,
    relaunch: () => undefined,
    quit: () => undefined,
    onQuit: () => undefined,
  };
  return { app, cache };
}
const pending = (cache: string): string[] => {
  const at = join(cache, 'parley-updater', 'pending');
  return existsSync(at) ? readdirSync(at).filter((f) => !f.startsWith('update-info')) : [];
};

async function offered(feeds: string[], fetch = direct()): Promise<UpdateRelease> {
  const r = await checkForUpdate({ feeds, channel: 'stable', current: '1.2.0', platform: { os: 'linux', arch: 'x64' }, fetch });
  if (r.state !== 'available') throw new Error(`expected an update, got ${r.state}`);
  return r.release;
}

beforeAll(async () => {
  core = createCore({ env: {} });
  dir = mkdtempSync(join(tmpdir(), 'parley-eu-'));
  feed = await startFeed();
  squid = await startSquid({ auth: { user: USER, password: PASS }, hosts: { 'updates.test': '127.0.0.1' } });
  // The AppImage updater replaces the AppImage named here (never reached: nothing is installed in these tests).
  process.env.APPIMAGE = join(dir, 'Parley.AppImage');
  writeFileSync(process.env.APPIMAGE, 'old');
}, 120_000);

afterAll(async () => {
  if (savedAppImage === undefined) delete process.env.APPIMAGE;
  else process.env.APPIMAGE = savedAppImage;
  await squid?.stop();
  await stopFeed(feed);
  await core?.close();
  rmSync(dir, { recursive: true, force: true });
});

const reset = (b: FeedBehaviour = {}): void => resetFeed(feed, b);
afterEach(() => reset());

describe('electron-updater on the route the user set', () => {
  it('through squid with a password: it reads the feed through the proxy and takes Parley’s verified file without downloading it again', async () => {
    reset();
    const hosted = `http://updates.test:${feed.port}/releases/`;
    const release = await offered([hosted], viaSquid());
    const file = await downloadRelease({ release, feeds: [hosted], dir: join(dir, 'dl'), fetch: viaSquid(), idleMs: 5_000 });
    expect(feed.requests.map((r) => r.url)).toEqual(['/releases/latest-linux.yml', `/releases/${FILE}`]);

    const { app, cache } = packagedApp();
    const updater = new AppImageUpdater(null, app);
    const downloaded: string[] = [];
    updater.on('update-downloaded', (info: { version: string }) => downloaded.push(info.version));
    await prepareInstall(updater, { release, channel: 'stable', file, fetch: viaSquid(), idleMs: 5_000 });

    // electron-updater asked the feed itself, through squid; the file was not fetched a second time.
    expect(feed.requests.map((r) => r.url).filter((u) => u.endsWith('.yml'))).toHaveLength(2);
    expect(feed.requests.filter((r) => r.url.endsWith('.AppImage'))).toHaveLength(1);
    await waitFor(() => squid.accessLog().split('latest-linux.yml').length - 1 >= 2, 10_000, () => squid.accessLog());
    expect(downloaded).toEqual(['1.3.0']);
    expect(pending(cache)).toEqual([FILE]);
    expect(readFileSync(join(cache, 'parley-updater', 'pending', FILE)).equals(ARTIFACT)).toBe(true);
  });

  it('a file changed on disk after Parley verified it fails electron-updater’s own SHA-512 check: nothing is left to install', async () => {
    reset();
    const release = await offered([feed.url]);
    const good = await downloadRelease({ release, feeds: [feed.url], dir: join(dir, 'dl2'), fetch: direct(), idleMs: 5_000 });
    const tampered = join(dir, 'tampered.AppImage');
    copyFileSync(good, tampered);
    writeFileSync(tampered, Buffer.concat([readFileSync(good).subarray(0, 1000), Buffer.from('x'), readFileSync(good).subarray(1001)]));
    const { app, cache } = packagedApp();
    const err = await prepareInstall(new AppImageUpdater(null, app), { release, channel: 'stable', file: tampered, fetch: direct(), idleMs: 5_000 }).catch((e: unknown) => e);
    expect(ParleyError.is(err) && err.code).toBe('update_checksum_mismatch');
    expect(pending(cache)).toEqual([]);
  });

  it('a manifest whose checksum is not the file’s: electron-updater downloads through the route itself and refuses the bytes', async () => {
    reset();
    const release = await offered([feed.url]);
    const file = await downloadRelease({ release, feeds: [feed.url], dir: join(dir, 'dl3'), fetch: direct(), idleMs: 5_000 });
    // The feed now lists another checksum for the same version: Parley's verified file is not the one it names, so
    // electron-updater fetches the file itself, through the route, and its own SHA-512 check refuses it.
    reset({ sha512: SHA.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) });
    const { app, cache } = packagedApp();
    const err = await prepareInstall(new AppImageUpdater(null, app), { release, channel: 'stable', file, fetch: direct(), idleMs: 5_000 }).catch((e: unknown) => e);
    expect(ParleyError.is(err) && err.code).toBe('update_checksum_mismatch');
    expect(feed.requests.filter((r) => r.url.endsWith('.AppImage'))).toHaveLength(1);
    expect(pending(cache)).toEqual([]);
  });

  it('a body that stalls ends with idle_timeout, not a hung spinner', async () => {
    reset({ stallAfter: 4096 });
    const release = await offered([feed.url]);
    const { app, cache } = packagedApp();
    const started = Date.now();
    const err = await prepareInstall(new AppImageUpdater(null, app), { release: { ...release, file: { ...release.file, sha512: 'not-this-file' } }, channel: 'stable', file: join(dir, 'none'), fetch: direct(), idleMs: 600 }).catch((e: unknown) => e);
    expect(ParleyError.is(err) && err.code).toBe('idle_timeout');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(pending(cache)).toEqual([]);
  });

  it('a feed that offers another version than the one checked is refused with words that say so', async () => {
    reset();
    const release = await offered([feed.url]);
    reset({ version: '1.4.0' });
    const { app } = packagedApp();
    const err = await prepareInstall(new AppImageUpdater(null, app), { release, channel: 'stable', file: join(dir, 'none'), fetch: direct(), idleMs: 5_000 }).catch((e: unknown) => e);
    expect(ParleyError.is(err) && err.code).toBe('update_feed_invalid');
    expect((err as ParleyError).message).toMatch(/now offers version 1\.4\.0, not 1\.3\.0/);
    expect(feed.requests.filter((r) => r.url.endsWith('.AppImage'))).toHaveLength(0);
  });
});
