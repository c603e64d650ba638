import { ParleyError, type ParleyErrorDetail } from '../errors.ts';
import type { Words } from '../../../shared/messages/en.ts';

export type RouteErrorCode = 'config_invalid' | 'proxy_unreachable';

/**
 * A failure to decide a route: `config_invalid` (a proxy URL, proxy variable or bypass list that
 * cannot be used) or `proxy_unreachable` (the system proxy resolver is missing or failed; the
 * resolver fails closed and never falls back to a direct connection).
 * A ParleyError, so it carries the default hint and converts to ErrorInfo like any other.
 * Messages never contain a proxy password.
 */
export class RouteError extends ParleyError {
  declare readonly code: RouteErrorCode;

  /** `message`: a sentence of the catalog (`words(key, params)`), or plain English (see ParleyError). */
  constructor(code: RouteErrorCode, message: Words, detail?: Omit<ParleyErrorDetail, 'key' | 'params'>, options?: { cause?: unknown });
  constructor(code: RouteErrorCode, message: string, detail?: ParleyErrorDetail, options?: { cause?: unknown });
  constructor(code: RouteErrorCode, message: string | Words, detail: ParleyErrorDetail = {}, options?: { cause?: unknown }) {
    super(code, message, { hop: code === 'config_invalid' ? 'config' : 'proxy', phase: 'route', ...detail }, options);
    this.name = 'RouteError';
  }
}
