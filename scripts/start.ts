/**
 * `npm start`: the built app in Electron (`electron-vite preview`), after checking that the Electron binary is
 * there. `npm install` does not download it (the `electron` package fetches it on first use, and machines
 * without access to GitHub, like this project's CI, cannot fetch it at all); without it electron-vite only says
 * "Electron uninstall". This says what to run instead, and exits 1.
 *
 *   node scripts/start.ts [electron-vite preview options]
 *
 * PARLEY_ELECTRON_PACKAGE: the electron package folder to check (default: the one in node_modules; the
 * tests point it at a temporary folder). ELECTRON_EXEC_PATH, when set, names the binary (as for electron-vite).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export type ElectronCheck = { ok: true; binary: string } | { ok: false; reason: string };

/** The same lookup electron-vite makes: ELECTRON_EXEC_PATH, else <electron package>/dist/<path.txt>. */
export function findElectronBinary(packageDir: string, env: NodeJS.ProcessEnv = process.env): ElectronCheck {
  if (env.ELECTRON_EXEC_PATH) {
    return existsSync(env.ELECTRON_EXEC_PATH)
      ? { ok: true, binary: env.ELECTRON_EXEC_PATH }
      : { ok: false, reason: `ELECTRON_EXEC_PATH names ${env.ELECTRON_EXEC_PATH}, which does not exist` };
  }
  const pathFile = join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) return { ok: false, reason: `${pathFile} does not exist (the binary was never downloaded)` };
  const binary = join(packageDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  if (!existsSync(binary)) return { ok: false, reason: `${binary} does not exist` };
  return { ok: true, binary };
}

export function missingBinaryMessage(packageDir: string, reason: string): string {
  const install = relative(process.cwd(), join(packageDir, 'install.js')) || join(packageDir, 'install.js');
  return [
    `The Electron binary is missing: run \`node ${install}\` (or \`npx install-electron\`) to download it, then \`npm start\` again.`,
    `Reason: ${reason}.`,
    'The download comes from GitHub (or ELECTRON_MIRROR); where that is blocked, set ELECTRON_EXEC_PATH to an Electron binary of the',
    'same version. The command line needs no Electron: npm exec parley -- --help',
  ].join('\n');
}

function electronPackageDir(): string {
  if (process.env.PARLEY_ELECTRON_PACKAGE) return resolve(process.env.PARLEY_ELECTRON_PACKAGE);
  return dirname(createRequire(join(root, 'package.json')).resolve('electron/package.json'));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const packageDir = electronPackageDir();
  const check = findElectronBinary(packageDir);
  if (!check.ok) {
    process.stderr.write(`${missingBinaryMessage(packageDir, check.reason)}\n`);
    process.exit(1);
  }
  const cli = join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
  const child = spawn(process.execPath, [cli, 'preview', ...process.argv.slice(2)], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ELECTRON_EXEC_PATH: check.binary },
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
