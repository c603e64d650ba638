/**
 * Sync in the app (issue 21): the Sync section's settings and secrets, one sync at a time (asked for, or every
 * `intervalMinutes` while the app runs), its state pushed to the windows, and the conversation list read again
 * when another device's changes came in. The engine (engine.ts) does the merging; the target (route.ts) the
 * requests, on the target's own route. Secrets typed in the window are kept in the OS keychain; a stored password
 * goes to a new host only after main's own dialog says yes (the window is untrusted).
 */
import { ParleyError } from '../../core/errors.ts';
import type { Core } from '../../core/index.ts';
import type { Env } from '../../core/config.ts';
import type { ErrorInfo } from '../../../shared/errors.ts';
import * as v from 'valibot';
import { syncSettingsSchema, type SyncSettings } from '../../../shared/settings.ts';
import type { SyncCheckView, SyncCounts, SyncDraft, SyncSecretQuestion, SyncStatus, SyncView } from '../../../shared/sync.ts';
import { checkSyncTarget } from './check.ts';
import type { SettingsStore } from '../settings/store.ts';
import type { Logger } from '../diagnostics/logging.ts';
import type { AttachmentStore } from '../attachments/index.ts';
import { syncOnce } from './engine.ts';
import { recordingCore } from '../diagnostics/recorded-fetch.ts';
import type { RequestRecorder } from '../diagnostics/requests.ts';
import { createSyncTarget, syncSecret, SyncLimiters } from './route.ts';

export interface SyncServiceDeps {
  settings: SettingsStore;
  core: Core;
  /** The chat store (the engine opens its own connection on the same file). */
  store: { readonly file: string };
  attachments?: AttachmentStore;
  dataDir: string;
  env: Env;
  logger?: Logger;
  /** Each request a record of the Network panel and the log (kind sync). */
  recorder?: Pick<RequestRecorder, 'begin'>;
  /** Pushes the state to the windows. */
  publish(status: SyncStatus): void;
  /** Another device's changes came in: the windows read their list (and open conversation) again. */
  changed?(): void;
  /** Main's own dialog before a stored password goes to a new host; without one, a move is refused. */
  confirmSecretMove?(q: SyncSecretQuestion): Promise<boolean>;
  /** The first automatic sync after start (ms; default 30 s). */
  firstDelayMs?: number;
  now?: () => number;
}

export interface SyncService {
  view(): SyncView;
  save(draft: SyncDraft): Promise<SyncView>;
  /** Runs one sync now (or joins the running one); the state it ended in. */
  run(): Promise<SyncStatus>;
  status(): SyncStatus;
  /** The doctor of the saved target: route, reach, credentials, folder, a probe written and removed, the clock. */
  test(): Promise<SyncCheckView>;
  close(): void;
}

const hostOf = (url: string): string => {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
};

const maskProxy = (u: string | undefined): string | undefined => u?.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');

