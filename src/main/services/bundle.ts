/**
 * The support bundle: one zip with the rotated logs (redacted again), the settings with every secret replaced
 * by its shape marker, versions, proxy environment, doctor reports and a manifest.
 */
import { existsSync, readdirSync, readFileSync, mkdirSync } from 'node:fs';
import { arch, platform, release } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { createRedactor } from './redact.ts';
import { ENV_REF, isEnvRef, urlSecrets } from '../core/config.ts';
import { proxyPassword } from '../core/route/proxy-url.ts';
import { referencedVars } from './secure-input.ts';
import { listLogFiles } from './logging.ts';
import { writeFailed, writeFileAtomic } from './safe-write.ts';

export interface BundleOptions {
  out: string;
  configDir: string;
  logDir: string;
  settings?: unknown;
  env: Record<string, string | undefined>;
  extraSecrets?: string[];
  doctorReports?: unknown[];
}

export interface BundleResult {
  path: string;
  files: string[];
  secretsStripped: number;
}

const PROXY_ENV = ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'NO_PROXY'].flatMap((k) => [k, k.toLowerCase()]);

function expand(s: string, env: Record<string, string | undefined>): string {
  return s.replace(ENV_REF, (m, v: string) => env[v] ?? m);
}

/** A proxy URL's password, by the proxy parser's rule (the last '@' ends the userinfo): as written and decoded. */
function proxySecrets(u: string): string[] {
  const p = proxyPassword(u);
  if (!p) return [];
  let dec = p;
  try {
    dec = decodeURIComponent(p);
  } catch { /* keep as is */ }
  return [p, dec];
}

/**
 * The secrets in raw settings (either version of the file), and the values of the variables they reference:
 * API keys, proxy passwords, and the userinfo and query values of base URLs (`?key=…`, `?sig=…`).
 */
export function settingsSecrets(settings: unknown, env: Record<string, string | undefined>): string[] {
  const out: string[] = [];
  const s = (settings ?? {}) as { provider?: { apiKey?: unknown; baseUrl?: unknown }; providers?: unknown; network?: { proxy?: { url?: unknown } } };
  const keys: unknown[] = [s.provider?.apiKey];
  const urls: unknown[] = [s.network?.proxy?.url];
  const bases: unknown[] = [s.provider?.baseUrl];
  if (Array.isArray(s.providers)) {
    for (const p of s.providers as { apiKey?: unknown; baseUrl?: unknown; route?: { proxyUrl?: unknown } }[]) {
      keys.push(p?.apiKey);
      urls.push(p?.route?.proxyUrl);
      bases.push(p?.baseUrl);
    }
  }
  for (const key of keys) if (typeof key === 'string' && key) out.push(key, expand(key, env));
  for (const url of urls) if (typeof url === 'string' && url) out.push(...proxySecrets(url), ...proxySecrets(expand(url, env)));
  for (const url of bases) if (typeof url === 'string' && url) out.push(...urlSecrets(url), ...urlSecrets(expand(url, env)));
  // A referenced variable's value is never echoed: key-like values are secrets; URL-like ones keep only their
  // userinfo and query values secret (a proxy's password by the proxy rule, a base URL's by the URL rule).
  for (const name of referencedVars(JSON.stringify(settings ?? {}))) {
    const v = env[name];
    if (!v) continue;
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) out.push(...proxySecrets(v), ...urlSecrets(v));
    else out.push(v);
  }
  for (const k of PROXY_ENV) {
    const v = env[k];
    if (v) out.push(...proxySecrets(v));
  }
  return out.filter((x) => x && !isEnvRef(x));
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

export async function writeBundle(opts: BundleOptions): Promise<BundleResult> {
  const secrets = [...settingsSecrets(opts.settings, opts.env), ...(opts.extraSecrets ?? [])];
  const redactor = createRedactor(secrets);
  const files: Record<string, Uint8Array> = {};
  const json = (v: unknown): Uint8Array => strToU8(JSON.stringify(v, null, 2) + '\n');

  for (const p of listLogFiles(opts.logDir)) {
    files[`logs/${basename(p)}`] = strToU8(redactor.redactText(readFileSync(p, 'utf8')));
  }
  if (opts.settings !== undefined) files['settings.json'] = json(redactor.redactValue(opts.settings));
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
