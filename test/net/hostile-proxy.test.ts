/**
 * Hostile input to the connector and the trust store (issue 8): proxies that answer CONNECT with something
 * that is not HTTP, with an endless head, with a redirect, or not at all; SOCKS proxies that never answer the
 * handshake; a target whose certificate names its IP address only in the CN; CA files that are FIFOs, devices,
 * directories, huge, missing or not PEM. Every proxy here is a raw `net.createServer` on 127.0.0.1.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hostsLookup, newCore, providerFor, run } from '../helpers/core.ts';
import { createCore } from '../../src/main/core/index.ts';
import { makeCnOnlyCert, makeTestCA, type TestCA } from '../helpers/certs.ts';
import { makeTempDir } from '../helpers/proc.ts';
import { startUpstream, type Upstream } from '../helpers/upstream.ts';
import type { Core } from '../../src/main/core/index.ts';

interface FakeProxy {
  port: number;
  /** Bytes received from the client, all connections together. */
  received(): string;
  close(): Promise<void>;
}

/** A raw TCP server on 127.0.0.1 that does whatever `onConn` does with each connection. */
async function fakeProxy(onConn: (s: net.Socket) => void): Promise<FakeProxy> {
  const sockets = new Set<net.Socket>();
  let got = '';
  const srv = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    s.on('data', (d) => {
      got += d.toString('latin1');
    });
    onConn(s);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  return {
    port: (srv.address() as net.AddressInfo).port,
    received: () => got,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => srv.close(r));
    },
  };
}

/** Answers the first chunk of the CONNECT request with `answer` and keeps the connection open. */
const answering = (answer: string | Buffer) => (s: net.Socket) => s.once('data', () => s.write(answer));

let core: Core;
const proxies: FakeProxy[] = [];
async function proxy(onConn: (s: net.Socket) => void): Promise<FakeProxy> {
  const p = await fakeProxy(onConn);
  proxies.push(p);
  return p;
}

beforeAll(() => {
  core = newCore();
});
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});
afterAll(async () => {
  await core.close();
});

/** An https target behind the proxy: it is never reached, the proxy is the hop that fails. */
const viaProxy = (proxyUrl: string, connectMs = 5000) => ({
  provider: providerFor('https://localhost:9'),
  network: { proxy: { mode: 'manual', url: proxyUrl, bypass: '<-loopback>' }, retries: 0, timeouts: { connectMs } },
});

