/**
 * Parley loads three of undici's own files instead of its index (core/transport.ts), and the CLI build swaps
 * undici's HTTP/2 client for a stub (electron.vite.config.ts). Both lean on undici's file layout, which an
 * upgrade may change without a word: these checks fail then, rather than the CLI silently loading the whole
 * package, node:http2 and TLS at start, or a request failing at run time.
 */
import { createRequire } from 'node:module';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startUpstream } from '../helpers/upstream.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const require = createRequire(join(ROOT, 'package.json'));

describe("undici's internal files", () => {
  it('the Agent, Dispatcher and request API that core/transport.ts imports are the package’s own', async () => {
    const undici = require('undici') as typeof import('undici');
    const Agent = require('undici/lib/dispatcher/agent.js') as unknown;
    const Dispatcher = require('undici/lib/dispatcher/dispatcher.js') as unknown;
    const api = require('undici/lib/api/index.js') as Record<string, unknown>;
    expect(Agent).toBe(undici.Agent);
    expect(Dispatcher).toBe(undici.Dispatcher);
    for (const m of ['request', 'stream', 'pipeline', 'upgrade', 'connect']) expect(typeof api[m], m).toBe('function');
    // As core/transport.ts uses them (it attaches the API to the internal Dispatcher's prototype on import):
    // an internal Agent's request reaches a server.
    await import('../../src/main/core/transport.ts');
    const up = await startUpstream();
    const agent = new (Agent as typeof undici.Agent)();
    try {
      const res = await agent.request({ origin: up.url, path: '/v1/models', method: 'GET' });
      expect(res.statusCode).toBe(200);
      await res.body.dump();
    } finally {
      await agent.close();
      await up.stop();
    }
  });

  it('the HTTP/2 client the CLI build replaces is where the stub expects it, and the built CLI carries the stub', () => {
    const h2 = join(ROOT, 'node_modules/undici/lib/dispatcher/client-h2.js');
    expect(existsSync(h2), 'undici/lib/dispatcher/client-h2.js moved: update the stub in electron.vite.config.ts').toBe(true);
    expect(readFileSync(join(ROOT, 'node_modules/undici/lib/dispatcher/client.js'), 'utf8')).toMatch(/require\(['"]\.\/client-h2(?:\.js)?['"]\)/);
    const dir = join(ROOT, 'out/main/cli');
    if (!existsSync(dir)) throw new Error('out/main/cli is missing: run `npm run build` first (npm test does).');
    const chunks = readdirSync(dir).filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(dir, f), 'utf8'));
    const all = [...chunks, readFileSync(join(ROOT, 'out/main/parley.js'), 'utf8')].join('\n');
    expect(all).toContain('HTTP/2 is not built into the parley command line');
    expect(all).not.toMatch(/require\(["'](?:node:)?http2["']\)|from ["'](?:node:)?http2["']|getBuiltinModule\(["'](?:node:)?http2["']\)/);
  });
});
