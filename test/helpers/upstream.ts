// A fake LLM upstream on loopback that speaks three protocols and misbehaves on demand.
//
//   OpenAI-compatible  POST …/chat/completions (any prefix: /v1, /compatible-mode/v1, …)
//                      GET  …/models           (OpenAI list; Anthropic shape if `anthropic-version` is sent)
//   Anthropic          POST …/v1/messages
//   Ollama             POST /api/chat           (streams unless `"stream": false`)
//                      GET  /api/tags
//
// The protocol is chosen by path. Each chat request consumes one queued Behaviour (see
// `behave`); with an empty queue it gets a normal successful answer with `defaultText`.
// Model-list requests do NOT consume the queue, except entries queued with `match: 'models'`.
//
// "Chunks" (`afterChunks`) count content deltas only: an OpenAI `delta.content` /
// `delta.reasoning_content` chunk, an Anthropic `content_block_delta` (text or thinking), an
// Ollama line with content/thinking, and a tool call's pieces (OpenAI/Anthropic argument deltas, an Ollama
// tool-call line). Preamble frames (OpenAI role chunk, Anthropic
// message_start / content_block_start / ping, …) are always sent before the Nth delta; end
// markers ([DONE], finish chunk, message_delta/message_stop, done:true) are never sent by the
// truncating behaviours. For non-streaming answers (and model lists) the JSON body is one
// "chunk" split in two halves: afterChunks 0 sends headers only, ≥1 sends the first half.
import { createServer as createHttpServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';

export type Protocol = 'openai' | 'anthropic' | 'ollama';

export interface RecordedRequest {
  method: string;
  /** Pathname without the query string, e.g. `/v1/chat/completions`. */
  path: string;
  /** Raw request target as received (with query). */
  url: string;
  /** Lower-cased header names (`authorization`, `x-api-key`, `anthropic-version`, …). */
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** Parsed JSON body, or null when absent / not a JSON object. */
  body: Record<string, unknown> | null;
  /** 'chat' (consumes the queue), 'models' (/models, /api/tags) or 'other' (404). */
  route: 'chat' | 'models' | 'other';
  protocol: Protocol | null;
  /** Whether the client asked for a stream (`stream: true`; Ollama: unless `stream: false`). */
  stream: boolean;
  model: string | undefined;
  /** Date.now() when the request head arrived. */
  time: number;
}

/** Options shared by every behaviour. */
export interface BehaviourBase {
  /** Which requests may take this queue entry. Default 'chat'. */
  match?: 'chat' | 'models';
  /** Wait this long before doing anything (before headers). */
  delayMs?: number;
}

/** How a (possibly truncated) body is produced and written. */
export interface BodyShape {
  /** Answer text (default: upstream.defaultText). */
  text?: string;
  /** Reasoning text: OpenAI reasoning deltas, Anthropic thinking block (index 0), Ollama `thinking`. */
  reasoning?: string;
  /** OpenAI field for reasoning: DeepSeek `reasoning_content` (default) or vLLM `reasoning`. */
  reasoningField?: 'reasoning_content' | 'reasoning';
  /** Characters (code points) per delta. Default 5. */
  chunkSize?: number;
  /**
   * 'frames' (default): one socket write per event/line.
   * 'bytes1': one byte per write (splits UTF-8 multibyte chars and lines), tiny gap between writes.
   * 'whole': the whole body in one write.
   */
  split?: 'frames' | 'bytes1' | 'whole';
  /** SSE only: CRLF line endings. */
  crlf?: boolean;
  /** SSE only: interleave `: keep-alive` comment lines between events. */
  comments?: boolean;
  /** Pause between frames (ms). */
  gapMs?: number;
  /** Override token counts (defaults are estimated from lengths). */
  usage?: { input?: number; output?: number };
  /** OpenAI: the last chunk's (or the whole answer's) finish_reason, as a provider sends it (default 'stop'). */
  finishReason?: string;
  /** OpenAI: the model's refusal, streamed as delta.refusal (message.refusal when whole) after any text. */
  refusal?: string;
  /**
   * Tool calls the answer asks for, after any text (with them, `text` defaults to none), in each protocol's own
   * format. A tool loop is scripted as a queue: `behave(presets.toolCalls([...]), { kind: 'ok', text: '…' })`, the
   * first request getting the calls and the next the text; each request's body is in `chatRequests`.
   *  - OpenAI stream: per call a delta `tool_calls: [{index, id, type:'function', function:{name, arguments:''}}]`,
   *    then the arguments' JSON text in `chunkSize` pieces `tool_calls: [{index, function:{arguments}}]`, ending with
   *    finish_reason "tool_calls" (as DeepSeek's recorded stream: vercel/ai packages/deepseek/src/chat/__fixtures__/
   *    deepseek-tool-call.chunks.txt @ed857f50, test/fixtures/providers/deepseek/tool-call-cache.stream.chunks);
   *    whole: `message.tool_calls` with content null.
   *  - Anthropic stream: per call `content_block_start` `{type:'tool_use', id, name, input:{}}`, an empty
   *    `input_json_delta`, the JSON in `partial_json` pieces, `content_block_stop`; stop_reason "tool_use" (as
   *    anthropics/anthropic-sdk-python tests/lib/streaming/fixtures/incomplete_partial_json_response.txt @009b0353,
   *    test/fixtures/providers/anthropic/max-tokens.stream.sse); whole: `tool_use` blocks with `input`.
   *  - Ollama stream: per call a line `message.tool_calls: [{id, function:{index, name, arguments:{…}}}]` with
   *    done:false, then the done line with done_reason "stop" (the call's shape as Ollama's recorded answer,
   *    test/fixtures/providers/ollama/think-tool-calls.whole.json; the lines as jagreehal/ai-sdk-ollama
   *    packages/ai-sdk-ollama/src/models/chat-language-model-stream.test.ts @5932b379); whole: `message.tool_calls`.
   */
  toolCalls?: ScriptedToolCall[];
}

/** A tool call an answer asks for: `arguments` an object (sent as its JSON), or JSON text as the model wrote it. */
export interface ScriptedToolCall {
  /** Default: call_<hex> (Anthropic toolu_<hex>). */
  id?: string;
  name: string;
  arguments: Record<string, unknown> | string;
}

export interface OkBehaviour extends BehaviourBase, BodyShape {
  kind: 'ok';
}
export interface StatusBehaviour extends BehaviourBase {
  kind: 'status';
  status: number;
  /** Object → JSON. Omitted → the provider-shaped error body for this status and protocol. */
  body?: string | object;
  /** Default: application/json for objects, text/plain for strings. */
  contentType?: string;
  headers?: Record<string, string>;
}
/** Applies `then` only to streaming requests; non-streaming ones get a normal answer. Consumes the queue entry either way. */
export interface StreamOnlyBehaviour extends BehaviourBase {
  kind: 'streamOnly';
  then: Behaviour;
}
/** Captive-portal HTML page (status default 200). */
export interface HtmlBehaviour extends BehaviourBase {
  kind: 'html';
  status?: number;
}
/** Answers with the complete non-stream JSON (`application/json`) even when a stream was asked for. */
export interface JsonForStreamBehaviour extends BehaviourBase, BodyShape {
  kind: 'json-for-stream';
}
/** Headers + N content chunks, then the socket is destroyed (premature close). */
export interface CutBehaviour extends BehaviourBase, BodyShape {
  kind: 'cut';
  afterChunks: number;
}
/** Headers + N content chunks, then a clean res.end() without the end marker. */
export interface EndEarlyBehaviour extends BehaviourBase, BodyShape {
  kind: 'end-early';
  afterChunks: number;
}
/** Headers + N content chunks, then silence until the client disconnects or stop(). */
export interface StallBehaviour extends BehaviourBase, BodyShape {
  kind: 'stall';
  afterChunks: number;
}
/** Never sends headers (until the client disconnects or stop()). */
export interface HangBehaviour extends BehaviourBase {
  kind: 'hang';
}
/** Destroys the socket on request without any response (TCP RST when `rst`, default true; else FIN). */
export interface ResetBehaviour extends BehaviourBase {
  kind: 'reset';
  rst?: boolean;
}
/**
 * Sends N content chunks, then the protocol's in-stream error, then ends the response:
 *  OpenAI `data: {"error":{"message","type":"server_error",…}}`; Anthropic `event: error` with
 *  `overloaded_error`; Ollama `{"error":"…"}`. `dashscope: true`: HTTP 200 SSE with
 *  `event:error`, `:HTTP_STATUS/400` and `data:{"code":"InvalidParameter","message":…}`.
 * A non-streaming request gets the provider's HTTP error instead (500; dashscope 400).
 */
export interface StreamErrorBehaviour extends BehaviourBase, BodyShape {
  kind: 'streamError';
  afterChunks: number;
  message?: string;
  /** OpenAI `type`, Anthropic `error.type`, DashScope `code`. */
  errorType?: string;
  dashscope?: boolean;
}

/**
 * Hostile streams (streaming requests only; a non-streaming request gets a normal answer). Each sends the head
 * of the normal stream (preamble + `afterChunks` content deltas, default 0), then:
 *  'endless':       valid content deltas forever, never an end marker (the text cycles), as fast as the client reads;
 *  'endless-line':  one line that never ends: an SSE `data:` line (Ollama: a JSON line) whose text value grows forever;
 *  'comment-flood': SSE comment lines forever, never another event (Ollama: blank lines);
 *  'trickle':       the rest of the normal answer one byte every `intervalMs` (default 400 ms); a whole
 *                   (non-streamed) answer is trickled from its first byte.
 * Each runs until the client disconnects or stop(): nothing is buffered on the server beyond one write.
 */
export interface HostileBehaviour extends BehaviourBase, BodyShape {
  kind: 'endless' | 'endless-line' | 'comment-flood' | 'trickle';
  afterChunks?: number;
  intervalMs?: number;
}

/**
 * A recorded answer served as it was recorded (fixtures in test/fixtures/providers): the status, the content
 * type and the body's bytes, in one write ('whole', default) or one byte a write ('bytes1').
 */
export interface RecordedBehaviour extends BehaviourBase {
  kind: 'recorded';
  status?: number;
  contentType: string;
  body: Buffer | string;
  split?: 'whole' | 'bytes1';
}

/**
 * A gateway that refuses an optional request field: a request whose JSON body has `field` gets 400 with
 * `message` (default: the words vLLM and OpenAI-compatible gateways use for an unknown argument); a request
 * without it gets a normal answer.
 */
export interface RefuseFieldBehaviour extends BehaviourBase, BodyShape {
  kind: 'refuseField';
  field: string;
  message?: string;
}

/**
 * DashScope serving a Qwen3 model that thinks by default: a whole (non-streamed) request whose `enable_thinking`
 * is not false gets DashScope's own 400, exactly (compatible mode; the body as users quote it, e.g.
 * infiniflow/ragflow#8972, tencentmusic/supersonic#2355); a stream, or a whole request that turns thinking off,
 * gets the answer (a stream with its `reasoning`, default "Thinking it over.").
 */
export interface ThinkingStreamOnlyBehaviour extends BehaviourBase, BodyShape {
  kind: 'thinkingStreamOnly';
}
export const DASHSCOPE_THINKING_400 = {
  error: { code: 'invalid_parameter_error', param: null, message: 'parameter.enable_thinking must be set to false for non-streaming calls', type: 'invalid_request_error' },
};

export type Behaviour =
  | ThinkingStreamOnlyBehaviour
  | RecordedBehaviour
  | RefuseFieldBehaviour
  | HostileBehaviour
  | OkBehaviour
  | StatusBehaviour
  | StreamOnlyBehaviour
  | HtmlBehaviour
  | JsonForStreamBehaviour
  | CutBehaviour
  | EndEarlyBehaviour
  | StallBehaviour
  | HangBehaviour
  | ResetBehaviour
  | StreamErrorBehaviour;

export interface UpstreamOptions {
  tls?: { cert: string; key: string };
  /** Listen address, default '127.0.0.1' (also '::1'). */
  host?: string;
  defaultText?: string;
  onRequest?: (req: RecordedRequest) => void;
}

export interface Upstream {
  /** e.g. `http://127.0.0.1:PORT`, `https://[::1]:PORT` (no trailing slash). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Every request received, in arrival order (chat, models and unknown paths). */
  readonly requests: RecordedRequest[];
  /** Only the chat requests. */
  readonly chatRequests: RecordedRequest[];
  /** Text of the default (and `ok` without `text`) answer. Default "Hello from upstream". */
  defaultText: string;
  /** Ids served by …/models. */
  models: string[];
  /** Names served by /api/tags. */
  ollamaModels: string[];
  /** Called for every request once its body is read, before it is answered. */
  onRequest: ((req: RecordedRequest) => void) | undefined;
  /** Appends behaviours to the queue. */
  behave(...steps: Behaviour[]): void;
  /** Queue entries not yet consumed. */
  readonly pending: number;
  /** Number of chat requests received (optionally only those whose path matches). */
  count(path?: RegExp): number;
  /** Resolves once `count()` ≥ n; rejects after timeoutMs (default 5000). */
  waitForCount(n: number, timeoutMs?: number): Promise<void>;
  /** Open TCP connections right now. */
  readonly connections: number;
  /** Empties the queue and the request log. */
  clear(): void;
  /** Closes the server and destroys every open socket. Idempotent. */
  stop(): Promise<void>;
}

// ---------------------------------------------------------------------------
// Canned bodies
// ---------------------------------------------------------------------------

export const CAPTIVE_PORTAL_HTML = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Hotel Wi-Fi - Sign in</title>
<meta http-equiv="refresh" content="5; url=http://portal.hotel-wifi.test/login"></head>
<body><h1>Welcome to Hotel Wi-Fi</h1><p>Please accept the terms of use to access the Internet.</p>
<form method="post" action="http://portal.hotel-wifi.test/login"><input type="checkbox" name="accept"> I accept
<button type="submit">Connect</button></form></body></html>
`;

export const SQUID_502_HTML = `<!DOCTYPE html PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">
<html><head>
<meta type="copyright" content="Copyright (C) 1996-2023 The Squid Software Foundation and contributors">
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>ERROR: The requested URL could not be retrieved</title>
</head><body id="ERR_READ_ERROR">
<div id="titles"><h1>ERROR</h1><h2>The requested URL could not be retrieved</h2></div>
<div id="content"><p>The following error was encountered while trying to retrieve the URL: <a href="http://upstream/">http://upstream/</a></p>
<blockquote id="error"><p><b>Read Error</b></p></blockquote>
<p>The system returned: <i>(104) Connection reset by peer</i></p>
<p>Your cache administrator is <a href="mailto:webmaster">webmaster</a>.</p></div>
<hr><div id="footer"><p>Generated Mon, 01 Jan 2024 00:00:00 GMT by proxy.local (squid/5.7)</p></div>
</body></html>
`;

/** Ready-made behaviours. */
export const presets = {
  /** 502 HTML page from a squid proxy (`server: squid/5.7`). */
  squid502: (): StatusBehaviour => ({
    kind: 'status',
    status: 502,
    body: SQUID_502_HTML,
    contentType: 'text/html;charset=utf-8',
    headers: { server: 'squid/5.7', 'x-squid-error': 'ERR_READ_ERROR 104' },
  }),
  /** 429 with provider-shaped body and retry-after-ms and/or retry-after (seconds) headers. */
  rateLimited: (opts: { retryAfterMs?: number; retryAfter?: number | string } = {}): StatusBehaviour => {
    const headers: Record<string, string> = {};
    if (opts.retryAfterMs !== undefined) headers['retry-after-ms'] = String(opts.retryAfterMs);
    if (opts.retryAfter !== undefined) headers['retry-after'] = String(opts.retryAfter);
    return { kind: 'status', status: 429, headers };
  },
  captivePortal: (): HtmlBehaviour => ({ kind: 'html' }),
  /** An answer that asks for these tool calls (streamed in the protocol's format; see BodyShape.toolCalls). */
  toolCalls: (calls: ScriptedToolCall[], shape: BodyShape = {}): OkBehaviour => ({ kind: 'ok', ...shape, toolCalls: calls }),
};

/** The error body a real provider sends for `status` (used when a status behaviour has no body). */
export function providerError(protocol: Protocol, status: number, model = 'test-model', message?: string): object {
  if (protocol === 'openai') {
    const [type, code, msg] =
      status === 401
        ? ['invalid_request_error', 'invalid_api_key', 'Incorrect API key provided: sk-test****. You can find your API key at https://platform.openai.com/account/api-keys.']
        : status === 403
          ? ['invalid_request_error', 'unsupported_country_region_territory', 'Country, region, or territory not supported']
          : status === 404
            ? ['invalid_request_error', 'model_not_found', `The model \`${model}\` does not exist or you do not have access to it.`]
            : status === 429
              ? ['requests', 'rate_limit_exceeded', `Rate limit reached for ${model} on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.`]
              : status < 500
                ? ['invalid_request_error', null, 'Invalid request.']
                : ['server_error', null, 'The server had an error while processing your request. Sorry about that!'];
    return { error: { message: message ?? msg, type, param: null, code } };
  }
  if (protocol === 'anthropic') {
    const [type, msg] =
      status === 400
        ? ['invalid_request_error', 'Invalid request.']
        : status === 401
          ? ['authentication_error', 'invalid x-api-key']
          : status === 403
            ? ['permission_error', 'Your API key does not have permission to use the specified resource.']
            : status === 404
              ? ['not_found_error', `model: ${model}`]
              : status === 413
                ? ['request_too_large', 'Request exceeds the maximum allowed number of bytes.']
                : status === 429
                  ? ['rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit.']
                  : status === 529
                    ? ['overloaded_error', 'Overloaded']
                    : ['api_error', 'Internal server error'];
    return { type: 'error', error: { type, message: message ?? msg }, request_id: `req_${hex(12)}` };
  }
  const msg =
    status === 404
      ? `model "${model}" not found, try pulling it first`
      : status === 401
        ? 'unauthorized'
        : status < 500
          ? 'invalid request'
          : 'an error was encountered while running the model';
  return { error: message ?? msg };
}

