/** Where the app keeps its files, and how secrets are masked in the settings view. */
import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { defaultConfigDir, logDirOf } from '../../src/main/services/paths.ts';
import { maskProxyUrl, unmaskProxyUrl } from '../../src/main/services/settings/store.ts';

describe('OS folders (the data folder as Electron names it for "Parley"; the logs inside it)', () => {
  it.each([
    ['linux', {}, join(homedir(), '.config', 'Parley'), join(homedir(), '.config', 'Parley', 'logs')],
    ['linux', { XDG_CONFIG_HOME: '/x/cfg' }, '/x/cfg/Parley', '/x/cfg/Parley/logs'],
    // One rule on every OS (the CLI writes and bundles there too): not Electron's ~/Library/Logs/Parley.
    ['darwin', {}, join(homedir(), 'Library', 'Application Support', 'Parley'), join(homedir(), 'Library', 'Application Support', 'Parley', 'logs')],
    ['win32', { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, join('C:\\Users\\u\\AppData\\Roaming', 'Parley'), join('C:\\Users\\u\\AppData\\Roaming', 'Parley', 'logs')],
    ['darwin', { PARLEY_HOME: '/tmp/ph' }, '/tmp/ph', '/tmp/ph/logs'],
  ] as const)('%s %j → data %s, logs %s', (platform, env, data, logs) => {
    expect(defaultConfigDir(env, platform)).toBe(data);
    expect(logDirOf(defaultConfigDir(env, platform))).toBe(logs);
  });
});

describe('proxy URL password mask', () => {
  it.each([
    ['http://u:p%40ss@proxy:3128', 'http://u:********@proxy:3128'],
    ['socks5h://u:pw@127.0.0.1:1080', 'socks5h://u:********@127.0.0.1:1080'],
    ['http://proxy:3128', 'http://proxy:3128'],
    ['http://user@proxy:3128', 'http://user@proxy:3128'],
    ['${HTTPS_PROXY}', '${HTTPS_PROXY}'],
  ])('%s → %s, and back', (stored, shown) => {
    expect(maskProxyUrl(stored)).toBe(shown);
    expect(unmaskProxyUrl(shown, stored)).toBe(stored);
  });
  it('a new password replaces the stored one; a new scheme, host, port or user must type it again', () => {
    expect(unmaskProxyUrl('http://u:new@proxy:3128', 'http://u:old@proxy:3128')).toBe('http://u:new@proxy:3128');
    // The same proxy written otherwise (the scheme's case, its default port) keeps it.
    expect(unmaskProxyUrl('HTTP://u:********@Proxy:80/', 'http://u:old@proxy')).toBe('HTTP://u:old@Proxy:80/');
    // A neighbour on another port (a local cntlm's), or the same host in clear text: typed again.
    expect(() => unmaskProxyUrl('http://u:********@proxy:8080', 'http://u:old@proxy:3128')).toThrow(/password is the placeholder/);
    expect(() => unmaskProxyUrl('http://u:********@proxy:3128', 'https://u:old@proxy:3128')).toThrow(/password is the placeholder/);
    expect(() => unmaskProxyUrl('socks5://u:********@[::1]:1081', 'socks5://u:old@[::1]:1080')).toThrow(/password is the placeholder/);
    expect(unmaskProxyUrl('socks5://u:********@[::1]:1080', 'socks5://u:old@[::1]')).toBe('socks5://u:old@[::1]:1080');
    expect(() => unmaskProxyUrl('http://u:********@other:3128', 'http://u:old@proxy:3128')).toThrow(/Type the proxy password again|password is the placeholder/);
    expect(() => unmaskProxyUrl('http://v:********@proxy:3128', 'http://u:old@proxy:3128')).toThrow();
  });
});

describe('settings.json version 1 → 2 on first start', () => {
  it('one provider becomes providers[0] and the default; network, ui and logging are kept', async () => {
    const { migrateSettings, storedSettingsSchema } = await import('../../src/shared/settings.ts');
    const v1 = {
      provider: { protocol: 'openai', baseUrl: 'https://api.deepseek.com/v1', apiKey: '${DEEPSEEK_API_KEY}', model: 'deepseek-chat' },
      network: { proxy: { mode: 'manual', url: 'http://proxy:3128' }, retries: 4 },
      ui: { language: 'zh' },
      logging: { logContent: true },
    };
    const { value, migrated } = migrateSettings(v1);
    expect(migrated).toBe(true);
    const s = v.parse(storedSettingsSchema, value);
    expect(s.providers).toHaveLength(1);
    expect(s.providers[0]).toMatchObject({ id: 'default', name: 'DeepSeek', preset: 'deepseek', protocol: 'openai', baseUrl: 'https://api.deepseek.com/v1', apiKey: '${DEEPSEEK_API_KEY}', models: ['deepseek-chat'], defaultModel: 'deepseek-chat' });
    expect(s.defaults).toMatchObject({ providerId: 'default', model: 'deepseek-chat' });
    expect(s.network.proxy).toMatchObject({ mode: 'manual', url: 'http://proxy:3128' });
    expect(s.network.retries).toBe(4);
    expect(s.ui.language).toBe('zh');
    expect(s.logging.logContent).toBe(true);
    // Version 2 and empty files pass through.
    expect(migrateSettings(value).migrated).toBe(false);
    expect(v.parse(storedSettingsSchema, migrateSettings({}).value).providers).toEqual([]);
  });
  it('the store migrates the file on disk once and keeps the old one beside it', async () => {
    const { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { createSettingsStore } = await import('../../src/main/services/settings/store.ts');
    const dir = mkdtempSync(join(tmpdir(), 'parley-migrate-'));
    try {
      writeFileSync(join(dir, 'settings.json'), JSON.stringify({ provider: { protocol: 'ollama', baseUrl: 'http://127.0.0.1:11434', model: 'llama3' } }));
      const store = createSettingsStore(dir);
      expect(store.get().providers[0]).toMatchObject({ preset: 'ollama', protocol: 'ollama', defaultModel: 'llama3' });
      expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')).version).toBe(2);
      expect(existsSync(join(dir, 'settings.json.v1'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('settings.json shared with the CLI and hand edits', () => {
  const withDir = async (fn: (dir: string) => Promise<void> | void): Promise<void> => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'parley-settings-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('a change re-reads the file first: an edit made after the app read it survives the app\'s next save', async () => {
    const { readFileSync, writeFileSync } = await import('node:fs');
    const { createSettingsStore } = await import('../../src/main/services/settings/store.ts');
    await withDir((dir) => {
      const store = createSettingsStore(dir);
      store.update({ ui: { theme: 'dark' } });
      expect(store.get().ui.theme).toBe('dark');
      // A hand edit (or the CLI) between the app's load and its save.
      const file = join(dir, 'settings.json');
      const onDisk = JSON.parse(readFileSync(file, 'utf8')) as { network: { proxy: Record<string, unknown> } };
      onDisk.network.proxy = { mode: 'manual', url: 'http://proxy.corp:3128', bypass: '.corp' };
      writeFileSync(file, JSON.stringify(onDisk));
      store.update({ logging: { logContent: true } });
      const after = JSON.parse(readFileSync(file, 'utf8')) as { network: { proxy: { url: string } }; ui: { theme: string }; logging: { logContent: boolean } };
      expect(after.network.proxy.url).toBe('http://proxy.corp:3128');
      expect(after.ui.theme).toBe('dark');
      expect(after.logging.logContent).toBe(true);
    });
  });

  it('values longer than any real one are config_invalid; real long keys (JWT-like, ~6 KB) are accepted', async () => {
    const { createSettingsStore } = await import('../../src/main/services/settings/store.ts');
    const { connectionSchema } = await import('../../src/shared/settings.ts');
    await withDir((dir) => {
      const store = createSettingsStore(dir);
      const refused = (fn: () => unknown, field: string): void => {
        let err: unknown;
        try {
          fn();
        } catch (e) {
          err = e;
        }
        expect(err, field).toMatchObject({ code: 'config_invalid' });
        expect((err as Error).message).toContain(field);
      };
      refused(() => store.update({ network: { proxy: { mode: 'manual', url: `http://proxy.corp:3128/${'a'.repeat(3000)}` } } }), 'network.proxy.url');
      refused(() => store.update({ network: { proxy: { bypass: '.corp,'.repeat(4000) } } }), 'network.proxy.bypass');
      refused(() => store.update({ network: { caFiles: Array.from({ length: 33 }, (_, i) => `/etc/ca/${i}.pem`) } }), 'network.caFiles');
      refused(() => store.update({ network: { caFiles: [`/${'d/'.repeat(2100)}ca.pem`] } }), 'network.caFiles');
      const jwtLike = `eyJ${'A'.repeat(6 * 1024)}`;
      const id = store.saveProvider({ name: 'Gateway', preset: 'custom', protocol: 'openai', baseUrl: 'https://gw.example/v1', apiKey: jwtLike });
      expect(store.get().providers.find((p) => p.id === id)?.apiKey).toBe(jwtLike);
      refused(() => store.saveProvider({ id, name: 'Gateway', preset: 'custom', protocol: 'openai', baseUrl: 'https://gw.example/v1', apiKey: 'k'.repeat(9 * 1024) }), 'apiKey');
      // The CLI's connection settings: a 50 MB base URL is refused as well.
      const huge = v.safeParse(connectionSchema, { provider: { protocol: 'openai', baseUrl: `https://x.example/${'a'.repeat(50 * 1024 * 1024)}`, model: 'm' } });
      expect(huge.success).toBe(false);
      expect(v.safeParse(connectionSchema, { provider: { protocol: 'openai', baseUrl: 'https://x.example/v1', model: 'm'.repeat(201) } }).success).toBe(false);
    });
  });
});

// Windows has no POSIX modes (ACLs instead): the 0600/0700 rule is for the other OSes.
describe.skipIf(process.platform === 'win32')('owner-only files', () => {
  it('settings, doctor reports and the support bundle are 0600, the data folder 0700 (also one left 0755 by an older version)', async () => {
    const { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { createSettingsStore } = await import('../../src/main/services/settings/store.ts');
    const { saveDoctorReport } = await import('../../src/main/services/doctor/reports.ts');
    const root = mkdtempSync(join(tmpdir(), 'parley-perm-'));
    try {
      const data = join(root, 'Parley');
      mkdirSync(data, { mode: 0o755 });
      chmodSync(data, 0o755);
      createSettingsStore(data).update({ ui: { theme: 'dark' } });
      const report = saveDoctorReport(data, { verdict: 'ok', findings: [], steps: [], hints: [] } as never);
      expect(report).toBeDefined();
      expect(statSync(data).mode & 0o777).toBe(0o700);
      expect(statSync(join(data, 'settings.json')).mode & 0o777).toBe(0o600);
      expect(statSync(report as string).mode & 0o777).toBe(0o600);
      // The support bundle goes where the user chose, written 0600.
      const { writeBundle } = await import('../../src/main/services/diagnostics/bundle.ts');
      const out = join(root, 'bundle.zip');
      await writeBundle({ out, configDir: data, logDir: join(data, 'logs'), env: {} });
      expect(statSync(out).mode & 0o777).toBe(0o600);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
