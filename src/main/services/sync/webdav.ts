/**
 * A WebDAV folder as a sync target (Nutstore, Nextcloud, Synology, Apache mod_dav): PROPFIND Depth 1 (folder by
 * folder: Nutstore refuses Depth infinity), GET, PUT under a temporary name in the same folder then MOVE with
 * Overwrite: T (a reader sees the whole file or nothing), DELETE, MKCOL for a missing folder. Basic auth; the
 * password comes from the caller (the keychain or a ${VAR}), never in an error or a log.
 *
 * Written here rather than with the `webdav` package (v5): it takes a custom fetch only through a process-wide
 * patcher (getPatcher().patch('fetch')), not per client, so two targets on two routes could not each keep theirs,
 * and it brings node-fetch and 14 more dependencies for these five requests.
 */
import { randomBytes } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import { ParleyError } from '../../core/errors.ts';
import { words } from '../../../shared/messages/en.ts';
import { MAX_SYNC_LIST_ENTRIES, MAX_SYNC_LISTING_BYTES, NUTSTORE_MAX_FILE_BYTES, NUTSTORE_REQUESTS_PER_WINDOW, NUTSTORE_WINDOW_MS } from '../../../shared/bounds.ts';
import { SYNC_NAME, type SyncEntry, type SyncTarget } from './target.ts';
import { acceptWrite, drop, RateLimiter, readBytes, refuseEmpty, send, serviceWords, statusError, type TargetAnswer, type TargetHttp } from './target-http.ts';

/** Files being uploaded: never listed, never read. */
export const TEMP_PREFIX = '.parley-tmp-';
/** A temporary file this old is an upload that will never finish: a listing removes it (a few at a time). */
const STALE_TEMP_MS = 24 * 3600_000;
const MAX_STALE_REMOVED = 20;

export interface WebDavOptions {
  /** The folder's URL (a trailing slash is added); no credentials in it. */
  url: string;
  username: string;
  password: string;
  http: TargetHttp;
}

/** Whether a host is Nutstore's (its published limits apply). */
export function isNutstore(host: string): boolean {
  return /(^|\.)jianguoyun\.com$/i.test(host) || /(^|\.)nutstore\.net$/i.test(host);
}

/** Nutstore's published rate (600 requests in 30 minutes) as Parley's own limiter for its host. */
export function nutstoreLimiter(): RateLimiter {
  return new RateLimiter(NUTSTORE_REQUESTS_PER_WINDOW, NUTSTORE_WINDOW_MS);
}

const PROPFIND_BODY = '<?xml version="1.0" encoding="utf-8"?>\n<d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/><d:getcontentlength/><d:getlastmodified/></d:prop></d:propfind>';

const parser = new XMLParser({ removeNSPrefix: true, ignoreAttributes: true, parseTagValue: false, isArray: (name) => name === 'response' || name === 'propstat' });

/** Nutstore says it throttles in the body (BlockedTemporarily), under a 503 and at times a 401. */
const throttled = (status: number, text: string): boolean => (status === 401 || status === 403 || status === 503) && /BlockedTemporarily|Too many requests/i.test(text);

interface DavItem {
  /** Relative to the folder's root; a folder's ends with '/'. */
  rel: string;
  folder: boolean;
  size: number;
  /** When it last changed (ms since the epoch), when the server said. */
  modified?: number;
}

