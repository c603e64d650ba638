/**
 * Plain-Node logger (the CLI and the Electron shell) on electron-log/node: JSON lines in `<dir>/parley.log`,
 * rotated to parley.1.log … (at most `maxFiles` files, at most `maxTotalBytes` in all), every message redacted
 * once by a log hook before any transport sees it.
 *
 * The file is written by Parley's own transport (LogFile below), not electron-log's: that one needs an app name
 * from a package.json near the working folder (the CLI started in `~` or `/` logged nothing), counts the size in
 * one process only, and its failures vanished. Here:
 * - The app and the CLI share one folder, so writing and rotating are safe across processes. Every line is one
 *   write(2) on a descriptor opened with O_APPEND: the kernel places each whole line at the end, lines of two
 *   processes never interleave. Before each line the writer compares the inode of `parley.log` with its own
 *   descriptor's and re-opens when another process rotated, so nobody keeps writing into a file the caps may
 *   delete. Rotation (renaming parley.log → parley.1.log …, dropping the oldest whole files over the caps) runs
 *   only under `parley.log.lock`, created with O_EXCL ('wx') and holding the rotator's pid; a lock older than
 *   LOCK_STALE_MS or of a dead process is taken over. Under the lock the rotator checks that `parley.log` is
 *   still the file it found too large (another process may have just rotated it). A writer that finds the lock
 *   taken just appends and follows the new file on its next line.
 * - A failed write never stops the caller: the logger keeps going without a file, `writeError` says why (the app
 *   shows it), and it tries again every REOPEN_RETRY_MS. A write cut short (a full disk) leaves a torn line: the
 *   next line then starts with a newline, and a file found not ending in a newline at open is treated the same.
 * - Files are 0600 and the folder 0700.
 * - Message content (answers, partial answers of errors) is written only while `logContent` is on, one bounded
 *   entry per answer (CONTENT_LOG_CHARS), so one long answer cannot push the request timelines out of the files.
 */
import { closeSync, existsSync, fchmodSync, fstatSync, openSync, readdirSync, readFileSync, readSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join, parse } from 'node:path';
import electronLog from 'electron-log/node';
import { unreachable, type HeadHeader, type RequestEvent } from '../../../shared/events.ts';
import { routeSourceText, type RouteFacts } from '../../../shared/route.ts';
import type { Redactor } from './redact.ts';
import { ensurePrivateDir, osReason } from '../safe-write.ts';

export type LogLevel = 'error' | 'warn' | 'info' | 'verbose' | 'debug' | 'silly';
export type LogScope = 'transport' | 'ipc' | 'storage' | 'ui' | 'cli' | 'doctor' | 'bundle' | 'mcp' | 'sync' | 'update';

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
  /** Why the log file cannot be written now (a read-only or full folder), or undefined while it can. Never fatal. */
  readonly writeError: string | undefined;
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
  /** After a write failure, how long to go without a file before trying again (default REOPEN_RETRY_MS). */
  retryMs?: number;
}

const MAX_LINE_CHARS = 8 * 1024;
/** The most of one answer (or reasoning) the log keeps, with content logging on. */
export const CONTENT_LOG_CHARS = 4 * 1024;
/** A rotation lock older than this is left over from a process that died while rotating. */
const LOCK_STALE_MS = 10_000;
/** After a failure, how long the logger goes without a file before it tries again. */
const REOPEN_RETRY_MS = 5_000;
/** Fields that hold what a user or a model wrote: logged only with `logContent` (ErrorInfo's `partial` too). */
const CONTENT_FIELDS = new Set(['partial', 'text', 'reasoning', 'content', 'prompt', 'answer', 'systemPrompt', 'draft']);
let seq = 0;

/** An answer as the log keeps it: the first CONTENT_LOG_CHARS characters and the full length. */
export function contentForLog(text: string): { text: string; chars: number; truncated?: true } {
  return text.length > CONTENT_LOG_CHARS ? { text: text.slice(0, CONTENT_LOG_CHARS), chars: text.length, truncated: true } : { text, chars: text.length };
}

