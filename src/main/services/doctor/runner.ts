/**
 * The doctor's runner: runs the steps in their order over one shared context, times each, reports each as soon
 * as it is done, and skips what is left as the steps say, into one DoctorReport.
 *
 * Rules: a step that does not apply to the run (the connection step of the other route kind) is left out; a step
 * not needed is a skip with its reason; once a step stops the run, every step after it is a skip with that
 * reason, except one that runs after a stop (the direct comparison); once cancelled, every step left is a
 * "Stopped." skip and nothing more is a failure, finding or hint. A step that throws fails with the error's words.
 */
import type { DoctorReport, DoctorStep, DoctorVerdict, StepId, Worded } from '../../../shared/doctor.ts';
import { SKIP_WORDS, STOPPED, type DoctorContext, type DoctorOptions, type Outcome, type SkipWhy, type StepDef } from './context.ts';
import { errHint, errWords } from './words.ts';

export async function runSteps(defs: readonly StepDef[], raw: unknown, opts: DoctorOptions): Promise<DoctorReport> {
  const steps: DoctorStep[] = [];
  const findings: string[] = [];
  const hints: Worded[] = [];
  const failures: DoctorVerdict[] = [];
  const warnings: DoctorVerdict[] = [];
  const stopped = (): boolean => opts.signal?.aborted === true;

  const push = (st: DoctorStep): void => {
    steps.push(st);
    try {
      opts.onStep?.(st);
    } catch { /* a listener never breaks the doctor */ }
  };
  const toStep = (id: StepId, out: Outcome, ms: number): DoctorStep => ({ id, status: out.status, ms, detail: out.words.map((w) => w.text).join(out.sep ?? ' '), words: out.words });
  const skip = (id: StepId, why: SkipWhy): void => {
    const w = stopped() ? STOPPED : SKIP_WORDS[why];
    push({ id, status: 'skip', ms: 0, detail: w.text, words: [w] });
  };
  const hint = (h: Worded | undefined): void => {
    if (stopped()) return;
    if (h && h.text && !hints.some((x) => x.text === h.text)) hints.push(h);
  };
  const finding = (f: string): void => {
    if (!stopped() && !findings.includes(f)) findings.push(f);
  };

  const ctx: DoctorContext = {
    raw,
    opts,
    env: opts.env,
    wholeOk: false,
    stopped,
    hint,
    finding,
    fail(code, e) {
      if (stopped()) return;
      failures.push(code);
      finding(code);
      hint(errHint(e));
    },
    warning(code) {
      warnings.push(code);
    },
    failures,
    amend(id, out) {
      const i = steps.findIndex((st) => st.id === id);
      if (i >= 0) steps[i] = { ...(steps[i] as DoctorStep), ...toStep(id, out, (steps[i] as DoctorStep).ms) };
    },
  };

  let stop: SkipWhy | undefined;
  async function runOne(def: StepDef): Promise<void> {
    const t0 = performance.now();
    let out: Outcome;
    try {
      out = await def.run(ctx);
    } catch (e) {
      out = { status: 'fail', words: [errWords(e)] };
    }
    // Cancelled while it ran: the step is neither a pass nor a failure.
    if (stopped()) out = { status: 'skip', words: [STOPPED] };
    push(toStep(def.id, out, Math.round(performance.now() - t0)));
    if (!stopped()) stop = (await def.next?.(ctx, out.status)) ?? stop;
  }

  try {
    for (const def of defs) {
      if (def.applies && !def.applies(ctx)) continue;
      if (stopped()) {
        push({ id: def.id, status: 'skip', ms: 0, detail: STOPPED.text, words: [STOPPED] });
        continue;
      }
      if (stop !== undefined && !def.runsAfterStop?.(ctx)) {
        skip(def.id, stop);
        continue;
      }
      const why = def.notNeeded?.(ctx);
      if (why !== undefined) {
        skip(def.id, why);
        continue;
      }
      await runOne(def);
    }
  } finally {
    await ctx.probe?.close();
  }
  // Stopped by the user: neither a failure nor a pass.
  const verdict: DoctorVerdict = stopped() ? 'cancelled' : failures[0] ?? (warnings.includes('stream_broken') ? 'stream_broken' : warnings.includes('stream_buffered') ? 'stream_buffered' : 'ok');
  return { verdict, findings, steps, hints: hints.map((h) => h.text), hintWords: hints };
}
