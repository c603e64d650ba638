/**
 * The most Parley accepts from a provider: one line of a stream, the comments kept before an event, one answer,
 * one whole response body. A stream that goes past a limit ends with `limit_exceeded` and a message naming the
 * limit; the text delivered so far is kept (see runChat). Memory stays bounded by these numbers whatever the
 * server sends.
 *
 * Sizes of stream framing (…Chars) are counted in UTF-16 code units of the decoded text: each is at least one
 * byte on the wire, so "longer than 1 MB" is true whenever the limit fires. Other sizes (…Bytes) are UTF-8 bytes.
 */
import { ParleyError, type ParleyErrorDetail } from './errors.ts';
import type { WireEvent } from './protocols/types.ts';
import { words, type ErrorKey } from '../../shared/messages/en.ts';

const KB = 1024;
const MB = 1024 * KB;

export const LIMITS = {
  /** One SSE event's data (its lines so far and the line not yet terminated), or one NDJSON line. */
  lineChars: 1 * MB,
  /** Comment lines kept between two events (the mapper reads them: DashScope's `:HTTP_STATUS/400`). */
  commentChars: 64 * KB,
  /**
   * Text plus reasoning of one answer. No more than the storage keeps of a message's text
   * (services/storage/limits.ts, messageTextBytes), so an answer cut here can still be saved with its error.
   */
  answerBytes: 4 * MB,
  /** A whole (non-streamed) response body. */
  bodyBytes: 32 * MB,
  /** An error response body (only the provider's words are used). */
  errorBodyBytes: 256 * KB,
  /** A model list. */
  modelListBytes: 8 * MB,
} as const;

export type LimitName = keyof typeof LIMITS;

/** 1 MB, 64 KB, 1.5 MB: how the limits are named in messages. */
export function formatSize(n: number): string {
  if (n >= MB) return `${+(n / MB).toFixed(1)} MB`;
  if (n >= KB) return `${+(n / KB).toFixed(1)} KB`;
  return `${n} bytes`;
}

const WHAT = { lineChars: 'limit_line', commentChars: 'limit_comments', answerBytes: 'limit_answer' } as const satisfies Record<Exclude<LimitName, 'bodyBytes' | 'errorBodyBytes' | 'modelListBytes'>, ErrorKey>;

/** The error for a stream limit that was hit: never retried, and it keeps the partial text (runChat adds it). */
export function limitExceeded(name: keyof typeof WHAT, detail: Omit<ParleyErrorDetail, 'key' | 'params'> = {}): ParleyError {
  return new ParleyError('limit_exceeded', words(WHAT[name], { size: formatSize(LIMITS[name]) }), { phase: 'body', retryable: false, bodyStarted: true, ...detail });
}

/** The error for a response body over `limitBytes` (see readText). */
export function bodyTooLarge(limitBytes: number, detail: Omit<ParleyErrorDetail, 'key' | 'params'> = {}): ParleyError {
  return new ParleyError('limit_exceeded', words('limit_body', { size: formatSize(limitBytes) }), { phase: 'body', retryable: false, bodyStarted: true, ...detail });
}

/**
 * A stream decoder that also counts complete frames: SSE events and comment lines, non-empty NDJSON lines.
 * A frame is the server's sign of progress: the idle timer is re-armed on frames, not on bytes, so a body that
 * trickles without ever completing one times out.
 */
export interface FrameCounting {
  readonly frames: number;
}

/**
 * A stream decoder's completed events, and the one rule for a limit hit in the middle of a piece of text: the
 * events completed before it are returned first, and the error is thrown on the next call (and every call
 * after). `onFail` drops what the decoder still holds.
 */
export class DecodedEvents {
  events: WireEvent[] = [];
  #failed: { error: unknown } | undefined;
  readonly #onFail: () => void;
  constructor(onFail: () => void) {
    this.#onFail = onFail;
  }
  /** Runs one decoding step and takes the events it completed. */
  run(step: () => void): WireEvent[] {
    if (this.#failed) throw this.#failed.error;
    try {
      step();
    } catch (e) {
      this.#failed = { error: e };
      this.#onFail();
      if (this.events.length === 0) throw e;
    }
    const r = this.events;
    this.events = [];
    return r;
  }
}

/** The decoder's frame count, or undefined for a decoder that does not count. */
export function framesOf(decoder: object): number | undefined {
  const n = (decoder as Partial<FrameCounting>).frames;
  return typeof n === 'number' ? n : undefined;
}
