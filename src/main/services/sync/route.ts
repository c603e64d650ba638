/**
 * A sync target from settings: its route as a provider's (the global network settings — proxy, bypass, CA files,
 * timeouts — with the target's own route mode: global, direct, or a proxy of its own), every request through the
 * core's route fetch (so the Network panel, the log and the doctor see them), and its secrets from the caller (the
 * keychain in the app, a ${VAR} in the CLI), never from settings.json.
 */
import type { Core } from '../../core/index.ts';
import { expandEnv, type Env } from '../../core/config.ts';
import { ParleyError } from '../../core/errors.ts';
import type { RequestSink } from '../../../shared/events.ts';
import { isKeychainRef, type ConnectionSettingsInput, type StoredSettings, type SyncSettings } from '../../../shared/settings.ts';
import { MAX_SYNC_FILE_BYTES, MAX_SYNC_LISTING_BYTES } from '../../../shared/bounds.ts';
import type { SyncTarget } from './target.ts';
import { RateLimiter } from './target-http.ts';
import { createWebDavTarget, isNutstore, nutstoreLimiter } from './webdav.ts';
import { createS3Target } from './s3.ts';

/** The core's settings for the target: the network settings with the target's own route mode (a provider's rule). */
export function syncConnectionSettings(network: StoredSettings['network'], sync: SyncSettings): ConnectionSettingsInput {
  const n = structuredClone(network);
  if (sync.route.mode === 'direct') n.proxy = { ...n.proxy, mode: 'none' };
  if (sync.route.mode === 'proxy') n.proxy = { ...n.proxy, mode: 'manual', url: sync.route.proxyUrl };
  return { provider: { protocol: 'openai', baseUrl: sync.url || 'https://invalid.invalid/', model: 'sync' }, network: n } as ConnectionSettingsInput;
}

/** The secrets a target needs, as values (the caller reads them from the keychain or the environment). */
export interface SyncSecrets {
  /** WebDAV: the password; S3: the secret access key. */
  password: string;
}

/**
 * A secret reference of the sync settings as its value: `keychain:<id>` through `reveal` (the app's vault; the CLI
 * has none and says so), `${VAR}` from the environment.
 */
export function syncSecret(ref: string | undefined, field: 'password' | 'passphrase', deps: { env: Env; reveal?: (ref: string) => string | undefined }): string {
  const what = field === 'password' ? 'sync password (or S3 secret key)' : 'sync passphrase';
  if (!ref) throw new ParleyError('config_invalid', `No ${what} is set.`, { hop: 'config', phase: 'config', field, hint: 'Set it in Settings → Sync (kept in the keychain), or as a ${VAR} for the command line.' });
  if (isKeychainRef(ref)) {
    const v = deps.reveal?.(ref);
    if (v === undefined) {
      throw new ParleyError('config_invalid', deps.reveal ? `The ${what} could not be read from the keychain: type it again.` : `The ${what} is stored in the Parley app's keychain, which the command line cannot read.`, {
        hop: 'config', phase: 'config', field,
        hint: deps.reveal ? 'Type it again in Settings → Sync.' : `Set it as a \${VAR} reference for the command line (e.g. PARLEY_SYNC_${field.toUpperCase()}) and export that variable.`,
      });
    }
    return v;
  }
  return expandEnv(ref, deps.env, `sync.${field}`);
}

/** Parley's own rate limits, one per account of a service (kept by the app across syncs; the CLI makes one a run). */
export class SyncLimiters {
  readonly #map = new Map<string, RateLimiter>();
  for(sync: SyncSettings): RateLimiter | undefined {
    let host: string;
    try {
      host = new URL(sync.url).hostname;
    } catch {
      return undefined;
    }
    if (sync.service !== 'webdav' || !isNutstore(host)) return undefined;
    const key = `${host}|${sync.username}`;
    let l = this.#map.get(key);
    if (!l) this.#map.set(key, (l = nutstoreLimiter()));
    return l;
  }
}

export interface SyncTargetDeps {
  core: Core;
  network: StoredSettings['network'];
  sync: SyncSettings;
  secrets: SyncSecrets;
  /** The requests (the Network panel's, the log's, the doctor's). */
  sink?: RequestSink;
  limiters?: SyncLimiters;
  /** Overrides of the retry pacing (tests). */
  retries?: number;
  backoffMs?: number;
  maxWaitMs?: number;
}

/** The target the settings describe, on its route. */
export function createSyncTarget(deps: SyncTargetDeps): SyncTarget {
  const s = deps.sync;
  if (!s.url) throw new ParleyError('config_invalid', s.service === 'webdav' ? 'No WebDAV folder URL is set.' : 'No S3 endpoint is set.', { hop: 'config', phase: 'config', field: 'url' });
  let u: URL;
  try {
    u = new URL(s.url);
  } catch {
    throw new ParleyError('config_invalid', `The sync URL is not a URL.`, { hop: 'config', phase: 'config', field: 'url' });
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new ParleyError('config_invalid', `The sync URL must start with https:// (or http://), not ${u.protocol}.`, { hop: 'config', phase: 'config', field: 'url' });
  const conn = deps.core.settings(syncConnectionSettings(deps.network, s));
  const fetch = deps.core.fetcher(conn, { maxMessageBytes: Math.max(MAX_SYNC_FILE_BYTES, MAX_SYNC_LISTING_BYTES) + 1, ...(deps.sink ? { sink: deps.sink } : {}) });
  const limiter = deps.limiters?.for(s);
  const http = {
    fetch, idleMs: conn.network.timeouts.idleMs,
    ...(limiter ? { limiter } : {}),
    ...(deps.retries !== undefined ? { retries: deps.retries } : {}),
    ...(deps.backoffMs !== undefined ? { backoffMs: deps.backoffMs } : {}),
    ...(deps.maxWaitMs !== undefined ? { maxWaitMs: deps.maxWaitMs } : {}),
  };
  if (s.service === 'webdav') return createWebDavTarget({ url: s.url, username: s.username, password: deps.secrets.password, http });
  return createS3Target({ endpoint: s.url, region: s.region, bucket: s.bucket, prefix: s.prefix, style: s.style, accessKeyId: s.username, secretAccessKey: deps.secrets.password, http });
}
