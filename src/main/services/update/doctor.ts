/**
 * The doctor of the update feeds (issue 22), as the connection doctor checks a provider: for each feed in the
 * user's order, the route its requests take (proxy or direct, and why), reaching it on that route (DNS, connect, the
 * proxy's tunnel, TLS and who issued the certificate), its manifest (electron-builder's, not a captive portal's
 * page, with a file for this system), and what it offers. The same check and route as the updater (feed.ts,
 * route.ts), so the Network panel and the log see these requests too. Facts stay structured (`facts`, `route`,
 * `error`); `detail` is the English of the command line and the log. The report's types are src/shared/update.ts's
 * (the window's Test feeds, 'update:test', shows the same report).
 */
import { describeRoute, routeFacts } from '../../core/chat.ts';
import { ParleyError } from '../../core/errors.ts';
import type { Core } from '../../core/index.ts';
import type { ErrorInfo } from '../../../shared/errors.ts';
import type { RequestEvent, RequestSink } from '../../../shared/events.ts';
import type { StoredSettings } from '../../../shared/settings.ts';
import { UPDATE_DOCTOR_STEPS, type UpdateDoctorReport, type UpdateDoctorStep, type UpdateFeedReport } from '../../../shared/update.ts';
import { MAX_UPDATE_FEEDS } from '../../../shared/bounds.ts';
import { connectionFacts, REACH_CODES } from '../diagnostics/connection-facts.ts';
import { checkForUpdate, feedBase, manifestName, type Platform, type UpdateChannel } from './feed.ts';
import { followingRedirects, updateConnectionSettings, updateFetch } from './route.ts';

export interface UpdateDoctorDeps {
  core: Pick<Core, 'fetcher' | 'settings' | 'route'>;
  network: StoredSettings['network'];
  feeds: readonly string[];
  channel: UpdateChannel;
  current: string;
  platform: Platform;
  /** The requests' events also go here (the Network panel's recorder). */
  sink?: RequestSink;
  signal?: AbortSignal;
}

function info(e: unknown): ErrorInfo {
  if (ParleyError.is(e)) return e.toInfo();
  return { code: 'protocol_error', message: e instanceof Error ? e.message : String(e), hint: 'This looks like a bug in Parley: report it with the message.' };
}

async function checkFeed(deps: UpdateDoctorDeps, feed: string): Promise<UpdateFeedReport> {
  const url = new URL(manifestName(deps.channel, deps.platform), feedBase(feed)).href;
  const steps: UpdateDoctorStep[] = [];
  const report = (): UpdateFeedReport => ({ feed, url, ok: steps.every((s) => s.status === 'pass' || s.status === 'warn'), steps });
  const skip = (from: number, why: string): void => {
    for (const id of UPDATE_DOCTOR_STEPS.slice(from)) steps.push({ id, status: 'skip', ms: 0, detail: why });
  };

  const connection = updateConnectionSettings(deps.network);
  let t0 = performance.now();
  try {
    const resolved = await deps.core.route(deps.core.settings(connection), url);
    const route = describeRoute(resolved);
    const facts = routeFacts(resolved);
    steps.push({ id: 'route', status: 'pass', ms: Math.round(performance.now() - t0), detail: `Requests go ${route}.`, facts: { route }, ...(facts ? { route: facts } : {}) });
  } catch (e) {
    const error = info(e);
    steps.push({ id: 'route', status: 'fail', ms: Math.round(performance.now() - t0), detail: error.message, error });
    skip(1, 'Not checked: the network settings are not usable.');
    return report();
  }

  const events: RequestEvent[] = [];
  const sink: RequestSink = (e) => {
    events.push(e);
    deps.sink?.(e);
  };
  const fetch = followingRedirects(updateFetch(deps.core, deps.network, sink));
  t0 = performance.now();
  const r = await checkForUpdate({ feeds: [feed], channel: deps.channel, current: deps.current, platform: deps.platform, fetch, ...(deps.signal ? { signal: deps.signal } : {}) });
  const ms = Math.round(performance.now() - t0);
  const conn = connectionFacts(events);
  const failed = r.attempts[0]?.ok === false ? r.attempts[0].error : undefined;
  if (failed && REACH_CODES.includes(failed.code)) {
    steps.push({ id: 'reach', status: 'fail', ms, detail: failed.message, facts: conn.facts, error: failed.toInfo() });
    skip(2, 'Not checked: the feed was not reached.');
    return report();
  }
  steps.push({ id: 'reach', status: 'pass', ms, detail: conn.detail, facts: conn.facts });
  if (failed) {
    steps.push({ id: 'manifest', status: 'fail', ms: 0, detail: failed.message, error: failed.toInfo() });
    skip(3, 'Not checked: the feed gave no update manifest.');
    return report();
  }
  steps.push({ id: 'manifest', status: 'pass', ms: 0, detail: `${url} is an update manifest with a file for this system.` });
  if (r.state === 'current') {
    steps.push({ id: 'offer', status: 'pass', ms: 0, detail: `It offers ${r.version}, the version running.`, facts: { version: r.version, current: deps.current } });
  } else if (r.state === 'available') {
    const size = r.release.file.size;
    steps.push({ id: 'offer', status: 'pass', ms: 0, detail: `It offers ${r.release.version} (${(size / 1024 / 1024).toFixed(1)} MB); this is ${deps.current}.`, facts: { version: r.release.version, current: deps.current, size } });
  } else {
    steps.push({ id: 'offer', status: 'fail', ms: 0, detail: r.error.message, error: r.error.toInfo() });
  }
  return report();
}

/** Checks each feed in order (all of them: the report says which answer from this network, not only the first). */
export async function checkUpdateFeeds(deps: UpdateDoctorDeps): Promise<UpdateDoctorReport> {
  const feeds: UpdateFeedReport[] = [];
  for (const feed of deps.feeds.slice(0, MAX_UPDATE_FEEDS)) {
    if (deps.signal?.aborted) break;
    feeds.push(await checkFeed(deps, feed));
  }
  const chosen = feeds.find((f) => f.ok)?.feed;
  return { ok: chosen !== undefined, ...(chosen !== undefined ? { chosen } : {}), feeds };
}
