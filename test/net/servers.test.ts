// Smoke tests proving the loopback proxy helpers really proxy traffic.
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { SocksClient } from 'socks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSelfSigned, makeTestCA } from '../helpers/certs.ts';
import type { TestCA } from '../helpers/certs.ts';
import {
  startDante,
  startMicrosocks,
  startMitmproxy,
  startNginx,
  startSquid,
  waitFor,
  withTimeout,
} from '../helpers/servers.ts';
import type { RunningServer } from '../helpers/servers.ts';

const running: RunningServer[] = [];
async function track<T extends RunningServer>(p: Promise<T>): Promise<T> {
  const s = await p;
  running.push(s);
  return s;
}

function listen(server: http.Server | https.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: http.Server | https.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Sends a minimal HTTP/1.1 GET over an established stream and returns the raw response. */
function rawGet(sock: Duplex, hostHeader: string, pathname = '/'): Promise<string> {
  return withTimeout(
    new Promise<string>((resolve, reject) => {
      let data = '';
      sock.setEncoding('utf8');
      sock.on('data', (c: string) => (data += c));
      sock.once('end', () => resolve(data));
      sock.once('error', reject);
      sock.write(`GET ${pathname} HTTP/1.1\r\nHost: ${hostHeader}\r\nConnection: close\r\n\r\n`);
    }),
    10_000,
    'raw GET',
  );
}

interface ProxyResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** Absolute-form request through an HTTP proxy. */
function proxyGet(proxyPort: number, target: string, headers: Record<string, string> = {}): Promise<ProxyResponse> {
  return withTimeout(
    new Promise<ProxyResponse>((resolve, reject) => {
      const u = new URL(target);
      const req = http.request({
        host: '127.0.0.1',
        port: proxyPort,
        method: 'GET',
        path: target,
        headers: { host: u.host, ...headers },
        agent: false,
      });
      req.once('error', reject);
      req.once('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.once('error', reject);
      });
      req.end();
    }),
    10_000,
    `GET ${target} via proxy`,
  );
}

/** Opens a CONNECT tunnel through an HTTP proxy. */
function connectTunnel(
  proxyPort: number,
  authority: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; socket: Duplex }> {
  return withTimeout(
    new Promise((resolve, reject) => {
      const req = http.request({
        host: '127.0.0.1',
        port: proxyPort,
        method: 'CONNECT',
        path: authority,
        headers: { host: authority, ...headers },
        agent: false,
      });
      req.once('error', reject);
      req.once('connect', (res, socket) => resolve({ status: res.statusCode ?? 0, socket }));
      // Non-2xx answers to CONNECT (e.g. 407) arrive as a normal response.
      req.once('response', (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, socket: res.socket });
      });
      req.end();
    }),
    10_000,
    `CONNECT ${authority}`,
  );
}

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

function tlsOver(socket: Duplex, options: tls.ConnectionOptions): Promise<tls.TLSSocket> {
  return withTimeout(
    new Promise((resolve, reject) => {
      const t = tls.connect({ socket, ...options }, () => resolve(t));
      t.once('error', reject);
    }),
    10_000,
    'TLS handshake',
  );
}