describe('HTTP proxy: the answer to CONNECT', () => {
  it.each([
    ['a four-digit status', 'HTTP/1.1 2000 Connection established\r\n\r\n'],
    ['a status glued to its reason', 'HTTP/1.1 200OK\r\n\r\n'],
    ['HTTP/2 in the status line', 'HTTP/2 200\r\n\r\n'],
    ['two spaces before the status', 'HTTP/1.1  200 OK\r\n\r\n'],
    ['a two-digit status', 'HTTP/1.1 20 OK\r\n\r\n'],
    ['an SSH banner', 'SSH-2.0-OpenSSH_9.6\r\n\r\n'],
  ])('%s → proxy_refused "did not answer CONNECT with HTTP", naming the proxy', async (_name, answer) => {
    const p = await proxy(answering(answer));
    const r = await run(core, viaProxy(`http://127.0.0.1:${p.port}`));
    expect(r.error?.code).toBe('proxy_refused');
    expect(r.error?.message).toContain(`The proxy 127.0.0.1:${p.port} did not answer CONNECT with HTTP`);
    expect(r.error?.detail.hop).toBe('proxy');
    expect(r.error?.detail.host).toBe(`127.0.0.1:${p.port}`);
    expect(r.ms).toBeLessThan(3000);
  });

  it('64 KB of binary garbage → proxy_refused "did not answer CONNECT with HTTP", at once, control bytes not echoed', async () => {
    const garbage = randomBytes(64 * 1024);
    garbage[0] = 0x01; // never "HTTP/" by chance
    const p = await proxy(answering(garbage));
    const r = await run(core, viaProxy(`http://127.0.0.1:${p.port}`));
    expect(r.error?.code).toBe('proxy_refused');
    expect(r.error?.message).toContain(`The proxy 127.0.0.1:${p.port} did not answer CONNECT with HTTP`);
    // The point is to match control characters: none of the proxy's garbage bytes may reach the message.
    // eslint-disable-next-line no-control-regex
    expect(r.error?.message).not.toMatch(/[\x00-\x1f\x7f-\uffff]/);
    expect(r.ms).toBeLessThan(3000);
  });

  it('a head of more than 64 KB without its end → proxy_refused saying so', async () => {
    const pad = `X-Pad: ${'a'.repeat(1000)}\r\n`;
    const p = await proxy((s) => s.once('data', () => s.write('HTTP/1.1 200 Connection established\r\n' + pad.repeat(70))));
    const r = await run(core, viaProxy(`http://127.0.0.1:${p.port}`));
    expect(r.error?.code).toBe('proxy_refused');
    expect(r.error?.message).toContain(`The proxy 127.0.0.1:${p.port} sent more than 64 KB without ending its answer head`);
    expect(r.ms).toBeLessThan(3000);
  });

  it('a 3xx answer → proxy_refused naming where it redirected to (trimmed, without control characters)', async () => {
    const p = await proxy(answering('HTTP/1.1 302 Found\r\nLocation: https://login.corp.example/sso?next=%2F\r\nContent-Length: 0\r\n\r\n'));
    const r = await run(core, viaProxy(`http://127.0.0.1:${p.port}`));
    expect(r.error?.code).toBe('proxy_refused');
    expect(r.error?.message).toContain(`The proxy 127.0.0.1:${p.port}`);
    expect(r.error?.message).toContain('redirected to https://login.corp.example/sso?next=%2F');
    expect(r.error?.detail.status).toBe(302);

    const long = 'https://portal.example/' + 'x'.repeat(500) + '\x1b[31m';
    const p2 = await proxy(answering(`HTTP/1.1 307 Temporary Redirect\r\nlocation: ${long}\r\n\r\n`));
    const r2 = await run(core, viaProxy(`http://127.0.0.1:${p2.port}`));
    expect(r2.error?.code).toBe('proxy_refused');
    expect(r2.error?.message).toContain('redirected to https://portal.example/xxx');
    expect(r2.error?.message).not.toContain('x'.repeat(201));
    // The point is to match control characters: the Location's are removed before it is quoted.
    // eslint-disable-next-line no-control-regex
    expect(r2.error?.message).not.toMatch(/[\x00-\x1f]/);

    const p3 = await proxy(answering('HTTP/1.0 301 Moved Permanently\r\n\r\n'));
    const r3 = await run(core, viaProxy(`http://127.0.0.1:${p3.port}`));
    expect(r3.error?.code).toBe('proxy_refused');
    expect(r3.error?.message).toContain(`The proxy 127.0.0.1:${p3.port} answered CONNECT with a redirect and no location`);
  });

  it('a proxy that accepts and never answers CONNECT → ends within the connect timeout, naming the proxy', async () => {
    const p = await proxy(() => undefined);
    const r = await run(core, viaProxy(`http://127.0.0.1:${p.port}`, 1000));
    expect(r.ms).toBeLessThan(4000);
    expect(r.error?.code).toBe('connect_timeout');
    expect(r.error?.message).toBe(`The proxy 127.0.0.1:${p.port} did not answer CONNECT to localhost:9 within 1000 ms.`);
    expect(r.error?.detail.hop).toBe('proxy');
    expect(r.error?.detail.host).toBe(`127.0.0.1:${p.port}`);
    expect(p.received()).toMatch(/^CONNECT localhost:9 HTTP\/1\.1\r\n/);
  });

  it('a proxy that closes without answering → proxy_refused "closed the connection"', async () => {
    const p = await proxy((s) => s.once('data', () => s.end()));
    const r = await run(core, viaProxy(`http://127.0.0.1:${p.port}`));
    expect(r.error?.code).toBe('proxy_refused');
    expect(r.error?.message).toContain(`The proxy 127.0.0.1:${p.port} closed the connection instead of opening a tunnel to localhost:9`);
  });
});

