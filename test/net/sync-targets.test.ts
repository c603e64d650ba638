/**
 * The sync targets against real servers on loopback: Apache httpd with mod_dav and basic auth (WebDAV) and s3rver
 * (S3-compatible, signed requests), directly, through a real squid with a password, and through a TLS-intercepting
 * mitmproxy (stunnel gives the server TLS) with and without its CA. Bad answers come from tiny loopback servers
 * standing in front: a captive portal's web page, an empty 200, a redirect to a login page, 429 with Retry-After,
 * Nutstore's BlockedTemporarily, 507.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import * as v from 'valibot';
import { createCore, ParleyError, type Core } from '../../src/main/core/index.ts';
import { networkSchema, syncSettingsSchema, type StoredSettings } from '../../src/shared/settings.ts';
import { createSyncTarget } from '../../src/main/services/sync/route.ts';
import { createS3Target } from '../../src/main/services/sync/s3.ts';
import { TEMP_PREFIX } from '../../src/main/services/sync/webdav.ts';
import type { SyncTarget } from '../../src/main/services/sync/target.ts';
import type { RequestEvent } from '../../src/shared/events.ts';
import { waitFor, startApacheDav, startMitmproxy, startS3rver, startSquid, startStunnel, type DavServer, type MitmproxyServer, type S3Server, type SquidServer, type RunningServer } from '../helpers/servers.ts';
import { makeTestCA } from '../helpers/certs.ts';
import { hostsLookup } from '../helpers/core.ts';

/** aws4 (mikeal/aws4): an independent SigV4 implementation, to check every signature Parley sends (s3rver does not). */
const aws4 = createRequire(import.meta.url)('aws4') as {
  sign(req: { host: string; path: string; method: string; headers: Record<string, string>; service: string; region: string }, creds: { accessKeyId: string; secretAccessKey: string }): { headers: Record<string, string> };
};

const DAV_USER = 'alice';
const DAV_PASS = 'dav-Secret-7f3a';
const PROXY_USER = 'sync';
const PROXY_PASS = 'proxy-Pa55-9c1e';

let core: Core;
let dav: DavServer;
/** The same folder served as https:// through stunnel (Apache told it is behind TLS). */
let davBehindTls: DavServer;
let s3: S3Server;
/** The S3 endpoint the tests use: a loopback server checking each request's signature, in front of s3rver. */
let s3Checked: Front & { refused: number };
let s3Endpoint: string;
let squid: SquidServer;
let mitm: MitmproxyServer;
let davTls: RunningServer;
let s3Tls: RunningServer;
let dataRoot: string;

const network = (proxy: Record<string, unknown> = { mode: 'none' }, caFiles: string[] = []): StoredSettings['network'] => v.parse(networkSchema, { proxy, caFiles, timeouts: { idleMs: 10_000 } });

type Kind = 'webdav' | 's3';
interface Make {
  url?: string;
  network?: StoredSettings['network'];
  password?: string;
  sink?: (e: RequestEvent) => void;
  prefix?: string;
  style?: 'path' | 'virtual';
  core?: Core;
}

/** A target of each kind as settings describe it (the route from `network`), fast retries for the tests. */
function make(kind: Kind, o: Make = {}): SyncTarget {
  const sync = v.parse(syncSettingsSchema, kind === 'webdav'
    ? { enabled: true, service: 'webdav', url: o.url ?? dav.davUrl, username: DAV_USER }
    : { enabled: true, service: 's3', url: o.url ?? s3Endpoint, bucket: s3.bucket, prefix: o.prefix ?? `t-${randomBytes(3).toString('hex')}/`, region: 'us-east-1', style: o.style ?? 'path', username: s3.accessKeyId });
  return createSyncTarget({
    core: o.core ?? core, network: o.network ?? network(), sync,
    secrets: { password: o.password ?? (kind === 'webdav' ? DAV_PASS : s3.secretAccessKey) },
    ...(o.sink ? { sink: o.sink } : {}),
    backoffMs: 50, maxWaitMs: 5_000,
  });
}

/** A fresh folder per test on WebDAV (so lists do not see other tests' files). */
function davFolder(): string {
  return `${dav.davUrl}t-${randomBytes(3).toString('hex')}/`;
}