export function createSyncService(deps: SyncServiceDeps): SyncService {
  const log = deps.logger?.scope('sync');
  const now = deps.now ?? Date.now;
  const limiters = new SyncLimiters();
  const core = deps.recorder ? recordingCore(deps.core, { recorder: deps.recorder, kind: 'sync', scope: 'sync', fallbackCode: 'protocol_error' }) : deps.core;
  let status: SyncStatus = { state: 'off' };
  let running: Promise<SyncStatus> | null = null;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const controller = new AbortController();

  const current = (): SyncSettings => deps.settings.get().sync;
  const configured = (s: SyncSettings): boolean => s.enabled && !!s.url && !!s.password;
  const publish = (next: SyncStatus): void => {
    status = next;
    deps.publish(status);
  };

  const schedule = (delayMs?: number): void => {
    clearTimeout(timer);
    timer = undefined;
    let s: SyncSettings;
    try {
      s = current();
    } catch {
      return; // settings.json does not read: nothing is scheduled until it is fixed
    }
    if (closed || !configured(s) || (s.intervalMinutes === 0 && delayMs === undefined)) {
      const { nextAt, ...rest } = status;
      if (nextAt !== undefined) publish(rest);
      return;
    }
    const wait = delayMs ?? s.intervalMinutes * 60_000;
    timer = setTimeout(() => void run(), wait);
    timer.unref?.();
    const { nextAt: _old, ...rest } = status;
    publish({ ...rest, state: status.state === 'off' ? 'idle' : status.state, nextAt: now() + wait });
  };

  const view = (): SyncView => {
    const { password, passphrase, route, ...s } = current();
    return {
      settings: { ...s, route: { mode: route.mode, ...(route.proxyUrl ? { proxyUrl: maskProxy(route.proxyUrl) as string } : {}) }, passwordSet: !!password, passphraseSet: !!passphrase },
      status,
      keychain: deps.settings.keychain(),
    };
  };

  async function run(): Promise<SyncStatus> {
    if (running) return running;
    running = (async () => {
      let s: SyncSettings;
      try {
        s = current();
      } catch (e) {
        running = null;
        publish({ state: 'failed', error: (ParleyError.is(e) ? e : new ParleyError('config_invalid', String(e))).toInfo() });
        return status;
      }
      if (!s.enabled) {
        publish({ state: 'off' });
        return status;
      }
      const { error: _e, phase: _p, nextAt: _n, ...kept } = status;
      publish({ ...kept, state: 'running' });
      const started = now();
      try {
        const secretDeps = { env: deps.env, reveal: (ref: string) => deps.settings.revealSecret(ref) };
        const password = syncSecret(s.password, 'password', secretDeps);
        const passphrase = s.encrypt ? syncSecret(s.passphrase, 'passphrase', secretDeps) : undefined;
        const target = createSyncTarget({ core, network: deps.settings.get().network, sync: s, secrets: { password }, limiters });
        const r = await syncOnce({
          store: deps.store, dataDir: deps.dataDir, target, ...(passphrase !== undefined ? { passphrase } : {}), ...(deps.attachments ? { files: deps.attachments } : {}),
          signal: controller.signal,
          onProgress: (p) => {
            if (status.phase !== p.phase) publish({ ...status, phase: p.phase });
          },
        });
        const last: SyncCounts = { uploaded: r.uploaded, downloaded: r.downloaded, applied: r.applied, conflicts: r.conflicts, requests: r.requests };
        log?.info('sync ended', { ...last, ms: Math.round(now() - started), target: target.label });
        publish({ state: 'idle', lastSyncAt: now(), last });
        if (r.applied > 0) deps.changed?.();
      } catch (e) {
        const err = ParleyError.is(e) ? e : new ParleyError('protocol_error', `Sync failed unexpectedly: ${e instanceof Error ? e.message : String(e)}`, {});
        log?.warn('sync failed', { code: err.code, message: err.message });
        const info: ErrorInfo = err.toInfo();
        const { phase: _p2, ...rest } = status;
        publish({ ...rest, state: 'failed', error: info });
      } finally {
        running = null;
        schedule();
      }
      return status;
    })();
    return running;
  }

  async function save(draft: SyncDraft): Promise<SyncView> {
    const old = current();
    const { password: typedPassword, passphrase: typedPassphrase, ...fields } = draft;
    // The proxy URL comes back masked in the view: the stored one is kept when the window sends the mask.
    const proxyUrl = fields.route.proxyUrl && fields.route.proxyUrl === maskProxy(old.route.proxyUrl) ? old.route.proxyUrl : fields.route.proxyUrl;
    let password = old.password;
    let passphrase = old.passphrase;
    if (typedPassword !== undefined) password = typedPassword ? await deps.settings.sealSecret(typedPassword) : undefined;
    else if (password && hostOf(fields.url) !== hostOf(old.url)) {
      // The stored password would now go to another host: main asks, the window cannot answer.
      const q: SyncSecretQuestion = { host: hostOf(fields.url) || fields.url, before: hostOf(old.url) };
      const yes = deps.confirmSecretMove ? await deps.confirmSecretMove(q) : false;
      if (!yes) throw new ParleyError('cancelled', `The stored sync password was not sent to ${q.host}: type it again for this service.`, { hop: 'config', phase: 'config', field: 'password' });
    }
    if (typedPassphrase !== undefined) passphrase = typedPassphrase ? await deps.settings.sealSecret(typedPassphrase) : undefined;
    const next = v.parse(syncSettingsSchema, { ...fields, route: { mode: fields.route.mode, ...(proxyUrl ? { proxyUrl } : {}) }, ...(password ? { password } : {}), ...(passphrase ? { passphrase } : {}) }) as SyncSettings;
    if (next.enabled && next.encrypt && !next.passphrase) throw new ParleyError('config_invalid', 'Encryption is on: set a passphrase (it is kept in the keychain), or turn encryption off.', { hop: 'config', phase: 'config', field: 'passphrase' });
    deps.settings.updateSync(() => next);
    log?.info('sync settings saved', { service: next.service, host: hostOf(next.url), enabled: next.enabled, encrypt: next.encrypt });
    if (!next.enabled) publish({ state: 'off' });
    else if (status.state === 'off') publish({ state: 'idle' });
    schedule();
    return view();
  }

  // The first automatic sync a little after start (the window first). A settings file that does not read (a hand
  // edit gone wrong: the window says so) starts nothing.
  let startable: boolean;
  try {
    startable = configured(current());
  } catch {
    startable = false;
  }
  if (startable) {
    status = { state: 'idle' };
    schedule(deps.firstDelayMs ?? 30_000);
  }

  async function test(): Promise<SyncCheckView> {
    const s = current();
    const password = syncSecret(s.password, 'password', { env: deps.env, reveal: (ref: string) => deps.settings.revealSecret(ref) });
    const report = await checkSyncTarget({ core, network: deps.settings.get().network, sync: s, secrets: { password }, limiters, signal: controller.signal });
    log?.info('sync target checked', { ok: report.ok, target: report.label, requests: report.requests, steps: report.steps.map((x) => `${x.id}:${x.status}`).join(' ') });
    return report;
  }

  return {
    view,
    save,
    run,
    test,
    status: () => status,
    close() {
      closed = true;
      clearTimeout(timer);
      controller.abort();
    },
  };
}
