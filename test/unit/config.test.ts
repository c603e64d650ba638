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
