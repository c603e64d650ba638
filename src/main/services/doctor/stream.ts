/**
 * Step 8, stream: the same request streamed, timed (headers, first delta, longest gap, end). A stream held back
 * and released at the end is a warning (stream_buffered); a stream failing while whole answers work is the
 * verdict stream_broken. Afterwards, a whole answer that failed is the run's failure, and the direct step compares.
 */
import { live, type StepDef } from './context.ts';
import { PROBE_REQUEST, withStream } from './completion.ts';
import { errCode, errWords, say } from './words.ts';

/**
 * Buffered stream: the deltas were produced over time but all arrived in one burst at the end.
 * Times are ms since the request was sent. Rule: at least 3 deltas; the first came ≥ 300 ms after the
 * request (headers may be held back too, so they are not the reference); all of them within
 * max(30 ms, 5 % of that wait); and the body ended right after the burst. A model that thinks long and then
 * emits its whole answer at once would look the same, which is why this is a warning, not a failure.
 */
export function looksBuffered(deltaTimes: readonly number[], endMs: number): boolean {
  if (deltaTimes.length < 3) return false;
  const first = deltaTimes[0] ?? 0;
  const last = deltaTimes.at(-1) ?? 0;
  const spread = last - first;
  return first > 300 && spread <= Math.max(30, 0.05 * first) && endMs - last < 100;
}

export const streamStep: StepDef = {
  id: 'stream',
  async run(ctx) {
    const t0 = performance.now();
    let headersMs: number | undefined;
    const deltas: number[] = [];
    const watch = {
      headers: (): void => void (headersMs = performance.now() - t0),
      delta: (): void => void deltas.push(performance.now() - t0),
    };
    try {
      await live(ctx).probe.chat(withStream(ctx.raw, 'on'), PROBE_REQUEST, watch);
    } catch (e) {
      ctx.streamError = e;
      const code = errCode(e);
      if (code === 'stream_interrupted' || (deltas.length > 0 && code === 'idle_timeout')) ctx.finding('stream_interrupted');
      return { status: ctx.wholeOk ? 'warn' : 'fail', words: [errWords(e), ...(deltas.length ? [say('stream_after', { count: deltas.length })] : [])] };
    }
    const end = performance.now() - t0;
    const gaps = deltas.slice(1).map((t, i) => t - (deltas[i] ?? 0));
    const p = {
      headers: Math.round(headersMs ?? 0),
      first: deltas.length ? Math.round(deltas[0] ?? 0) : '-',
      count: deltas.length,
      gap: Math.round(gaps.length ? Math.max(...gaps) : 0),
      end: Math.round(end),
    };
    if (looksBuffered(deltas, end)) {
      ctx.warning('stream_buffered');
      ctx.finding('stream_buffered');
      ctx.hint(say('stream_buffered', {}));
      return { status: 'warn', words: [say('stream_buffered_timing', p)] };
    }
    return { status: 'pass', words: [say('stream_timing', p)] };
  },
  next(ctx) {
    if (ctx.wholeOk && ctx.streamError !== undefined) {
      ctx.warning('stream_broken');
      ctx.finding('stream_broken');
      const code = errCode(ctx.streamError);
      ctx.hint(say('stream_broken', { code }));
    } else if (!ctx.wholeOk) {
      // No whole answer: that is the failure, and the direct step compares.
      ctx.fail(errCode(ctx.wholeError), ctx.wholeError);
      ctx.compare = { after: 'request', error: ctx.wholeError };
    }
    return undefined;
  },
};
