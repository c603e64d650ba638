/**
 * The doctor of a sync target (issue 21), as the connection doctor checks a provider: the route (proxy or direct and
 * why), reaching the service on it (DNS, connect, the proxy's tunnel, TLS and who issued the certificate), the
 * credentials, the folder or bucket, writing (a small probe file put, read back and removed), and the clock (S3
 * refuses a request signed more than 15 minutes off; the merge's "later change wins" reads device clocks). Every
 * request goes through the target's route, so the Network panel and the log see them too. Facts stay structured
 * (`facts`, `error`); `detail` is the English of the command line and the log.
 */
import { randomBytes } from 'node:crypto';
import { ParleyError } from '../../core/errors.ts';
import { describeRoute } from '../../core/chat.ts';
import type { ErrorCode, ErrorInfo } from '../../../shared/errors.ts';
import type { RequestEvent } from '../../../shared/events.ts';
import type { StepStatus } from '../../../shared/doctor.ts';
import { syncConnectionSettings, createSyncTarget, type SyncTargetDeps } from './route.ts';
import { isNutstore } from './webdav.ts';
import { NUTSTORE_REQUESTS_PER_WINDOW } from '../../../shared/bounds.ts';
import { connectionFacts, REACH_CODES } from '../diagnostics/connection-facts.ts';

export const SYNC_CHECK_STEPS = ['route', 'reach', 'auth', 'folder', 'write', 'clock'] as const;
export type SyncCheckStepId = (typeof SYNC_CHECK_STEPS)[number];

export interface SyncCheckStep {
  id: SyncCheckStepId;
  status: StepStatus;
  ms: number;
  /** English, for the command line and the log. */
  detail: string;
  /** What the step found, as data (the window words it). */
  facts?: Record<string, string | number>;
  /** Why it failed (never a secret). */
  error?: ErrorInfo;
}

export interface SyncCheckReport {
  /** Whether a sync would work: every step passed or only warned. */
  ok: boolean;
  /** The target as the window names it (never with credentials). */
  label: string;
  steps: SyncCheckStep[];
  /** Requests the check made (Nutstore counts each against its 600 per 30 minutes). */
  requests: number;
}

/** S3 refuses a signature more than 15 minutes off; past 5 minutes "later change wins" may misorder edits. */
const SKEW_FAIL_S = 15 * 60;
const SKEW_WARN_S = 5 * 60;

const AUTH_CODES: readonly ErrorCode[] = ['sync_auth_failed', 'sync_forbidden'];

function info(e: unknown): ErrorInfo {
  if (ParleyError.is(e)) return e.toInfo();
  return { code: 'protocol_error', message: e instanceof Error ? e.message : String(e), hint: 'This looks like a bug in Parley: report it with the message.' };
}

/** Seconds this clock is ahead of the service's (by the Date header of its answers), or undefined. */
function clockSkew(events: RequestEvent[], now: () => number): number | undefined {
  for (const e of events) {
    if (e.type !== 'response') continue;
    const date = e.headers.find((h) => h.name === 'date')?.value;
    const at = date ? Date.parse(date) : NaN;
    // The event's own time: the Date header is whole seconds, so a second either way is no skew.
    if (!Number.isNaN(at)) return Math.round((now() - at) / 1000);
  }
  return undefined;
}

