import { ParleyError, type ParleyErrorDetail } from '../errors.ts';

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

  constructor(code: RouteErrorCode, message: string, detail: ParleyErrorDetail = {}, options?: { cause?: unknown }) {
    super(code, message, { hop: code === 'config_invalid' ? 'config' : 'proxy', phase: 'route', ...detail }, options);
    this.name = 'RouteError';
  }
}