describe('SOCKS proxy: the handshake', () => {
  it.each(['socks5h', 'socks5', 'socks4a'])('%s: a proxy that accepts and never answers → ends within the connect timeout, saying so', async (scheme) => {
    const p = await proxy(() => undefined);
    const target = { ...viaProxy(`${scheme}://127.0.0.1:${p.port}`, 1000), provider: providerFor('https://127.0.0.1:9') };
    const r = await run(core, target);
    expect(r.ms).toBeLessThan(4000);
    expect(r.error?.code).toBe('proxy_unreachable');
    expect(r.error?.message).toBe(`The SOCKS proxy 127.0.0.1:${p.port} did not answer the handshake within 1000 ms.`);
    expect(r.error?.detail.hop).toBe('proxy');
    expect(r.error?.detail.phase).toBe('proxy_handshake');
    expect(p.received().length).toBeGreaterThan(0);
  });

  it('a SOCKS5 proxy that answers the greeting but never the connect request → connect_timeout naming the target', async () => {
    const p = await proxy((s) => s.once('data', () => s.write(Buffer.from([5, 0]))));
    const r = await run(core, viaProxy(`socks5h://127.0.0.1:${p.port}`, 1000));
    expect(r.ms).toBeLessThan(4000);
    expect(r.error?.code).toBe('connect_timeout');
    expect(r.error?.message).toBe(`The SOCKS proxy 127.0.0.1:${p.port} did not open the tunnel to localhost:9 within 1000 ms.`);
    expect(r.error?.detail.hop).toBe('proxy');
  });

  it('a SOCKS proxy that sends 64 KB of garbage → proxy_refused naming the proxy, at once', async () => {
    const p = await proxy(answering(Buffer.alloc(64 * 1024, 0x41)));
    const r = await run(core, viaProxy(`socks5h://127.0.0.1:${p.port}`));
    expect(r.ms).toBeLessThan(3000);
    expect(r.error?.code).toBe('proxy_refused');
    expect(r.error?.message).toContain(`The SOCKS handshake with 127.0.0.1:${p.port} failed`);
  });

  it('a refused SOCKS proxy port → proxy_unreachable', async () => {
    const p = await fakeProxy(() => undefined);
    await p.close();
    const r = await run(core, viaProxy(`socks5h://127.0.0.1:${p.port}`));
    expect(r.error?.code).toBe('proxy_unreachable');
    expect(r.error?.message).toContain(`127.0.0.1:${p.port}`);
  });

  it('with no connect timeout (0), a SOCKS5 proxy that takes 100 ms per answer still opens the tunnel', async () => {
    const up = await startUpstream();
    try {
      // A minimal SOCKS5 (no auth, CONNECT, domain or IPv4) that waits before each answer.
      const p = await proxy((s) => {
        s.once('data', () => {
          setTimeout(() => {
            s.write(Buffer.from([5, 0]));
            s.once('data', (req: Buffer) => {
              const atyp = req[3];
              const host = atyp === 1 ? [...req.subarray(4, 8)].join('.') : req.subarray(5, 5 + (req[4] ?? 0)).toString();
              const port = req.readUInt16BE(req.length - 2);
              const out = net.connect({ host: host === 'localhost' ? '127.0.0.1' : host, port }, () => {
                setTimeout(() => {
                  s.write(Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]));
                  s.pipe(out).pipe(s);
                }, 100);
              });
              out.on('error', () => s.destroy());
            });
          }, 100);
        });
      });
      const settings = {
        provider: providerFor(up.url),
        network: { proxy: { mode: 'manual', url: `socks5h://127.0.0.1:${p.port}`, bypass: '<-loopback>' }, retries: 0, timeouts: { connectMs: 0 } },
      };
      const r = await run(core, settings);
      expect(r.error).toBeUndefined();
      expect(r.text).toBe(up.defaultText);
    } finally {
      await up.stop();
    }
  });
});

/** A working CONNECT proxy: opens the tunnel to 127.0.0.1 and the port asked for, and pipes. */
const tunnelling = (s: net.Socket) =>
  s.once('data', (d: Buffer) => {
    const port = Number(/^CONNECT [^\s]*:(\d+) HTTP\/1\.1\r\n/.exec(d.toString('latin1'))?.[1]);
    const out = net.connect({ host: '127.0.0.1', port }, () => {
      s.write('HTTP/1.1 200 Connection established\r\n\r\n');
      s.pipe(out).pipe(s);
    });
    out.on('error', () => s.destroy());
  });

