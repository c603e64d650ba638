/**
 * A desktop launch (Dock, Start menu, .desktop file) does not read shell profiles, so proxy and key
 * variables that a user exports in ~/.bashrc or ~/.zprofile are missing from the app's environment. This
 * reads the login shell's environment the way VS Code does (an interactive login shell runs our own
 * runtime, which prints its environment as JSON between markers) and says which variables differ.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';

export type Env = Record<string, string | undefined>;

export interface ShellEnvOptions {
  /** The shell to ask; default $SHELL, then the user's login shell, then /bin/sh. */
  shell?: string;
  /** The environment the shell starts with (default: process.env). */
  env?: Env;
  timeoutMs?: number;
  platform?: NodeJS.Platform;
}

export type ShellEnvResult =
  | { ok: true; shell: string; env: Record<string, string>; ms: number }
  | { ok: false; shell: string; reason: string; ms: number };

function userShell(env: Env): string {
  if (env.SHELL) return env.SHELL;
  try {
    const s = userInfo().shell;
    if (s) return s;
  } catch { /* no passwd entry */ }
  return '/bin/sh';
}

/**
 * Runs `$SHELL -i -l -c "printf MARK; env -0; printf MARK"`; never throws, never waits longer than timeoutMs.
 * The shell's own `env` prints the environment (NUL-separated, so values may hold newlines): not the app
 * binary as Node, which a packaged app cannot be (its RunAsNode fuse is off). The markers set the environment
 * apart from whatever the profile prints.
 */
export function readLoginShellEnv(opts: ShellEnvOptions = {}): Promise<ShellEnvResult> {
  const env = opts.env ?? process.env;
  const shell = opts.shell ?? userShell(env);
  const t0 = performance.now();
  const ms = (): number => Math.round(performance.now() - t0);
  if ((opts.platform ?? process.platform) === 'win32') return Promise.resolve({ ok: false, shell, reason: 'not applicable on Windows (apps inherit the user environment)', ms: 0 });
  const mark = randomUUID();
  // Works the same in sh, bash, zsh and fish.
  const command = `printf '%s' ${mark}; env -0; printf '%s' ${mark}`;
  return new Promise((resolve) => {
    let out = '';
    let done = false;
    const finish = (r: ShellEnvResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(r);
    };
    let child;
    try {
      child = spawn(shell, ['-i', '-l', '-c', command], {
        env: { ...env },
        stdio: ['ignore', 'pipe', 'ignore'],
        detached: true,
      });
    } catch (e) {
      finish({ ok: false, shell, reason: (e as Error).message, ms: ms() });
      return;
    }
    const c = child;
    const timer = setTimeout(() => {
      try {
        if (c.pid) process.kill(-c.pid, 'SIGKILL');
      } catch { /* gone */ }
      finish({ ok: false, shell, reason: `the login shell did not answer within ${opts.timeoutMs ?? 10_000} ms`, ms: ms() });
    }, opts.timeoutMs ?? 10_000);
    c.stdout.setEncoding('utf8');
    c.stdout.on('data', (d: string) => {
      out += d;
    });
    c.on('error', (e) => finish({ ok: false, shell, reason: e.message, ms: ms() }));
    c.on('close', (code) => {
      const a = out.indexOf(mark);
      const b = out.lastIndexOf(mark);
      if (a < 0 || b <= a) {
        finish({ ok: false, shell, reason: `the login shell exited (${code}) without printing its environment`, ms: ms() });
        return;
      }
      const parsed: Record<string, string> = {};
      for (const entry of out.slice(a + mark.length, b).split('\0')) {
        const eq = entry.indexOf('=');
        if (eq > 0) parsed[entry.slice(0, eq)] = entry.slice(eq + 1);
      }
      if (Object.keys(parsed).length === 0) {
        finish({ ok: false, shell, reason: 'unreadable output (no NAME=value entries)', ms: ms() });
        return;
      }
      finish({ ok: true, shell, env: parsed, ms: ms() });
    });
  });
}

export const PROXY_VARS = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy', 'NO_PROXY', 'no_proxy'] as const;
/** Variables that name a provider's key or endpoint (the common SDK conventions). */
export const PROVIDER_VARS = [
  'OPENAI_API_KEY', 'OPENAI_BASE_URL', 'OPENAI_API_BASE', 'ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL', 'DEEPSEEK_API_KEY',
  'MOONSHOT_API_KEY', 'DASHSCOPE_API_KEY', 'OLLAMA_HOST', 'NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE',
] as const;

export interface EnvGap {
  name: string;
  /** missing: the app has no value; differs: the app has another value. */
  kind: 'missing' | 'differs';
}

/** Variables the shell sets that the app lacks (or sees with another value): the watched ones and `extra`. */
export function envGaps(appEnv: Env, shellEnv: Env, extra: readonly string[] = []): EnvGap[] {
  const names = [...new Set([...PROXY_VARS, ...PROVIDER_VARS, ...extra])];
  const gaps: EnvGap[] = [];
  for (const name of names) {
    const s = shellEnv[name];
    if (!s) continue;
    const a = appEnv[name];
    if (!a) gaps.push({ name, kind: 'missing' });
    else if (a !== s) gaps.push({ name, kind: 'differs' });
  }
  return gaps;
}