export async function checkSyncTarget(deps: SyncTargetDeps & { now?: () => number; signal?: AbortSignal }): Promise<SyncCheckReport> {
  const now = deps.now ?? Date.now;
  const events: RequestEvent[] = [];
  const steps: SyncCheckStep[] = [];
  let label = deps.sync.url;
  const skipRest = (from: number, why: string): void => {
    for (const id of SYNC_CHECK_STEPS.slice(from)) if (!steps.some((s) => s.id === id)) steps.push({ id, status: 'skip', ms: 0, detail: why });
  };
  const done = (): SyncCheckReport => ({ ok: steps.every((s) => s.status === 'pass' || s.status === 'warn'), label, steps, requests: events.filter((e) => e.type === 'request').length });
  const step = async <T>(fn: () => Promise<T>): Promise<{ ok: true; value: T; ms: number } | { ok: false; error: unknown; ms: number }> => {
    const t0 = performance.now();
    try {
      const value = await fn();
      return { ok: true, value, ms: Math.round(performance.now() - t0) };
    } catch (error) {
      return { ok: false, error, ms: Math.round(performance.now() - t0) };
    }
  };

  // The route: the settings' and why.
  const r = await step(async () => {
    const target = createSyncTarget({ ...deps, sink: (e) => {
      events.push(e);
      deps.sink?.(e);
    }, retries: deps.retries ?? 1 });
    label = target.label;
    const conn = deps.core.settings(syncConnectionSettings(deps.network, deps.sync));
    const route = await deps.core.route(conn, deps.sync.url);
    return { target, route: describeRoute(route) };
  });
  if (!r.ok) {
    const error = info(r.error);
    steps.push({ id: 'route', status: 'fail', ms: r.ms, detail: error.message, error });
    skipRest(1, 'Not checked: the settings are not usable.');
    return done();
  }
  const { target } = r.value;
  steps.push({ id: 'route', status: 'pass', ms: r.ms, detail: `Requests go ${r.value.route}.`, facts: { route: r.value.route } });

  // Reaching the service, the credentials and the folder: one listing answers all three.
  const listed = await step(() => target.list('', deps.signal));
  const conn = connectionFacts(events);
  if (!listed.ok) {
    const error = info(listed.error);
    if (REACH_CODES.includes(error.code)) {
      steps.push({ id: 'reach', status: 'fail', ms: listed.ms, detail: error.message, facts: conn.facts, error });
      skipRest(2, 'Not checked: the service was not reached.');
      return done();
    }
    steps.push({ id: 'reach', status: 'pass', ms: listed.ms, detail: conn.detail, facts: conn.facts });
    if (AUTH_CODES.includes(error.code)) {
      steps.push({ id: 'auth', status: 'fail', ms: 0, detail: error.message, error });
      skipRest(3, 'Not checked: the service refused the credentials.');
      return done();
    }
    steps.push({ id: 'auth', status: 'pass', ms: 0, detail: 'The service accepted the credentials.' });
    steps.push({ id: 'folder', status: 'fail', ms: 0, detail: error.message, error });
    skipRest(4, 'Not checked: the folder cannot be used.');
    return done();
  }
  steps.push({ id: 'reach', status: 'pass', ms: listed.ms, detail: conn.detail, facts: conn.facts });
  steps.push({ id: 'auth', status: 'pass', ms: 0, detail: 'The service accepted the credentials.' });
  const files = listed.value.length;
  steps.push({ id: 'folder', status: 'pass', ms: 0, detail: files ? `The folder holds ${files} sync ${files === 1 ? 'file' : 'files'}.` : 'The folder is empty or not made yet: the first sync makes it.', facts: { files } });

  // Writing: a probe put, read back and removed.
  const probe = `parley-probe/${randomBytes(6).toString('hex')}.bin`;
  const bytes = new Uint8Array(randomBytes(64));
  const wrote = await step(async () => {
    await target.put(probe, bytes, deps.signal);
    const back = await target.get(probe, 1024, deps.signal);
    await target.remove(probe, deps.signal);
    if (!back || Buffer.compare(Buffer.from(back), Buffer.from(bytes)) !== 0) {
      throw new ParleyError('sync_not_storage', `${target.label} did not give back the ${bytes.byteLength} bytes written to ${probe}.`, { hop: 'target', phase: 'body' });
    }
  });
  if (!wrote.ok) {
    const error = info(wrote.error);
    steps.push({ id: 'write', status: 'fail', ms: wrote.ms, detail: error.message, error });
  } else {
    steps.push({ id: 'write', status: 'pass', ms: wrote.ms, detail: `Wrote, read back and removed a ${bytes.byteLength}-byte probe file (${probe}).` });
  }

  // The clock, by the service's Date header.
  const skew = clockSkew(events, now);
  if (skew === undefined) {
    steps.push({ id: 'clock', status: 'skip', ms: 0, detail: 'The service sent no Date header to compare the clock with.' });
  } else {
    const abs = Math.abs(skew);
    const words = abs <= 2 ? 'This computer\'s clock agrees with the service\'s.' : `This computer's clock is ${abs} s ${skew > 0 ? 'ahead of' : 'behind'} the service's.`;
    const status: StepStatus = abs >= SKEW_FAIL_S && deps.sync.service === 's3' ? 'fail' : abs >= SKEW_WARN_S ? 'warn' : 'pass';
    const more = status === 'fail' ? ' S3 refuses requests signed more than 15 minutes off: set the clock right.' : status === 'warn' ? ' Edits made on two devices are ordered by their clocks: set the clock right.' : '';
    steps.push({ id: 'clock', status, ms: 0, detail: words + more, facts: { skewSeconds: skew } });
  }
  const report = done();
  if (deps.sync.service === 'webdav') {
    let host = '';
    try {
      host = new URL(deps.sync.url).hostname;
    } catch { /* checked above */ }
    if (isNutstore(host)) {
      const route = steps.find((s) => s.id === 'route');
      if (route) route.detail += ` Nutstore allows ${NUTSTORE_REQUESTS_PER_WINDOW} requests per 30 minutes (a free account); this check made ${report.requests}.`;
    }
  }
  return report;
}