const bytes = (n: number, seed = 1): Uint8Array => {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
};

async function caught(p: Promise<unknown>): Promise<ParleyError> {
  try {
    await p;
  } catch (e) {
    if (ParleyError.is(e)) return e;
    throw e;
  }
  throw new Error('expected a ParleyError');
}

/** A loopback server standing in front of a real one: `answer` decides per request, or it forwards. */
interface Front {
  url: string;
  seen: { method: string; url: string }[];
  close(): Promise<void>;
}
async function front(target: string | undefined, answer: (req: IncomingMessage, res: ServerResponse, n: number) => boolean): Promise<Front> {
  const seen: Front['seen'] = [];
  const server: Server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '' });
    if (answer(req, res, seen.length)) return;
    if (!target) {
      res.writeHead(500).end();
      return;
    }
    const t = new URL(target);
    const up = httpRequest({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

/**
 * Checks a request's AWS Signature V4 with aws4 and the right secret: a mismatch is S3's own 403
 * SignatureDoesNotMatch; a good one (or another access key, for s3rver to refuse) goes on to s3rver.
 */
function signatureProblem(req: IncomingMessage): string | undefined {
  const auth = String(req.headers.authorization ?? '');
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return 'no AWS4-HMAC-SHA256 authorization';
  const [, keyId, , region, signedHeaders, signature] = m as unknown as [string, string, string, string, string, string];
  if (keyId !== s3.accessKeyId) return undefined;
  const headers: Record<string, string> = {};
  for (const h of signedHeaders.split(';')) if (h !== 'host') headers[h] = String(req.headers[h] ?? '');
  const again = aws4.sign({ host: String(req.headers.host), path: req.url ?? '/', method: req.method ?? 'GET', headers, service: 's3', region }, { accessKeyId: keyId, secretAccessKey: s3.secretAccessKey });
  const want = /Signature=([0-9a-f]{64})/.exec(again.headers.Authorization ?? '')?.[1];
  return want === signature ? undefined : 'SignatureDoesNotMatch';
}

beforeAll(async () => {
  core = createCore({ env: {}, lookup: hostsLookup({ localhost: '127.0.0.1', 's3.localhost': '127.0.0.1', 'parley-sync.s3.localhost': '127.0.0.1' }) });
  dataRoot = mkdtempSync(join(tmpdir(), 'parley-sync-targets-'));
  const ca = await makeTestCA();
  [dav, davBehindTls, s3, squid, mitm] = await Promise.all([
    startApacheDav({ auth: { user: DAV_USER, password: DAV_PASS } }),
    startApacheDav({ auth: { user: DAV_USER, password: DAV_PASS }, behindTls: true }),
    startS3rver(),
    startSquid({ auth: { user: PROXY_USER, password: PROXY_PASS } }),
    startMitmproxy(),
  ]);
  let refused = 0;
  const checked = await front(s3.endpoint, (req, res) => {
    const problem = signatureProblem(req);
    if (!problem) return false;
    refused++;
    req.resume();
    res.writeHead(403, { 'content-type': 'application/xml' }).end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided. Check your key and signing method.</Message></Error>`);
    return true;
  });
  s3Checked = Object.assign(checked, { get refused() { return refused; } });
  s3Endpoint = s3Checked.url;
  [davTls, s3Tls] = await Promise.all([
    startStunnel({ targetPort: davBehindTls.port, cert: ca.cert, key: ca.key }),
    startStunnel({ targetPort: Number(new URL(s3Endpoint).port), cert: ca.cert, key: ca.key }),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all([dav, davBehindTls, s3, squid, mitm, davTls, s3Tls].map((s) => s?.stop()));
  await s3Checked?.close();
  await core?.close();
  rmSync(dataRoot, { recursive: true, force: true });
});

describe.each(['webdav', 's3'] as const)('%s target', (kind) => {
  const fresh = (o: Make = {}): SyncTarget => make(kind, kind === 'webdav' ? { url: davFolder(), ...o } : o);

  it('list, get, put, remove: a round trip of text and binary files in nested folders', async () => {
    const t = fresh();
    expect(await t.list('')).toEqual([]);
    const a = new TextEncoder().encode('{"journal":1}\n');
    const b = bytes(300_000, 7);
    await t.put('journal/dev-a/000001.json', a);
    await t.put('snapshots/s1.bin', b);
    await t.put('journal/dev-b/000001.json', a);
    const all = (await t.list('')).sort((x, y) => x.name.localeCompare(y.name));
    expect(all).toEqual([
      { name: 'journal/dev-a/000001.json', size: a.byteLength },
      { name: 'journal/dev-b/000001.json', size: a.byteLength },
      { name: 'snapshots/s1.bin', size: b.byteLength },
    ]);
    expect((await t.list('journal/dev-a/')).map((e) => e.name)).toEqual(['journal/dev-a/000001.json']);
    expect(Buffer.from((await t.get('snapshots/s1.bin', 1024 * 1024)) as Uint8Array).equals(Buffer.from(b))).toBe(true);
    expect(new TextDecoder().decode((await t.get('journal/dev-a/000001.json', 1024)) as Uint8Array)).toBe('{"journal":1}\n');
    expect(await t.get('journal/dev-a/000002.json', 1024)).toBeNull();
    // A file over the caller's bound is limit_exceeded, not a buffer of it.
    expect((await caught(t.get('snapshots/s1.bin', 1000))).code).toBe('limit_exceeded');
    // Overwrite.
    await t.put('journal/dev-a/000001.json', bytes(10, 3));
    expect(Buffer.from((await t.get('journal/dev-a/000001.json', 1024)) as Uint8Array).equals(Buffer.from(bytes(10, 3)))).toBe(true);
    await t.remove('snapshots/s1.bin');
    await t.remove('snapshots/s1.bin'); // missing: not an error
    expect((await t.list('')).map((e) => e.name).sort()).toEqual(['journal/dev-a/000001.json', 'journal/dev-b/000001.json']);
    expect(await t.get('snapshots/s1.bin', 1024)).toBeNull();
  });

  it('put is atomic: while a large file uploads, a reader lists no temporary name and reads the old file or the new one, never a part', async () => {
    const t = fresh();
    const big = bytes(8 * 1024 * 1024, 5);
    const old = bytes(100, 1);
    await t.put('snapshots/big.bin', old); // an older version is there
    let done = false;
    const seen = new Set<string>();
    const read: string[] = [];
    const put = t.put('snapshots/big.bin', big).finally(() => {
      done = true;
    });
    while (!done) {
      const [listed, got] = await Promise.all([t.list(''), t.get('snapshots/big.bin', 16 * 1024 * 1024).then((b) => b, (e: unknown) => e)]);
      for (const e of listed) seen.add(e.name);
      if (got === null) {
        // Apache's MOVE over an existing file removes it first: for a moment there is nothing under the name (the
        // contract's "nothing"), never a part of either file.
        read.push('nothing');
      } else if (got instanceof Uint8Array) {
        // Whole old or whole new: never a part of either.
        read.push(got.byteLength === old.byteLength && Buffer.from(got).equals(Buffer.from(old)) ? 'old' : got.byteLength === big.byteLength && Buffer.from(got).equals(Buffer.from(big)) ? 'new' : `partial ${got.byteLength}`);
      } else {
        // s3rver writes an object in place (real S3 does not): a read meanwhile is refused by its ETag, never data.
        expect(kind).toBe('s3');
        expect(ParleyError.is(got) && got.code).toBe('sync_not_storage');
        read.push('refused');
      }
    }
    await put;
    expect([...seen]).toEqual(['snapshots/big.bin']);
    expect(read.filter((r) => r.startsWith('partial'))).toEqual([]);
    const got = (await t.get('snapshots/big.bin', 16 * 1024 * 1024)) as Uint8Array;
    expect(Buffer.from(got).equals(Buffer.from(big))).toBe(true);
    if (kind === 'webdav') {
      // No temporary file left on the server's disk either.
      const files = readdirSync(dav.dataDir, { recursive: true }).map(String);
      expect(files.filter((f) => f.includes(TEMP_PREFIX))).toEqual([]);
    }
  });

  it('a wrong password (secret key) is sync_auth_failed, and the secret is in no error', async () => {
    const wrong = kind === 'webdav' ? 'not-the-password-123' : 'not-the-secret-key-123';
    const t = fresh({ password: wrong });
    const e = await caught(t.list(''));
    expect(e.code).toBe('sync_auth_failed');
    expect(e.detail.status).toBe(kind === 'webdav' ? 401 : 403);
    const all = JSON.stringify({ m: e.message, h: e.hint, d: e.toInfo() });
    expect(all).not.toContain(wrong);
    expect(all).not.toContain(Buffer.from(`${DAV_USER}:${wrong}`).toString('base64'));
    expect((await caught(t.put('a/b.json', bytes(5)))).code).toBe('sync_auth_failed');
    if (kind === 's3') {
      expect(e.detail.providerCode).toBe('SignatureDoesNotMatch');
      // An access key the service does not know: s3rver's own refusal.
      const sync = v.parse(syncSettingsSchema, { service: 's3', url: s3Endpoint, bucket: s3.bucket, username: 'NOSUCHKEY' });
      const unknown = await caught(createSyncTarget({ core, network: network(), sync, secrets: { password: s3.secretAccessKey } }).list(''));
      expect(unknown.code).toBe('sync_auth_failed');
      expect(unknown.detail.providerCode).toBe('InvalidAccessKeyId');
    }
  });

  it('a captive portal (a web page for every request) is sync_not_storage, never data', async () => {
    const portal = await front(undefined, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!DOCTYPE html><html><head><title>Hotel WiFi Login</title></head><body>Accept the terms</body></html>');
      return true;
    });
    try {
      const t = make(kind, { url: kind === 'webdav' ? `${portal.url}/dav/` : portal.url });
      const g = await caught(t.get('journal/a.json', 1024));
      expect(g.code).toBe('sync_not_storage');
      if (kind === 'webdav' || kind === 's3') expect(g.message).toMatch(/web page/);
      expect(g.message).toContain('Hotel WiFi Login');
      expect((await caught(t.list(''))).code).toBe('sync_not_storage');
      expect((await caught(t.put('journal/a.json', bytes(10)))).code).toBe('sync_not_storage');
    } finally {
      await portal.close();
    }
  });

  it('an empty 200 where bytes were expected, and a redirect to a login page, are sync_not_storage', async () => {
    const bad = await front(undefined, (req, res) => {
      if (req.url?.includes('redirect')) res.writeHead(302, { location: 'https://login.example.test/portal?token=abc' }).end();
      else res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': '0' }).end();
      return true;
    });
    try {
      const t = make(kind, { url: kind === 'webdav' ? `${bad.url}/dav/` : bad.url });
      const empty = await caught(t.get('journal/a.json', 1024));
      expect(empty.code).toBe('sync_not_storage');
      expect(empty.message).toMatch(/empty body/);
      const r = make(kind, { url: kind === 'webdav' ? `${bad.url}/redirect/` : `${bad.url}/redirect` });
      const moved = await caught(r.get('journal/a.json', 1024));
      expect(moved.code).toBe('sync_not_storage');
      expect(moved.message).toContain('https://login.example.test/portal');
      expect(moved.message).not.toContain('token=abc');
    } finally {
      await bad.close();
    }
  });

  it('a body cut off before its Content-Length is sync_not_storage (cut off), not a shorter file', async () => {
    const cut = await front(undefined, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': '1000' });
      res.write(Buffer.alloc(400, 1));
      setTimeout(() => res.destroy(), 50);
      return true;
    });
    try {
      const t = make(kind, { url: kind === 'webdav' ? `${cut.url}/dav/` : cut.url });
      const e = await caught(t.get('journal/a.json', 4096));
      expect(e.code).toBe('sync_not_storage');
      expect(e.message).toMatch(/cut off/);
    } finally {
      await cut.close();
    }
  });

  it('429 with Retry-After is waited for and retried; the file arrives', async () => {
    const target = kind === 'webdav' ? dav.url : s3Endpoint;
    let refused = 0;
    const f = await front(target, (req, res) => {
      if (req.method === 'PUT' && refused === 0) {
        refused++;
        req.resume();
        res.writeHead(429, { 'retry-after': '1', 'content-type': 'text/plain' }).end('slow down');
        return true;
      }
      return false;
    });
    try {
      const t = make(kind, { url: kind === 'webdav' ? `${f.url}/dav/t-${randomBytes(3).toString('hex')}/` : f.url });
      const t0 = Date.now();
      await t.put('journal/x.json', bytes(2000, 9));
      expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
      expect(refused).toBe(1);
      expect(Buffer.from((await t.get('journal/x.json', 4096)) as Uint8Array).equals(Buffer.from(bytes(2000, 9)))).toBe(true);
    } finally {
      await f.close();
    }
  });

  it('a service that keeps refusing (503 and a Retry-After past the bound) is sync_rate_limited with when to try again', async () => {
    const f = await front(undefined, (req, res) => {
      req.resume();
      res.writeHead(503, { 'retry-after': '3600', 'content-type': 'text/plain' }).end('Service Unavailable');
      return true;
    });
    try {
      const t = make(kind, { url: kind === 'webdav' ? `${f.url}/dav/` : f.url });
      const e = await caught(t.get('journal/a.json', 1024));
      expect(e.code).toBe('sync_rate_limited');
      expect(e.detail.retryAfterMs).toBe(3_600_000);
      expect(f.seen.length).toBe(1);
    } finally {
      await f.close();
    }
  });

  it('through a real squid with a password: every request goes through the proxy', async () => {
    const events: RequestEvent[] = [];
    const viaSquid = network({ mode: 'manual', url: `http://${PROXY_USER}:${PROXY_PASS}@127.0.0.1:${squid.port}`, bypass: '<-loopback>' });
    const t = fresh({ network: viaSquid, sink: (e) => events.push(e) });
    await t.put('journal/dev-a/1.json', bytes(1234, 2));
    expect((await t.list('')).map((e) => e.name)).toEqual(['journal/dev-a/1.json']);
    expect(Buffer.from((await t.get('journal/dev-a/1.json', 4096)) as Uint8Array).equals(Buffer.from(bytes(1234, 2)))).toBe(true);
    await t.remove('journal/dev-a/1.json');
    // The requests' events (the Network panel's, the log's) never hold the password, plain or in Basic auth.
    // (s3rver's secret is its access key ID, which a request names: checked for WebDAV's password.)
    if (kind === 'webdav') {
      const seen = JSON.stringify(events);
      expect(seen).not.toContain(DAV_PASS);
      expect(seen).not.toContain(Buffer.from(`${DAV_USER}:${DAV_PASS}`).toString('base64'));
      expect(seen).toContain('"name":"authorization"');
    }
    const routes = events.filter((e) => e.type === 'route');
    expect(routes.length).toBeGreaterThan(3);
    for (const r of routes) expect(JSON.stringify(r)).toContain(`127.0.0.1:${squid.port}`);
    // squid writes a transaction's line when it ends.
    const log = await waitFor(() => (/DELETE/.test(squid.accessLog()) ? squid.accessLog() : undefined), 10_000, () => squid.accessLog());
    expect(log).toMatch(kind === 'webdav' ? /PROPFIND http:\/\/127\.0\.0\.1:\d+\/dav\// : /GET http:\/\/127\.0\.0\.1:\d+\/parley-sync\//);
    expect(log).toMatch(/PUT/);
    expect(log).toMatch(/DELETE/);
    // A wrong proxy password is the proxy's refusal, not the service's.
    const wrongProxy = network({ mode: 'manual', url: `http://${PROXY_USER}:wrong@127.0.0.1:${squid.port}`, bypass: '<-loopback>' });
    expect((await caught(fresh({ network: wrongProxy }).list(''))).code).toBe('proxy_auth_failed');
  });

  it('through a TLS-intercepting mitmproxy: refused as untrusted without its CA, works with it', async () => {
    const tlsUrl = kind === 'webdav' ? `https://127.0.0.1:${davTls.port}/dav/t-${randomBytes(3).toString('hex')}/` : `https://127.0.0.1:${s3Tls.port}`;
    const intercepted = network({ mode: 'manual', url: mitm.url, bypass: '<-loopback>' });
    const untrusted = await caught(make(kind, { url: tlsUrl, network: intercepted }).list(''));
    expect(untrusted.code).toBe('tls_untrusted');
    expect(untrusted.message).toMatch(/mitmproxy/i);
    const trusted = network({ mode: 'manual', url: mitm.url, bypass: '<-loopback>' }, [mitm.caCertPath]);
    const t = make(kind, { url: tlsUrl, network: trusted });
    await t.put('journal/m.json', bytes(4000, 4));
    expect((await t.list('journal/')).map((e) => e.name)).toEqual(['journal/m.json']);
    expect(Buffer.from((await t.get('journal/m.json', 8192)) as Uint8Array).equals(Buffer.from(bytes(4000, 4)))).toBe(true);
    await t.remove('journal/m.json');
  });
});

describe('the target\'s own route, as a provider\'s', () => {
  it('direct skips the global proxy; a proxy of its own is used without a global one; global follows the network settings', async () => {
    const viaSquid = `http://${PROXY_USER}:${PROXY_PASS}@127.0.0.1:${squid.port}`;
    const run = async (route: Record<string, unknown>, net: StoredSettings['network']): Promise<string[]> => {
      const events: RequestEvent[] = [];
      const sync = v.parse(syncSettingsSchema, { service: 'webdav', url: davFolder(), username: DAV_USER, route });
      const t = createSyncTarget({ core, network: net, sync, secrets: { password: DAV_PASS }, sink: (e) => events.push(e) });
      await t.put('r/x.json', bytes(5));
      expect(await t.list('')).toEqual([{ name: 'r/x.json', size: 5 }]);
      return events.filter((e): e is Extract<RequestEvent, { type: 'route' }> => e.type === 'route').map((e) => e.route);
    };
    // The global route is a proxy whose password is wrong: a target that used it would fail.
    const brokenGlobal = network({ mode: 'manual', url: `http://${PROXY_USER}:wrong@127.0.0.1:${squid.port}`, bypass: '<-loopback>' });
    const direct = await run({ mode: 'direct' }, brokenGlobal);
    expect(direct.length).toBeGreaterThan(2);
    for (const r of direct) expect(r).toMatch(/^direct/);
    const own = await run({ mode: 'proxy', proxyUrl: viaSquid }, network({ mode: 'none', bypass: '<-loopback>' }));
    expect(own.length).toBeGreaterThan(2);
    for (const r of own) expect(r).toContain(`127.0.0.1:${squid.port}`);
    expect((await caught(make('webdav', { url: davFolder(), network: brokenGlobal }).list(''))).code).toBe('proxy_auth_failed');
  });
});

describe('the route fetch\'s bound on a request body', () => {
  it('a file over 64 MB is limit_exceeded before anything is sent', async () => {
    const f = await front(undefined, (req, res) => {
      req.resume();
      res.writeHead(201).end();
      return true;
    });
    try {
      const e = await caught(make('webdav', { url: `${f.url}/dav/` }).put('big/x.bin', new Uint8Array(64 * 1024 * 1024 + 1)));
      expect(e.code).toBe('limit_exceeded');
      expect(e.message).toMatch(/64 MB/);
      expect(f.seen).toEqual([]);
    } finally {
      await f.close();
    }
  });
});

describe('webdav specifics', () => {
  it('a folder that does not exist is created on the first put (and lists as empty before)', async () => {
    const url = `${dav.davUrl}new-${randomBytes(3).toString('hex')}/deeper/`;
    const t = make('webdav', { url });
    expect(await t.list('')).toEqual([]);
    await t.put('a/b/c.json', bytes(10));
    expect(await t.list('')).toEqual([{ name: 'a/b/c.json', size: 10 }]);
  });

  it('a temporary file an interrupted upload left is never listed, and is removed once it is a day old', async () => {
    const folder = `t-${randomBytes(3).toString('hex')}`;
    const t = make('webdav', { url: `${dav.davUrl}${folder}/` });
    await t.put('journal/a.json', bytes(20));
    const dir = join(dav.dataDir, folder, 'journal');
    const fresh = join(dir, `${TEMP_PREFIX}aaaa-b.json`);
    const old = join(dir, `${TEMP_PREFIX}bbbb-c.json`);
    writeFileSync(fresh, bytes(7));
    writeFileSync(old, bytes(9));
    const dayAgo = new Date(Date.now() - 25 * 3600_000);
    utimesSync(old, dayAgo, dayAgo);
    expect(await t.list('')).toEqual([{ name: 'journal/a.json', size: 20 }]);
    expect(existsSync(fresh)).toBe(true);
    expect(existsSync(old)).toBe(false);
  });

  it('Nutstore\'s throttling (BlockedTemporarily in a 503), 507 and 403 are said as what they are', async () => {
    let n = 0;
    const f = await front(undefined, (req, res) => {
      req.resume();
      n++;
      if (req.url?.includes('/full/')) res.writeHead(507, { 'content-type': 'text/plain' }).end('Insufficient Storage');
      else if (req.url?.includes('/denied/')) res.writeHead(403, { 'content-type': 'text/plain' }).end('Forbidden');
      else res.writeHead(503, { 'content-type': 'application/xml' }).end('<?xml version="1.0" encoding="utf-8"?><d:error xmlns:d="DAV:" xmlns:s="http://ns.jianguoyun.com"><s:exception>BlockedTemporarily</s:exception><s:message>Too many requests are received recently</s:message></d:error>');
      return true;
    });
    try {
      const blocked = await caught(make('webdav', { url: `${f.url}/dav/` }).list(''));
      expect(blocked.code).toBe('sync_rate_limited');
      expect(blocked.message).toContain('Too many requests are received recently');
      expect(n).toBeGreaterThan(1); // retried before saying so
      expect((await caught(make('webdav', { url: `${f.url}/full/` }).put('x.json', bytes(3)))).code).toBe('sync_storage_full');
      expect((await caught(make('webdav', { url: `${f.url}/denied/` }).get('x.json', 10))).code).toBe('sync_forbidden');
    } finally {
      await f.close();
    }
  });
});

describe('s3 specifics', () => {
  it('virtual-host style (bucket in the host name) works as path style does', async () => {
    const prefix = `vh-${randomBytes(3).toString('hex')}/`;
    const url = `http://s3.localhost:${new URL(s3Endpoint).port}`;
    const t = make('s3', { url, style: 'virtual', prefix });
    await t.put('journal/v.json', bytes(321));
    const p = make('s3', { prefix });
    expect(await p.list('')).toEqual([{ name: 'journal/v.json', size: 321 }]);
    expect(Buffer.from((await t.get('journal/v.json', 1024)) as Uint8Array).equals(Buffer.from(bytes(321)))).toBe(true);
  });

  it('a listing of more than one page is read whole (continuation tokens)', async () => {
    const t = make('s3', { prefix: `pages-${randomBytes(3).toString('hex')}/` });
    const names = Array.from({ length: 1005 }, (_, i) => `j/${String(i).padStart(5, '0')}.json`);
    for (let i = 0; i < names.length; i += 8) await Promise.all(names.slice(i, i + 8).map((n) => t.put(n, bytes(3))));
    const listed = (await t.list('j/')).map((e) => e.name).sort();
    expect(listed).toEqual(names);
  }, 120_000);

  it('a missing bucket is sync_folder_missing; a clock an hour off is sync_clock_skew naming the skew', async () => {
    const http = { fetch: core.fetcher(core.settings({ provider: { protocol: 'openai', baseUrl: s3Endpoint, model: 's' }, network: network() })), idleMs: 10_000, backoffMs: 10 };
    const noBucket = createS3Target({ endpoint: s3Endpoint, region: 'us-east-1', bucket: 'no-such-bucket', prefix: '', style: 'path', accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, http });
    expect((await caught(noBucket.list(''))).code).toBe('sync_folder_missing');
    const skewed = createS3Target({ endpoint: s3Endpoint, region: 'us-east-1', bucket: s3.bucket, prefix: '', style: 'path', accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, http, now: () => Date.now() - 3600_000 });
    const e = await caught(skewed.list(''));
    expect(e.code).toBe('sync_clock_skew');
    expect(e.message).toMatch(/-3[56]\d\d s off/);
  });
});

