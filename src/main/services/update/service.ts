/**
 * Updates in the app (issue 22): a check at start and every few hours when the user lets Parley check by itself,
 * a download when the user asks (or by itself when allowed), and an install only on the user's click, after a
 * backup of the data folder. Every request through the network settings' route (the Network panel's rows, kind
 * update); the state pushed to the windows that asked. The shell installs a verified file (electron-builder's
 * installers); where it cannot (the browser test target, a development run), `canInstall` says so.
 */
import { ParleyError } from '../../core/errors.ts';
import type { Core, RouteFetch } from '../../core/index.ts';
import type { RequestSink } from '../../../shared/events.ts';
import type { ErrorInfo } from '../../../shared/errors.ts';
import { RELEASE_FEEDS, type UpdateDoctorReport, type UpdateStatus } from '../../../shared/update.ts';
import type { UpdateSettings } from '../../../shared/settings.ts';
import type { SettingsStore } from '../settings/store.ts';
import type { Logger } from '../diagnostics/logging.ts';
import type { RequestRecorder } from '../diagnostics/requests.ts';
import { recordedFetch, recordingCore } from '../diagnostics/recorded-fetch.ts';
import { checkUpdateFeeds } from './doctor.ts';
import { checkForUpdate, type Platform, type UpdateRelease } from './feed.ts';
import { downloadRelease } from './download.ts';
import { followingRedirects, updateFetch } from './route.ts';
import type { PrepareInstall } from './installer.ts';

/** How often Parley checks by itself while it runs. */
export const CHECK_EVERY_MS = 6 * 60 * 60_000;

export interface UpdateServiceDeps {
  settings: Pick<SettingsStore, 'get'>;
  core: Pick<Core, 'fetcher' | 'settings' | 'route'>;
  recorder?: Pick<RequestRecorder, 'begin'>;
  /** Where downloads go (the data folder's updates/). */
  dir: string;
  version: string;
  platform: Platform;
  logger?: Logger;
  publish(status: UpdateStatus): void;
  /** A backup of the data folder before anything is installed (services/backup, reason before-update). */
  backup(): Promise<unknown>;
  /** The shell's installer (electron-updater, installer.ts): quits and installs the verified file. Absent: this host cannot install. */
  install?(job: InstallJob): Promise<void>;
  /** The first automatic check after start (ms; default 60 s). */
  firstDelayMs?: number;
  /** Whether this host checks by itself when the settings allow it (the packaged app; never a test host). */
  autoCheck: boolean;
  idleMs?: number;
  now?: () => number;
}

/** What the shell's installer is given: the verified file, its release, and the route its own requests take. */
export type InstallJob = Omit<PrepareInstall, 'logger'>;

export interface UpdateService {
  status(): UpdateStatus;
  check(): Promise<UpdateStatus>;
  download(): Promise<UpdateStatus>;
  install(): Promise<UpdateStatus>;
  /**
   * The feeds' doctor (Settings → Updates' Test feeds): every feed's route, reach, manifest and offer, each request
   * a Network row (kind update). One at a time: a call while one runs gets that one's report.
   */
  test(): Promise<UpdateDoctorReport>;
  /** The settings changed: the schedule follows them. */
  reschedule(): void;
  close(): void;
}

