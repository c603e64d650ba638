/** The connection doctor in the app (one run at a time), on a chosen or the default provider. */
import { WORKING_VERDICTS, type DoctorReport } from '../../../shared/doctor.ts';
import { runDoctor } from '../doctor/index.ts';
import { fileBodyLimits } from '../chat/body-limits.ts';
import { latestDoctorReport, saveDoctorReport } from '../doctor/reports.ts';
import { connectionFor, pickProvider } from '../settings/providers.ts';
import { checkDraft } from './providers.ts';
import type { AppContext, Handlers } from './types.ts';

export function doctorHandlers(ctx: AppContext): Handlers<'doctor:run' | 'doctor:cancel' | 'doctor:last' | 'doctor:brokenRoutes' | 'doctor:forgetRoutes'> {
  let doctorAbort: AbortController | undefined;
  return {
    'doctor:run': async (caller, which) => {
      doctorAbort?.abort();
      const ac = new AbortController();
      doctorAbort = ac;
      const loginShellEnv = await ctx.loginShellEnv();
      const s = ctx.settings.get();
      // A draft from the provider form is checked as it would be saved (same key rules, same consent), without saving it.
      if (which?.draft) await checkDraft(ctx, which.draft);
      const provider = which?.draft ? ctx.settings.providerFor(which.draft) : which?.providerId ? ctx.settings.providerFor(which.providerId) : pickProvider(s);
      // No provider yet: the doctor reports the empty settings as such.
      const raw = provider ? connectionFor(s, provider, which?.model) : { provider: { protocol: 'openai', baseUrl: '', model: '' }, network: s.network };
      const target: DoctorReport['target'] = provider ? { ...(which?.draft && !which.draft.id ? {} : { providerId: provider.id }), name: provider.name, model: raw.provider.model ?? '' } : undefined;
      ctx.learnSettings(raw);
      // The doctor's requests are one entry of the network panel: its connection steps, heads and steps.
      const rec = ctx.requests.begin({
        kind: 'doctor', url: raw.provider.baseUrl, message: 'doctor started', scope: 'doctor',
        data: { ...(provider ? { provider: provider.name } : {}), protocol: raw.provider.protocol, baseUrl: raw.provider.baseUrl, proxyMode: String(raw.network?.proxy?.mode ?? '') },
      });
      const report: DoctorReport = await runDoctor(raw, {
        env: ctx.env,
        signal: ac.signal,
        ...(loginShellEnv ? { loginShellEnv } : {}),
        ...(ctx.opts.systemProxyResolver ? { systemProxyResolver: ctx.opts.systemProxyResolver } : {}),
        ...(ctx.opts.lookup ? { lookup: ctx.opts.lookup } : {}),
        sink: rec.sink,
        bodyLimits: fileBodyLimits(ctx.opts.dataDir),
        unknownKeys: ctx.settings.unknownKeys(),
        onStep: (st) => {
          rec.add('step', `step ${st.id}`, { id: st.id, status: st.status, ms: st.ms, detail: st.detail }, { scope: 'doctor', level: st.status === 'fail' || st.status === 'warn' ? 'warn' : 'info' });
          ctx.hub.emit(caller.windowId, 'doctor:step', st);
        },
      });
      if (doctorAbort === ac) doctorAbort = undefined;
      const safe = ctx.redactor.redactValue(target ? { ...report, target } : report) as DoctorReport;
      if (WORKING_VERDICTS.includes(safe.verdict)) rec.done('doctor finished', { verdict: safe.verdict, findings: safe.findings.join(', ') });
      else rec.failed(safe.verdict, 'doctor finished', { verdict: safe.verdict, findings: safe.findings.join(', ') });
      // A stopped run says nothing about the connection: the last complete report stays the one shown after a restart.
      if (safe.verdict !== 'cancelled') saveDoctorReport(ctx.opts.dataDir, safe);
      return safe;
    },
    'doctor:cancel': () => {
      const had = doctorAbort !== undefined;
      doctorAbort?.abort();
      return had;
    },
    'doctor:last': () => latestDoctorReport(ctx.opts.dataDir) ?? null,
    'doctor:brokenRoutes': () => ctx.streamMemory.count(),
    'doctor:forgetRoutes': () => {
      const n = ctx.streamMemory.forget();
      ctx.logger.scope('doctor').info('broken-stream routes forgotten', { count: n });
      return n;
    },
  };
}
