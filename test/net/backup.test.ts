/**
 * Backup and restore of the data folder (services/backup), on real files and a real SQLite: a round trip into a new
 * data folder gives the same conversations, messages and attachments; a backup taken while another connection holds
 * a write transaction is the committed state; bad files (cut, a flipped byte, a newer version, another zip, a zip
 * bomb, a foreign database) are refused with their code and nothing changes; a disk failing during the swap leaves
 * the old data; automatic backups before a migration and their bound; no secret in a backup's bytes.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import sharp from 'sharp';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import { attachmentsDirOf, createAttachmentStore } from '../../src/main/services/attachments/index.ts';
import {
  backupBeforeMigration, backupNow, finishPendingRestore, listBackups, restoreBackup, scheduledDue, startBackupSchedule, type BackupManifest,
} from '../../src/main/services/backup/index.ts';
import { openChatStore, type ChatStore } from '../../src/main/services/storage/index.ts';
import { settingsForBackup } from '../../src/main/services/backup/settings.ts';
import { APPLICATION_ID, applyMigrations, MIGRATIONS, SCHEMA_VERSION } from '../../src/main/services/storage/migrations.ts';
import { MAX_AUTO_BACKUPS } from '../../src/shared/bounds.ts';
import { ParleyError } from '../../src/main/core/errors.ts';
import type { ErrorInfo } from '../../src/shared/errors.ts';
import type { ArgsIn, Channel, ResultOf } from '../../src/shared/ipc.ts';
import { testAppServices } from '../helpers/app-services.ts';

const KEY = 'sk-plantedBackupSecretKey0123456789abcdef';
const PROXY_PASSWORD = 'pr0xyPassw0rdPlanted';
const MCP_TOKEN = 'mcpTokenValuePlanted-998877';
const MARK = 'UNIQUE-ATTACHMENT-MARKER-0123456789';

const dirs: string[] = [];
const stores: ChatStore[] = [];
const mounts: string[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const m of mounts.splice(0)) {
    try {
      execFileSync('umount', ['-l', m], { stdio: 'ignore' });
    } catch { /* not mounted */ }
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tmp = (name = 'data'): string => {
  const d = mkdtempSync(join(tmpdir(), `parley-backup-${name}-`));
  dirs.push(d);
  return d;
};
const open = (dataDir: string): ChatStore => {
  const s = openChatStore({ dataDir, sweepAfterMs: 0 });
  stores.push(s);
  return s;
};
const close = async (s: ChatStore): Promise<void> => {
  stores.splice(stores.indexOf(s), 1);
  await s.close();
};

const SETTINGS = {
  version: 2,
  providers: [
    { id: 'deepseek', name: 'DeepSeek', protocol: 'openai', baseUrl: 'https://api.deepseek.com/v1', apiKey: KEY, route: { mode: 'proxy', proxyUrl: `http://alice:${PROXY_PASSWORD}@proxy.corp:3128` } },
    { id: 'kimi', name: 'Kimi', protocol: 'openai', baseUrl: 'https://api.moonshot.cn/v1', apiKey: 'keychain:abc123' },
    { id: 'env', name: 'Env', protocol: 'openai', baseUrl: 'https://x.example/v1', apiKey: '${MY_KEY}' },
  ],
  network: { proxy: { mode: 'manual', url: `http://bob:${PROXY_PASSWORD}@proxy.corp:8080`, bypass: 'localhost' } },
  mcpServers: [{ id: 'gh', name: 'gh', transport: 'stdio', command: 'npx', args: ['x'], env: { GITHUB_TOKEN: MCP_TOKEN, DEBUG: '1' } }],
};

