/**
 * `parley backup [--out FILE] [--json]` and `parley restore FILE [--yes] [--json]`: the app's backup and restore
 * (services/backup), for servers and scripts. Quit the app before a restore: the command swaps parley.db.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ParleyError } from '../core/errors.ts';
import { backupNow, restoreBackup } from '../services/backup/index.ts';
import { defaultConfigDir } from '../services/paths.ts';
import { argError, UsageError } from './options.ts';
import { usageError } from './usage.ts';

export const BACKUP_USAGE = `Usage: parley backup [--out FILE.zip] [--config-dir DIR] [--json]

Writes one backup file of the app's data folder: the conversations (a consistent snapshot, also while
the app runs), the attachments, and the settings without secrets (API keys and proxy passwords stay
in the keychain and are never in a backup), with a manifest of versions and checksums.
Default: DIR/backups/parley-<time>-manual.zip. Exit 0 written, 1 failed, 2 usage.

Options:
  --out FILE.zip        where to write it
  --config-dir DIR      the app's data folder (default: its usual place; env PARLEY_HOME)
  --json                one JSON object {file, bytes, entries, secretsLeftOut} (or {type: "error", …})
`;

export const RESTORE_USAGE = `Usage: parley restore FILE.zip [--yes] [--config-dir DIR] [--json]

Restores a backup into the app's data folder. The whole file is checked first (its manifest, every
checksum, the database); a damaged, cut, newer or foreign file is refused with what is wrong and
nothing is changed. Then the current data is kept as a backup (DIR/backups/…-before-restore.zip)
and the backup's data takes its place. Quit Parley first. Keys stay as they are (same providers).
Exit 0 restored, 1 refused or failed, 2 usage (also without --yes when not asked on a terminal).

Options:
  --yes                 restore without asking
  --config-dir DIR      the app's data folder (default: its usual place; env PARLEY_HOME)
  --json                one JSON object {restored, previous, …} (or {type: "error", …})
`;

function printError(e: unknown, json: boolean): number {
  const info = ParleyError.is(e)
    ? e.toInfo()
    : { code: 'storage_failed', message: e instanceof Error ? e.message : String(e), hint: 'This looks like a bug in Parley: report it with the message.' };
  if (json) process.stdout.write(JSON.stringify({ type: 'error', code: info.code, message: info.message, hint: info.hint, ...('key' in info && info.key ? { key: info.key } : {}) }) + '\n');
  else process.stderr.write(`parley: ${info.code}: ${info.message}\n  hint: ${info.hint}\n`);
  return 1;
}

export async function backup(argv: string[]): Promise<number> {
  const options = { out: { type: 'string' }, 'config-dir': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;
  let values: { out?: string; 'config-dir'?: string; json?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, options }));
  } catch (e) {
    return usageError('backup', argError(e, Object.keys(options)), BACKUP_USAGE, argv.includes('--json'));
  }
  if (values.help) {
    process.stdout.write(BACKUP_USAGE);
    return 0;
  }
  const json = values.json === true;
  const dataDir = values['config-dir'] ?? defaultConfigDir();
  try {
    const r = await backupNow(dataDir, { reason: 'manual', ...(values.out ? { out: resolve(values.out) } : {}) });
    const entries = r.manifest.entries.length;
    if (json) process.stdout.write(JSON.stringify({ file: r.file, bytes: r.bytes, entries, parts: r.manifest.parts, schema: r.manifest.schema, secretsLeftOut: r.manifest.secretsLeftOut }) + '\n');
    else process.stdout.write(`${r.file}: ${r.bytes} bytes, ${entries} entries (${r.manifest.parts.join(', ')}); ${r.manifest.secretsLeftOut} secret ${r.manifest.secretsLeftOut === 1 ? 'value' : 'values'} left out\n`);
    return 0;
  } catch (e) {
    return printError(e, json);
  }
}

async function confirm(question: string): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

export async function restore(argv: string[]): Promise<number> {
  const options = { yes: { type: 'boolean', short: 'y' }, 'config-dir': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;
  let values: { yes?: boolean; 'config-dir'?: string; json?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv, options, allowPositionals: true }));
  } catch (e) {
    return usageError('restore', argError(e, Object.keys(options)), RESTORE_USAGE, argv.includes('--json'));
  }
  if (values.help) {
    process.stdout.write(RESTORE_USAGE);
    return 0;
  }
  const json = values.json === true;
  if (positionals.length !== 1) return usageError('restore', new UsageError(positionals.length ? 'give one backup file' : 'the backup file is required'), RESTORE_USAGE, json);
  const file = resolve(positionals[0] as string);
  const dataDir = values['config-dir'] ?? defaultConfigDir();
  if (!values.yes) {
    if (!process.stdin.isTTY || json) return usageError('restore', new UsageError('pass --yes to replace the data folder\'s conversations, attachments and settings with the backup\'s'), RESTORE_USAGE, json);
    if (!(await confirm(`Replace the conversations, attachments and settings in ${dataDir} with those of ${file}? The current ones are kept as a backup first. [y/N] `))) {
      process.stderr.write('parley: nothing restored.\n');
      return 1;
    }
  }
  try {
    const r = await restoreBackup(dataDir, file);
    const m = r.manifest;
    if (json) {
      process.stdout.write(JSON.stringify({ restored: file, createdAt: m.createdAt, app: m.app, schema: m.schema, parts: m.parts, entries: m.entries.length, previous: r.previous?.file ?? null }) + '\n');
    } else {
      process.stdout.write(`Restored ${file} (made ${m.createdAt}${m.app ? ` by Parley ${m.app}` : ''}: ${m.parts.join(', ')}).\n`);
      if (r.previous) process.stdout.write(`The data as it was is kept in ${r.previous.file}.\n`);
    }
    return 0;
  } catch (e) {
    return printError(e, json);
  }
}
