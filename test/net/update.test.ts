/**
 * The updater's feed and download (issue 22) over real routes: a loopback feed server that publishes what
 * electron-builder publishes (a `latest-linux.yml` and a file), reached directly, through a real squid with a
 * password, and through a TLS-intercepting mitmproxy with and without its CA. What a user would notice: an update
 * is offered only when it is newer; mirrors are tried in order; a captive portal, a downgrade, a wrong checksum or
 * a file too large is refused and nothing is left to install; a broken download resumes (Range) or starts again,
 * and only verified bytes are published.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src/main/core/index.ts';
import { networkSchema, type StoredSettings } from '../../src/shared/settings.ts';
import { MAX_UPDATE_ARTIFACT_BYTES } from '../../src/shared/bounds.ts';
import { checkForUpdate, type Platform, type UpdateRelease } from '../../src/main/services/update/feed.ts';
import { downloadRelease } from '../../src/main/services/update/download.ts';
import { followingRedirects, updateFetch } from '../../src/main/services/update/route.ts';
import { freePort, waitFor } from '../helpers/proc.ts';
import { startMitmproxy, startSquid, startStunnel, type MitmproxyServer, type RunningServer, type SquidServer } from '../helpers/servers.ts';
import { makeTestCA, type TestCA } from '../helpers/certs.ts';
import { ARTIFACT, resetFeed, SHA, startFeed, stopFeed, type Feed, type FeedBehaviour } from '../helpers/update-feed.ts';

const LINUX: Platform = { os: 'linux', arch: 'x64' };
const USER = 'upduser';
const PASS = 'upd-Pa55';
let core: Core;
let dir: string;
let feed: Feed;
let squid: SquidServer;
let mitm: MitmproxyServer;
let tls: RunningServer;
let ca: TestCA;

const network = (proxy: Record<string, unknown> = { mode: 'none' }, caFiles: string[] = []): StoredSettings['network'] => v.parse(networkSchema, { proxy, caFiles });
const fetchOver = (net = network()) => updateFetch(core, net);
let n = 0;
const freshDir = (): string => join(dir, `dl-${n++}`);

beforeAll(async () => {
  core = createCore({ env: {} });
  dir = mkdtempSync(join(tmpdir(), 'parley-update-'));
  ca = await makeTestCA();
  feed = await startFeed();
  [squid, mitm] = await Promise.all([startSquid({ auth: { user: USER, password: PASS }, hosts: { 'updates.test': '127.0.0.1' } }), startMitmproxy()]);
  tls = await startStunnel({ targetPort: feed.port, cert: ca.cert, key: ca.key });
}, 120_000);

afterAll(async () => {
  await Promise.all([squid, mitm, tls].map((s) => s?.stop()));
  await stopFeed(feed);
  await core?.close();
  rmSync(dir, { recursive: true, force: true });
});

const reset = (b: FeedBehaviour = {}): void => resetFeed(feed, b);

async function available(feeds: string[], fetch = fetchOver(), current = '1.2.0'): Promise<UpdateRelease> {
  const r = await checkForUpdate({ feeds, channel: 'stable', current, platform: LINUX, fetch });
  if (r.state !== 'available') throw new Error(`expected an update, got ${r.state}${r.state === 'failed' ? `: ${r.error.code} ${r.error.message}` : ''}`);
  return r.release;
}

describe('the feed', () => {
  it('offers a newer version with its notes and size; the same version is current; an older one is refused, never offered', async () => {
    reset();
    const release = await available([feed.url]);
    expect(release).toMatchObject({ version: '1.3.0', notes: 'Faster search; sync through WebDAV.', file: { size: ARTIFACT.length, sha512: SHA }, feed: feed.url });
    expect(feed.requests.map((r) => r.url)).toEqual(['/releases/latest-linux.yml']);
    const same = await checkForUpdate({ feeds: [feed.url], channel: 'stable', current: '1.3.0', platform: LINUX, fetch: fetchOver() });
    expect(same.state).toBe('current');
    const older = await checkForUpdate({ feeds: [feed.url], channel: 'stable', current: '2.0.0', platform: LINUX, fetch: fetchOver() });
    expect(older.state).toBe('failed');
    if (older.state === 'failed') {
      expect(older.error.code).toBe('update_downgrade');
      expect(older.error.message).toContain('1.3.0');
    }
    // The beta channel and other systems ask for their own manifests.
    reset();
    await checkForUpdate({ feeds: [feed.url], channel: 'beta', current: '1.2.0', platform: { os: 'darwin', arch: 'arm64' }, fetch: fetchOver() });
    expect(feed.requests.map((r) => r.url)).toEqual(['/releases/beta-mac.yml']);
  });

  it('tries the mirrors in order: a closed port and a 404 are passed over, the first that answers is chosen, every attempt is kept', async () => {
    reset();
    const closed = `http://127.0.0.1:${await freePort()}/`;
    const missing = `http://127.0.0.1:${feed.port}/nothing-here/`;
    const r = await checkForUpdate({ feeds: [closed, missing, feed.url], channel: 'stable', current: '1.2.0', platform: LINUX, fetch: fetchOver() });
    expect(r.state).toBe('available');
    expect(r.attempts.map((a) => [a.feed, a.ok, a.error?.code])).toEqual([[closed, false, 'connect_refused'], [missing, false, 'not_found'], [feed.url, true, undefined]]);
    // No feed answers: the first feed's error (the user's own choice first), nothing offered.
    const none = await checkForUpdate({ feeds: [closed, missing], channel: 'stable', current: '1.2.0', platform: LINUX, fetch: fetchOver() });
    expect(none.state).toBe('failed');
    if (none.state === 'failed') expect(none.error.code).toBe('connect_refused');
  });

  it('a captive portal answering HTML is refused as not an update, with words that say so; nothing is offered', async () => {
    reset({ portal: true });
    const r = await checkForUpdate({ feeds: [feed.url], channel: 'stable', current: '1.2.0', platform: LINUX, fetch: fetchOver() });
    expect(r.state).toBe('failed');
    if (r.state === 'failed') {
      expect(r.error.code).toBe('update_feed_invalid');
      expect(r.error.message).toMatch(/web page \(HTML\).*captive portal/);
    }
  });

  it('a release whose file is larger than Parley downloads is refused before any byte of it', async () => {
    reset({ size: MAX_UPDATE_ARTIFACT_BYTES + 1 });
    const r = await checkForUpdate({ feeds: [feed.url], channel: 'stable', current: '1.2.0', platform: LINUX, fetch: fetchOver() });
    expect(r.state === 'failed' && r.error.code).toBe('limit_exceeded');
    expect(feed.requests.some((q) => q.url.endsWith('.AppImage'))).toBe(false);
  });
});

describe('the download', () => {
  it('publishes the file only once its SHA-512 matches, with progress; a second download reuses it without a request', async () => {
    reset();
    const release = await available([feed.url]);
    const out = freshDir();
    const seen: number[] = [];
    const file = await downloadRelease({ release, feeds: [feed.url], dir: out, fetch: fetchOver(), idleMs: 5_000, onProgress: (p) => seen.push(p.received) });
    expect(readFileSync(file).equals(ARTIFACT)).toBe(true);
    expect(seen.at(-1)).toBe(ARTIFACT.length);
    expect(readdirSync(out)).toEqual(['Parley-1.3.0-linux-x86_64.AppImage']);
    const before = feed.requests.length;
    expect(await downloadRelease({ release, feeds: [feed.url], dir: out, fetch: fetchOver(), idleMs: 5_000 })).toBe(file);
    expect(feed.requests.length).toBe(before);
  });

  it('a wrong checksum: update_checksum_mismatch, and neither the file nor its partial is left to install', async () => {
    const wrong = createHash('sha512').update('something else').digest('base64');
    reset({ sha512: wrong });
    const release = await available([feed.url]);
    const out = freshDir();
    const e = await downloadRelease({ release, feeds: [feed.url], dir: out, fetch: fetchOver(), idleMs: 5_000 }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'update_checksum_mismatch' });
    expect(readdirSync(out)).toEqual([]);
  });

  it('a download cut twice resumes from where it stopped (Range), and ends with the exact bytes', async () => {
    reset({ cutAfter: 1024 * 1024, cuts: 2 });
    const release = await available([feed.url]);
    const out = freshDir();
    const file = await downloadRelease({ release, feeds: [feed.url], dir: out, fetch: fetchOver(), idleMs: 5_000 });
    expect(readFileSync(file).equals(ARTIFACT)).toBe(true);
    const ranges = feed.requests.filter((r) => r.url.endsWith('.AppImage')).map((r) => r.range ?? 'whole');
    expect(ranges[0]).toBe('whole');
    expect(ranges.slice(1).every((r) => /^bytes=\d+-$/.test(r))).toBe(true);
    expect(ranges.length).toBe(3);
    expect(Number(/\d+/.exec(ranges[1]!)![0])).toBeGreaterThan(0);
  });

  it('a server that does not resume: the download starts again from the first byte and still ends verified', async () => {
    reset({ cutAfter: 512 * 1024, cuts: 1, noRange: true });
    const release = await available([feed.url]);
    const file = await downloadRelease({ release, feeds: [feed.url], dir: freshDir(), fetch: fetchOver(), idleMs: 5_000 });
    expect(readFileSync(file).equals(ARTIFACT)).toBe(true);
  });

  it('a download that stalls (no byte for the idle bound) is ended and resumed, not waited on forever', async () => {
    reset({ stallAfter: 256 * 1024 });
    const release = await available([feed.url]);
    const started = Date.now();
    const file = await downloadRelease({ release, feeds: [feed.url], dir: freshDir(), fetch: fetchOver(), idleMs: 800 });
    expect(readFileSync(file).equals(ARTIFACT)).toBe(true);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(feed.requests.filter((r) => r.url.endsWith('.AppImage')).at(-1)?.range).toBe(`bytes=${256 * 1024}-`);
  });

  it('a mirror that lost the file hands over to the next one', async () => {
    reset();
    const release = await available([feed.url]);
    const broken = { ...release, feed: `http://127.0.0.1:${feed.port}/gone/` };
    const file = await downloadRelease({ release: broken, feeds: [broken.feed, feed.url], dir: freshDir(), fetch: fetchOver(), idleMs: 5_000 });
    expect(readFileSync(file).equals(ARTIFACT)).toBe(true);
    expect(feed.requests.filter((r) => r.url.endsWith('.AppImage')).map((r) => r.url)).toEqual(['/gone/Parley-1.3.0-linux-x86_64.AppImage', '/releases/Parley-1.3.0-linux-x86_64.AppImage']);
  });
});

describe('redirects', () => {
  it('a feed that redirects (GitHub\'s latest/download) is followed on the same route, for the manifest and the file', async () => {
    reset();
    const gh = `http://127.0.0.1:${feed.port}/gh/`;
    const fetch = followingRedirects(fetchOver());
    const release = await available([gh], fetch);
    const file = await downloadRelease({ release, feeds: [gh], dir: freshDir(), fetch, idleMs: 5_000 });
    expect(readFileSync(file).equals(ARTIFACT)).toBe(true);
    expect(feed.requests.map((r) => r.url)).toEqual(['/gh/latest-linux.yml', '/releases/latest-linux.yml', '/gh/Parley-1.3.0-linux-x86_64.AppImage', '/releases/Parley-1.3.0-linux-x86_64.AppImage']);
  });

  it('a redirect from https:// to http:// is not followed: refused with words that say so', async () => {
    reset();
    const insecure = async (url: string | URL): Promise<Response> => (String(url).startsWith('https://') ? new Response(null, { status: 302, headers: { location: `http://127.0.0.1:${feed.port}/releases/latest-linux.yml` } }) : fetchOver()(url));
    const r = await checkForUpdate({ feeds: ['https://updates.example/'], channel: 'stable', current: '1.2.0', platform: LINUX, fetch: followingRedirects(insecure) });
    expect(r.state === 'failed' && r.error.code).toBe('update_feed_invalid');
    expect(r.state === 'failed' && r.error.message).toMatch(/not encrypted/);
    expect(feed.requests).toEqual([]);
  });
});

describe('the route the user set', () => {
  it('through a real squid with a password: the manifest and the file go through it; a wrong password is proxy_auth_failed', async () => {
    reset();
    const proxied = fetchOver(network({ mode: 'manual', url: `http://${USER}:${PASS}@127.0.0.1:${squid.port}` }));
    const hosted = `http://updates.test:${feed.port}/releases/`;
    const release = await available([hosted], proxied);
    const file = await downloadRelease({ release, feeds: [hosted], dir: freshDir(), fetch: proxied, idleMs: 5_000 });
    expect(readFileSync(file).equals(ARTIFACT)).toBe(true);
    await waitFor(() => squid.accessLog().includes('latest-linux.yml') && squid.accessLog().includes('.AppImage'), 10_000, () => squid.accessLog());
    const wrong = await checkForUpdate({ feeds: [hosted], channel: 'stable', current: '1.2.0', platform: LINUX, fetch: fetchOver(network({ mode: 'manual', url: `http://${USER}:wrong@127.0.0.1:${squid.port}` })) });
    expect(wrong.state === 'failed' && wrong.error.code).toBe('proxy_auth_failed');
    expect(JSON.stringify(wrong)).not.toContain(PASS);
  });

  it('through a TLS-intercepting mitmproxy: refused as untrusted without its CA, downloaded and verified with it', async () => {
    reset();
    // Loopback goes direct unless the bypass list says <-loopback> (the tests' way to send it through a proxy).
    const intercepted = network({ mode: 'manual', url: mitm.url, bypass: '<-loopback>' });
    const refused = await checkForUpdate({ feeds: [`https://127.0.0.1:${tls.port}/releases/`], channel: 'stable', current: '1.2.0', platform: LINUX, fetch: fetchOver(intercepted) });
    expect(refused.state === 'failed' && refused.error.code).toBe('tls_untrusted');
    const trusted = fetchOver(network({ mode: 'manual', url: mitm.url, bypass: '<-loopback>' }, [mitm.caCertPath]));
    const release = await available([`https://127.0.0.1:${tls.port}/releases/`], trusted);
    const file = await downloadRelease({ release, feeds: [release.feed], dir: freshDir(), fetch: trusted, idleMs: 5_000 });
    expect(readFileSync(file).equals(ARTIFACT)).toBe(true);
    expect(existsSync(`${file}.partial`)).toBe(false);
  });
});