/** A data folder with two conversations, attachments (a text file and bytes), and settings holding secrets. */
async function seed(dataDir: string): Promise<{ convIds: string[] }> {
  writeFileSync(join(dataDir, 'settings.json'), JSON.stringify(SETTINGS, null, 2));
  const store = open(dataDir);
  const files = createAttachmentStore({ dir: attachmentsDirOf(dataDir) });
  store.setFiles(files);
  const text = await files.add('notes.txt', strToU8(`${MARK}\n${'plain text of a note, long enough to matter. '.repeat(50)}`));
  const log = await files.add('说明.txt', strToU8('代理服务器需要认证。\n'));
  const a = store.createConversation({ title: 'Proxy troubles' });
  const q = store.addMessage({ conversationId: a.id, role: 'user', text: 'Why does this fail?', attachments: [text, log] });
  store.addMessage({ conversationId: a.id, parentId: q.id, role: 'assistant', text: 'Because the proxy wants a password.', status: 'complete' });
  const b = store.createConversation({ title: '第二个对话' });
  store.addMessage({ conversationId: b.id, role: 'user', text: '你好' });
  await close(store);
  return { convIds: [a.id, b.id] };
}

/** What a user sees of a data folder: each conversation's title and its path's texts and attachments. */
async function contents(dataDir: string): Promise<unknown> {
  const store = open(dataDir);
  const files = createAttachmentStore({ dir: attachmentsDirOf(dataDir) });
  const out = [];
  for (const c of store.listConversations()) {
    const msgs = [];
    for (const m of store.pathMessages(c.id)) {
      const att = [];
      for (const r of m.attachments ?? []) att.push({ name: r.name, id: r.id, bytes: createHash('sha256').update((await files.bytes(r.id)) ?? Buffer.alloc(0)).digest('hex') });
      msgs.push({ role: m.role, text: m.text, att });
    }
    out.push({ id: c.id, title: c.title, msgs });
  }
  await close(store);
  return out;
}

