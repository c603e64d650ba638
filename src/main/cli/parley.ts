#!/usr/bin/env node
/**
 * `parley` entry point. Checks the Node version before loading anything that needs a newer one
 * (undici 8 fails at import time on Node < 22.19).
 */
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 19)) {
  process.stderr.write(`parley needs Node.js 22.19 or newer (this is ${process.versions.node}). In the project, \`npm exec parley\` uses the bundled Node 24.\n`);
  process.exitCode = 2;
} else {
  import('./main.ts').then(
    async ({ main }) => {
      process.exitCode = await main(process.argv.slice(2));
    },
    (e: unknown) => {
      process.stderr.write(`parley: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 2;
    },
  );
}
