import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import type { Plugin } from 'vite';

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
        // The Electron main process and the `parley` command line share the network core. The chat storage's
        // search runs in a worker thread: its own entry, found beside (or one folder above) the chunk that starts it.
        input: {
          index: resolve('src/main/index.ts'),
          parley: resolve('src/main/cli/parley.ts'),
          'search-worker': resolve('src/main/services/storage/search-worker.ts'),
        },
      },
    },
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
    // Minified; the highlighter's worker as an ES module, so each grammar is its own chunk loaded on first use.
    build: { outDir: 'out/renderer', minify: true, rollupOptions: { input: resolve('src/renderer/index.html') } },
    worker: { format: 'es' },
    plugins: [react(), devCsp],
  },
});
