/** Settings: what the window may change, through the store's secret-keeping rules. */
import type { AppContext, Handlers } from './types.ts';
import type { SettingsPatch } from '../../../shared/ipc.ts';
import type { StoredSettings } from '../../../shared/settings.ts';
import { ParleyError } from '../../core/errors.ts';
import { words } from '../../../shared/messages/en.ts';
import { atField, checkCaFilesField, checkProxySettings, everyField } from '../settings/checks.ts';
import { checkCaFiles as readCaFiles } from '../../core/trust.ts';
import { maskProxyUrl } from '../settings/store.ts';

const TOP = ['providers', 'defaults', 'network', 'ui', 'logging', 'pricing'] as const;

export function settingsHandlers(ctx: AppContext): Handlers<'settings:get' | 'settings:set' | 'settings:pickCaFile'> {
  const { saved, current } = settingsLog(ctx);
  // CA files the user chose in the OS dialog during this run: the only new paths the window may save.
  const picked = new Set<string>();
  /**
   * A window may keep, reorder or remove CA files, and add only one the user picked in the dialog: a typed
   * path would let a page probe which files exist (and read a FIFO or a device as a certificate).
   */
  const checkCaFiles = (patch: SettingsPatch, before: StoredSettings | undefined): void => {
    const next = patch.network?.caFiles;
    if (!next) return;
    const known = new Set(before?.network.caFiles ?? []);
    const typed = next.find((f) => !known.has(f) && !picked.has(f));
    if (typed !== undefined) {
      throw new ParleyError('config_invalid', words('ca_file_typed', {}), { hop: 'config', phase: 'config', field: 'caFiles' });
    }
  };
  /**
   * The network settings a save would write, checked by the core's own rules before anything is written (the
   * ones the command line and the doctor apply): the proxy URL, the bypass list, and every CA file (one picked
   * earlier may have gone since). A refusal names the form field.
   */
  const checkNetwork = async (patch: SettingsPatch, before: StoredSettings | undefined): Promise<void> => {
    const n = patch.network;
    if (!n) return;
    const proxy = n.proxy;
    const caFiles = n.caFiles;
    const old = before?.network.proxy;
    // Compared as the window saw it: a stored password is the placeholder there.
    const stored = old ? { mode: old.mode, url: maskProxyUrl(old.url), bypass: old.bypass } : undefined;
    await everyField([
      () => proxy && checkProxySettings({ mode: proxy.mode ?? old?.mode ?? 'env', url: proxy.url ?? stored?.url, bypass: proxy.bypass ?? old?.bypass ?? '' }, stored),
      // A typed path is refused before any file is read (reading it would tell the window whether it exists).
      () => {
        checkCaFiles(patch, before);
        return caFiles && checkCaFilesField(caFiles);
      },
    ]);
  };
  return {
    'settings:get': () => ctx.settings.view(),
    'settings:pickCaFile': async () => {
      const path = await ctx.opts.chooseCaFile?.();
      if (!path) return null;
      // The user chose this file: say plainly what is wrong with it (it is not a probe of the disk).
      await readCaFiles([path]).catch((e: unknown) => atField(e, 'caFiles'));
      picked.add(path);
      ctx.logger.scope('storage').info('CA file picked', { path });
      return path;
    },
    'settings:set': async (_caller, patch) => {
      const before = current();
      await checkNetwork(patch, before);
      // A stored key put on a new clear-text hop (proxy, bypass) needs the user's yes in main (consent.ts).
      if (before && patch.network) await ctx.guard.settingsChange(before, ctx.settings.preview(patch));
      await ctx.settings.preparePatch(patch);
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
