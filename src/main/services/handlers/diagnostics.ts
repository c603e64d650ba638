/** The support bundle: logs, doctor reports, settings with secrets replaced, versions, written where the user chose. */
import type { ExportResult } from '../../../shared/ipc.ts';
import { writeBundle } from '../diagnostics/bundle.ts';
import { ParleyError } from '../../core/errors.ts';
import { writeFailed } from '../safe-write.ts';
import type { AppContext, Handlers } from './types.ts';

export function diagnosticsHandlers(ctx: AppContext): Handlers<'diagnostics:export'> {
  return {
    'diagnostics:export': async (): Promise<ExportResult | null> => {
      const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace(/-\d+Z$/, 'Z');
      const out = await ctx.opts.chooseExportPath(`parley-diagnostics-${stamp}.zip`);
      if (!out) return null;
      let res: ExportResult;
      try {
        res = await writeBundle({ out, configDir: ctx.opts.dataDir, logDir: ctx.opts.logDir, env: ctx.env, extraSecrets: ctx.redactor.secrets() });
      } catch (e) {
        // A file that cannot be written or read is storage_failed with its path and the OS's reason, not a
        // network error (the app's catch-all would call it protocol_error).
        if (ParleyError.is(e) || !(e as NodeJS.ErrnoException)?.code) throw e;
        throw writeFailed(out, e, 'the support bundle');
      }
      ctx.logger.scope('bundle').info('diagnostics exported', { path: res.path, files: res.files.length, secretsStripped: res.secretsStripped });
      return res;
    },
  };
}