/** Every file under a folder with its checksum (to show nothing changed). */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const n of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, n.name);
      if (n.isDirectory()) walk(p);
      else out[relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

async function refusal(p: Promise<unknown>): Promise<ParleyError> {
  try {
    await p;
  } catch (e) {
    if (ParleyError.is(e)) return e;
    throw e;
  }
  throw new Error('not refused');
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** A zip of `files` (manifest first) with a manifest made from them, changed by `edit`. */
function craft(files: Record<string, Uint8Array>, edit: (m: BackupManifest) => void = () => {}, parts: BackupManifest['parts'] = ['attachments']): Uint8Array {
  const m: BackupManifest = {
    format: 'parley-backup', formatVersion: 1, app: '0.1.0', schema: SCHEMA_VERSION, createdAt: new Date().toISOString(), reason: 'manual', parts, secretsLeftOut: 0,
    entries: Object.entries(files).map(([name, d]) => ({ name, size: d.byteLength, sha256: sha(d) })),
  };
  edit(m);
  return zipSync({ 'manifest.json': strToU8(JSON.stringify(m)), ...files });
}

describe('backup and restore', () => {
  it('round trip: a backup restored into a new data folder gives the same conversations, messages and attachments', async () => {
    const a = tmp('a');
    await seed(a);
    const before = await contents(a);
    const r = await backupNow(a);
    expect(r.file.startsWith(join(a, 'backups'))).toBe(true);
    expect(r.bytes).toBe(statSync(r.file).size);
    expect(r.manifest).toMatchObject({ format: 'parley-backup', formatVersion: 1, schema: SCHEMA_VERSION, reason: 'manual', parts: ['database', 'settings', 'attachments'] });
    expect(Object.keys(unzipSync(readFileSync(r.file)))[0]).toBe('manifest.json');

    const b = tmp('b');
    const done = await restoreBackup(b, r.file);
    expect(done.previous).toBeUndefined(); // nothing to keep in a new folder
    expect(await contents(b)).toEqual(before);
    // The settings came back without their secrets, with the references kept.
    const settings = JSON.parse(readFileSync(join(b, 'settings.json'), 'utf8')) as typeof SETTINGS;
    expect(settings.providers.map((p) => p.apiKey)).toEqual([undefined, 'keychain:abc123', '${MY_KEY}']);
    expect(settings.network.proxy.url).toBe('http://bob@proxy.corp:8080');
    expect(readdirSync(b).filter((n) => n.startsWith('.restore'))).toEqual([]);
  }, 30_000);

  it('no secret is in a backup: not in its bytes, nor in any entry decompressed', async () => {
    const a = tmp();
    await seed(a);
    const r = await backupNow(a);
    expect(r.manifest.secretsLeftOut).toBeGreaterThanOrEqual(4);
    const bytes = readFileSync(r.file);
    const all = [bytes, ...Object.values(unzipSync(bytes))].map((x) => Buffer.from(x).toString('latin1'));
    for (const secret of [KEY, PROXY_PASSWORD, MCP_TOKEN, encodeURIComponent(PROXY_PASSWORD)]) {
      for (const text of all) expect(text.includes(secret), secret).toBe(false);
    }
    // The MCP server's variables keep their names, not their values; what is not a secret stays.
    const s = JSON.parse(Buffer.from(unzipSync(bytes)['settings.json'] as Uint8Array).toString('utf8')) as typeof SETTINGS;
    expect(s.mcpServers[0]?.env).toEqual({ GITHUB_TOKEN: '', DEBUG: '' });
    expect(s.network.proxy.bypass).toBe('localhost');
  });

  it('settings for a backup: references stay, values under a secret\'s name go at any depth, a key in a base URL\'s query goes', () => {
    const raw = {
      providers: [{ id: 'q', name: 'Q', baseUrl: 'https://x.example/v1?api_key=sk-queryKey0123456789abcdef', apiKey: '${Q_KEY}', route: { mode: 'proxy', proxyUrl: 'http://u:${PROXY_PASS}@p:3128' } }],
      network: { proxy: { mode: 'manual', url: 'http://u:keychain:ab12@p:3128' } },
      sync: { enabled: true, service: 's3', username: 'AKIAEXAMPLE', password: 'plainSyncSecretValue123', passphrase: 'keychain:cd34' },
    };
    const { text, leftOut } = settingsForBackup(raw);
    expect(text).not.toContain('plainSyncSecretValue123');
    expect(text).not.toContain('sk-queryKey0123456789abcdef');
    expect(leftOut).toBe(2);
    const s = JSON.parse(text) as typeof raw;
    expect(s.providers[0]?.apiKey).toBe('${Q_KEY}');
    expect(s.providers[0]?.route.proxyUrl).toBe('http://u:${PROXY_PASS}@p:3128');
    expect(s.network.proxy.url).toBe('http://u:keychain:ab12@p:3128');
    expect(s.sync).toMatchObject({ username: 'AKIAEXAMPLE', passphrase: 'keychain:cd34' });
    expect(s.sync.password).toBeUndefined();
  });

  it('a restore on the same machine keeps the keys and proxy passwords the backup left out', async () => {
    const a = tmp();
    await seed(a);
    const r = await backupNow(a);
    const store = open(a);
    store.createConversation({ title: 'made after the backup' });
    await close(store);
    const done = await restoreBackup(a, r.file);
    expect(done.previous?.file).toMatch(/before-restore\.zip$/);
    const settings = JSON.parse(readFileSync(join(a, 'settings.json'), 'utf8')) as typeof SETTINGS;
    expect(settings.providers[0]?.apiKey).toBe(KEY);
    expect(settings.network.proxy.url).toBe(SETTINGS.network.proxy.url);
    expect(settings.providers[0]?.route?.proxyUrl).toBe(SETTINGS.providers[0]?.route?.proxyUrl);
    expect(settings.mcpServers[0]?.env).toEqual(SETTINGS.mcpServers[0]?.env);
    // The data as it was (with the conversation made after) is in the before-restore backup.
    const back = tmp('back');
    await restoreBackup(back, done.previous!.file);
    expect(((await contents(back)) as { title: string }[]).map((c) => c.title)).toContain('made after the backup');
    expect(((await contents(a)) as { title: string }[]).map((c) => c.title)).not.toContain('made after the backup');
  }, 30_000);

  it('a backup while another connection holds a write transaction is the committed state (also what is only in the WAL)', async () => {
    const a = tmp();
    await seed(a);
    const store = open(a); // the app's connection: its commits are in the WAL, not yet in the file
    const c = store.createConversation({ title: 'committed, in the WAL' });
    store.addMessage({ conversationId: c.id, role: 'user', text: 'kept' });
    const other = new DatabaseSync(join(a, 'parley.db'));
    other.exec('BEGIN IMMEDIATE');
    other.prepare("INSERT INTO conversations (id, title, created_at, updated_at) VALUES ('uncommitted', 'never committed', 1, 1)").run();
    let r;
    try {
      r = await backupNow(a);
    } finally {
      other.exec('COMMIT');
      other.close();
    }
    await close(store);
    const b = tmp('b');
    await restoreBackup(b, r.file);
    const titles = ((await contents(b)) as { title: string }[]).map((x) => x.title);
    expect(titles).toContain('committed, in the WAL');
    expect(titles).not.toContain('never committed');
    const db = new DatabaseSync(join(b, 'parley.db'), { readOnly: true });
    expect(db.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
    db.close();
  }, 30_000);

  describe('a bad file is refused with its code, and nothing changes', () => {
    const cases: [string, (good: Uint8Array, dir: string) => Uint8Array | string, string, string][] = [
      ['cut short', (g) => g.subarray(0, Math.floor(g.byteLength * 0.6)), 'backup_invalid', 'backup_truncated'],
      ['a flipped byte in an attachment', (g) => {
        const b = Buffer.from(g);
        const at = b.indexOf(MARK);
        b.writeUInt8(b.readUInt8(at + 3) ^ 0x20, at + 3);
        return b;
      }, 'backup_invalid', 'backup_checksum'],
      ['a manifest of a newer format', () => craft({}, (m) => (m.formatVersion = 2)), 'backup_newer', 'backup_newer_format'],
      ['a manifest of a newer schema', () => craft({}, (m) => (m.schema = SCHEMA_VERSION + 1)), 'backup_newer', 'backup_newer_schema'],
      ['a zip that is not Parley\'s', () => zipSync({ 'readme.txt': strToU8('hello'), 'photo.jpg': new Uint8Array(100) }), 'backup_not_parley', 'backup_no_manifest'],
      ['a manifest of another format', () => zipSync({ 'manifest.json': strToU8('{"format":"cherry-studio","version":5}') }), 'backup_not_parley', 'backup_other_format'],
      ['not a zip at all', () => strToU8('{"conversations": []}'), 'backup_not_parley', 'backup_not_zip'],
      ['an entry the manifest does not list', () => {
        const body = strToU8('x');
        const m = JSON.parse(Buffer.from(unzipSync(craft({}))['manifest.json'] as Uint8Array).toString()) as BackupManifest;
        return zipSync({ 'manifest.json': strToU8(JSON.stringify(m)), 'attachments/ab/../../../../etc/passwd': body });
      }, 'backup_invalid', 'backup_unlisted'],
      ['a zip bomb (an entry expanding past its listed size)', () => {
        const id = 'ab' + '0'.repeat(62);
        const bomb = new Uint8Array(64 * 1024 * 1024);
        const m: BackupManifest = { format: 'parley-backup', formatVersion: 1, app: null, schema: SCHEMA_VERSION, createdAt: new Date().toISOString(), reason: 'manual', parts: ['attachments'], secretsLeftOut: 0, entries: [{ name: `attachments/ab/${id}`, size: 1000, sha256: '0'.repeat(64) }] };
        return zipSync({ 'manifest.json': strToU8(JSON.stringify(m)), [`attachments/ab/${id}`]: [bomb, { level: 9 }] });
      }, 'limit_exceeded', 'backup_entry_too_large'],
      ['a manifest promising more than a restore takes', () => craft({}, (m) => {
        m.entries = [1, 2].map((i) => ({ name: `attachments/ab/ab${String(i).repeat(62)}`, size: 40 * 1024 ** 3, sha256: '0'.repeat(64) }));
      }), 'limit_exceeded', 'backup_too_large'],
      ['a database that is not Parley\'s', (_g, dir) => {
        const f = join(dir, 'other.db');
        const db = new DatabaseSync(f);
        db.exec('PRAGMA application_id = 1234; CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES (\'x\')');
        db.close();
        return craft({ 'parley.db': readFileSync(f) }, () => {}, ['database']);
      }, 'backup_not_parley', 'backup_db_not_parley'],
    ];
    for (const [name, make, code, key] of cases) {
      it(name, async () => {
        const a = tmp('a');
        await seed(a);
        const good = readFileSync((await backupNow(a)).file);
        const b = tmp('b');
        await seed(b);
        const before = tree(b);
        const file = join(tmp('f'), 'bad.zip');
        writeFileSync(file, make(good, dirname0(file)));
        const e = await refusal(restoreBackup(b, file));
        expect({ code: e.code, key: e.detail.key }, e.message).toEqual({ code, key });
        expect(e.message).toContain(file);
        expect(e.hint).toBeTruthy();
        expect(tree(b)).toEqual(before);
      }, 30_000);
    }
  });

  it('a disk that fails during the swap leaves the old data (every rename undone)', async () => {
    const a = tmp('a');
    await seed(a);
    const store = open(a);
    store.createConversation({ title: 'only in the backup' });
    await close(store);
    const r = await backupNow(a);
    const b = tmp('b');
    await seed(b);
    const before = await contents(b);
    const settingsBefore = readFileSync(join(b, 'settings.json'), 'utf8');
    for (const after of [0, 1, 2, 3]) {
      const e = await refusal(restoreBackup(b, r.file, { failAfterRenames: after }));
      expect(e.code).toBe('storage_failed');
      expect(e.message).toMatch(/EIO/);
      expect(await contents(b)).toEqual(before);
      expect(readFileSync(join(b, 'settings.json'), 'utf8')).toBe(settingsBefore);
      expect(readdirSync(b).filter((n) => n.startsWith('.restore'))).toEqual([]);
    }
  }, 60_000);

  it('a restore killed midway (SIGKILL between renames) is undone at the next start: the old data, whole', async () => {
    const a = tmp('a');
    await seed(a);
    const store = open(a);
    store.createConversation({ title: 'only in the backup' });
    await close(store);
    const file = (await backupNow(a)).file;
    for (const at of [1, 2, 4, 6]) {
      const b = tmp('b');
      await seed(b);
      const before = await contents(b);
      const settingsBefore = readFileSync(join(b, 'settings.json'), 'utf8');
      const child = spawnSync(process.execPath, [fileURLToPath(new URL('../helpers/backup-crash-child.ts', import.meta.url)), b, file, String(at)], { encoding: 'utf8', timeout: 30_000 });
      expect(child.signal, child.stderr).toBe('SIGKILL');
      expect(existsSync(join(b, 'restore-swap.json'))).toBe(true);
      // The next start (the app's, before it opens the database) undoes it.
      expect(finishPendingRestore(b)).toBeUndefined();
      expect(existsSync(join(b, 'restore-swap.json'))).toBe(false);
      expect(await contents(b)).toEqual(before);
      expect(readFileSync(join(b, 'settings.json'), 'utf8')).toBe(settingsBefore);
      expect(readdirSync(b).filter((n) => n.startsWith('.restore-old'))).toEqual([]);
    }
  }, 120_000);

  it('a restore over a database another process has open (the app running) is refused, and nothing changes', async () => {
    const a = tmp('a');
    await seed(a);
    const file = (await backupNow(a)).file;
    const b = tmp('b');
    await seed(b);
    const before = tree(b);
    const running = open(b); // as the app holds it
    const e = await refusal(restoreBackup(b, file));
    expect({ code: e.code, key: e.detail.key }).toEqual({ code: 'storage_failed', key: 'backup_in_use' });
    expect(e.hint).toMatch(/Quit Parley/);
    await close(running);
    expect(tree(b)).toEqual(before);
    await restoreBackup(b, file); // once it is closed
    expect(await contents(b)).toEqual(await contents(a));
  }, 30_000);

  it('settings this version could not load are refused before anything changes', async () => {
    const bad = craft({ 'settings.json': strToU8(JSON.stringify({ version: 2, providers: [{ id: 'no spaces allowed', name: 'x' }] })) }, () => {}, ['settings']);
    const b = tmp('b');
    await seed(b);
    const before = tree(b);
    const file = join(tmp('f'), 'settings.zip');
    writeFileSync(file, bad);
    const e = await refusal(restoreBackup(b, file));
    expect({ code: e.code, key: e.detail.key }).toEqual({ code: 'backup_invalid', key: 'backup_damaged' });
    expect(e.message).toMatch(/settings\.json cannot be read \(invalid at providers\.0\.id/);
    expect(tree(b)).toEqual(before);
  });

  it('a full disk during a restore leaves the old data (a real tmpfs: the backup of the current data does not fit)', async (ctx) => {
    const mnt = tmp('mnt');
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=12m,mode=0700', 'tmpfs', mnt], { stdio: 'ignore' });
    } catch {
      ctx.skip(true, 'needs root to mount a tmpfs (run as root, as CI does)');
    }
    mounts.push(mnt);
    /** Adds a 2 MB image of noise (it does not compress) to a data folder's conversations. */
    const addNoise = async (dataDir: string, seed: number): Promise<void> => {
      const w = 820;
      const raw = Buffer.alloc(w * w * 3);
      let x = seed;
      for (let i = 0; i < raw.length; i++) raw[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
      const png = await sharp(raw, { raw: { width: w, height: w, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
      const store = open(dataDir);
      const files = createAttachmentStore({ dir: attachmentsDirOf(dataDir) });
      store.setFiles(files);
      const ref = await files.add(`noise-${seed}.png`, png);
      const c = store.createConversation({ title: `noise ${seed}` });
      store.addMessage({ conversationId: c.id, role: 'user', text: 'see', attachments: [ref] });
      await close(store);
    };
    const a = tmp('a');
    await seed(a);
    await addNoise(a, 1);
    const r = await backupNow(a);
    const restoredBytes = r.manifest.entries.reduce((n, e) => n + e.size, 0);
    // The data folder on the small disk, with as much data: the restore's files fit, the backup of what is there does not.
    const b = join(mnt, 'data');
    mkdirSync(b);
    await seed(b);
    await addNoise(b, 2);
    const fs = statfsSync(mnt);
    const free = Number(fs.bavail) * Number(fs.bsize);
    writeFileSync(join(mnt, 'filler'), Buffer.alloc(Math.max(0, free - restoredBytes - 1024 * 1024), 1));
    const before = await contents(b);
    const treeBefore = tree(b);
    const e = await refusal(restoreBackup(b, r.file));
    expect(e.code, e.message).toBe('storage_failed');
    expect(e.message).toMatch(/ENOSPC|snapshot/);
    expect(await contents(b)).toEqual(before);
    expect(tree(b)).toEqual(treeBefore);
    expect(listBackups(b)).toEqual([]); // no half-written backup left either
  }, 60_000);

  it('an existing database with migrations pending is backed up before it is migrated; not again once migrated', async () => {
    const a = tmp();
    const old = new DatabaseSync(join(a, 'parley.db'));
    applyMigrations(old, MIGRATIONS, 5);
    old.prepare("INSERT INTO conversations (id, title, created_at, updated_at) VALUES ('c1', 'from an older Parley', 1, 1)").run();
    old.close();
    const withHook = (): ChatStore => {
      const s = openChatStore({ dataDir: a, sweepAfterMs: 0, beforeMigration: (i) => void backupBeforeMigration(a, i) });
      stores.push(s);
      return s;
    };
    await close(withHook());
    const list = listBackups(a);
    expect(list.map((b) => b.reason)).toEqual(['before-migration']);
    const m = JSON.parse(Buffer.from(unzipSync(readFileSync(list[0]!.file))['manifest.json'] as Uint8Array).toString()) as BackupManifest;
    expect(m).toMatchObject({ schema: 5, parts: ['database'], reason: 'before-migration' });
    const snap = unzipSync(readFileSync(list[0]!.file))['parley.db'] as Uint8Array;
    const f = join(tmp('x'), 'snap.db');
    writeFileSync(f, snap);
    const db = new DatabaseSync(f, { readOnly: true });
    expect(db.prepare('PRAGMA user_version').get()).toEqual({ user_version: 5 });
    expect(db.prepare('PRAGMA application_id').get()).toEqual({ application_id: APPLICATION_ID });
    expect(db.prepare('SELECT title FROM conversations').all()).toEqual([{ title: 'from an older Parley' }]);
    db.close();
    await close(withHook());
    expect(listBackups(a)).toHaveLength(1);
    // A new data folder has nothing to back up.
    const fresh = tmp();
    const s = openChatStore({ dataDir: fresh, beforeMigration: (i) => void backupBeforeMigration(fresh, i) });
    await s.close();
    expect(listBackups(fresh)).toEqual([]);
  }, 30_000);

  it(`keeps at most ${MAX_AUTO_BACKUPS} automatic backups, the oldest removed first; backups made by hand stay`, async () => {
    const a = tmp();
    await seed(a);
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    const manual = await backupNow(a, { now: new Date(t0 - 1000) });
    const made: string[] = [];
    for (let i = 0; i < MAX_AUTO_BACKUPS + 3; i++) made.push((await backupNow(a, { reason: 'scheduled', now: new Date(t0 + i * 86_400_000), parts: ['settings'] })).file);
    const list = listBackups(a);
    const auto = list.filter((b) => b.automatic).map((b) => b.file);
    expect(auto).toHaveLength(MAX_AUTO_BACKUPS);
    expect(auto).toEqual(made.slice(3).reverse()); // newest first; the 3 oldest went
    expect(list.find((b) => !b.automatic)?.file).toBe(manual.file);
    for (const f of made.slice(0, 3)) expect(existsSync(f)).toBe(false);
    // The schedule: due when the newest is older than its period.
    const last = t0 + (MAX_AUTO_BACKUPS + 2) * 86_400_000;
    expect(scheduledDue(a, 'daily', last + 3_600_000)).toBe(false);
    expect(scheduledDue(a, 'daily', last + 86_400_000)).toBe(true);
    expect(scheduledDue(a, 'weekly', last + 86_400_000)).toBe(false);
    expect(scheduledDue(a, 'off', last + 1e12)).toBe(false);
  }, 60_000);
});

describe('Settings → Backup (the app services, over the IPC contract)', () => {
  type Svc = ReturnType<typeof testAppServices>;
  const services: Svc[] = [];
  afterEach(async () => {
    for (const x of services.splice(0)) await x.close();
  });
  const start = (dataDir: string, pick: () => string | null): Svc => {
    const x = testAppServices(dataDir, { chooseBackupFile: async () => pick() });
    services.push(x);
    return x;
  };
  const stop = async (x: Svc): Promise<void> => {
    services.splice(services.indexOf(x), 1);
    await x.close();
  };
  async function ipc<C extends Channel>(x: Svc, channel: C, ...a: ArgsIn<C>): Promise<ResultOf<C>> {
    const r = await x.invoke({ windowId: 'w1' }, channel, a);
    if (!r.ok) throw Object.assign(new Error(`${channel}: ${r.error.code}: ${r.error.message}`), { info: r.error });
    return r.value;
  }

  it('backs up now and lists it; a restore picked in main\'s dialog is checked, waits, and is made at the next start', async () => {
    const a = tmp('a');
    await seed(a);
    const fromA = await contents(a);
    const backupOfA = (await backupNow(a)).file;
    const b = tmp('b');
    let pick: string | null = null;
    const svc = start(b, () => pick);
    const conv = await ipc(svc, 'conversations:create', {});
    expect(conv.id).toBeTruthy();
    const listed = await ipc(svc, 'backup:now');
    expect(listed.backups).toEqual([expect.objectContaining({ reason: 'manual', automatic: false, bytes: expect.any(Number) })]);
    expect(listed).toMatchObject({ keep: MAX_AUTO_BACKUPS, schedule: 'daily', pending: null });
    // Cancelled dialog: nothing.
    expect(await ipc(svc, 'backup:restore')).toBeNull();
    // A bad file: refused with its code, nothing waits.
    const bad = join(tmp('f'), 'bad.zip');
    writeFileSync(bad, readFileSync(backupOfA).subarray(0, 2000));
    pick = bad;
    const refused = await ipc(svc, 'backup:restore').then(() => undefined, (e: { info: ErrorInfo }) => e.info);
    expect(refused).toMatchObject({ code: 'backup_invalid', key: 'backup_truncated' });
    expect((await ipc(svc, 'backup:list')).pending).toBeNull();
    // A good one waits for the restart.
    pick = backupOfA;
    const waiting = await ipc(svc, 'backup:restore');
    expect(waiting?.pending).toMatchObject({ name: basename(backupOfA), parts: ['database', 'settings', 'attachments'] });
    expect(await ipc(svc, 'backup:restart')).toBe(false); // the browser host cannot restart itself
    await stop(svc);
    // The next start makes it, before the database is opened, and says so once.
    const again = start(b, () => null);
    const after = await ipc(again, 'backup:list');
    expect(after.finished).toEqual({ ok: true, name: basename(backupOfA) });
    expect(after.pending).toBeNull();
    expect(after.backups.map((x) => x.reason)).toEqual(['before-restore', 'manual']);
    expect((await ipc(again, 'backup:list')).finished).toBeUndefined();
    const titles = (await ipc(again, 'conversations:list')).map((c) => c.title).sort();
    expect(titles).toEqual((fromA as { title: string }[]).map((c) => c.title).sort());
    await stop(again);
    expect(await contents(b)).toEqual(fromA);
  }, 60_000);

  it('the schedule is a setting: changed from the window, kept in settings.json, and a scheduled backup is made when due', async () => {
    const a = tmp();
    const svc = start(a, () => null);
    expect((await ipc(svc, 'backup:list')).schedule).toBe('daily');
    await ipc(svc, 'settings:set', { backup: { schedule: 'weekly' } });
    expect((await ipc(svc, 'backup:list')).schedule).toBe('weekly');
    expect(JSON.parse(readFileSync(join(a, 'settings.json'), 'utf8')).backup).toEqual({ schedule: 'weekly' });
    await stop(svc);
    const ticks: string[] = [];
    const sched = startBackupSchedule({ dataDir: a, schedule: () => 'daily', onBackup: (r) => ticks.push(r.file) });
    try {
      expect(await sched.tick()).toBeDefined(); // none yet: due
      expect(await sched.tick()).toBeUndefined(); // just made
    } finally {
      sched.stop();
    }
    expect(listBackups(a).map((x) => x.reason)).toEqual(['scheduled']);
  }, 30_000);
});

function dirname0(f: string): string {
  return join(f, '..');
}
