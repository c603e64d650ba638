/**
 * One chat request: send → read the stream → retry / fall back → deliver. Keeps what arrived.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ErrorCode } from '../../shared/errors.ts';
import { fill, ROUTE_TEXT, words } from '../../shared/messages/en.ts';
import type { ConnectionSettings } from '../../shared/settings.ts';
import { classifyHttp } from './classify.ts';
import { ParleyError } from './errors.ts';
import { LIMITS, framesOf, limitExceeded } from './limits.ts';
import { ADAPTERS } from './protocols/index.ts';
import { insistThinkingOff, refusesWholeThinking, wholeDropsThinking } from './protocols/thinking.ts';
import type { ChatRequest, ProtocolAdapter, ToolCallDelta, Usage, WireEvent } from './protocols/types.ts';
import { isObj, tryJson } from './protocols/types.ts';
import type { AnswerEnding, AnswerPart, ToolCallPart } from '../../shared/answer.ts';
import { compact, endingOf } from './answer.ts';
import { ThinkSplitter } from './think-tags.ts';
import { retryDelay, shouldRetryHeader, type RetryDelay } from './retry.ts';
import { formatProxy } from './route/proxy-url.ts';
import type { Route } from './route/types.ts';
import type { RouteFacts } from '../../shared/route.ts';
import type { RequestEventBody } from '../../shared/events.ts';
import { Deadline, exchange, headerRecord, readText, type Response, type RouteDispatcher } from './transport.ts';

export interface ChatResult {
  text: string;
  reasoning: string;
  usage?: Usage;
  /** The provider's own finish value, as sent. */
  finishReason?: string;
  /** How the answer ended, normalised (refusal and tool calls named in it). */
  ending: AnswerEnding;
  /** The model's refusal in its words (OpenAI `refusal`). */
  refusal?: string;
  /** Tools the model asked for (Parley offers none yet: the answer ends with them). */
  toolCalls?: ToolCallPart[];
  /** The provider's signature of the reasoning (Anthropic). */
  signature?: string;
  /** The answer's parts: reasoning (with its signature), text, refusal, tool calls. */
  parts: AnswerPart[];
  mode: 'stream' | 'whole';
  attempts: number;
  /** Whether `stream_options` was left out of the request (the endpoint refuses it). */
  streamOptionsDropped?: boolean;
  /** Bytes of the body of the request that answered. */
  bodyBytes?: number;
}

/** Routes on which streaming broke recently (answers go without streaming until `until`). */
export interface StreamMemory {
  get(key: string): { reason: ErrorCode; until: number } | undefined;
  set(key: string, value: { reason: ErrorCode; until: number }): void;
  /** How many routes are remembered now (not yet expired). */
  count(): number;
  /** Forgets every remembered route; returns how many there were. */
  forget(): number;
}

export function memoryStreamMemory(): StreamMemory {
  const m = new Map<string, { reason: ErrorCode; until: number }>();
  const live = (): number => [...m.values()].filter((v) => v.until > Date.now()).length;
  return {
    get: (k) => m.get(k),
    set: (k, v) => void m.set(k, v),
    count: live,
    forget() {
      const n = live();
      m.clear();
      return n;
    },
  };
}

export interface ChatContext {
  settings: ConnectionSettings;
  route: Route;
  dispatcher: RouteDispatcher;
  memory: StreamMemory;
  signal?: AbortSignal;
  /** This request's sink (the core stamps each event's time). */
  emit: (ev: RequestEventBody) => void;
  random?: () => number;
  /** UTF-8 bytes of the answer kept before this request (Continue joins onto it): counted against the answer limit. */
  keptBytes?: number;
  /** Where the answer is gathered (default: a new one). */
  answer?: Answer;
}

/** The route as data for the window and the logs (a route without its reason as data has none). */
export function routeFacts(route: Route): RouteFacts | undefined {
  if (!route.why) return undefined;
  return route.kind === 'direct' ? { via: 'direct', source: route.why } : { via: 'proxy', proxy: formatProxy(route.proxy), source: route.why };
}

