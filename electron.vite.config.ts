import { builtinModules } from 'node:module';
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import { build, type Plugin } from 'vite';

/**
 * The `parley` command line, built on its own after the main process (out/main/parley.js and out/main/cli/):
 * its dependencies (undici, valibot, electron-log, eventsource-parser; socks on a SOCKS route) bundled into its chunks, so a run
 * reads a few files instead of resolving and loading some 250 modules. `--help` and `--version` load only the
 * entry and the usage chunk. fflate stays external (bundled, it broke the app's export once); the Electron
 * main process keeps its dependencies external as before.
 */
const NODE_BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
/**
 * undici's HTTP/2 client, replaced in the CLI by a stub: Parley asks for HTTP/1.1 only (allowH2: false in
 * core/transport.ts), and the real module loads node:http2, and with it node:tls and node:crypto, at start:
 * ~17 ms of every run before its request was sent, http:// ones included (measured, issue 11).
 */
const noHttp2: Plugin = {
  name: 'parley-undici-no-h2',
  load: (id) =>
    id.replaceAll('\\', '/').endsWith('/node_modules/undici/lib/dispatcher/client-h2.js')
      ? "module.exports = function connectH2 () { throw new Error('HTTP/2 is not built into the parley command line (Parley asks for HTTP/1.1: allowH2 is false).') }"
      : undefined,
};
const cliBuild: Plugin = {
  name: 'parley-cli-build',
  apply: 'build',
  async closeBundle() {
    await build({
      configFile: false,
      root: resolve('.'),
      logLevel: 'warn',
      build: {
        outDir: 'out/main',
        emptyOutDir: false,
        ssr: true,
        target: 'node22',
        minify: false,
        copyPublicDir: false,
        reportCompressedSize: false,
        rollupOptions: {
          input: { parley: resolve('src/main/cli/parley.ts') },
          external: (id) => NODE_BUILTINS.has(id) || id === 'electron' || id === 'fflate' || id.startsWith('fflate/'),
          output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: 'cli/[name]-[hash].js' },
        },
      },
      ssr: { noExternal: true, target: 'node' },
      plugins: [noHttp2],
    });
  },
};

/**
 * `npm run dev` only: the renderer's CSP has `connect-src 'none'`, which would also block Vite's HMR
 * websocket. The built app keeps the strict policy.
 */
const devCsp: Plugin = {
  name: 'parley-dev-csp',
  apply: 'serve',
  transformIndexHtml: (html) => html.replace("connect-src 'none'", "connect-src 'self' ws://localhost:* ws://127.0.0.1:*"),
};

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        // The Electron main process; the `parley` command line (which shares its network core) is built by
        // cliBuild. The chat storage's search and imports, and a PDF's text, run in worker threads: their own entries, found beside (or one folder
        // above) the chunk that starts it.
        input: {
          index: resolve('src/main/index.ts'),
          'search-worker': resolve('src/main/services/storage/search-worker.ts'),
          'import-worker': resolve('src/main/services/storage/import-worker.ts'),
          // An attachment's PDF text (pdf.js) and a large text file's encoding, off main's thread (services/attachments/reader.ts).
          'reader-worker': resolve('src/main/services/attachments/reader-worker.ts'),
        },
      },
    },
    plugins: [cliBuild],
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        // A sandboxed preload must be one CommonJS file.
        output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    // Minified (PARLEY_NO_MINIFY=1: not, for readable CPU profiles); the highlighter's worker as an ES module, so
    // each grammar is its own chunk loaded on first use.
    build: { outDir: 'out/renderer', minify: !process.env.PARLEY_NO_MINIFY, rollupOptions: { input: resolve('src/renderer/index.html') } },
    worker: { format: 'es' },
    plugins: [react(), devCsp],
  },
});
