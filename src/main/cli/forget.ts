/**
 * `parley doctor --forget-routes [--config-dir DIR] [--json]`: forgets the routes on which streaming broke
 * (Parley answers without streaming there for a while, settings → streamMemoryMs), in the same memory the app
 * uses (`<data folder>/stream-memory.json`), prints how many were forgotten, exits 0. The doctor is not run.
 */
import { parseArgs } from 'node:util';
import { defaultConfigDir } from '../services/paths.ts';
import { fileStreamMemory } from '../services/connectivity/stream-memory-file.ts';

export const FORGET_USAGE = `Usage: parley doctor --forget-routes [--config-dir DIR] [--json]

Forgets the routes on which streaming broke, so the next answer streams again (the doctor is not run).
`;

export function forgetRoutes(argv: string[]): number {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      allowPositionals: false,
      options: { 'forget-routes': { type: 'boolean' }, 'config-dir': { type: 'string' }, json: { type: 'boolean', default: false } },
    }));
  } catch (e) {
    process.stderr.write(`parley doctor: ${(e as Error).message} (with --forget-routes only --config-dir and --json apply)\n\n${FORGET_USAGE}`);
    return 2;
  }
  const n = fileStreamMemory(values['config-dir'] ?? defaultConfigDir()).forget();
  if (values.json) process.stdout.write(JSON.stringify({ forgotten: n }) + '\n');
  else process.stdout.write(n === 0 ? 'No broken-stream route was remembered.\n' : `Forgot ${n} broken-stream route${n === 1 ? '' : 's'}: the next answer on ${n === 1 ? 'it' : 'them'} streams again.\n`);
  return 0;
}