export function describeRoute(route: Route): string {
  return route.kind === 'direct' ? fill(ROUTE_TEXT.direct, { source: route.source }) : fill(ROUTE_TEXT.proxy, { proxy: formatProxy(route.proxy), source: route.source });
}

/**
 * Stream failures that intermediaries cause, and after which a non-streaming request may work. A provider's
 * own 5xx (JSON error body: server_error) is not one: it is retried as it is, not blamed on streaming.
 */
const STREAM_BREAKAGE = new Set<ErrorCode>(['bad_gateway', 'protocol_error', 'idle_timeout', 'stream_interrupted']);

/** Provider error types inside a stream that mean "overloaded / try again". */
const RETRYABLE_STREAM_ERROR = /overloaded|server_error|api_error|internal|rate_limit|timeout|unavailable|busy|^5\d\d$/i;

/** Tool calls in one answer, at most (each one's arguments count against the answer limit). */
const MAX_TOOL_CALLS = 128;

class Attempt {
  /** UTF-8 bytes of text, reasoning, refusal and tool calls delivered by this attempt. */
  bytes = 0;
  usage: Usage | undefined;
  finishReason: string | undefined;
  finishCategory: string | undefined;
  ended = false;
  bodyStarted = false;
  /** Bytes of the request's body as sent. */
  sentBytes: number | undefined;
  /** Whether first_byte was emitted (once, at the first piece of the answer, even one the tag splitter holds). */
  firstByte = false;
  refusal: string[] = [];
  signature = '';
  readonly tools = new Map<number, { id?: string; name?: string; args: string[] }>();
  /** Reasoning written inside the text between tags, split out (only at the start of an answer). */
  readonly think: ThinkSplitter;
  readonly ctx: ChatContext;
  readonly deliver: (kind: 'text' | 'reasoning', text: string) => void;
  constructor(ctx: ChatContext, deliver: (kind: 'text' | 'reasoning', text: string) => void) {
    this.ctx = ctx;
    this.deliver = deliver;
    // A continuation (Continue) is not the start of an answer.
    this.think = new ThinkSplitter(!(ctx.keptBytes && ctx.keptBytes > 0));
  }
  get delivered(): boolean {
    return this.bytes > 0;
  }
  /** Whether `t` still fits the answer limit (the kept answer, what this attempt delivered, then `t`). */
  fits(t: string): boolean {
    return (this.ctx.keptBytes ?? 0) + this.bytes + Buffer.byteLength(t) <= LIMITS.answerBytes;
  }
  /** Throws limit_exceeded unless `t` fits. */
  check(t: string): void {
    if (!this.fits(t)) throw limitExceeded('answerBytes', { route: describeRoute(this.ctx.route) });
  }
  /** Text as it came: reasoning between tags at the start goes to reasoning. */
  text(t: string): void {
    this.check(t);
    for (const p of this.think.push(t)) this.deliver(p.kind, p.text);
  }
  /** The answer ended (or failed): what the tag splitter held is delivered. */
  flushHeld(): void {
    for (const p of this.think.end()) this.deliver(p.kind, p.text);
  }
  /** Where the pieces of each streamed call index go (a new id at an index already used is another call). */
  readonly #toolSlot = new Map<number, number>();
  toolCall(c: ToolCallDelta): void {
    let slot = this.#toolSlot.get(c.index) ?? c.index;
    let t = this.tools.get(slot);
    if (t && c.id && t.id && c.id !== t.id) {
      // Mistral sends whole calls without an index: each new id is a call of its own.
      slot = Math.max(...this.tools.keys()) + 1;
      this.#toolSlot.set(c.index, slot);
      t = undefined;
    }
    if (!t) {
      if (this.tools.size >= MAX_TOOL_CALLS) throw limitExceeded('answerBytes', { route: describeRoute(this.ctx.route) });
      t = { args: [] };
      this.tools.set(slot, t);
    }
    if (c.id) t.id = c.id;
    if (c.name) t.name = (t.name ?? '') === c.name ? c.name : (t.name ?? '') + c.name;
    const more = (c.name ?? '') + (c.arguments ?? '');
    if (more) {
      this.check(more);
      this.bytes += Buffer.byteLength(more);
    }
    if (c.arguments) t.args.push(c.arguments);
  }
  toolCalls(): ToolCallPart[] {
    return [...this.tools.entries()].sort(([x], [y]) => x - y).map(([i, t]) => ({ type: 'tool_call', id: t.id ?? `call_${i}`, name: t.name ?? '', arguments: t.args.join('') }));
  }
}

