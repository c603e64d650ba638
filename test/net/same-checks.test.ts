/**
 * One check, three places: a value the settings panel refuses on save (main's 'settings:set' / 'providers:save'
 * through the app services, as the window calls them) is refused by the doctor (on the same settings written to
 * settings.json by hand) and by the command line (run as a process) with the same reason: the same message of
 * checkBaseUrl (and its corrected URL), of the proxy URL parser, of the route's bypass rule and of the CA file check.
 */
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from '../helpers/cli.ts';
import { hostsLookup } from '../helpers/core.ts';
import { makeTestCA } from '../helpers/certs.ts';
import { startUpstream, type Upstream } from '../helpers/upstream.ts';
import type { AppServices } from '../../src/main/services/app.ts';
import { testAppServices } from '../helpers/app-services.ts';
import type { ErrorInfo } from '../../src/shared/errors.ts';
import type { ArgsIn, Channel } from '../../src/shared/ipc.ts';
import type { DoctorReport } from '../../src/shared/doctor.ts';

const CALLER = { windowId: 'w1' };
/** A provider that is not on loopback (loopback goes direct before any proxy setting is read); never reached. */
const FAR = 'https://llm.example.invalid/v1';

let up: Upstream;
const dirs: string[] = [];
const tmp = (p: string): string => {
  const d = mkdtempSync(join(tmpdir(), `parley-same-${p}-`));
  dirs.push(d);
  return d;
};
/** What the CA file dialog answers. */
let picked: string | null = null;

