import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, listLogFiles, timelineLogger } from '../../src/main/services/logging.ts';
import { createRedactor } from '../../src/main/services/redact.ts';

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

  it('timelineLogger writes one transport line per event, deltas only with logContent', () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-log-'));
    for (const logContent of [false, true]) {
      const fileName = logContent ? 'content.log' : 'parley.log';
      const log = createLogger({ dir, fileName, redactor: createRedactor([]), logContent });
      const on = timelineLogger(log);
      on({ type: 'route', route: 'direct (env)' });
      on({ type: 'status', phase: 'headers', ms: 5, status: 200 });
      on({ type: 'retry', attempt: 1, delayMs: 500, reason: 'server_error', message: 'HTTP 503' });
      on({ type: 'fallback', from: 'stream', to: 'whole', reason: 'bad_gateway', remembered: false });
      on({ type: 'delta', kind: 'text', text: 'private words' });
      const lines = readFileSync(join(dir, fileName), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.length).toBe(logContent ? 5 : 4);
      expect(lines.every((l) => l.scope === 'transport')).toBe(true);
      expect(JSON.stringify(lines).includes('private words')).toBe(logContent);
    }
  });
});
