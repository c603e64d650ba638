/**
 * The conversations are the user's own (issue 15): parley.db and its -wal and -shm files are owner-only like
 * their folder, and a failed export (its file is named after the conversation's title) names the folder, not
 * the file, so the title reaches neither the log nor the support bundle.
 */
import { chmodSync, closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AppServices } from '../../src/main/services/app.ts';
import { testAppServices } from '../helpers/app-services.ts';

const dirs: string[] = [];
const apps: AppServices[] = [];
afterAll(async () => {
  for (const a of apps) await a.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'parley-private-'));
  dirs.push(d);
  return d;
}
const mode = (f: string): number => statSync(f).mode & 0o777;

describe('files that hold conversations', () => {
  // POSIX permission bits: Windows has none to check (ACLs protect the profile folder there). Runs on Linux and macOS.
  it.skipIf(process.platform === 'win32')('parley.db, -wal and -shm are 0600; an older 0644 database is narrowed at start', async () => {
    const dir = tmp();
    const svc = testAppServices(dir);
    apps.push(svc);
    const c = await svc.invoke({ windowId: 'w' }, 'conversations:create', []);
    expect(c.ok).toBe(true);
    const files = ['parley.db', 'parley.db-wal', 'parley.db-shm'].map((f) => join(dir, f));
    for (const f of files) expect(existsSync(f), f).toBe(true);
    for (const f of files) expect(mode(f).toString(8), f).toBe('600');
    await svc.close();
    apps.pop();
    // As an older version left it.
    for (const f of files) if (existsSync(f)) chmodSync(f, 0o644);
    else closeSync(openSync(f, 'a', 0o644));
    const again = testAppServices(dir);
    apps.push(again);
    expect((await again.invoke({ windowId: 'w' }, 'conversations:list', [])).ok).toBe(true);
    for (const f of files) if (existsSync(f)) expect(mode(f).toString(8), f).toBe('600');
  });

  it('a failed export names the folder, not the file named after the title: the title is in neither the error nor the log (which the support bundle holds)', async () => {
    const dir = tmp();
    const TITLE = 'Severance terms for Jordan';
    const missing = join(dir, 'no-such-folder');
    const svc = testAppServices(dir, { chooseSavePath: async (name) => join(missing, name) });
    apps.push(svc);
    const c = await svc.invoke({ windowId: 'w' }, 'conversations:create', []);
    if (!c.ok) throw new Error(c.error.message);
    expect((await svc.invoke({ windowId: 'w' }, 'conversations:update', [c.value.id, { title: TITLE }])).ok).toBe(true);
    const r = await svc.invoke({ windowId: 'w' }, 'conversations:export', [c.value.id, 'markdown']);
    expect(r).toMatchObject({ ok: false, error: { code: 'storage_failed' } });
    if (r.ok) return;
    expect(r.error.message).toContain(missing);
    expect(r.error.message).toContain('ENOENT');
    expect(r.error.message).not.toContain('Severance');
    const logs = readdirSync(join(dir, 'logs')).map((f) => readFileSync(join(dir, 'logs', f), 'utf8')).join('\n');
    expect(logs).toContain('conversations:export failed');
    expect(logs).not.toContain('Severance');
  });
});
