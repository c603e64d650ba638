/**
 * The app's services behind the IPC contract, in plain Node: settings, the doctor, the support bundle and
 * logging (renderer logs included). The Electron shell (src/main/index.ts) and the browser test host
 * (e2e/web-host.ts) both route every channel through `invoke`, which validates the arguments and turns
 * failures into `{ ok: false, error }` values; only the OS pieces (save dialog, file manager, system proxy,
 * login shell) are passed in.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import type { LookupFunction } from 'node:net';
import { z } from 'zod';
import { ParleyError } from '../core/errors.ts';
import type { Env } from '../core/config.ts';
import type { SystemProxyResolver } from '../core/route/types.ts';
import type { DoctorReport } from '../../shared/doctor.ts';
import type { StoredSettings } from '../../shared/settings.ts';
import type { AppInfo, Channel, EventContract, EventName, ExportResult, IpcContract, Result } from '../../shared/ipc.ts';
import { CHANNELS } from '../../shared/ipc.ts';
import { settingsSecrets, writeBundle } from './bundle.ts';
import { runDoctor } from './doctor.ts';
import { createLogger, type Logger } from './logging.ts';
import { createRedactor, type Redactor } from './redact.ts';
import { createSettingsStore, type SettingsStore } from './settings-store.ts';
import { saveDoctorReport } from './doctor-reports.ts';
import type { ShellEnvResult } from './shell-env.ts';

export interface AppServicesOptions {
  dataDir: string;
  logDir: string;
  env: Env;
  host: AppInfo['host'];
  versions: { name: string; version: string; electron: string };
  /** Where to write the support bundle: a save dialog in the app; null = cancelled. */
  chooseExportPath(defaultName: string): Promise<string | null>;
  /** Shows a folder in the OS file manager (the app); absent in the browser host. */
  openFolder?(path: string): Promise<void>;
  /** Pushes an event to the renderer. */
  emit<E extends EventName>(event: E, payload: EventContract[E]): void;
  /** The login shell's environment (read once, lazily); absent where not applicable. */
  loginShellEnv?: () => Promise<ShellEnvResult>;
  systemProxyResolver?: SystemProxyResolver;
  /** Name resolution (tests inject one: this machine's resolver is not on loopback). */
  lookup?: LookupFunction;
  /** Log rotation caps (tests use small ones). */
  logLimits?: { maxSizeBytes?: number; maxFiles?: number; maxTotalBytes?: number };
}

export interface AppServices {
  invoke<C extends Channel>(channel: C, args: unknown[]): Promise<Result<IpcContract[C]['result']>>;
  readonly logger: Logger;
  readonly settings: SettingsStore;
  close(): Promise<void>;
}

/** Argument schemas per channel: what crosses from the renderer is checked before any handler sees it. */
const RENDERER_LOG = z.object({
  level: z.enum(['error', 'warn', 'info', 'debug']),
  message: z.string().max(4000),
  data: z.unknown().optional(),
});
const ARGS: { [C in Channel]: z.ZodType<unknown[]> } = {
  'app:info': z.tuple([]),
  'settings:get': z.tuple([]),
  // A patch: checked as an object here, and in full (merged with the stored settings) before it is saved.
  'settings:set': z.tuple([z.record(z.string(), z.unknown())]),
  'doctor:run': z.tuple([]),
  'doctor:cancel': z.tuple([]),
  'diagnostics:export': z.tuple([]),
  'logs:open': z.tuple([]),
  'log:write': z.tuple([RENDERER_LOG]),
};

/**
 * A redactor that learns: every secret configured during this run (old keys too, after a settings change)
 * stays known, so a later log line quoting an old key is still caught.
 */
function learningRedactor(): Redactor & { learn(secrets: string[]): void; secrets(): string[] } {
  const known = new Set<string>();
  let current = createRedactor();
  let base = 0;
  return {
    learn(secrets) {
      const before = known.size;
      for (const s of secrets) if (s) known.add(s);
      if (known.size !== before) {
        base += current.count;
        current = createRedactor([...known]);
      }
    },
    secrets: () => [...known],
    redactText: (s) => current.redactText(s),
    redactValue: (v) => current.redactValue(v),
    get count() {
      return base + current.count;
    },
  };
}

