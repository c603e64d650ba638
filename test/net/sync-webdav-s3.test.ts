/**
 * The sync engine's scenarios (test/helpers/sync-scenarios.ts) on the real targets: a WebDAV folder on Apache httpd
 * with mod_dav and basic auth, and a prefix of an s3rver bucket, each a fresh folder or prefix per scenario. Also a
 * sync interrupted by the server crashing mid-upload and mid-download (SIGKILL while a request is on the wire), the
 * server started again on the same port and files: the sync resumes and both devices end the same.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import * as v from 'valibot';
import { createCore, ParleyError, type Core } from '../../src/main/core/index.ts';
import { networkSchema, syncSettingsSchema } from '../../src/shared/settings.ts';
import { createSyncTarget } from '../../src/main/services/sync/route.ts';
import { TEMP_PREFIX } from '../../src/main/services/sync/webdav.ts';
import type { SyncTarget } from '../../src/main/services/sync/target.ts';
import type { RequestEvent } from '../../src/shared/events.ts';
import { startApacheDav, startS3rver, type DavServer, type S3Server } from '../helpers/servers.ts';
import { chat, device, newDeviceRestores, stateOf, twoDevicesMerge, deleteVersusNewMessage, concurrent, interrupted, refusesBadFiles } from '../helpers/sync-scenarios.ts';

const USER = 'bob';
const PASS = 'webdav-Pass-4e1d';

let core: Core;
let dataRoot: string;
let dav: DavServer;
let s3: S3Server;

type Kind = 'webdav' | 's3';

/** A new, empty target of the kind (its own folder or prefix), on a direct route; `onRequest` sees each request's head. */
function targetOn(kind: Kind, where: { dav?: DavServer; s3?: S3Server } = {}, onRequest?: (e: RequestEvent) => void): SyncTarget {
  const id = randomBytes(4).toString('hex');
  const d = where.dav ?? dav;
  const s = where.s3 ?? s3;
  const sync = v.parse(syncSettingsSchema, kind === 'webdav'
    ? { enabled: true, service: 'webdav', url: `${d.davUrl}sc-${id}/`, username: USER }
    : { enabled: true, service: 's3', url: s.endpoint, bucket: s.bucket, prefix: `sc-${id}/`, username: s.accessKeyId });
  return createSyncTarget({
    core, network: v.parse(networkSchema, { proxy: { mode: 'none' } }), sync,
    secrets: { password: kind === 'webdav' ? PASS : s.secretAccessKey },
    ...(onRequest ? { sink: onRequest } : {}),
    // A crashed server is not waited for: the sync stops and is run again.
    retries: 0,
  });
}

beforeAll(async () => {
  core = createCore({ env: {} });
  dataRoot = mkdtempSync(join(tmpdir(), 'parley-sync-real-'));
  // Apache's workers (www-data when the tests run as root) reach the served folder through it.
  chmodSync(dataRoot, 0o755);
  [dav, s3] = await Promise.all([startApacheDav({ auth: { user: USER, password: PASS } }), startS3rver()]);
}, 120_000);

afterAll(async () => {
  await Promise.all([dav?.stop(), s3?.stop()]);
  await core?.close();
  rmSync(dataRoot, { recursive: true, force: true });
});

describe.each(['webdav', 's3'] as const)('sync engine on %s', (kind) => {
  const make = (): SyncTarget => targetOn(kind);
  it('two devices edit offline, sync A,B,A: the same conversations, no message lost, the later rename kept', () => twoDevicesMerge(make, 'ABA'));
  it('the same in the order B,A,B', () => twoDevicesMerge(make, 'BAB'));
  it('the same encrypted', () => twoDevicesMerge(make, 'ABA', 'correct horse battery staple'));
  it('a message added after a delete elsewhere is kept', () => deleteVersusNewMessage(make, 'ABA'));
  it('a third, new device restores everything from the target (encrypted)', () => newDeviceRestores(make, 'passphrase for the snapshot'));
  it('two devices syncing at once lose nothing', () => concurrent(make));
  it('truncated, corrupted, newer and foreign files on the server are refused and nothing local changes', () => refusesBadFiles(make));
  it('a sync interrupted at every call resumes and ends the same', () => interrupted(make), 600_000);

  it('the server crashes mid-upload and mid-download; started again, the syncs resume and both devices end the same', async () => {
    const files = mkdtempSync(join(dataRoot, `${kind}-`));
    const start = (port?: number): Promise<DavServer | S3Server> =>
      kind === 'webdav' ? startApacheDav({ auth: { user: USER, password: PASS }, dataDir: files, ...(port ? { port } : {}) }) : startS3rver({ dataDir: files, ...(port ? { port } : {}) });
    let server = await start();
    const port = server.port;
    let crashOn: ((e: RequestEvent & { type: 'request' }) => boolean) | undefined;
    const seen: string[] = [];
    const target = targetOn(kind, kind === 'webdav' ? { dav: server as DavServer } : { s3: server as S3Server }, (e) => {
      if (e.type !== 'request') return;
      seen.push(`${e.method} ${e.url}`);
      if (crashOn?.(e)) {
        crashOn = undefined;
        server.crash();
      }
    });
    const more = { journalBytes: 4096 };
    const a = device('A', more);
    for (let i = 0; i < 8; i++) chat(a, `Before the crash ${i}`, 8);
    // A large attachment: its upload is on the wire when the server dies.
    const big = Buffer.from(randomBytes(4.5 * 1024 * 1024).toString('base64'));
    const ref = await a.files.add('capture.txt', big);
    a.store.addMessage({ conversationId: a.store.createConversation({ title: 'With a capture' }).id, role: 'user', text: 'the capture', attachments: [ref] });
    try {
      crashOn = (e) => e.method === 'PUT' && /files\//.test(e.url);
      const cut = await a.sync(target).then(() => undefined, (x: unknown) => x);
      expect(ParleyError.is(cut), `the sync failed: ${String(cut)}`).toBe(true);
      expect(seen.some((r) => r.startsWith('PUT') && r.includes('files/'))).toBe(true);
      await server.stop();
      server = await start(port);
      const resumed = await a.sync(target);
      expect(resumed.uploaded).toBeGreaterThan(0);

      // Mid-download: B's third GET of a journal or a file kills the server.
      const b = device('B', more);
      let gets = 0;
      crashOn = (e) => e.method === 'GET' && /journal\/|files\//.test(e.url) && ++gets === 3;
      const cutDown = await b.sync(target).then(() => undefined, (x: unknown) => x);
      expect(ParleyError.is(cutDown), `the download failed: ${String(cutDown)}`).toBe(true);
      await server.stop();
      server = await start(port);
      await b.sync(target);
      expect(stateOf(b)).toEqual(stateOf(a));
      expect((await b.files.bytes(ref.id))?.equals(big)).toBe(true);
      // A second round moves nothing; no temporary upload is ever listed.
      const again = await a.sync(target);
      expect({ applied: again.applied, uploaded: again.uploaded }).toEqual({ applied: 0, uploaded: 0 });
      expect((await target.list('')).some((e) => e.name.includes(TEMP_PREFIX))).toBe(false);
    } finally {
      await server.stop();
    }
  }, 180_000);
});
