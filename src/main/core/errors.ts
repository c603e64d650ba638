import { DEFAULT_HINTS, type ErrorCode, type ErrorInfo } from '../../shared/errors.ts';
import type { ErrorKey, Words } from '../../shared/messages/en.ts';

const BRAND = Symbol.for('parley.error');

export type ParleyErrorDetail = Omit<ErrorInfo, 'code' | 'message' | 'hint' | 'key'> & {
  hint?: string;
  /** A sentence of the English catalog (src/shared/messages/en.ts): set by `words(key, params)`, never by hand. */
  key?: ErrorKey;
  /** Headers of the response that failed, for retry timing (never logged). */
  responseHeaders?: Record<string, string>;
  /** True when the failure happened after the request was fully sent and the provider may be working on it. */
  afterSend?: boolean;
  /** For stream failures: whether any byte of the body arrived. */
  bodyStarted?: boolean;
};

/**
 * Every failure in the core is a ParleyError: a stable code, a human message, a hint that names the
 * fix, and the context (hop, phase, host, status, the provider's own words). Recognised by brand or code.
 */
export class ParleyError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  readonly detail: ParleyErrorDetail;

  /**
   * `message`: a sentence of the catalog (`words(key, params)`, src/shared/messages/en.ts), whose key, values and
   * hint the error carries (a `hint` in `detail` overrides the key's); or plain English with no key.
   */
  constructor(code: ErrorCode, message: Words, detail?: Omit<ParleyErrorDetail, 'key' | 'params'>, options?: { cause?: unknown });
  constructor(code: ErrorCode, message: string, detail?: ParleyErrorDetail, options?: { cause?: unknown });
  /** (For a subclass that passes either on.) */
  constructor(code: ErrorCode, message: string | Words, detail?: ParleyErrorDetail, options?: { cause?: unknown });
  constructor(code: ErrorCode, message: string | Words, detail: ParleyErrorDetail = {}, options?: { cause?: unknown }) {
    const w = typeof message === 'string' ? undefined : message;
    super(w ? w.message : (message as string), options);
    this.name = 'ParleyError';
    this.code = code;
    this.hint = detail.hint ?? w?.hint ?? DEFAULT_HINTS[code];
    this.detail = w ? { ...detail, key: w.key, params: w.params } : detail;
    Object.defineProperty(this, BRAND, { value: true });
  }

  static is(value: unknown): value is ParleyError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  /** A copy with more context (the partial text, the route...). */
  with(extra: Partial<ParleyErrorDetail>): ParleyError {
    return new ParleyError(this.code, this.message, { ...this.detail, hint: this.hint, ...extra }, { cause: this.cause });
  }

  toInfo(): ErrorInfo {
    const { responseHeaders: _h, afterSend: _a, bodyStarted: _b, hint: _hint, ...rest } = this.detail;
    const info: ErrorInfo = { code: this.code, message: this.message, hint: this.hint };
    for (const [k, v] of Object.entries(rest)) if (v !== undefined) (info as unknown as Record<string, unknown>)[k] = v;
    return info;
  }
}