export function createAppServices(opts: AppServicesOptions): AppServices {
  mkdirSync(opts.dataDir, { recursive: true });
  const settings = createSettingsStore(opts.dataDir);
  const redactor = learningRedactor();
  let initial: StoredSettings | undefined;
  try {
    initial = settings.get();
  } catch { /* a broken file is reported when the renderer asks for the settings */ }
  redactor.learn(settingsSecrets(initial ?? {}, opts.env));
  const logger = createLogger({
    dir: opts.logDir,
    redactor,
    logContent: initial?.logging.logContent ?? false,
    ...opts.logLimits,
  });
  const ipcLog = logger.scope('ipc');
  const uiLog = logger.scope('ui');
  let doctorAbort: AbortController | undefined;
  let shellEnv: Promise<ShellEnvResult> | undefined;

  const handlers: { [C in Channel]: (...args: IpcContract[C]['args']) => Promise<IpcContract[C]['result']> } = {
    'app:info': async () => ({ ...opts.versions, node: process.versions.node, platform: process.platform, logDir: opts.logDir, dataDir: opts.dataDir, host: opts.host }),
    'settings:get': async () => settings.view(),
    'settings:set': async (patch) => {
      let before: StoredSettings | undefined;
      try {
        before = settings.get();
      } catch { /* a broken file: update() sets it aside */ }
      const next = settings.update(patch);
      redactor.learn(settingsSecrets(next, opts.env));
      logger.logContent = next.logging.logContent;
      const changed = (['provider', 'network', 'ui', 'logging'] as const).filter((k) => JSON.stringify(before?.[k]) !== JSON.stringify(next[k]));
      logger.scope('storage').info('settings saved', { changed, protocol: next.provider.protocol, baseUrl: next.provider.baseUrl, model: next.provider.model, proxyMode: next.network.proxy.mode, proxyUrl: next.network.proxy.url });
      return settings.view();
    },
    'doctor:run': async () => {
      doctorAbort?.abort();
      const ac = new AbortController();
      doctorAbort = ac;
      const log = logger.scope('doctor');
      let loginShellEnv: Env | undefined;
      if (opts.loginShellEnv) {
        shellEnv ??= opts.loginShellEnv();
        const r = await shellEnv;
        if (r.ok) loginShellEnv = r.env;
        else log.warn('login shell environment not read', { shell: r.shell, reason: r.reason, ms: r.ms });
      }
      const raw = settings.get();
      log.info('doctor started', { protocol: raw.provider.protocol, baseUrl: raw.provider.baseUrl, proxyMode: raw.network.proxy.mode });
      const report: DoctorReport = await runDoctor(raw, {
        env: opts.env,
        signal: ac.signal,
        ...(loginShellEnv ? { loginShellEnv } : {}),
        ...(opts.systemProxyResolver ? { systemProxyResolver: opts.systemProxyResolver } : {}),
        ...(opts.lookup ? { lookup: opts.lookup } : {}),
        trace: (ev) => logger.scope('transport').info(ev.type, { ms: ev.ms, detail: ev.detail }),
        onStep: (st) => {
          log.info(`step ${st.id}`, st);
          opts.emit('doctor:step', st);
        },
      });
      if (doctorAbort === ac) doctorAbort = undefined;
      log.info('doctor finished', { verdict: report.verdict, findings: report.findings });
      saveDoctorReport(opts.dataDir, report);
      return report;
    },
    'doctor:cancel': async () => {
      const had = doctorAbort !== undefined;
      doctorAbort?.abort();
      return had;
    },
    'diagnostics:export': async (): Promise<ExportResult | null> => {
      const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace(/-\d+Z$/, 'Z');
      const out = await opts.chooseExportPath(`parley-diagnostics-${stamp}.zip`);
      if (!out) return null;
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(settings.path, 'utf8'));
      } catch {
        raw = undefined;
      }
      const res = await writeBundle({ out, configDir: opts.dataDir, logDir: opts.logDir, settings: raw, env: opts.env, extraSecrets: redactor.secrets() });
      logger.scope('bundle').info('diagnostics exported', { path: res.path, files: res.files.length, secretsStripped: res.secretsStripped });
      return res;
    },
    'logs:open': async () => {
      mkdirSync(opts.logDir, { recursive: true });
      await opts.openFolder?.(opts.logDir);
      return opts.logDir;
    },
    'log:write': async (entry) => {
      uiLog[entry.level](entry.message, entry.data);
    },
  };

  return {
    logger,
    settings,
    async invoke(channel, args) {
      if (!(CHANNELS as readonly string[]).includes(channel)) {
        return { ok: false, error: new ParleyError('config_invalid', `Unknown channel ${String(channel)}.`, { hop: 'config', phase: 'config' }).toInfo() };
      }
      const parsed = ARGS[channel].safeParse(args);
      if (!parsed.success) {
        ipcLog.warn('invalid arguments', { channel, issue: parsed.error.issues[0]?.message });
        return { ok: false, error: new ParleyError('config_invalid', `Invalid arguments for ${channel}: ${parsed.error.issues[0]?.message ?? 'invalid'}.`, { hop: 'config', phase: 'config' }).toInfo() };
      }
      try {
        const fn = handlers[channel] as (...a: unknown[]) => Promise<IpcContract[typeof channel]['result']>;
        const value = await fn(...parsed.data);
        return { ok: true, value };
      } catch (e) {
        const err = ParleyError.is(e) ? e : new ParleyError('protocol_error', e instanceof Error ? e.message : String(e), {}, { cause: e });
        ipcLog.error(`${channel} failed`, err.toInfo());
        return { ok: false, error: err.toInfo() };
      }
    },
    async close() {
      doctorAbort?.abort();
    },
  };
}
