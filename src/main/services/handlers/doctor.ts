/** The connection doctor in the app (one run at a time), and the support bundle. */
import { readFileSync } from 'node:fs';
import type { DoctorReport } from '../../../shared/doctor.ts';
import type { ExportResult } from '../../../shared/ipc.ts';
import { writeBundle } from '../bundle.ts';
import { runDoctor } from '../doctor.ts';
import { saveDoctorReport } from '../doctor-reports.ts';
import { connectionFor, pickProvider } from '../providers.ts';
import type { AppContext, Handlers } from './types.ts';

export function doctorHandlers(ctx: AppContext): Handlers<'doctor:run' | 'doctor:cancel' | 'diagnostics:export'> {
  let doctorAbort: AbortController | undefined;
  return {
    'doctor:run': async (caller, which) => {
      doctorAbort?.abort();
      const ac = new AbortController();
      doctorAbort = ac;
      const log = ctx.logger.scope('doctor');
      const loginShellEnv = await ctx.loginShellEnv();
      const s = ctx.settings.get();
      const provider = which?.providerId ? ctx.settings.providerFor(which.providerId) : pickProvider(s);
      // No provider yet: the doctor reports the empty settings as such.
      const raw = provider ? connectionFor(s, provider, undefined) : { provider: { protocol: 'openai', baseUrl: '', model: '' }, network: s.network };
      ctx.learnSettings(raw);
      log.info('doctor started', { provider: provider?.name, protocol: raw.provider.protocol, baseUrl: raw.provider.baseUrl, proxyMode: raw.network?.proxy?.mode });
      const report: DoctorReport = await runDoctor(raw, {
        env: ctx.env,
        signal: ac.signal,
        ...(loginShellEnv ? { loginShellEnv } : {}),
        ...(ctx.opts.systemProxyResolver ? { systemProxyResolver: ctx.opts.systemProxyResolver } : {}),
        ...(ctx.opts.lookup ? { lookup: ctx.opts.lookup } : {}),
        trace: (ev) => ctx.logger.scope('transport').info(ev.type, { ms: ev.ms, detail: ev.detail, for: 'doctor' }),
        onStep: (st) => {
          log.info(`step ${st.id}`, st);
          ctx.hub.emit(caller.windowId, 'doctor:step', st);
        },
      });
      if (doctorAbort === ac) doctorAbort = undefined;
      const safe = ctx.redactor.redactValue(report) as DoctorReport;
      log.info('doctor finished', { verdict: safe.verdict, findings: safe.findings });
      saveDoctorReport(ctx.opts.dataDir, safe);
      return safe;
    },
    'doctor:cancel': () => {
      const had = doctorAbort !== undefined;
      doctorAbort?.abort();
      return had;
    },
    'diagnostics:export': async (): Promise<ExportResult | null> => {
      const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace(/-\d+Z$/, 'Z');
      const out = await ctx.opts.chooseExportPath(`parley-diagnostics-${stamp}.zip`);
      if (!out) return null;
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(ctx.settings.path, 'utf8'));
      } catch {
        raw = undefined;
      }
      const res = await writeBundle({ out, configDir: ctx.opts.dataDir, logDir: ctx.opts.logDir, settings: raw, env: ctx.env, extraSecrets: ctx.redactor.secrets() });
      ctx.logger.scope('bundle').info('diagnostics exported', { path: res.path, files: res.files.length, secretsStripped: res.secretsStripped });
      return res;
    },
  };
}