beforeAll(async () => {
  up = await startUpstream();
});
afterAll(async () => {
  await up?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function services(dataDir: string): AppServices {
  const svc = testAppServices(dataDir, {
    chooseExportPath: async () => join(dataDir, 'out.zip'),
    chooseCaFile: async () => picked,
    lookup: hostsLookup(),
  });
  svc.attachWindow('w1', () => undefined);
  svc.hub.ready('w1');
  return svc;
}

async function refused<C extends Channel>(svc: AppServices, channel: C, ...args: ArgsIn<C>): Promise<ErrorInfo> {
  const r = await svc.invoke(CALLER, channel, args);
  if (r.ok) throw new Error(`${channel} saved a value it should refuse`);
  return r.error;
}

async function ok<C extends Channel>(svc: AppServices, channel: C, ...args: ArgsIn<C>): Promise<void> {
  const r = await svc.invoke(CALLER, channel, args);
  if (!r.ok) throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
}

interface Case {
  name: string;
  /** The provider's base URL for the doctor and the command line (default: the loopback upstream). */
  target?: string;
  baseUrl?: string;
  proxy?: { mode: 'manual' | 'env'; url?: string; bypass?: string };
  caFile?: string;
}

/** The doctor in the app, on settings.json written by hand: every sentence it says (step details and hints). */
async function doctorText(c: Case): Promise<{ report: DoctorReport; text: string }> {
  const dataDir = tmp('doctor');
  writeFileSync(join(dataDir, 'settings.json'), JSON.stringify({
    version: 2,
    providers: [{ id: 'p1', name: 'Hand written', protocol: 'openai', baseUrl: c.baseUrl ?? c.target ?? `${up.url}/v1`, apiKey: 'sk-test', models: ['test-model'], defaultModel: 'test-model' }],
    defaults: { providerId: 'p1', model: 'test-model' },
    network: { proxy: { mode: c.proxy?.mode ?? 'none', ...(c.proxy?.url !== undefined ? { url: c.proxy.url } : {}), bypass: c.proxy?.bypass ?? '' }, caFiles: c.caFile ? [c.caFile] : [], retries: 0 },
  }, null, 2), { mode: 0o600 });
  const svc = services(dataDir);
  try {
    const r = await svc.invoke(CALLER, 'doctor:run', [{ providerId: 'p1' }]);
    if (!r.ok) throw new Error(`doctor:run: ${r.error.message}`);
    const report = r.value as DoctorReport;
    return { report, text: [...report.steps.map((s) => s.detail), ...report.hints].join('\n') };
  } finally {
    await svc.close();
  }
}

/** `parley chat` with the same values as options: its exit status and what it wrote to stderr. */
function cli(c: Case): Promise<CliRun> {
  const home = tmp('cli');
  const args = ['chat', '--protocol', 'openai', '--base-url', c.baseUrl ?? c.target ?? `${up.url}/v1`, '--model', 'test-model', '--api-key', 'sk-test', '--retries', '0',
    '--proxy-mode', c.proxy?.mode ?? 'none',
    ...(c.proxy?.url !== undefined ? ['--proxy', c.proxy.url] : []),
    ...(c.proxy?.bypass !== undefined ? ['--no-proxy', c.proxy.bypass] : []),
    ...(c.caFile ? ['--ca', c.caFile] : []),
    'Hello'];
  return runCli(args, { home });
}

/** The panel's save of the case, through the window's channels: the refusal main answers with. */
async function panelRefusal(c: Case): Promise<ErrorInfo> {
  const svc = services(tmp('panel'));
  try {
    if (c.baseUrl !== undefined) {
      return await refused(svc, 'providers:save', { name: 'Typed', preset: 'custom', protocol: 'openai', baseUrl: c.baseUrl, apiKey: 'sk-test', models: ['test-model'], defaultModel: 'test-model' });
    }
    await ok(svc, 'providers:save', { name: 'Typed', preset: 'custom', protocol: 'openai', baseUrl: `${up.url}/v1`, apiKey: 'sk-test', models: ['test-model'], defaultModel: 'test-model' });
    if (c.caFile) {
      // Picked in the dialog while it was a certificate, saved; then it went away: the next save says so.
      picked = c.caFile;
      await ok(svc, 'settings:pickCaFile');
      picked = null;
      await ok(svc, 'settings:set', { network: { caFiles: [c.caFile] } });
      unlinkSync(c.caFile);
      return await refused(svc, 'settings:set', { network: { proxy: { mode: 'none', url: '', bypass: '' }, caFiles: [c.caFile] } });
    }
    const p = c.proxy ?? { mode: 'manual' as const };
    return await refused(svc, 'settings:set', { network: { proxy: { mode: p.mode, url: p.url ?? '', bypass: p.bypass ?? '' } } });
  } finally {
    await svc.close();
  }
}

describe('the settings panel, the doctor and the command line refuse the same values with the same reason', () => {
  const noScheme = (): string => `${up.url.replace(/^http:\/\//, '')}/v1`;
  const cases: Array<{ name: string; make: () => Promise<Case> | Case; field: string; corrected?: () => string; matches: RegExp }> = [
    { name: 'a base URL with /chat/completions pasted at its end', make: () => ({ name: 'endpoint', baseUrl: `${up.url}/v1/chat/completions` }), field: 'baseUrl', corrected: () => `${up.url}/v1`, matches: /endpoint \/chat\/completions/ },
    { name: 'a base URL without a scheme', make: () => ({ name: 'no scheme', baseUrl: noScheme() }), field: 'baseUrl', corrected: () => `${up.url}/v1`, matches: /has no scheme/ },
    { name: 'a proxy URL with two ports', make: () => ({ name: 'two ports', target: FAR, proxy: { mode: 'manual', url: 'http://127.0.0.1:3128:8080' } }), field: 'proxyUrl', matches: /Proxy URL "http:\/\/127\.0\.0\.1:3128:8080" is not valid/ },
    { name: 'a proxy URL with an unsupported scheme', make: () => ({ name: 'ftp', target: FAR, proxy: { mode: 'manual', url: 'ftp://127.0.0.1:21' } }), field: 'proxyUrl', matches: /scheme "ftp" is not supported/ },
    { name: 'a proxy URL with a missing ://', make: () => ({ name: 'no ://', target: FAR, proxy: { mode: 'manual', url: 'http//127.0.0.1:3128' } }), field: 'proxyUrl', matches: /Proxy URL "http\/\/127\.0\.0\.1:3128" is not valid/ },
    { name: 'manual proxy mode with no proxy URL', make: () => ({ name: 'manual empty', target: FAR, proxy: { mode: 'manual', url: '' } }), field: 'proxyUrl', matches: /no proxy URL is set/ },
    { name: 'a bypass list with a bad CIDR block', make: () => ({ name: 'cidr', target: FAR, proxy: { mode: 'env', bypass: 'localhost, 10.0.0.0/40' } }), field: 'bypass', matches: /"10\.0\.0\.0\/40"/ },
    { name: 'a CA file that was picked, saved, then removed', make: async () => ({ name: 'ca', caFile: (await makeTestCA(tmp('ca'))).caCertPath }), field: 'caFiles', matches: /cannot be used/ },
  ];

  for (const k of cases) {
    it(k.name, async () => {
      const c = await k.make();
      // (The panel's case removes a CA file after saving it: the doctor and the command line get the same gone path.)
      const panel = await panelRefusal(c);
      expect(panel.code).toBe('config_invalid');
      expect(panel.field).toBe(k.field);
      expect(panel.message).toMatch(k.matches);
      if (k.corrected) expect(panel.corrected).toBe(k.corrected());

      const doctor = await doctorText(c);
      expect(doctor.report.verdict).not.toBe('ok');
      expect(doctor.text).toContain(panel.message);
      if (k.corrected) expect(doctor.text).toContain(k.corrected());

      const line = await cli(c);
      expect(line.code).toBe(2);
      expect(line.stderr).toContain(panel.message);
      if (k.corrected) expect(line.stderr).toContain(k.corrected());
    }, 60_000);
  }
});
