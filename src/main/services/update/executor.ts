/**
 * electron-updater's requests through Parley's route (issue 22). electron-builder's updater sends every request
 * (manifests, files, block maps) through an HttpExecutor (builder-util-runtime); its own uses Electron's net,
 * which knows neither Parley's proxy settings (SOCKS, a proxy password), the CA files, the bypass list nor the
 * Network panel. This one hands each request to the route's fetch (the user's route and timeouts, recorded as kind
 * update, redirects followed by route.ts's rules) and gives electron-updater a response stream as Node's http
 * would, so its own code (status, redirects, SHA-512) runs unchanged.
 *
 * A file Parley already downloaded and verified (download.ts: resumable, mirrors in order) is handed over from
 * disk, through electron-updater's own SHA-512 transform; any other file is downloaded by electron-updater's own
 * code, through the route.
 */
import { EventEmitter } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import type { OutgoingHttpHeaders, RequestOptions } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { configureRequestOptions, configureRequestUrl, DigestTransform, HttpExecutor, type DownloadOptions } from 'builder-util-runtime';
import { ParleyError } from '../../core/errors.ts';
import type { RouteFetch } from '../../core/index.ts';

/** A file already downloaded and checked (download.ts), by its manifest SHA-512 (base64). */
export interface VerifiedFile {
  path: string;
  sha512: string;
}

export interface RouteExecutorOptions {
  fetch: RouteFetch;
  /** No byte of a body for this long ends the request (a stalled proxy): an idle_timeout error, never a hang. */
  idleMs: number;
  verified?: VerifiedFile;
}

/** The response electron-updater reads: a stream with Node http's status and lower-case headers. */
export type RouteResponse = Readable & { statusCode: number; statusMessage: string; headers: Record<string, string> };

function urlOf(o: RequestOptions): string {
  const port = o.port ? `:${String(o.port)}` : '';
  return `${o.protocol ?? 'https:'}//${o.hostname ?? o.host ?? ''}${port}${o.path ?? '/'}`;
}

function plainHeaders(h: OutgoingHttpHeaders | readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h || Array.isArray(h)) return out;
  for (const [k, v] of Object.entries(h as OutgoingHttpHeaders)) {
    if (v === undefined || k.toLowerCase() === 'host') continue;
    out[k] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  return out;
}

/** One request as electron-updater drives it: `end()` sends it, `abort()` cancels, the response arrives by callback. */
export class RouteRequest extends EventEmitter {
  private readonly chunks: Buffer[] = [];
  private readonly controller = new AbortController();
  readonly url: string;
  private readonly options: RequestOptions;
  private readonly o: RouteExecutorOptions;
  private readonly onResponse: (res: RouteResponse) => void;

  constructor(url: string, options: RequestOptions, o: RouteExecutorOptions, onResponse: (res: RouteResponse) => void) {
    super();
    this.url = url;
    this.options = options;
    this.o = o;
    this.onResponse = onResponse;
  }

  write(data: Buffer | string): void {
    this.chunks.push(Buffer.from(data));
  }

  end(data?: Buffer | string): void {
    if (data !== undefined) this.write(data);
    void this.send();
  }

  abort(): void {
    this.controller.abort();
  }

  private async send(): Promise<void> {
    try {
      const body = this.chunks.length ? Buffer.concat(this.chunks) : undefined;
      const res = await this.o.fetch(this.url, { method: this.options.method ?? 'GET', headers: plainHeaders(this.options.headers), ...(body ? { body } : {}), signal: this.controller.signal });
      const stream = (res.body ? Readable.fromWeb(res.body as unknown as WebReadableStream) : Readable.from([])) as RouteResponse;
      const headers: Record<string, string> = {};
      res.headers.forEach((v, k) => {
        headers[k] = v;
      });
      Object.assign(stream, { statusCode: res.status, statusMessage: res.statusText, headers });
      this.watchIdle(stream);
      this.onResponse(stream);
    } catch (e) {
      if (this.controller.signal.aborted) return;
      this.emit('error', e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** A body that stops sending ends with idle_timeout (electron-updater then fails the download and says so). */
  private watchIdle(stream: Readable): void {
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        this.controller.abort();
        stream.destroy(new ParleyError('idle_timeout', `No data arrived for ${this.o.idleMs} ms from ${this.url}.`, { hop: 'target', phase: 'body' }));
      }, this.o.idleMs);
      timer.unref?.();
    };
    arm();
    stream.on('data', arm);
    stream.once('close', () => clearTimeout(timer));
    stream.once('end', () => clearTimeout(timer));
  }
}

export class RouteHttpExecutor extends HttpExecutor<RouteRequest> {
  private readonly o: RouteExecutorOptions;

  constructor(o: RouteExecutorOptions) {
    super();
    this.o = o;
  }

  createRequest(options: RequestOptions, callback: (response: RouteResponse) => void): RouteRequest {
    return new RouteRequest(urlOf(options), options, this.o, callback);
  }

  async download(url: URL, destination: string, options: DownloadOptions): Promise<string> {
    const v = this.o.verified;
    if (v && options.sha512 === v.sha512) {
      // Parley's own verified download: copied through electron-updater's SHA-512 check (it fails on a changed file).
      await pipeline(createReadStream(v.path), new DigestTransform(v.sha512, 'sha512', 'base64'), createWriteStream(destination, { mode: 0o600 }));
      return destination;
    }
    return options.cancellationToken.createPromise<string>((resolve, reject, onCancel) => {
      const requestOptions: RequestOptions = { headers: options.headers ?? undefined };
      configureRequestUrl(url, requestOptions);
      configureRequestOptions(requestOptions);
      this.doDownload(requestOptions, { destination, options, onCancel, callback: (error) => (error ? reject(error) : resolve(destination)), responseHandler: null }, 0);
    });
  }
}
