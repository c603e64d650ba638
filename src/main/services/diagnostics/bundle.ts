/**
 * The support bundle: one zip with the rotated logs (redacted again), the settings with every secret replaced
 * by its shape marker, versions, proxy environment, doctor reports and a manifest.
 */
import { existsSync, readdirSync, readFileSync, mkdirSync } from 'node:fs';
import { arch, platform, release } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { createRedactor, settingsSecrets, PROXY_ENV } from './redact.ts';
import { listLogFiles } from './logging.ts';
import { writeFailed, writeFileAtomic } from '../safe-write.ts';
import { readSettingsFile } from '../settings/file.ts';

export interface BundleOptions {
  out: string;
  /** The data folder: settings.json and doctor reports (read with the one settings reader). */
  configDir: string;
  logDir: string;
  env: Record<string, string | undefined>;
  extraSecrets?: string[];
  doctorReports?: unknown[];
}

export interface BundleResult {
  path: string;
  files: string[];
  secretsStripped: number;
}

function versions(): Record<string, unknown> {
  let app: string | undefined;
  for (const p of [join(import.meta.dirname, '..', '..', '..', 'package.json'), join(import.meta.dirname, '..', '..', 'package.json'), join(process.cwd(), 'package.json')]) {
    try {
      const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'parley' && pkg.version) {
        app = pkg.version;
        break;
      }
    } catch { /* not there */ }
  }
  return {
    app: app ?? null,
    node: process.versions.node,
    electron: process.versions.electron ?? null,
    chrome: process.versions.chrome ?? null,
    os: { platform: platform(), release: release(), arch: arch() },
  };
}

/**
 * settings.json as the bundle shows it, read by the one settings reader: absent when there is none; a file that
 * cannot be read is named by its reason (a broken one by line and column, never by its text).
 */
function bundledSettings(configDir: string): unknown {
  const file = join(configDir, 'settings.json');
  if (!existsSync(file)) return undefined;
  try {
    return readSettingsFile(file);
  } catch (e) {
    return { unreadable: (e as Error).message };
  }
}

export async function writeBundle(opts: BundleOptions): Promise<BundleResult> {
  const settings = bundledSettings(opts.configDir);
  const secrets = [...settingsSecrets(settings, opts.env), ...(opts.extraSecrets ?? [])];
  const redactor = createRedactor(secrets);
  const files: Record<string, Uint8Array> = {};
  const json = (v: unknown): Uint8Array => strToU8(JSON.stringify(v, null, 2) + '\n');

  for (const p of listLogFiles(opts.logDir)) {
    files[`logs/${basename(p)}`] = strToU8(redactor.redactText(readFileSync(p, 'utf8')));
  }
  if (settings !== undefined) files['settings.json'] = json(redactor.redactValue(settings));
  files['versions.json'] = json(versions());
  const envProxy: Record<string, string> = {};
  for (const k of PROXY_ENV) {
    const v = opts.env[k];
    if (v !== undefined) envProxy[k] = redactor.redactText(v);
  }
  files['env-proxy.json'] = json(envProxy);
  if (existsSync(opts.configDir)) {
    for (const f of readdirSync(opts.configDir).filter((n) => /^doctor-.*\.json$/.test(n)).sort()) {
      files[`doctor/${f}`] = strToU8(redactor.redactText(readFileSync(join(opts.configDir, f), 'utf8')));
    }
  }
  (opts.doctorReports ?? []).forEach((r, i) => {
    files[`doctor/doctor-report-${i + 1}.json`] = json(redactor.redactValue(r));
  });
  const names = Object.keys(files);
  const manifest = {
    createdAt: new Date().toISOString(),
    files: names.map((name) => ({ name, size: files[name]?.byteLength ?? 0 })),
    secretsStripped: redactor.count,
  };
  files['manifest.json'] = json(manifest);
  const zip = zipSync(files, { level: 6 });
  // Owner-only, whole or not at all: a full disk or a read-only folder leaves no 0-byte bundle, and the error is
  // storage_failed with the path and the OS's reason.
  try {
    mkdirSync(dirname(opts.out), { recursive: true });
  } catch (e) {
    throw writeFailed(opts.out, e, 'the support bundle');
  }
  writeFileAtomic(opts.out, zip, { mode: 0o600, what: 'the support bundle' });
  return { path: opts.out, files: [...names, 'manifest.json'], secretsStripped: redactor.count };
}
