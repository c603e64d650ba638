/** Providers: add, change, remove, list their models, and find the ones the environment names (first run). */
import { ParleyError } from '../../core/errors.ts';
import { connectionFor, detectProviders } from '../providers.ts';
import { settingsLog } from './settings.ts';
import type { AppContext, Handlers } from './types.ts';

export function providerHandlers(ctx: AppContext): Handlers<'providers:save' | 'providers:delete' | 'providers:models' | 'providers:detect'> {
  const { saved, current } = settingsLog(ctx);
  return {
    'providers:save': async (_caller, draft) => {
      const before = current();
      // A new key goes to the keychain first (asked for where the OS offers no protection), then the save.
      await ctx.settings.prepareProvider(draft);
      ctx.settings.saveProvider(draft);
      saved(before, 'provider');
      return ctx.settings.view();
    },
    'providers:delete': (_caller, id) => {
      const before = current();
      ctx.settings.deleteProvider(id);
      saved(before, 'provider deleted');
      return ctx.settings.view();
    },
    'providers:models': async (_caller, which) => {
      const provider = ctx.settings.providerFor(which);
      if (!provider.baseUrl) throw new ParleyError('config_invalid', 'The provider has no base URL yet.', { hop: 'config', phase: 'config' });
      const raw = connectionFor(ctx.settings.get(), provider, provider.defaultModel || provider.models[0] || 'model');
      ctx.learnSettings(raw);
      const rec = ctx.requests.begin({ kind: 'models', url: provider.baseUrl, method: 'GET', message: 'models request', data: { provider: provider.name, protocol: provider.protocol } });
      let models: string[];
      try {
        models = await rec.run(() => ctx.core.listModels(ctx.core.settings(raw), { trace: (ev) => rec.trace(ev) }));
      } catch (e) {
        rec.failed(ParleyError.is(e) ? e.code : 'protocol_error', 'models failed', { message: e instanceof Error ? e.message : String(e) });
        throw e;
      }
      rec.done('models done', { count: models.length });
      return [...new Set(models)].sort((a, b) => a.localeCompare(b)).slice(0, 5000);
    },
    'providers:detect': async () => {
      const s = current();
      return detectProviders({
        env: ctx.env,
        loginShellEnv: await ctx.loginShellEnv(),
        configured: s?.providers ?? [],
        probeOllama: ctx.opts.probeOllama,
      });
    },
  };
}