describe('loopback proxy helpers', { timeout: 60_000 }, () => {
  let ca: TestCA;
  let httpUp: http.Server;
  let httpsUp: https.Server;
  let upPort: number;
  let tlsPort: number;

  beforeAll(async () => {
    ca = await makeTestCA();
    httpUp = http.createServer((req, res) => {
      if (req.url === '/sse') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end('data: hello\n\n'.repeat(20));
        return;
      }
      if (req.url === '/hang') {
        return; // never answers
      }
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '5' });
      res.end('hello');
    });
    httpsUp = https.createServer({ cert: ca.cert, key: ca.key }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '9' });
      res.end('hello tls');
    });
    upPort = await listen(httpUp);
    tlsPort = await listen(httpsUp);
  });

  afterAll(async () => {
    await Promise.all(running.map((s) => s.stop()));
    await Promise.all([httpUp && closeServer(httpUp), httpsUp && closeServer(httpsUp)]);
    if (ca) await rm(ca.dir, { recursive: true, force: true });
  });

  it('test CA: the upstream HTTPS server verifies against the generated CA', async () => {
    expect(ca.caSubject).toMatch(/^CN=Parley Test CA /);
    const body = await new Promise<string>((resolve, reject) => {
      https
        .get({ host: '127.0.0.1', port: tlsPort, servername: 'localhost', ca: ca.caCert, agent: false }, (res) => {
          let d = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (d += c));
          res.on('end', () => resolve(d));
        })
        .on('error', reject);
    });
    expect(body).toBe('hello tls');
    const self = await makeSelfSigned();
    expect(self.cert).toContain('BEGIN CERTIFICATE');
    await rm(self.dir, { recursive: true, force: true });
  });

  it('squid: absolute-form GET and CONNECT go through the proxy', async () => {
    const squid = await track(startSquid());
    const target = `http://127.0.0.1:${upPort}/`;
    const res = await proxyGet(squid.port, target);
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('hello');
    expect(String(res.headers.via ?? '')).toContain('parley-test-squid');

    const tunnel = await connectTunnel(squid.port, `127.0.0.1:${upPort}`);
    expect(tunnel.status).toBe(200);
    const raw = await rawGet(tunnel.socket, `127.0.0.1:${upPort}`);
    expect(raw).toMatch(/^HTTP\/1\.1 200/);
    expect(raw.endsWith('hello')).toBe(true);

    const log = await waitFor(
      () => {
        const l = squid.accessLog();
        return l.includes(`GET ${target}`) && l.includes(`CONNECT 127.0.0.1:${upPort}`) ? l : undefined;
      },
      10_000,
      () => `squid access log lacks entries:\n${squid.accessLog()}\n${squid.logs()}`,
    );
    expect(log).toContain(`GET ${target}`);
  });

  it('squid with basic auth: 407 without/with wrong credentials, 200 with the right ones', async () => {
    const squid = await track(startSquid({ auth: { user: 'alice', password: 's3cret' } }));
    const target = `http://127.0.0.1:${upPort}/`;

    const none = await proxyGet(squid.port, target);
    expect(none.status).toBe(407);
    expect(String(none.headers['proxy-authenticate'] ?? '')).toMatch(/^Basic/);

    const wrong = await proxyGet(squid.port, target, { 'proxy-authorization': basic('alice', 'nope') });
    expect(wrong.status).toBe(407);

    const ok = await proxyGet(squid.port, target, { 'proxy-authorization': basic('alice', 's3cret') });
    expect(ok.status).toBe(200);
    expect(ok.body.toString()).toBe('hello');

    const deniedTunnel = await connectTunnel(squid.port, `127.0.0.1:${upPort}`);
    expect(deniedTunnel.status).toBe(407);
    deniedTunnel.socket.destroy();
    const tunnel = await connectTunnel(squid.port, `127.0.0.1:${upPort}`, {
      'proxy-authorization': basic('alice', 's3cret'),
    });
    expect(tunnel.status).toBe(200);
    expect(await rawGet(tunnel.socket, `127.0.0.1:${upPort}`)).toMatch(/hello$/);
  });

  it('microsocks: SOCKS5 without auth', async () => {
    const socks = await track(startMicrosocks());
    const { socket } = await SocksClient.createConnection({
      proxy: { host: socks.host, port: socks.port, type: 5 },
      command: 'connect',
      destination: { host: '127.0.0.1', port: upPort },
      timeout: 5000,
    });
    expect(await rawGet(socket, `127.0.0.1:${upPort}`)).toMatch(/^HTTP\/1\.1 200[\s\S]*hello$/);
  });

  it('microsocks: SOCKS5 with auth rejects missing/wrong credentials', async () => {
    const socks = await track(startMicrosocks({ auth: { user: 'bob', password: 'pw1' } }));
    const connect = (userId?: string, password?: string) =>
      SocksClient.createConnection({
        proxy: { host: socks.host, port: socks.port, type: 5, ...(userId ? { userId, password } : {}) },
        command: 'connect',
        destination: { host: '127.0.0.1', port: upPort },
        timeout: 5000,
      });

    const { socket } = await connect('bob', 'pw1');
    expect(await rawGet(socket, `127.0.0.1:${upPort}`)).toMatch(/hello$/);
    await expect(connect('bob', 'wrong')).rejects.toThrow();
    await expect(connect()).rejects.toThrow();
  });

  it('dante: SOCKS4 and SOCKS5 CONNECT', async () => {
    const dante = await track(startDante());
    for (const type of [4, 5] as const) {
      const { socket } = await SocksClient.createConnection({
        proxy: { host: dante.host, port: dante.port, type },
        command: 'connect',
        destination: { host: '127.0.0.1', port: upPort },
        timeout: 5000,
      });
      expect(await rawGet(socket, `127.0.0.1:${upPort}`), `SOCKS${type}\n${dante.logs()}`).toMatch(/hello$/);
    }
  });

  it('mitmproxy: intercepts TLS with its own CA', async () => {
    const mitm = await track(startMitmproxy());
    const mitmCa = readFileSync(mitm.caCertPath);

    const t1 = await connectTunnel(mitm.port, `127.0.0.1:${tlsPort}`);
    expect(t1.status).toBe(200);
    const insecure = await tlsOver(t1.socket, { servername: 'localhost', rejectUnauthorized: false });
    const issuer = insecure.getPeerCertificate().issuer;
    expect(JSON.stringify(issuer)).toMatch(/mitmproxy/);
    insecure.destroy();

    const t2 = await connectTunnel(mitm.port, `127.0.0.1:${tlsPort}`);
    const verified = await tlsOver(t2.socket, { servername: 'localhost', ca: mitmCa });
    expect(verified.authorized).toBe(true);
    expect(await rawGet(verified, `localhost:${tlsPort}`)).toMatch(/hello tls$/);

    // Our own test CA must NOT validate the intercepted connection.
    const t3 = await connectTunnel(mitm.port, `127.0.0.1:${tlsPort}`);
    await expect(tlsOver(t3.socket, { servername: 'localhost', ca: ca.caCert })).rejects.toThrow();
  });

  it('nginx: reverse proxy, gzip on SSE, proxy_read_timeout', async () => {
    const nginx = await track(
      startNginx(
        () => `
    location / { proxy_pass http://127.0.0.1:${upPort}; }
    location /sse {
      proxy_pass http://127.0.0.1:${upPort};
      gzip on; gzip_types text/event-stream; gzip_min_length 1;
    }
    location /hang {
      proxy_pass http://127.0.0.1:${upPort};
      proxy_read_timeout 1s;
    }`,
      ),
    );
    const get = (p: string, headers: Record<string, string> = {}) =>
      new Promise<ProxyResponse>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port: nginx.port, path: p, headers, agent: false }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
          })
          .on('error', reject);
      });

    const plain = await get('/');
    expect(plain.status).toBe(200);
    expect(plain.body.toString()).toBe('hello');
    expect(plain.headers.server).toMatch(/nginx/);

    const sse = await get('/sse', { 'accept-encoding': 'gzip' });
    expect(sse.headers['content-encoding']).toBe('gzip');

    const started = Date.now();
    const hang = await get('/hang');
    expect(hang.status).toBe(504);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });
});
