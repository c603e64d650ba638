/**
 * `parley sync [--check] [--config-dir DIR] [--json]`: one sync of the app's data folder with the target Settings →
 * Sync names (the same engine and targets as the app, on the target's route), or with --check the sync doctor only
 * (route, reaching the service, credentials, folder, a probe file written and removed, the clock). The command line
 * cannot read the app's keychain: secrets come from `${VAR}` references in settings.json or from
 * PARLEY_SYNC_PASSWORD and PARLEY_SYNC_PASSPHRASE.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ParleyError } from '../core/errors.ts';
import { createCore } from '../core/index.ts';
import { DB_FILE } from '../services/storage/db.ts';
import { attachmentsDirOf, createAttachmentStore } from '../services/attachments/index.ts';
import { defaultConfigDir } from '../services/paths.ts';
import { createSyncTarget, SyncLimiters, syncSecret } from '../services/sync/route.ts';
import { checkSyncTarget } from '../services/sync/check.ts';
import { syncOnce } from '../services/sync/engine.ts';
import { argError, readStoredSettings } from './options.ts';
import { usageError } from './usage.ts';

export const SYNC_USAGE = `Usage: parley sync [--check] [--config-dir DIR] [--json]

Syncs the app's conversations and attachments with the WebDAV folder or S3 bucket of Settings → Sync:
this device's changes are published, the other devices' are merged in (nothing is overwritten). The
same code as the app, on the target's own route (proxy, bypass, CA files, timeouts).
The command line cannot read the app's keychain: put \${VAR} references in settings.json (sync.password,
sync.passphrase), or set PARLEY_SYNC_PASSWORD (the WebDAV password or the S3 secret key) and
PARLEY_SYNC_PASSPHRASE (encryption). Exit 0 synced (or checked), 1 failed, 2 settings or usage.

Options:
  --check               check the target only: route, reaching it, credentials, folder, writing, clock
  --config-dir DIR      the app's data folder (default: its usual place; env PARLEY_HOME)
  --json                one JSON object (the result or the check's report, or {type: "error", …})
`;

function fail(e: unknown, json: boolean): number {
  const info = ParleyError.is(e) ? e.toInfo() : { code: 'protocol_error' as const, message: e instanceof Error ? e.message : String(e), hint: 'This looks like a bug in Parley: report it with the message.' };
  if (json) process.stdout.write(JSON.stringify({ type: 'error', ...info }) + '\n');
  else process.stderr.write(`parley sync: ${info.code}: ${info.message}\n  hint: ${info.hint}\n`);
  return info.code === 'config_invalid' || info.code === 'config_unexpanded_env' ? 2 : 1;
}

export async function sync(argv: string[]): Promise<number> {
  const options = { check: { type: 'boolean' }, 'config-dir': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;
  let values: { check?: boolean; 'config-dir'?: string; json?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, options }));
  } catch (e) {
    return usageError('sync', argError(e, Object.keys(options)), SYNC_USAGE, argv.includes('--json'));
  }
  if (values.help) {
    process.stdout.write(SYNC_USAGE);
    return 0;
  }
  const json = values.json === true;
  const dataDir = values['config-dir'] ?? defaultConfigDir();
  const env = process.env;
  const core = createCore({ env });
  try {
    const settings = readStoredSettings(dataDir);
    const s = settings.sync;
    if (!s.url) throw new ParleyError('config_invalid', 'Sync is not set up: no WebDAV folder or S3 endpoint in settings.json.', { hop: 'config', phase: 'config', hint: 'Set it up in the app under Settings → Sync.' });
    const password = env.PARLEY_SYNC_PASSWORD || syncSecret(s.password, 'password', { env });
    const deps = { core, network: settings.network, sync: s, secrets: { password }, limiters: new SyncLimiters() };
    if (values.check) {
      const report = await checkSyncTarget(deps);
      if (json) process.stdout.write(JSON.stringify(report) + '\n');
      else {
        process.stdout.write(`${report.label}\n`);
        for (const st of report.steps) process.stdout.write(`  ${st.status.padEnd(4)} ${st.id.padEnd(6)} ${st.detail}${st.error ? `\n              hint: ${st.error.hint}` : ''}\n`);
        process.stdout.write(`${report.ok ? 'Sync would work' : 'Sync would not work'} (${report.requests} requests).\n`);
      }
      return report.ok ? 0 : 1;
    }
    const passphrase = s.encrypt ? (env.PARLEY_SYNC_PASSPHRASE || syncSecret(s.passphrase, 'passphrase', { env })) : undefined;
    const files = createAttachmentStore({ dir: attachmentsDirOf(dataDir) });
    try {
      const r = await syncOnce({ store: { file: join(dataDir, DB_FILE) }, dataDir, target: createSyncTarget(deps), files, ...(passphrase ? { passphrase } : {}) });
      if (json) process.stdout.write(JSON.stringify(r) + '\n');
      else process.stdout.write(`Synced with ${createSyncTarget(deps).label}: ${r.applied} changes from other devices applied, ${r.uploaded} files published, ${r.downloaded} read, ${r.conflicts} conflicts settled (${r.requests} requests).\n`);
      return 0;
    } finally {
      await files.close();
    }
  } catch (e) {
    return fail(e, json);
  } finally {
    await core.close();
  }
}
