/**
 * A global setup: marks the run (every server launched by test/helpers/proc.ts carries the mark in its
 * environment) and, when the run ends, fails it if a process with the mark is still running, after killing it.
 * A leftover is a bug in a test's cleanup: the servers' watchdogs and the per-file cleanup should leave none.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { RUN_ID, SERVER_MARK } from './proc.ts';

/** Processes whose environment holds `name=value`: pid and command line. */
export function markedProcesses(name: string, value: string): { pid: number; cmd: string }[] {
  const needle = `${name}=${value}`;
  const out: { pid: number; cmd: string }[] = [];
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return out; // not Linux: nothing to check
  }
  for (const pid of pids) {
    try {
      const env = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
      if (!env.includes(needle)) continue;
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ').trim();
      // A zombie has no command line and holds nothing.
      if (cmd) out.push({ pid: Number(pid), cmd });
    } catch { /* gone, or not ours to read */ }
  }
  return out;
}

/** Fails (after killing them) when processes marked with run `id` are still running after a grace period. */
export async function checkLeftovers(id: string, graceMs = 5000): Promise<void> {
  // The watchdogs notice a dead worker within half a second.
  const until = Date.now() + graceMs;
  let left = markedProcesses(SERVER_MARK, id);
  while (left.length && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 250));
    left = markedProcesses(SERVER_MARK, id);
  }
  if (!left.length) return;
  for (const p of left) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch { /* gone */ }
  }
  throw new Error(`The test run left ${left.length} server process(es) running (killed now):\n${left.map((p) => `  ${p.pid} ${p.cmd.slice(0, 200)}`).join('\n')}`);
}

export default function setup(): () => Promise<void> {
  // The network and the e2e project share one run id (each has this global setup).
  const id = (process.env[RUN_ID] ??= randomBytes(6).toString('hex'));
  return () => checkLeftovers(id);
}
