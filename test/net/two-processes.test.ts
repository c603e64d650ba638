/**
 * The app and the CLI share one data folder and one log folder: two processes writing and rotating the log at
 * once lose no line and keep the caps; the CLI logs wherever it is started; two writers of settings.json keep
 * each other's changes.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { listLogFiles } from '../../src/main/services/diagnostics/logging.ts';
import { createSettingsStore } from '../../src/main/services/settings/store.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const LOG_CHILD = join(ROOT, 'test/helpers/log-writer-child.ts');
const SETTINGS_CHILD = join(ROOT, 'test/helpers/settings-writer-child.ts');

let dirs: string[] = [];
const tmp = (name: string): string => {
  const d = mkdtempSync(join(tmpdir(), `parley-2p-${name}-`));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

function run(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: opts.cwd ?? ROOT, env: { PATH: process.env.PATH ?? '', ...opts.env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

/** Two writers of N lines each, started together; every line read back as {w, i}. */
async function twoWriters(dir: string, n: number, caps: { maxSize: number; maxFiles: number; maxTotal: number }): Promise<Map<string, number[]>> {
  const args = (tag: string) => [LOG_CHILD, dir, tag, String(n), String(caps.maxSize), String(caps.maxFiles), String(caps.maxTotal)];
  const a = run(args('a'));
  const b = run(args('b'));
  const t0 = Date.now();
  while (!(existsSync(join(dir, 'ready-a')) && existsSync(join(dir, 'ready-b')))) {
    if (Date.now() - t0 > 30_000) throw new Error('the writers did not start');
    await new Promise((r) => setTimeout(r, 10));
  }
  writeFileSync(join(dir, 'go'), '');
  const results = await Promise.all([a, b]);
  for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0 });
  const seen = new Map<string, number[]>([['a', []], ['b', []]]);
  for (const f of listLogFiles(dir)) {
    const text = readFileSync(f, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    for (const line of text.split('\n').filter(Boolean)) {
      const o = JSON.parse(line) as { data: { w: string; i: number } };
      seen.get(o.data.w)?.push(o.data.i);
    }
  }
  return seen;
}

describe('two processes writing one log folder', () => {
  it('2 × 20,000 lines with a small maxSize: not one line lost or doubled, within the caps (the total fits them)', async () => {
    const dir = tmp('log');
    const N = 20_000;
    const caps = { maxSize: 64 * 1024, maxFiles: 200, maxTotal: 64 * 1024 * 1024 };
    const seen = await twoWriters(dir, N, caps);
    for (const w of ['a', 'b']) {
      const got = (seen.get(w) ?? []).slice().sort((x, y) => x - y);
      expect(got.length, `writer ${w}`).toBe(N);
      expect(got.every((v, k) => v === k), `writer ${w}: every number once`).toBe(true);
    }
    const files = listLogFiles(dir);
    expect(files.length).toBeGreaterThan(20);
    expect(files.length).toBeLessThanOrEqual(caps.maxFiles);
    // No leftovers: only the log files and the test's own markers.
    expect(readdirSync(dir).filter((f) => !/^parley(\.\d+)?\.log$/.test(f) && !/^(ready-[ab]|go)$/.test(f))).toEqual([]);
  }, 120_000);

  it('with tight caps only whole oldest files are dropped: each writer keeps a gapless run up to its last line; the file count and total caps hold', async () => {
    const dir = tmp('caps');
    const N = 20_000;
    const caps = { maxSize: 32 * 1024, maxFiles: 4, maxTotal: 1024 * 1024 };
    const seen = await twoWriters(dir, N, caps);
    const files = listLogFiles(dir);
    expect(files.length).toBeLessThanOrEqual(caps.maxFiles);
    expect(files.reduce((t, f) => t + statSync(f).size, 0)).toBeLessThanOrEqual(caps.maxTotal);
    // What remains is the newest few files: together they hold many lines (a writer that finished well before
    // the other may have none left).
    expect((seen.get('a')?.length ?? 0) + (seen.get('b')?.length ?? 0)).toBeGreaterThan(500);
    for (const w of ['a', 'b']) {
      const got = (seen.get(w) ?? []).slice().sort((x, y) => x - y);
      if (!got.length) continue;
      expect(got.at(-1)).toBe(N - 1);
      const first = got[0] ?? 0;
      expect(got.every((v, k) => v === first + k), `writer ${w}: lines ${first}…${N - 1} without a gap`).toBe(true);
    }
  }, 120_000);
});

describe('the CLI writes its log wherever it is started', () => {
  it.each([
    ['/', () => '/'],
    ['a folder with no package.json above it', () => tmp('cwd')],
  ])('cwd %s: parley.log gets the request lines', async (_name, cwd) => {
    const home = tmp('home');
    const where = cwd();
    expect(existsSync(join(where, 'package.json')) || existsSync(join(dirname(where), 'package.json'))).toBe(false);
    const r = await runCli(['chat', '--retries', '0', '--base-url', 'http://127.0.0.1:1/v1', '--model', 'm', 'hello'], { cwd: where, home });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('connect_refused');
    const log = join(home, 'logs', 'parley.log');
    expect(existsSync(log)).toBe(true);
    const lines = readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { scope: string; message: string });
    expect(lines.find((l) => l.scope === 'cli' && l.message === 'chat')).toBeDefined();
    expect(lines.find((l) => l.scope === 'cli' && l.message === 'connect_refused')).toBeDefined();
  });
});

describe('settings.json changed by two processes', () => {
  it('a change in the app merges into what another process (the CLI, a second store) wrote after the app read the file', async () => {
    const dir = tmp('settings');
    const store = createSettingsStore(dir);
    store.update({ ui: { theme: 'dark' } });
    expect(store.get().network.retries).not.toBe(7);
    const r = await run([SETTINGS_CHILD, dir, JSON.stringify({ network: { retries: 7 } })]);
    expect(r.code, r.stderr).toBe(0);
    store.update({ logging: { logContent: true } });
    const file = JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')) as { network: { retries: number }; ui: { theme: string }; logging: { logContent: boolean } };
    expect(file.network.retries).toBe(7);
    expect(file.ui.theme).toBe('dark');
    expect(file.logging.logContent).toBe(true);
    // And the app sees the other process's change without a restart.
    expect(store.get().network.retries).toBe(7);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
