import { describe, expect, it } from 'vitest';
import { classifyHttp } from '../../src/main/core/classify.ts';
import { ADAPTERS } from '../../src/main/core/protocols/index.ts';
import type { ErrorCode } from '../../src/shared/errors.ts';

const html = (t: string): string => `<html><head><title>${t}</title></head><body><h1>${t}</h1></body></html>`;

describe('classifyHttp', () => {
  // [protocol, status, headers, body, expected code, retryable, provider words contained]
  const table: Array<[keyof typeof ADAPTERS, number, Record<string, string>, string, ErrorCode, boolean, string]> = [
    ['openai', 401, { 'content-type': 'application/json' }, '{"error":{"message":"Incorrect API key provided: sk-abc***","type":"invalid_request_error","code":"invalid_api_key"}}', 'auth_rejected', false, 'Incorrect API key'],
    ['anthropic', 401, {}, '{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}', 'auth_rejected', false, 'invalid x-api-key'],
    ['openai', 403, {}, '{"error":{"message":"Country, region, or territory not supported","type":"request_forbidden"}}', 'auth_rejected', false, 'Country'],
    ['openai', 404, {}, '{"error":{"message":"The model `gpt-9` does not exist or you do not have access to it.","type":"invalid_request_error","code":"model_not_found"}}', 'model_not_found', false, 'gpt-9'],
    ['ollama', 404, {}, '{"error":"model \\"llama9\\" not found, try pulling it first"}', 'model_not_found', false, 'try pulling'],
    ['anthropic', 404, {}, '{"type":"error","error":{"type":"not_found_error","message":"model: claude-9"}}', 'model_not_found', false, 'claude-9'],
    ['openai', 404, { 'content-type': 'text/plain' }, '404 page not found', 'not_found', false, ''],
    ['openai', 400, {}, '{"error":{"message":"Model Not Exist","type":"invalid_request_error"}}', 'model_not_found', false, 'Model Not Exist'],
    ['openai', 400, {}, '{"error":{"message":"max_tokens is too large","type":"invalid_request_error"}}', 'request_rejected', false, 'max_tokens'],
    ['openai', 408, {}, '', 'request_timeout', true, ''],
    ['openai', 409, {}, '', 'server_error', true, ''],
    ['openai', 429, { 'retry-after': '1' }, '{"error":{"message":"Rate limit reached for requests","type":"requests","code":"rate_limit_exceeded"}}', 'rate_limited', true, 'Rate limit'],
    ['openai', 429, {}, '{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}', 'rate_limited', false, 'quota'],
    ['openai', 500, {}, '{"error":{"message":"The server had an error","type":"server_error"}}', 'server_error', true, 'server had an error'],
    ['anthropic', 529, {}, '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}', 'server_error', true, 'Overloaded'],
    ['openai', 503, { 'content-type': 'application/json' }, '{"error":{"message":"The engine is currently overloaded","type":"server_error"}}', 'server_error', true, 'overloaded'],
    ['openai', 502, { server: 'nginx/1.22.1', 'content-type': 'text/html' }, html('502 Bad Gateway'), 'bad_gateway', true, '502 Bad Gateway'],
    ['ollama', 504, { server: 'squid/5.7' }, html('ERROR: The requested URL could not be retrieved'), 'bad_gateway', true, 'could not be retrieved'],
    ['openai', 503, { server: 'cloudflare' }, 'upstream connect error', 'bad_gateway', true, ''],
    ['openai', 200, { 'content-type': 'text/html' }, html('Hotel WiFi – Please log in'), 'protocol_error', false, 'Please log in'],
    ['openai', 407, { server: 'squid' }, html('Cache Access Denied'), 'proxy_auth_failed', false, 'Cache Access Denied'],
  ];
  it('a body that is not a provider API error (an internal service reached through a base URL) is not repeated (issue 15)', () => {
    for (const [status, body, ct] of [[404, 'consul: key /admin/db-password not found', 'text/plain'], [500, '{"internal":"db=postgres://app:pw@10.0.0.5/app"}', 'application/json'], [200, 'ADMIN CONSOLE token=abc', 'text/plain'], [403, 'forbidden: user admin', 'text/plain']] as const) {
      const e = classifyHttp({ status, headers: { 'content-type': ct }, body, url: 'http://10.0.0.5:8500/v1/chat/completions', forwardProxy: false }, ADAPTERS.openai, 'm');
      const seen = JSON.stringify(e.toInfo());
      for (const word of ['consul', 'postgres', 'ADMIN', 'forbidden']) expect(seen, body).not.toContain(word);
    }
  });
  for (const [protocol, status, headers, body, code, retryable, words] of table) {
    it(`${protocol} ${status} ${body.slice(0, 40)} → ${code}`, () => {
      const e = classifyHttp({ status, headers, body, url: 'https://api.example.com/v1/chat/completions', forwardProxy: false }, ADAPTERS[protocol], 'test-model');
      expect(e.code).toBe(code);
      expect(e.detail.retryable === true).toBe(retryable);
      expect(e.detail.status).toBe(status);
      if (words) expect(`${e.message} ${e.detail.providerMessage ?? ''}`).toContain(words);
      expect(e.hint.length).toBeGreaterThan(10);
    });
  }
  it('a 403 page from a forward proxy is proxy_refused', () => {
    const e = classifyHttp({ status: 403, headers: { server: 'squid/5.7' }, body: html('Access Denied'), url: 'http://internal.example/v1/chat/completions', forwardProxy: true }, ADAPTERS.openai, 'm');
    expect(e.code).toBe('proxy_refused');
    expect(e.detail.hop).toBe('proxy');
  });
  describe('a 404 names the exact base URL to use, as the one base-URL check does (issue 9)', () => {
    const notFound = (protocol: keyof typeof ADAPTERS, url: string, baseUrl?: string) =>
      classifyHttp({ status: 404, headers: { 'content-type': 'text/plain' }, body: '404 page not found', url, forwardProxy: false, ...(baseUrl !== undefined ? { baseUrl } : {}) }, ADAPTERS[protocol], 'm');
    it.each([
      ['openai', 'https://api.deepseek.com/chat/completions', 'https://api.deepseek.com/v1'],
      ['openai', 'https://api.deepseek.com/models', 'https://api.deepseek.com/v1'],
      ['openai', 'https://gw.example/v1/chat/completions/chat/completions', 'https://gw.example/v1'],
      ['openai', 'https://gw.example/v1/v1/chat/completions', 'https://gw.example/v1'],
      ['anthropic', 'https://api.anthropic.com/v1/messages/v1/messages', 'https://api.anthropic.com'],
      ['ollama', 'http://127.0.0.1:11434/api/chat/api/chat', 'http://127.0.0.1:11434'],
    ] as const)('%s %s → %s', (protocol, url, corrected) => {
      const e = notFound(protocol, url);
      expect(e.code).toBe('not_found');
      expect(e.hint).toContain(`use ${corrected} `);
    });
    it('the configured base URL, when given, is the one checked; its query values are masked', () => {
      expect(notFound('openai', 'https://h.example/chat/completions', 'https://h.example/chat/completions').hint).toContain('use https://h.example/v1 ');
      const e = notFound('openai', 'https://h.example/x/chat/completions?key=Q-SECRET', 'https://h.example/x?key=Q-SECRET');
      expect(e.hint).toContain('use https://h.example/x/v1?key=***');
      expect(e.hint).not.toContain('Q-SECRET');
    });
    it('a base URL that looks right keeps the general hint', () => {
      expect(notFound('openai', 'https://api.example.com/v1/chat/completions').hint).toMatch(/usually end in \/v1/);
      expect(notFound('anthropic', 'https://api.anthropic.com/v1/messages').hint).toMatch(/service root/);
    });
  });
});