export function createWebDavTarget(opts: WebDavOptions): SyncTarget {
  const base = new URL(opts.url);
  if (base.username || base.password) throw new ParleyError('config_invalid', 'The WebDAV URL must not hold a user name or password: give them in their own fields.', { hop: 'config', phase: 'config', field: 'url' });
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  base.search = '';
  base.hash = '';
  const basePath = decodeURIComponent(base.pathname);
  const label = `WebDAV ${base.href}`;
  const auth = 'Basic ' + Buffer.from(`${opts.username}:${opts.password}`, 'utf8').toString('base64');
  const http: TargetHttp = { ...opts.http, limiter: opts.http.limiter ?? (isNutstore(base.hostname) ? nutstoreLimiter() : undefined) };
  const maxFile = isNutstore(base.hostname) ? NUTSTORE_MAX_FILE_BYTES : Infinity;

  const urlOf = (rel: string): string => new URL(rel.split('/').map(encodeURIComponent).join('/'), base).href;
  const pathOf = (rel: string): string => `${base.pathname}${rel}`;
  const checkName = (name: string): void => {
    if (!SYNC_NAME.test(name)) throw new ParleyError('config_invalid', `"${name}" is not a name a sync file may have.`, { phase: 'config' });
  };
  const request = (method: string, rel: string, headers: Record<string, string>, signal?: AbortSignal, body?: Uint8Array | string): Promise<TargetAnswer> =>
    send(http, { method, url: urlOf(rel), path: pathOf(rel), headers: () => ({ authorization: auth, ...headers }), ...(body !== undefined ? { body } : {}), ...(signal ? { signal } : {}), throttled });

  /** One folder's entries (Depth 1), or null when it does not exist. */
  async function propfind(rel: string, signal?: AbortSignal): Promise<DavItem[] | null> {
    const a = await request('PROPFIND', rel, { depth: '1', 'content-type': 'application/xml; charset=utf-8' }, signal, PROPFIND_BODY);
    if (a.status === 404) return null;
    if (a.status !== 207) {
      if (a.status < 300) {
        // A 200 to a PROPFIND: a web page (a captive portal answers every method) or a server that is not WebDAV.
        const body = await readBytes(http, a, MAX_SYNC_LISTING_BYTES, { nonEmpty: false, ...(signal ? { signal } : {}) });
        throw new ParleyError('sync_not_storage', words('sync_bad_listing', { host: a.host, path: a.path, why: `${a.status} instead of 207 Multi-Status${body.byteLength ? '' : ', empty'}` }), { hop: 'target', phase: 'headers', host: a.host, status: a.status });
      }
      if (a.status === 405 || a.status === 501) throw new ParleyError('sync_not_storage', words('sync_bad_listing', { host: a.host, path: a.path, why: `${a.status}: the server does not take WebDAV requests here` }), { hop: 'target', phase: 'headers', host: a.host, status: a.status });
      throw statusError(a);
    }
    const bytes = await readBytes(http, a, MAX_SYNC_LISTING_BYTES, { nonEmpty: true, ...(signal ? { signal } : {}) });
    const text = Buffer.from(bytes).toString('utf8');
    let doc: unknown;
    try {
      doc = parser.parse(text);
    } catch (e) {
      throw new ParleyError('sync_not_storage', words('sync_bad_listing', { host: a.host, path: a.path, why: 'not XML' }), { hop: 'target', phase: 'body', host: a.host }, { cause: e });
    }
    const ms = (doc as { multistatus?: { response?: unknown[] } }).multistatus;
    if (!ms || typeof ms !== 'object') throw new ParleyError('sync_not_storage', words('sync_bad_listing', { host: a.host, path: a.path, why: 'no multistatus' }), { hop: 'target', phase: 'body', host: a.host });
    const out: DavItem[] = [];
    for (const r of (ms.response ?? []) as { href?: unknown; propstat?: { prop?: { getcontentlength?: unknown; resourcetype?: unknown; getlastmodified?: unknown }; status?: unknown }[] }[]) {
      if (typeof r.href !== 'string') continue;
      let path: string;
      try {
        path = decodeURIComponent(new URL(r.href, urlOf(rel)).pathname);
      } catch {
        continue;
      }
      if (!path.startsWith(basePath)) continue;
      const relPath = path.slice(basePath.length);
      if (relPath === rel || relPath === rel.replace(/\/$/, '')) continue; // the folder itself
      const ok = (r.propstat ?? []).find((p) => typeof p.status !== 'string' || /\s2\d\d\s/.test(` ${p.status} `));
      const prop = ok?.prop ?? {};
      const folder = typeof prop.resourcetype === 'object' && prop.resourcetype !== null && 'collection' in prop.resourcetype;
      const size = Number(prop.getcontentlength ?? 0);
      const modified = typeof prop.getlastmodified === 'string' ? Date.parse(prop.getlastmodified) : NaN;
      out.push({ rel: folder && !relPath.endsWith('/') ? `${relPath}/` : relPath, folder, size: Number.isFinite(size) ? size : 0, ...(Number.isNaN(modified) ? {} : { modified }) });
    }
    return out;
  }

  /**
   * Creates the folder `rel` (ending in '/', '' for the root) and the ones above it that are missing, the root's own
   * parents too (a folder URL typed before the folder was made). Deepest first: one request when only the last
   * folder is missing.
   */
  async function ensureFolder(rel: string, signal?: AbortSignal): Promise<void> {
    const segs = `${basePath}${rel}`.split('/').filter(Boolean);
    const levels: string[] = [];
    for (let i = 1; i <= segs.length; i++) levels.push(`/${segs.slice(0, i).join('/')}/`);
    const mkcol = (abs: string): Promise<TargetAnswer> =>
      send(http, { method: 'MKCOL', url: new URL(abs.split('/').map(encodeURIComponent).join('/'), base).href, path: abs, headers: () => ({ authorization: auth }), ...(signal ? { signal } : {}), throttled });
    const missing = (a: TargetAnswer): ParleyError =>
      new ParleyError('sync_folder_missing', words('sync_folder_missing', { host: a.host, path: a.path, status: a.status, words: serviceWords(a.text) }), { hop: 'target', phase: 'headers', host: a.host, status: a.status });
    const made = (a: TargetAnswer): boolean => a.status === 201 || a.status === 200 || a.status === 405;
    let i = levels.length - 1;
    for (; i >= 0; i--) {
      const a = await mkcol(levels[i] as string);
      if (made(a)) {
        if (a.status < 300) drop(a);
        break;
      }
      if (a.status === 409 && i > 0) continue;
      if (a.status === 409 || a.status === 404 || a.status === 403) throw missing(a);
      throw statusError(a);
    }
    for (let j = i + 1; j < levels.length; j++) {
      const a = await mkcol(levels[j] as string);
      if (made(a)) {
        if (a.status < 300) drop(a);
        continue;
      }
      if (a.status === 409 || a.status === 404) throw missing(a);
      throw statusError(a);
    }
  }

  return {
    label,
    async list(prefix, signal) {
      const start = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/') + 1) : '';
      const queue = [start];
      const out: SyncEntry[] = [];
      const stale: string[] = [];
      let seen = 0;
      while (queue.length) {
        const dir = queue.shift() as string;
        const items = await propfind(dir, signal);
        if (!items) continue; // a missing folder holds nothing (the first put creates it)
        for (const it of items) {
          if (++seen > MAX_SYNC_LIST_ENTRIES) throw new ParleyError('limit_exceeded', `The sync folder holds more than ${MAX_SYNC_LIST_ENTRIES} entries under ${base.pathname}${start}, the most Parley lists.`, { phase: 'body', host: base.host });
          const last = it.rel.replace(/\/$/, '').split('/').pop() ?? '';
          if (last.startsWith(TEMP_PREFIX)) {
            // An upload a crash or a cut connection left: removed once it is a day old (no upload takes that long).
            if (!it.folder && it.modified !== undefined && Date.now() - it.modified > STALE_TEMP_MS && stale.length < MAX_STALE_REMOVED) stale.push(it.rel);
            continue;
          }
          if (it.folder) {
            if (it.rel.startsWith(prefix) || prefix.startsWith(it.rel)) queue.push(it.rel);
            continue;
          }
          if (it.rel.startsWith(prefix) && SYNC_NAME.test(it.rel)) out.push({ name: it.rel, size: it.size });
        }
      }
      for (const rel of stale) {
        // Best effort: a failure here is not the listing's.
        await request('DELETE', rel, {}, signal).then((d) => (d.status < 300 ? drop(d) : undefined), () => undefined);
      }
      return out;
    },
    async get(name, maxBytes, signal) {
      checkName(name);
      const a = await request('GET', name, { accept: 'application/octet-stream, */*' }, signal);
      if (a.status === 404) return null;
      if (a.status !== 200) {
        if (a.status < 300) drop(a);
        throw statusError(a);
      }
      return readBytes(http, a, maxBytes, { nonEmpty: true, ...(signal ? { signal } : {}) });
    },
    async put(name, bytes, signal) {
      checkName(name);
      refuseEmpty(name, bytes);
      if (bytes.byteLength > maxFile) throw new ParleyError('limit_exceeded', `${name} is ${Math.ceil(bytes.byteLength / 1024 / 1024)} MB, over Nutstore's limit of ${Math.round(maxFile / 1024 / 1024)} MB for one file.`, { phase: 'config' });
      const slash = name.lastIndexOf('/');
      const dir = slash < 0 ? '' : name.slice(0, slash + 1);
      const temp = `${dir}${TEMP_PREFIX}${randomBytes(6).toString('hex')}-${name.slice(slash + 1)}`;
      const upload = (): Promise<TargetAnswer> => request('PUT', temp, { 'content-type': 'application/octet-stream' }, signal, bytes);
      let a = await upload();
      if (a.status === 409 || a.status === 404) {
        // The folder is missing: made, then the upload again.
        await ensureFolder(dir, signal);
        a = await upload();
      }
      if (a.status < 300) await acceptWrite(http, a);
      else throw statusError(a);
      const moved = await request('MOVE', temp, { destination: urlOf(name), overwrite: 'T' }, signal);
      if (moved.status < 300) {
        await acceptWrite(http, moved);
        return;
      }
      // Not published: the temporary file is removed (best effort; it is never listed either way).
      await request('DELETE', temp, {}).then((d) => (d.status < 300 ? drop(d) : undefined), () => undefined);
      throw statusError(moved);
    },
    async remove(name, signal) {
      checkName(name);
      const a = await request('DELETE', name, {}, signal);
      if (a.status < 300) {
        drop(a);
        return;
      }
      if (a.status === 404) return;
      throw statusError(a);
    },
  };
}
