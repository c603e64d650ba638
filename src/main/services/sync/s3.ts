/**
 * A prefix of an S3-compatible bucket as a sync target (AWS S3, Cloudflare R2, Aliyun OSS, MinIO): ListObjectsV2
 * with pagination (bounded), GetObject, PutObject (atomic by S3: a reader sees the old object or the new one, never
 * a part), DeleteObject. Requests are signed with aws4fetch's AwsV4Signer (the payload's SHA-256 signed too) and
 * sent through Parley's transport on the target's route. Path-style (https://endpoint/bucket/key) or virtual-host
 * style (https://bucket.endpoint/key). The secret key comes from the caller, never in an error or a log.
 */
import { createHash } from 'node:crypto';
import { AwsV4Signer } from 'aws4fetch';
import { XMLParser } from 'fast-xml-parser';
import { ParleyError } from '../../core/errors.ts';
import { words } from '../../../shared/messages/en.ts';
import { MAX_SYNC_LIST_ENTRIES, MAX_SYNC_LIST_PAGES, MAX_SYNC_LISTING_BYTES } from '../../../shared/bounds.ts';
import { SYNC_NAME, type SyncEntry, type SyncTarget } from './target.ts';
import { acceptWrite, drop, readBytes, refuseEmpty, send, serviceWords, statusError, type TargetAnswer, type TargetHttp } from './target-http.ts';

export interface S3Options {
  /** The service's endpoint: https://s3.us-east-1.amazonaws.com, https://<account>.r2.cloudflarestorage.com, http://127.0.0.1:9000. */
  endpoint: string;
  /** '' is us-east-1; R2 takes 'auto'. */
  region: string;
  bucket: string;
  /** Every file's key starts with it ('' for the whole bucket); a '/' is added when it has none. */
  prefix: string;
  style: 'path' | 'virtual';
  accessKeyId: string;
  secretAccessKey: string;
  http: TargetHttp;
  /** The clock signatures use (tests; the doctor's skew check). */
  now?: () => number;
}

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, removeNSPrefix: true, isArray: (name) => name === 'Contents' });

const AUTH_CODES = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'InvalidToken', 'ExpiredToken', 'InvalidSecurity', 'AuthorizationHeaderMalformed', 'InvalidArgument']);

/** An S3 error body's code and message. */
export function s3Error(text: string): { code: string; message: string; serverTime?: string; requestTime?: string; endpoint?: string } | undefined {
  if (!text.trim().startsWith('<')) return undefined;
  try {
    const doc = parser.parse(text) as { Error?: Record<string, unknown> };
    const e = doc.Error;
    if (!e || typeof e !== 'object') return undefined;
    const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
    return {
      code: str(e.Code) ?? '', message: (str(e.Message) ?? '').slice(0, 200),
      ...(str(e.ServerTime) ? { serverTime: str(e.ServerTime) as string } : {}),
      ...(str(e.RequestTime) ? { requestTime: str(e.RequestTime) as string } : {}),
      ...(str(e.Endpoint) ? { endpoint: str(e.Endpoint) as string } : {}),
    };
  } catch {
    return undefined;
  }
}

function normalizePrefix(p: string): string {
  const t = p.replace(/^\/+/, '');
  return t && !t.endsWith('/') ? `${t}/` : t;
}

