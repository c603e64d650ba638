/**
 * The renderer's one door to main: `window.parley` (the preload's API). A missing bridge or a call that
 * throws (IPC failure) becomes an ordinary failed Result, so callers handle one shape.
 */
import type { ErrorInfo } from '../../shared/errors.ts';
import type { ParleyApi, Result } from '../../shared/ipc.ts';
import i18n from './i18n.ts';

export function bridge(): ParleyApi | undefined {
  return typeof window !== 'undefined' ? window.parley : undefined;
}

function failure(detail: string): ErrorInfo {
  return { code: 'protocol_error', message: `${i18n.t('error.ipcFailed')} ${detail}`.trim(), hint: i18n.t('error.ipcFailedHint') };
}

function isResult(value: unknown): value is Result<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { ok?: unknown }).ok === 'boolean';
}

/** Calls one method of the API; never throws. */
export async function call<T>(name: string, fn: (api: ParleyApi) => Promise<Result<T>>): Promise<Result<T>> {
  const api = bridge();
  if (!api) return { ok: false, error: failure(i18n.t('app.noBridge')) };
  try {
    const r = await fn(api);
    if (!isResult(r)) return { ok: false, error: failure(`(${name}: unexpected answer)`) };
    return r;
  } catch (e) {
    return { ok: false, error: failure(`(${name}: ${e instanceof Error ? e.message : String(e)})`) };
  }
}