/**
 * How the answer ended: the provider's value mapped to the closed set; a refusal or tool calls that came with a
 * plain stop say so. A finish value that means the provider failed (GLM `network_error`) is an error.
 */
function endingOfAttempt(a: Attempt): AnswerEnding {
  const e = endingOf(a.finishReason, a.finishCategory);
  const refusal = a.refusal.join('');
  const tools = [...a.tools.values()].map((t) => t.name ?? '');
  if (e.reason === 'error') {
    throw new ParleyError('stream_error', words('stream_error', { words: `finish_reason "${a.finishReason ?? ''}"` }), {
      phase: 'body', providerCode: a.finishReason, route: describeRoute(a.ctx.route), retryable: !a.delivered,
    });
  }
  const reason = refusal && e.reason !== 'content_filter' ? 'refusal' : tools.length > 0 && e.reason === 'stop' ? 'tool_calls' : e.reason;
  return { ...e, reason, ...(refusal ? { refusal } : {}), ...(tools.length ? { tools } : {}) };
}

/** Takes one event of the answer (streamed, or of a whole answer). */
function take(a: Attempt, adapter: ProtocolAdapter, ev: WireEvent): void {
  const { ctx } = a;
  switch (ev.type) {
    case 'text':
    case 'reasoning':
      if (!ev.text) break;
      if (!a.firstByte) {
        a.firstByte = true;
        ctx.emit({ type: 'first_byte' });
      }
      if (ev.type === 'text') a.text(ev.text);
      else {
        a.check(ev.text);
        a.deliver('reasoning', ev.text);
      }
      break;
    case 'signature':
      // Counted against the answer limit like the reasoning it signs (a stream of signatures is bounded too).
      a.check(ev.signature);
      a.bytes += Buffer.byteLength(ev.signature);
      a.signature += ev.signature;
      break;
    case 'refusal':
      if (!ev.text) break;
      if (!a.firstByte) {
        a.firstByte = true;
        ctx.emit({ type: 'first_byte' });
      }
      a.check(ev.text);
      a.bytes += Buffer.byteLength(ev.text);
      a.refusal.push(ev.text);
      break;
    case 'tool_call':
      a.toolCall(ev.call);
      break;
    case 'usage':
      a.usage = { ...a.usage, ...compact(ev.usage) };
      break;
    case 'finish':
      a.finishReason = ev.reason;
      a.finishCategory = ev.category;
      break;
    case 'end':
      a.ended = true;
      break;
    case 'error': {
      const retryable = !a.delivered && (RETRYABLE_STREAM_ERROR.test(ev.providerCode ?? '') || (ev.status !== undefined && ev.status >= 500));
      throw new ParleyError('stream_error', words('stream_error', { words: ev.message }), {
        phase: 'body', providerMessage: ev.message, providerCode: ev.providerCode, status: ev.status, retryable, route: describeRoute(ctx.route),
      });
    }
    case 'garbage':
      throw new ParleyError('protocol_error', words('stream_garbage', { protocol: adapter.name, sample: ev.sample.slice(0, 80) }), {
        phase: 'body', route: describeRoute(ctx.route), bodyStarted: true,
      });
  }
}