// ---------------------------------------------------------------------------
// Frames
// ---------------------------------------------------------------------------

/** 'content' frames are counted by afterChunks; 'end' frames (end markers) are dropped by truncation. */
interface Frame {
  data: string;
  role: 'meta' | 'content' | 'end';
}

interface Plan {
  status: number;
  headers: Record<string, string>;
  frames: Frame[];
  sse: boolean;
  /** A whole (non-streamed) JSON body: gets content-length when sent untruncated. */
  fixed: boolean;
}

interface Answer {
  model: string;
  text: string;
  reasoning: string | undefined;
  reasoningField: 'reasoning_content' | 'reasoning';
  chunkSize: number;
  input: number;
  output: number;
  finishReason: string;
  refusal: string | undefined;
  toolCalls: AnswerToolCall[];
}

interface AnswerToolCall {
  id: string;
  name: string;
  /** The arguments' JSON text as sent in a stream. */
  json: string;
  /** The arguments as an object where the protocol takes one (Ollama, Anthropic's whole `input`). */
  object: unknown;
}

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

function chunksOf(s: string, size: number): string[] {
  const cps = Array.from(s);
  const out: string[] = [];
  for (let i = 0; i < cps.length; i += size) out.push(cps.slice(i, i + size).join(''));
  return out;
}

