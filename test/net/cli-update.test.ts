/**
 * `parley update` (issue 22), the built CLI against a loopback update feed: each feed tried is named with its result
 * and the first that answers decides; --download verifies the file into the data folder's updates/; a captive
 * portal is a failed check (exit 1) in words; through a real squid with a password, as the network settings say;
 * `parley doctor --update` reports every feed's route, reach, manifest and offer.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { freePort, waitFor } from '../helpers/proc.ts';
import { startSquid, type SquidServer } from '../helpers/servers.ts';
import { ARTIFACT, resetFeed, startFeed, stopFeed, type Feed } from '../helpers/update-feed.ts';

const USER = 'upd';
const PASS = 'cli-Upd-Pa55';
let feed: Feed;
let squid: SquidServer;
let home: string;

beforeAll(async () => {
  [feed, squid] = await Promise.all([startFeed(), startSquid({ auth: { user: USER, password: PASS }, hosts: { 'updates.test': '127.0.0.1' } })]);
  home = mkdtempSync(join(tmpdir(), 'parley-cli-update-'));
}, 60_000);
afterAll(async () => {
  await Promise.all([stopFeed(feed), squid?.stop()]);
  rmSync(home, { recursive: true, force: true });
});

const settings = (network: Record<string, unknown>): void => writeFileSync(join(home, 'settings.json'), JSON.stringify({ version: 2, network }, null, 2));
// The feed offers Linux's file: the CLI asks for this machine's manifest, so the tests run where the CI runs (Linux x64).
const linux = process.platform === 'linux' && process.arch === 'x64';

describe('parley update', () => {
  it.runIf(linux)('names each feed tried; the first that answers decides; --download verifies the file into updates/', async () => {
    settings({ proxy: { mode: 'none' } });
    resetFeed(feed);
    const closed = `http://127.0.0.1:${await freePort()}/`;
    const r = await runCli(['update', '--feed', closed, '--feed', feed.url, '--download', '--json'], { home });
    expect(r.code, r.stderr).toBe(0);
    expect(r.lines.filter((l) => l.type === 'feed').map((l) => [l.feed, l.ok])).toEqual([[closed, false], [feed.url, true]]);
    expect(r.lines.find((l) => l.type === 'feed' && !l.ok)).toMatchObject({ error: { code: 'connect_refused' } });
    expect(r.lines.find((l) => l.type === 'result')).toMatchObject({ state: 'available', version: '1.3.0', size: ARTIFACT.length, feed: feed.url });
    const done = r.lines.find((l) => l.type === 'downloaded') as { file: string };
    expect(done.file).toBe(join(home, 'updates', 'Parley-1.3.0-linux-x86_64.AppImage'));
    expect(readFileSync(done.file).equals(ARTIFACT)).toBe(true);
  });

  it.runIf(linux)('a captive portal: exit 1, the code and words that say a web page answered', async () => {
    settings({ proxy: { mode: 'none' } });
    resetFeed(feed, { portal: true });
    const r = await runCli(['update', '--feed', feed.url], { home });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/update_feed_invalid: .*web page \(HTML\)/);
  });

  it.runIf(linux)('through a real squid with a password, as settings.json\'s network says; the password is printed nowhere', async () => {
    settings({ proxy: { mode: 'manual', url: `http://${USER}:${PASS}@127.0.0.1:${squid.port}` } });
    resetFeed(feed);
    const r = await runCli(['update', '--feed', `http://updates.test:${feed.port}/releases/`], { home });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Parley 1\.3\.0 is available/);
    await waitFor(() => squid.accessLog().includes('latest-linux.yml'), 10_000, () => squid.accessLog());
    expect(r.stdout + r.stderr).not.toContain(PASS);
  });

  it.runIf(linux)('parley doctor --update: every feed in order with its route, how it was reached, its manifest and offer; the password printed nowhere', async () => {
    settings({ proxy: { mode: 'manual', url: `http://${USER}:${PASS}@127.0.0.1:${squid.port}`, bypass: '<-loopback>' } });
    resetFeed(feed);
    const closed = `http://127.0.0.1:${await freePort()}/`;
    const missing = `http://updates.test:${feed.port}/nothing-here/`;
    const hosted = `http://updates.test:${feed.port}/releases/`;
    const r = await runCli(['doctor', '--update', '--feed', closed, '--feed', missing, '--feed', hosted, '--json'], { home });
    expect(r.code, r.stderr).toBe(0);
    const report = r.lines[0] as { ok: boolean; chosen: string; feeds: { feed: string; ok: boolean; steps: { id: string; status: string; facts?: Record<string, unknown>; error?: { code: string } }[] }[] };
    expect(report.chosen).toBe(hosted);
    const table = report.feeds.map((f) => [f.feed, f.steps.map((st) => `${st.id}:${st.status}`).join(' ')]);
    expect(table).toEqual([
      // Loopback goes through the proxy here (<-loopback>): squid's own error page says the feed refused it.
      [closed, 'route:pass reach:fail manifest:skip offer:skip'],
      [missing, 'route:pass reach:pass manifest:fail offer:skip'],
      [hosted, 'route:pass reach:pass manifest:pass offer:pass'],
    ]);
    expect(report.feeds[0]!.steps[0]!.facts?.route).toMatch(/proxy/);
    expect(report.feeds[0]!.steps[1]!.error?.code).toBe('connect_refused');
    expect(report.feeds[1]!.steps[2]!.error?.code).toBe('not_found');
    expect(report.feeds[2]!.steps[3]!.facts).toMatchObject({ version: '1.3.0', size: ARTIFACT.length });
    // The first request connected to the proxy (the later ones may reuse its connection).
    expect(report.feeds[0]!.steps[1]!.facts?.connected).toBe(`127.0.0.1:${squid.port}`);
    expect(r.stdout + r.stderr).not.toContain(PASS);
    // The words for people: each feed, each step, and which feed updates would come from.
    const text = await runCli(['doctor', '--update', '--feed', missing, '--feed', hosted], { home });
    expect(text.stdout).toContain(`Updates would come from ${hosted}.`);
    expect(text.stdout).toMatch(/fail manifest .*HTTP 404/);
    expect(text.stdout + text.stderr).not.toContain(PASS);
  });

  it('a feed that is not an http(s) URL is a usage error (exit 2)', async () => {
    const r = await runCli(['update', '--feed', 'file:///etc/passwd'], { home });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--feed must be an http\(s\):\/\/ URL/);
  });
});
