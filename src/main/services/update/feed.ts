/**
 * The update feed: electron-builder's `latest*.yml` manifests (the generic and GitHub providers publish the same
 * file), read from a list of feed URLs (a GitHub release and mirrors) in order, every request through the route
 * the user set. The reachable feed is chosen by trying each, never by guessing where the user is. A feed that
 * answers a web page (a captive portal, a login page), a manifest that is not electron-builder's, a version that is
 * not newer, or an artifact larger than Parley accepts is refused with a code and nothing is downloaded.
 *
 * The manifest is parsed with js-yaml (as electron-updater parses it) and checked field by field here.
 */
import { load as parseYaml, JSON_SCHEMA } from 'js-yaml';
import semver from 'semver';
import { ParleyError } from '../../core/errors.ts';
import { proxyTargetFailure } from '../../core/classify.ts';
import type { RouteFetch } from '../../core/index.ts';
import { words } from '../../../shared/messages/en.ts';
import { MAX_UPDATE_ARTIFACT_BYTES, MAX_UPDATE_FEEDS, MAX_UPDATE_MANIFEST_BYTES } from '../../../shared/bounds.ts';

export type UpdateChannel = 'stable' | 'beta';

/** One installable file of a release, as the manifest lists it. */
export interface UpdateFile {
  /** Relative to the feed (or absolute https). */
  url: string;
  /** base64 SHA-512 of the whole file. */
  sha512: string;
  size: number;
}

export interface UpdateRelease {
  version: string;
  releaseDate?: string;
  /** What is new: the manifest's notes as plain text (never rendered as HTML). */
  notes: string;
  /** The file this platform installs. */
  file: UpdateFile;
  /** The feed that answered (the base the file's URL is relative to). */
  feed: string;
}

/** What trying one feed gave: the doctor and the Network panel show each. */
export interface FeedAttempt {
  feed: string;
  url: string;
  ok: boolean;
  error?: ParleyError;
}

export type CheckResult =
  | { state: 'available'; release: UpdateRelease; attempts: FeedAttempt[] }
  | { state: 'current'; version: string; attempts: FeedAttempt[] }
  /** No feed gave a usable answer, or the answer was refused (a downgrade): `error` says why, nothing is offered. */
  | { state: 'failed'; error: ParleyError; attempts: FeedAttempt[] };

export interface Platform {
  os: NodeJS.Platform;
  arch: string;
}

/** electron-builder's manifest name: `latest.yml` (Windows), `latest-mac.yml`, `latest-linux.yml`, `latest-linux-arm64.yml`; `beta…` for the beta channel. */
export function manifestName(channel: UpdateChannel, p: Platform): string {
  const base = channel === 'beta' ? 'beta' : 'latest';
  if (p.os === 'darwin') return `${base}-mac.yml`;
  if (p.os === 'linux') return p.arch === 'x64' ? `${base}-linux.yml` : `${base}-linux-${p.arch}.yml`;
  return `${base}.yml`;
}

/** Which of a release's files this platform installs, by kind, best first (electron-updater's choice). */
const KINDS: Record<string, string[]> = { win32: ['.exe'], darwin: ['.zip'], linux: ['.AppImage', '.deb', '.rpm'] };

function notManifest(feed: string, field: string): ParleyError {
  return new ParleyError('update_feed_invalid', words('update_feed_not_manifest', { feed, field }), { hop: 'target', phase: 'body' });
}

export function feedHtml(feed: string): ParleyError {
  return new ParleyError('update_feed_invalid', words('update_feed_html', { feed }), { hop: 'target', phase: 'body' });
}

const SHA512_B64 = /^[A-Za-z0-9+/]{86}==$/;