/** Maps what undici threw (or our own deadline's abort) to a ParleyError; used for chat and model-list requests. */
export function mapThrown(e: unknown, deadline: Deadline, phase: 'headers' | 'body', ctx: Pick<ChatContext, 'route' | 'settings'>, started: number): ParleyError {
  if (ParleyError.is(e)) return e;
  const routeText = describeRoute(ctx.route);
  const s = ctx.settings.network.timeouts;
  switch (deadline.reason) {
    case 'cancel':
      return new ParleyError('cancelled', words('cancelled', {}), { phase, route: routeText });
    case 'first_byte':
      return new ParleyError('idle_timeout', words('first_byte_timeout', { ms: s.firstByteMs }), { phase: 'headers', route: routeText, afterSend: true });
    case 'idle':
      return new ParleyError('idle_timeout', words(phase === 'body' ? 'idle_timeout_body' : 'idle_timeout_headers', { ms: s.idleMs }), { phase: 'body', route: routeText, afterSend: true });
    case 'total':
      return new ParleyError('request_timeout', words('request_timeout', { ms: s.totalMs }), { phase, route: routeText, afterSend: true });
    default:
      break;
  }
  const err = e as NodeJS.ErrnoException & { cause?: unknown };
  if (ParleyError.is(err.cause)) return err.cause;
  const code = err.code ?? '';
  const ms = Math.round(performance.now() - started);
  // The system's code (UND_ERR_SOCKET, ECONNRESET…) is for the log: the message says what happened in words.
  const sys = code || err.message;
  return new ParleyError('stream_interrupted', phase === 'headers' ? words('closed_before_answer', { sys }) : words('closed_mid_answer', { s: (ms / 1000).toFixed(1), sys }), {
    phase, route: routeText, providerMessage: err.message, retryable: true, afterSend: phase === 'body',
  }, { cause: e });
}

function wholeToDeltas(a: Attempt, adapter: ProtocolAdapter, events: WireEvent[]): void {
  // A whole answer has no first streamed byte.
  a.firstByte = true;
  // The same answer limit as a stream: what fits is delivered (and kept), then limit_exceeded.
  for (const ev of events) {
    if (ev.type !== 'text') {
      take(a, adapter, ev);
      continue;
    }
    // Delivered as a stream of deltas so the app shows it as it shows a stream (a word group at a time).
    const parts = ev.text.match(/[\s\S]{1,48}(?:\s|$)|[\s\S]{1,48}/g) ?? [];
    for (const p of parts) take(a, adapter, { type: 'text', text: p });
  }
}

/**
 * The most text a stream decoder parses before what it completed is delivered (see readStream): small until
 * the first delta is out, larger after.
 */
const FIRST_STEP_CHARS = 1024;
const STEP_CHARS = 16 * 1024;

/**
 * Reads a stream through the protocol's decoder. Bounded: the decoder limits a line and the comments it keeps,
 * this limits the answer (LIMITS.answerBytes); a limit that is hit throws `limit_exceeded`. The idle timer is
 * re-armed on progress, complete frames (events, comment lines, NDJSON lines) rather than bytes, so a body
 * that trickles without ever completing one ends as `idle_timeout`.
 */
