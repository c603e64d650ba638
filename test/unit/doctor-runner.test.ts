/**
 * The doctor's runner: steps in their order, each reported as soon as it is done; a step that does not apply is
 * left out, one not needed is a skip with its reason; a step that stops the run skips the rest with that reason
 * (except the direct comparison it asked for); a cancel makes every step left "Stopped." with no failure, finding
 * or hint; the first failure is the verdict. Fake steps: nothing leaves the process.
 */
import { describe, expect, it } from 'vitest';
import { STEP_IDS, type DoctorStep, type StepId, type Worded } from '../../src/shared/doctor.ts';
import type { StepDef } from '../../src/main/services/doctor/context.ts';
import { runSteps } from '../../src/main/services/doctor/runner.ts';
import { DOCTOR_STEPS } from '../../src/main/services/doctor/index.ts';

/** A fake step's sentence (the real steps' come from the catalog). */
const say = (key: string, text: string): Worded => ({ key: `doctor.${key}`, params: {}, text });

const pass = (id: StepId, ran: StepId[], extra: Partial<StepDef> = {}): StepDef => ({
  id,
  run: () => {
    ran.push(id);
    return { status: 'pass', words: [say(`${id}_ok`, `${id} ok.`)] };
  },
  ...extra,
});

describe('doctor runner: order and skips', () => {
  it('runs the steps in order, reporting each as it is done', async () => {
    const ran: StepId[] = [];
    const seen: DoctorStep[] = [];
    const r = await runSteps([pass('settings', ran), pass('route', ran), pass('dns', ran)], {}, { env: {}, onStep: (st) => seen.push(st) });
    expect(ran).toEqual(['settings', 'route', 'dns']);
    expect(r.steps.map((s) => [s.id, s.status, s.detail])).toEqual([['settings', 'pass', 'settings ok.'], ['route', 'pass', 'route ok.'], ['dns', 'pass', 'dns ok.']]);
    expect(seen).toEqual(r.steps);
    expect(r.verdict).toBe('ok');
  });

  it('a step that does not apply is left out; one not needed is a skip with its reason and the run goes on', async () => {
    const ran: StepId[] = [];
    const r = await runSteps([
      pass('connect', ran, { applies: () => false }),
      pass('proxy', ran),
      pass('tls', ran, { notNeeded: () => 'http' }),
      pass('models', ran),
    ], {}, { env: {} });
    expect(ran).toEqual(['proxy', 'models']);
    expect(r.steps.map((s) => s.id)).toEqual(['proxy', 'tls', 'models']);
    expect(r.steps[1]).toMatchObject({ status: 'skip', ms: 0, detail: 'An http:// target (no TLS).', words: [{ key: 'doctor.skip_http' }] });
  });

  it('a step that stops the run: the rest are skipped with its reason and not run, except the comparison it asked for', async () => {
    const ran: StepId[] = [];
    const r = await runSteps([
      pass('route', ran),
      { id: 'connect', run: (ctx) => {
        ctx.fail('connect_refused');
        return { status: 'fail', words: [say('x', 'refused.')] };
      }, next: (ctx, status) => {
        ctx.compare = { after: 'connection' };
        return status === 'fail' ? 'connection' : undefined;
      } },
      pass('tls', ran),
      pass('models', ran),
      pass('direct', ran, { runsAfterStop: (ctx) => ctx.compare !== undefined }),
    ], {}, { env: {} });
    expect(ran).toEqual(['route', 'direct']);
    expect(r.steps.map((s) => [s.id, s.status, s.detail])).toEqual([
      ['route', 'pass', 'route ok.'],
      ['connect', 'fail', 'refused.'],
      ['tls', 'skip', 'Not run: no connection.'],
      ['models', 'skip', 'Not run: no connection.'],
      ['direct', 'pass', 'direct ok.'],
    ]);
    expect(r.verdict).toBe('connect_refused');
    expect(r.findings).toEqual(['connect_refused']);
  });

  it('without a comparison asked for, the direct step after a stop is skipped with the same reason', async () => {
    const ran: StepId[] = [];
    const r = await runSteps([
      { id: 'tls', run: () => ({ status: 'fail', words: [say('t', 'bad.')] }), next: () => 'tls' },
      pass('models', ran),
      pass('direct', ran, { runsAfterStop: (ctx) => ctx.compare !== undefined }),
    ], {}, { env: {} });
    expect(ran).toEqual([]);
    expect(r.steps.slice(1).map((s) => s.detail)).toEqual(['Not run: TLS failed.', 'Not run: TLS failed.']);
  });

  it('a step that throws fails with the error as its words; a listener that throws breaks nothing', async () => {
    const ran: StepId[] = [];
    const r = await runSteps([
      { id: 'dns', run: () => {
        throw new Error('boom');
      } },
      pass('connect', ran),
    ], {}, { env: {}, onStep: () => {
      throw new Error('listener');
    } });
    expect(r.steps[0]).toMatchObject({ id: 'dns', status: 'fail', detail: 'boom' });
    expect(ran).toEqual(['connect']);
  });

  it('cancelled during a step: it and every step left are "Stopped.", nothing is a failure, finding or hint, verdict cancelled', async () => {
    const ac = new AbortController();
    const ran: StepId[] = [];
    const r = await runSteps([
      pass('settings', ran),
      { id: 'models', run: (ctx) => {
        ac.abort();
        ctx.fail('auth_rejected');
        ctx.finding('model_not_found');
        ctx.hint(say('h', 'a hint.'));
        return { status: 'fail', words: [say('m', 'failed.')] };
      }, next: () => 'models' },
      pass('completion', ran),
      pass('direct', ran, { runsAfterStop: () => true }),
    ], {}, { env: {}, signal: ac.signal });
    expect(ran).toEqual(['settings']);
    expect(r.verdict).toBe('cancelled');
    expect(r.steps.slice(1).map((s) => [s.id, s.status, s.detail])).toEqual([['models', 'skip', 'Stopped.'], ['completion', 'skip', 'Stopped.'], ['direct', 'skip', 'Stopped.']]);
    expect(r.findings).toEqual([]);
    expect(r.hints).toEqual([]);
  });

  it('the verdict is the first failure; else a broken, then a buffered stream; else ok; hints once each, in order', async () => {
    const r = await runSteps([
      { id: 'completion', run: (ctx) => {
        ctx.warning('stream_buffered');
        ctx.warning('stream_broken');
        ctx.hint(say('a', 'A.'));
        ctx.hint(say('a', 'A.'));
        return { status: 'warn', words: [say('w', 'w.')] };
      } },
    ], {}, { env: {} });
    expect(r.verdict).toBe('stream_broken');
    expect(r.hints).toEqual(['A.']);
    expect(r.hintWords?.map((h) => h.key)).toEqual(['doctor.a']);
    const f = await runSteps([
      { id: 'models', run: (ctx) => {
        ctx.warning('stream_broken');
        ctx.fail('auth_rejected');
        ctx.fail('not_found');
        return { status: 'fail', words: [say('m', 'm.')] };
      } },
    ], {}, { env: {} });
    expect(f.verdict).toBe('auth_rejected');
  });

  it('a step already reported can be amended (the settings, when the trust store cannot be read)', async () => {
    const r = await runSteps([
      pass('settings', [], { next: (ctx) => {
        ctx.amend('settings', { status: 'fail', words: [say('ca', 'No CA.')] });
        return 'settings';
      } }),
      pass('route', []),
    ], {}, { env: {} });
    expect(r.steps.map((s) => [s.id, s.status, s.detail])).toEqual([['settings', 'fail', 'No CA.'], ['route', 'skip', 'Not run: the settings failed.']]);
  });

  it("the doctor's steps are in the report's order", () => {
    expect(DOCTOR_STEPS.map((s) => s.id)).toEqual([...STEP_IDS]);
  });
});
