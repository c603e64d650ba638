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
    const { readSettingsFile, MAX_SETTINGS_BYTES } = await import('../../src/main/services/settings/file.ts');
    const { createSettingsStore } = await import('../../src/main/services/settings/store.ts');
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

describe('base URLs with a query string', () => {
  it('the query is kept as written; only trailing slashes of the path are dropped', () => {
    const s = resolveSettings({ provider: { ...base.provider, baseUrl: 'https://gw.example/v1/?key=Q-Secret/&sig=abc' } }, { KEY: 'k' });
    expect(s.provider.baseUrl).toBe('https://gw.example/v1?key=Q-Secret/&sig=abc');
  });

  it('request URLs put the path after the base path and keep the query (no fragment), for every adapter', async () => {
    const { ADAPTERS } = await import('../../src/main/core/protocols/index.ts');
    const q = '?key=Q-Secret&sig=S%2F2';
    expect(ADAPTERS.openai.chatUrl(`https://gw.example/v1${q}`)).toBe(`https://gw.example/v1/chat/completions${q}`);
    expect(ADAPTERS.openai.modelsUrl(`https://gw.example/v1/${q}#frag`)).toBe(`https://gw.example/v1/models${q}`);
    expect(ADAPTERS.anthropic.chatUrl(`https://gw.example/v1${q}`)).toBe(`https://gw.example/v1/messages${q}`);
    expect(ADAPTERS.anthropic.modelsUrl(`https://gw.example${q}`)).toBe(`https://gw.example/v1/models${q}`);
    expect(ADAPTERS.ollama.chatUrl(`http://127.0.0.1:11434/api${q}`)).toBe(`http://127.0.0.1:11434/api/chat${q}`);
    expect(ADAPTERS.ollama.modelsUrl(`http://127.0.0.1:11434${q}`)).toBe(`http://127.0.0.1:11434/api/tags${q}`);
    // Without a query nothing changes.
    expect(ADAPTERS.openai.chatUrl('https://api.openai.com/v1')).toBe('https://api.openai.com/v1/chat/completions');
    expect(ADAPTERS.anthropic.chatUrl('https://api.anthropic.com/v1/')).toBe('https://api.anthropic.com/v1/messages');
    expect(ADAPTERS.ollama.chatUrl('http://localhost:11434/')).toBe('http://localhost:11434/api/chat');
  });

  it('a base URL that is not a URL is quoted with its query values and userinfo masked', () => {
    try {
      resolveSettings({ provider: { ...base.provider, baseUrl: 'gw.example/v1?key=Q-Secret-77&sig=S2-Secret' } }, { KEY: 'k' });
      expect.unreachable();
    } catch (e) {
      expect(ParleyError.is(e) && e.code).toBe('config_invalid');
      expect((e as Error).message).not.toMatch(/Q-Secret-77|S2-Secret/);
      expect((e as Error).message).toContain('?key=***&sig=***');
    }
  });

  it('urlSecrets / maskUrlSecrets / unmaskUrlSecrets: the userinfo and every query value', async () => {
    const { maskUrlSecrets, unmaskUrlSecrets, urlSecrets } = await import('../../src/main/core/config.ts');
    const u = 'https://bu:bp@gw.example/v1?key=Q%2FSecret&api-version=2024&flag';
    expect(urlSecrets(u)).toEqual(['bu', 'bp', 'Q%2FSecret', 'Q/Secret', '2024']);
    const shown = maskUrlSecrets(u, '********');
    expect(shown).toBe('https://********:********@gw.example/v1?key=********&api-version=********&flag');
    expect(unmaskUrlSecrets(shown, u, '********')).toBe(u);
    expect(unmaskUrlSecrets(shown.replace('api-version=********', 'api-version=2025'), u, '********')).toBe(u.replace('2024', '2025'));
    // The placeholder goes back only to the same host and path.
    expect(unmaskUrlSecrets(shown.replace('gw.example', 'evil.example'), u, '********')).toBeUndefined();
    expect(unmaskUrlSecrets('https://gw.example/v1?key=new', u, '********')).toBe('https://gw.example/v1?key=new');
  });
});

