/**
 * What one stream event costs, for the benchmark (scripts/bench/ui-stream.ts): only when the page was given a
 * probe before its scripts ran (`window.__parleyStreamProbe = { events: [], commits: [] }`). Without one (the
 * app as shipped) nothing is wrapped, timed or recorded: `timedStream` hands back the listener itself.
 *
 * - events: per 'chat:stream' event, [arrival, done]: its listener and any render React did for it before the
 *   next task (a render the listener caused runs in a microtask queued before the one that reads `done`).
 * - commits: per commit of gathered deltas (once a frame), [start, done, events it carried].
 */
export interface StreamProbe {
  events: number[];
  commits: number[];
}

/** The most figures a probe keeps (a benchmark's stream is a few thousand events). */
const KEPT = 300_000;

function find(): StreamProbe | undefined {
  const p = (globalThis as { __parleyStreamProbe?: unknown }).__parleyStreamProbe;
  if (typeof p !== 'object' || p === null) return undefined;
  const { events, commits } = p as Partial<StreamProbe>;
  return Array.isArray(events) && Array.isArray(commits) ? (p as StreamProbe) : undefined;
}

/** Read once, at load: the benchmark sets it before the app's scripts. */
export const streamProbe: StreamProbe | undefined = find();

const record = (into: number[], ...xs: number[]): void => {
  if (into.length < KEPT) into.push(...xs);
};

/** The listener, timed when a probe is present; otherwise the listener itself. */
export function timedStream<T>(listener: (ev: T) => void): (ev: T) => void {
  const probe = streamProbe;
  if (!probe) return listener;
  return (ev) => {
    const start = performance.now();
    listener(ev);
    queueMicrotask(() => record(probe.events, start, performance.now()));
  };
}

/** Runs a commit of `n` gathered events, timed (up to React's render of it) when a probe is present. */
export function timedCommit(n: number, commit: () => void): void {
  const probe = streamProbe;
  if (!probe) return commit();
  const start = performance.now();
  commit();
  queueMicrotask(() => record(probe.commits, start, performance.now(), n));
}
