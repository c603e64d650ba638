/**
 * Settings → Updates' Test feeds through the app's services (issue 22): 'update:test' runs the feeds' doctor with the
 * saved feeds, channel and network settings; a closed port fails at reaching it and the next feed's offer is
 * reported with the feed updates would come from; each request is a Network row of kind update; a second test asked
 * while one runs gets the same report, without a second round of requests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppServices } from '../../src/main/services/app.ts';
import type { ArgsIn, Channel, ResultOf } from '../../src/shared/ipc.ts';
import { testAppServices } from '../helpers/app-services.ts';
import { freePort } from '../helpers/proc.ts';
import { resetFeed, startFeed, stopFeed, type Feed } from '../helpers/update-feed.ts';

let feed: Feed;
let dataDir: string;
let svc: AppServices;

beforeAll(async () => {
  feed = await startFeed();
  dataDir = mkdtempSync(join(tmpdir(), 'parley-update-test-'));
  svc = testAppServices(dataDir, { versions: { name: 'Parley', version: '1.2.0', electron: '' }, updatePlatform: { os: 'linux', arch: 'x64' }, confirmUpdateFeeds: async () => true });
  svc.attachWindow('w1', () => undefined);
  svc.hub.ready('w1');
}, 30_000);

afterAll(async () => {
  await svc?.close();
  await stopFeed(feed);
  rmSync(dataDir, { recursive: true, force: true });
});

async function call<C extends Channel>(channel: C, ...args: ArgsIn<C>): Promise<ResultOf<C>> {
  const r = await svc.invoke({ windowId: 'w1' }, channel, args);
  if (!r.ok) throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
  return r.value;
}

describe("'update:test'", () => {
  it('reports every saved feed in order: a closed port fails at reach, the working feed offers 1.3.0 and is chosen; its requests are Network rows; a second test while one runs shares it', async () => {
    const closed = `http://127.0.0.1:${await freePort()}/releases/`;
    await call('update:save', { autoCheck: false, autoDownload: false, channel: 'stable', feeds: [closed, feed.url] });
    resetFeed(feed);

    const [a, b] = await Promise.all([call('update:test'), call('update:test')]);
    expect(b).toEqual(a);
    // One round of requests for both: the working feed's manifest read once.
    expect(feed.requests.map((r) => r.url)).toEqual(['/releases/latest-linux.yml']);

    expect(a.ok).toBe(true);
    expect(a.chosen).toBe(feed.url);
    expect(a.feeds.map((f) => [f.feed, f.ok, f.steps.map((s) => `${s.id}:${s.status}`).join(' ')])).toEqual([
      [closed, false, 'route:pass reach:fail manifest:skip offer:skip'],
      [feed.url, true, 'route:pass reach:pass manifest:pass offer:pass'],
    ]);
    const [bad, good] = a.feeds;
    expect(bad!.steps[0]!.route).toEqual({ via: 'direct', source: { kind: 'loopback' } });
    expect(bad!.steps[1]!.error?.code).toBe('connect_refused');
    expect(good!.steps[1]!.facts).toMatchObject({ connected: `127.0.0.1:${feed.port}` });
    expect(good!.steps[3]!.facts).toMatchObject({ version: '1.3.0', current: '1.2.0' });

    // Each request of the test is a row of kind update: the refused one failed, the manifest's done.
    const rows = (await call('requests:list')).filter((r) => r.kind === 'update');
    expect(rows.map((r) => `${r.state} ${r.host}`).sort()).toEqual([`done 127.0.0.1:${feed.port}`, `failed ${new URL(closed).host}`].sort());

    // Once it ended, a new test runs again.
    await call('update:test');
    expect(feed.requests).toHaveLength(2);
  });
});
