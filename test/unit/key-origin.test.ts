/**
 * Where a stored key may go (src/shared/origin.ts): one rule for main's save and the provider form. A key stays
 * with its provider while the base URL keeps its origin (or its text), and is dropped when the URL moves to
 * another origin; main's save and the window's "the key will not be sent there" decide the same way.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { keyStaysWith, originOf } from '../../src/shared/origin.ts';
import { createSettingsStore } from '../../src/main/services/settings/store.ts';

const KEY = 'sk-keyOriginTest0123456789abcdefghijkl';
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A settings store whose file holds one provider at `baseUrl` with a key (written by hand). */
function storeWith(baseUrl: string, env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'parley-key-origin-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'settings.json'), JSON.stringify({ version: 2, providers: [{ id: 'p', name: 'P', protocol: 'openai', baseUrl, apiKey: KEY, models: ['m'], defaultModel: 'm' }], defaults: { providerId: 'p', model: 'm' } }), { mode: 0o600 });
  return createSettingsStore(dir, env);
}
const keyAfter = (baseUrl: string, next: string, env: Record<string, string> = {}): string | undefined => {
  const s = storeWith(baseUrl, env);
  s.saveProvider({ id: 'p', name: 'Renamed', preset: 'custom', protocol: 'openai', baseUrl: next });
  return s.get().providers[0]?.apiKey;
};

describe('the key follows its origin, the same in main and in the window', () => {
  it('origins: scheme, host (any case) and port, default ports made explicit', () => {
    expect(originOf('https://API.example.com/v1')).toBe('https://api.example.com:443');
    expect(originOf('http://127.0.0.1/v1')).toBe('http://127.0.0.1:80');
    expect(originOf('ftp://h/x')).toBeUndefined();
    expect(originOf('${MY_URL}/v1')).toBeUndefined();
  });

  it.each([
    ['another path on the same origin', 'http://127.0.0.1:9/v1', 'http://127.0.0.1:9/other/v1', true],
    ['another host for the same machine', 'http://127.0.0.1:9/v1', 'http://localhost:9/v1', false],
    ['another port', 'http://127.0.0.1:9/v1', 'http://127.0.0.1:10/v1', false],
    ['https instead of http', 'http://h.example:443/v1', 'https://h.example/v1', false],
  ] as const)('%s: the window and main agree', (_name, from, to, stays) => {
    expect(keyStaysWith(from, to)).toBe(stays);
    expect(keyAfter(from, to) === KEY).toBe(stays);
  });

  it('a ${VAR} base URL kept as it is keeps its key, also while the variable is unset', () => {
    expect(keyStaysWith('${MY_GATEWAY_URL}/v1', '${MY_GATEWAY_URL}/v1')).toBe(true);
    expect(keyAfter('${MY_GATEWAY_URL}/v1', '${MY_GATEWAY_URL}/v1')).toBe(KEY);
    // Set, it is compared by where it points.
    expect(keyAfter('${MY_GATEWAY_URL}/v1', 'http://127.0.0.1:9/other', { MY_GATEWAY_URL: 'http://127.0.0.1:9' })).toBe(KEY);
    expect(keyAfter('${MY_GATEWAY_URL}/v1', 'http://localhost:9/v1', { MY_GATEWAY_URL: 'http://127.0.0.1:9' })).toBeUndefined();
  });
});
