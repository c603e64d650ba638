/**
 * A full disk and a read-only folder, for real: a small tmpfs filled up, or remounted read-only. What a failed
 * write leaves (nothing), what the logger does (keeps going, says why, never glues two lines), and what the user
 * is told (storage_failed with the path and the OS's reason, never protocol_error).
 *
 * Mounting needs root (as in CI); elsewhere those cases are skipped with the reason.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppServices } from '../../src/main/services/app.ts';
import { testAppServices } from '../helpers/app-services.ts';
import { writeBundle } from '../../src/main/services/diagnostics/bundle.ts';
import { saveDoctorReport } from '../../src/main/services/doctor/reports.ts';
import { createLogger } from '../../src/main/services/diagnostics/logging.ts';
import { createRedactor } from '../../src/main/services/diagnostics/redact.ts';
import { createSettingsStore } from '../../src/main/services/settings/store.ts';
import type { DoctorReport } from '../../src/shared/doctor.ts';
import type { ErrorInfo } from '../../src/shared/errors.ts';

function tryMount(dir: string, size: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
function unmount(dir: string): void {
  try {
    execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
  } catch { /* not mounted */ }
}

const canMount = (() => {
  const d = mkdtempSync(join(tmpdir(), 'parley-mountcheck-'));
  const ok = tryMount(d, '64k');
  if (ok) unmount(d);
  rmSync(d, { recursive: true, force: true });
  return ok;
})();
const NEEDS_MOUNT = 'needs root to mount a tmpfs (run as root, as CI does)';