/** The manifest's fields, checked: anything else (a web page, another app's YAML) is refused. */
export function parseManifest(text: string, feed: string, p: Platform): Omit<UpdateRelease, 'feed'> {
  const head = text.trimStart().slice(0, 200).toLowerCase();
  if (head.startsWith('<')) throw feedHtml(feed);
  if (!text.trim()) throw new ParleyError('update_feed_invalid', words('update_feed_empty', { feed }), { hop: 'target', phase: 'body' });
  let doc: unknown;
  try {
    // JSON_SCHEMA: no YAML tags that make objects, no dates (a release date stays a string).
    doc = parseYaml(text, { schema: JSON_SCHEMA, json: true });
  } catch {
    throw notManifest(feed, 'YAML');
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw notManifest(feed, 'version');
  const m = doc as Record<string, unknown>;
  const version = typeof m.version === 'string' ? semver.valid(m.version) : null;
  if (!version) throw notManifest(feed, 'version');
  if (!Array.isArray(m.files) || m.files.length === 0 || m.files.length > 64) throw notManifest(feed, 'files');
  const files: UpdateFile[] = [];
  for (const f of m.files as unknown[]) {
    const r = f as Record<string, unknown>;
    if (!r || typeof r.url !== 'string' || !r.url || r.url.length > 2048) throw notManifest(feed, 'files.url');
    if (typeof r.sha512 !== 'string' || !SHA512_B64.test(r.sha512)) throw notManifest(feed, 'files.sha512');
    if (typeof r.size !== 'number' || !Number.isSafeInteger(r.size) || r.size <= 0) throw notManifest(feed, 'files.size');
    files.push({ url: r.url, sha512: r.sha512, size: r.size });
  }
  const kinds = KINDS[p.os] ?? [];
  const file = kinds.map((k) => files.find((f) => f.url.split('?')[0]!.endsWith(k))).find(Boolean);
  if (!file) throw new ParleyError('update_feed_invalid', words('update_feed_no_file', { feed, os: p.os, kinds: kinds.join(', ') || '-' }), { hop: 'target', phase: 'body' });
  if (file.size > MAX_UPDATE_ARTIFACT_BYTES) {
    throw new ParleyError('limit_exceeded', words('update_too_large', { file: file.url, size: Math.round(file.size / 1024 / 1024), max: Math.round(MAX_UPDATE_ARTIFACT_BYTES / 1024 / 1024) }), { hop: 'target', phase: 'body' });
  }
  const notes = typeof m.releaseNotes === 'string' ? m.releaseNotes : Array.isArray(m.releaseNotes) ? m.releaseNotes.map((n) => (n && typeof n === 'object' ? String((n as Record<string, unknown>).note ?? '') : '')).join('\n\n') : '';
  return { version, ...(typeof m.releaseDate === 'string' ? { releaseDate: m.releaseDate } : {}), notes: notes.slice(0, 20_000), file };
}

/** A feed URL as a base: it ends in '/'. */
export function feedBase(feed: string): string {
  return feed.endsWith('/') ? feed : `${feed}/`;
}

function oversize(feed: string, max: number): ParleyError {
  return new ParleyError('update_feed_invalid', words('update_feed_oversize', { feed, max }), { hop: 'target', phase: 'body' });
}

async function readBounded(res: Response, max: number, feed: string): Promise<string> {
  const len = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(len) && len > max) {
    await res.body?.cancel();
    throw oversize(feed, max);
  }
  const reader = res.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.length;
    if (n > max) {
      await reader.cancel();
      throw oversize(feed, max);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * When an HTTP proxy's own error page answered (squid names its failure in X-Squid-Error), the error about the feed
 * the proxy could not reach (core/classify.ts), not about the feed's answer. The body is read only then, bounded.
 * Otherwise undefined, and the body is released.
 */
export async function proxySaid(res: Response, url: string): Promise<ParleyError | undefined> {
  if (!res.headers.get('x-squid-error')) {
    await res.body?.cancel();
    return undefined;
  }
  const body = await readBounded(res, 16 * 1024, url).catch(() => '');
  const headers: Record<string, string> = {};
  res.headers.forEach((v, k) => {
    headers[k] = v;
  });
  return proxyTargetFailure({ status: res.status, headers, body, target: new URL(url).host });
}

export interface CheckOptions {
  feeds: readonly string[];
  channel: UpdateChannel;
  current: string;
  platform: Platform;
  fetch: RouteFetch;
  signal?: AbortSignal;
}

/**
 * Tries the feeds in order; the first that answers a valid manifest decides. A newer version is `available`; the
 * same is `current`; an older one is refused (update_downgrade), never offered. When no feed answers, `failed`
 * carries the first feed's error (the user's own choice first), with every attempt in `attempts` for the doctor.
 * Only a bad configuration or the caller's cancel throws.
 */
export async function checkForUpdate(o: CheckOptions): Promise<CheckResult> {
  if (!o.feeds.length) throw new ParleyError('config_invalid', words('update_no_feeds', {}), { hop: 'config', phase: 'config' });
  const attempts: FeedAttempt[] = [];
  for (const feed of o.feeds.slice(0, MAX_UPDATE_FEEDS)) {
    const url = new URL(manifestName(o.channel, o.platform), feedBase(feed)).href;
    try {
      const res = await o.fetch(url, { headers: { accept: 'application/x-yaml, text/yaml, text/plain, */*', 'cache-control': 'no-cache' }, ...(o.signal ? { signal: o.signal } : {}) });
      if (res.status !== 200) {
        const proxy = await proxySaid(res, url);
        if (proxy) throw proxy;
        throw new ParleyError(res.status === 404 ? 'not_found' : 'update_feed_invalid', words('update_feed_status', { feed, status: res.status, url }), { hop: 'target', phase: 'headers', status: res.status });
      }
      const type = (res.headers.get('content-type') ?? '').toLowerCase();
      const text = await readBounded(res, MAX_UPDATE_MANIFEST_BYTES, feed);
      if (type.startsWith('text/html')) throw feedHtml(feed);
      const release = { ...parseManifest(text, feed, o.platform), feed };
      attempts.push({ feed, url, ok: true });
      const current = semver.valid(o.current);
      if (!current) throw new ParleyError('config_invalid', `Parley's own version "${o.current}" is not a version.`, { hop: 'config', phase: 'config' });
      if (semver.eq(release.version, current)) return { state: 'current', version: current, attempts };
      if (semver.lt(release.version, current)) {
        // The feed's answer, not a failure to reach it: a mirror is not tried to hide it.
        return { state: 'failed', error: new ParleyError('update_downgrade', words('update_downgrade', { feed, offered: release.version, current }), { hop: 'target', phase: 'body' }), attempts };
      }
      return { state: 'available', release, attempts };
    } catch (e) {
      if (o.signal?.aborted) throw e;
      const err = ParleyError.is(e) ? e : new ParleyError('protocol_error', String((e as Error)?.message ?? e));
      if (err.code === 'config_invalid' && err.detail.hop === 'config') throw err;
      attempts.push({ feed, url, ok: false, error: err });
    }
  }
  return { state: 'failed', error: attempts[0]!.error!, attempts };
}
