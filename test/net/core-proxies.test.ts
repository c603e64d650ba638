/**
 * The core through real proxies on loopback: squid (plain and basic auth), microsocks (SOCKS5, with and
 * without auth), dante (SOCKS4/5), OpenSSH `ssh -D` (SOCKS4a), stunnel+squid (https:// proxy), mitmproxy (TLS interception). Loopback targets need `<-loopback>`,
 * since loopback goes direct by default.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hostsLookup, newCore, of, providerFor, run } from '../helpers/core.ts';
import { createCore } from '../../src/main/core/index.ts';
import { startUpstream, type Upstream } from '../helpers/upstream.ts';
import { makeTestCA } from '../helpers/certs.ts';
import { freePort, startDante, startMicrosocks, startMitmproxy, startSshSocks, startSquid, startStunnel, waitFor, type MitmproxyServer, type RunningServer, type SquidServer } from '../helpers/servers.ts';
import type { Core } from '../../src/main/core/index.ts';

let httpUp: Upstream;
let tlsUp: Upstream;
let caPath: string;
let squid: SquidServer;
let squidAuth: SquidServer;
let socks: RunningServer;
let socksAuth: RunningServer;
let dante: RunningServer;
let mitm: MitmproxyServer;
let tlsSquid: RunningServer;
let tlsSquidAuth: RunningServer;
let core: Core;

const USER = 'parley';
const PASS = 'p@ss:w0rd/é';
const enc = encodeURIComponent;

beforeAll(async () => {
  const ca = await makeTestCA();
  caPath = ca.caCertPath;
  [httpUp, tlsUp, squid, squidAuth, socks, socksAuth, dante, mitm] = await Promise.all([
    startUpstream(),
    startUpstream({ tls: { cert: ca.cert, key: ca.key } }),
    startSquid(),
    startSquid({ auth: { user: USER, password: PASS } }),
    startMicrosocks(),
    startMicrosocks({ auth: { user: USER, password: PASS } }),
    startDante(),
    startMitmproxy(),
  ]);
  // https:// proxies: TLS to the proxy (stunnel with the test CA's localhost certificate) in front of squid.
  [tlsSquid, tlsSquidAuth] = await Promise.all([
    startStunnel({ targetPort: squid.port, cert: ca.cert, key: ca.key }),
    startStunnel({ targetPort: squidAuth.port, cert: ca.cert, key: ca.key }),
  ]);
}, 60_000);
afterAll(async () => {
  await core?.close();
  await Promise.all([httpUp, tlsUp, squid, squidAuth, socks, socksAuth, dante, mitm, tlsSquid, tlsSquidAuth].map((s) => s?.stop()));
}, 60_000);
beforeEach(async () => {
  await core?.close();
  core = newCore();
  httpUp.clear();
  tlsUp.clear();
});

/** https target (the test CA trusted), through `proxy`. */
const viaProxy = (proxy: string, target: Upstream = tlsUp, extra: Record<string, unknown> = {}) => ({
  provider: providerFor(target.url.replace('127.0.0.1', 'localhost')),
  network: { proxy: { mode: 'manual', url: proxy, bypass: '<-loopback>' }, caFiles: [caPath], retries: 0, ...extra },
});

