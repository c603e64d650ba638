/**
 * `parley sync` and `parley sync --check` as a user runs them (a process of its own, from the TypeScript source),
 * against Apache httpd with mod_dav and s3rver on loopback: the check's steps (route, reaching the service,
 * credentials, folder, a probe written and removed, the clock), a wrong password and a keychain secret the command
 * line cannot read said as what they are, and two data folders that sync through the CLI ending with the same
 * conversations, encrypted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { runCli, CLI_SOURCE } from '../helpers/cli.ts';
import { startApacheDav, startS3rver, type DavServer, type S3Server } from '../helpers/servers.ts';
import { chat, device, stateOf, messageCount } from '../helpers/sync-scenarios.ts';

const USER = 'carol';
const PASS = 'cli-Dav-Pass-81b2';

let dav: DavServer;
let s3: S3Server;

beforeAll(async () => {
  [dav, s3] = await Promise.all([startApacheDav({ auth: { user: USER, password: PASS } }), startS3rver()]);
}, 120_000);

afterAll(async () => {
  await Promise.all([dav?.stop(), s3?.stop()]);
});

function settings(dir: string, sync: Record<string, unknown>): void {
  writeFileSync(join(dir, 'settings.json'), JSON.stringify({ version: 2, network: { proxy: { mode: 'none' } }, sync }, null, 2));
}

const webdav = (folder: string, more: Record<string, unknown> = {}): Record<string, unknown> => ({ enabled: true, service: 'webdav', url: `${dav.davUrl}${folder}/`, username: USER, password: '${SYNC_PW}', encrypt: false, ...more });

describe('parley sync --check', () => {
  it('a working WebDAV folder: every step passes, the probe file is gone, the password printed nowhere', async () => {
    const d = device('check');
    const folder = `cli-${randomBytes(3).toString('hex')}`;
    settings(d.dir, webdav(folder));
    const r = await runCli(['sync', '--check', '--json', '--config-dir', d.dir], { file: CLI_SOURCE, env: { SYNC_PW: PASS } });
    expect(r.code, r.stderr).toBe(0);
    const report = r.lines[0] as { ok: boolean; steps: { id: string; status: string; detail: string }[]; requests: number; label: string };
    expect(report.ok).toBe(true);
    expect(report.steps.map((s) => [s.id, s.status])).toEqual([['route', 'pass'], ['reach', 'pass'], ['auth', 'pass'], ['folder', 'pass'], ['write', 'pass'], ['clock', 'pass']]);
    expect(report.steps[0]?.detail).toMatch(/direct/);
    expect(report.steps[1]?.detail).toContain(`connected to 127.0.0.1:${dav.port}`);
    expect(report.label).toBe(`WebDAV ${dav.davUrl}${folder}/`);
    expect(report.requests).toBeGreaterThanOrEqual(4);
    expect(r.stdout + r.stderr).not.toContain(PASS);
    // parley doctor --sync is the same check.
    const viaDoctor = await runCli(['doctor', '--sync', '--json', '--config-dir', d.dir], { file: CLI_SOURCE, env: { SYNC_PW: PASS } });
    expect(viaDoctor.code, viaDoctor.stderr).toBe(0);
    expect((viaDoctor.lines[0] as { steps: { id: string }[] }).steps.map((s) => s.id)).toEqual(['route', 'reach', 'auth', 'folder', 'write', 'clock']);
    // The probe was removed: the folder holds nothing.
    const again = await runCli(['sync', '--check', '--json', '--config-dir', d.dir], { file: CLI_SOURCE, env: { SYNC_PW: PASS } });
    expect((again.lines[0] as { steps: { id: string; detail: string }[] }).steps.find((s) => s.id === 'folder')?.detail).toMatch(/empty/);
  });

  it('a wrong password fails at the credentials step with its code; a keychain secret the CLI cannot read is a settings error (exit 2)', async () => {
    const d = device('wrong');
    settings(d.dir, webdav(`cli-${randomBytes(3).toString('hex')}`));
    const r = await runCli(['sync', '--check', '--config-dir', d.dir], { file: CLI_SOURCE, env: { SYNC_PW: 'wrong-password-xyz' } });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/fail\s+auth\s+.*rejected the user name or password \(401\)/);
    expect(r.stdout).toMatch(/skip\s+folder/);
    expect(r.stdout).not.toContain('wrong-password-xyz');
    settings(d.dir, webdav('x', { password: 'keychain:abcdef123' }));
    const k = await runCli(['sync', '--json', '--config-dir', d.dir], { file: CLI_SOURCE });
    expect(k.code).toBe(2);
    expect(k.lines[0]).toMatchObject({ type: 'error', code: 'config_invalid' });
    expect(String(k.lines[0]?.message)).toMatch(/keychain, which the command line cannot read/);
    // PARLEY_SYNC_PASSWORD stands in for it.
    const env = await runCli(['sync', '--check', '--json', '--config-dir', d.dir], { file: CLI_SOURCE, env: { PARLEY_SYNC_PASSWORD: PASS } });
    expect(env.code, env.stdout + env.stderr).toBe(0);
  });

  it('S3: the same steps, and the clock compared with the service\'s', async () => {
    const d = device('s3check');
    settings(d.dir, { enabled: true, service: 's3', url: s3.endpoint, bucket: s3.bucket, prefix: `cli-${randomBytes(3).toString('hex')}/`, username: s3.accessKeyId, password: '${S3_SECRET}', encrypt: false });
    const r = await runCli(['sync', '--check', '--json', '--config-dir', d.dir], { file: CLI_SOURCE, env: { S3_SECRET: s3.secretAccessKey } });
    expect(r.code, r.stderr).toBe(0);
    const clock = (r.lines[0] as { steps: { id: string; status: string; detail: string }[] }).steps.find((s) => s.id === 'clock');
    expect(clock).toMatchObject({ status: 'pass' });
    expect(clock?.detail).toMatch(/agrees|s (ahead of|behind)/);
  });
});

describe('parley sync', () => {
  it('two data folders sync through the CLI (encrypted): both end with the same conversations, no message lost', async () => {
    const a = device('A');
    const b = device('B');
    const folder = `cli-sync-${randomBytes(3).toString('hex')}`;
    for (const d of [a, b]) settings(d.dir, webdav(folder, { encrypt: true, passphrase: '${SYNC_PASSPHRASE}' }));
    chat(a, 'Made on A', 4);
    chat(b, 'Made on B', 2);
    const env = { SYNC_PW: PASS, SYNC_PASSPHRASE: 'a passphrase for the CLI' };
    for (const d of [a, b, a]) {
      const r = await runCli(['sync', '--json', '--config-dir', d.dir], { file: CLI_SOURCE, env });
      expect(r.code, r.stdout + r.stderr).toBe(0);
    }
    expect(messageCount(a)).toBe(6);
    expect(stateOf(b)).toEqual(stateOf(a));
    // Encrypted: the conversations' words are nowhere in the files on the server.
    const root = join(dav.dataDir, folder);
    const stored = readdirSync(root, { recursive: true }).map(String).filter((f) => statSync(join(root, f)).isFile());
    expect(stored.length).toBeGreaterThan(1);
    for (const f of stored) expect(readFileSync(join(root, f)).includes('Made on A'), f).toBe(false);
    const wrongPassphrase = await runCli(['sync', '--json', '--config-dir', b.dir], { file: CLI_SOURCE, env: { SYNC_PW: PASS, SYNC_PASSPHRASE: 'not it' } });
    expect(wrongPassphrase.code).toBe(1);
    expect(String(wrongPassphrase.lines[0]?.code)).toMatch(/^sync_/);
  });
});