async function readStream(a: Attempt, adapter: ProtocolAdapter, res: Response, deadline: Deadline, started: number): Promise<void> {
  const { ctx } = a;
  const idleMs = ctx.settings.network.timeouts.idleMs;
  const decoder = adapter.createDecoder();
  const text = new TextDecoder();
  /** Frames the decoder completed (or events, for a decoder that does not count frames). */
  let progress = 0;
  /** Bytes that arrived since the last progress. */
  let trickled = 0;
  const handle = (events: WireEvent[]): void => {
    for (const ev of events) take(a, adapter, ev);
  };
  const feed = (events: WireEvent[]): void => {
    const frames = framesOf(decoder) ?? progress + events.length;
    if (frames > progress) {
      progress = frames;
      trickled = 0;
      deadline.arm('idle', idleMs);
    }
    handle(events);
  };
  /**
   * Decodes a piece in steps (decoders take text in any chunking): one network read of a fast stream holds
   * hundreds of events, and the first of them is delivered before the rest are parsed.
   */
  const decodeInSteps = (piece: string): void => {
    for (let i = 0; i < piece.length && !a.ended;) {
      const step = a.delivered ? STEP_CHARS : FIRST_STEP_CHARS;
      feed(decoder.push(piece.slice(i, i + step)));
      i += step;
    }
  };
  deadline.arm('idle', idleMs);
  try {
    for await (const chunk of res.body) {
      a.bodyStarted = true;
      trickled += (chunk as Buffer).length;
      decodeInSteps(text.decode(chunk as Buffer, { stream: true }));
      if (a.ended) break;
    }
    if (!a.ended) feed(decoder.push(text.decode()));
    if (!a.ended) feed(decoder.end());
  } catch (e) {
    if (deadline.reason === 'idle' && trickled > 0 && !ParleyError.is(e)) {
      throw new ParleyError('idle_timeout', words('idle_trickle', { ms: idleMs, bytes: trickled }), {
        phase: 'body', route: describeRoute(ctx.route), afterSend: true, bodyStarted: true,
      });
    }
    throw mapThrown(e, deadline, 'body', ctx, started).with({ bodyStarted: a.bodyStarted });
  } finally {
    if (!res.body.destroyed) res.body.destroy();
  }
  if (!a.ended && !a.finishReason) {
    throw new ParleyError('stream_interrupted', words(a.bodyStarted ? 'stream_no_end' : 'stream_empty', {}), {
      phase: 'body', route: describeRoute(ctx.route), retryable: true, bodyStarted: a.bodyStarted,
    });
  }
}

/** The request body: the adapter's, without `stream_options` for an endpoint that refuses it. */
function requestBody(adapter: ProtocolAdapter, ctx: ChatContext, req: ChatRequest, stream: boolean, dropStreamOptions: boolean): string {
  const body = adapter.body(ctx.settings.provider, req, stream);
  if (dropStreamOptions && isObj(body)) delete body.stream_options;
  return JSON.stringify(body);
}

/**
 * A 400 (or 422) that refuses `stream_options`: by name, or an unknown or extra field (the only optional field
 * Parley adds to a plain request). The request is asked again without it.
 */
export function refusesStreamOptions(err: ParleyError): boolean {
  const status = err.detail.status;
  if (err.code !== 'request_rejected' && !(status === 400 || status === 422)) return false;
  if (status !== 400 && status !== 422) return false;
  const said = `${err.detail.providerMessage ?? ''} ${err.detail.providerCode ?? ''}`;
  if (/stream_options|include_usage/i.test(said)) return true;
  // An unknown field that is not named, or not one of the other optional fields a request may carry.
  const unknownField = /unknown (field|parameter|argument|name)|unrecognized (field|parameter|argument|request argument)|extra (fields|inputs|parameters)? ?(are |is )?not (permitted|allowed)|additional propert(y|ies)|extra_forbidden/i;
  const otherField = /enable_thinking|thinking_budget|chat_template_kwargs|reasoning|thinking|top_p|temperature|max_completion_tokens|max_tokens/i;
  return unknownField.test(said) && !otherField.test(said);
}

