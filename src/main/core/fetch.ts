/**
 * A WHATWG `fetch` over one of Parley's routes, for libraries that take a fetch function (the MCP SDK's HTTP
 * transports): the same proxy, bypass, CA files, connect and first-byte bounds and connection steps as a chat
 * request, with a bound on each message of the answer and on the request's body. The library keeps its own protocol;
 * Parley keeps the route. Also the sync targets' (WebDAV's PROPFIND, MKCOL, MOVE; S3's signed PUT of bytes).
 */
import { Readable } from 'node:stream';
import type { RequestEventBody } from '../../shared/events.ts';
import { ParleyError } from './errors.ts';
import { words } from '../../shared/messages/en.ts';
import { Deadline, exchange, type HttpMethod, type RouteDispatcher } from './transport.ts';
import { MAX_REQUEST_BODY_BYTES } from '../../shared/bounds.ts';
import type { ConnectionSettings } from '../../shared/settings.ts';

/** What FetchLike callers pass (a subset of RequestInit: what the MCP SDK sends). */
type HeadersInit = ConstructorParameters<typeof Headers>[0];

export interface RouteFetchInit {
  method?: string;
  headers?: HeadersInit;
  body?: string | Uint8Array | null;
  signal?: AbortSignal | null;
}

export interface RouteFetchContext {
  settings: ConnectionSettings;
  dispatcher: RouteDispatcher;
  emit: (ev: RequestEventBody) => void;
  /** The most bytes one message of the answer may have: a whole body, or one event of an event stream. */
  maxMessageBytes: number;
  /** The most bytes a request's body may have (default MAX_REQUEST_BODY_BYTES); more is limit_exceeded, nothing sent. */
  maxRequestBytes?: number;
  /** What a failure is turned into (the core's mapping of timeouts, cancels and connection errors). */
  mapError(e: unknown, deadline: Deadline, phase: 'headers' | 'body'): ParleyError;
}

/** The methods a library may send: the MCP SDK's (GET, POST, DELETE) and a sync target's (WebDAV's and S3's). */
const METHODS = new Set<HttpMethod>(['GET', 'POST', 'DELETE', 'PUT', 'HEAD', 'PROPFIND', 'MKCOL', 'MOVE', 'COPY']);

function plainHeaders(h: HeadersInit | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  new Headers(h).forEach((value, key) => {
    out[key] = value;
  });
  return out;
}

/**
 * The body as a web stream, counting the bytes of each message as they pass: a whole body for JSON, the bytes since
 * the last blank line for an event stream (one SSE event). More than the bound ends the body with limit_exceeded.
 * Written here rather than with Readable.toWeb: that one throws (an uncaught ERR_INVALID_STATE) when undici's body
 * still delivers data after the reader cancelled, as an SSE client does when it closes.
 */
function bounded(body: Readable, eventStream: boolean, max: number): ReadableStream<Uint8Array> {
  let since = 0;
  let lastByte = -1;
  let done = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      body.on('data', (chunk: Buffer) => {
        if (done) return;
        if (eventStream) {
          for (const byte of chunk) {
            // "\n\n" (or "\r\n\r\n", whose LFs are the same test once CRs are skipped) ends an event.
            if (byte === 0x0d) continue;
            if (byte === 0x0a && lastByte === 0x0a) since = 0;
            else since++;
            lastByte = byte;
          }
        } else since += chunk.length;
        if (since > max) {
          done = true;
          controller.error(new ParleyError('limit_exceeded', `The server sent a message over ${Math.round(max / 1024 / 1024)} MB, the most Parley reads.`, { phase: 'body' }));
          body.destroy();
          return;
        }
        controller.enqueue(new Uint8Array(chunk));
        if ((controller.desiredSize ?? 1) <= 0) body.pause();
      });
      body.on('end', () => {
        if (done) return;
        done = true;
        controller.close();
      });
      body.on('error', (e) => {
        if (done) return;
        done = true;
        controller.error(e);
      });
    },
    pull() {
      body.resume();
    },
    cancel() {
      done = true;
      body.destroy();
    },
  });
}

/** One request: the answer's head within the first-byte bound; the body as a stream (the caller's signal ends it). */
export async function routeFetch(ctx: RouteFetchContext, url: string, init: RouteFetchInit = {}): Promise<Response> {
  const method = (init.method ?? 'GET').toUpperCase() as HttpMethod;
  if (!METHODS.has(method)) throw new ParleyError('config_invalid', `Parley does not send ${method} requests.`, { hop: 'config', phase: 'config' });
  // Text as it is, bytes as bytes (a file a sync target uploads): never re-decoded.
  const body = init.body == null ? undefined : init.body;
  const size = body === undefined ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  const maxBody = ctx.maxRequestBytes ?? MAX_REQUEST_BODY_BYTES;
  if (size > maxBody) {
    throw new ParleyError('limit_exceeded', `The request body is ${Math.ceil(size / 1024 / 1024)} MB, over ${Math.round(maxBody / 1024 / 1024)} MB, the most Parley sends in one request.`, { phase: 'request' });
  }
  const deadline = new Deadline(init.signal ?? undefined, undefined);
  let res;
  try {
    res = await exchange({ url, method, headers: plainHeaders(init.headers), ...(body !== undefined ? { body } : {}), route: ctx.dispatcher, deadline, firstByteMs: ctx.settings.network.timeouts.firstByteMs, emit: ctx.emit });
  } catch (e) {
    deadline.dispose();
    throw ctx.mapError(e, deadline, 'headers');
  }
  if (res.statusCode === 407) {
    // The proxy's answer, not the server's (a forwarded http:// request): said as the chat says it.
    res.body.on('error', () => undefined);
    res.body.destroy();
    deadline.dispose();
    throw new ParleyError('proxy_auth_failed', words('proxy_auth_407', { words: '' }), { hop: 'proxy', phase: 'headers', status: 407 });
  }
  // The head arrived: the body may stay open as long as its reader wants (an event stream); the caller's signal ends it.
  deadline.arm('first_byte', 0);
  const headers = new Headers();
  for (const [k, v] of Object.entries(res.headers)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) headers.append(k, one);
  }
  res.body.once('close', () => deadline.dispose());
  const noBody = res.statusCode === 204 || res.statusCode === 304 || method === 'HEAD';
  if (noBody) res.body.resume();
  const eventStream = (headers.get('content-type') ?? '').toLowerCase().startsWith('text/event-stream');
  return new Response(noBody ? null : bounded(res.body, eventStream, ctx.maxMessageBytes), { status: res.statusCode, headers });
}
