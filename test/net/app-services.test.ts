/**
 * The app services behind the IPC contract (the same code the Electron shell and the browser host call),
 * through real pieces: the settings file and its secret-free view, the doctor in the app (login-shell
 * environment via a real bash, system proxy, the reverse direct comparison), renderer logs, and the support
 * bundle after a session of requests, failures and settings changes.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostsLookup } from '../helpers/core.ts';
import { makeTestCA } from '../helpers/certs.ts';
import { startSquid, type SquidServer } from '../helpers/servers.ts';
import { startUpstream, type Upstream } from '../helpers/upstream.ts';
import type { AppServices, AppServicesOptions } from '../../src/main/services/app.ts';
import { testAppServices } from '../helpers/app-services.ts';
import { readLoginShellEnv } from '../../src/main/services/settings/shell-env.ts';
import type { DoctorReport, DoctorStep } from '../../src/shared/doctor.ts';
import type { ArgsIn, Channel, ResultOf, SettingsView } from '../../src/shared/ipc.ts';

const KEY_A = 'plainKeyAlpha7Q2w9E4r';          // no known key shape: only the configured-secret rule can catch it
const KEY_B = 'sk-proj-BetaKey0123456789abcdefghijKLMN';
const PW_1 = 'proxyPw#1:ü/x';
const PW_2 = 'secondProxyPw2';
const USER = 'parley';

let dirs: string[] = [];
function tmp(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), `parley-${prefix}-`));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

/** What the CA file dialog answers (the window adds CA files only through it). */
let caDialogAnswer: string | null = null;

function services(dataDir: string, extra: Partial<AppServicesOptions> = {}): { svc: AppServices; steps: DoctorStep[]; exported: string } {
  const steps: DoctorStep[] = [];
  const exported = join(dataDir, 'out', 'bundle.zip');
  const svc = testAppServices(dataDir, {
    chooseExportPath: async () => exported,
    chooseCaFile: async () => caDialogAnswer,
    lookup: hostsLookup(),
    ...extra,
  });
  // One window, ready at once: doctor steps are addressed to the window that ran the doctor.
  svc.attachWindow('w1', (event, payload) => {
    if (event === 'doctor:step') steps.push(payload as DoctorStep);
  });
  svc.hub.ready('w1');
  return { svc, steps, exported };
}

const CALLER = { windowId: 'w1' };

async function call<C extends Channel>(svc: AppServices, channel: C, ...args: ArgsIn<C>): Promise<ResultOf<C>> {
  const r = await svc.invoke(CALLER, channel, args);
  if (!r.ok) throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
  return r.value;
}

/** The one provider of these tests (created, then changed) and the network settings, through the window's channels. */
async function configure(svc: AppServices, c: { provider?: { protocol?: 'openai' | 'anthropic' | 'ollama'; baseUrl?: string; apiKey?: string; model?: string }; network?: Record<string, unknown> }): Promise<SettingsView> {
  const existing = (await call(svc, 'settings:get')).providers[0];
  if (c.provider) {
    const p = c.provider;
    await call(svc, 'providers:save', {
      ...(existing ? { id: existing.id } : {}),
      name: 'Test provider',
      preset: 'custom',
      protocol: p.protocol ?? existing?.protocol ?? 'openai',
      baseUrl: p.baseUrl ?? existing?.baseUrl ?? '',
      ...(p.apiKey !== undefined ? { apiKey: p.apiKey } : {}),
      ...(p.model ? { models: [p.model], defaultModel: p.model } : {}),
    });
  }
  // CA files are picked in the system dialog, as a user does; then saved with the rest.
  for (const f of (c.network?.caFiles as string[] | undefined) ?? []) {
    caDialogAnswer = f;
    await call(svc, 'settings:pickCaFile');
    caDialogAnswer = null;
  }
  if (c.network) await call(svc, 'settings:set', { network: c.network as never });
  return call(svc, 'settings:get');
}

let up: Upstream;
let squidAuth: SquidServer;
let squidHosts: SquidServer;

beforeAll(async () => {
  [up, squidAuth, squidHosts] = await Promise.all([
    startUpstream(),
    startSquid({ auth: { user: USER, password: PW_1 }, hosts: { 'llm.internal.test': '127.0.0.1' } }),
    // Only this proxy knows llm.internal.test: directly the name does not resolve.
    startSquid({ hosts: { 'llm.internal.test': '127.0.0.1' } }),
  ]);
});
afterAll(async () => {
  await Promise.all([up?.stop(), squidAuth?.stop(), squidHosts?.stop()]);
});

