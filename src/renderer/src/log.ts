/**
 * Renderer logging: every entry goes to main (`log:write`), which writes it to the app's log files through
 * the same redaction as its own lines. Never throws; without the bridge, the console only.
 */
import type { RendererLogLevel } from '../../shared/ipc.ts';

const MAX_MESSAGE = 4000;

/** Data that survives structured clone / JSON (no functions, no cycles, Errors as plain objects). */
function plain(data: unknown): unknown {
  if (data === undefined) return undefined;
  try {
    return JSON.parse(
      JSON.stringify(data, (_k, v: unknown) => (v instanceof Error ? { name: v.name, message: v.message, stack: v.stack } : typeof v === 'bigint' ? String(v) : v)),
    ) as unknown;
  } catch {
    try {
      return String(data);
    } catch {
      return '[unserializable]';
    }
  }
}

function toConsole(level: RendererLogLevel, message: string, data: unknown): void {
  try {
    const fn = level === 'error' ? console.error : level === 'warn' ? console.warn : level === 'debug' ? console.debug : console.info;
    if (data === undefined) fn(`[parley] ${message}`);
    else fn(`[parley] ${message}`, data);
  } catch {
    /* nothing left to tell */
  }
}

function write(level: RendererLogLevel, message: string, data?: unknown): void {
  try {
    const text = message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message;
    const payload = plain(data);
    const api = typeof window !== 'undefined' ? window.parley : undefined;
    if (level !== 'debug' || !api) toConsole(level, text, payload);
    if (!api) return;
    const entry = payload === undefined ? { level, message: text } : { level, message: text, data: payload };
    api.logWrite(entry).then(
      (r) => {
        if (!r.ok) toConsole('warn', 'log write failed', r.error);
      },
      (e: unknown) => toConsole('warn', 'log write failed', String(e)),
    );
  } catch (e) {
    toConsole('warn', 'log write failed', String(e));
  }
}

export const log = {
  error: (message: string, data?: unknown): void => write('error', message, data),
  warn: (message: string, data?: unknown): void => write('warn', message, data),
  info: (message: string, data?: unknown): void => write('info', message, data),
  debug: (message: string, data?: unknown): void => write('debug', message, data),
};

let installed = false;

/** Logs uncaught errors and unhandled promise rejections at error level (once per page). */
export function installGlobalHandlers(): void {
  if (installed || typeof window === 'undefined') return;
  installed = true;
  window.addEventListener('error', (ev: ErrorEvent) => {
    const err: unknown = ev.error;
    const message = err instanceof Error ? err.message : ev.message || 'unknown error';
    log.error(`uncaught error: ${message}`, {
      name: err instanceof Error ? err.name : undefined,
      stack: err instanceof Error ? err.stack : undefined,
      source: ev.filename ? `${ev.filename}:${ev.lineno}:${ev.colno}` : undefined,
    });
  });
  window.addEventListener('unhandledrejection', (ev: PromiseRejectionEvent) => {
    const reason: unknown = ev.reason;
    const message = reason instanceof Error ? reason.message : (() => {
      try {
        return typeof reason === 'string' ? reason : JSON.stringify(reason);
      } catch {
        return String(reason);
      }
    })();
    log.error(`unhandled rejection: ${message}`, {
      name: reason instanceof Error ? reason.name : undefined,
      stack: reason instanceof Error ? reason.stack : undefined,
    });
  });
}
