// Small process/network utilities shared by the test server starters.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** Returns a port that was free on 127.0.0.1 a moment ago (bind to :0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') {
        srv.close();
        reject(new Error('could not determine a free port'));
        return;
      }
      const { port } = addr;
      srv.close(() => resolve(port));
    });
  });
}

/** Rejects with `label timed out after N ms` if `p` does not settle in time. */
export async function withTimeout<T>(p: Promise<T>, ms: number, label = 'operation'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label} timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns a truthy value or the timeout expires. */
export async function waitFor<T>(
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs: number,
  describe: () => string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${describe()}`);
    await sleep(50);
  }
}

export function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `parley-${prefix}-`));
}

const SEARCH_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/**
 * Finds an executable by name (or an absolute candidate path) in PATH plus the
 * usual sbin directories. Throws an error naming the Debian package otherwise.
 */
export function findBinary(names: readonly string[], debPackage: string, extraPaths: readonly string[] = []): string {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...SEARCH_PATH];
  for (const name of names) {
    if (path.isAbsolute(name)) {
      if (existsSync(name)) return name;
      continue;
    }
    for (const dir of [...extraPaths, ...dirs]) {
      const candidate = path.join(dir, name);
      if (existsSync(candidate)) return candidate;
    }
  }
  throw new Error(
    `${names[0] ?? debPackage} not found: install the Debian package "${debPackage}" (apt-get install -y ${debPackage})`,
  );
}

export function readIfExists(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

// Process groups still alive, and the stop() of every server launched in this process. A server is registered
// the moment it is spawned (before it is ready), so a sibling that fails to start, a timeout or a dying worker
// leaves nothing running:
// - stopAllLaunched() (called after each test file by test/helpers/cleanup-setup.ts) stops what a file left;
// - an exit or a terminating signal of this process kills the groups synchronously;
// - a SIGKILLed process cannot run code, so each server also gets a watchdog (a tiny sh loop outside its group)
//   that kills the group once this process is gone.
const liveGroups = new Set<number>();
/** The variable naming this test run (set by the leak check before any worker starts). */
export const RUN_ID = 'PARLEY_TEST_RUN';
/** The variable every launched server carries, with the run's id as its value. */
export const SERVER_MARK = 'PARLEY_TEST_SERVER';
const liveStops = new Set<() => Promise<void>>();
let exitHookInstalled = false;
function killLiveGroups(): void {
  for (const pgid of liveGroups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', killLiveGroups);
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.once(sig, () => {
      killLiveGroups();
      // The default action, which a listener replaces: end with the signal's status.
      process.kill(process.pid, sig);
    });
  }
}

/** Kills process group `pgid` once process `parent` is gone (checked every 0.5 s); ends when the group does. */
function watchdog(parent: number, pgid: number): void {
  const script = 'while kill -0 "$1" 2>/dev/null; do kill -0 "-$2" 2>/dev/null || exit 0; sleep 0.5; done; kill -KILL "-$2" 2>/dev/null; exit 0';
  const dog = spawn('sh', ['-c', script, 'parley-test-watchdog', String(parent), String(pgid)], { detached: true, stdio: 'ignore', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  dog.on('error', () => {});
  dog.unref();
}

/** Stops every server launched in this process that is still running (after each test file). */
export async function stopAllLaunched(): Promise<void> {
  await Promise.all([...liveStops].map((stop) => stop().catch(() => {})));
}

/** All descendant pids of `root` (Linux /proc; empty elsewhere). */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  for (const e of entries) {
    const stat = readIfExists(`/proc/${e}/stat`);
    // "pid (comm) state ppid ..." - comm may contain spaces/parens.
    const m = /\)\s+\S+\s+(\d+)/.exec(stat.slice(stat.lastIndexOf(')')));
    if (!m?.[1]) continue;
    const ppid = Number(m[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(e));
    children.set(ppid, list);
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    for (const c of children.get(pid) ?? []) {
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

function pidGone(pid: number): boolean {
  return !existsSync(`/proc/${pid}`);
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function connectOnce(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const done = (ok: boolean): void => {
      sock.removeAllListeners();
      sock.on('error', () => {});
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(1000, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

export interface ManagedProcess {
  readonly child: ChildProcess;
  readonly dir: string;
  /** Process stdout/stderr followed by the given log files' contents. */
  logs(): string;
  stop(): Promise<void>;
}

export interface LaunchOptions {
  name: string;
  bin: string;
  args: string[];
  dir: string;
  port: number;
  /** Log files (inside dir) whose contents are appended to logs(). */
  logFiles?: string[];
  /** Signal used for a graceful stop (SIGKILL follows after `killAfterMs`). */
  stopSignal?: NodeJS.Signals;
  killAfterMs?: number;
  startTimeoutMs?: number;
  /** Extra readiness check run after the port accepts connections. */
  ready?: () => boolean | Promise<boolean>;
  env?: NodeJS.ProcessEnv;
}

const MAX_OUTPUT = 256 * 1024;

/**
 * Spawns a server in its own process group, waits for 127.0.0.1:port to accept
 * connections (and the optional `ready` check), and returns a handle whose
 * stop() kills the whole group, waits for the main process to exit and
 * removes the temp dir (logs stay readable afterwards via a snapshot).
 */
export async function launch(opts: LaunchOptions): Promise<ManagedProcess> {
  installExitHook();
  let output = '';
  const child = spawn(opts.bin, opts.args, {
    cwd: opts.dir,
    detached: true, // own process group, so helpers/children are killed too
    stdio: ['ignore', 'pipe', 'pipe'],
    // The run's mark (test/helpers/leak-check.ts finds what a run left behind by it).
    env: { ...(opts.env ?? process.env), [SERVER_MARK]: process.env[RUN_ID] ?? 'none' },
  });
  const append = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    if (output.length > MAX_OUTPUT) output = output.slice(-MAX_OUTPUT);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);

  let exited = false;
  let exitInfo = '';
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = true;
      exitInfo = `exited with code ${String(code)} signal ${String(signal)}`;
      if (child.pid !== undefined) liveGroups.delete(child.pid);
      resolve();
    });
  });
  let spawnError: Error | undefined;
  child.once('error', (err) => {
    spawnError = err;
    exited = true;
    exitInfo = `failed to spawn: ${err.message}`;
  });
  if (child.pid !== undefined) {
    liveGroups.add(child.pid);
    watchdog(process.pid, child.pid);
  }

  let snapshot: string | undefined;
  const logs = (): string => {
    if (snapshot !== undefined) return snapshot;
    let text = `[${opts.name} stdout/stderr]\n${output}`;
    for (const f of opts.logFiles ?? []) {
      text += `\n[${path.basename(f)}]\n${readIfExists(path.isAbsolute(f) ? f : path.join(opts.dir, f))}`;
    }
    return text;
  };

  const killGroup = (sig: NodeJS.Signals): void => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, sig);
    } catch {
      // group already gone
    }
  };

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      // Helpers may live in their own session (squid setsid()s its auth
      // helpers), so remember every descendant to make sure they are gone too.
      const kids = child.pid !== undefined && !exited ? descendants(child.pid) : [];
      if (!exited) {
        // Signal only the main process so it can stop and reap its own
        // children/helpers (signalling the group leaves orphaned zombies).
        try {
          child.kill(opts.stopSignal ?? 'SIGTERM');
        } catch {
          // already gone
        }
        const killer = setTimeout(() => killGroup('SIGKILL'), opts.killAfterMs ?? 5000);
        await exitPromise;
        clearTimeout(killer);
      }
      // Make sure no forked helper of the group survives the main process,
      // and wait (briefly) until the group has fully disappeared.
      killGroup('SIGKILL');
      if (child.pid !== undefined) {
        const pgid = child.pid;
        const until = Date.now() + 3000;
        for (const k of kids) {
          try {
            process.kill(k, 'SIGKILL');
          } catch {
            // already gone
          }
        }
        while (Date.now() < until && (groupAlive(pgid) || !kids.every(pidGone))) await sleep(25);
        liveGroups.delete(pgid);
      }
      snapshot = logs();
      await rm(opts.dir, { recursive: true, force: true }).catch(() => {});
      liveStops.delete(stop);
    })();
    return stopping;
  };
  liveStops.add(stop);

  const timeoutMs = opts.startTimeoutMs ?? 15_000;
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (spawnError) throw spawnError;
      if (exited) throw new Error(`${opts.name} ${exitInfo} before accepting connections on port ${opts.port}`);
      if ((await connectOnce('127.0.0.1', opts.port)) && (!opts.ready || (await opts.ready()))) break;
      if (Date.now() > deadline) {
        throw new Error(`${opts.name} did not accept connections on 127.0.0.1:${opts.port} within ${timeoutMs} ms`);
      }
      await sleep(50);
    }
  } catch (err) {
    const text = logs();
    await stop();
    const msg = err instanceof Error ? err.message : String(err);
    throw new Error(`${msg}\n--- ${opts.name} logs ---\n${text}`, { cause: err });
  }
  return { child, dir: opts.dir, logs, stop };
}