describe('settings over IPC', () => {
  it('the renderer sees neither the key nor the proxy password; sending the view back keeps both', async () => {
    const dir = tmp('settings');
    const { svc } = services(dir);
    const view = await configure(svc, {
      provider: { protocol: 'openai', baseUrl: `${up.url}/v1`, apiKey: KEY_A, model: 'test-model' },
      network: { proxy: { mode: 'manual', url: `http://${USER}:${encodeURIComponent(PW_1)}@127.0.0.1:${squidAuth.port}` } },
    });
    const text = JSON.stringify(view);
    expect(text).not.toContain(KEY_A);
    expect(text).not.toContain(encodeURIComponent(PW_1));
    expect(view.providers[0]?.apiKeyMarker).toBe('pla…9E4r (21 chars)');
    expect(view.settings.network?.proxy?.url).toBe(`http://${USER}:********@127.0.0.1:${squidAuth.port}`);
    // Round trip: the view as it came, with one change.
    const again = await call(svc, 'settings:set', { network: { ...view.settings.network, retries: 1 } });
    const p = view.providers[0];
    if (!p) throw new Error('no provider');
    const { apiKeyMarker: _m, ...draft } = p;
    const again2 = await call(svc, 'providers:save', { id: draft.id, name: draft.name, preset: draft.preset, protocol: draft.protocol, baseUrl: draft.baseUrl, models: draft.models, defaultModel: draft.defaultModel, route: draft.route });
    expect(again2.providers[0]?.apiKeyMarker).toBe(view.providers[0]?.apiKeyMarker);
    expect(again.settings.network.retries).toBe(1);
    const file = JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8'));
    expect(file.providers[0].apiKey).toBe(KEY_A);
    expect(file.network.proxy.url).toBe(`http://${USER}:${encodeURIComponent(PW_1)}@127.0.0.1:${squidAuth.port}`);
    expect(file.network.retries).toBe(1);
    // An empty key removes it.
    const removed = await configure(svc, { provider: { apiKey: '' } });
    expect(removed.providers[0]?.apiKeyMarker).toBeNull();
    expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')).providers[0].apiKey).toBeUndefined();
  });

  it('invalid arguments from the renderer are refused with config_invalid, and nothing is written', async () => {
    const dir = tmp('invalid');
    const { svc } = services(dir);
    const r = await svc.invoke(CALLER, 'settings:set', [{ network: { retries: 'many' } }]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('config_invalid');
    expect(readdirSync(dir)).not.toContain('settings.json');
    const unknown = await svc.invoke(CALLER, 'shell:exec' as Channel, []);
    expect(unknown.ok).toBe(false);
    const badLog = await svc.invoke(CALLER, 'log:write', [{ level: 'fatal', message: 'x' }]);
    expect(badLog.ok).toBe(false);
  });

  it('one save names every field it refuses: a bad proxy URL, a bad bypass list and a typed CA file together', async () => {
    const dir = tmp('fields');
    const { svc } = services(dir);
    const r = await svc.invoke(CALLER, 'settings:set', [{ network: { proxy: { mode: 'manual', url: 'htp://proxy.corp:3128', bypass: '10.0.0.0/99' }, caFiles: ['/no/such/typed.pem'] } }]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const fields = [r.error, ...(r.error.also ?? [])].map((e) => e.field);
    expect(fields).toEqual(['proxyUrl', 'bypass', 'caFiles']);
    // The typed path is refused as typed (never read: that would tell whether it exists).
    expect(r.error.also?.find((e) => e.field === 'caFiles')?.key).toBe('ca_file_typed');
    expect(readdirSync(dir)).not.toContain('settings.json');
  });

  it('a broken settings file: the app still starts, says what is wrong, and saving sets it aside', async () => {
    const dir = tmp('broken');
    writeFileSync(join(dir, 'settings.json'), '{"version": 2, "providers": [{"id": "p1", "name": "x", "protocol": "gopher"}]}');
    const { svc } = services(dir);
    const r = await svc.invoke(CALLER, 'settings:get', []);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('config_invalid');
      expect(r.error.message).toContain('providers.0.protocol');
    }
    await call(svc, 'providers:save', { name: 'Fresh', preset: 'custom', protocol: 'openai', baseUrl: `${up.url}/v1`, models: ['m'], defaultModel: 'm' });
    expect(readdirSync(dir).some((f) => f.startsWith('settings.json.broken-'))).toBe(true);
    expect((await call(svc, 'settings:get')).providers[0]?.defaultModel).toBe('m');
  });
});

describe('the doctor in the app', () => {
  it('runs on the saved settings, pushes each step as it finishes, and keeps the report for the bundle', async () => {
    const dir = tmp('doctor');
    const { svc, steps } = services(dir);
    await configure(svc, { provider: { protocol: 'openai', baseUrl: `${up.url}/v1`, apiKey: KEY_A, model: 'test-model' }, network: { proxy: { mode: 'none' } } });
    const report = await call(svc, 'doctor:run');
    expect(report.verdict).toBe('ok');
    expect(steps.map((s) => s.id)).toEqual(report.steps.map((s) => s.id));
    expect(readdirSync(dir).filter((f) => f.startsWith('doctor-'))).toHaveLength(1);
  });

  it('Cancel stops a doctor that hangs on the provider: the report comes back at once, verdict cancelled', async () => {
    const dir = tmp('cancel-doctor');
    const { svc, steps } = services(dir);
    await configure(svc, { provider: { protocol: 'openai', baseUrl: `${up.url}/v1`, apiKey: KEY_A, model: 'test-model' }, network: { proxy: { mode: 'none' } } });
    up.behave({ kind: 'hang', match: 'models' });
    const running = call(svc, 'doctor:run');
    for (let i = 0; i < 100 && !steps.some((st) => st.id === 'tls'); i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now();
    expect(await call(svc, 'doctor:cancel')).toBe(true);
    const report = await running;
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(report.verdict).toBe('cancelled');
    // The step that was running when cancelled is stopped, not failed (issue 9).
    expect(report.steps.find((st) => st.id === 'models')).toMatchObject({ status: 'skip', detail: 'Stopped.' });
    expect(await call(svc, 'doctor:cancel')).toBe(false);
    up.clear();
  });

  it('env_not_inherited: the login shell (real bash) exports HTTPS_PROXY, the desktop-launched app does not have it; direct fails and the hint gives the exact proxy to set', async () => {
    const home = tmp('home');
    const ca = await makeTestCA(undefined, ['llm.internal.test']);
    const tlsUp = await startUpstream({ tls: { cert: ca.cert, key: ca.key } });
    try {
      writeFileSync(join(home, '.bash_profile'), `echo "welcome to bash"\nexport HTTPS_PROXY=http://127.0.0.1:${squidHosts.port}\nexport NO_PROXY=localhost\n`);
      const appEnv = { HOME: home, PATH: process.env.PATH ?? '/usr/bin:/bin', SHELL: '/bin/bash' };
      const dir = tmp('envgap');
      const { svc } = services(dir, { env: appEnv, loginShellEnv: () => readLoginShellEnv({ env: appEnv }) });
      await configure(svc, {
        provider: { protocol: 'openai', baseUrl: `https://llm.internal.test:${tlsUp.port}/v1`, apiKey: KEY_A, model: 'test-model' },
        network: { proxy: { mode: 'env' }, caFiles: [ca.caCertPath] },
      });
      const report: DoctorReport = await call(svc, 'doctor:run');
      expect(report.findings).toContain('env_not_inherited');
      expect(report.steps.find((s) => s.id === 'settings')?.status).toBe('warn');
      expect(report.steps.find((s) => s.id === 'settings')?.detail).toContain('HTTPS_PROXY');
      expect(report.verdict).toBe('dns_failed');
      const direct = report.steps.find((s) => s.id === 'direct');
      expect(direct?.status).toBe('warn');
      expect(direct?.detail).toContain(`127.0.0.1:${squidHosts.port}`);
      expect(report.hints.join('\n')).toContain(`HTTPS_PROXY=http://127.0.0.1:${squidHosts.port}`);
      expect(report.hints.join('\n')).toContain(`set the proxy mode to manual with the proxy URL http://127.0.0.1:${squidHosts.port}`);
      // Following the hint fixes it.
      await call(svc, 'settings:set', { network: { proxy: { mode: 'manual', url: `http://127.0.0.1:${squidHosts.port}` } } });
      const fixed = await call(svc, 'doctor:run');
      expect(fixed.verdict).toBe('ok');
    } finally {
      await tlsUp.stop();
    }
  });

  it('a ${VAR} key only the login shell exports: the app takes it from there (so a provider found there works); the key never appears in the report', async () => {
    const home = tmp('home2');
    writeFileSync(join(home, '.bash_profile'), `export OPENAI_API_KEY=${KEY_B}\n`);
    const appEnv = { HOME: home, PATH: process.env.PATH ?? '/usr/bin:/bin', SHELL: '/bin/bash' };
    const dir = tmp('envkey');
    // Written into the file by hand: from the window, ${OPENAI_API_KEY} may only go to OpenAI's origin.
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ provider: { protocol: 'openai', baseUrl: `${up.url}/v1`, apiKey: '${OPENAI_API_KEY}', model: 'test-model' }, network: { proxy: { mode: 'none' } } }));
    const { svc } = services(dir, { env: appEnv, loginShellEnv: () => readLoginShellEnv({ env: appEnv }) });
    const report = await call(svc, 'doctor:run');
    expect(report.verdict).toBe('ok');
    expect(up.requests.some((r) => r.headers.authorization === `Bearer ${KEY_B}`)).toBe(true);
    expect(JSON.stringify(report)).not.toContain(KEY_B);
    // Without the login shell, the variable is missing and the doctor says which.
    const dir2 = tmp('envkey2');
    writeFileSync(join(dir2, 'settings.json'), readFileSync(join(dir, 'settings.json')));
    const { svc: bare } = services(dir2, { env: appEnv });
    const missing = await call(bare, 'doctor:run');
    expect(missing.verdict).toBe('config_unexpanded_env');
    expect(JSON.stringify(missing)).toContain('OPENAI_API_KEY');
  });

  it('system proxy mode: the doctor routes through what the OS answers, and says so', async () => {
    const dir = tmp('system');
    const { svc } = services(dir, { systemProxyResolver: async () => `PROXY 127.0.0.1:${squidHosts.port}; DIRECT` });
    await configure(svc, { provider: { protocol: 'openai', baseUrl: `http://llm.internal.test:${up.port}/v1`, apiKey: KEY_A, model: 'test-model' }, network: { proxy: { mode: 'system' } } });
    const report = await call(svc, 'doctor:run');
    expect(report.verdict).toBe('ok');
    expect(report.steps.find((s) => s.id === 'route')?.detail).toContain(`127.0.0.1:${squidHosts.port}`);
  });

  it('reverse comparison: proxy mode none fails, the system proxy works → the hint says to set mode system', async () => {
    const dir = tmp('reverse');
    const { svc } = services(dir, { systemProxyResolver: async () => `PROXY 127.0.0.1:${squidHosts.port}` });
    await configure(svc, { provider: { protocol: 'openai', baseUrl: `http://llm.internal.test:${up.port}/v1`, apiKey: KEY_A, model: 'test-model' }, network: { proxy: { mode: 'none' } } });
    const report = await call(svc, 'doctor:run');
    expect(report.verdict).toBe('dns_failed');
    expect(report.steps.find((s) => s.id === 'direct')?.status).toBe('warn');
    expect(report.hints.join('\n')).toContain('set the proxy mode to system');
  });

  it('reverse comparison: nothing to compare with → the direct step says so (skip), not a false hint', async () => {
    const dir = tmp('reverse-none');
    const { svc } = services(dir);
    await configure(svc, { provider: { protocol: 'openai', baseUrl: `http://llm.internal.test:${up.port}/v1`, apiKey: KEY_A, model: 'test-model' }, network: { proxy: { mode: 'none' } } });
    const report = await call(svc, 'doctor:run');
    expect(report.verdict).toBe('dns_failed');
    expect(report.steps.find((s) => s.id === 'direct')?.status).toBe('skip');
    expect(report.hints.join('\n')).not.toContain('reachable through');
  });
});

