/** Settings: what the window may change, through the store's secret-keeping rules. */
import type { AppContext, Handlers } from './types.ts';
import type { StoredSettings } from '../../../shared/settings.ts';

const TOP = ['providers', 'defaults', 'network', 'ui', 'logging'] as const;

export function settingsHandlers(ctx: AppContext): Handlers<'settings:get' | 'settings:set'> {
  const { saved, current } = settingsLog(ctx);
  return {
    'settings:get': () => ctx.settings.view(),
    'settings:set': (_caller, patch) => {
      const before = current();
      ctx.settings.update(patch);
      saved(before, 'settings');
      return ctx.settings.view();
    },
  };
}

/** Logs a settings change (what changed, never a secret) and teaches the redactor the new secrets. */
export function settingsLog(ctx: AppContext): { saved(before: StoredSettings | undefined, what: string): void; current(): StoredSettings | undefined } {
  const log = ctx.logger.scope('storage');
  return {
    saved(before, what) {
      const next = ctx.settings.get();
      ctx.learnSettings(next);
      ctx.logger.logContent = next.logging.logContent;
      const changed = TOP.filter((k) => JSON.stringify(before?.[k]) !== JSON.stringify(next[k]));
      log.info('settings saved', { what, changed, providers: next.providers.map((p) => ({ id: p.id, name: p.name, protocol: p.protocol, baseUrl: p.baseUrl, route: p.route })), proxyMode: next.network.proxy.mode, proxyUrl: next.network.proxy.url });
    },
    current() {
      try {
        return ctx.settings.get();
      } catch {
        return undefined; // a broken file: the store sets it aside on save
      }
    },
  };
}
