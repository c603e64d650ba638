import { describe, expect, it } from 'vitest';
import { createRedactor, shapeMarker } from '../../src/main/services/redact.ts';

const OPENAI = 'sk-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHc0d1';
const PROJ = 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789';
const ANT = 'sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-xyz';
const DEEPSEEK = 'sk-0123456789abcdef0123456789abcdef';
const GOOGLE = 'AIzaSyA1234567890abcdefghijklmnopqrstuv';
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV';

const cases: Array<{ name: string; input: string; secret: string; expect?: RegExp }> = [
  { name: 'OpenAI sk- key', input: `key=${OPENAI} end`, secret: OPENAI, expect: /sk-…c0d1 \(51 chars\)/ },
  { name: 'OpenAI sk-proj- key', input: `using ${PROJ}`, secret: PROJ },
  { name: 'Anthropic sk-ant- key', input: `"${ANT}"`, secret: ANT },
  { name: 'DeepSeek/Moonshot/DashScope sk- key', input: DEEPSEEK, secret: DEEPSEEK },
  { name: 'Google AIza key', input: `?key=${GOOGLE}&x=1`, secret: GOOGLE },
  { name: 'JWT', input: `token ${JWT}`, secret: JWT },
  { name: 'Bearer token', input: 'sent Bearer abc123xyz789tok', secret: 'abc123xyz789tok' },
  { name: 'Authorization header line', input: 'Authorization: Bearer opaque-token-99\nnext', secret: 'opaque-token-99', expect: /\nnext$/ },
  { name: 'x-api-key header line', input: 'x-api-key: plainkey123', secret: 'plainkey123' },
  { name: 'Proxy-Authorization header', input: 'Proxy-Authorization: Basic dXNlcjpwYXNzd29yZA==', secret: 'dXNlcjpwYXNzd29yZA==' },
  { name: 'Cookie header', input: 'Cookie: session=s3cr3tc00kie', secret: 's3cr3tc00kie' },
  { name: 'password in URL', input: 'proxy http://alice:hunter2pw@proxy.corp:3128 used', secret: 'hunter2pw', expect: /alice:\*\*\*@proxy\.corp/ },
  { name: 'socks URL password', input: 'socks5h://u:p%40ss@127.0.0.1:1080', secret: 'p%40ss' },
  { name: 'Basic token', input: 'Basic Zm9vOmJhcg==', secret: 'Zm9vOmJhcg==' },
  { name: 'configured secret', input: 'odd key: my-own-key-1 here', secret: 'my-own-key-1', expect: /\[redacted \(12 chars\)\]/ },
];

describe('redactText', () => {
  it.each(cases)('$name', ({ input, secret, expect: re }) => {
    const r = createRedactor(['my-own-key-1']);
    const out = r.redactText(input);
    expect(out).not.toContain(secret);
    if (re) expect(out).toMatch(re);
    expect(r.count).toBeGreaterThan(0);
  });

  it('leaves ordinary text alone and is idempotent', () => {
    const r = createRedactor([]);
    const s = 'route: proxy http://proxy.corp:3128 (manual) status 200 in 12 ms; authorization failed';
    expect(r.redactText(s)).toBe(s);
    const once = r.redactText(`Authorization: Bearer ${OPENAI}`);
    expect(r.redactText(once)).toBe(once);
  });

  it('markers: long secrets keep prefix and last 4, short ones only their length', () => {
    expect(shapeMarker(OPENAI)).toBe('sk-…c0d1 (51 chars)');
    expect(shapeMarker('short')).toBe('[redacted (5 chars)]');
  });
});

describe('redactValue', () => {
  it('replaces header-like keys deeply and scans strings', () => {
    const r = createRedactor(['planted-secret-value']);
    const v = r.redactValue({
      headers: { Authorization: 'Bearer abc', 'x-api-key': 'k1', 'proxy-authorization': 'Basic x', cookie: 'a=b', 'set-cookie': ['c=d'], 'api-key': 'k2' },
      provider: { apiKey: 'sk-zzzzzzzzzzzzzzzzzzzzzzzz', password: 'pw' },
      list: ['text with planted-secret-value', { deep: { url: 'http://u:pass123@h:1' } }],
      keep: 42,
    }) as Record<string, unknown>;
    const s = JSON.stringify(v);
    for (const bad of ['abc', 'k1', 'Basic x', 'a=b', 'c=d', 'k2', 'zzzzzzzzzzzz', '"pw"', 'planted-secret-value', 'pass123']) expect(s).not.toContain(bad);
    expect(s).toContain('"keep":42');
    expect(r.count).toBeGreaterThanOrEqual(9);
  });
});
