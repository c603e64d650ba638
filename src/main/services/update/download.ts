/**
 * Downloading a release's file through the user's route, so that nothing partial or altered is ever installed:
 * the bytes go to `<name>.partial` beside a small record of what they are (URL, size, sha512); a broken download
 * resumes from where it stopped with a Range request when the server allows it and starts again when it does not;
 * only a file whose size and SHA-512 match the manifest is published under its final name. A mirror that fails
 * hands over to the next, on the same partial bytes (the checksum, not the mirror, says what the file is).
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync, createReadStream } from 'node:fs';
import { join } from 'node:path';
import { ParleyError } from '../../core/errors.ts';
import type { RouteFetch } from '../../core/index.ts';
import { words } from '../../../shared/messages/en.ts';
import { ensurePrivateDir, writeFileAtomic } from '../safe-write.ts';
import { feedBase, feedHtml, proxySaid, type UpdateRelease } from './feed.ts';

/** How many times one download is resumed or restarted after a break before it gives up. */
export const MAX_DOWNLOAD_ATTEMPTS = 5;

export interface DownloadProgress {
  received: number;
  total: number;
  /** Which feed the bytes come from now. */
  feed: string;
}

export interface DownloadOptions {
  release: UpdateRelease;
  /** The feeds in the user's order; the one that answered the check is tried first. */
  feeds: readonly string[];
  dir: string;
  fetch: RouteFetch;
  /** No byte for this long ends the attempt (a stalled proxy), then it resumes. */
  idleMs: number;
  signal?: AbortSignal;
  onProgress?(p: DownloadProgress): void;
}

interface PartialRecord {
  url: string;
  sha512: string;
  size: number;
}

/** The file's name on disk: the manifest's name without any folder or query (never a path the feed chose). */
export function artifactName(release: UpdateRelease): string {
  const last = release.file.url.split('?')[0]!.split('/').pop() ?? '';
  const safe = decodeURIComponent(last).replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '');
  return safe || `parley-${release.version}`;
}

export async function sha512File(path: string): Promise<string> {
  const h = createHash('sha512');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('base64');
}

function fileUrl(release: UpdateRelease, feed: string): string {
  return new URL(release.file.url, feedBase(feed)).href;
}

/**
 * Downloads and verifies the release's file; returns its path. A file already downloaded and verified is not
 * fetched again. Errors: update_checksum_mismatch (the bytes are not the manifest's: the partial is removed, never
 * installed), limit_exceeded (more bytes than the manifest says), the route's own errors when every feed failed.
 */
export async function downloadRelease(o: DownloadOptions): Promise<string> {
  ensurePrivateDir(o.dir);
  const { file } = o.release;
  const name = artifactName(o.release);
  const final = join(o.dir, name);
  const partial = `${final}.partial`;
  const record = `${final}.partial.json`;
  if (existsSync(final) && statSync(final).size === file.size && (await sha512File(final)) === file.sha512) return final;
  // A partial of another file (another version) is not resumed.
  let kept: PartialRecord | null;
  try {
    kept = JSON.parse(readFileSync(record, 'utf8')) as PartialRecord;
  } catch {
    kept = null;
  }
  if (!kept || kept.sha512 !== file.sha512 || kept.size !== file.size || !existsSync(partial)) {
    rmSync(partial, { force: true });
    writeFileAtomic(record, JSON.stringify({ url: file.url, sha512: file.sha512, size: file.size } satisfies PartialRecord), { mode: 0o600 });
  }
  const order = [o.release.feed, ...o.feeds.filter((f) => f !== o.release.feed)];
  let lastError: ParleyError | null = null;
  let attempts = 0;
  for (const feed of order) {
    // Each feed gets its share of attempts; a break resumes on the same feed first.
    for (let tries = 0; tries < MAX_DOWNLOAD_ATTEMPTS && attempts < MAX_DOWNLOAD_ATTEMPTS * order.length; tries++, attempts++) {
      if (o.signal?.aborted) throw new ParleyError('cancelled', 'The download was cancelled.', { phase: 'body' });
      try {
        await fetchInto(o, feed, partial);
        break;
      } catch (e) {
        if (o.signal?.aborted) throw new ParleyError('cancelled', 'The download was cancelled.', { phase: 'body' });
        lastError = ParleyError.is(e) ? e : new ParleyError('stream_interrupted', String((e as Error)?.message ?? e), { phase: 'body' });
        if (lastError.code === 'limit_exceeded') {
          rmSync(partial, { force: true });
          throw lastError;
        }
        // Not found or refused on this feed: the next feed, not another try here.
        if (lastError.detail.status !== undefined && lastError.detail.status >= 400) break;
      }
    }
    if (existsSync(partial) && statSync(partial).size === file.size) break;
  }
  const size = existsSync(partial) ? statSync(partial).size : 0;
  if (size !== file.size) throw lastError ?? new ParleyError('stream_interrupted', words('update_incomplete', { got: size, size: file.size }), { phase: 'body' });
  const sum = await sha512File(partial);
  if (sum !== file.sha512) {
    rmSync(partial, { force: true });
    rmSync(record, { force: true });
    throw new ParleyError('update_checksum_mismatch', words('update_checksum_mismatch', { file: name, version: o.release.version }), { hop: 'target', phase: 'body' });
  }
  renameSync(partial, final);
  rmSync(record, { force: true });
  return final;
}

