/**
 * The suite's own hygiene: a server a test starts ends when its test file ends, also when a sibling started in
 * the same Promise.all fails, and when the test worker is killed (SIGTERM, or SIGKILL where no code runs);
 * and the run's leak check fails when a marked server is left behind.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { launch, freePort, makeTempDir, findBinary, stopAllLaunched, RUN_ID, SERVER_MARK, waitFor } from '../helpers/proc.ts';
import { checkLeftovers, markedProcesses } from '../helpers/leak-check.ts';

const runId = (): string => process.env[RUN_ID] ?? 'none';
const alive = (pgid: number): boolean => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};

async function microsocks(): Promise<Awaited<ReturnType<typeof launch>>> {
  const port = await freePort();
  return launch({ name: 'microsocks', bin: findBinary(['microsocks'], 'microsocks'), args: ['-i', '127.0.0.1', '-p', String(port)], dir: await makeTempDir('cleanup-socks'), port });
}

describe('servers started by tests', () => {
  it('a sibling that fails to start leaves the others registered, and the end of the file stops them', async () => {
    const before = markedProcesses(SERVER_MARK, runId()).length;
    const port = await freePort();
    const failing = (async () => launch({ name: 'false', bin: '/bin/false', args: [], dir: await makeTempDir('cleanup-false'), port, startTimeoutMs: 2000 }))();
    const results = await Promise.allSettled([microsocks(), failing]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    // The started one is running, though a Promise.all would have handed it to nobody.
    expect(markedProcesses(SERVER_MARK, runId()).length).toBe(before + 1);
    await stopAllLaunched();
    expect(markedProcesses(SERVER_MARK, runId()).length).toBe(0);
  });

  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    it(`a test worker ended by ${signal} takes its servers with it`, async () => {
      const child = spawn(process.execPath, [join(import.meta.dirname, '..', 'helpers', 'launch-child.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      const pgid = Number((await waitFor(() => /ready (\d+)/.exec(out)?.[1], 20_000, () => `child said: ${out}`)));
      expect(alive(pgid)).toBe(true);
      child.kill(signal);
      await waitFor(() => !alive(pgid), 5000, () => `microsocks (group ${pgid}) still running after its parent got ${signal}`);
    });
  }

  it('the leak check fails the run when a marked server is left, and kills it', async () => {
    const id = `leak-${process.pid}`;
    const left = spawn('sleep', ['60'], { env: { ...process.env, [SERVER_MARK]: id }, stdio: 'ignore' });
    await waitFor(() => markedProcesses(SERVER_MARK, id).length === 1, 5000, () => 'the marked sleep did not start');
    await expect(checkLeftovers(id, 500)).rejects.toThrow(/left 1 server process/);
    await waitFor(() => left.exitCode !== null || left.signalCode !== null, 5000, () => 'the leftover was not killed');
    await expect(checkLeftovers(id, 0)).resolves.toBeUndefined();
  });
});