async function oneAttempt(a: Attempt, adapter: ProtocolAdapter, req: ChatRequest, stream: boolean, totalDeadline: number | undefined, dropStreamOptions: boolean): Promise<'stream' | 'whole'> {
  const { ctx } = a;
  const { settings } = ctx;
  const t = settings.network.timeouts;
  const deadline = new Deadline(ctx.signal, totalDeadline);
  const started = performance.now();
  const url = adapter.chatUrl(settings.provider.baseUrl);
  const payload = requestBody(adapter, ctx, req, stream, dropStreamOptions);
  const sentBytes = Buffer.byteLength(payload);
  a.sentBytes = sentBytes;
  try {
    let res: Response;
    try {
      // A whole answer is computed in full before its headers: give it at least 10 minutes (Anthropic's own
      // SDK refuses long non-streaming requests without a long timeout).
      const firstByteMs = stream || t.firstByteMs === 0 ? t.firstByteMs : Math.max(t.firstByteMs, 600_000);
      res = await exchange({
        url, method: 'POST', headers: adapter.headers(settings.provider), body: payload,
        route: ctx.dispatcher, deadline, firstByteMs, emit: ctx.emit,
      });
    } catch (e) {
      throw mapThrown(e, deadline, 'headers', ctx, started);
    }
    const headers = headerRecord(res.headers);
    const ct = headers['content-type'] ?? '';
    const fail = async (): Promise<never> => {
      let body = '';
      try {
        body = await readText(res, deadline, t.idleMs, LIMITS.errorBodyBytes);
      } catch {
        /* the status says enough */
      }
      throw classifyHttp({ status: res.statusCode, headers, body, url, forwardProxy: !!ctx.dispatcher.forward, sentBytes }, adapter, settings.provider.model);
    };
    if (res.statusCode < 200 || res.statusCode >= 300) return await fail();
    if (stream && adapter.isStreamContentType(ct)) {
      await readStream(a, adapter, res, deadline, started);
      a.flushHeld();
      return 'stream';
    }
    // A whole answer: asked for, or sent by a server or proxy that ignored `stream`.
    let body: string;
    try {
      body = await readText(res, deadline, t.idleMs, LIMITS.bodyBytes);
    } catch (e) {
      throw mapThrown(e, deadline, 'body', ctx, started);
    }
    const json = tryJson(body);
    const whole = json !== undefined ? adapter.parseWhole(json) : undefined;
    if (!whole) {
      const perr = json !== undefined ? adapter.parseError(json) : undefined;
      if (perr?.message) {
        throw new ParleyError('stream_error', words('provider_error_whole', { words: perr.message }), {
          phase: 'body', providerMessage: perr.message, providerCode: perr.type, status: res.statusCode, route: describeRoute(ctx.route),
          retryable: RETRYABLE_STREAM_ERROR.test(perr.type ?? ''),
        });
      }
      throw classifyHttp({ status: res.statusCode, headers, body, url, forwardProxy: !!ctx.dispatcher.forward }, adapter, settings.provider.model);
    }
    wholeToDeltas(a, adapter, whole.events);
    a.flushHeld();
    a.ended = true;
    return 'whole';
  } finally {
    deadline.dispose();
  }
}

/**
 * Text gathered from many small deltas, kept as flat pieces of about 16 K characters. A string grown by `+=` is a
 * rope that costs some 50 bytes a delta: a 4 MB answer in 4-character deltas would hold about 50 MB.
 */
class Gathered {
  #pieces: string[] = [];
  #recent: string[] = [];
  #recentChars = 0;
  #chars = 0;
  add(t: string): void {
    this.#recent.push(t);
    this.#recentChars += t.length;
    this.#chars += t.length;
    if (this.#recentChars >= 16_384) {
      this.#pieces.push(this.#recent.join(''));
      this.#recent = [];
      this.#recentChars = 0;
    }
  }
  toString(): string {
    return this.#pieces.join('') + this.#recent.join('');
  }
  get length(): number {
    return this.#chars;
  }
}

/**
 * The answer of one request as it arrives: its text and its reasoning, gathered once. The caller may pass its
 * own (CallOptions.answer) to read what arrived so far (the app saves and shows it while the answer streams).
 */
