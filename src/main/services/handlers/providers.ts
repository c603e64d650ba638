/** Providers: add, change, remove, list their models, and find the ones the environment names (first run). */
import { ParleyError } from '../../core/errors.ts';
import { connectionFor, detectProviders } from '../settings/providers.ts';
import { settingsLog } from './settings.ts';
import type { AppContext, Handlers } from './types.ts';
import type { ProviderDraft } from '../../../shared/ipc.ts';
import { providerDefaultModel } from '../../../shared/model-choice.ts';
import * as v from 'valibot';
import { providerEntrySchema, storedSettingsSchema, type StoredSettings } from '../../../shared/settings.ts';

/**
 * A provider from the window, saved or only tried: a stored key it keeps put on a new clear-text proxy, or a
 * `${VAR}` it names sent to an origin, needs the user's yes in main first (consent.ts).
 */
export async function checkDraft(ctx: AppContext, draft: ProviderDraft): Promise<void> {
  let s: StoredSettings;
  try {
    s = ctx.settings.get();
  } catch {
    // A broken file is set aside by the save: no stored key to keep, only the draft's own variables.
    const route = { mode: draft.route?.mode ?? 'global', ...(draft.route?.proxyUrl ? { proxyUrl: draft.route.proxyUrl } : {}) } as const;
    const entry = { ...v.parse(providerEntrySchema, { id: 'draft', name: draft.name, protocol: draft.protocol, baseUrl: draft.baseUrl.trim() }), route };
    return ctx.guard.providerChange(v.parse(storedSettingsSchema, {}).network, undefined, entry, draft);
  }
  const old = draft.id ? s.providers.find((x) => x.id === draft.id) : undefined;
  await ctx.guard.providerChange(s.network, old, ctx.settings.providerFor(draft), draft);
}

export function providerHandlers(ctx: AppContext): Handlers<'providers:save' | 'providers:delete' | 'providers:models' | 'providers:detect'> {
  const { saved, current } = settingsLog(ctx);
  return {
    'providers:save': async (_caller, draft) => {
      const before = current();
      await checkDraft(ctx, draft);
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
      if (typeof which !== 'string') await checkDraft(ctx, which);
      const provider = ctx.settings.providerFor(which);
      if (!provider.baseUrl) throw new ParleyError('config_invalid', 'The provider has no base URL yet.', { hop: 'config', phase: 'config' });
      const raw = connectionFor(ctx.settings.get(), provider, providerDefaultModel(provider) || 'model');
      ctx.learnSettings(raw);
      const rec = ctx.requests.begin({ kind: 'models', url: provider.baseUrl, method: 'GET', message: 'models request', data: { provider: provider.name, protocol: provider.protocol } });
      let models: string[];
      try {
        models = await ctx.core.listModels(ctx.core.settings(raw), { sink: rec.sink });
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