describe('support bundle after a session with settings changes', () => {
  it('requests, failures, renderer logs and two settings changes later: no key or password anywhere in the zip', async () => {
    const dir = tmp('bundle');
    // The user confirms (the app's native dialog) that the gateway's key goes through their proxy.
    const { svc, exported } = services(dir, { confirmSecretUse: async () => true });
    const proxy1 = `http://${USER}:${encodeURIComponent(PW_1)}@127.0.0.1:${squidAuth.port}`;
    // 1. key A through the authenticating squid (loopback targets bypass proxies, so a name only squid knows).
    await configure(svc, { provider: { protocol: 'openai', baseUrl: `http://llm.internal.test:${up.port}/v1`, apiKey: KEY_A, model: 'test-model' }, network: { proxy: { mode: 'manual', url: proxy1 } } });
    const r1 = await call(svc, 'doctor:run');
    expect(r1.verdict).toBe('ok');
    expect(r1.steps.find((st) => st.id === 'route')?.detail).toContain(`127.0.0.1:${squidAuth.port}`);
    await call(svc, 'log:write', { level: 'info', message: `renderer: user pasted ${KEY_A} into the wrong field`, data: { apiKey: KEY_A, url: proxy1 } });
    // 2. the provider rejects the key.
    up.behave({ kind: 'status', status: 401, match: 'models' });
    expect((await call(svc, 'doctor:run')).verdict).toBe('auth_rejected');
    // 3. settings change: key B and a wrong proxy password.
    await configure(svc, { provider: { apiKey: KEY_B }, network: { proxy: { mode: 'manual', url: `http://${USER}:${PW_2}@127.0.0.1:${squidAuth.port}` } } });
    const r3 = await call(svc, 'doctor:run');
    expect(r3.verdict).toBe('proxy_auth_failed');
    await call(svc, 'log:write', { level: 'error', message: `Uncaught Error: boom with ${KEY_B} and ${PW_2}`, data: { stack: `at x (${PW_1})` } });
    // 4. settings change: back to direct, no key.
    await configure(svc, { provider: { apiKey: '' }, network: { proxy: { mode: 'none' } } });
    svc.logger.scope('transport').warn('late line quoting old secrets', { a: KEY_A, b: KEY_B, p1: PW_1, p2: PW_2 });

    const res = await call(svc, 'diagnostics:export');
    expect(res?.path).toBe(exported);
    const files = unzipSync(readFileSync(exported));
    const names = Object.keys(files);
    expect(names).toEqual(expect.arrayContaining(['manifest.json', 'settings.json', 'versions.json', 'env-proxy.json', 'logs/parley.log']));
    expect(names.filter((n) => n.startsWith('doctor/'))).toHaveLength(3);
    const all = names.map((n) => strFromU8(files[n] as Uint8Array)).join('\n');
    for (const secret of [KEY_A, KEY_B, PW_1, PW_2, encodeURIComponent(PW_1)]) expect(all).not.toContain(secret);
    const log = strFromU8(files['logs/parley.log'] as Uint8Array);
    const lines = log.trim().split('\n').map((l) => JSON.parse(l) as { scope: string; message: string });
    // Renderer lines reached the same file, scoped ui; doctor steps and settings changes are there too.
    expect(lines.filter((l) => l.scope === 'ui').map((l) => l.message)).toEqual([
      expect.stringContaining('renderer: user pasted'),
      expect.stringContaining('Uncaught Error: boom'),
    ]);
    expect(lines.filter((l) => l.scope === 'storage' && l.message === 'settings saved').length).toBeGreaterThanOrEqual(3);
    expect(lines.some((l) => l.scope === 'doctor' && l.message === 'step proxy')).toBe(true);
    // The doctor's own requests leave their connection timeline (here: connect to the forwarding proxy).
    const connects = log.trim().split('\n').map((l) => JSON.parse(l) as { scope: string; message: string; data?: { detail?: string } }).filter((l) => l.scope === 'transport' && l.message === 'connect');
    expect(connects.some((l) => l.data?.detail?.includes(String(squidAuth.port)))).toBe(true);
    const manifest = JSON.parse(strFromU8(files['manifest.json'] as Uint8Array));
    expect(manifest.secretsStripped).toBeGreaterThan(0);
  });

  it('a cancelled save dialog writes nothing and says so (null)', async () => {
    const dir = tmp('cancel');
    const { svc } = services(dir, { chooseExportPath: async () => null });
    expect(await call(svc, 'diagnostics:export')).toBeNull();
    mkdirSync(join(dir, 'out'), { recursive: true });
    expect(readdirSync(join(dir, 'out'))).toHaveLength(0);
  });
});