describe('a missing setting names the flag and the settings.json field (issue 9)', () => {
  const err = (raw: unknown, env: Record<string, string> = { KEY: 'k' }): ParleyError => {
    try {
      resolveSettings(raw, env);
    } catch (e) {
      if (ParleyError.is(e)) return e;
      throw e;
    }
    throw new Error('expected a throw');
  };
  it('no base URL (absent or empty): the flag and the field, not the schema path', () => {
    for (const baseUrl of [undefined, '', '  ']) {
      const e = err({ provider: { ...base.provider, baseUrl } });
      expect(e.code).toBe('config_invalid');
      expect(e.message).toBe('No base URL: pass --base-url URL or set providers[].baseUrl in settings.json.');
      expect(e.hint).toContain('--base-url');
      expect(`${e.message} ${e.hint}`).not.toMatch(/expected string|received undefined|Too small/);
    }
  });
  it('no model, and no base URL and no model: each named', () => {
    expect(err({ provider: { ...base.provider, model: undefined } }).message).toBe('No model: pass --model NAME or set providers[].defaultModel in settings.json.');
    expect(err({ provider: { protocol: 'openai' } }).message).toBe('No base URL and no model: pass --base-url URL and --model NAME, or set providers[].baseUrl and providers[].defaultModel in settings.json.');
    expect(err({}).message).toMatch(/^No provider: pass --base-url URL and --model NAME/);
  });
  it('another invalid value names its field and its flag', () => {
    expect(err({ ...base, network: { retries: -1 } }).message).toMatch(/^Invalid setting network\.retries \(--retries\): /);
    expect(err({ ...base, network: { timeouts: { idleMs: 'x' } } }).message).toMatch(/network\.timeouts\.idleMs \(--idle-timeout\)/);
  });
  it('a base URL without a scheme names the URL to use (the one base-URL check)', () => {
    expect(err({ provider: { ...base.provider, baseUrl: 'api.example.com/v1' } }).message).toContain('use https://api.example.com/v1');
    expect(err({ provider: { ...base.provider, baseUrl: 'localhost:11434', protocol: 'ollama' } }).message).toContain('use http://localhost:11434');
  });
});

describe('$VAR without braces, and who is told how to set a variable (issue 9)', () => {
  it.each([
    ['apiKey', { apiKey: '$OPENAI_API_KEY' }, 'OPENAI_API_KEY'],
    ['apiKey with spaces around', { apiKey: ' $OPENAI_API_KEY ' }, 'OPENAI_API_KEY'],
    ['baseUrl', { baseUrl: '$BASE_URL/v1' }, 'BASE_URL'],
    ['model', { model: '$MODEL' }, 'MODEL'],
  ])('%s: config_invalid, the hint says to write ${VAR}', (_n, patch, name) => {
    try {
      resolveSettings({ provider: { ...base.provider, ...patch } }, { KEY: 'k', [name]: 'set' });
      expect.unreachable();
    } catch (e) {
      expect(ParleyError.is(e) && e.code).toBe('config_invalid');
      expect((e as Error).message).toContain(`$${name}`);
      expect((e as ParleyError).hint).toContain(`\${${name}}`);
    }
  });
  it('a proxy URL written as $VAR too; a key with a $ inside is a key', () => {
    expect(() => resolveSettings({ ...base, network: { proxy: { mode: 'manual', url: '$HTTPS_PROXY' } } }, { KEY: 'k' })).toThrow(/\$HTTPS_PROXY/);
    expect(resolveSettings({ provider: { ...base.provider, apiKey: 'sk-a$b' } }, {}).provider.apiKey).toBe('sk-a$b');
    expect(resolveSettings({ provider: { ...base.provider, apiKey: '${KEY}' } }, { KEY: '$X' }).provider.apiKey).toBe('$X');
  });
  it('an unset ${VAR}: the app is told about the desktop launch, a shell about export', () => {
    const hint = (opts?: { envSource: 'app' | 'shell' }): string => {
      try {
        resolveSettings({ provider: { ...base.provider, apiKey: '${OPENAI_API_KEY}' } }, {}, opts);
      } catch (e) {
        expect(ParleyError.is(e) && e.code).toBe('config_unexpanded_env');
        return (e as ParleyError).hint;
      }
      throw new Error('expected a throw');
    };
    expect(hint()).toContain('desktop launch');
    expect(hint({ envSource: 'app' })).toContain('desktop launch');
    const shell = hint({ envSource: 'shell' });
    expect(shell).toContain('export OPENAI_API_KEY=');
    expect(shell).toContain('--api-key');
    expect(shell).not.toContain('desktop');
  });
});