describe('a proxy’s own error answer about the target (squid’s X-Squid-Error)', () => {
  const page = (sys: string): string => `<html><head><title>ERROR: The requested URL could not be retrieved</title></head><body><p id="sysmsg">The system returned: <i>${sys}</i></p></body></html>`;
  const squid = (error: string, body = ''): Parameters<typeof classifyHttp>[0] => ({
    status: 503, headers: { server: 'squid/5.7', 'content-type': 'text/html', 'x-squid-error': error }, body, url: 'http://llm.internal.test:8080/v1/chat/completions', forwardProxy: true,
  });
  it('refused, timed out, not resolved: each is about the target, naming squid’s words', () => {
    const refused = classifyHttp(squid('ERR_CONNECT_FAIL 111', page('(111) Connection refused')), ADAPTERS.openai, 'm');
    expect(refused).toMatchObject({ code: 'connect_refused', detail: { hop: 'target', host: 'llm.internal.test:8080', key: 'proxy_target_refused' } });
    expect(refused.message).toContain('ERR_CONNECT_FAIL 111, (111) Connection refused');
    expect(classifyHttp(squid('ERR_CONNECT_FAIL 110'), ADAPTERS.openai, 'm')).toMatchObject({ code: 'connect_timeout', detail: { hop: 'target', key: 'proxy_target_unreachable' } });
    expect(classifyHttp(squid('ERR_DNS_FAIL 0'), ADAPTERS.openai, 'm')).toMatchObject({ code: 'dns_failed', detail: { hop: 'target', key: 'proxy_target_dns', params: { host: 'llm.internal.test' } } });
  });
  it('another squid error stays the proxy’s; a hostile page’s words are printable and short', () => {
    expect(classifyHttp(squid('ERR_READ_ERROR 104'), ADAPTERS.openai, 'm')).toMatchObject({ code: 'bad_gateway', detail: { hop: 'proxy' } });
    const hostile = classifyHttp(squid('ERR_CONNECT_FAIL 111', page(`\u001b[31m${'x'.repeat(500)}`)), ADAPTERS.openai, 'm');
    expect([...hostile.message].some((ch) => ch.charCodeAt(0) < 0x20)).toBe(false);
    expect(hostile.message.length).toBeLessThan(400);
  });
});
