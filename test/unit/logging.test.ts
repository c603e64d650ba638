import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CONTENT_LOG_CHARS, createLogger, listLogFiles, timelineLogger } from '../../src/main/services/diagnostics/logging.ts';
import { createRedactor } from '../../src/main/services/diagnostics/redact.ts';

const KEY = 'configured-key-Zq9Xw7Vv';
const BEARER = 'opaqueBearerTok123456';
const PROXY_PW = 'proxyPassw0rdX';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('createLogger', () => {
  it('rotates a burst of 20,000 lines within maxFiles and the total cap, JSON lines, no secret', () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-log-'));
    const maxSizeBytes = 64 * 1024;
    const maxFiles = 4;
    const maxTotalBytes = 200 * 1024;
    const log = createLogger({ dir, maxSizeBytes, maxFiles, maxTotalBytes, level: 'info', redactor: createRedactor([KEY]) });
    const t = log.scope('transport');
    for (let i = 0; i < 20_000; i++) {
      if (i % 3 === 0) t.info(`request ${i} with ${KEY}`, { i, headers: { Authorization: `Bearer ${BEARER}` } });
      else if (i % 3 === 1) log.scope('cli').warn(`Authorization: Bearer ${BEARER}`, { proxy: `http://bob:${PROXY_PW}@proxy.corp:3128` });
      else log.info('plain line', { i });
    }
    const files = listLogFiles(dir);
    expect(files.length).toBeGreaterThan(1);
    expect(files.length).toBeLessThanOrEqual(maxFiles);
    const total = files.reduce((n, f) => n + statSync(f).size, 0);
    expect(total).toBeLessThanOrEqual(maxTotalBytes);
    let lines = 0;
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      for (const s of [KEY, BEARER, PROXY_PW]) expect(text).not.toContain(s);
      for (const line of text.split('\n').filter(Boolean)) {
        const o = JSON.parse(line) as Record<string, unknown>;
        expect(typeof o.time).toBe('string');
        expect(typeof o.level).toBe('string');
        expect(typeof o.message).toBe('string');
        lines++;
      }
    }
    expect(lines).toBeGreaterThan(100);
  });

  it('timelineLogger writes one transport line per event; content only with logContent, the answer as one entry at its end', () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-log-'));
    for (const logContent of [false, true]) {
      const fileName = logContent ? 'content.log' : 'parley.log';
      const log = createLogger({ dir, fileName, redactor: createRedactor([]), logContent });
      const on = timelineLogger(log);
      on({ type: 'route', t: 0, route: 'direct (env)' });
      on({ type: 'response', t: 5, status: 200, headers: [{ name: 'content-type', value: 'text/event-stream' }] });
      on({ type: 'retry', t: 6, attempt: 1, delayMs: 500, reason: 'server_error', message: 'HTTP 503' });
      on({ type: 'fallback', t: 7, from: 'stream', to: 'whole', reason: 'bad_gateway', remembered: false });
      on({ type: 'delta', t: 8, text: 'private ' });
      on({ type: 'delta', t: 8, text: 'words' });
      on({ type: 'end', t: 9 });
      const lines = readFileSync(join(dir, fileName), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.map((l) => l.message)).toEqual(['route', 'status headers', 'retry 1', 'fallback', 'status end', ...(logContent ? ['answer'] : [])]);
      expect(lines.every((l) => l.scope === 'transport')).toBe(true);
      expect(JSON.stringify(lines).includes('private words')).toBe(logContent);
    }
  });

  it('one long answer (content logging on) is one bounded entry: the request timelines of earlier requests stay in the files', () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-log-'));
    const log = createLogger({ dir, maxSizeBytes: 16 * 1024, maxFiles: 3, maxTotalBytes: 64 * 1024, redactor: createRedactor([]), logContent: true });
    log.scope('transport').info('chat request', { requestId: 'earlier-request' });
    const on = timelineLogger(log);
    on({ type: 'route', t: 0, route: 'direct (env)' });
    // 1 MB of answer in 20,000 deltas.
    for (let i = 0; i < 20_000; i++) on({ type: 'delta', t: 1, text: `word${String(i).padStart(5, '0')} `.repeat(5).slice(0, 50) });
    on({ type: 'end', t: 100 });
    const text = listLogFiles(dir).map((f) => readFileSync(f, 'utf8')).join('');
    expect(text).toContain('earlier-request');
    const lines = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { message: string; data?: { answer?: { text: string; chars: number; truncated?: boolean } } });
    const answers = lines.filter((l) => l.message === 'answer');
    expect(answers).toHaveLength(1);
    expect(answers[0]?.data?.answer?.chars).toBe(1_000_000);
    expect(answers[0]?.data?.answer?.truncated).toBe(true);
    expect(answers[0]?.data?.answer?.text.length).toBe(CONTENT_LOG_CHARS);
    expect(text.length).toBeLessThan(16 * 1024);
  });

  it('content logging off means off: the partial answer of an error (and any content field) is not logged; on, it is', () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-log-'));
    for (const logContent of [false, true]) {
      const fileName = logContent ? 'on.log' : 'off.log';
      const log = createLogger({ dir, fileName, redactor: createRedactor([]), logContent });
      log.scope('cli').error('stream_interrupted', { code: 'stream_interrupted', message: 'The connection was cut.', hint: 'Retry.', partial: 'the secret plans of the user' });
      log.scope('transport').info('chat done', { requestId: 'r1', chars: 20, answer: { text: 'an answer about plans', chars: 21 } });
      const text = readFileSync(join(dir, fileName), 'utf8');
      expect(text).toContain('stream_interrupted');
      expect(text).toContain('r1');
      expect(text.includes('the secret plans of the user')).toBe(logContent);
      expect(text.includes('an answer about plans')).toBe(logContent);
    }
  });

  // Windows has no POSIX modes (ACLs instead): the 0600/0700 rule is for the other OSes.
  it.skipIf(process.platform === 'win32')('the log folder is 0700 and its files 0600 (also a folder and file left 0755/0644 by an older version)', () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-log-'));
    const fresh = join(dir, 'fresh', 'logs');
    createLogger({ dir: fresh, redactor: createRedactor([]) }).info('hello');
    expect(statSync(fresh).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'fresh')).mode & 0o777).toBe(0o700);
    expect(statSync(join(fresh, 'parley.log')).mode & 0o777).toBe(0o600);
    const old = join(dir, 'old');
    mkdirSync(old, { mode: 0o755 });
    chmodSync(old, 0o755);
    writeFileSync(join(old, 'parley.log'), '{"old":true}\n', { mode: 0o644 });
    chmodSync(join(old, 'parley.log'), 0o644);
    const log = createLogger({ dir: old, maxSizeBytes: 2048, redactor: createRedactor([]) });
    for (let i = 0; i < 100; i++) log.info('line', { i });
    expect(statSync(old).mode & 0o777).toBe(0o700);
    for (const f of listLogFiles(old)) expect(statSync(f).mode & 0o777).toBe(0o600);
  });

  it('a line torn by an earlier write (a full disk, a crash) does not swallow the next one: it starts on a new line', () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-log-'));
    writeFileSync(join(dir, 'parley.log'), '{"time":"t","level":"info","message":"whole"}\n{"time":"t","level":"info","mess');
    const log = createLogger({ dir, redactor: createRedactor([]) });
    log.info('after the tear', { n: 1 });
    log.info('and one more', { n: 2 });
    const lines = readFileSync(join(dir, 'parley.log'), 'utf8').split('\n');
    expect(lines[1]).toBe('{"time":"t","level":"info","mess');
    expect((JSON.parse(lines[2] ?? '') as { message: string }).message).toBe('after the tear');
    expect((JSON.parse(lines[3] ?? '') as { message: string }).message).toBe('and one more');
  });

  it('a log folder that cannot be created is not fatal: the logger keeps going without a file and says why', () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-log-'));
    writeFileSync(join(dir, 'not-a-folder'), 'x');
    const logDir = join(dir, 'not-a-folder', 'logs');
    const log = createLogger({ dir: logDir, redactor: createRedactor([]) });
    expect(() => {
      log.info('first');
      log.scope('cli').error('second', { code: 'x' });
    }).not.toThrow();
    expect(log.writeError).toMatch(/ENOTDIR/);
    expect(log.writeError).toContain(join(logDir, 'parley.log'));
  });

  it('a rotation lock left by a dead process is taken over: rotation goes on, the caps hold', () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-log-'));
    const lock = join(dir, 'parley.log.lock');
    writeFileSync(lock, '999999999');
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    const log = createLogger({ dir, maxSizeBytes: 4096, maxFiles: 3, maxTotalBytes: 1024 * 1024, redactor: createRedactor([]) });
    for (let i = 0; i < 500; i++) log.info('line', { i });
    const files = listLogFiles(dir);
    expect(files).toHaveLength(3);
    expect(existsSync(lock)).toBe(false);
    expect(readFileSync(files[0] as string, 'utf8')).toContain('"i":499');
  });
});
