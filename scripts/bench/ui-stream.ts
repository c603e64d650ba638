/**
 * bench-ui's streaming scenario under load, and the cost of one stream event (issue 17). Used by
 * scripts/bench-ui.ts (which owns the seed, the upstream and the pages); `--stream-only` there runs only this.
 *
 * Per target (Parley, the naive baseline), in a fresh browser context, the long conversation opened cold:
 * 1. quiet: one answer streamed at 300 deltas/s; each stream event's JavaScript is timed in the page. Parley: the
 *    renderer's probe (src/renderer/src/stream-probe.ts, on only because this page defines
 *    `window.__parleyStreamProbe` before the app's scripts): an event's listener up to the end of the render it
 *    caused, and each once-a-frame commit of gathered deltas (flush → rendered), shared among the events it
 *    carried. Baseline: each network read's handling (parse every SSE event in it, marked.parse of the whole
 *    answer, innerHTML, scroll to the bottom).
 * 2. under load: a forked child process (busy-core.mjs) spins on one core, started here and killed when the
 *    stream ends (also on exit; it leaves by itself when this process goes); the same stream again: frame
 *    intervals and long tasks from the upstream's first write to the last delta in the DOM.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';

export type StreamMode = 'parley' | 'baseline';

export interface StreamBenchContext {
  browser: Browser;
  /** The target's page URL (Parley: a fresh host on a fresh copy of the data) and how to close it. */
  open(mode: StreamMode): Promise<{ url: string; close(): Promise<void> }>;
  /** bench-ui's page probe (frames, long tasks, visible, marker). */
  probeScript(mode: StreamMode, sentinel: string): string;
  sentinel: string;
  marker: string;
  question: string;
  answer: string;
  upstreamUrl: string;
  arm(text: string): Promise<{ ended: Promise<{ writes: number[]; perf: number[] }> }>;
  within<T>(what: string, p: Promise<T>, ms?: number): Promise<T>;
  waitForExpression(page: Page, expression: string, timeoutMs?: number): Promise<void>;
}

export interface Quantiles { p50: number; p95: number; max: number; n: number }

export interface StreamResult {
  frames: Quantiles;
  over25: number;
  longtasks: { count: number; totalMs: number; maxMs: number };
  /** JavaScript per stream event (arrival → committed, its share of a frame's commit). */
  perEvent: Quantiles;
  /** A frame's commit of gathered deltas (Parley only; NaN for the baseline). */
  perCommit: Quantiles;
  eventsPerCommit: number;
  /** The busy child's CPU time over the stream, in cores (1 = a full core); NaN when quiet or not readable. */
  busyCores: number;
  streamMs: number;
}

export interface StreamLoadResult { quiet: StreamResult; loaded: StreamResult }

const quantile = (xs: number[], p: number): number => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] as number;
};
export const quantiles = (xs: number[]): Quantiles => ({ p50: quantile(xs, 0.5), p95: quantile(xs, 0.95), max: xs.length ? Math.max(...xs) : NaN, n: xs.length });

// ================================================================ the busy core

const busy = new Set<ChildProcess>();
let exitHook = false;

/** A child process spinning on one core, registered for cleanup (killed on exit; it also leaves when we go). */
export async function startBusyCore(): Promise<{ pid: number; cpuMs(): number; stop(): Promise<void> }> {
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const c of busy) c.kill('SIGKILL');
    });
  }
  const child = fork(join(import.meta.dirname, 'busy-core.mjs'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  busy.add(child);
  child.once('exit', () => busy.delete(child));
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`the busy child exited early (${code})`)));
  });
  const pid = child.pid as number;
  return {
    pid,
    // utime + stime of /proc/<pid>/stat, in ms (Linux; NaN elsewhere).
    cpuMs() {
      try {
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
        return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
      } catch {
        return NaN;
      }
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await gone;
    },
  };
}

// ================================================================ a profile (BENCH_UI_PROFILE=<folder>)

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

