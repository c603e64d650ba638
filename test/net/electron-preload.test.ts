/**
 * The built preload (out/preload/index.cjs) run as Electron runs a sandboxed preload: one script whose
 * `require` knows only 'electron' and a few built-ins (events, timers, url). Importing the IPC contract with
 * its schema library once made the preload throw there (`require("zod")`), leaving the window without
 * `window.parley`; the shell tests' stand-in did not see it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { CHANNELS, EVENT_CHANNEL, methodName } from '../../src/shared/ipc-names.ts';

const PRELOAD = join(import.meta.dirname, '..', '..', 'out', 'preload', 'index.cjs');
/** What a sandboxed preload may require (Electron's documentation, "Preload scripts" in the sandbox). */
const SANDBOX_MODULES = new Set(['electron', 'events', 'timers', 'url']);

describe('the sandboxed preload', () => {
  it('loads with only what a sandbox offers and gives the window one method per channel, plus events', async () => {
    if (!existsSync(PRELOAD)) throw new Error('out/preload/index.cjs is missing: run `npm run build` first (npm test does).');
    const exposed: Record<string, unknown> = {};
    const invoked: unknown[][] = [];
    const listeners: Array<(e: unknown, name: string, payload: unknown) => void> = [];
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
      ipcRenderer: {
        invoke: (...args: unknown[]) => {
          invoked.push(args);
          return Promise.resolve({ ok: true, value: null });
        },
        on: (channel: string, fn: (e: unknown, name: string, payload: unknown) => void) => {
          expect(channel).toBe(EVENT_CHANNEL);
          listeners.push(fn);
        },
        removeListener: (_channel: string, fn: unknown) => void listeners.splice(listeners.indexOf(fn as never), 1),
      },
    };
    const required: string[] = [];
    const sandboxRequire = (id: string): unknown => {
      required.push(id);
      if (!SANDBOX_MODULES.has(id)) throw new Error(`module not found: ${id}`);
      return id === 'electron' ? electron : {};
    };
    const module = { exports: {} };
    const wrapped = vm.runInNewContext(`(function (exports, require, module) {\n${readFileSync(PRELOAD, 'utf8')}\n})`, {}) as (e: unknown, r: unknown, m: unknown) => void;
    wrapped(module.exports, sandboxRequire, module);

    expect(required.filter((id) => !SANDBOX_MODULES.has(id))).toEqual([]);
    const api = exposed.parley as Record<string, (...args: unknown[]) => Promise<unknown>> & { on(event: string, fn: (p: unknown) => void): () => void };
    expect(Object.keys(api).sort()).toEqual([...CHANNELS.map((c) => methodName(c)), 'on'].sort());
    await api.conversationsOpen!('c1');
    expect(invoked).toEqual([['conversations:open', 'c1']]);

    const got: unknown[] = [];
    const off = api.on('chat:stream', (p) => got.push(p));
    for (const fn of listeners) fn({}, 'chat:stream', { type: 'delta' });
    for (const fn of listeners) fn({}, 'connectivity:state', { osOnline: true });
    expect(got).toEqual([{ type: 'delta' }]);
    off();
    expect(listeners).toHaveLength(0);
    expect(() => api.on('no:such', () => undefined)).toThrow(/unknown event/);
  });
});