/** `data` without content fields (deep, bounded): with content logging off, nothing a user or model wrote is logged. */
function withoutContent(data: unknown, depth = 0): unknown {
  if (data === null || typeof data !== 'object' || depth > 8) return data;
  if (data instanceof Error) return { name: data.name, message: data.message };
  if (Array.isArray(data)) return data.map((d) => withoutContent(d, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
    if (CONTENT_FIELDS.has(k)) continue;
    out[k] = withoutContent(v, depth + 1);
  }
  return out;
}

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

/** Renames parley.log → parley.1.log …; drops the oldest whole files over the count and total caps. Under the lock only. */
function rotate(path: string, maxFiles: number, maxSize: number, maxTotal: number): void {
  const { dir, name, ext } = parse(path);
  const arch = (i: number): string => join(dir, `${name}.${i}${ext}`);
  const last = Math.max(1, maxFiles - 1);
  const gone = (e: unknown): boolean => (e as NodeJS.ErrnoException).code === 'ENOENT';
  const drop = (p: string): void => {
    try {
      unlinkSync(p);
    } catch (e) {
      if (!gone(e)) throw e;
    }
  };
  drop(arch(last));
  for (let i = last - 1; i >= 1; i--) {
    try {
      renameSync(arch(i), arch(i + 1));
    } catch (e) {
      if (!gone(e)) throw e;
    }
  }
  renameSync(path, arch(1));
  if (maxFiles <= 1) drop(arch(1));
  // Total cap: keep room for the live file (maxSize plus lines in flight), drop the oldest archives beyond it:
  // once one does not fit, it and every older one go (whole files, oldest first, never a gap).
  const budget = maxTotal - maxSize - MAX_LINE_CHARS * 4;
  let total = 0;
  let over = false;
  for (let i = 1; i <= last; i++) {
    const p = arch(i);
    const size = statSync(p, { throwIfNoEntry: false })?.size;
    if (size === undefined) continue;
    if (over || total + size > budget) {
      over = true;
      drop(p);
    } else total += size;
  }
  // Archives beyond the count cap (left by an older version or a changed cap) go too.
  for (const f of listLogFiles(dir, `${name}${ext}`)) {
    const m = /\.(\d+)\.[^.]+$/.exec(f);
    if (m && Number(m[1]) > last) drop(f);
  }
}

/** Whether a rotation lock was left by a process that is gone (or is older than any rotation takes). */
function staleLock(lock: string): boolean {
  try {
    const st = statSync(lock);
    if (Date.now() - st.mtimeMs > LOCK_STALE_MS) return true;
    const pid = Number(readFileSync(lock, 'utf8'));
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
    try {
      process.kill(pid, 0);
      return false;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'ESRCH';
    }
  } catch {
    return false;
  }
}

/** The log file, shared with other processes (see the comment at the top). */
class LogFile {
  private fd: number | undefined;
  private ino = -1;
  private dev = -1;
  /** The file does not end with a newline (a write was cut short): the next line starts with one. */
  private torn = false;
  private retryAt = 0;
  error: string | undefined;

  readonly path: string;
  private readonly maxSize: number;
  private readonly maxFiles: number;
  private readonly maxTotal: number;

  private readonly retryMs: number;

  constructor(path: string, maxSize: number, maxFiles: number, maxTotal: number, retryMs = REOPEN_RETRY_MS) {
    this.retryMs = retryMs;
    this.path = path;
    this.maxSize = maxSize;
    this.maxFiles = maxFiles;
    this.maxTotal = maxTotal;
  }

  private fail(e: unknown): void {
    this.error = `Parley cannot write its log ${this.path} (${osReason(e)}); it keeps running without a log file.`;
    this.retryAt = Date.now() + this.retryMs;
    this.close();
  }

  private close(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch { /* already gone */ }
    this.fd = undefined;
  }

  private open(): boolean {
    this.close();
    try {
      ensurePrivateDir(dirname(this.path));
      // 'a+': O_APPEND for the writes, readable for the last-byte check.
      const fd = openSync(this.path, 'a+', 0o600);
      this.fd = fd;
      const st = fstatSync(fd);
      if (process.platform !== 'win32' && (st.mode & 0o077) !== 0 && typeof process.getuid === 'function' && st.uid === process.getuid()) fchmodSync(fd, 0o600);
      this.ino = st.ino;
      this.dev = st.dev;
      this.torn = false;
      if (st.size > 0) {
        const b = Buffer.alloc(1);
        if (readSync(fd, b, 0, 1, st.size - 1) === 1 && b[0] !== 0x0a) this.torn = true;
      }
      return true;
    } catch (e) {
      this.fail(e);
      return false;
    }
  }

  private lock(lock: string): boolean {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(lock, 'wx', 0o600);
        try {
          writeSync(fd, String(process.pid));
        } finally {
          closeSync(fd);
        }
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || !staleLock(lock)) return false;
        try {
          unlinkSync(lock);
        } catch { /* another process took it over first */ }
      }
    }
    return false;
  }

  private rotate(): void {
    const lock = `${this.path}.lock`;
    // Someone else is rotating: keep appending; the next line follows the new file.
    if (!this.lock(lock)) return;
    try {
      const st = statSync(this.path, { throwIfNoEntry: false });
      if (st && st.ino === this.ino && st.dev === this.dev && st.size >= this.maxSize) rotate(this.path, this.maxFiles, this.maxSize, this.maxTotal);
    } catch { /* a failed rotation leaves a larger file, never a lost line */ } finally {
      try {
        unlinkSync(lock);
      } catch { /* gone */ }
    }
    this.open();
  }

  write(line: string): void {
    if (this.fd === undefined && (Date.now() < this.retryAt || !this.open())) return;
    let size: number;
    try {
      const st = statSync(this.path, { throwIfNoEntry: false });
      if (!st || st.ino !== this.ino || st.dev !== this.dev) {
        // Rotated (or removed) by another process: follow the name.
        if (!this.open()) return;
        size = fstatSync(this.fd as number).size;
      } else size = st.size;
    } catch (e) {
      this.fail(e);
      return;
    }
    if (this.maxSize > 0 && size >= this.maxSize) {
      this.rotate();
      if (this.fd === undefined) return;
    }
    const buf = Buffer.from(`${this.torn ? '\n' : ''}${line}\n`, 'utf8');
    try {
      // One write(2): with O_APPEND the whole line lands at the end, never between another process's bytes.
      const n = writeSync(this.fd as number, buf);
      if (n < buf.length) {
        this.torn = true;
        this.error = `Parley could not write all of a log line to ${this.path} (${n} of ${buf.length} bytes: the disk may be full).`;
        // Close the torn line now if there is room for one byte; otherwise the next line starts with it.
        if (writeSync(this.fd as number, '\n') === 1) this.torn = false;
      } else {
        this.torn = false;
        this.error = undefined;
      }
    } catch (e) {
      this.fail(e);
    }
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
  const path = join(opts.dir, fileName);
  const file = new LogFile(path, maxSize, maxFiles, maxTotal, opts.retryMs);
  const log = electronLog.create({ logId: `parley-${process.pid}-${++seq}` });
  log.transports.console.level = opts.consoleLevel ?? false;
  // Parley's own file transport in electron-log's place (same name, so hooks see 'file'): it formats with
  // `format` below and writes through LogFile.
  const transport = Object.assign(
    (message: Parameters<typeof log.transports.file>[0]): void => {
      const fmt = transport.format as unknown as (p: { message: typeof message; level: string }) => unknown[];
      file.write(fmt({ message, level: message.level }).map(String).join(' '));
    },
    { level: log.transports.file.level, format: log.transports.file.format },
  );
  (log.transports as unknown as Record<string, unknown>).file = transport;
  log.transports.file.level = opts.level ?? 'info';
  log.transports.file.format = ({ message, level }) => {
    const [text, data] = message.data as [unknown, unknown];
    // A last pass over the serialised line (every string in it, at any depth; the JSON stays valid).
    return [redactor.redactJson(JSON.stringify({ time: message.date.toISOString(), level, scope: message.scope ?? 'app', message: typeof text === 'string' ? text : JSON.stringify(text), ...(data !== undefined ? { data } : {}) }))];
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
      else fn(message, self.logContent ? data : withoutContent(data));
    };
    return { error: call(l.error), warn: call(l.warn), info: call(l.info), verbose: call(l.verbose), debug: call(l.debug) };
  };
  const self: Logger = {
    ...make(log),
    scope: (name) => make(log.scope(name)),
    path,
    logContent: opts.logContent === true,
    redactor,
    get writeError() {
      return file.error;
    },
  };
  return self;
}