const sseHeaders = (): Record<string, string> => ({
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-request-id': `req_${hex(8)}`,
});
const jsonHeaders = (): Record<string, string> => ({
  'content-type': 'application/json',
  'x-request-id': `req_${hex(8)}`,
});

function openaiStream(a: Answer, includeUsage: boolean): Frame[] {
  const id = `chatcmpl-${hex(12)}`;
  const created = Math.floor(Date.now() / 1000);
  const chunk = (choices: unknown[], extra: object = {}): string =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: a.model, choices, ...extra })}\n\n`;
  const choice = (delta: object, finish: string | null = null): object => ({ index: 0, delta, logprobs: null, finish_reason: finish });
  const frames: Frame[] = [{ data: chunk([choice({ role: 'assistant', content: '' })]), role: 'meta' }];
  if (a.reasoning) {
    for (const piece of chunksOf(a.reasoning, a.chunkSize)) {
      const delta = a.reasoningField === 'reasoning_content' ? { content: null, reasoning_content: piece } : { reasoning: piece };
      frames.push({ data: chunk([choice(delta)]), role: 'content' });
    }
  }
  for (const piece of chunksOf(a.text, a.chunkSize)) frames.push({ data: chunk([choice({ content: piece })]), role: 'content' });
  if (a.refusal) for (const piece of chunksOf(a.refusal, a.chunkSize)) frames.push({ data: chunk([choice({ refusal: piece })]), role: 'content' });
  a.toolCalls.forEach((c, index) => {
    frames.push({ data: chunk([choice({ tool_calls: [{ index, id: c.id, type: 'function', function: { name: c.name, arguments: '' } }] })]), role: 'content' });
    for (const piece of chunksOf(c.json, a.chunkSize)) {
      frames.push({ data: chunk([choice({ tool_calls: [{ index, function: { arguments: piece } }] })]), role: 'content' });
    }
  });
  frames.push({ data: chunk([choice({}, a.finishReason)]), role: 'end' });
  if (includeUsage) {
    const usage = { prompt_tokens: a.input, completion_tokens: a.output, total_tokens: a.input + a.output };
    frames.push({ data: chunk([], { usage }), role: 'end' });
  }
  frames.push({ data: 'data: [DONE]\n\n', role: 'end' });
  return frames;
}

function openaiJson(a: Answer): object {
  const message: Record<string, unknown> = { role: 'assistant', content: a.text === '' && a.toolCalls.length ? null : a.text };
  if (a.reasoning) message[a.reasoningField] = a.reasoning;
  if (a.refusal) message['refusal'] = a.refusal;
  if (a.toolCalls.length) message['tool_calls'] = a.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.json } }));
  return {
    id: `chatcmpl-${hex(12)}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: a.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: a.finishReason }],
    usage: { prompt_tokens: a.input, completion_tokens: a.output, total_tokens: a.input + a.output },
  };
}

