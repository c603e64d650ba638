/** Where the app keeps its files, and how secrets are masked in the settings view. */
import { describe, expect, it } from 'vitest';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { defaultConfigDir, defaultLogDir } from '../../src/main/services/paths.ts';
import { maskProxyUrl, unmaskProxyUrl } from '../../src/main/services/settings-store.ts';

describe('OS folders (as Electron names them for "Parley")', () => {
  it.each([
    ['linux', {}, join(homedir(), '.config', 'Parley'), join(homedir(), '.config', 'Parley', 'logs')],
    ['linux', { XDG_CONFIG_HOME: '/x/cfg' }, '/x/cfg/Parley', '/x/cfg/Parley/logs'],
    ['darwin', {}, join(homedir(), 'Library', 'Application Support', 'Parley'), join(homedir(), 'Library', 'Logs', 'Parley')],
    ['win32', { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, join('C:\\Users\\u\\AppData\\Roaming', 'Parley'), join('C:\\Users\\u\\AppData\\Roaming', 'Parley', 'logs')],
    ['darwin', { PARLEY_HOME: '/tmp/ph' }, '/tmp/ph', '/tmp/ph/logs'],
  ] as const)('%s %j → data %s, logs %s', (platform, env, data, logs) => {
    expect(defaultConfigDir(env, platform)).toBe(data);
    expect(defaultLogDir(env, platform)).toBe(logs);
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
  it('a new password replaces the stored one; a new port keeps it; a new host or user must type it again', () => {
    expect(unmaskProxyUrl('http://u:new@proxy:3128', 'http://u:old@proxy:3128')).toBe('http://u:new@proxy:3128');
    expect(unmaskProxyUrl('http://u:********@proxy:8080', 'http://u:old@proxy:3128')).toBe('http://u:old@proxy:8080');
    expect(() => unmaskProxyUrl('http://u:********@other:3128', 'http://u:old@proxy:3128')).toThrow(/Type the proxy password again|password is the placeholder/);
    expect(() => unmaskProxyUrl('http://v:********@proxy:3128', 'http://u:old@proxy:3128')).toThrow();
  });
});
