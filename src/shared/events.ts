/**
 * One request, one typed event stream. The core emits these to one sink per request (CallOptions.sink), in
 * the order they happen; every edge words them itself: the request recorder folds them into the network
 * panel's timeline and the log's lines (services/diagnostics/requests.ts, services/diagnostics/logging.ts), the CLI writes its --json
 * records and stderr lines, the window words the timeline's data. Nothing reads back words Parley wrote.
 *
 * A closed union: a fold over it is an exhaustive switch (`unreachable(ev)` in its default), so a new variant
 * is a compile error until every edge handles it.
 */
import type { AnswerEnding, AnswerUsage } from './answer.ts';
import type { ErrorCode } from './errors.ts';
import type { RouteFacts } from './route.ts';
import { secretShape, shapeText, type SecretShape } from './secret-shape.ts';

/** A header of a head as the core emits it: a credential's value only by its shape (`value` is that in English). */
export interface HeadHeader {
  name: string;
  value: string;
  shape?: SecretShape & { scheme: string };
}

/** Where a connection step happened: at the proxy, or at the target (the provider). */
export type Hop = 'proxy' | 'target';

export type RequestEvent =
  /** The route chosen for the request: `route` its English words (the log, ErrorInfo.route), `facts` the same as data. */
  | { type: 'route'; t: number; route: string; facts?: RouteFacts }
  /** A name resolved: by the OS resolver for a connection, or here for a SOCKS proxy that takes addresses (`local`). */
  | { type: 'dns'; t: number; host: string; address: string; local?: { scheme: string } }
  /** A TCP connection opened (`host` is host:port). */
  | { type: 'connect'; t: number; where: Hop; host: string }
  /** A tunnel through the proxy opened: HTTP CONNECT (with the proxy's `status`) or SOCKS (`scheme`). */
  | { type: 'proxy'; t: number; scheme: string; target: string; status?: number }
  /** A TLS session set up and verified. */
  | { type: 'tls'; t: number; where: Hop; host: string; protocol: string; issuer: string }
  /** The request head as sent: method, URL without secrets (`via`: the proxy it was sent to, forward mode), headers (credentials shaped). */
  | { type: 'request'; t: number; method: string; url: string; via?: string; headers: HeadHeader[] }
  /** The response head. */
  | { type: 'response'; t: number; status: number; statusText?: string; headers: HeadHeader[] }
  /** The first piece of the answer (text or reasoning) arrived. */
  | { type: 'first_byte'; t: number }
  /** A piece of the answer's text. */
  | { type: 'delta'; t: number; text: string }
  /** A piece of the model's reasoning. */
  | { type: 'reasoning'; t: number; text: string }
  /** An attempt failed and the request is tried again after `delayMs` (`message`: the failure in English). */
  | { type: 'retry'; t: number; attempt: number; delayMs: number; reason: ErrorCode; message: string; cappedFromMs?: number }
  /**
   * The request asks for the whole answer instead of a stream (`remembered`: the route broke streams recently).
   * `noReasoning`: the whole request turned off thinking the stream would have had (the provider thinks only in
   * streams, e.g. DashScope's Qwen3): its answer comes without reasoning.
   */
  | { type: 'fallback'; t: number; from: 'stream'; to: 'whole'; reason: ErrorCode; remembered: boolean; untilMs?: number; noReasoning?: boolean }
  /** The answer's usage as the provider reported it (tokens, cache, reasoning, cost), once, before `finish`. */
  | { type: 'usage'; t: number; usage: AnswerUsage }
  /** How the answer ended (stop, cut at the limit, filtered, refused, tool calls), once, before `end`. */
  | { type: 'finish'; t: number; ending: AnswerEnding }
  /**
   * An optional request field the endpoint refused is left out and the request asked again (`reason`: its words);
   * `thinking`: a whole request refused for thinking was asked again with thinking off (its answer has no reasoning).
   */
  | { type: 'dropped'; t: number; field: 'stream_options' | 'thinking'; reason: string }
  /** It worked: the whole exchange, retries and fallback included, took `t`. */
  | { type: 'end'; t: number; mode?: 'stream' | 'whole'; attempts?: number }
  /** It failed with this code (the error itself is what the call throws). */
  | { type: 'error'; t: number; code: ErrorCode; message: string };

export type RequestEventType = RequestEvent['type'];

/** An event before the core stamps its time. */
export type RequestEventBody = RequestEvent extends unknown ? DistributiveOmitT<RequestEvent> : never;
type DistributiveOmitT<E> = E extends unknown ? Omit<E, 't'> : never;

/** The connection steps (emitted by the connector, inside whichever request opened the connection). */
export type ConnectStep = Extract<RequestEventBody, { type: 'dns' | 'connect' | 'proxy' | 'tls' }>;

/** Where one sink receives one request's events. */
export type RequestSink = (ev: RequestEvent) => void;

/** The default of an exhaustive switch over RequestEvent: a variant left out is a compile error there. */
export function unreachable(ev: never): never {
  throw new Error(`unknown request event ${JSON.stringify(ev)}`);
}

/** Header names whose value is a credential whatever it looks like. */
const CREDENTIAL_HEADER = /auth|api-?key|token|secret|cookie|session|signature|passw(?:or)?d/i;

/** A header for a head event: the name in lower case; a credential only by its scheme and shape (`Bearer sk-…ghij (51 chars)`). */
export function headHeader(name: string, value: string): HeadHeader {
  const n = name.trim().toLowerCase();
  const v = value.trim();
  if (!CREDENTIAL_HEADER.test(n)) return { name: n, value: v };
  if (v === '') return { name: n, value: '' };
  const scheme = /^(Bearer|Basic|Digest|Token)\s+/i.exec(v)?.[0] ?? '';
  const shape = secretShape(v.slice(scheme.length));
  return { name: n, value: `${scheme}${shapeText(shape)}`, shape: { scheme, ...shape } };
}
