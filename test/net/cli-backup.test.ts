/**
 * `parley backup` and `parley restore`, run as a user runs them (the built CLI in a process of its own): the backup
 * file and its JSON, a restore into another data folder, a restore refused without --yes, a damaged file refused
 * with its code (plain and --json, exit 1) and the data left as it was.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { openChatStore } from '../../src/main/services/storage/index.ts';

let homeA: string;
let homeB: string;
let out: string;
const titles = async (dataDir: string): Promise<string[]> => {
  const s = openChatStore({ dataDir, sweepAfterMs: 0 });
  try {
    return s.listConversations().map((c) => c.title).sort();
  } finally {
    await s.close();
  }
};

beforeAll(async () => {
  homeA = mkdtempSync(join(tmpdir(), 'parley-cli-backup-a-'));
  homeB = mkdtempSync(join(tmpdir(), 'parley-cli-backup-b-'));
  out = mkdtempSync(join(tmpdir(), 'parley-cli-backup-out-'));
  writeFileSync(join(homeA, 'settings.json'), JSON.stringify({ version: 2, providers: [{ id: 'p', name: 'P', baseUrl: 'https://api.example/v1', apiKey: 'sk-cliPlantedKey0123456789abcdef' }] }));
  const s = openChatStore({ dataDir: homeA, sweepAfterMs: 0 });
  const c = s.createConversation({ title: 'from A' });
  s.addMessage({ conversationId: c.id, role: 'user', text: 'hello from A' });
  await s.close();
  const t = openChatStore({ dataDir: homeB, sweepAfterMs: 0 });
  t.createConversation({ title: 'from B' });
  await t.close();
});
afterAll(() => {
  for (const d of [homeA, homeB, out]) if (d) rmSync(d, { recursive: true, force: true });
});

describe('parley backup / restore', () => {
  it('backup --json writes the file and says what it holds; without --out it goes to the data folder\'s backups/', async () => {
    const file = join(out, 'a.zip');
    const r = await runCli(['backup', '--out', file, '--json'], { home: homeA });
    expect(r.code, r.stderr).toBe(0);
    expect(r.lines[0]).toMatchObject({ file, parts: ['database', 'settings', 'attachments'], entries: 2, secretsLeftOut: 1 });
    expect(r.lines[0]?.bytes).toBe(readFileSync(file).byteLength);
    expect(readFileSync(file).includes('sk-cliPlantedKey0123456789abcdef')).toBe(false);
    const plain = await runCli(['backup'], { home: homeA });
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(new RegExp(`^${join(homeA, 'backups').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/parley-\\d{8}-\\d{9}-manual\\.zip: \\d+ bytes, 2 entries \\(database, settings, attachments\\); 1 secret value left out\\n$`));
  }, 30_000);

  it('restore needs --yes when it cannot ask (exit 2), and then restores, keeping the data it replaced', async () => {
    const file = join(out, 'a.zip');
    const asked = await runCli(['restore', file], { home: homeB });
    expect(asked.code).toBe(2);
    expect(asked.stderr).toMatch(/pass --yes/);
    expect(await titles(homeB)).toEqual(['from B']);

    const r = await runCli(['restore', file, '--yes', '--json'], { home: homeB });
    expect(r.code, r.stderr).toBe(0);
    const previous = r.lines[0]?.previous as string;
    expect(previous).toMatch(/before-restore\.zip$/);
    expect(existsSync(previous)).toBe(true);
    expect(await titles(homeB)).toEqual(['from A']);
  }, 30_000);

  it('a damaged file is refused with its code and hint (exit 1), plain and --json, and nothing changes', async () => {
    const good = readFileSync(join(out, 'a.zip'));
    const cut = join(out, 'cut.zip');
    writeFileSync(cut, good.subarray(0, good.byteLength - 300));
    const r = await runCli(['restore', cut, '--yes'], { home: homeA });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^parley: backup_invalid: .*cut\.zip is incomplete/);
    expect(r.stderr).toMatch(/hint: .*Nothing was changed/);
    const j = await runCli(['restore', join(out, 'nothing.zip'), '--yes', '--json'], { home: homeA });
    expect(j.code).toBe(1);
    expect(j.lines[0]).toMatchObject({ type: 'error', code: 'storage_failed' });
    const other = join(out, 'other.zip');
    writeFileSync(other, 'PK\u0003\u0004 not really');
    const k = await runCli(['restore', other, '--yes', '--json'], { home: homeA });
    expect(k.code).toBe(1);
    expect(k.lines[0]).toMatchObject({ type: 'error', code: expect.stringMatching(/^backup_/) });
    expect(await titles(homeA)).toEqual(['from A']);
  }, 30_000);

  it('usage: restore without a file is exit 2; both are in --help', async () => {
    const r = await runCli(['restore'], { home: homeA });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the backup file is required/);
    const help = await runCli(['--help']);
    expect(help.stdout).toMatch(/parley backup \[--out FILE\.zip\]/);
    expect(help.stdout).toMatch(/parley restore FILE\.zip \[--yes\]/);
  }, 30_000);
});