/** A request event as one timeline entry: its type, log message, level and data (and a head's headers). */
export interface TimelineEntry {
  type: 'route' | 'dns' | 'connect' | 'proxy' | 'tls' | 'request' | 'response' | 'status' | 'first_byte' | 'end' | 'retry' | 'fallback';
  message: string;
  level: 'info' | 'warn';
  data: Record<string, string | number | boolean>;
  headers?: HeadHeader[];
}

/**
 * A route as one entry's data: the English words (`route`, `rule`) for the log, and the same as fields
 * (`via`, `proxy`, `source` and its `sourceRule` / `sourceVariable`) the network panel words in its language.
 */
export function routeFactsData(route: string, f: RouteFacts): Record<string, string> {
  const s = f.source;
  return {
    route, via: f.via, ...(f.proxy ? { proxy: f.proxy } : {}), rule: routeSourceText(s), source: s.kind,
    ...('rule' in s ? { sourceRule: s.rule } : {}), ...('variable' in s ? { sourceVariable: s.variable } : {}),
  };
}

/**
 * The one mapping of request events to timeline entries (the log's lines and the network panel's steps): the
 * app's request recorder (requests.ts) and the CLI's log (timelineLogger) write the same lines. A connection
 * step carries its English (`detail`, the log) and the sentence with its values (`say`, the panel words them).
 * The answer's pieces are no entries, nor is an error (the caller's own last entry says how it ended).
 */
