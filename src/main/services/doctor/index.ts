/**
 * The connection doctor: runs the request path step by step (settings, route, DNS, connect or proxy, TLS,
 * models, completion, stream, and a direct comparison when something failed) with the core's own pieces (its
 * probe, core/probe.ts), times each step, and names what failed and what to change. One module per step; the
 * runner (runner.ts) orders them and skips as they say. Plain Node: no Electron.
 */
import type { DoctorReport } from '../../../shared/doctor.ts';
import type { DoctorOptions, StepDef } from './context.ts';
import { runSteps } from './runner.ts';
import { settingsStep } from './settings.ts';
import { routeStep } from './route.ts';
import { dnsStep } from './dns.ts';
import { connectStep } from './connect.ts';
import { proxyStep } from './proxy.ts';
import { tlsStep } from './tls.ts';
import { modelsStep } from './models.ts';
import { completionStep } from './completion.ts';
import { streamStep } from './stream.ts';
import { bodyLimitStep } from './body-limit.ts';
import { directStep } from './direct.ts';

export { WORKING_VERDICTS, type DoctorReport, type DoctorStep, type DoctorVerdict, type StepStatus, type Worded } from '../../../shared/doctor.ts';
export type { DoctorOptions } from './context.ts';
export { looksBuffered } from './stream.ts';

/** The steps in their order (the order of STEP_IDS; connect and proxy are one place, by the route). */
export const DOCTOR_STEPS: readonly StepDef[] = [settingsStep, routeStep, dnsStep, connectStep, proxyStep, tlsStep, modelsStep, completionStep, streamStep, bodyLimitStep, directStep];

export function runDoctor(raw: unknown, opts: DoctorOptions): Promise<DoctorReport> {
  return runSteps(DOCTOR_STEPS, raw, opts);
}
