import type { AnswerUsage, ToolCallPart } from '../../../shared/answer.ts';
import type { ProviderSettings } from '../../../shared/settings.ts';
import type { ThinkingChoice } from '../../../shared/answer.ts';
import type { ModelCapabilities } from '../../../shared/models/capabilities.ts';

/**
 * One part of a message's content. Each protocol carries them as it defines (openai.ts, anthropic.ts, ollama.ts):
 * OpenAI `{type:'image_url', image_url:{url:'data:<mime>;base64,…'}}`, Anthropic `{type:'image', source:{type:'base64',
 * media_type, data}}`, Ollama `images: [base64…]` beside `content`.
 */
export type ContentPart =
  | { type: 'text'; text: string }
  /** `data`: the image's bytes in base64 (no data: prefix); `name`: the file's name (never sent). */
  | { type: 'image'; mime: string; data: string; name?: string };

/** A tool call the model made, as it goes back in the history (`arguments`: the JSON text the model wrote). */
export interface ToolCallRecord {
  id: string;
  name: string;
  arguments: string;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  /** Text, or parts (text and images) in order. A tool message: the tool's result. */
  content: string | ContentPart[];
  /** assistant: the tools it called in that turn, in order (their results follow as `tool` messages). */
  toolCalls?: ToolCallRecord[];
  /** assistant: its reasoning, sent back only where the provider requires it with tool calls (DeepSeek thinking: resendWithTools). */
  reasoning?: string;
  /** assistant: the provider's signature of that reasoning (Anthropic thinking blocks must come back signed). */
  reasoningSignature?: string;
  /** tool: the call this result answers, the tool's name, and whether the tool reported a failure. */
  toolCallId?: string;
  toolName?: string;
  isError?: boolean;
}

/** A tool offered to the model: a name every protocol accepts (^[A-Za-z0-9_-]{1,64}$), what it does, its JSON Schema. */
export interface ToolSpec {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

/** A message's text: its text parts joined by a blank line (images left out). */
export function textOf(content: string | readonly ContentPart[]): string {
  if (typeof content === 'string') return content;
  return content.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('\n\n');
}

/** A message's images, in order. */
export function imagesOf(content: string | readonly ContentPart[]): Extract<ContentPart, { type: 'image' }>[] {
  return typeof content === 'string' ? [] : content.filter((p): p is Extract<ContentPart, { type: 'image' }> => p.type === 'image');
}

export interface ChatRequest {
  messages: ChatMessage[];
  /** Tools the model may call (absent or empty: none offered). */
  tools?: ToolSpec[];
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  /** Thinking as asked (a conversation's, or its provider's default); absent: the model's own default. */
  thinking?: ThinkingChoice;
  /** What the model can do as the app resolved it (its overrides applied); absent: the shipped table's entry. */
  capabilities?: ModelCapabilities;
  /** The provider's preset (the family of a provider behind an unknown host: protocols/thinking.ts). */
  preset?: string;
}

/** Token usage as the core reports it (shared/answer.ts): every input token, cache and reasoning tokens, cost. */
export type Usage = AnswerUsage;

/** A piece of a tool call as it streams: `index` says which call (OpenAI `tool_calls[].index`, Anthropic block). */
export interface ToolCallDelta {
  index: number;
  id?: string;
  name?: string;
  /** More of the arguments' JSON text. */
  arguments?: string;
}

/** What a protocol's stream decoder produces (a whole answer is parsed into the same events). */
export type WireEvent =
  | { type: 'text'; text: string }
  | { type: 'reasoning'; text: string }
  /** The provider's signature of the reasoning so far (Anthropic `signature_delta`). */
  | { type: 'signature'; signature: string }
  /** The model's refusal, in its words (OpenAI `refusal`). */
  | { type: 'refusal'; text: string }
  | { type: 'tool_call'; call: ToolCallDelta }
  /** Usage so far: a later report's fields replace an earlier one's. */
  | { type: 'usage'; usage: Usage }
  /** The provider's own finish value (`category`: a filter's category when it names one). */
  | { type: 'finish'; reason: string; category?: string }
  /** The protocol's end marker ([DONE], message_stop, done:true). */
  | { type: 'end' }
  /**
   * The provider reported an error inside the answer: its words, its code, and where a gateway passed on another
   * provider's error (OpenRouter `metadata.raw`, `metadata.provider_name`), that provider's own words.
   */
  | { type: 'error'; message: string; providerCode?: string; status?: number; raw?: string; providerName?: string }
  /** Something that is not this protocol (garbage, an HTML page). */
  | { type: 'garbage'; sample: string };

/** A whole (non-streamed) answer: the same events a stream of it would give, in order. */
export interface WholeAnswer {
  events: WireEvent[];
}

export type { ToolCallPart };

export interface StreamDecoder {
  /** Feed decoded text (any chunking); returns the events completed so far. */
  push(text: string): WireEvent[];
  /** The body ended: flush. */
  end(): WireEvent[];
}

export interface ProviderError {
  message?: string;
  type?: string;
  /** A gateway's upstream provider's own error text (OpenRouter `error.metadata.raw`). */
  raw?: string;
  /** Which upstream provider said it (OpenRouter `error.metadata.provider_name`). */
  providerName?: string;
}

export interface ProtocolAdapter {
  readonly name: 'openai' | 'anthropic' | 'ollama';
  chatUrl(baseUrl: string): string;
  modelsUrl(baseUrl: string): string;
  headers(p: ProviderSettings): Record<string, string>;
  body(p: ProviderSettings, req: ChatRequest, stream: boolean): unknown;
  /** Content types a streamed answer may have. */
  isStreamContentType(contentType: string): boolean;
  createDecoder(): StreamDecoder;
  /** Parses a whole (non-streamed) answer; undefined when the JSON is not one. */
  parseWhole(json: unknown): WholeAnswer | undefined;
  parseModels(json: unknown): string[] | undefined;
  /** The provider's own error words from an error body. */
  parseError(json: unknown): ProviderError | undefined;
}

export function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function tryJson(s: string): unknown {
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return undefined;
  }
}

