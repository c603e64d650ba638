/**
 * `parley bundle --out FILE.zip [--config-dir DIR]`: writes the support bundle.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultConfigDir } from '../services/paths.ts';
import { writeBundle } from '../services/bundle.ts';

export async function bundle(argv: string[]): Promise<number> {
  let values: { out?: string; 'config-dir'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, options: { out: { type: 'string' }, 'config-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (e) {
    process.stderr.write(`parley: ${(e as Error).message}\n`);
    return 2;
  }
  if (values.help || !values.out) {
    (values.help ? process.stdout : process.stderr).write('Usage: parley bundle --out FILE.zip [--config-dir DIR]\n');
    return values.help ? 0 : 2;
  }
  const configDir = values['config-dir'] ?? defaultConfigDir();
  let settings: unknown;
  try {
    settings = JSON.parse(readFileSync(join(configDir, 'settings.json'), 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') settings = { unreadable: (e as Error).message };
  }
  try {
    const r = await writeBundle({ out: resolve(values.out), configDir, logDir: join(configDir, 'logs'), settings, env: process.env });
    process.stdout.write(`${r.path}: ${r.files.length} files, ${r.secretsStripped} secrets stripped\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`parley: cannot write the bundle: ${(e as Error).message}\n`);
    return 1;
  }
}