export function timelineEntries(ev: RequestEvent): TimelineEntry[] {
  const info = (type: TimelineEntry['type'], message: string, data: TimelineEntry['data'], headers?: HeadHeader[]): TimelineEntry[] => [{ type, message, level: 'info', data, ...(headers ? { headers } : {}) }];
  switch (ev.type) {
    case 'route':
      return info('route', 'route', ev.facts ? routeFactsData(ev.route, ev.facts) : { route: ev.route });
    case 'dns':
      return info('dns', 'dns', ev.local
        ? { detail: `${ev.host} → ${ev.address} (local, for ${ev.local.scheme})`, say: 'dnsLocal', host: ev.host, address: ev.address, scheme: ev.local.scheme }
        : { detail: `${ev.host} → ${ev.address}`, say: 'dns', host: ev.host, address: ev.address });
    case 'connect':
      return info('connect', 'connect', { detail: `${ev.where} ${ev.host} connected`, say: 'connected', where: ev.where, host: ev.host });
    case 'proxy':
      return info('proxy', 'proxy', ev.status !== undefined
        ? { detail: `CONNECT ${ev.target} → ${ev.status}`, say: 'connectAnswer', target: ev.target, status: ev.status }
        : { detail: `${ev.scheme} tunnel to ${ev.target} open`, say: 'tunnel', scheme: ev.scheme, target: ev.target });
    case 'tls':
      return info('tls', 'tls', { detail: `${ev.where} ${ev.host} ${ev.protocol} issuer ${ev.issuer}`, say: 'tls', where: ev.where, host: ev.host, protocol: ev.protocol, issuer: ev.issuer });
    case 'request':
      return info('request', 'request', { method: ev.method, url: ev.url, ...(ev.via ? { via: ev.via } : {}) }, ev.headers);
    case 'response':
      // The head, then the status as the request saw it (its time since the request began).
      return [
        ...info('response', 'response', { status: ev.status, ...(ev.statusText ? { statusText: ev.statusText } : {}) }, ev.headers),
        ...info('status', 'status headers', { phase: 'headers', ms: ev.t, status: ev.status }),
      ];
    case 'first_byte':
      return info('first_byte', 'status first_delta', { phase: 'first_delta', ms: ev.t });
    case 'end':
      return info('end', 'status end', { phase: 'end', ms: ev.t, ...(ev.mode ? { mode: ev.mode } : {}), ...(ev.attempts !== undefined ? { attempts: ev.attempts } : {}) });
    case 'retry':
      return [{ type: 'retry', message: `retry ${ev.attempt}`, level: 'warn', data: { attempt: ev.attempt, delayMs: ev.delayMs, reason: ev.reason, message: ev.message, ...(ev.cappedFromMs ? { cappedFromMs: ev.cappedFromMs } : {}) } }];
    case 'fallback':
      return [{ type: 'fallback', message: 'fallback', level: 'warn', data: { from: ev.from, to: ev.to, reason: ev.reason, remembered: ev.remembered, ...(ev.untilMs ? { untilMs: ev.untilMs } : {}), ...(ev.noReasoning ? { noReasoning: true } : {}) } }];
    case 'delta':
    case 'reasoning':
    case 'error':
    case 'usage': // how the answer ended and its usage are the answer's facts, kept with it (the chat's log line has them)
    case 'finish':
    case 'dropped':
      return [];
    default:
      return unreachable(ev);
  }
}

/**
 * Request events → one log line each under scope `transport` (timelineEntries), but the heads: the CLI's log
 * keeps the request's steps, not its headers. Deltas are not lines: with `logContent` on, the answer is one
 * entry at its end, bounded by CONTENT_LOG_CHARS.
 */
export function timelineLogger(logger: Logger): (ev: RequestEvent) => void {
  const t = logger.scope('transport');
  const got = { text: '', reasoning: '', textChars: 0, reasoningChars: 0 };
  const keep = (have: string, more: string): string => (have.length >= CONTENT_LOG_CHARS ? have : (have + more).slice(0, CONTENT_LOG_CHARS));
  return (ev) => {
    for (const entry of timelineEntries(ev)) if (entry.type !== 'request' && entry.type !== 'response') t[entry.level](entry.message, entry.data);
    if (ev.type === 'end' && logger.logContent && (got.textChars || got.reasoningChars)) {
      const bounded = (kept: string, chars: number) => ({ ...contentForLog(kept), chars, ...(chars > kept.length ? { truncated: true } : {}) });
      t.info('answer', { answer: bounded(got.text, got.textChars), ...(got.reasoningChars ? { reasoning: bounded(got.reasoning, got.reasoningChars) } : {}) });
      Object.assign(got, { text: '', reasoning: '', textChars: 0, reasoningChars: 0 });
    }
    if ((ev.type === 'delta' || ev.type === 'reasoning') && logger.logContent) {
      if (ev.type === 'delta') {
        got.text = keep(got.text, ev.text);
        got.textChars += ev.text.length;
      } else {
        got.reasoning = keep(got.reasoning, ev.text);
        got.reasoningChars += ev.text.length;
      }
    }
  };
}
