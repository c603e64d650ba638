import { describe, expect, it } from 'vitest';
import { createLearningRedactor, createRedactor, MAX_LEARNED, shapeMarker } from '../../src/main/services/diagnostics/redact.ts';

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

describe('one userinfo rule for proxy URLs (the proxy parser\'s: the last @ ends the userinfo)', () => {
  const PW = 'p@ss#w/rd';
  const URL_ = `http://user:${PW}@proxy.corp:3128`;
  const parts = ['p@ss', 'ss#w', 'w/rd', '#w/rd@'];

  it('a password with unencoded @, # and / is masked whole in free text, JSON text and beside other text', () => {
    const r = createRedactor([]);
    for (const [input, want] of [
      [`proxy ${URL_} used`, 'proxy http://user:***@proxy.corp:3128 used'],
      [`{"url":"${URL_}","n":1}`, '{"url":"http://user:***@proxy.corp:3128","n":1}'],
      [`via ${URL_}, then direct`, 'via http://user:***@proxy.corp:3128, then direct'],
      [`(${URL_}/)`, '(http://user:***@proxy.corp:3128/)'],
      [`socks5h://u:a@b@[::1]:1080`, 'socks5h://u:***@[::1]:1080'],
    ] as const) {
      const out = r.redactText(input);
      expect(out).toBe(want);
      for (const p of parts) expect(out).not.toContain(p);
      expect(r.redactText(out)).toBe(out);
    }
  });

  it('the masking of messages, the settings view and the redactor agree', async () => {
    const { maskProxyValue, parseProxyUrl, formatProxy, proxyPassword } = await import('../../src/main/core/route/proxy-url.ts');
    expect(parseProxyUrl(URL_).password).toBe(PW);
    expect(proxyPassword(URL_)).toBe(PW);
    expect(maskProxyValue(URL_)).toBe('http://user:***@proxy.corp:3128');
    expect(formatProxy(parseProxyUrl(URL_))).toBe('http://user:***@proxy.corp:3128');
    expect(createRedactor([]).redactText(URL_)).toBe(maskProxyValue(URL_));
  });

  it('settingsSecrets learns the whole password (raw and encoded forms are then caught anywhere)', async () => {
    const { settingsSecrets } = await import('../../src/main/services/diagnostics/redact.ts');
    const secrets = settingsSecrets({ network: { proxy: { url: URL_ } } }, { HTTPS_PROXY: `http://e:${PW}x@h:1` });
    expect(secrets).toEqual(expect.arrayContaining([PW, `${PW}x`]));
    const r = createRedactor(secrets);
    const out = r.redactText(`the password ${PW} and ${encodeURIComponent(PW)} were typed`);
    expect(out).not.toContain('ss#w');
    expect(out).not.toContain(encodeURIComponent(PW));
  });
});

describe('secret query values', () => {
  it.each(['key', 'api_key', 'apikey', 'api-key', 'token', 'access_token', 'code', 'sig', 'signature', 'secret', 'password', 'auth', 'KEY', 'Sig'])('?%s=… is redacted in any text', (name) => {
    const r = createRedactor([]);
    const out = r.redactText(`GET https://h.example/v1/models?x=1&${name}=qv-Secret-77&y=2 (200) and ?${name}=second-SECRET`);
    expect(out).not.toContain('qv-Secret-77');
    expect(out).not.toContain('second-SECRET');
    // (`api-key=` also reads as a header line, which hides the rest of the line)
    if (name !== 'api-key') expect(out).toContain(`&${name}=***&y=2`);
    expect(r.redactText(out)).toBe(out);
  });

  it('other parameters stay', () => {
    const s = 'GET https://h.example/v1/models?api-version=2024-06-01&model=x';
    expect(createRedactor([]).redactText(s)).toBe(s);
  });

  it('the query values and userinfo of a configured base URL are learned as secrets (they are caught outside URLs too)', async () => {
    const { settingsSecrets } = await import('../../src/main/services/diagnostics/redact.ts');
    const secrets = settingsSecrets({ providers: [{ baseUrl: 'https://bu:bp-Secret9@h.example/v1?api-version=2024-06-01&key=Q-Secret-1%2F2&sig=Sig%2BSecret2' }] }, {});
    expect(secrets).toEqual(expect.arrayContaining(['Q-Secret-1%2F2', 'Q-Secret-1/2', 'Sig%2BSecret2', 'Sig+Secret2', 'bp-Secret9', 'bu', '2024-06-01']));
    const out = createRedactor(secrets).redactText('values Q-Secret-1/2 Sig+Secret2 bp-Secret9 seen');
    for (const s of ['Q-Secret-1/2', 'Sig+Secret2', 'bp-Secret9']) expect(out).not.toContain(s);
  });
});