/** One request: appends to the partial from its current size (Range), or starts it again when the server sends it whole. */
async function fetchInto(o: DownloadOptions, feed: string, partial: string): Promise<void> {
  const { file } = o.release;
  const have = existsSync(partial) ? statSync(partial).size : 0;
  if (have > file.size) rmSync(partial, { force: true });
  const from = have > file.size ? 0 : have;
  if (from === file.size) return;
  const idle = new AbortController();
  const onAbort = (): void => idle.abort();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  let stalled = false;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      idle.abort();
    }, o.idleMs);
  };
  const url = fileUrl(o.release, feed);
  let fd: number | null = null;
  try {
    arm();
    const res = await o.fetch(url, { headers: { ...(from > 0 ? { range: `bytes=${from}-` } : {}), 'accept-encoding': 'identity', 'cache-control': 'no-cache' }, signal: idle.signal });
    const type = (res.headers.get('content-type') ?? '').toLowerCase();
    if (res.status !== 200 && res.status !== 206) {
      const proxy = await proxySaid(res, url);
      if (proxy) throw proxy;
      throw new ParleyError(res.status === 404 ? 'not_found' : 'server_error', words('update_download_status', { url, status: res.status }), { hop: 'target', phase: 'headers', status: res.status });
    }
    if (type.startsWith('text/html')) {
      await res.body?.cancel();
      throw feedHtml(feed).with({ status: 400 });
    }
    let offset = 0;
    if (res.status === 206) {
      const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(res.headers.get('content-range') ?? '');
      if (!m || Number(m[1]) !== from) {
        // Not the range asked for: start again from the first byte.
        await res.body?.cancel();
        rmSync(partial, { force: true });
        throw new ParleyError('stream_interrupted', `${url} answered another range than asked; the download starts again.`, { phase: 'body' });
      }
      offset = from;
    } else if (from > 0) rmSync(partial, { force: true }); // sent whole: the server does not resume.
    fd = openSync(partial, offset > 0 ? 'a' : 'w', 0o600);
    let received = offset;
    const reader = res.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      arm();
      received += value.length;
      if (received > file.size) {
        await reader.cancel();
        throw new ParleyError('limit_exceeded', words('update_too_long', { url, size: file.size }), { hop: 'target', phase: 'body' });
      }
      writeSync(fd, value);
      o.onProgress?.({ received, total: file.size, feed });
    }
    if (received < file.size) throw new ParleyError('stream_interrupted', words('update_incomplete', { got: received, size: file.size }), { hop: 'target', phase: 'body' });
  } catch (e) {
    if (stalled) throw new ParleyError('idle_timeout', `No data arrived for ${o.idleMs} ms while downloading ${url}.`, { hop: 'target', phase: 'body' });
    throw e;
  } finally {
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', onAbort);
    if (fd !== null) closeSync(fd);
  }
}