describe('HTTP proxy (squid)', () => {
  it('https target through CONNECT; the route says so and squid saw it', async () => {
    const r = await run(core, viaProxy(squid.url));
    expect(r.error).toBeUndefined();
    expect(r.text).toBe(tlsUp.defaultText);
    expect(of(r, 'route')[0]?.route).toMatch(/^proxy http:\/\/127\.0\.0\.1:\d+ \(manual\)/);
    await waitFor(() => /CONNECT localhost:/.test(squid.accessLog()), 5000, () => squid.accessLog());
  });
  it('http target forwarded in absolute form', async () => {
    const r = await run(core, viaProxy(squid.url, httpUp));
    expect(r.error).toBeUndefined();
    expect(r.text).toBe(httpUp.defaultText);
    await waitFor(() => /POST http:\/\/localhost:\d+\/v1\/chat\/completions/.test(squid.accessLog()), 5000, () => squid.accessLog());
  });
  it('each protocol streams through squid', async () => {
    for (const protocol of ['openai', 'anthropic', 'ollama'] as const) {
      tlsUp.behave({ kind: 'ok', text: `hi from ${protocol} 你好`, chunkSize: 2 });
      const r = await run(core, { ...viaProxy(squid.url), provider: providerFor(tlsUp.url.replace('127.0.0.1', 'localhost'), protocol) });
      expect(r.error, protocol).toBeUndefined();
      expect(r.text).toBe(`hi from ${protocol} 你好`);
      expect(r.result?.mode).toBe('stream');
    }
  });
  it('basic auth: right credentials (percent-encoded) work, for CONNECT and forwarding', async () => {
    const url = `http://${USER}:${enc(PASS)}@127.0.0.1:${squidAuth.port}`;
    const r1 = await run(core, viaProxy(url));
    expect(r1.error).toBeUndefined();
    const r2 = await run(core, viaProxy(url, httpUp));
    expect(r2.error).toBeUndefined();
  });
  it('basic auth: missing or wrong credentials → proxy_auth_failed, password never shown', async () => {
    const none = await run(core, viaProxy(squidAuth.url));
    expect(none.error?.code).toBe('proxy_auth_failed');
    expect(none.error?.message).toMatch(/no credentials/);
    const wrong = await run(core, viaProxy(`http://${USER}:wrong-secret-pw@127.0.0.1:${squidAuth.port}`));
    expect(wrong.error?.code).toBe('proxy_auth_failed');
    expect(JSON.stringify(wrong.error?.toInfo())).not.toContain('wrong-secret-pw');
    const fwd = await run(core, viaProxy(`http://${USER}:wrong-secret-pw@127.0.0.1:${squidAuth.port}`, httpUp));
    expect(fwd.error?.code).toBe('proxy_auth_failed');
    expect(JSON.stringify(fwd.error?.toInfo())).not.toContain('wrong-secret-pw');
  });
  it('a target that is down behind squid is named as down (squid’s own error answer says so), for CONNECT and forwarding alike', async () => {
    const closed = await freePort();
    for (const scheme of ['https', 'http']) {
      const r = await run(core, { ...viaProxy(squid.url), provider: providerFor(`${scheme}://localhost:${closed}`) });
      expect(r.error?.code, scheme).toBe('connect_refused');
      expect(r.error?.detail).toMatchObject({ hop: 'target', host: `localhost:${closed}`, key: 'proxy_target_refused', status: 503 });
      expect(r.error?.message, scheme).toContain(`Nothing is listening at localhost:${closed}`);
      expect(r.error?.message, scheme).toContain('ERR_CONNECT_FAIL 111');
      expect(r.error?.message, scheme).not.toMatch(/gateway|proxy answered|refused the tunnel/i);
    }
  });
  it('proxy not running → proxy_unreachable', async () => {
    const r = await run(core, viaProxy('http://127.0.0.1:1'));
    expect(r.error?.code).toBe('proxy_unreachable');
    expect(r.error?.detail.host).toBe('127.0.0.1:1');
  });
  it('a SOCKS proxy given as http:// → proxy_refused with a hint about the scheme', async () => {
    const r = await run(core, viaProxy(`http://127.0.0.1:${socks.port}`));
    expect(r.error?.code).toBe('proxy_refused');
    expect(r.error?.hint).toMatch(/socks5h:\/\//);
  });
});

describe('https:// proxy (TLS to the proxy: stunnel in front of squid)', () => {
  it('https target: TLS to the proxy, CONNECT inside it, TLS to the target inside the tunnel', async () => {
    const r = await run(core, viaProxy(`https://localhost:${tlsSquid.port}`));
    expect(r.error).toBeUndefined();
    expect(r.text).toBe(tlsUp.defaultText);
    expect(of(r, 'route')[0]?.route).toMatch(/^proxy https:\/\/localhost:\d+ \(manual\)/);
    await waitFor(() => /CONNECT localhost:/.test(squid.accessLog()), 5000, () => squid.accessLog());
  });
  it('http target: forwarded in absolute form over the TLS connection to the proxy', async () => {
    const r = await run(core, viaProxy(`https://localhost:${tlsSquid.port}`, httpUp));
    expect(r.error).toBeUndefined();
    expect(r.text).toBe(httpUp.defaultText);
  });
  it('basic auth inside TLS: right credentials work; wrong ones → proxy_auth_failed without the password', async () => {
    const ok = await run(core, viaProxy(`https://${USER}:${enc(PASS)}@localhost:${tlsSquidAuth.port}`));
    expect(ok.error).toBeUndefined();
    const wrong = await run(core, viaProxy(`https://${USER}:wrong-secret-pw@localhost:${tlsSquidAuth.port}`));
    expect(wrong.error?.code).toBe('proxy_auth_failed');
    expect(JSON.stringify(wrong.error?.toInfo())).not.toContain('wrong-secret-pw');
  });
  it('the proxy\'s certificate is not trusted → tls_untrusted on the proxy hop, naming its issuer', async () => {
    const r = await run(core, { ...viaProxy(`https://localhost:${tlsSquid.port}`), network: { proxy: { mode: 'manual', url: `https://localhost:${tlsSquid.port}`, bypass: '<-loopback>' }, retries: 0 } });
    expect(r.error?.code).toBe('tls_untrusted');
    expect(r.error?.detail.hop).toBe('proxy');
    expect(r.error?.message).toContain('Parley Test CA');
  });
});

describe('SOCKS proxies', () => {
  for (const scheme of ['socks5', 'socks5h'] as const) {
    it(`${scheme} (microsocks) without auth`, async () => {
      const r = await run(core, viaProxy(`${scheme}://127.0.0.1:${socks.port}`));
      expect(r.error).toBeUndefined();
      expect(r.text).toBe(tlsUp.defaultText);
      expect(of(r, 'route')[0]?.route).toContain(`${scheme}://127.0.0.1:${socks.port}`);
    });
    it(`${scheme} (microsocks) with auth: right, wrong, missing`, async () => {
      const ok = await run(core, viaProxy(`${scheme}://${USER}:${enc(PASS)}@127.0.0.1:${socksAuth.port}`));
      expect(ok.error).toBeUndefined();
      const wrong = await run(core, viaProxy(`${scheme}://${USER}:bad-socks-pw@127.0.0.1:${socksAuth.port}`));
      expect(wrong.error?.code).toBe('proxy_auth_failed');
      expect(JSON.stringify(wrong.error?.toInfo())).not.toContain('bad-socks-pw');
      const missing = await run(core, viaProxy(`${scheme}://127.0.0.1:${socksAuth.port}`));
      expect(missing.error?.code).toBe('proxy_auth_failed');
    });
  }
  // socks4a is not in this loop: Dante 1.4 refuses SOCKS4a host names (it sees 0.0.0.x), and microsocks speaks only
  // SOCKS5; OpenSSH's `ssh -D` shows it below.
  for (const scheme of ['socks4', 'socks5'] as const) {
    it(`${scheme} (dante), https and http targets`, async () => {
      const r = await run(core, viaProxy(`${scheme}://127.0.0.1:${dante.port}`));
      expect(r.error).toBeUndefined();
      expect(r.text).toBe(tlsUp.defaultText);
      const h = await run(core, viaProxy(`${scheme}://127.0.0.1:${dante.port}`, httpUp));
      expect(h.error).toBeUndefined();
    });
  }
  it('SOCKS target refused → proxy_refused', async () => {
    const r = await run(core, { ...viaProxy(`socks5h://127.0.0.1:${socks.port}`), provider: providerFor('https://localhost:1') });
    expect(r.error?.code).toBe('proxy_refused');
  });
  it('SOCKS proxy not running → proxy_unreachable', async () => {
    const r = await run(core, viaProxy('socks5h://127.0.0.1:1'));
    expect(r.error?.code).toBe('proxy_unreachable');
  });
});

describe('SOCKS4a and name resolution by the proxy (OpenSSH `ssh -D`)', () => {
  let sshSocks: RunningServer;
  beforeAll(async () => {
    sshSocks = await startSshSocks();
  });
  afterAll(async () => {
    await sshSocks?.stop();
  });
  // Here no name resolves locally: only schemes that hand the host name to the proxy can work.
  const noLocalNames = (): Core => createCore({ env: {}, random: () => 0, lookup: hostsLookup({}) });
  for (const [scheme, remote] of [['socks4a', true], ['socks5h', true], ['socks4', false], ['socks5', false]] as const) {
    it(`${scheme}: the host name is resolved ${remote ? 'by the proxy (works)' : 'locally (dns_failed)'}`, async () => {
      const c = noLocalNames();
      try {
        const r = await run(c, viaProxy(`${scheme}://127.0.0.1:${sshSocks.port}`));
        if (remote) {
          expect(r.error).toBeUndefined();
          expect(r.text).toBe(tlsUp.defaultText);
        } else {
          expect(r.error?.code).toBe('dns_failed');
        }
      } finally {
        await c.close();
      }
    });
  }
});

describe('TLS interception (mitmproxy)', () => {
  it('untrusted interception → tls_untrusted naming mitmproxy as issuer', async () => {
    const r = await run(core, viaProxy(mitm.url, tlsUp, { caFiles: [caPath] }));
    expect(r.error?.code).toBe('tls_untrusted');
    expect(r.error?.detail.certIssuer).toMatch(/mitmproxy/i);
    expect(r.error?.hint).toMatch(/TLS-inspecting proxy/);
  });
  it('with the interceptor CA trusted (--ca), it works, streaming included', async () => {
    tlsUp.behave({ kind: 'ok', text: 'through the interceptor', chunkSize: 3 });
    const r = await run(core, viaProxy(mitm.url, tlsUp, { caFiles: [caPath, mitm.caCertPath] }));
    expect(r.error).toBeUndefined();
    expect(r.text).toBe('through the interceptor');
  });
});

describe('routing rules', () => {
  it('loopback goes direct by default, even with a dead manual proxy', async () => {
    const r = await run(core, { provider: providerFor(httpUp.url), network: { proxy: { mode: 'manual', url: 'http://127.0.0.1:1' }, retries: 0 } });
    expect(r.error).toBeUndefined();
    expect(of(r, 'route')[0]?.route).toMatch(/direct \(loopback\)/);
  });
  it('a bypass rule sends the host direct and names the rule', async () => {
    const r = await run(core, { provider: providerFor(httpUp.url.replace('127.0.0.1', 'localhost')), network: { proxy: { mode: 'manual', url: 'http://127.0.0.1:1', bypass: '<-loopback>, localhost' }, retries: 0 } });
    expect(r.error).toBeUndefined();
    expect(of(r, 'route')[0]?.route).toMatch(/direct \(bypass rule "localhost"\)/);
  });
  it('CIDR and host:port rules', async () => {
    const cidr = await run(core, { provider: providerFor(httpUp.url), network: { proxy: { mode: 'manual', url: 'http://127.0.0.1:1', bypass: '<-loopback> 127.0.0.0/8' }, retries: 0 } });
    expect(cidr.error).toBeUndefined();
    const wrongPort = await run(core, { provider: providerFor(httpUp.url), network: { proxy: { mode: 'manual', url: 'http://127.0.0.1:1', bypass: '<-loopback> 127.0.0.1:1' }, retries: 0 } });
    expect(wrongPort.error?.code).toBe('proxy_unreachable');
  });
  it('env mode: HTTPS_PROXY / https_proxy (lowercase wins), NO_PROXY plus the bypass list', async () => {
    const env = { https_proxy: squid.url, HTTPS_PROXY: 'http://127.0.0.1:1', NO_PROXY: 'example.invalid' };
    const c = newCore(env);
    try {
      const r = await run(c, { ...viaProxy(''), network: { proxy: { mode: 'env', bypass: '<-loopback>' }, caFiles: [caPath], retries: 0 } });
      expect(r.error).toBeUndefined();
      expect(of(r, 'route')[0]?.route).toMatch(/env https_proxy/);
      const bypassed = await run(c, { ...viaProxy(''), network: { proxy: { mode: 'env', bypass: '<-loopback> localhost' }, caFiles: [caPath], retries: 0 } });
      expect(of(bypassed, 'route')[0]?.route).toMatch(/direct/);
      const c2 = newCore({ HTTPS_PROXY: 'http://127.0.0.1:1', NO_PROXY: 'localhost' });
      const viaNoProxy = await run(c2, { ...viaProxy(''), network: { proxy: { mode: 'env', bypass: '<-loopback>' }, caFiles: [caPath], retries: 0 } });
      expect(viaNoProxy.error).toBeUndefined();
      expect(of(viaNoProxy, 'route')[0]?.route).toMatch(/NO_PROXY rule "localhost"/);
      await c2.close();
    } finally {
      await c.close();
    }
  });
  it('system mode uses the resolver answer; a failing resolver fails closed', async () => {
    const { createCore } = await import('../../src/main/core/index.ts');
    const ok = createCore({ env: {}, systemProxyResolver: async () => `PROXY 127.0.0.1:${squid.port}; DIRECT` });
    const r = await run(ok, { ...viaProxy(''), network: { proxy: { mode: 'system', bypass: '<-loopback>' }, caFiles: [caPath], retries: 0 } });
    expect(r.error).toBeUndefined();
    expect(of(r, 'route')[0]?.route).toMatch(/^proxy http:\/\/127\.0\.0\.1/);
    await ok.close();
    const bad = createCore({ env: {}, systemProxyResolver: async () => { throw new Error('PAC script failed'); } });
    const r2 = await run(bad, { ...viaProxy(''), network: { proxy: { mode: 'system', bypass: '<-loopback>' }, caFiles: [caPath], retries: 0 } });
    expect(r2.error?.code).toBe('proxy_unreachable');
    expect(tlsUp.count()).toBe(1);
    await bad.close();
  });
  it('a TLS-breaking CONNECT proxy → tls_handshake_failed, blaming the proxy hop', async () => {
    const net = await import('node:net');
    // Accepts CONNECT, then drops the tunnel during the TLS handshake (curl: SSL_ERROR_SYSCALL).
    const srv = net.createServer((s) => {
      s.once('data', () => {
        s.write('HTTP/1.1 200 Connection established\r\n\r\n');
        s.once('data', () => s.destroy());
      });
    });
    await new Promise<void>((res) => srv.listen(0, '127.0.0.1', () => res()));
    const port = (srv.address() as import('node:net').AddressInfo).port;
    const r = await run(core, viaProxy(`http://127.0.0.1:${port}`));
    srv.close();
    expect(r.error?.code).toBe('tls_handshake_failed');
    expect(r.error?.hint).toMatch(/bypass list/);
  });
});