describe('redaction at any depth', () => {
  const nest = (depth: number, leaf: unknown): unknown => {
    let v = leaf;
    for (let i = 0; i < depth; i++) v = { [`l${i}`]: v };
    return v;
  };

  it('redactValue replaces what lies beyond its depth bound instead of passing it on', () => {
    const r = createRedactor(['deep-known-secret']);
    const out = JSON.stringify(r.redactValue(nest(40, { apiKey: 'plainDeepKey123', note: `${OPENAI} deep-known-secret` })));
    for (const s of ['plainDeepKey123', OPENAI, 'deep-known-secret']) expect(out).not.toContain(s);
    expect(out).toContain('nested too deep');
  });

  it('redactJson redacts every string of a JSON text at any depth and keeps it valid JSON', () => {
    const odd = 'odd"quote\\back\nslash-secret';
    const r = createRedactor(['deep-known-secret', odd]);
    const json = JSON.stringify(nest(200, { apiKey: 'plainDeepKey123', 'x-api-key': 'k-12345', list: [`Bearer ${OPENAI}`, 'deep-known-secret', odd], url: 'http://user:p@ss#w/rd@proxy:3128', base: 'https://h/v1?key=qv-Secret-77', n: 3, ok: 'keep me' }));
    const out = r.redactJson(json);
    const parsed = JSON.parse(out) as unknown;
    const text = JSON.stringify(parsed);
    for (const s of ['plainDeepKey123', 'k-12345', OPENAI, 'deep-known-secret', 'slash-secret', 'ss#w', 'qv-Secret-77']) expect(text).not.toContain(s);
    expect(text).toContain('keep me');
    expect(text).toContain('"n":3');
    expect(r.redactJson(out)).toBe(out);
    // A marker whose shape holds a quote or a backslash still leaves valid JSON.
    const r2 = createRedactor(['"\\quoted-long-secret-value\\"']);
    expect(() => JSON.parse(r2.redactJson(JSON.stringify({ a: 'x "\\quoted-long-secret-value\\" y' })))).not.toThrow();
  });
});

describe('the learning redactor (issue 15)', () => {
  it('keeps the configured secrets always, an old configured key for a while, and only the last MAX_LEARNED others', () => {
    const r = createLearningRedactor();
    const stored = 'sk-configuredKey0123456789abcdefgh';
    const old = 'sk-replacedKey0123456789abcdefghij';
    r.learn([old], { configured: true });
    r.learn([stored], { configured: true });
    for (let i = 0; i < 1000; i++) r.learn([`draft-key-${i}-${'x'.repeat(100)}`]);
    expect(r.secrets().length).toBe(1 + MAX_LEARNED);
    expect(r.redactText(`a ${stored} b`)).toBe(`a ${shapeMarker(stored)} b`);
    // The newest drafts are remembered, the first ones forgotten; the replaced key went with the oldest.
    expect(r.redactText('draft-key-999-' + 'x'.repeat(100))).not.toContain('draft-key-999');
    expect(r.redactSecrets('draft-key-0-' + 'x'.repeat(100))).toContain('draft-key-0');
    expect(r.secrets()).not.toContain(old);
    // Replaced again: the previous configured key is still redacted (among the remembered ones).
    r.learn(['sk-newerKey0123456789abcdefghijklm'], { configured: true });
    expect(r.redactSecrets(`x ${stored} y`)).toBe(`x ${shapeMarker(stored)} y`);
  });
});