export class Answer {
  readonly text = new Gathered();
  readonly reasoning = new Gathered();
}

/** Runs a chat request with retries and the streaming → non-streaming fallback. */
export async function runChat(ctx: ChatContext, req: ChatRequest): Promise<ChatResult> {
  const { settings } = ctx;
  const adapter = ADAPTERS[settings.provider.protocol];
  const net = settings.network;
  const totalDeadline = net.timeouts.totalMs > 0 ? Date.now() + net.timeouts.totalMs : undefined;
  const memoryKey = `${settings.provider.protocol} ${settings.provider.baseUrl} ${describeRoute(ctx.route)}`;
  const random = ctx.random ?? Math.random;
  const routeText = describeRoute(ctx.route);
  const facts = routeFacts(ctx.route);

  // An endpoint that refused `stream_options` once is asked without it (remembered as broken streams are).
  const optionsKey = `stream_options ${settings.provider.protocol} ${settings.provider.baseUrl}`;
  const optionsKnown = adapter.name === 'openai' ? ctx.memory.get(optionsKey) : undefined;
  let dropStreamOptions = !!optionsKnown && optionsKnown.until > Date.now();
  let droppedNow = false;
  let stream = net.stream !== 'off';
  // A whole request may have to turn thinking off (protocols/thinking.ts): the fallback says its answer has no reasoning.
  const noReasoning = wholeDropsThinking(settings.provider, req) ? { noReasoning: true } : {};
  let thinkingInsisted = false;
  if (net.stream === 'auto') {
    const known = ctx.memory.get(memoryKey);
    if (known && known.until > Date.now()) {
      stream = false;
      ctx.emit({ type: 'fallback', from: 'stream', to: 'whole', reason: known.reason, remembered: true, untilMs: known.until, ...noReasoning });
    }
  }
  const answer = ctx.answer ?? new Answer();
  const { text, reasoning } = answer;
  const deliver = (kind: 'text' | 'reasoning', t: string): void => {
    if (!t) return;
    (kind === 'text' ? text : reasoning).add(t);
    ctx.emit({ type: kind === 'text' ? 'delta' : 'reasoning', text: t });
  };
  let fellBack = false;
  let fallbackReason: ErrorCode | undefined;
  let retries = 0;
  let attempts = 0;
  for (;;) {
    attempts++;
    const a = new Attempt(ctx, (kind, t) => {
      a.bytes += Buffer.byteLength(t);
      deliver(kind, t);
    });
    try {
      const mode = await oneAttempt(a, adapter, req, stream, totalDeadline, dropStreamOptions);
      if (droppedNow) ctx.memory.set(optionsKey, { reason: 'request_rejected', until: Date.now() + net.streamMemoryMs });
      if (fellBack && fallbackReason && mode === 'whole') {
        // The whole request worked where the stream failed: streaming is broken on this route, for a while.
        ctx.memory.set(memoryKey, { reason: fallbackReason, until: Date.now() + net.streamMemoryMs });
      }
      if (stream && mode === 'whole' && net.stream === 'auto' && !fellBack) {
        // The server or a proxy answered a stream request with a whole answer: remember and say so.
        ctx.memory.set(memoryKey, { reason: 'protocol_error', until: Date.now() + net.streamMemoryMs });
        ctx.emit({ type: 'fallback', from: 'stream', to: 'whole', reason: 'protocol_error', remembered: false });
      }
      const ending = endingOfAttempt(a);
      const toolCalls = a.toolCalls();
      const refusal = a.refusal.join('');
      const r = reasoning.toString();
      const t = text.toString();
      const parts: AnswerPart[] = [
        ...(r ? [{ type: 'reasoning' as const, text: r, ...(a.signature ? { signature: a.signature } : {}) }] : []),
        ...(t ? [{ type: 'text' as const, text: t }] : []),
        ...(refusal ? [{ type: 'refusal' as const, text: refusal }] : []),
        ...toolCalls,
      ];
      if (a.usage) ctx.emit({ type: 'usage', usage: a.usage });
      ctx.emit({ type: 'finish', ending });
      return {
        text: t, reasoning: r, usage: a.usage, finishReason: a.finishReason, ending, parts, mode, attempts,
        ...(refusal ? { refusal } : {}), ...(toolCalls.length ? { toolCalls } : {}), ...(a.signature ? { signature: a.signature } : {}),
        ...(dropStreamOptions ? { streamOptionsDropped: true } : {}),
        ...(a.sentBytes !== undefined ? { bodyBytes: a.sentBytes } : {}),
      };
    } catch (e) {
      // What the tag splitter held is part of what arrived.
      try {
        a.flushHeld();
      } catch { /* nothing more to keep */ }
      let err = ParleyError.is(e) ? e : new ParleyError('protocol_error', String(e), {}, { cause: e });
      err = err.with({ route: err.detail.route ?? routeText, routeFacts: facts, partial: text.toString() || undefined });
      if (err.code === 'cancelled' || a.delivered) {
        // Keep what arrived: never retried, never replaced.
        throw err;
      }
      if (stream && adapter.name === 'openai' && !dropStreamOptions && refusesStreamOptions(err)) {
        // A gateway that refuses `stream_options`: asked again at once without it (not a retry).
        dropStreamOptions = true;
        droppedNow = true;
        ctx.emit({ type: 'dropped', field: 'stream_options', reason: err.detail.providerMessage ?? err.message });
        continue;
      }
      if (!stream && adapter.name === 'openai' && !thinkingInsisted && refusesWholeThinking(err.detail.status, err.detail.providerMessage)) {
        // A whole request refused for thinking (DashScope's Qwen3 behind a host Parley does not know): asked again
        // at once with thinking off (not a retry); its answer has no reasoning.
        thinkingInsisted = true;
        req = insistThinkingOff(req);
        ctx.emit({ type: 'dropped', field: 'thinking', reason: err.detail.providerMessage ?? err.message });
        continue;
      }
      if (stream && net.stream === 'auto' && !fellBack && STREAM_BREAKAGE.has(err.code) && !(err.code === 'idle_timeout' && err.detail.bodyStarted)) {
        fellBack = true;
        fallbackReason = err.code;
        stream = false;
        ctx.emit({ type: 'fallback', from: 'stream', to: 'whole', reason: err.code, remembered: false, ...noReasoning });
        continue;
      }
      if (fellBack && !stream && fallbackReason) {
        // The fallback failed too: streaming was not the problem. Go back to streaming for the retries.
        stream = net.stream !== 'off';
        fallbackReason = undefined;
      }
      const explicit = shouldRetryHeader(err.detail.responseHeaders);
      const retryable = explicit ?? (err.detail.retryable === true);
      const d: RetryDelay = retryDelay(retries, err.detail.responseHeaders, random());
      if (!retryable || retries >= net.retries || (totalDeadline !== undefined && Date.now() + d.delayMs > totalDeadline)) {
        // Given up: how many tries were made, and when the server said to try again (facts the window words).
        const asked = d.source === 'backoff' ? undefined : (d.cappedFromMs ?? d.delayMs);
        throw err.with({
          ...(attempts > 1 ? { attempts } : {}),
          ...(asked !== undefined ? { retryAfterMs: asked, retryAt: Date.now() + asked } : {}),
        });
      }
      retries++;
      ctx.emit({ type: 'retry', attempt: retries, delayMs: d.delayMs, reason: err.code, message: err.message, ...(d.cappedFromMs ? { cappedFromMs: d.cappedFromMs } : {}) });
      try {
        await sleep(d.delayMs, undefined, { signal: ctx.signal });
      } catch {
        throw new ParleyError('cancelled', words('cancelled_retry_wait', {}), { phase: 'retry_wait', route: routeText });
      }
    }
  }
}
