/**
 * The app's settings file, `<dataDir>/settings.json` (the same file the CLI reads): validated with the
 * shared schema, written atomically with owner-only permissions. Secrets stay in main: the renderer gets a
 * view with the API key replaced by its shape and a proxy password by a placeholder.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ParleyError } from '../core/errors.ts';
import { SECRET_PLACEHOLDER, type SettingsPatch, type SettingsView } from '../../shared/ipc.ts';
import { storedSettingsSchema, type StoredSettings } from '../../shared/settings.ts';
import { shapeMarker } from './redact.ts';

export interface SettingsStore {
  readonly path: string;
  get(): StoredSettings;
  /** Applies a patch from the renderer (secret-preserving rules of SettingsPatch) and saves. */
  update(patch: SettingsPatch): StoredSettings;
  view(): SettingsView;
}

function parse(raw: unknown, path: string): StoredSettings {
  const r = storedSettingsSchema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new ParleyError('config_invalid', `Settings in ${path} are invalid at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}.`, {
    hop: 'config',
    phase: 'config',
    hint: 'Correct the value in the settings panel (or fix the file by hand).',
  });
}

/** The proxy URL with its password replaced by the placeholder (undefined stays undefined). */
export function maskProxyUrl(url: string | undefined): string | undefined {
  if (!url || !URL.canParse(url)) return url;
  const u = new URL(url);
  if (!u.password) return url;
  u.password = SECRET_PLACEHOLDER;
  return u.href.replace(/\/$/, url.endsWith('/') ? '/' : '');
}

/** A proxy URL from the renderer: where its password is the placeholder, the stored password is kept (same host and user only). */
export function unmaskProxyUrl(next: string | undefined, stored: string | undefined): string | undefined {
  if (!next || !stored || !URL.canParse(next) || !URL.canParse(stored)) return next;
  const n = new URL(next);
  if (decodeURIComponent(n.password) !== SECRET_PLACEHOLDER) return next;
  const s = new URL(stored);
  // The stored password goes only to the proxy it was typed for.
  if (n.hostname !== s.hostname || n.username !== s.username) {
    throw new ParleyError('config_invalid', 'The proxy host or user changed, but the password is the placeholder of the old one.', {
      hop: 'config',
      phase: 'config',
      hint: 'Type the proxy password again for the new proxy.',
    });
  }
  n.password = s.password;
  return n.href.replace(/\/$/, next.endsWith('/') ? '/' : '');
}

export function createSettingsStore(dataDir: string): SettingsStore {
  const path = join(dataDir, 'settings.json');
  let current: StoredSettings | undefined;
  const load = (): StoredSettings => {
    let raw: unknown = {};
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new ParleyError('config_invalid', `Cannot read ${path}: ${(e as Error).message}`, { hop: 'config', phase: 'config', hint: 'Fix or delete the settings file; Parley recreates it when you save.' });
      }
    }
    return parse(raw, path);
  };
  const save = (s: StoredSettings): void => {
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(s, null, 2) + '\n', { mode: 0o600 });
    renameSync(tmp, path);
  };
  return {
    path,
    get() {
      current ??= load();
      return current;
    },
    update(patch) {
      let old: StoredSettings;
      try {
        old = this.get();
      } catch {
        // A broken file must not lock the user out: keep it aside and start from the defaults.
        try {
          renameSync(path, `${path}.broken-${Date.now()}`);
        } catch { /* nothing to keep */ }
        old = parse({}, path);
      }
      const p = patch ?? {};
      const provider = { ...old.provider, ...(p.provider ?? {}) };
      if (p.provider?.apiKey === undefined) provider.apiKey = old.provider.apiKey;
      if (provider.apiKey === '') delete provider.apiKey;
      const proxy = { ...old.network.proxy, ...(p.network?.proxy ?? {}) };
      proxy.url = unmaskProxyUrl(proxy.url, old.network.proxy.url);
      const next = parse({
        provider,
        network: { ...old.network, ...(p.network ?? {}), proxy, timeouts: { ...old.network.timeouts, ...(p.network?.timeouts ?? {}) } },
        ui: { ...old.ui, ...(p.ui ?? {}) },
        logging: { ...old.logging, ...(p.logging ?? {}) },
      }, path);
      save(next);
      current = next;
      return next;
    },
    view() {
      const s = this.get();
      const { apiKey, ...provider } = s.provider;
      return {
        settings: { ...s, provider, network: { ...s.network, proxy: { ...s.network.proxy, url: maskProxyUrl(s.network.proxy.url) } } },
        apiKeyMarker: apiKey ? (/^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(apiKey) ? apiKey : shapeMarker(apiKey)) : null,
      };
    },
  };
}
