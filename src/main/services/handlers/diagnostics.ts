/** The support bundle: logs, doctor reports, settings with secrets replaced, versions, written where the user chose. */
import { readFileSync } from 'node:fs';
import type { ExportResult } from '../../../shared/ipc.ts';
import { writeBundle } from '../bundle.ts';
import type { AppContext, Handlers } from './types.ts';

export function diagnosticsHandlers(ctx: AppContext): Handlers<'diagnostics:export'> {
  return {
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
