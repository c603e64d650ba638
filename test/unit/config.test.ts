import { describe, expect, it } from 'vitest';
import { expandEnv, resolveSettings } from '../../src/main/core/config.ts';
import { ParleyError } from '../../src/main/core/errors.ts';

const base = { provider: { protocol: 'openai', baseUrl: 'https://api.example.com/v1/', model: 'm', apiKey: '${KEY}' } };

describe('settings: ${VAR} expansion and validation', () => {
  it('expands variables in base URL, key and proxy', () => {
    const s = resolveSettings({ ...base, provider: { ...base.provider, baseUrl: '${BASE}/v1' }, network: { proxy: { mode: 'manual', url: 'http://${PU}:${PP}@127.0.0.1:3128' } } }, { KEY: 'sk-1', BASE: 'https://h', PU: 'u', PP: 'p' });
    expect(s.provider.apiKey).toBe('sk-1');
    expect(s.provider.baseUrl).toBe('https://h/v1');
    expect(s.network.proxy.url).toBe('http://u:p@127.0.0.1:3128');
  });
  it('refuses an unset variable with config_unexpanded_env naming it', () => {
    try {
      resolveSettings(base, {});
      expect.unreachable();
    } catch (e) {
      expect(ParleyError.is(e) && e.code).toBe('config_unexpanded_env');
      expect((e as Error).message).toContain('KEY');
      expect((e as ParleyError).hint).toContain('KEY');
    }
  });
  it('an empty variable counts as unset', () => {
    expect(() => expandEnv('${A}', { A: '' }, 'x')).toThrow(/A is not set/);
  });
  it('trailing slashes of the base URL are dropped', () => {
    expect(resolveSettings(base, { KEY: 'k' }).provider.baseUrl).toBe('https://api.example.com/v1');
  });
  const invalid: Array<[string, unknown]> = [
    ['no scheme', { provider: { ...base.provider, baseUrl: 'api.example.com/v1' } }],
    ['ftp scheme', { provider: { ...base.provider, baseUrl: 'ftp://x' } }],
    ['unknown protocol', { provider: { ...base.provider, protocol: 'gemini' } }],
    ['manual proxy without URL', { ...base, network: { proxy: { mode: 'manual' } } }],
    ['negative retries', { ...base, network: { retries: -1 } }],
  ];
  for (const [name, raw] of invalid) {
    it(`config_invalid: ${name}`, () => {
      expect(() => resolveSettings(raw, { KEY: 'k' })).toThrow(expect.objectContaining({ code: 'config_invalid' }));
    });
  }
});

describe('a key with a line break inside is a settings error, not a network one', () => {
  it.each([['sk-abc\ndef'], ['sk-abc\r\ndef'], ['sk-abc\tdef'], ['sk-\u0000abc']])('%j → config_invalid, the key not in the message', (key) => {
    try {
      resolveSettings({ provider: { ...base.provider, apiKey: key } }, {});
      expect.unreachable();
    } catch (e) {
      expect(ParleyError.is(e) && e.code).toBe('config_invalid');
      expect((e as Error).message).not.toContain('abc');
    }
  });
  it('a trailing newline (a pasted line) is trimmed, not refused', () => {
    expect(resolveSettings({ provider: { ...base.provider, apiKey: 'sk-abcdef\n' } }, {}).provider.apiKey).toBe('sk-abcdef');
  });
});

describe('settings.json as the app and the CLI read it', () => {
  it('a UTF-8 BOM is accepted; null, an array or a number is config_invalid; a missing file is empty settings; a huge file is refused', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { readSettingsFile, MAX_SETTINGS_BYTES } = await import('../../src/main/services/settings-file.ts');
    const { createSettingsStore } = await import('../../src/main/services/settings-store.ts');
    const { readConfigFile } = await import('../../src/main/cli/options.ts');
    const dir = mkdtempSync(join(tmpdir(), 'parley-settings-file-'));
    const file = join(dir, 'settings.json');
    try {
      expect(readSettingsFile(file)).toEqual({});
      writeFileSync(file, '\uFEFF{"version": 2, "providers": []}');
      expect(readSettingsFile(file)).toEqual({ version: 2, providers: [] });
      expect(createSettingsStore(dir).get().providers).toEqual([]);
      expect(readConfigFile(dir)).toEqual({ version: 2, providers: [] });
      for (const text of ['null', '[]', '42', '"x"']) {
        writeFileSync(file, text);
        for (const read of [() => readSettingsFile(file), () => createSettingsStore(dir).get(), () => readConfigFile(dir)]) {
          try {
            read();
            expect.unreachable(text);
          } catch (e) {
            expect(ParleyError.is(e) && e.code).toBe('config_invalid');
          }
        }
      }
      writeFileSync(file, `{"x": "${'a'.repeat(MAX_SETTINGS_BYTES)}"}`);
      expect(() => readSettingsFile(file)).toThrow(/larger than/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
