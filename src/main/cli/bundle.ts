/**
 * `parley bundle --out FILE.zip [--config-dir DIR]`: writes the support bundle.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultConfigDir, logDirOf } from '../services/paths.ts';
import { writeBundle } from '../services/diagnostics/bundle.ts';
import { argError, UsageError } from './options.ts';
import { BUNDLE_USAGE, HELP, usageError } from './usage.ts';

export async function bundle(argv: string[]): Promise<number> {
  const options = { out: { type: 'string' }, 'config-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;
  let values: { out?: string; 'config-dir'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, options }));
  } catch (e) {
    return usageError('bundle', argError(e, Object.keys(options)), BUNDLE_USAGE);
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (!values.out) return usageError('bundle', new UsageError('--out FILE.zip is required'), BUNDLE_USAGE);
  const configDir = values['config-dir'] ?? defaultConfigDir();
  try {
    const r = await writeBundle({ out: resolve(values.out), configDir, logDir: logDirOf(configDir), env: process.env });
    process.stdout.write(`${r.path}: ${r.files.length} files, ${r.secretsStripped} secrets stripped\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`parley: cannot write the bundle: ${(e as Error).message}\n`);
    return 1;
  }
}
