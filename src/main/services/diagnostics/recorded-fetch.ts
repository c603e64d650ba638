/**
 * A route fetch whose every request is a record of the Network panel and the log, like a chat request: begun with
 * its kind, method and URL (masked by the recorder), its route steps folded in from the core's events, done when
 * its body ended (read, or cancelled by its reader) or failed with its code. Sync targets and the updater use it;
 * what a request is about (`describe`) never holds a secret.
 */
import { ParleyError } from '../../core/errors.ts';
import type { RouteFetch, RouteFetchInit } from '../../core/index.ts';
import type { RequestEvent, RequestSink } from '../../../shared/events.ts';
import type { ErrorCode } from '../../../shared/errors.ts';
import type { NetworkKind } from '../../../shared/ipc.ts';
import type { LogScope } from './logging.ts';
import type { BeginOptions, RequestRecorder } from './requests.ts';

export interface RecordedFetchOptions {
  recorder: Pick<RequestRecorder, 'begin'>;
  kind: NetworkKind;
  scope: LogScope;
  /** The route fetch for one request, its events going to `sink`. */
  fetcher(sink: RequestSink): RouteFetch;
  /** The record's first line and its data (no secret); `mcp`: a tool server's request (its server and JSON-RPC method). */
  describe?(url: string, init: RouteFetchInit): { message: string; data?: BeginOptions['data']; mcp?: BeginOptions['mcp'] };
  /** The code of a failure that is not a ParleyError. */
  fallbackCode: ErrorCode;
  /** Also receives every request's events (the doctor's steps). */
  sink?: RequestSink;
}

/** A body that says when it ends: read to its end, cancelled by its reader, or failed. */
export function watchedBody(body: ReadableStream<Uint8Array>, end: (error?: unknown) => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let ended = false;
  const finish = (error?: unknown): void => {
    if (ended) return;
    ended = true;
    end(error);
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          finish();
          controller.close();
        } else controller.enqueue(value);
      } catch (e) {
        finish(e);
        controller.error(e);
      }
    },
    async cancel(reason) {
      finish();
      await reader.cancel(reason).catch(() => undefined);
    },
  });
}

export function recordedFetch(o: RecordedFetchOptions): RouteFetch {
  return async (url, init = {}) => {
    const method = (init.method ?? 'GET').toUpperCase();
    const said = o.describe?.(String(url), init) ?? { message: `${o.kind} request` };
    const rec = o.recorder.begin({ kind: o.kind, url: String(url), method, message: said.message, scope: o.scope, ...(said.data ? { data: said.data } : {}), ...(said.mcp ? { mcp: said.mcp } : {}) });
    const both = (ev: RequestEvent): void => {
      rec.sink(ev);
      o.sink?.(ev);
    };
    const failed = (e: unknown): void => {
      const err = ParleyError.is(e) ? e : undefined;
      rec.failed(err?.code ?? o.fallbackCode, err?.message ?? (e instanceof Error ? e.message : String(e)));
    };
    let res: Response;
    try {
      res = await o.fetcher(both)(url, init);
    } catch (e) {
      failed(e);
      throw e;
    }
    if (!res.body) {
      rec.done(`${said.message} done`, { status: res.status });
      return res;
    }
    const body = watchedBody(res.body, (e) => (e === undefined || init.signal?.aborted ? rec.done(`${said.message} done`, { status: res.status }) : failed(e)));
    return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}

/** The core with its `fetcher` recording each request (for code that takes a core and makes its own fetch). */
export function recordingCore<C extends { fetcher(raw: unknown, opts?: { sink?: RequestSink; maxMessageBytes?: number }): RouteFetch }>(core: C, o: Omit<RecordedFetchOptions, 'fetcher' | 'sink'>): C {
  return {
    ...core,
    fetcher: (raw: unknown, opts: { sink?: RequestSink; maxMessageBytes?: number } = {}) =>
      recordedFetch({ ...o, ...(opts.sink ? { sink: opts.sink } : {}), fetcher: (sink) => core.fetcher(raw, { ...opts, sink }) }),
  };
}
