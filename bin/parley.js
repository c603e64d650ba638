#!/usr/bin/env node
// The `parley` command (package.json "bin"): the built CLI (out/main/parley.js, `npm run build`) when there is
// one, otherwise the TypeScript source, which Node ≥ 22.18 runs as it is. So `npm install` then
// `npm exec parley -- …` works on a fresh checkout, on the project's own Node 24.
import { existsSync } from 'node:fs';

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 19)) {
  process.stderr.write(`parley needs Node.js 22.19 or newer (this is ${process.versions.node}). In the project, \`npm exec parley -- …\` uses its bundled Node 24.\n`);
  process.exit(2);
}
const built = new URL('../out/main/parley.js', import.meta.url);
await import(existsSync(built) ? built.href : new URL('../src/main/cli/parley.ts', import.meta.url).href);
