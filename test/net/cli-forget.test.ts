/**
 * `parley doctor --forget-routes`: a route Parley remembered as breaking streams (in the data folder's stream
 * memory, shared with the app) is forgotten, and the next answer on it streams again.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from '../helpers/cli.ts';
import { startUpstream, type Upstream } from '../helpers/upstream.ts';


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

const parley = (args: string[]): Promise<CliRun> => runCli(args, { home, env: { TEST_KEY: 'k' } });
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