describe('TLS identity of an IP-address target', () => {
  let ca: TestCA;
  let cnOnly: Upstream;
  let cnLocalhost: Upstream;
  let withSan: Upstream;
  beforeAll(async () => {
    ca = await makeTestCA();
    const [leaf, leafLocalhost] = await Promise.all([makeCnOnlyCert(ca, '127.0.0.1', ca.dir), makeCnOnlyCert(ca, 'localhost', ca.dir)]);
    [cnOnly, cnLocalhost, withSan] = await Promise.all([startUpstream({ tls: leaf }), startUpstream({ tls: leafLocalhost }), startUpstream({ tls: { cert: ca.cert, key: ca.key } })]);
  });
  afterAll(async () => {
    await Promise.all([cnOnly?.stop(), cnLocalhost?.stop(), withSan?.stop()]);
  });
  const direct = (url: string) => ({ provider: providerFor(url), network: { proxy: { mode: 'none' }, caFiles: [ca.caCertPath], retries: 0 } });

  it('a trusted certificate for 127.0.0.1 as CN only (no SAN) → tls_untrusted, nothing sent', async () => {
    expect(cnOnly.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const r = await run(core, direct(cnOnly.url));
    expect(r.error?.code).toBe('tls_untrusted');
    expect(r.error?.message).toMatch(/is for another host name/);
    expect(r.error?.detail.host).toBe(`127.0.0.1:${cnOnly.port}`);
    expect(cnOnly.requests).toHaveLength(0);
  });
  it('through a proxy named localhost, a certificate for localhost (CN only) is not taken for 127.0.0.1 → tls_untrusted', async () => {
    // The identity must be checked against the target, not the host the socket was first opened to (the proxy).
    const p = await proxy(tunnelling);
    const c = createCore({ env: {}, lookup: hostsLookup(), random: () => 0 });
    try {
      const settings = { provider: providerFor(cnLocalhost.url), network: { proxy: { mode: 'manual', url: `http://localhost:${p.port}`, bypass: '<-loopback>' }, caFiles: [ca.caCertPath], retries: 0 } };
      const r = await run(c, settings);
      expect(r.error?.code).toBe('tls_untrusted');
      expect(r.error?.message).toMatch(/is for another host name/);
      expect(r.error?.detail.host).toBe(`127.0.0.1:${cnLocalhost.port}`);
      expect(cnLocalhost.requests).toHaveLength(0);
      expect(p.received()).toContain(`CONNECT 127.0.0.1:${cnLocalhost.port} HTTP/1.1`);
      // The same route to a certificate that does name 127.0.0.1 works.
      const ok = await run(c, { ...settings, provider: providerFor(withSan.url) });
      expect(ok.error).toBeUndefined();
      expect(ok.text).toBe(withSan.defaultText);
    } finally {
      await c.close();
    }
  });
  it('the same CA\'s certificate with 127.0.0.1 in its SAN is accepted', async () => {
    const r = await run(core, direct(withSan.url));
    expect(r.error).toBeUndefined();
    expect(r.text).toBe(withSan.defaultText);
  });
});

describe('CA files that cannot be used', () => {
  let dir: string;
  let ca: TestCA;
  const files: Record<string, string> = {};
  const writers: ChildProcess[] = [];
  beforeAll(async () => {
    dir = await makeTempDir('hostile-ca');
    ca = await makeTestCA();
    files.missing = path.join(dir, 'missing.pem');
    files.fifo = path.join(dir, 'fifo.pem');
    execFileSync('mkfifo', [files.fifo]);
    files.directory = path.join(dir, 'dir.pem');
    await mkdir(files.directory);
    files.notPem = path.join(dir, 'not-pem.pem');
    await writeFile(files.notPem, 'just some text, no certificate here\n');
    files.armouredGarbage = path.join(dir, 'armoured.pem');
    await writeFile(files.armouredGarbage, '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n');
    files.oversized = path.join(dir, 'big.pem');
    await writeFile(files.oversized, ca.caCert.repeat(Math.ceil((1024 * 1024 + 1) / ca.caCert.length)));
    files.device = '/dev/zero';
  }, 60_000);
  afterAll(() => {
    for (const w of writers) w.kill('SIGKILL');
  });

  const expected = (file: string) => `The CA certificate file ${file} (caFiles[0]) cannot be used: it is not a readable PEM certificate file of at most 1 MB.`;

  async function tryCa(file: string) {
    const r = await run(core, { provider: providerFor('https://127.0.0.1:9'), network: { proxy: { mode: 'none' }, caFiles: [file], retries: 0 } });
    return r;
  }

  it.each(['missing', 'notPem', 'armouredGarbage', 'directory', 'oversized'])('%s → config_invalid with the one message', async (kind) => {
    const file = files[kind]!;
    const r = await tryCa(file);
    expect(r.error?.code).toBe('config_invalid');
    expect(r.error?.message).toBe(expected(file));
    expect(r.error?.detail.hop).toBe('config');
    expect(r.ms).toBeLessThan(5000);
  });

  it('a FIFO is refused at once, without opening it (no writer ever comes)', async () => {
    // Were the FIFO opened for reading, this writer would unblock it after 6 s, so a regression fails on time
    // instead of hanging the test run.
    writers.push(spawn('sh', ['-c', `sleep 6; : > '${files.fifo}'`], { stdio: 'ignore' }));
    const r = await tryCa(files.fifo!);
    expect(r.ms).toBeLessThan(5000);
    expect(r.error?.code).toBe('config_invalid');
    expect(r.error?.message).toBe(expected(files.fifo!));
  });

  it('/dev/zero is refused at once, without reading it', async () => {
    const before = process.memoryUsage().rss;
    const r = await tryCa(files.device!);
    expect(r.ms).toBeLessThan(5000);
    expect(r.error?.code).toBe('config_invalid');
    expect(r.error?.message).toBe(expected('/dev/zero'));
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
  });

  it('NODE_EXTRA_CA_CERTS is held to the same rules, named as such', async () => {
    writers.push(spawn('sh', ['-c', `sleep 6; : > '${files.fifo}'`], { stdio: 'ignore' }));
    const c = newCore({ NODE_EXTRA_CA_CERTS: files.fifo });
    try {
      const r = await run(c, { provider: providerFor('https://127.0.0.1:9'), network: { proxy: { mode: 'none' }, retries: 0 } });
      expect(r.error?.code).toBe('config_invalid');
      expect(r.error?.message).toBe(`The CA certificate file ${files.fifo} (NODE_EXTRA_CA_CERTS) cannot be used: it is not a readable PEM certificate file of at most 1 MB.`);
      expect(r.ms).toBeLessThan(5000);
    } finally {
      await c.close();
    }
  });

  it('the core reads a CA file again only when it changed (size or mtime)', async () => {
    const tlsUp = await startUpstream({ tls: { cert: ca.cert, key: ca.key } });
    const c = newCore();
    try {
      const file = path.join(dir, 'cached.pem');
      await writeFile(file, ca.caCert);
      await utimes(file, 1_700_000_000, 1_700_000_000);
      const settings = { provider: providerFor(tlsUp.url), network: { proxy: { mode: 'none' }, caFiles: [file], retries: 0 } };
      expect((await run(c, settings)).error).toBeUndefined();
      await writeFile(file, 'x'.repeat(ca.caCert.length));
      await utimes(file, 1_700_000_000, 1_700_000_000);
      expect((await run(c, settings)).error).toBeUndefined();
      await utimes(file, 1_700_000_000, 1_700_000_001);
      expect((await run(c, settings)).error?.code).toBe('config_invalid');
    } finally {
      await c.close();
      await tlsUp.stop();
    }
  });

  it('a CA file replaced on disk takes effect at the next request (pooled connections are keyed by the certificates, not the path)', async () => {
    const tlsUp = await startUpstream({ tls: { cert: ca.cert, key: ca.key } });
    const other = await makeTestCA();
    const c = newCore();
    try {
      const file = path.join(dir, 'replaced.pem');
      await writeFile(file, other.caCert);
      const settings = { provider: providerFor(tlsUp.url), network: { proxy: { mode: 'none' }, caFiles: [file], retries: 0 } };
      expect((await run(c, settings)).error?.code).toBe('tls_untrusted');
      // The user fixes the file (the right CA): the next request trusts it, without a restart.
      await writeFile(file, ca.caCert);
      await utimes(file, 1_700_000_000, 1_700_000_002);
      const r = await run(c, settings);
      expect(r.error).toBeUndefined();
      expect(r.text).toBe(tlsUp.defaultText);
    } finally {
      await c.close();
      await tlsUp.stop();
    }
  });

  it('a good CA file right at the size limit is still used', async () => {
    const tlsUp = await startUpstream({ tls: { cert: ca.cert, key: ca.key } });
    try {
      const file = path.join(dir, 'padded.pem');
      const filler = '# padding\n';
      const room = 1024 * 1024 - ca.caCert.length;
      await writeFile(file, ca.caCert + filler.repeat(Math.floor(room / filler.length)) + ' '.repeat(room % filler.length));
      const r = await run(core, { provider: providerFor(tlsUp.url), network: { proxy: { mode: 'none' }, caFiles: [file], retries: 0 } });
      expect(r.error).toBeUndefined();
      expect(r.text).toBe(tlsUp.defaultText);
    } finally {
      await tlsUp.stop();
    }
  });
});
