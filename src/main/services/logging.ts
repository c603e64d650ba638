/**
 * Plain-Node logger (CLI now, the Electron shell later) on electron-log/node: JSON lines in `<dir>/parley.log`,
 * rotated to parley.1.log … (at most `maxFiles` files, at most `maxTotalBytes` in all), every message redacted
 * once by a log hook before any transport sees it.
 */
import { existsSync, readdirSync, renameSync, statSync, unlinkSync, mkdirSync } from 'node:fs';
import { join, parse } from 'node:path';
import electronLog from 'electron-log/node';
import type { ChatEvent } from '../core/index.ts';
import type { Redactor } from './redact.ts';

export type LogLevel = 'error' | 'warn' | 'info' | 'verbose' | 'debug' | 'silly';
export type LogScope = 'transport' | 'ipc' | 'storage' | 'ui' | 'cli' | 'doctor' | 'bundle';

export interface ScopedLogger {
  error(message: string, data?: unknown): void;
  warn(message: string, data?: unknown): void;
  info(message: string, data?: unknown): void;
  verbose(message: string, data?: unknown): void;
  debug(message: string, data?: unknown): void;
}

export interface Logger extends ScopedLogger {
  scope(name: LogScope): ScopedLogger;
  readonly path: string;
  /** Message content goes to the file only while this is on (the app changes it with the setting). */
  logContent: boolean;
  readonly redactor: Redactor;
}

export interface LoggerOptions {
  dir: string;
  fileName?: string;
  maxSizeBytes?: number;
  maxFiles?: number;
  maxTotalBytes?: number;
  level?: LogLevel;
  redactor: Redactor;
  logContent?: boolean;
  /** Also print to the console at this level (default: off). */
  consoleLevel?: LogLevel | false;
}

const MAX_LINE_CHARS = 8 * 1024;
let seq = 0;

/** Rotated log files of `fileName` in `dir`, newest first (parley.log, parley.1.log, …). */
export function listLogFiles(dir: string, fileName = 'parley.log'): string[] {
  if (!existsSync(dir)) return [];
  const { name, ext } = parse(fileName);
  const re = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:\\.(\\d+))?${ext.replace('.', '\\.')}$`);
  return readdirSync(dir)
    .map((f) => ({ f, m: re.exec(f) }))
    .filter((x) => x.m)
    .sort((a, b) => Number(a.m?.[1] ?? 0) - Number(b.m?.[1] ?? 0))
    .map((x) => join(dir, x.f));
}

function rotate(path: string, maxFiles: number, maxSize: number, maxTotal: number): void {
  const { dir, name, ext } = parse(path);
  const arch = (i: number): string => join(dir, `${name}.${i}${ext}`);
  const last = Math.max(1, maxFiles - 1);
  if (existsSync(arch(last))) unlinkSync(arch(last));
  for (let i = last - 1; i >= 1; i--) if (existsSync(arch(i))) renameSync(arch(i), arch(i + 1));
  renameSync(path, arch(1));
  if (maxFiles <= 1 && existsSync(arch(1))) unlinkSync(arch(1));
  // Total cap: keep room for the live file (maxSize plus one line), drop the oldest archives beyond it.
  const budget = maxTotal - maxSize - MAX_LINE_CHARS * 4;
  let total = 0;
  for (let i = 1; i <= last; i++) {
    const p = arch(i);
    if (!existsSync(p)) continue;
    const size = statSync(p).size;
    if (total + size > budget) unlinkSync(p);
    else total += size;
  }
}

function toData(data: unknown): unknown {
  if (data === undefined) return undefined;
  let s: string;
  try {
    s = JSON.stringify(data) ?? 'null';
  } catch {
    return String(data);
  }
  return s.length > MAX_LINE_CHARS ? { truncated: true, text: s.slice(0, MAX_LINE_CHARS) } : data;
}

export function createLogger(opts: LoggerOptions): Logger {
  const fileName = opts.fileName ?? 'parley.log';
  const maxSize = opts.maxSizeBytes ?? 1024 * 1024;
  const maxFiles = opts.maxFiles ?? 5;
  const maxTotal = opts.maxTotalBytes ?? 8 * 1024 * 1024;
  const { redactor } = opts;
  mkdirSync(opts.dir, { recursive: true });
  const path = join(opts.dir, fileName);
  const log = electronLog.create({ logId: `parley-${process.pid}-${++seq}` });
  log.transports.console.level = opts.consoleLevel ?? false;
  log.transports.file.level = opts.level ?? 'info';
  log.transports.file.resolvePathFn = () => path;
  log.transports.file.maxSize = maxSize;
  log.transports.file.archiveLogFn = (file) => rotate(file.toString(), maxFiles, maxSize, maxTotal);
  log.transports.file.format = ({ message, level }) => {
    const [text, data] = message.data as [unknown, unknown];
    return [JSON.stringify({ time: message.date.toISOString(), level, scope: message.scope ?? 'app', message: typeof text === 'string' ? text : JSON.stringify(text), ...(data !== undefined ? { data } : {}) })];
  };
  // Redaction: one hook for every transport; the redacted copy is computed once per message.
  const done = new WeakMap<object, unknown[]>();
  log.hooks.push((message) => {
    let data = done.get(message);
    if (!data) {
      data = (message.data as unknown[]).map((d) => redactor.redactValue(toData(d)));
      done.set(message, data);
    }
    return { ...message, data };
  });

  const make = (l: { error: (...a: unknown[]) => void; warn: (...a: unknown[]) => void; info: (...a: unknown[]) => void; verbose: (...a: unknown[]) => void; debug: (...a: unknown[]) => void }): ScopedLogger => {
    const call = (fn: (...a: unknown[]) => void) => (message: string, data?: unknown): void => {
      if (data === undefined) fn(message);
      else fn(message, data);
    };
    return { error: call(l.error), warn: call(l.warn), info: call(l.info), verbose: call(l.verbose), debug: call(l.debug) };
  };
  return {
    ...make(log),
    scope: (name) => make(log.scope(name)),
    path,
    logContent: opts.logContent === true,
    redactor,
  };
}

/** ChatEvents → one log line each under scope `transport` (deltas only when `logContent`). */
export function timelineLogger(logger: Logger): (ev: ChatEvent) => void {
  const t = logger.scope('transport');
  return (ev) => {
    switch (ev.type) {
      case 'route':
        t.info('route', { route: ev.route });
        break;
      case 'status':
        t.info(`status ${ev.phase}`, { phase: ev.phase, ms: ev.ms, ...(ev.status !== undefined ? { status: ev.status } : {}) });
        break;
      case 'retry':
        t.warn(`retry ${ev.attempt}`, { attempt: ev.attempt, delayMs: ev.delayMs, reason: ev.reason, message: ev.message, ...(ev.cappedFromMs ? { cappedFromMs: ev.cappedFromMs } : {}) });
        break;
      case 'fallback':
        t.warn('fallback', { from: ev.from, to: ev.to, reason: ev.reason, remembered: ev.remembered, ...(ev.untilMs ? { untilMs: ev.untilMs } : {}) });
        break;
      case 'delta':
        if (logger.logContent) t.info('delta', { kind: ev.kind, text: ev.text });
        break;
      default:
        break;
    }
  };
}
