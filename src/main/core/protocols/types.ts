import type { ProviderSettings } from '../../../shared/settings.ts';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatRequest {
  messages: ChatMessage[];
  maxTokens?: number;
  temperature?: number;
}

export interface Usage {
  inputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
}

/** What a protocol's stream decoder produces. */
export type WireEvent =
  | { type: 'text'; text: string }
  | { type: 'reasoning'; text: string }
  | { type: 'usage'; usage: Usage }
  | { type: 'finish'; reason: string }
  /** The protocol's end marker ([DONE], message_stop, done:true). */
  | { type: 'end' }
  /** The provider reported an error inside the stream. */
  | { type: 'error'; message: string; providerCode?: string; status?: number }
  /** Something that is not this protocol (garbage, an HTML page). */
  | { type: 'garbage'; sample: string };

export interface WholeAnswer {
  text: string;
  reasoning: string;
  usage?: Usage;
  finishReason?: string;
}

export interface StreamDecoder {
  /** Feed decoded text (any chunking); returns the events completed so far. */
  push(text: string): WireEvent[];
  /** The body ended: flush. */
  end(): WireEvent[];
}

export interface ProviderError {
  message?: string;
  type?: string;
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
    return { message: str(e.message) ?? JSON.stringify(e).slice(0, 500), type: str(e.code) ?? str(e.type) };
  }
  if (str(json.message) && (str(json.code) || str(json.type))) return { message: str(json.message), type: str(json.code) ?? str(json.type) };
  if (str(json.detail)) return { message: str(json.detail) };
  if (str(json.message)) return { message: str(json.message) };
  return undefined;
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
