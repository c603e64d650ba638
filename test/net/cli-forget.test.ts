/**
 * `parley doctor --forget-routes`: a route Parley remembered as breaking streams (in the data folder's stream
 * memory, shared with the app) is forgotten, and the next answer on it streams again.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUpstream, type Upstream } from '../helpers/upstream.ts';

const SRC = join(import.meta.dirname, '..', '..', 'src/main/cli/parley.ts');

let up: Upstream;
let home: string;
beforeAll(async () => {
  up = await startUpstream();
  home = mkdtempSync(join(tmpdir(), 'parley-forget-'));
});
afterAll(async () => {
  await up?.stop();
  rmSync(home, { recursive: true, force: true });
});

function parley(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SRC, ...args], { env: { PATH: process.env.PATH ?? '', HOME: home, PARLEY_HOME: home, TEST_KEY: 'k' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
const chat = () => parley(['chat', '--base-url', `${up.url}/v1`, '--model', 'test-model', '--api-key', '${TEST_KEY}', '--proxy-mode', 'none', '--json', 'Hi']);
const fallbacks = (out: string) => out.trim().split('\n').map((l) => JSON.parse(l) as { type: string; remembered?: boolean }).filter((l) => l.type === 'fallback');

describe('parley doctor --forget-routes', () => {
  it('forgets the remembered broken-stream route: the next answer streams again', async () => {
    up.behave({ kind: 'streamOnly', then: { kind: 'status', status: 502, body: '<html><title>502 Bad Gateway</title></html>', contentType: 'text/html' } });
    const first = await chat();
    expect(first.code, first.stderr).toBe(0);
    expect(fallbacks(first.stdout)).toEqual([expect.objectContaining({ reason: 'bad_gateway' })]);
    // Remembered: the next run does not even try to stream.
    const remembered = await chat();
    expect(fallbacks(remembered.stdout)).toEqual([expect.objectContaining({ remembered: true })]);
    expect(up.chatRequests.at(-1)?.stream).toBe(false);

    const forget = await parley(['doctor', '--forget-routes']);
    expect(forget.code, forget.stderr).toBe(0);
    expect(forget.stdout).toBe('Forgot 1 broken-stream route: the next answer on it streams again.\n');
    expect(JSON.parse(readFileSync(join(home, 'stream-memory.json'), 'utf8'))).toEqual({});

    const again = await chat();
    expect(again.code).toBe(0);
    expect(fallbacks(again.stdout)).toEqual([]);
    expect(up.chatRequests.at(-1)?.stream).toBe(true);

    const json = await parley(['doctor', '--forget-routes', '--json']);
    expect(JSON.parse(json.stdout)).toEqual({ forgotten: 0 });
  }, 30_000);
  it('is in the usage text', async () => {
    const help = await parley(['doctor', '--help']);
    expect(help.stdout).toMatch(/--forget-routes/);
  });
  it('refuses other options with it, naming what applies (exit 2)', async () => {
    const r = await parley(['doctor', '--forget-routes', '--base-url', 'http://x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/only --config-dir and --json apply/);
  });
});
