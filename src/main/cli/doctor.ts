/**
 * `parley doctor [connection options] [--json]`: runs the connection doctor, prints one line per step (or
 * one JSON object), saves the report as `<configDir>/doctor-<timestamp>.json` (the latest 5 are kept) and
 * exits 0 when chat would work (also with the stream fallback), 1 otherwise, 2 for settings errors.
 */
import { parseArgs } from 'node:util';
import { runDoctor, WORKING_VERDICTS } from '../services/doctor/index.ts';
import { fileBodyLimits } from '../services/chat/body-limits.ts';
import { defaultConfigDir } from '../services/paths.ts';
import { saveDoctorReport } from '../services/doctor/reports.ts';
import { createRedactor, settingsSecrets } from '../services/diagnostics/redact.ts';
import { cliKeychainCheck } from '../services/settings/providers.ts';
import { argError, checkValues, CONNECTION_OPTIONS, rawSettings, readConfigFile, UsageError } from './options.ts';
import { unknownKeysOfFile } from '../services/settings/unknown.ts';
import { DOCTOR_USAGE, HELP, usageError } from './usage.ts';
import { resolveSettings, type Env } from '../core/config.ts';
import { ParleyError } from '../core/errors.ts';

/**
 * The doctor words its hints for the app; run from a shell, an unset \${VAR} is fixed with `export NAME=…` there
 * (not by the desktop-launch explanation): that hint is swapped for the shell's.
 */
function shellHints(hints: string[], raw: unknown, env: Env): string[] {
  const hintOf = (source: 'app' | 'shell'): string | undefined => {
    try {
      resolveSettings(raw, env, { envSource: source });
      return undefined;
    } catch (e) {
      return ParleyError.is(e) && e.code === 'config_unexpanded_env' ? e.hint : undefined;
    }
  };
  const app = hintOf('app');
  const shell = hintOf('shell');
  return app && shell ? hints.map((h) => (h === app ? shell : h)) : hints;
}

export async function doctor(argv: string[]): Promise<number> {
  if (argv.includes('--forget-routes')) return (await import('./forget.ts')).forgetRoutes(argv);
  // The sync target's doctor (Settings → Sync), as `parley sync --check` runs it.
  if (argv.includes('--sync')) return (await import('./sync.ts')).sync(['--check', ...argv.filter((a) => a !== '--sync')]);
  // The update feeds' doctor (Settings → Updates), as `parley update --check` runs it.
  if (argv.includes('--update')) return (await import('./update.ts')).update(['--check', ...argv.filter((a) => a !== '--update')]);
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      allowPositionals: false,
      options: CONNECTION_OPTIONS,
    }));
  } catch (e) {
    return usageError('doctor', argError(e, Object.keys(CONNECTION_OPTIONS)), DOCTOR_USAGE, argv.includes('--json'));
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const json = values.json === true;
  const configDir = values['config-dir'] ?? defaultConfigDir();
  let raw: unknown;
  let unknownKeys: string[];
  try {
    checkValues(values);
    const settings = rawSettings(values, configDir);
    // Keys of settings.json Parley does not know (a typo): the settings step names them.
    unknownKeys = unknownKeysOfFile(readConfigFile(configDir));
    // A key (or proxy password) the app keeps in its keychain cannot be read here: say what to pass instead.
    cliKeychainCheck(settings, values.provider);
    raw = settings;
  } catch (e) {
    if (e instanceof UsageError) return usageError('doctor', e, DOCTOR_USAGE, json);
    const hint = ParleyError.is(e) ? e.hint : '';
    if (json) process.stdout.write(`${JSON.stringify({ type: 'error', code: 'config_invalid', message: (e as Error).message, hint })}\n`);
    process.stderr.write(`parley doctor: config_invalid: ${(e as Error).message}\n${hint ? `hint: ${hint}\n` : ''}`);
    return 2;
  }
  const controller = new AbortController();
  const onSig = (): void => controller.abort();
  process.once('SIGINT', onSig);
  const report = await runDoctor(raw, { env: process.env, signal: controller.signal, bodyLimits: fileBodyLimits(configDir), ...(unknownKeys.length ? { unknownKeys } : {}) });
  process.removeListener('SIGINT', onSig);
  report.hints = shellHints(report.hints, raw, process.env);
  // The saved copy is what the support bundle takes: secrets of the settings (keys, proxy passwords, base URL
  // query values) are replaced in it as in the app's copy.
  const saved = saveDoctorReport(configDir, createRedactor(settingsSecrets(raw, process.env)).redactValue(report) as typeof report);
  if (json) {
    process.stdout.write(JSON.stringify({ verdict: report.verdict, findings: report.findings, steps: report.steps, hints: report.hints }) + '\n');
  } else {
    for (const st of report.steps) process.stdout.write(`${st.status.toUpperCase().padEnd(4)} ${st.id.padEnd(10)} ${String(st.ms).padStart(6)} ms  ${st.detail}\n`);
    process.stdout.write(`verdict: ${report.verdict}\n`);
    if (report.findings.length) process.stdout.write(`findings: ${report.findings.join(', ')}\n`);
    for (const h of report.hints) process.stdout.write(`hint: ${h}\n`);
    if (saved) process.stdout.write(`report saved: ${saved}\n`);
  }
  if (WORKING_VERDICTS.includes(report.verdict)) return 0;
  return report.verdict === 'config_invalid' || report.verdict === 'config_unexpanded_env' ? 2 : 1;
}
