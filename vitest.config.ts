import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' } },
      {
        test: {
          name: 'net',
          include: ['test/net/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Servers a file started end with it; the run fails if one is left (test/helpers/proc.ts).
          setupFiles: ['test/helpers/cleanup-setup.ts'],
          globalSetup: ['test/helpers/leak-check.ts'],
          // Real proxies and servers: one file at a time is gentler on 2 cores and on timing assertions.
          fileParallelism: false,
        },
      },
      {
        test: {
          // The benchmark's quick form (about two minutes): not in `npm test`; `npm run test:bench` (CI runs it too).
          name: 'bench',
          include: ['test/bench/**/*.test.ts'],
          environment: 'node',
          testTimeout: 300_000,
          setupFiles: ['test/helpers/cleanup-setup.ts'],
          globalSetup: ['test/helpers/leak-check.ts'],
        },
      },
      {
        test: {
          // The app end to end: the built renderer in Chromium (browser target) or the built app in Electron
          // (PARLEY_E2E_TARGET=electron); see e2e/targets.ts. Needs `npm run build` first.
          name: 'e2e',
          include: ['e2e/**/*.spec.ts'],
          environment: 'node',
          // After the network tests, not beside them: Chromium's CPU use would skew their timing checks.
          sequence: { groupOrder: 1 },
          testTimeout: 90_000,
          hookTimeout: 60_000,
          setupFiles: ['test/helpers/cleanup-setup.ts'],
          globalSetup: ['test/helpers/leak-check.ts'],
          fileParallelism: false,
        },
      },
    ],
  },
});