/** Seconds between this clock and the service's, from an error's times or the answer's Date header. */
export function skewSeconds(a: { headers: Headers; text: string }, now: number): number | undefined {
  const e = s3Error(a.text);
  const server = e?.serverTime ? Date.parse(e.serverTime) : Date.parse(a.headers.get('date') ?? '');
  if (Number.isNaN(server)) return undefined;
  const mine = e?.requestTime ? Date.parse(e.requestTime.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z')) : now;
  return Math.round(((Number.isNaN(mine) ? now : mine) - server) / 1000);
}

export function createS3Target(opts: S3Options): SyncTarget & { readonly http: TargetHttp } {
  const endpoint = new URL(opts.endpoint);
  if (endpoint.username || endpoint.password) throw new ParleyError('config_invalid', 'The S3 endpoint must not hold an access key: give it in its own field.', { hop: 'config', phase: 'config', field: 'url' });
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(opts.bucket)) throw new ParleyError('config_invalid', `"${opts.bucket}" is not a bucket name (3 to 63 lowercase letters, digits, dots and hyphens).`, { hop: 'config', phase: 'config', field: 'bucket' });
  const region = opts.region || 'us-east-1';
  const prefix = normalizePrefix(opts.prefix);
  const now = opts.now ?? Date.now;
  const http = opts.http;
  const enc = (key: string): string => key.split('/').map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join('/');
  const bucketUrl = (): URL => {
    const u = new URL(endpoint.href);
    u.search = '';
    const basePath = u.pathname.replace(/\/+$/, '');
    if (opts.style === 'virtual') {
      u.hostname = `${opts.bucket}.${u.hostname}`;
      u.pathname = `${basePath}/`;
    } else {
      u.pathname = `${basePath}/${opts.bucket}/`;
    }
    return u;
  };
  const keyUrl = (key: string): string => {
    const u = bucketUrl();
    u.pathname += enc(key);
    return u.href;
  };
  const label = `S3 ${bucketUrl().href}${prefix}`;
  const checkName = (name: string): void => {
    if (!SYNC_NAME.test(name)) throw new ParleyError('config_invalid', `"${name}" is not a name a sync file may have.`, { phase: 'config' });
  };

  const request = (method: string, url: string, path: string, signal?: AbortSignal, body?: Uint8Array, extra: Record<string, string> = {}): Promise<TargetAnswer> => {
    const sha = createHash('sha256').update(body ?? new Uint8Array(0)).digest('hex');
    return send(http, {
      method, url, path,
      headers: async () => {
        const datetime = new Date(now()).toISOString().replace(/[:-]|\.\d{3}/g, '');
        const signer = new AwsV4Signer({
          method, url, headers: { 'x-amz-content-sha256': sha, ...extra }, accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey, region, service: 's3', datetime,
        });
        const signed = await signer.sign();
        const out: Record<string, string> = {};
        signed.headers.forEach((v, k) => {
          out[k] = v;
        });
        return out;
      },
      ...(body !== undefined ? { body } : {}),
      ...(signal ? { signal } : {}),
    });
  };

  /** An S3 error answer as Parley's error. */
  const failure = (a: TargetAnswer): ParleyError => {
    const e = s3Error(a.text);
    const said = e?.message || serviceWords(a.text);
    const detail = { hop: 'target' as const, phase: 'headers' as const, host: a.host, status: a.status, ...(said ? { providerMessage: said } : {}), ...(e?.code ? { providerCode: e.code } : {}) };
    const code = e?.code ?? '';
    if (code === 'RequestTimeTooSkewed') {
      return new ParleyError('sync_clock_skew', words('sync_clock_skew', { host: a.host, seconds: skewSeconds(a, now()) ?? '?', words: said }), detail);
    }
    if (AUTH_CODES.has(code) || (a.status === 403 && (code === 'InvalidAccessKeyId' || code === 'SignatureDoesNotMatch'))) {
      return new ParleyError('sync_auth_failed', words('sync_auth_s3', { host: a.host, s3code: code || String(a.status), words: said }), detail);
    }
    if (code === 'NoSuchBucket') return new ParleyError('sync_folder_missing', words('sync_bucket_missing', { host: a.host, bucket: opts.bucket, words: said }), detail);
    if (code === 'AccessDenied' || code === 'AllAccessDisabled') return new ParleyError('sync_forbidden', words('sync_forbidden', { host: a.host, path: a.path, status: a.status, words: said }), detail);
    if (code === 'EntityTooLarge') return new ParleyError('sync_too_large', words('sync_too_large', { host: a.host, path: a.path, status: a.status, words: said }), detail);
    if (code === 'QuotaExceeded' || code === 'InsufficientStorage' || code === 'StorageQuotaExceeded') return new ParleyError('sync_storage_full', words('sync_storage_full', { host: a.host, path: a.path, status: a.status, words: said }), detail);
    if ((code === 'PermanentRedirect' || code === 'TemporaryRedirect') && e?.endpoint) {
      return new ParleyError('sync_not_storage', words('sync_redirect', { host: a.host, path: a.path, location: e.endpoint, status: a.status }), detail);
    }
    if (a.status === 401) return new ParleyError('sync_auth_failed', words('sync_auth_s3', { host: a.host, s3code: code || '401', words: said }), detail);
    return statusError(a);
  };

  /**
   * A single-part object's ETag is its MD5 (S3, R2, OSS, MinIO, unless encrypted with KMS or a customer key): bytes
   * that do not match it were cut or changed on the way, or read while a store that is not atomic (s3rver) was
   * still writing them. Never data.
   */
  const checkEtag = (a: TargetAnswer, body: Uint8Array): void => {
    const etag = (a.headers.get('etag') ?? '').replace(/^W\//, '').replace(/"/g, '').toLowerCase();
    if (!/^[0-9a-f]{32}$/.test(etag)) return;
    const sse = (a.headers.get('x-amz-server-side-encryption') ?? '').toLowerCase();
    if (sse.startsWith('aws:kms') || a.headers.has('x-amz-server-side-encryption-customer-algorithm')) return;
    if (createHash('md5').update(body).digest('hex') !== etag) {
      throw new ParleyError('sync_not_storage', words('sync_etag_mismatch', { host: a.host, path: a.path }), { hop: 'target', phase: 'body', host: a.host, status: a.status });
    }
  };

  return {
    label,
    http,
    async list(namePrefix, signal) {
      const out: SyncEntry[] = [];
      let token: string | undefined;
      for (let page = 0; ; page++) {
        if (page >= MAX_SYNC_LIST_PAGES) throw new ParleyError('limit_exceeded', `The listing of ${label} has more than ${MAX_SYNC_LIST_PAGES} pages, the most Parley reads.`, { phase: 'body' });
        const u = bucketUrl();
        u.searchParams.set('list-type', '2');
        u.searchParams.set('prefix', prefix + namePrefix);
        if (token) u.searchParams.set('continuation-token', token);
        const a = await request('GET', u.href, `${u.pathname}?prefix=${prefix + namePrefix}`, signal);
        if (a.status !== 200) {
          if (a.status < 300) drop(a);
          throw failure(a);
        }
        const bytes = await readBytes(http, a, MAX_SYNC_LISTING_BYTES, { nonEmpty: true, ...(signal ? { signal } : {}) });
        let doc: { ListBucketResult?: { Contents?: { Key?: unknown; Size?: unknown }[]; IsTruncated?: unknown; NextContinuationToken?: unknown } };
        try {
          doc = parser.parse(Buffer.from(bytes).toString('utf8')) as typeof doc;
        } catch (e) {
          throw new ParleyError('sync_not_storage', words('sync_bad_listing', { host: a.host, path: a.path, why: 'not XML' }), { hop: 'target', phase: 'body', host: a.host }, { cause: e });
        }
        const r = doc.ListBucketResult;
        if (!r || typeof r !== 'object') throw new ParleyError('sync_not_storage', words('sync_bad_listing', { host: a.host, path: a.path, why: 'no ListBucketResult' }), { hop: 'target', phase: 'body', host: a.host });
        for (const c of r.Contents ?? []) {
          if (typeof c.Key !== 'string' || !c.Key.startsWith(prefix)) continue;
          const name = c.Key.slice(prefix.length);
          if (!SYNC_NAME.test(name)) continue;
          out.push({ name, size: Number(c.Size ?? 0) || 0 });
          if (out.length > MAX_SYNC_LIST_ENTRIES) throw new ParleyError('limit_exceeded', `${label} holds more than ${MAX_SYNC_LIST_ENTRIES} files, the most Parley lists.`, { phase: 'body' });
        }
        const truncated = r.IsTruncated === 'true' || r.IsTruncated === true;
        if (!truncated) return out;
        const next = typeof r.NextContinuationToken === 'string' ? r.NextContinuationToken : undefined;
        if (!next || next === token) throw new ParleyError('sync_not_storage', words('sync_bad_listing', { host: a.host, path: a.path, why: 'a truncated page without a continuation token' }), { hop: 'target', phase: 'body', host: a.host });
        token = next;
      }
    },
    async get(name, maxBytes, signal) {
      checkName(name);
      const url = keyUrl(prefix + name);
      const a = await request('GET', url, new URL(url).pathname, signal);
      if (a.status === 404) {
        const e = s3Error(a.text);
        if (e?.code === 'NoSuchBucket') throw failure(a);
        return null;
      }
      if (a.status !== 200) {
        if (a.status < 300) drop(a);
        throw failure(a);
      }
      const body = await readBytes(http, a, maxBytes, { nonEmpty: true, ...(signal ? { signal } : {}) });
      checkEtag(a, body);
      return body;
    },
    async put(name, bytes, signal) {
      checkName(name);
      refuseEmpty(name, bytes);
      const url = keyUrl(prefix + name);
      const a = await request('PUT', url, new URL(url).pathname, signal, bytes, { 'content-type': 'application/octet-stream' });
      if (a.status < 300) {
        await acceptWrite(http, a);
        return;
      }
      throw failure(a);
    },
    async remove(name, signal) {
      checkName(name);
      const url = keyUrl(prefix + name);
      const a = await request('DELETE', url, new URL(url).pathname, signal);
      if (a.status < 300) {
        drop(a);
        return;
      }
      if (a.status === 404 && s3Error(a.text)?.code !== 'NoSuchBucket') return;
      throw failure(a);
    },
  };
}