/** With BENCH_UI_PROFILE set: a CPU profile of the page over the stream, saved there, its top self times printed. */
export async function startProfile(page: Page): Promise<((name: string) => Promise<void>) | null> {
  const dir = process.env.BENCH_UI_PROFILE;
  if (!dir) return null;
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  return async (name) => {
    const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: CpuProfile };
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${name}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    const self = new Map<number, number>();
    profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
    const byFn = new Map<string, number>();
    let total = 0;
    for (const n of profile.nodes) {
      const us = self.get(n.id) ?? 0;
      total += us;
      const f = n.callFrame;
      const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop() ?? ''}:${f.lineNumber + 1}:${f.columnNumber + 1}`;
      byFn.set(key, (byFn.get(key) ?? 0) + us);
    }
    const top = [...byFn].filter(([k]) => !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, 25);
    process.stderr.write(`profile ${file} (${(total / 1000).toFixed(0)} ms sampled); top self time:\n${top.map(([k, us]) => `  ${(us / 1000).toFixed(1).padStart(8)} ms ${((100 * us) / total).toFixed(1).padStart(5)} %  ${k}`).join('\n')}\n`);
    await cdp.detach();
  };
}

// ================================================================ one stream

const PROBE_INIT = 'window.__parleyStreamProbe = { events: [], commits: [] };';

/** JavaScript per event: its own time, plus an equal share of the commit that carried it (the events since the previous commit). */
export function perEventCosts(events: number[], commits: number[]): { perEvent: number[]; perCommit: number[]; carried: number[] } {
  const starts: number[] = [];
  const own: number[] = [];
  for (let i = 0; i + 1 < events.length; i += 2) {
    starts.push(events[i] as number);
    own.push((events[i + 1] as number) - (events[i] as number));
  }
  const perEvent = [...own];
  const perCommit: number[] = [];
  const carried: number[] = [];
  let from = 0;
  for (let c = 0; c + 2 < commits.length; c += 3) {
    const start = commits[c] as number;
    const ms = (commits[c + 1] as number) - start;
    perCommit.push(ms);
    carried.push(commits[c + 2] as number);
    let to = from;
    while (to < starts.length && (starts[to] as number) < start) to++;
    for (let i = from; i < to; i++) perEvent[i] = (perEvent[i] as number) + ms / (to - from);
    from = to;
  }
  return { perEvent, perCommit, carried };
}

/** The second stream's last delta: as long as the first's, and not in the first answer (which is then on screen). */
const LOADED_MARKER = 'QZXL';

async function streamOnce(ctx: StreamBenchContext, page: Page, mode: StreamMode, load: boolean): Promise<StreamResult> {
  const marker = load ? LOADED_MARKER : ctx.marker;
  const answer = load ? ctx.answer.slice(0, -ctx.marker.length) + LOADED_MARKER : ctx.answer;
  await page.evaluate('(() => { const p = window.__parleyStreamProbe; p.events.length = 0; p.commits.length = 0; })()');
  const core = load ? await startBusyCore() : null;
  try {
    if (core) await page.waitForTimeout(500); // the scheduler has seen the spinner
    const cpu0 = core?.cpuMs() ?? NaN;
    const profiling = await startProfile(page);
    const t0 = performance.now();
    const { ended } = await ctx.within(`${mode}: arming the upstream`, ctx.arm(answer), 10_000);
    await page.evaluate(`window.__bench.watchMarker(${JSON.stringify(marker)})`);
    if (mode === 'parley') {
      await page.fill('[data-testid="composer"]', ctx.question);
      await page.press('[data-testid="composer"]', 'Enter');
    } else {
      await page.evaluate(`void window.__baseline.send(${JSON.stringify(ctx.question)}, ${JSON.stringify(`${ctx.upstreamUrl}/v1/chat/completions`)})`);
    }
    const done = await ctx.within(`${mode}: the upstream's stream${load ? ' (under load)' : ''}`, ended);
    const seen = await ctx.within(`${mode}: the marker in the DOM${load ? ' (under load)' : ''}`, page.evaluate<{ domAt: number }>('window.__bench.marker'));
    const busyCores = core ? (core.cpuMs() - cpu0) / (performance.now() - t0) : NaN;
    await core?.stop();
    await profiling?.(`${mode}-${load ? 'loaded' : 'quiet'}`);
    await ctx.waitForExpression(page, `(() => { const all = document.querySelectorAll('[data-testid="message"]'); return all[all.length - 1]?.getAttribute('data-status') === 'complete'; })()`, 120_000);
    const epochOffset = await page.evaluate<number>('window.__bench.epochOffset');
    const from = (done.writes[0] as number) - epochOffset;
    const to = seen.domAt;
    const flat = await page.evaluate<number[]>('window.__bench.frames');
    const frames: number[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const t = flat[i] as number;
      if (t - (flat[i + 1] as number) >= from && t <= to) frames.push(flat[i + 1] as number);
    }
    const lt = (await page.evaluate<[number, number][]>('window.__bench.longtasks')).filter(([start, d]) => start + d >= from && start <= to).map(([, d]) => d);
    const probe = await page.evaluate<{ events: number[]; commits: number[] }>('window.__parleyStreamProbe');
    const costs = perEventCosts(probe.events, probe.commits);
    return {
      frames: quantiles(frames),
      over25: frames.filter((f) => f > 25).length,
      longtasks: { count: lt.length, totalMs: lt.reduce((a, b) => a + b, 0), maxMs: lt.length ? Math.max(...lt) : 0 },
      perEvent: quantiles(costs.perEvent),
      perCommit: quantiles(costs.perCommit),
      eventsPerCommit: quantile(costs.carried, 0.5),
      busyCores,
      streamMs: to - from,
    };
  } finally {
    await core?.stop();
  }
}