export function createUpdateService(deps: UpdateServiceDeps): UpdateService {
  const log = deps.logger?.scope('update');
  const now = deps.now ?? Date.now;
  let status: UpdateStatus = { state: 'idle', current: deps.version, canInstall: !!deps.install };
  let release: UpdateRelease | null = null;
  let file: string | null = null;
  let busy: Promise<UpdateStatus> | null = null;
  let testing: Promise<UpdateDoctorReport> | null = null;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const controller = new AbortController();

  const settings = (): UpdateSettings => deps.settings.get().updates;
  const feeds = (): string[] => (settings().feeds.length ? settings().feeds : [...RELEASE_FEEDS]);
  const publish = (next: Partial<UpdateStatus> & Pick<UpdateStatus, 'state'>, drop: (keyof UpdateStatus)[] = []): UpdateStatus => {
    const merged = { ...status, ...next } as UpdateStatus;
    for (const k of drop) delete merged[k];
    status = merged;
    deps.publish(status);
    return status;
  };
  const fetch = (): RouteFetch => {
    const { network } = deps.settings.get();
    const plain = (sink?: RequestSink): RouteFetch => updateFetch(deps.core, network, sink);
    const one = deps.recorder
      ? recordedFetch({ recorder: deps.recorder, kind: 'update', scope: 'update', fallbackCode: 'protocol_error', fetcher: (sink) => plain(sink), describe: (url) => ({ message: url.endsWith('.yml') ? 'update check' : 'update download' }) })
      : plain();
    return followingRedirects(one);
  };
  const failed = (e: unknown): UpdateStatus => {
    const err: ErrorInfo = ParleyError.is(e) ? e.toInfo() : new ParleyError('protocol_error', `The update failed unexpectedly: ${e instanceof Error ? e.message : String(e)}`).toInfo();
    log?.warn('update failed', { code: err.code, message: err.message });
    return publish({ state: 'failed', error: err }, ['progress']);
  };
  const once = (fn: () => Promise<UpdateStatus>): Promise<UpdateStatus> => {
    if (busy) return busy;
    busy = fn().finally(() => {
      busy = null;
    });
    return busy;
  };

  function check(): Promise<UpdateStatus> {
    return once(async () => {
      publish({ state: 'checking' }, ['error']);
      try {
        const r = await checkForUpdate({ feeds: feeds(), channel: settings().channel, current: deps.version, platform: deps.platform, fetch: fetch(), signal: controller.signal });
        const tried = r.attempts.map((a) => ({ feed: a.feed, ok: a.ok, ...(a.error ? { error: a.error.toInfo() } : {}) }));
        if (r.state === 'failed') {
          publish({ tried, checkedAt: now(), state: 'checking' });
          return failed(r.error);
        }
        if (r.state === 'current') {
          release = null;
          log?.info('update check: current', { version: deps.version });
          return publish({ state: 'current', tried, checkedAt: now() }, ['offer', 'error', 'progress']);
        }
        const same = release?.version === r.release.version && release.file.sha512 === r.release.file.sha512;
        release = r.release;
        if (!same) file = null;
        log?.info('update available', { version: r.release.version, size: r.release.file.size, feed: r.release.feed });
        publish({ state: file ? 'ready' : 'available', tried, checkedAt: now(), offer: { version: r.release.version, ...(r.release.releaseDate ? { releaseDate: r.release.releaseDate } : {}), notes: r.release.notes, size: r.release.file.size, feed: r.release.feed } }, ['error', 'progress']);
        if (!file && settings().autoDownload) {
          busy = null;
          return download();
        }
        return status;
      } catch (e) {
        return failed(e);
      }
    });
  }

  function download(): Promise<UpdateStatus> {
    return once(async () => {
      if (!release) throw new ParleyError('config_invalid', 'No update is offered: check for updates first.', { hop: 'config', phase: 'config' });
      const r = release;
      publish({ state: 'downloading', progress: { received: 0, total: r.file.size } }, ['error']);
      let lastPublished = 0;
      try {
        file = await downloadRelease({
          release: r, feeds: feeds(), dir: deps.dir, fetch: fetch(), idleMs: deps.idleMs ?? deps.settings.get().network.timeouts.idleMs, signal: controller.signal,
          onProgress: (p) => {
            // About ten a second at most.
            if (now() - lastPublished < 100 && p.received < p.total) return;
            lastPublished = now();
            publish({ state: 'downloading', progress: { received: p.received, total: p.total } });
          },
        });
        log?.info('update downloaded and verified', { version: r.version, size: r.file.size });
        return publish({ state: 'ready' }, ['progress']);
      } catch (e) {
        return failed(e);
      }
    });
  }

  function install(): Promise<UpdateStatus> {
    return once(async () => {
      if (!release || !file) throw new ParleyError('config_invalid', 'No verified update is downloaded: download it first.', { hop: 'config', phase: 'config' });
      if (!deps.install) throw new ParleyError('config_invalid', 'This copy of Parley cannot install updates (a development run or the browser test target).', { hop: 'config', phase: 'config' });
      publish({ state: 'installing' }, ['error']);
      try {
        // The user's data first: a backup the restore can read, whatever the installer does.
        await deps.backup();
        await deps.install({ file, release, channel: settings().channel, fetch: fetch(), idleMs: deps.idleMs ?? deps.settings.get().network.timeouts.idleMs });
        return status;
      } catch (e) {
        return failed(e);
      }
    });
  }

  function test(): Promise<UpdateDoctorReport> {
    if (testing) return testing;
    const run = async (): Promise<UpdateDoctorReport> => {
      const s = deps.settings.get();
      const core = deps.recorder
        ? recordingCore(deps.core, { recorder: deps.recorder, kind: 'update', scope: 'update', fallbackCode: 'protocol_error', describe: () => ({ message: 'update feed test' }) })
        : deps.core;
      const report = await checkUpdateFeeds({ core, network: s.network, feeds: feeds(), channel: s.updates.channel, current: deps.version, platform: deps.platform, signal: controller.signal });
      // Feeds by their place in the list (a feed's URL is the user's, kept out of the log line).
      log?.info('update feeds checked', { ok: report.ok, chosen: report.feeds.findIndex((f) => f.ok) + 1, steps: report.feeds.map((f, i) => `${i + 1}: ${f.steps.map((x) => `${x.id}:${x.status}`).join(' ')}`).join('; ') });
      return report;
    };
    testing = run().finally(() => {
      testing = null;
    });
    return testing;
  }

  function reschedule(first?: number): void {
    clearTimeout(timer);
    timer = undefined;
    let on: boolean;
    try {
      on = settings().autoCheck;
    } catch {
      on = false; // a settings file that does not read (the window says so): no check until it is fixed
    }
    if (closed || !deps.autoCheck || !on) return;
    timer = setTimeout(() => {
      void check().finally(() => reschedule());
    }, first ?? CHECK_EVERY_MS);
    timer.unref?.();
  }
  reschedule(deps.firstDelayMs ?? 60_000);

  return {
    status: () => status,
    check,
    download,
    install,
    test,
    reschedule: () => reschedule(),
    close() {
      closed = true;
      clearTimeout(timer);
      controller.abort();
    },
  };
}
