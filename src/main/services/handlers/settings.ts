/** Settings and providers: what the window may change, through the store's secret-keeping rules. */
import { ParleyError } from '../../core/errors.ts';
import { connectionFor, detectProviders } from '../providers.ts';
import type { AppContext, Handlers } from './types.ts';
import type { StoredSettings } from '../../../shared/settings.ts';

const TOP = ['providers', 'defaults', 'network', 'ui', 'logging'] as const;

export function settingsHandlers(ctx: AppContext): Handlers<'settings:get' | 'settings:set' | 'providers:save' | 'providers:delete' | 'providers:models' | 'providers:detect'> {
  const log = ctx.logger.scope('storage');
  const saved = (before: StoredSettings | undefined, what: string): void => {
    const next = ctx.settings.get();
    ctx.learnSettings(next);
    ctx.logger.logContent = next.logging.logContent;
    const changed = TOP.filter((k) => JSON.stringify(before?.[k]) !== JSON.stringify(next[k]));
    log.info('settings saved', { what, changed, providers: next.providers.map((p) => ({ id: p.id, name: p.name, protocol: p.protocol, baseUrl: p.baseUrl, route: p.route })), proxyMode: next.network.proxy.mode, proxyUrl: next.network.proxy.url });
  };
  const current = (): StoredSettings | undefined => {
    try {
      return ctx.settings.get();
    } catch {
      return undefined; // a broken file: the store sets it aside on save
    }
  };
  return {
    'settings:get': () => ctx.settings.view(),
    'settings:set': (_caller, patch) => {
      const before = current();
      ctx.settings.update(patch);
      saved(before, 'settings');
      return ctx.settings.view();
    },
    'providers:save': (_caller, draft) => {
      const before = current();
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
      const models = await ctx.core.listModels(ctx.core.settings(raw), { trace: (ev) => ctx.logger.scope('transport').info(ev.type, { ms: ev.ms, detail: ev.detail, for: 'models' }) });
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
