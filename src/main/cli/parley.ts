#!/usr/bin/env node
/**
 * `parley` entry point. Checks the Node version before loading anything that needs a newer one
 * (undici 8 fails at import time on Node < 22.19), turns on Node's module compile cache (the modules' compiled
 * code is kept on disk, in NODE_COMPILE_CACHE or the temp folder, so later runs skip compiling them), and
 * answers `--help` and `--version` from the usage texts alone: only a command that needs the network core,
 * the settings, the logger (undici, valibot, electron-log, …) loads them.
 */
import * as nodeModule from 'node:module';

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 19)) {
  process.stderr.write(`parley needs Node.js 22.19 or newer (this is ${process.versions.node}). In the project, \`npm exec parley\` uses the bundled Node 24.\n`);
  process.exitCode = 2;
} else {
  try {
    nodeModule.enableCompileCache?.();
  } catch {
    /* a cache folder that cannot be written: every run compiles, as before */
  }
  const argv = process.argv.slice(2);
  const light = argv.length === 1 ? argv[0] : undefined;
  const run = light === 'help' || light === '--help' || light === '-h' || light === 'version' || light === '--version' || light === '-v' || light === '-V'
    ? import('./usage.ts').then(({ HELP, parleyVersion }) => {
      const help = light === 'help' || light === '--help' || light === '-h';
      process.stdout.write(help ? HELP : `parley ${parleyVersion() ?? '(version unknown: package.json not found)'}\n`);
      return 0;
    })
    : import('./main.ts').then(({ main }) => main(argv));
  run.then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`parley: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 2;
    },
  );
}