/** Common error shapes: OpenAI {error:{message,type,code}}, Anthropic {type:'error',error:{type,message}}, Ollama {error:"…"}, DashScope {code,message}. */
export function parseCommonError(json: unknown): ProviderError | undefined {
  if (!isObj(json)) return undefined;
  const e = json.error;
  if (typeof e === 'string') return { message: e };
  if (isObj(e)) {
    const code = str(e.code) ?? (typeof e.code === 'number' ? String(e.code) : undefined);
    const meta = isObj(e.metadata) ? e.metadata : undefined;
    const raw = meta ? rawText(meta.raw) : undefined;
    const providerName = meta ? str(meta.provider_name) : undefined;
    const message = str(e.message) ?? JSON.stringify(e).slice(0, 500);
    // The gateway's words and, after them, its upstream's own (OpenRouter: "Provider returned error" alone says nothing).
    return {
      message: errorWords({ message, raw, providerName }), type: code ?? str(e.type),
      ...(raw ? { raw } : {}), ...(providerName ? { providerName } : {}),
    };
  }
  // MiniMax: {base_resp: {status_code, status_msg}} (status 0 is success).
  if (isObj(json.base_resp) && typeof json.base_resp.status_code === 'number' && json.base_resp.status_code !== 0) {
    return { message: str(json.base_resp.status_msg) ?? `status ${json.base_resp.status_code}`, type: String(json.base_resp.status_code) };
  }
  if (str(json.message) && (str(json.code) || str(json.type))) return { message: str(json.message), type: str(json.code) ?? str(json.type) };
  if (str(json.detail)) return { message: str(json.detail) };
  if (str(json.message)) return { message: str(json.message) };
  return undefined;
}

/** OpenRouter's `metadata.raw`: the upstream's error body as text (a string, or JSON whose message is its words). */
function rawText(v: unknown): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'string') {
    const j = tryJson(v);
    const inner = isObj(j) ? parseCommonError(j)?.message : undefined;
    return (inner ?? v).slice(0, 2000);
  }
  if (isObj(v)) return (parseCommonError(v)?.message ?? JSON.stringify(v)).slice(0, 2000);
  return JSON.stringify(v).slice(0, 2000);
}

/** A provider's error as one text: its words, and a gateway's upstream's own words after them. */
export function errorWords(e: ProviderError | { message?: string; raw?: string; providerName?: string }): string | undefined {
  if (!e.message && !e.raw) return undefined;
  if (!e.raw || (e.message ?? '').includes(e.raw)) return e.message;
  const from = e.providerName ? `${e.providerName}: ` : '';
  return e.message ? `${e.message} (${from}${e.raw})` : `${from}${e.raw}`;
}

/**
 * A request URL from a base URL: `path` goes after the base's path (its trailing slashes and, when given, a
 * `dropSuffix` such as /v1 removed first); the base's query (`?key=…`) is kept, a fragment dropped.
 */
export function joinUrl(base: string, path: string, dropSuffix?: RegExp): string {
  const trim = (p: string): string => {
    const t = p.replace(/\/+$/, '');
    return dropSuffix ? t.replace(dropSuffix, '') : t;
  };
  if (!URL.canParse(base)) return trim(base) + path;
  const u = new URL(base);
  u.pathname = trim(u.pathname) + path;
  u.hash = '';
  return u.href;
}
