/**
 * Step 4 on a direct route, connect: the TCP connection to the provider. (On a proxy route the same place is the
 * proxy step.) A failure stops the run; the direct step then looks for a proxy that would work.
 */
import type { StepStatus } from '../../../shared/doctor.ts';
import type { Hop } from '../../core/probe.ts';
import { live, type DoctorContext, type Outcome, type SkipWhy, type StepDef } from './context.ts';
import { errCode, errWords, say } from './words.ts';

/** Opens the connection the way requests do (no TLS yet); a failure is the run's failure. */
export async function openHop(ctx: DoctorContext, ok: (hop: Hop) => Outcome): Promise<Outcome> {
  const { probe, route } = live(ctx);
  const hop = await probe.open(route, false);
  if (hop.ok) return ok(hop);
  ctx.fail(errCode(hop.error), hop.error);
  return { status: 'fail', words: [errWords(hop.error)] };
}

/** No connection: the rest is not run, and the direct step compares. */
export function afterConnection(ctx: DoctorContext, status: StepStatus): SkipWhy | undefined {
  if (status === 'pass') return undefined;
  ctx.compare = { after: 'connection' };
  return 'connection';
}

export const connectStep: StepDef = {
  id: 'connect',
  applies: (ctx) => ctx.route?.kind !== 'proxy',
  run: (ctx) => openHop(ctx, () => {
    const { endpoint: t } = live(ctx);
    return { status: 'pass', words: [say('connect_ok', { host: t.host, port: t.port })] };
  }),
  next: afterConnection,
};