let mounts: string[] = [];
let dirs: string[] = [];
let services: AppServices[] = [];
const tmp = (name: string): string => {
  const d = mkdtempSync(join(tmpdir(), `parley-disk-${name}-`));
  dirs.push(d);
  return d;
};
/** A fresh tmpfs of `size` (e.g. '1m'). */
const disk = (size: string): string => {
  const d = tmp('mnt');
  if (!tryMount(d, size)) throw new Error('mount failed');
  mounts.push(d);
  return d;
};
const readOnly = (d: string): void => {
  execFileSync('mount', ['-o', 'remount,ro', d], { stdio: 'ignore' });
};
/** Fills the disk to the last byte with `<dir>/filler`; returns its path (remove it to free the space). */
function fill(dir: string): string {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'a');
  try {
    for (const chunk of [64 * 1024, 4096, 512, 64, 8, 1]) {
      const buf = Buffer.alloc(chunk, 0x61);
      for (;;) {
        try {
          if (writeSync(fd, buf) < chunk) break;
        } catch {
          break;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return path;
}
afterEach(async () => {
  for (const s of services) await s.close().catch(() => undefined);
  for (const m of mounts) unmount(m);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  mounts = [];
  dirs = [];
  services = [];
});

const report: DoctorReport = { verdict: 'ok', findings: [], steps: [], hints: [] } as unknown as DoctorReport;

describe.skipIf(!canMount)(`a full disk (1 MB tmpfs filled up) — ${NEEDS_MOUNT}`, () => {
  it('a settings save fails as storage_failed naming the file; no temporary file is left and the old settings stay', () => {
    const mnt = disk('1m');
    const data = join(mnt, 'data');
    const store = createSettingsStore(data);
    store.update({ ui: { theme: 'dark' } });
    const before = readFileSync(join(data, 'settings.json'), 'utf8');
    fill(mnt);
    let err: unknown;
    try {
      store.update({ network: { retries: 7 }, ui: { theme: 'light' } });
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'storage_failed' });
    expect((err as Error).message).toContain(join(data, 'settings.json'));
    expect((err as Error).message).toMatch(/ENOSPC/);
    expect(readdirSync(data)).toEqual(['settings.json']);
    expect(readFileSync(join(data, 'settings.json'), 'utf8')).toBe(before);
  });

  it('a doctor report is not saved, and leaves no 0-byte or temporary file', () => {
    const mnt = disk('1m');
    const data = join(mnt, 'data');
    mkdirSync(data);
    fill(mnt);
    expect(saveDoctorReport(data, report)).toBeUndefined();
    expect(readdirSync(data)).toEqual([]);
  });

  it('a support bundle fails as storage_failed naming the file; no 0-byte zip or temporary file is left', async () => {
    const mnt = disk('1m');
    const out = join(mnt, 'out');
    mkdirSync(out);
    const logs = tmp('logs');
    createLogger({ dir: logs, redactor: createRedactor([]) }).info('something to bundle');
    fill(mnt);
    const target = join(out, 'bundle.zip');
    await expect(writeBundle({ out: target, configDir: tmp('cfg'), logDir: logs, env: {} })).rejects.toMatchObject({ code: 'storage_failed', message: expect.stringContaining(target) });
    expect(readdirSync(out)).toEqual([]);
  });

  it('the log: lines that do not fit are dropped (writeError says why), a torn line never has the next one glued to it, and logging resumes once there is space', () => {
    const mnt = disk('1m');
    const dir = join(mnt, 'logs');
    const log = createLogger({ dir, redactor: createRedactor([]), retryMs: 0 });
    for (let i = 0; i < 10; i++) log.info('before', { i });
    const filler = fill(mnt);
    // The log's last page still has some room: some lines fit, one is cut, the rest fail.
    for (let i = 0; i < 200; i++) log.info('while full', { i, pad: 'p'.repeat(100) });
    expect(log.writeError).toMatch(/ENOSPC|disk may be full/);
    rmSync(filler);
    for (let i = 0; i < 10; i++) log.info('after', { i });
    expect(log.writeError).toBeUndefined();
    const lines = readFileSync(join(dir, 'parley.log'), 'utf8').split('\n');
    expect(lines.at(-1)).toBe('');
    let torn = 0;
    for (const line of lines.slice(0, -1)) {
      // Never two records on one line.
      expect(line.split('{"time"').length, line.slice(0, 200)).toBeLessThanOrEqual(2);
      try {
        JSON.parse(line);
      } catch {
        torn++;
      }
    }
    expect(torn).toBeLessThanOrEqual(1);
    const after = lines.filter((l) => l.includes('"message":"after"'));
    expect(after).toHaveLength(10);
    for (const l of after) expect(() => JSON.parse(l)).not.toThrow();
  });
});

describe.skipIf(!canMount)(`a read-only folder — ${NEEDS_MOUNT}`, () => {
  const app = (dataDir: string, logDir: string, savePath?: string): AppServices => {
    const svc = testAppServices(dataDir, {
      logDir,
      chooseExportPath: async (name) => join(savePath ?? dataDir, name),
      chooseSavePath: async (name) => join(savePath ?? dataDir, name),
    });
    services.push(svc);
    return svc;
  };

  it('a read-only log folder does not stop the app: it opens, and the boot payload says where it could not write', async () => {
    const mnt = disk('1m');
    readOnly(mnt);
    const logDir = join(mnt, 'logs');
    const svc = app(tmp('data'), logDir);
    svc.logger.info('app started');
    const boot = await svc.invoke({ windowId: 'w1' }, 'app:boot', []);
    expect(boot.ok).toBe(true);
    const error = (boot as { value: { logWriteError?: ErrorInfo } }).value.logWriteError;
    expect(error).toMatchObject({ code: 'storage_failed' });
    expect(error?.message).toContain(join(logDir, 'parley.log'));
    expect(error?.message).toMatch(/EROFS/);
    expect(svc.logger.writeError, svc.logger.writeError).toMatch(/EROFS/);
    expect(existsSync(logDir)).toBe(false);
  });

  it('a read-only data folder does not stop the app: it opens on a session folder, says so at start, and the chat works', async () => {
    const mnt = disk('1m');
    readOnly(mnt);
    const dataDir = join(mnt, 'data');
    const svc = app(dataDir, tmp('logs'));
    const boot = await svc.invoke({ windowId: 'w1' }, 'app:boot', []);
    expect(boot.ok).toBe(true);
    const error = (boot as { value: { storageError?: ErrorInfo } }).value.storageError;
    expect(error).toMatchObject({ code: 'storage_failed' });
    expect(error?.message).toContain(dataDir);
    expect(error?.message).toMatch(/read-only|EROFS/);
    expect(error?.hint).toBeTruthy();
    const conv = await svc.invoke({ windowId: 'w1' }, 'conversations:create', [undefined as never]);
    expect(conv.ok).toBe(true);
    expect((await svc.invoke({ windowId: 'w1' }, 'conversations:list', [])) as { value: unknown[] }).toMatchObject({ ok: true, value: [expect.anything()] });
  });

  it('an OS file error a handler did not expect is storage_failed naming the path, not protocol_error', async () => {
    const mnt = disk('1m');
    readOnly(mnt);
    const logDir = join(mnt, 'logs');
    const svc = app(tmp('data'), logDir);
    // Show the log folder: it has to be created, on a read-only disk.
    const r = await svc.invoke({ windowId: 'w1' }, 'logs:open', []);
    expect(r.ok).toBe(false);
    const error = (r as { error: ErrorInfo }).error;
    expect(error.code).toBe('storage_failed');
    expect(error.message).toContain(logDir);
    expect(error.message).toMatch(/EROFS/);
  });

  it('exporting a conversation or the support bundle into a read-only folder is storage_failed with the path and the reason, not protocol_error', async () => {
    const mnt = disk('1m');
    mkdirSync(join(mnt, 'exports'));
    readOnly(mnt);
    const out = join(mnt, 'exports');
    const svc = app(tmp('data'), tmp('logs'), out);
    const conv = await svc.invoke({ windowId: 'w1' }, 'conversations:create', [undefined as never]);
    expect(conv.ok).toBe(true);
    const id = (conv as { value: { id: string } }).value.id;
    for (const [channel, args] of [['conversations:export', [id, 'markdown']], ['diagnostics:export', []]] as const) {
      const r = await svc.invoke({ windowId: 'w1' }, channel, args as never);
      expect(r.ok, channel).toBe(false);
      const error = (r as { error: ErrorInfo }).error;
      expect(error.code, channel).toBe('storage_failed');
      expect(error.message, channel).toContain(out);
      expect(error.message, channel).toMatch(/EROFS/);
    }
    expect(readdirSync(out)).toEqual([]);
  });
});