/** Both streams (quiet, then under load) for one target, in a fresh context. */
export async function measureStreamUnderLoad(ctx: StreamBenchContext, mode: StreamMode): Promise<StreamLoadResult> {
  const target = await ctx.open(mode);
  const context = await ctx.browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  try {
    const page = await context.newPage();
    await page.addInitScript(PROBE_INIT);
    await page.addInitScript(ctx.probeScript(mode, ctx.sentinel));
    await page.goto(target.url, { waitUntil: 'commit' });
    await ctx.within(`${mode}: open`, page.evaluate('window.__bench.visible'));
    await page.waitForTimeout(500);
    const quiet = await streamOnce(ctx, page, mode, false);
    await page.waitForTimeout(500);
    const loaded = await streamOnce(ctx, page, mode, true);
    return { quiet, loaded };
  } finally {
    await context.close();
    await target.close();
  }
}

// ================================================================ printing

const fmt = (x: number, digits = 1): string => (Number.isFinite(x) ? x.toFixed(digits) : '—');

/** The scenario's rows: [figure, Parley, baseline, budget, within budget?] (median [min–max] across runs). */
export function streamRows(runs: { parley: StreamLoadResult; baseline?: StreamLoadResult }[]): [string, string, string, string, string][] {
  if (!runs.length) return [];
  const spread = (xs: number[], digits = 1, unit = ' ms'): string => {
    const ok = xs.filter(Number.isFinite);
    if (!ok.length) return '—';
    if (ok.length === 1) return `${fmt(ok[0] as number, digits)}${unit}`;
    return `${fmt(quantile(ok, 0.5), digits)}${unit} [${fmt(Math.min(...ok), digits)}–${fmt(Math.max(...ok), digits)}]`;
  };
  const rows: [string, string, string, string, string][] = [];
  const row = (figure: string, pick: (r: StreamLoadResult) => number, budget: string, ok: ((x: number) => boolean) | null, digits = 1, unit = ' ms'): void => {
    const p = runs.map((r) => pick(r.parley));
    const b = runs.flatMap((r) => (r.baseline ? [pick(r.baseline)] : []));
    rows.push([figure, spread(p, digits, unit), b.length ? spread(b, digits, unit) : '—', budget, ok ? (p.every(ok) ? 'yes' : 'NO') : '—']);
  };
  row('one stream event: JS arrival → commit, median', (r) => r.quiet.perEvent.p50, '≤ 1 ms', (x) => x <= 1, 2);
  row('one stream event: JS arrival → commit, p95', (r) => r.quiet.perEvent.p95, '≤ 4 ms', (x) => x <= 4, 2);
  row('one stream event: slowest', (r) => r.quiet.perEvent.max, '', null);
  row('stream events handled (count)', (r) => r.quiet.perEvent.n, '', null, 0, '');
  row('a frame\'s commit of gathered deltas, median / p95', (r) => r.quiet.perCommit.p50, '', null, 2);
  row('  (p95)', (r) => r.quiet.perCommit.p95, '', null, 2);
  row('events carried per commit (median)', (r) => r.quiet.eventsPerCommit, '', null, 0, '');
  row('under load (1 core busy): frame interval p95', (r) => r.loaded.frames.p95, '≤ 16.7 ms (1 frame)', (x) => x <= 17.2);
  row('under load: frame interval max', (r) => r.loaded.frames.max, '', null);
  row('under load: frames over 25 ms', (r) => r.loaded.over25, '', null, 0, '');
  row('under load: long tasks (count)', (r) => r.loaded.longtasks.count, '0 over 50 ms', (x) => x === 0, 0, '');
  row('under load: long tasks (longest)', (r) => r.loaded.longtasks.maxMs, '', null, 0);
  row('under load: one stream event, median', (r) => r.loaded.perEvent.p50, '', null, 2);
  row('under load: one stream event, p95', (r) => r.loaded.perEvent.p95, '', null, 2);
  row('under load: the busy child\'s CPU (cores)', (r) => r.loaded.busyCores, '', null, 2, '');
  return rows;
}