function anthropicStream(a: Answer): Frame[] {
  const ev = (name: string, payload: object, role: Frame['role'] = 'meta'): Frame => ({
    data: `event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`,
    role,
  });
  const frames: Frame[] = [
    ev('message_start', {
      type: 'message_start',
      message: {
        id: `msg_${hex(12)}`,
        type: 'message',
        role: 'assistant',
        model: a.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: a.input, output_tokens: 1 },
      },
    }),
  ];
  let index = 0;
  let pinged = false;
  const ping = (): void => {
    if (!pinged) frames.push(ev('ping', { type: 'ping' }));
    pinged = true;
  };
  if (a.reasoning) {
    frames.push(ev('content_block_start', { type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } }));
    ping();
    for (const piece of chunksOf(a.reasoning, a.chunkSize)) {
      frames.push(ev('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: piece } }, 'content'));
    }
    frames.push(ev('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: randomBytes(24).toString('base64') } }));
    frames.push(ev('content_block_stop', { type: 'content_block_stop', index }));
    index++;
  }
  const tools = a.toolCalls.length > 0;
  if (a.text !== '' || !tools) {
    frames.push(ev('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } }));
    ping();
    for (const piece of chunksOf(a.text, a.chunkSize)) {
      frames.push(ev('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } }, 'content'));
    }
    frames.push(ev('content_block_stop', { type: 'content_block_stop', index }, tools ? 'meta' : 'end'));
    index++;
  }
  for (const c of a.toolCalls) {
    frames.push(ev('content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: c.id, name: c.name, input: {} } }));
    ping();
    frames.push(ev('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: '' } }));
    for (const piece of chunksOf(c.json, a.chunkSize)) {
      frames.push(ev('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } }, 'content'));
    }
    frames.push(ev('content_block_stop', { type: 'content_block_stop', index }, 'end'));
    index++;
  }
  frames.push(ev('message_delta', { type: 'message_delta', delta: { stop_reason: tools ? 'tool_use' : 'end_turn', stop_sequence: null }, usage: { output_tokens: a.output } }, 'end'));
  frames.push(ev('message_stop', { type: 'message_stop' }, 'end'));
  return frames;
}

function anthropicJson(a: Answer): object {
  const content: object[] = [];
  if (a.reasoning) content.push({ type: 'thinking', thinking: a.reasoning, signature: randomBytes(24).toString('base64') });
  if (a.text !== '' || !a.toolCalls.length) content.push({ type: 'text', text: a.text });
  for (const c of a.toolCalls) content.push({ type: 'tool_use', id: c.id, name: c.name, input: c.object });
  return {
    id: `msg_${hex(12)}`,
    type: 'message',
    role: 'assistant',
    model: a.model,
    content,
    stop_reason: a.toolCalls.length ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: a.input, output_tokens: a.output },
  };
}

function ollamaDone(a: Answer): object {
  return {
    done_reason: 'stop',
    done: true,
    total_duration: 123_456_789,
    load_duration: 1_234_567,
    prompt_eval_count: a.input,
    prompt_eval_duration: 12_345_678,
    eval_count: a.output,
    eval_duration: 98_765_432,
  };
}

function ollamaStream(a: Answer): Frame[] {
  const line = (message: object, extra: object = { done: false }): string =>
    `${JSON.stringify({ model: a.model, created_at: new Date().toISOString(), message, ...extra })}\n`;
  const frames: Frame[] = [];
  if (a.reasoning) {
    for (const piece of chunksOf(a.reasoning, a.chunkSize)) {
      frames.push({ data: line({ role: 'assistant', content: '', thinking: piece }), role: 'content' });
    }
  }
  for (const piece of chunksOf(a.text, a.chunkSize)) frames.push({ data: line({ role: 'assistant', content: piece }), role: 'content' });
  a.toolCalls.forEach((c, index) => {
    frames.push({ data: line({ role: 'assistant', content: '', tool_calls: [{ id: c.id, function: { index, name: c.name, arguments: c.object } }] }), role: 'content' });
  });
  frames.push({ data: line({ role: 'assistant', content: '' }, ollamaDone(a)), role: 'end' });
  return frames;
}

function ollamaJson(a: Answer): object {
  const message: Record<string, unknown> = { role: 'assistant', content: a.text };
  if (a.reasoning) message['thinking'] = a.reasoning;
  if (a.toolCalls.length) message['tool_calls'] = a.toolCalls.map((c, index) => ({ id: c.id, function: { index, name: c.name, arguments: c.object } }));
  return { model: a.model, created_at: new Date().toISOString(), message, ...ollamaDone(a) };
}

/** A whole JSON body as two frames (first half counted as one chunk), for truncation. */
function jsonPlan(status: number, body: object, headers: Record<string, string> = jsonHeaders()): Plan {
  const s = JSON.stringify(body);
  let half = Math.floor(s.length / 2);
  if (half > 0 && /[\uD800-\uDBFF]/.test(s.charAt(half - 1))) half++;
  return {
    status,
    headers,
    frames: [
      { data: s.slice(0, half), role: 'content' },
      { data: s.slice(half), role: 'end' },
    ],
    sse: false,
    fixed: true,
  };
}

function errorFrame(protocol: Protocol, b: StreamErrorBehaviour): string {
  if (b.dashscope) {
    const payload = { code: b.errorType ?? 'InvalidParameter', message: b.message ?? 'Range of input length should be [1, 30720]', request_id: randomUUID() };
    return `id:1\nevent:error\n:HTTP_STATUS/400\ndata:${JSON.stringify(payload)}\n\n`;
  }
  if (protocol === 'openai') {
    const payload = { error: { message: b.message ?? 'The server had an error while processing your request. Sorry about that!', type: b.errorType ?? 'server_error', param: null, code: null } };
    return `data: ${JSON.stringify(payload)}\n\n`;
  }
  if (protocol === 'anthropic') {
    const payload = { type: 'error', error: { type: b.errorType ?? 'overloaded_error', message: b.message ?? 'Overloaded' } };
    return `event: error\ndata: ${JSON.stringify(payload)}\n\n`;
  }
  return `${JSON.stringify({ error: b.message ?? 'an error was encountered while running the model' })}\n`;
}

// ---------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------

interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  rec: RecordedRequest;
  signal: AbortSignal;
  /** Protocol for bodies (for model lists: which list shape). */
  protocol: Protocol;
}

const noop = (): void => {};

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

function write(res: ServerResponse, data: string | Buffer, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || res.destroyed || res.writableEnded) return resolve();
    const done = (): void => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    res.write(data, () => done());
  });
}

function routeOf(method: string, path: string): { route: RecordedRequest['route']; protocol: Protocol | null } {
  if (method === 'POST' && path === '/api/chat') return { route: 'chat', protocol: 'ollama' };
  if (method === 'POST' && path.endsWith('/chat/completions')) return { route: 'chat', protocol: 'openai' };
  if (method === 'POST' && path.endsWith('/messages')) return { route: 'chat', protocol: 'anthropic' };
  if (method === 'GET' && path === '/api/tags') return { route: 'models', protocol: 'ollama' };
  if (method === 'GET' && path.endsWith('/models')) return { route: 'models', protocol: null };
  return { route: 'other', protocol: null };
}

export async function startUpstream(opts: UpstreamOptions = {}): Promise<Upstream> {
  const host = opts.host ?? '127.0.0.1';
  const queue: Behaviour[] = [];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const active = new Set<AbortController>();
  let stopped = false;
  let stopping: Promise<void> | undefined;

  const server: Server = opts.tls
    ? createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key })
    : createHttpServer();
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('error', noop);
    s.on('close', () => sockets.delete(s));
  });
  server.on('clientError', (_err, s: Socket) => s.destroy());
  server.on('tlsClientError', noop);
  server.on('error', noop);

  const up: Upstream = {
    url: '',
    host,
    port: 0,
    requests,
    get chatRequests() {
      return requests.filter((r) => r.route === 'chat');
    },
    defaultText: opts.defaultText ?? 'Hello from upstream',
    models: ['test-model', 'test-model-2'],
    ollamaModels: ['llama3:latest', 'qwen2.5:7b'],
    onRequest: opts.onRequest,
    behave(...steps) {
      queue.push(...steps);
    },
    get pending() {
      return queue.length;
    },
    count(path) {
      return requests.filter((r) => r.route === 'chat' && (!path || path.test(r.path))).length;
    },
    async waitForCount(n, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (up.count() < n) {
        if (Date.now() > deadline) throw new Error(`upstream: expected ${n} chat requests, got ${up.count()}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    get connections() {
      return sockets.size;
    },
    clear() {
      queue.length = 0;
      requests.length = 0;
    },
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        stopped = true;
        for (const c of active) c.abort();
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopping;
    },
  };

  function take(route: 'chat' | 'models'): Behaviour | undefined {
    const i = queue.findIndex((b) => (b.match ?? 'chat') === route);
    if (i < 0) return undefined;
    return queue.splice(i, 1)[0];
  }

  function answerOf(ctx: Ctx, shape: BodyShape): Answer {
    const toolCalls = (shape.toolCalls ?? []).map((c): AnswerToolCall => {
      const json = typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments);
      let object: unknown = c.arguments;
      if (typeof c.arguments === 'string') {
        try {
          object = JSON.parse(c.arguments) as unknown;
        } catch {
          object = c.arguments;
        }
      }
      return { id: c.id ?? `${ctx.protocol === 'anthropic' ? 'toolu' : 'call'}_${hex(8)}`, name: c.name, json, object };
    });
    const text = shape.text ?? (toolCalls.length ? '' : up.defaultText);
    const body = ctx.rec.body;
    const prompt = JSON.stringify(body?.['messages'] ?? body?.['prompt'] ?? '');
    return {
      model: ctx.rec.model ?? (ctx.protocol === 'ollama' ? 'llama3:latest' : 'test-model'),
      text,
      reasoning: shape.reasoning,
      reasoningField: shape.reasoningField ?? 'reasoning_content',
      chunkSize: Math.max(1, shape.chunkSize ?? 5),
      input: shape.usage?.input ?? Math.max(1, Math.ceil(prompt.length / 4)),
      output: shape.usage?.output ?? Math.max(1, Math.ceil((text.length + (shape.reasoning?.length ?? 0) + toolCalls.reduce((n, c) => n + c.json.length, 0)) / 4)),
      finishReason: shape.finishReason ?? (toolCalls.length ? 'tool_calls' : 'stop'),
      refusal: shape.refusal,
      toolCalls,
    };
  }

  /** The normal answer for this request, streamed or not. */
  function planOf(ctx: Ctx, shape: BodyShape, stream: boolean): Plan {
    if (ctx.rec.route === 'models') {
      if (ctx.protocol === 'ollama') {
        return jsonPlan(200, {
          models: up.ollamaModels.map((name) => ({
            name,
            model: name,
            modified_at: '2025-01-01T00:00:00.000000000Z',
            size: 4_661_224_676,
            digest: hex(32),
            details: { parent_model: '', format: 'gguf', family: 'llama', families: ['llama'], parameter_size: '8.0B', quantization_level: 'Q4_0' },
          })),
        });
      }
      if (ctx.protocol === 'anthropic') {
        return jsonPlan(200, {
          data: up.models.map((id) => ({ type: 'model', id, display_name: id, created_at: '2025-01-01T00:00:00Z' })),
          has_more: false,
          first_id: up.models[0] ?? null,
          last_id: up.models.at(-1) ?? null,
        });
      }
      return jsonPlan(200, { object: 'list', data: up.models.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'parley-test' })) });
    }
    const a = answerOf(ctx, shape);
    if (!stream) {
      const body = ctx.protocol === 'openai' ? openaiJson(a) : ctx.protocol === 'anthropic' ? anthropicJson(a) : ollamaJson(a);
      return jsonPlan(200, body);
    }
    if (ctx.protocol === 'ollama') {
      return { status: 200, headers: { 'content-type': 'application/x-ndjson' }, frames: ollamaStream(a), sse: false, fixed: false };
    }
    const so = ctx.rec.body?.['stream_options'];
    const includeUsage = typeof so === 'object' && so !== null && (so as Record<string, unknown>)['include_usage'] === true;
    const frames = ctx.protocol === 'openai' ? openaiStream(a, includeUsage) : anthropicStream(a);
    return { status: 200, headers: sseHeaders(), frames, sse: true, fixed: false };
  }

  /** Writes head + frames (up to `afterChunks` content frames when given). Returns false if the client is gone. */
  /** The plan's frames as sent (comments, CRLF), and how many of them come before the `afterChunks`+1-th delta or an end marker. */
  function framesOf(plan: Plan, shape: BodyShape, afterChunks?: number): { frames: Frame[]; head: number } {
    let frames = plan.frames;
    if (plan.sse) {
      const crlf = (f: Frame): Frame => (shape.crlf ? { ...f, data: f.data.replace(/\n/g, '\r\n') } : f);
      const out: Frame[] = [];
      for (const f of frames) {
        if (shape.comments) out.push(crlf({ data: ': keep-alive\n\n', role: 'meta' }));
        out.push(crlf(f));
      }
      frames = out;
    }
    let head = frames.length;
    if (afterChunks !== undefined) {
      let n = 0;
      head = frames.findIndex((f) => {
        if (f.role === 'end' || (f.role === 'content' && n >= afterChunks)) return true;
        if (f.role === 'content') n++;
        return false;
      });
      if (head < 0) head = frames.length;
    }
    return { frames, head };
  }

  async function send(ctx: Ctx, plan: Plan, shape: BodyShape, afterChunks?: number): Promise<boolean> {
    const { res, signal } = ctx;
    const sel = framesOf(plan, shape, afterChunks);
    const frames = sel.frames.slice(0, sel.head);
    if (signal.aborted || res.destroyed) return false;
    const headers = { ...plan.headers };
    if (plan.fixed && afterChunks === undefined) {
      headers['content-length'] = String(Buffer.byteLength(frames.map((f) => f.data).join('')));
    }
    res.writeHead(plan.status, headers);
    res.flushHeaders();
    const split = shape.split ?? 'frames';
    if (split === 'whole') {
      const all = frames.map((f) => f.data).join('');
      if (all) await write(res, all, signal);
      return !signal.aborted;
    }
    if (split === 'bytes1') res.socket?.setNoDelay(true);
    for (let i = 0; i < frames.length; i++) {
      if (i > 0 && shape.gapMs) await sleep(shape.gapMs, signal);
      if (signal.aborted) return false;
      const data = (frames[i] as Frame).data;
      if (split === 'bytes1') {
        const buf = Buffer.from(data, 'utf8');
        for (let j = 0; j < buf.length; j++) {
          await write(res, buf.subarray(j, j + 1), signal);
          await new Promise((r) => setImmediate(r));
          if (signal.aborted) return false;
        }
      } else {
        await write(res, data, signal);
      }
    }
    return !signal.aborted;
  }

  function finish(ctx: Ctx, status: number, headers: Record<string, string>, body: string): void {
    if (ctx.signal.aborted || ctx.res.destroyed) return;
    ctx.res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
    ctx.res.end(body);
  }

  /** Writes `next()` again and again (each write waits for the socket) until the client is gone. */
  async function forever(ctx: Ctx, next: () => string | Buffer): Promise<void> {
    while (!ctx.signal.aborted && !ctx.res.destroyed) await write(ctx.res, next(), ctx.signal);
  }

  async function hostile(b: HostileBehaviour, ctx: Ctx): Promise<void> {
    const { res, signal } = ctx;
    if (b.kind === 'trickle' && !ctx.rec.stream && ctx.rec.route === 'chat') {
      // A whole (non-streamed) answer trickled from its first byte.
      const plan = planOf(ctx, b, false);
      if (!(await send(ctx, plan, b, 0))) return;
      res.socket?.setNoDelay(true);
      const rest = Buffer.from(plan.frames.map((f) => f.data).join(''), 'utf8');
      for (let i = 0; i < rest.length && !signal.aborted; i++) {
        await sleep(b.intervalMs ?? 400, signal);
        await write(res, rest.subarray(i, i + 1), signal);
      }
      if (!signal.aborted) res.end();
      return;
    }
    if (!ctx.rec.stream || ctx.rec.route !== 'chat') {
      if (await send(ctx, planOf(ctx, b, ctx.rec.stream), b)) res.end();
      return;
    }
    const afterChunks = b.afterChunks ?? 0;
    const plan = planOf(ctx, b, true);
    if (!(await send(ctx, plan, b, afterChunks))) return;
    res.socket?.setNoDelay(true);
    const BLOCK = 64 * 1024;
    const repeatTo = (unit: string): Buffer => Buffer.from(unit.repeat(Math.max(1, Math.ceil(BLOCK / Buffer.byteLength(unit)))));
    switch (b.kind) {
      case 'endless': {
        // The content deltas of a normal answer, again and again.
        const unit = plan.frames.filter((f) => f.role === 'content').map((f) => f.data).join('');
        const block = repeatTo(b.crlf && plan.sse ? unit.replace(/\n/g, '\r\n') : unit);
        return forever(ctx, () => block);
      }
      case 'endless-line': {
        const start =
          ctx.protocol === 'openai'
            ? 'data: {"choices":[{"index":0,"delta":{"content":"'
            : ctx.protocol === 'anthropic'
              ? 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"'
              : `{"model":${JSON.stringify(ctx.rec.model ?? 'llama3:latest')},"message":{"role":"assistant","content":"`;
        await write(res, start, signal);
        const block = Buffer.alloc(BLOCK, 'a');
        return forever(ctx, () => block);
      }
      case 'comment-flood': {
        const block = repeatTo(plan.sse ? `: keep-alive ${'.'.repeat(48)}\n` : '\n');
        return forever(ctx, () => block);
      }
      case 'trickle': {
        const { frames, head } = framesOf(plan, b, afterChunks);
        const rest = Buffer.from(frames.slice(head).map((f) => f.data).join(''), 'utf8');
        for (let i = 0; i < rest.length && !signal.aborted; i++) {
          await sleep(b.intervalMs ?? 400, signal);
          await write(res, rest.subarray(i, i + 1), signal);
        }
        if (!signal.aborted) res.end();
        return;
      }
    }
  }

  async function run(b: Behaviour | undefined, ctx: Ctx): Promise<void> {
    const { res, signal } = ctx;
    const stream = ctx.rec.stream;
    if (b?.delayMs) await sleep(b.delayMs, signal);
    if (signal.aborted) return;
    if (!b) {
      if (await send(ctx, planOf(ctx, {}, stream), {})) res.end();
      return;
    }
    switch (b.kind) {
      case 'ok':
        if (await send(ctx, planOf(ctx, b, stream), b)) res.end();
        return;
      case 'json-for-stream':
        if (await send(ctx, planOf(ctx, b, false), b)) res.end();
        return;
      case 'streamOnly':
        return run(stream ? b.then : undefined, ctx);
      case 'recorded': {
        const body = typeof b.body === 'string' ? Buffer.from(b.body, 'utf8') : b.body;
        if (signal.aborted || res.destroyed) return;
        res.writeHead(b.status ?? 200, { 'content-type': b.contentType, ...(b.split === 'bytes1' ? {} : { 'content-length': String(body.length) }) });
        if (b.split === 'bytes1') {
          res.flushHeaders();
          res.socket?.setNoDelay(true);
          for (let j = 0; j < body.length; j++) {
            await write(res, body.subarray(j, j + 1), signal);
            await new Promise((r) => setImmediate(r));
            if (signal.aborted) return;
          }
          res.end();
        } else {
          res.end(body);
        }
        return;
      }
      case 'thinkingStreamOnly': {
        if (!stream && ctx.rec.body?.['enable_thinking'] !== false) {
          const id = randomUUID();
          finish(ctx, 400, jsonHeaders(), JSON.stringify({ ...DASHSCOPE_THINKING_400, id: `chatcmpl-${id}`, request_id: id }));
          return;
        }
        const shape = stream ? { reasoning: 'Thinking it over.', ...b } : b;
        if (await send(ctx, planOf(ctx, shape, stream), shape)) res.end();
        return;
      }
      case 'refuseField': {
        if (ctx.rec.body && b.field in ctx.rec.body) {
          const message = b.message ?? `Unrecognized request argument supplied: ${b.field}`;
          finish(ctx, 400, jsonHeaders(), JSON.stringify({ error: { message, type: 'invalid_request_error', param: null, code: null } }));
          return;
        }
        if (await send(ctx, planOf(ctx, b, stream), b)) res.end();
        return;
      }
      case 'status': {
        const body =
          b.body === undefined
            ? JSON.stringify(providerError(ctx.protocol, b.status, ctx.rec.model))
            : typeof b.body === 'string'
              ? b.body
              : JSON.stringify(b.body);
        const contentType = b.contentType ?? (typeof b.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json');
        finish(ctx, b.status, { 'content-type': contentType, ...b.headers }, body);
        return;
      }
      case 'html':
        finish(ctx, b.status ?? 200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }, CAPTIVE_PORTAL_HTML);
        return;
      case 'hang':
        await untilAborted(signal);
        return;
      case 'reset': {
        const s = ctx.req.socket;
        if (b.rst ?? true) {
          try {
            s.resetAndDestroy();
          } catch {
            s.destroy();
          }
        } else {
          s.destroy();
        }
        return;
      }
      case 'cut':
        if (await send(ctx, planOf(ctx, b, stream), b, b.afterChunks)) res.socket?.destroy();
        return;
      case 'end-early':
        if (await send(ctx, planOf(ctx, b, stream), b, b.afterChunks)) res.end();
        return;
      case 'stall':
        if (await send(ctx, planOf(ctx, b, stream), b, b.afterChunks)) await untilAborted(signal);
        return;
      case 'endless':
      case 'endless-line':
      case 'comment-flood':
      case 'trickle':
        return hostile(b, ctx);
      case 'streamError': {
        if (ctx.rec.route === 'models' || !stream) {
          if (b.dashscope) {
            const payload = { code: b.errorType ?? 'InvalidParameter', message: b.message ?? 'Range of input length should be [1, 30720]', request_id: randomUUID() };
            finish(ctx, 400, jsonHeaders(), JSON.stringify(payload));
          } else {
            finish(ctx, 500, jsonHeaders(), JSON.stringify(providerError(ctx.protocol, 500, ctx.rec.model, b.message)));
          }
          return;
        }
        const plan = planOf(ctx, b, true);
        if (b.dashscope) {
          plan.sse = true;
          plan.headers = sseHeaders();
        }
        if (!(await send(ctx, plan, b, b.afterChunks))) return;
        let frame = errorFrame(ctx.protocol, b);
        if (plan.sse && b.crlf) frame = frame.replace(/\n/g, '\r\n');
        await write(res, frame, signal);
        if (!signal.aborted) res.end();
        return;
      }
    }
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const time = Date.now();
    const ctl = new AbortController();
    active.add(ctl);
    if (stopped) ctl.abort();
    res.on('close', () => ctl.abort());
    res.on('error', noop);
    req.on('error', noop);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const rawBody = Buffer.concat(chunks).toString('utf8');
        let body: Record<string, unknown> | null = null;
        try {
          const parsed: unknown = rawBody ? JSON.parse(rawBody) : null;
          if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
        } catch {
          body = null;
        }
        const url = req.url ?? '/';
        const path = url.split('?')[0] ?? '/';
        const method = req.method ?? 'GET';
        const { route, protocol } = routeOf(method, path);
        const stream = protocol === 'ollama' ? route === 'chat' && body?.['stream'] !== false : body?.['stream'] === true;
        const rec: RecordedRequest = {
          method,
          path,
          url,
          headers: req.headers,
          rawBody,
          body,
          route,
          protocol,
          stream,
          model: typeof body?.['model'] === 'string' ? body['model'] : undefined,
          time,
        };
        requests.push(rec);
        try {
          up.onRequest?.(rec);
        } catch {
          // a throwing hook must not take the server down
        }
        if (route === 'other') {
          finish({ req, res, rec, signal: ctl.signal, protocol: 'openai' }, 404, jsonHeaders(), JSON.stringify({ error: { message: `Unknown path ${method} ${path}`, type: 'invalid_request_error', code: 'unknown_url' } }));
          return;
        }
        const bodyProtocol: Protocol = protocol ?? (req.headers['anthropic-version'] !== undefined ? 'anthropic' : 'openai');
        const ctx: Ctx = { req, res, rec, signal: ctl.signal, protocol: bodyProtocol };
        await run(take(route), ctx);
      })()
        .catch(() => {
          if (!res.headersSent && !res.destroyed) {
            res.writeHead(500);
            res.end();
          } else {
            res.destroy();
          }
        })
        .finally(() => active.delete(ctl));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  return Object.assign(up, { url: `${opts.tls ? 'https' : 'http'}://${hostInUrl}:${port}`, port });
}
