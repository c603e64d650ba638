/**
 * The connection doctor through the real pieces on loopback: squid (plain and basic auth), mitmproxy,
 * nginx (gzip holding the stream), a TLS-breaking CONNECT proxy and the misbehaving upstream.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from '../helpers/cli.ts';
import { testAppServices } from '../helpers/app-services.ts';
import { hostsLookup, providerFor } from '../helpers/core.ts';
import { startUpstream, type Upstream } from '../helpers/upstream.ts';
import { makeTestCA } from '../helpers/certs.ts';
import { freePort, waitFor, startMitmproxy, startNginx, startSquid, type MitmproxyServer, type RunningServer, type SquidServer } from '../helpers/servers.ts';
import { looksBuffered, runDoctor, type DoctorReport } from '../../src/main/services/doctor/index.ts';


let httpUp: Upstream;
let tlsUp: Upstream;
let caPath: string;
let squid: SquidServer;
let squidAuth: SquidServer;
let mitm: MitmproxyServer;
let nginx: RunningServer;

const USER = 'parley';
const PASS = 'p@ss:w0rd';

beforeAll(async () => {
  const ca = await makeTestCA();
  caPath = ca.caCertPath;
  [httpUp, tlsUp, squid, squidAuth, mitm] = await Promise.all([
    startUpstream(),
    startUpstream({ tls: { cert: ca.cert, key: ca.key } }),
    startSquid(),
    startSquid({ auth: { user: USER, password: PASS } }),
    startMitmproxy(),
  ]);
  nginx = await startNginx(({ port }) => `
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    location /gzip/ {
      gzip on; gzip_types text/event-stream application/x-ndjson; gzip_min_length 1; gzip_proxied any;
      proxy_set_header Accept-Encoding "";
      proxy_pass http://127.0.0.1:${httpUp.port}/;
    }
    # Parley sends no Accept-Encoding, so /hold/ asks /gzip/ for gzip (which holds the event stream back
    # until the end) and gunzips it for the client again.
    location /hold/ {
      gunzip on;
      proxy_buffering off;
      proxy_set_header Accept-Encoding gzip;
      proxy_pass http://127.0.0.1:${port}/gzip/;
    }
    location / {
      proxy_buffering off;
      proxy_pass http://127.0.0.1:${httpUp.port}/;
    }
  `);
}, 60_000);
afterAll(async () => {
  await Promise.all([httpUp, tlsUp, squid, squidAuth, mitm, nginx].map((s) => s?.stop()));
}, 60_000);
beforeEach(() => {
  httpUp.clear();
  tlsUp.clear();
});

const tlsTarget = (): string => tlsUp.url.replace('127.0.0.1', 'localhost');
const direct = (url = tlsTarget(), extra: Record<string, unknown> = {}) => ({
  provider: providerFor(url),
  network: { proxy: { mode: 'none' }, caFiles: [caPath], ...extra },
});
const viaProxy = (proxy: string, url = tlsTarget(), extra: Record<string, unknown> = {}) => ({
  provider: providerFor(url),
  network: { proxy: { mode: 'manual', url: proxy, bypass: '<-loopback>' }, caFiles: [caPath], retries: 0, ...extra },
});
const doctor = (raw: unknown, env: Record<string, string | undefined> = {}): Promise<DoctorReport> => runDoctor(raw, { env });
const stepOf = (r: DoctorReport, id: string) => r.steps.find((s) => s.id === id);

describe('doctor: working routes', () => {
  it('ok direct: every step passes, timed, DNS split by family', async () => {
    const r = await doctor(direct());
    expect(r.verdict, JSON.stringify(r)).toBe('ok');
    for (const id of ['settings', 'route', 'dns', 'connect', 'tls', 'models', 'completion', 'stream']) expect(stepOf(r, id)?.status, id).toBe('pass');
    // A direct route has no proxy: its connection step is "connect", not "proxy".
    expect(stepOf(r, 'proxy')).toBeUndefined();
    expect(stepOf(r, 'dns')?.detail).toMatch(/IPv4 127\.0\.0\.1/);
    expect(stepOf(r, 'dns')?.detail).toMatch(/IPv6/);
    expect(stepOf(r, 'tls')?.detail).toMatch(/TLSv1\.[23].*Parley Test/i);
    expect(stepOf(r, 'route')?.detail).toMatch(/^direct/);
    expect(r.steps.every((s) => typeof s.ms === 'number' && s.ms >= 0)).toBe(true);
  });
  it('ok through squid', async () => {
    const r = await doctor(viaProxy(squid.url));
    expect(r.verdict, JSON.stringify(r)).toBe('ok');
    expect(stepOf(r, 'proxy')?.status).toBe('pass');
    expect(stepOf(r, 'connect')).toBeUndefined();
    expect(stepOf(r, 'route')?.detail).toMatch(/^proxy http:\/\/127\.0\.0\.1:\d+ \(manual\)/);
    expect(stepOf(r, 'proxy')?.status).toBe('pass');
    // The completion, the stream, and the body-limit probe (2 MB for a model that does not exist).
    expect(tlsUp.chatRequests.length).toBe(3);
    expect(tlsUp.chatRequests[2]?.model).toBe('parley-body-limit-probe-no-such-model');
    await waitFor(() => /CONNECT localhost:/.test(squid.accessLog()), 5000, () => squid.accessLog());
  });
});

describe('doctor: settings', () => {
  it('bind address target → bind_address_target with a 127.0.0.1 hint', async () => {
    const r = await doctor(direct(`http://0.0.0.0:${httpUp.port}`));
    expect(r.verdict).toBe('bind_address_target');
    expect(r.findings).toContain('bind_address_target');
    expect(r.hints.join(' ')).toMatch(/127\.0\.0\.1|localhost/);
    expect(httpUp.requests.length).toBe(0);
  });
  it('unset ${VAR} → config_unexpanded_env, nothing sent', async () => {
    const raw = direct(httpUp.url);
    const r = await doctor({ ...raw, provider: { ...raw.provider, apiKey: '${PARLEY_DOCTOR_UNSET}' } });
    expect(r.verdict).toBe('config_unexpanded_env');
    expect(stepOf(r, 'settings')?.status).toBe('fail');
    expect(stepOf(r, 'connect')?.status).toBe('skip');
    expect(httpUp.requests.length).toBe(0);
  });
  it('missing /v1, doubled /v1 and an Anthropic key on openai → warnings with the corrected URL', async () => {
    const a = await doctor({ provider: { protocol: 'openai', baseUrl: 'http://127.0.0.1:9', model: 'm', apiKey: 'sk-ant-abc' }, network: { proxy: { mode: 'none' }, connectTimeout: 1000 } });
    expect(stepOf(a, 'settings')?.status).toBe('warn');
    expect(a.hints.join(' ')).toContain('http://127.0.0.1:9/v1');
    expect(a.hints.join(' ')).toMatch(/Anthropic key/);
    const b = await doctor({ provider: { protocol: 'openai', baseUrl: 'http://127.0.0.1:9/v1/v1', model: 'm' }, network: { proxy: { mode: 'none' } } });
    expect(b.hints.join(' ')).toContain('use http://127.0.0.1:9/v1.');
    const c = await doctor({ provider: { protocol: 'anthropic', baseUrl: 'http://127.0.0.1:9/v1', model: 'm', apiKey: 'sk-ant-x' }, network: { proxy: { mode: 'none' } } });
    expect(stepOf(c, 'settings')?.status).toBe('pass');
  });
});

describe('doctor: proxies', () => {
  it('squid with a wrong password → proxy_auth_failed', async () => {
    const r = await doctor(viaProxy(`http://${USER}:wrong@127.0.0.1:${squidAuth.port}`));
    expect(r.verdict, JSON.stringify(r)).toBe('proxy_auth_failed');
    expect(stepOf(r, 'proxy')?.status).toBe('fail');
    expect(stepOf(r, 'tls')?.status).toBe('skip');
  });
  it('nothing listening at the proxy → proxy_unreachable, and the direct route is offered', async () => {
    const port = await freePort();
    const r = await doctor(viaProxy(`http://127.0.0.1:${port}`));
    expect(r.verdict).toBe('proxy_unreachable');
    expect(stepOf(r, 'direct')?.status).toBe('warn');
    expect(r.hints.join(' ')).toMatch(/add "localhost" to the bypass list/);
  });
  it('mitmproxy → tls_untrusted naming mitmproxy as the issuer, recognised as interception', async () => {
    const r = await doctor(viaProxy(mitm.url));
    expect(r.verdict, JSON.stringify(r)).toBe('tls_untrusted');
    expect(stepOf(r, 'tls')?.detail).toMatch(/Issuer: .*mitmproxy/i);
    expect(r.findings).toContain('tls_interception');
    expect(r.hints.join(' ')).toMatch(/--ca FILE/);
  });
  it('a CONNECT proxy that drops the TLS handshake, direct working → proxy_breaks_tls with a bypass hint', async () => {
    const srv = net.createServer((s) => {
      s.once('data', () => {
        s.write('HTTP/1.1 200 Connection established\r\n\r\n');
        s.once('data', () => s.destroy());
      });
    });
    await new Promise<void>((res) => srv.listen(0, '127.0.0.1', () => res()));
    const port = (srv.address() as net.AddressInfo).port;
    try {
      const r = await doctor(viaProxy(`http://127.0.0.1:${port}`));
      expect(r.verdict, JSON.stringify(r)).toBe('proxy_breaks_tls');
      expect(r.hints.join(' ')).toMatch(/add "localhost" to the bypass list/);
    } finally {
      srv.close();
    }
  });
});

describe('doctor: a proxy that forwards http:// requests and refuses CONNECT', () => {
  // A name only the proxy resolves: the direct route fails at DNS, through the proxy the provider answers.
  const NAME = 'llm.internal.test';
  let fwdOnly: SquidServer;
  beforeAll(async () => {
    fwdOnly = await startSquid({ hosts: { [NAME]: '127.0.0.1' }, connect: false });
  }, 60_000);
  afterAll(() => fwdOnly?.stop(), 30_000);
  const target = (): string => `http://${NAME}:${httpUp.port}`;
  const run = (raw: unknown, env: Record<string, string> = {}): Promise<DoctorReport> => runDoctor(raw, { env, lookup: hostsLookup({}) });

  it('the proxy refuses CONNECT, and chat through it works (forwarded): the doctor says ok', async () => {
    const refused = await new Promise<string>((resolve, reject) => {
      const sock = net.connect(fwdOnly.port, '127.0.0.1', () => sock.write(`CONNECT ${NAME}:${httpUp.port} HTTP/1.1\r\nHost: ${NAME}:${httpUp.port}\r\n\r\n`));
      sock.once('data', (d) => {
        resolve(d.toString('latin1').split('\r\n')[0] ?? '');
        sock.destroy();
      });
      sock.once('error', reject);
    });
    expect(refused).toMatch(/^HTTP\/1\.[01] 403/);
    await waitFor(() => /TCP_DENIED\/403 \d+ CONNECT/.test(fwdOnly.accessLog()), 5000, () => fwdOnly.accessLog());
    const r = await run(viaProxy(fwdOnly.url, target()));
    expect(r.verdict, JSON.stringify(r)).toBe('ok');
    // The completion, the stream, and the body-limit probe, each forwarded by the proxy.
    expect(httpUp.chatRequests.length).toBe(3);
  });

  it('direct fails, HTTP_PROXY names this proxy: the comparison sends the request as chat would (forwarded), says it works there and how to use it', async () => {
    const logged = fwdOnly.accessLog().length;
    const r = await run(direct(target()), { HTTP_PROXY: fwdOnly.url });
    expect(r.verdict, JSON.stringify(r)).toBe('dns_failed');
    expect(stepOf(r, 'direct')?.status, JSON.stringify(stepOf(r, 'direct'))).toBe('warn');
    expect(stepOf(r, 'direct')?.detail).toContain(`through ${fwdOnly.url} (HTTP_PROXY in the environment) it works`);
    expect(r.hints.join('\n')).toContain('set the proxy mode to env');
    // The comparison went as a forwarded request, never as a tunnel, and the API key did not go to a proxy the
    // user has not chosen.
    await waitFor(() => new RegExp(`GET http://${NAME}:\\d+/v1/models`).test(fwdOnly.accessLog().slice(logged)), 5000, () => fwdOnly.accessLog());
    expect(fwdOnly.accessLog().slice(logged)).not.toMatch(/CONNECT/);
    expect(httpUp.requests.filter((q) => q.route === 'models').map((q) => q.headers.authorization)).toEqual([undefined]);
  });
});

describe('doctor: provider', () => {
  it('401 on the model list → auth_rejected', async () => {
    httpUp.behave({ kind: 'status', status: 401, match: 'models' });
    const r = await doctor(direct(httpUp.url));
    expect(r.verdict).toBe('auth_rejected');
    expect(stepOf(r, 'models')?.status).toBe('fail');
    expect(stepOf(r, 'completion')?.status).toBe('skip');
  });
  it('model not in the list → warning model_not_found, chat still works', async () => {
    const raw = direct(httpUp.url);
    const r = await doctor({ ...raw, provider: { ...raw.provider, model: 'no-such-model' } });
    expect(stepOf(r, 'models')?.status).toBe('warn');
    expect(r.findings).toContain('model_not_found');
    expect(r.hints.join(' ')).toMatch(/test-model/);
  });
  it('stream fails (gateway 502 page) while whole answers work → stream_broken', async () => {
    httpUp.behave({ kind: 'streamOnly', then: { kind: 'status', status: 502, body: '<html><body><h1>502 Bad Gateway</h1></body></html>', contentType: 'text/html' } });
    httpUp.behave({ kind: 'streamOnly', then: { kind: 'status', status: 502, body: '<html><body><h1>502 Bad Gateway</h1></body></html>', contentType: 'text/html' } });
    const r = await doctor(direct(httpUp.url));
    expect(r.verdict, JSON.stringify(r)).toBe('stream_broken');
    expect(stepOf(r, 'completion')?.status).toBe('pass');
    expect(stepOf(r, 'stream')?.status).toBe('warn');
  });
  it('stream cut short while whole answers work → finding stream_interrupted, verdict stream_broken', async () => {
    httpUp.behave({ kind: 'ok' }, { kind: 'cut', afterChunks: 2 });
    const r = await doctor(direct(httpUp.url));
    expect(r.verdict, JSON.stringify(r)).toBe('stream_broken');
    expect(r.findings).toContain('stream_interrupted');
  });
  it('http target through squid (forwarded): ok', async () => {
    const r = await doctor(viaProxy(squid.url, httpUp.url.replace('127.0.0.1', 'localhost')));
    expect(r.verdict, JSON.stringify(r)).toBe('ok');
    expect(stepOf(r, 'route')?.detail).toMatch(/^proxy http:/);
  });
  it('nginx holding the stream (gzip, then gunzip) → stream_buffered; unbuffered nginx → ok', async () => {
    httpUp.behave({ kind: 'ok' }, { kind: 'ok', text: 'held back then released', gapMs: 80, chunkSize: 2 });
    const r = await doctor(direct(nginx.url + '/hold'));
    expect(r.verdict, JSON.stringify(r)).toBe('stream_buffered');
    expect(stepOf(r, 'stream')?.status).toBe('warn');
    httpUp.behave({ kind: 'ok' }, { kind: 'ok', text: 'held back then released', gapMs: 80, chunkSize: 2 });
    const ok = await doctor(direct(nginx.url));
    expect(ok.verdict, JSON.stringify(ok)).toBe('ok');
  });
  it('the buffering rule', () => {
    expect(looksBuffered([900, 901, 902, 903], 905)).toBe(true);
    expect(looksBuffered([100, 200, 300, 900], 905)).toBe(false);
    expect(looksBuffered([10, 11, 12], 13)).toBe(false);
    expect(looksBuffered([900, 901], 905)).toBe(false);
  });
});

describe('doctor: what happened, in words the window can translate', () => {
  it('cancelled half way: verdict cancelled, the step that was running is "Stopped." (not failed), no failure and no hint', async () => {
    httpUp.behave({ kind: 'hang', match: 'models' });
    const ac = new AbortController();
    const seen: string[] = [];
    const run = runDoctor(direct(httpUp.url), { env: {}, signal: ac.signal, onStep: (st) => {
      seen.push(st.id);
      if (st.id === 'tls') setTimeout(() => ac.abort(), 200);
    } });
    const r = await run;
    expect(r.verdict, JSON.stringify(r)).toBe('cancelled');
    expect(r.steps.some((s) => s.status === 'fail'), JSON.stringify(r.steps)).toBe(false);
    expect(stepOf(r, 'models')).toMatchObject({ status: 'skip', detail: 'Stopped.' });
    expect(stepOf(r, 'completion')?.detail).toBe('Stopped.');
    expect(r.findings).toEqual([]);
    expect(r.hints).toEqual([]);
    expect(seen).toContain('models');
  });
  it('every step detail and hint comes with its sentences (key, values, English text); an error sentence carries the error\'s key and the provider\'s words', async () => {
    httpUp.behave({ kind: 'status', status: 401, match: 'models', body: { error: { message: 'Incorrect API key provided: sk-t***.', type: 'invalid_request_error' } } });
    const r = await doctor(direct(httpUp.url));
    expect(r.verdict).toBe('auth_rejected');
    for (const st of r.steps) {
      expect(st.words?.length, st.id).toBeGreaterThan(0);
      expect(st.words?.every((w) => /^(doctor|error|errorHint)\./.test(w.key)), st.id).toBe(true);
    }
    expect(stepOf(r, 'settings')?.words).toEqual([{ key: 'doctor.settings_ok', params: { protocol: 'openai', model: 'test-model' }, text: 'Settings valid (openai, test-model).' }]);
    expect(stepOf(r, 'models')?.words?.[0]).toMatchObject({ key: 'error.auth_rejected_401', params: { code: 'auth_rejected', status: 401, words: 'Incorrect API key provided: sk-t***.' } });
    expect(r.hintWords?.map((w) => w.text)).toEqual(r.hints);
    expect(r.hintWords?.map((w) => w.key)).toEqual(['errorHint.auth_rejected_401']);
  });
});

describe('parley doctor (CLI)', () => {
  const cli = (args: string[], home: string): Promise<CliRun> => runCli(['doctor', ...args], { home });
  it('a key of settings.json Parley does not know is named by the settings step, in the CLI and in the app', async () => {
    const home = mkdtempSync(join(tmpdir(), 'parley-doctor-unknown-'));
    try {
      writeFileSync(join(home, 'settings.json'), JSON.stringify({
        version: 2,
        providers: [{ id: 'up', name: 'Local', baseUrl: httpUp.url, models: ['test-model'], defaultModel: 'test-model', temprature: 0.2 }],
        defaults: { providerId: 'up' },
        network: { proxy: { mode: 'none' }, retriez: 5 },
      }));
      const r = await cli(['--json'], home);
      const report = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as DoctorReport;
      const settings = report.steps.find((st) => st.id === 'settings');
      expect(settings?.status).toBe('warn');
      expect(settings?.detail).toContain('network.retriez');
      expect(settings?.detail).toContain('Local: temprature');
      expect(report.findings).toContain('settings_suspect');
      // Chat still works: a warning, not a failure.
      expect(r.code).toBe(0);
      const svc = testAppServices(home);
      try {
        const run = await svc.invoke({ windowId: 'w' }, 'doctor:run', []);
        expect(run.ok && run.value.steps.find((st) => st.id === 'settings')?.detail).toContain('network.retriez');
      } finally {
        await svc.close();
      }
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('exit 0 and one JSON object when chat works; non-zero on failure; reports saved', async () => {
    const home = mkdtempSync(join(tmpdir(), 'parley-doctor-'));
    try {
      const ok = await cli(['--base-url', httpUp.url, '--model', 'test-model', '--api-key', 'sk-test', '--proxy-mode', 'none', '--json'], home);
      expect(ok.code, ok.stdout).toBe(0);
      const lines = ok.stdout.trim().split('\n');
      expect(lines.length).toBe(1);
      const report = JSON.parse(lines[0] ?? '') as DoctorReport;
      expect(Object.keys(report).sort()).toEqual(['findings', 'hints', 'steps', 'verdict']);
      expect(report.verdict).toBe('ok');
      const port = await freePort();
      const bad = await cli(['--base-url', httpUp.url, '--model', 'test-model', '--proxy', `http://127.0.0.1:${port}`, '--no-proxy', '<-loopback>'], home);
      expect(bad.code).toBe(1);
      expect(bad.stdout).toMatch(/^FAIL proxy/m);
      expect(bad.stdout).not.toMatch(/^\S+ +connect /m);
      expect(bad.stdout).toMatch(/verdict: proxy_unreachable/);
      expect(readdirSync(home).filter((f) => f.startsWith('doctor-')).length).toBe(2);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }, 30_000);
});
