/**
 * Boots the built main process (out/main/index.js) on the stand-in `electron` module and runs one driver script
 * of test/helpers/electron-stub against it (drive.mjs, drive-window.mjs). Used by the shell tests.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
export const MAIN = join(ROOT, 'out', 'main', 'index.js');
const STUB = join(ROOT, 'test', 'helpers', 'electron-stub');

export interface DriverRun {
  code: number | null;
  /** The driver's stdout: its last line is the JSON record of what happened. */
  out: string;
  err: string;
}

/** Runs `driver` (a file in electron-stub) on the built main with `env` (plus PATH); killed after 30 s. */
export function runDriver(driver: string, args: string[], env: Record<string, string>): Promise<DriverRun> {
  if (!existsSync(MAIN)) throw new Error('out/main/index.js is missing: run `npm run build` first (npm test does).');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', join(STUB, 'register.mjs'), join(STUB, driver), MAIN, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

/** The driver's JSON record (its last stdout line), or an error with what it printed. */
export function driverRecord<T>(run: DriverRun): T {
  try {
    return JSON.parse(run.out.trim().split('\n').at(-1) ?? '') as T;
  } catch {
    throw new Error(`driver exited ${run.code}: ${run.err || run.out}`);
  }
}
