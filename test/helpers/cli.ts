/**
 * Runs the `parley` command line as a user would, in a process of its own, and collects what it printed. The
 * built CLI (out/main/parley.js, which `npm test` builds first) unless another `file` is named: one test covers
 * running from the TypeScript source, as `npm exec parley` does before a build.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
export const CLI_SOURCE = join(ROOT, 'src/main/cli/parley.ts');
export const CLI_BUILT = join(ROOT, 'out/main/parley.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout's JSON lines (`--json`), parsed. */
  lines: Array<Record<string, unknown>>;
}

export interface CliOptions {
  /** The data folder (HOME and PARLEY_HOME); without it, neither is set. */
  home?: string;
  /** More environment (PATH is always passed on). */
  env?: Record<string, string>;
  cwd?: string;
  /** Another entry to run: CLI_SOURCE (as `npm exec parley` before a build), or the package's bin. */
  file?: string;
  /** Called on every chunk of stdout with all of it so far (e.g. to press Ctrl-C mid-answer). */
  onStdout?: (stdout: string, child: ChildProcess) => void;
}

export function runCli(args: string[], opts: CliOptions = {}): Promise<CliRun> {
  const file = opts.file ?? CLI_BUILT;
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first (npm test does).`);
  const home = opts.home ? { HOME: opts.home, PARLEY_HOME: opts.home } : {};
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file, ...args], {
      cwd: opts.cwd ?? ROOT,
      env: { PATH: process.env.PATH ?? '', ...home, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      opts.onStdout?.(stdout, child);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const lines = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
      resolve({ code, stdout, stderr, lines });
    });
  });
}
