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
          // Real proxies and servers: one file at a time is gentler on 2 cores and on timing assertions.
          fileParallelism: false,
        },
      },
    ],
  },
});
