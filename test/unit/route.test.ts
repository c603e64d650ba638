import { describe, it, expect } from 'vitest';
import { routeSourceText } from '../../src/shared/route.ts';
import {
  formatProxy,
  matchBypass,
  parseBypassList,
  parsePacResult,
  parseProxyUrl,
  readProxyEnv,
  resolveRoute,
  RouteError,
  type ProxyEndpoint,
  type Route,
  type RouteInput,
} from '../../src/main/core/route/index.ts';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

async function rejected(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe('bypass matcher', () => {
  // [rule list, host, port, expected matching rule or null]
  const table: Array<[string, string, number, string | null]> = [
    // `*`
    ['*', 'api.openai.com', 443, '*'],
    ['*', '10.1.2.3', 80, '*'],
    // plain domain: host and subdomains
    ['example.com', 'example.com', 443, 'example.com'],
    ['example.com', 'api.example.com', 443, 'example.com'],
    ['example.com', 'a.b.example.com', 443, 'example.com'],
    ['example.com', 'notexample.com', 443, null],
    ['example.com', 'example.com.evil.net', 443, null],
    ['example.com', 'example.org', 443, null],
    ['api.example.com', 'example.com', 443, null],
    // case-insensitive, trailing dot ignored
    ['Example.COM', 'API.example.com', 443, 'Example.COM'],
    ['example.com.', 'api.example.com', 443, 'example.com.'],
    ['example.com', 'example.com.', 443, 'example.com'],
    // leading dot and *.
    ['.example.com', 'example.com', 443, '.example.com'],
    ['.example.com', 'api.example.com', 443, '.example.com'],
    ['.example.com', 'notexample.com', 443, null],
    ['*.example.com', 'example.com', 443, '*.example.com'],
    ['*.example.com', 'x.y.example.com', 443, '*.example.com'],
    ['*.example.com', 'badexample.com', 443, null],
    // host:port
    ['example.com:8443', 'example.com', 8443, 'example.com:8443'],
    ['example.com:8443', 'api.example.com', 8443, 'example.com:8443'],
    ['example.com:8443', 'example.com', 443, null],
    ['.corp.example:80', 'wiki.corp.example', 80, '.corp.example:80'],
    ['.corp.example:80', 'wiki.corp.example', 443, null],
    ['1.2.3.4:8080', '1.2.3.4', 8080, '1.2.3.4:8080'],
    ['1.2.3.4:8080', '1.2.3.4', 8081, null],
    ['[fe80::1]:8080', 'fe80::1', 8080, '[fe80::1]:8080'],
    ['[fe80::1]:8080', '[fe80::1]', 8080, '[fe80::1]:8080'],
    ['[fe80::1]:8080', 'fe80::1', 443, null],
    // IPv4 literals
    ['10.1.2.3', '10.1.2.3', 443, '10.1.2.3'],
    ['10.1.2.3', '10.1.2.4', 443, null],
    ['10.1.2.3', '::ffff:10.1.2.3', 443, '10.1.2.3'],
    ['10.1.2.3', '[::ffff:a01:203]', 443, '10.1.2.3'],
    // IPv6 literals, normalized
    ['fe80::1', 'fe80::1', 443, 'fe80::1'],
    ['fe80::1', '[FE80:0:0:0:0:0:0:1]', 443, 'fe80::1'],
    ['[fe80::1]', 'fe80::1', 443, '[fe80::1]'],
    ['fe80::1', 'fe80::2', 443, null],
    ['::ffff:10.0.0.1', '10.0.0.1', 443, '::ffff:10.0.0.1'],
    // IPv4 CIDR
    ['10.0.0.0/8', '10.200.3.4', 443, '10.0.0.0/8'],
    ['10.0.0.0/8', '11.0.0.1', 443, null],
    ['192.168.1.0/24', '192.168.1.77', 443, '192.168.1.0/24'],
    ['192.168.1.0/24', '192.168.2.1', 443, null],
    ['172.16.0.0/12', '172.31.255.255', 443, '172.16.0.0/12'],
    ['172.16.0.0/12', '172.32.0.0', 443, null],
    ['10.0.0.0/8', '::ffff:10.9.9.9', 443, '10.0.0.0/8'],
    ['10.0.0.0/8', 'ten.corp', 443, null], // names are never resolved
    ['0.0.0.0/0', '8.8.8.8', 443, '0.0.0.0/0'],
    // IPv6 CIDR
    ['fd00::/8', 'fd12:3456::1', 443, 'fd00::/8'],
    ['fd00::/8', '[fd12::1]', 443, 'fd00::/8'],
    ['fd00::/8', 'fe80::1', 443, null],
    ['[2001:db8::]/32', '2001:db8:ffff::1', 443, '[2001:db8::]/32'],
    ['2001:db8::/32', '2001:db9::1', 443, null],
    ['fd00::/8', '10.0.0.1', 443, null],
    // <local>
    ['<local>', 'intranet', 443, '<local>'],
    ['<LOCAL>', 'printer', 80, '<LOCAL>'],
    ['<local>', 'intranet.corp', 443, null],
    ['<local>', 'fe80::1', 443, null],
    // implicit loopback, and <-loopback>
    ['', 'localhost', 443, '<loopback>'],
    ['', 'LOCALHOST.', 443, '<loopback>'],
    ['', 'app.localhost', 443, '<loopback>'],
    ['', '127.0.0.1', 443, '<loopback>'],
    ['', '127.200.0.9', 8080, '<loopback>'],
    ['', '::1', 443, '<loopback>'],
    ['', '[0:0:0:0:0:0:0:1]', 443, '<loopback>'],
    ['', '::ffff:127.0.0.1', 443, '<loopback>'],
    ['', 'localhost.example.com', 443, null],
    ['', '128.0.0.1', 443, null],
    ['', '::2', 443, null],
    ['<-loopback>', 'localhost', 443, null],
    ['<-loopback>', '127.0.0.1', 443, null],
    ['<-loopback>', '::1', 443, null],
    ['<-loopback>, 127.0.0.1', '127.0.0.1', 443, '127.0.0.1'],
    ['<-loopback> localhost', 'localhost', 443, 'localhost'],
    // lists: commas and whitespace, empty entries, first match wins
    ['a.com,, b.com\tc.com\n d.com', 'x.c.com', 443, 'c.com'],
    ['  , ,  ', 'example.com', 443, null],
    ['example.com:8443 .example.com', 'api.example.com', 443, '.example.com'],
    // invalid entries never match
    ['10.0.0.0/33', '10.0.0.1', 443, null],
    ['*example.com', 'notexample.com', 443, null],
  ];

  it.each(table)('%j: %s:%i -> %s', (list, host, port, expected) => {
    const m = matchBypass(parseBypassList(list), host, port);
    expect(m).toEqual(expected === null ? null : { rule: expected });
  });

  it('* means every host only as the whole list; beside other entries it is invalid (and ignored in NO_PROXY)', () => {
    expect(parseBypassList('*').rules.map((r) => r.kind)).toEqual(['all']);
    const mixed = parseBypassList('foo.example, *');
    expect(mixed.invalid).toEqual(['*']);
    expect(mixed.rules.map((r) => r.kind)).toEqual(['domain']);
    expect(matchBypass(mixed, 'api.openai.com', 443)).toBeNull();
  });

  it('reports invalid entries and keeps them out of the rules', () => {
    const r = parseBypassList('good.com 10.0.0.0/33 fd00::/129 1.2.3.4/x example.com:0 example.com:99999 *example.com a.*.com 192.168 <nope> [zz::1] 1:2:3 .corp:80');
    expect(r.invalid).toEqual(['10.0.0.0/33', 'fd00::/129', '1.2.3.4/x', 'example.com:0', 'example.com:99999', '*example.com', 'a.*.com', '192.168', '<nope>', '[zz::1]', '1:2:3']);
    expect(r.rules.map((x) => x.text)).toEqual(['good.com', '.corp:80']);
    expect(r.implicitLoopback).toBe(true);
  });

  it('<-loopback> clears the implicit loopback flag and is not a rule', () => {
    const r = parseBypassList('<-LOOPBACK>');
    expect(r.implicitLoopback).toBe(false);
    expect(r.rules).toEqual([]);
    expect(r.invalid).toEqual([]);
  });
});

describe('readProxyEnv', () => {
  const https = new URL('https://api.example.com/v1');
  const http = new URL('http://api.example.com/v1');
  // [env, target, expected variable or undefined]
  const table: Array<[Record<string, string | undefined>, URL, string | undefined]> = [
    [{ https_proxy: 'a', HTTPS_PROXY: 'b', all_proxy: 'c' }, https, 'https_proxy'],
    [{ HTTPS_PROXY: 'b', all_proxy: 'c' }, https, 'HTTPS_PROXY'],
    [{ https_proxy: '', HTTPS_PROXY: 'b' }, https, 'HTTPS_PROXY'],
    [{ https_proxy: '  ', HTTPS_PROXY: '' }, https, undefined],
    [{ http_proxy: 'a', all_proxy: 'c', ALL_PROXY: 'd' }, https, 'all_proxy'],
    [{ ALL_PROXY: 'd' }, https, 'ALL_PROXY'],
    [{ all_proxy: '', ALL_PROXY: 'd' }, https, 'ALL_PROXY'],
    [{ http_proxy: 'a', HTTP_PROXY: 'b', https_proxy: 'x' }, http, 'http_proxy'],
    [{ HTTP_PROXY: 'b', https_proxy: 'x' }, http, 'HTTP_PROXY'],
    [{ https_proxy: 'x', all_proxy: 'c' }, http, 'all_proxy'],
    [{ https_proxy: 'x' }, http, undefined],
    [{}, https, undefined],
  ];
  it.each(table)('%j for %s -> %s', (env, url, variable) => {
    const r = readProxyEnv(env, url);
    expect(r.variable).toBe(variable);
    expect(r.proxyUrl).toBe(variable === undefined ? undefined : env[variable]);
  });

  it('reads no_proxy before NO_PROXY, empty counts as unset', () => {
    expect(readProxyEnv({ no_proxy: 'a.com', NO_PROXY: 'b.com' }, https)).toEqual({ noProxy: 'a.com', noProxyVariable: 'no_proxy' });
    expect(readProxyEnv({ no_proxy: '', NO_PROXY: 'b.com' }, https)).toEqual({ noProxy: 'b.com', noProxyVariable: 'NO_PROXY' });
    expect(readProxyEnv({}, https)).toEqual({ noProxy: '' });
  });
});

describe('parseProxyUrl', () => {
  // [value, expected endpoint]
  const table: Array<[string, ProxyEndpoint]> = [
    ['http://proxy.corp:3128', { scheme: 'http', host: 'proxy.corp', port: 3128 }],
    ['proxy.corp:3128', { scheme: 'http', host: 'proxy.corp', port: 3128 }],
    ['proxy.corp', { scheme: 'http', host: 'proxy.corp', port: 80 }],
    ['HTTP://Proxy.Corp/', { scheme: 'http', host: 'proxy.corp', port: 80 }],
    ['https://proxy.corp', { scheme: 'https', host: 'proxy.corp', port: 443 }],
    ['socks://127.0.0.1', { scheme: 'socks5', host: '127.0.0.1', port: 1080 }],
    ['socks4://127.0.0.1', { scheme: 'socks4', host: '127.0.0.1', port: 1080 }],
    ['socks4a://127.0.0.1:9050', { scheme: 'socks4a', host: '127.0.0.1', port: 9050 }],
    ['socks5://127.0.0.1:1081', { scheme: 'socks5', host: '127.0.0.1', port: 1081 }],
    ['socks5h://[::1]:1080', { scheme: 'socks5h', host: '::1', port: 1080 }],
    ['http://[fe80::1]', { scheme: 'http', host: 'fe80::1', port: 80 }],
    ['http://user:p%40ss@proxy.corp:3128', { scheme: 'http', host: 'proxy.corp', port: 3128, username: 'user', password: 'p@ss' }],
    ['http://dom%5Cuser:a%3Ab%2Fc@proxy:8080', { scheme: 'http', host: 'proxy', port: 8080, username: 'dom\\user', password: 'a:b/c' }],
    ['user:pw@proxy.corp:3128', { scheme: 'http', host: 'proxy.corp', port: 3128, username: 'user', password: 'pw' }],
    ['http://p@ss:w@rd@proxy:1', { scheme: 'http', host: 'proxy', port: 1, username: 'p@ss', password: 'w@rd' }],
    ['http://onlyuser@proxy:1', { scheme: 'http', host: 'proxy', port: 1, username: 'onlyuser' }],
  ];
  it.each(table)('%s', (value, expected) => {
    expect(parseProxyUrl(value)).toEqual(expected);
  });

  // [value, text the message must contain]
  const bad: Array<[string, string]> = [
    ['ftp://proxy:21', 'not supported'],
    ['', 'empty'],
    ['http://proxy:0', 'port'],
    ['http://proxy:70000', 'port'],
    ['http://proxy:abc', 'port'],
    ['http://[::1', 'IPv6'],
    ['http://::1:8080', 'brackets'],
    ['http://proxy:3128/path', 'path'],
    ['http://:3128', 'host'],
    ['http://pro xy:1', 'spaces'],
    ['http://user:bad%zz@proxy:1', '%-escape'],
  ];
  it.each(bad)('rejects %j', (value, text) => {
    const e = thrown(() => parseProxyUrl(value));
    expect(e).toBeInstanceOf(RouteError);
    expect((e as RouteError).code).toBe('config_invalid');
    expect((e as RouteError).message).toContain(text);
  });

  // Typos (issue 9): the message says what the typo is, and the URL meant where there is one.
  const typos: Array<[string, string[]]> = [
    ['http//host:3128', ['"http//" is missing the ":" of "://"', 'write http://host:3128']],
    ['socks5h//127.0.0.1:1080', ['missing the ":"', 'write socks5h://127.0.0.1:1080']],
    ['http:/host:3128', ['missing a "/"', 'write http://host:3128']],
    ['http:host:3128', ['missing the "//"', 'write http://host:3128']],
    ['http:///host:3128', ['one "/" too many', 'write http://host:3128']],
    ['http://host:9:3128', ['2 ports', '":9" and ":3128"', 'http://host:3128']],
    ['htp://host:3128', ['"htp" is not supported', 'did you mean http://', 'http, https, socks4, socks4a, socks5 or socks5h']],
    ['sock5://127.0.0.1:1080', ['did you mean socks5://']],
    ['ftp://proxy:21', ['"ftp" is not supported; use http, https, socks4, socks4a, socks5 or socks5h']],
    ['http://:3128', ['the host is missing', 'http://proxy.corp:3128']],
    ['http://', ['the host is missing']],
    ['http://user:pw@:3128', ['the host is missing']],
    ['http://::1:8080', ['brackets']],
  ];
  it.each(typos)('names the typo in %j', (value, texts) => {
    const e = thrown(() => parseProxyUrl(value));
    expect(e).toBeInstanceOf(RouteError);
    expect((e as RouteError).code).toBe('config_invalid');
    for (const t of texts) expect((e as RouteError).message).toContain(t);
  });
  it('a typo message never shows the password; values that only look like typos still parse', () => {
    const e = thrown(() => parseProxyUrl('http//alice:s3cr3tPW@proxy:3128')) as RouteError;
    expect(e.message).not.toContain('s3cr3tPW');
    expect(e.message).toContain('write http://alice:***@proxy:3128');
    expect((thrown(() => parseProxyUrl('http://alice:s3cr3tPW@proxy:9:3128')) as RouteError).message).not.toContain('s3cr3tPW');
    expect(parseProxyUrl('socks:1080')).toEqual({ scheme: 'http', host: 'socks', port: 1080 });
    expect(parseProxyUrl('http:pw@proxy:1')).toEqual({ scheme: 'http', host: 'proxy', port: 1, username: 'http', password: 'pw' });
  });

  // [value, the password that must not appear]
  const secrets: Array<[string, string]> = [
    ['ftp://alice:s3cr3tPW@proxy:21', 's3cr3tPW'],
    ['http://alice:s3cr3tPW@proxy:notaport', 's3cr3tPW'],
    ['http://alice:s3cr%zzPW@proxy:1', 's3cr%zzPW'],
    ['http://alice:s3cr/etPW@proxy:1/x', 'etPW'],
    ['http://alice:s3cr3tPW', 's3cr3tPW'], // forgot the host: the "port" is masked too
  ];
  it.each(secrets)('never shows the password of %j in the error', (value, secret) => {
    const e = thrown(() => parseProxyUrl(value)) as RouteError;
    expect(e).toBeInstanceOf(RouteError);
    expect(e.message).not.toContain(secret);
    expect(e.message).toContain('***');
    expect(JSON.stringify(e.toInfo())).not.toContain(secret);
  });

  it('formatProxy masks the password', () => {
    expect(formatProxy(parseProxyUrl('socks5h://user:hunter2@127.0.0.1:1080'))).toBe('socks5h://user:***@127.0.0.1:1080');
    expect(formatProxy(parseProxyUrl('http://[::1]:3128'))).toBe('http://[::1]:3128');
    expect(formatProxy(parseProxyUrl('http://a%40b@proxy'))).toBe('http://a%40b@proxy:80');
  });
});

describe('parsePacResult', () => {
  const p = (scheme: ProxyEndpoint['scheme'], host: string, port: number) => ({ kind: 'proxy', proxy: { scheme, host, port } });
  const table: Array<[string, unknown[]]> = [
    ['DIRECT', [{ kind: 'direct' }]],
    ['PROXY proxy.corp:3128', [p('http', 'proxy.corp', 3128)]],
    ['PROXY proxy.corp:3128; DIRECT', [p('http', 'proxy.corp', 3128), { kind: 'direct' }]],
    ['  HTTPS secure.corp:443 ;SOCKS s4:1080;  SOCKS4 s4b:1081 ; SOCKS5 s5:1082  ', [p('https', 'secure.corp', 443), p('socks4', 's4', 1080), p('socks4', 's4b', 1081), p('socks5h', 's5', 1082)]],
    ['proxy a:1;direct', [p('http', 'a', 1), { kind: 'direct' }]],
    ['PROXY [::1]:8080', [p('http', '::1', 8080)]],
    ['QUIC q:443; BOGUS; PROXY; PROXY bad:port; PROXY ok:1', [p('http', 'ok', 1)]],
    ['', []],
  ];
  it.each(table)('%j', (s, expected) => {
    expect(parsePacResult(s)).toEqual(expected);
  });
});

describe('resolveRoute', () => {
  const https = new URL('https://api.example.com/v1/chat');
  const base: RouteInput = { mode: 'none', env: {} };
  const corp: ProxyEndpoint = { scheme: 'http', host: 'proxy.corp', port: 3128 };

  // [name, input, target, expected route]
  const table: Array<[string, Partial<RouteInput>, string, Route]> = [
    ['loopback goes direct in manual mode', { mode: 'manual', proxyUrl: 'http://proxy.corp:3128' }, 'http://localhost:11434/api', { kind: 'direct', source: 'loopback' }],
    ['loopback goes direct in env mode', { mode: 'env', env: { HTTP_PROXY: 'http://proxy.corp:3128' } }, 'http://127.0.0.1:8080/', { kind: 'direct', source: 'loopback' }],
    ['IPv6 loopback goes direct', { mode: 'manual', proxyUrl: 'http://proxy.corp:3128' }, 'http://[::1]:8080/', { kind: 'direct', source: 'loopback' }],
    ['<-loopback> sends loopback through the proxy', { mode: 'manual', proxyUrl: 'http://proxy.corp:3128', bypass: '<-loopback>' }, 'http://localhost:11434/', { kind: 'proxy', proxy: corp, source: 'manual' }],
    ['<-loopback> in NO_PROXY (env mode)', { mode: 'env', env: { http_proxy: 'proxy.corp:3128', NO_PROXY: '<-loopback>' } }, 'http://localhost/', { kind: 'proxy', proxy: corp, source: 'env http_proxy' }],
    ['mode none', { mode: 'none', proxyUrl: 'http://proxy.corp:3128' }, https.href, { kind: 'direct', source: 'proxy mode none' }],
    ['manual', { mode: 'manual', proxyUrl: 'http://proxy.corp:3128' }, https.href, { kind: 'proxy', proxy: corp, source: 'manual' }],
    ['manual bypass rule', { mode: 'manual', proxyUrl: 'http://proxy.corp:3128', bypass: 'other.com, .corp.example' }, 'https://llm.corp.example/v1', { kind: 'direct', source: 'bypass rule ".corp.example"' }],
    ['manual bypass rule with port (default 443)', { mode: 'manual', proxyUrl: 'http://proxy.corp:3128', bypass: 'api.example.com:443' }, https.href, { kind: 'direct', source: 'bypass rule "api.example.com:443"' }],
    ['manual bypass rule with other port', { mode: 'manual', proxyUrl: 'http://proxy.corp:3128', bypass: 'api.example.com:8443' }, https.href, { kind: 'proxy', proxy: corp, source: 'manual' }],
    ['env HTTPS_PROXY', { mode: 'env', env: { HTTPS_PROXY: 'http://proxy.corp:3128', HTTP_PROXY: 'http://other:1' } }, https.href, { kind: 'proxy', proxy: corp, source: 'env HTTPS_PROXY' }],
    ['env all_proxy', { mode: 'env', env: { all_proxy: 'http://proxy.corp:3128' } }, https.href, { kind: 'proxy', proxy: corp, source: 'env all_proxy' }],
    ['env NO_PROXY', { mode: 'env', env: { HTTPS_PROXY: 'http://proxy.corp:3128', NO_PROXY: 'localhost,example.com' } }, https.href, { kind: 'direct', source: 'NO_PROXY rule "example.com"' }],
    ['env no_proxy names the lowercase variable', { mode: 'env', env: { HTTPS_PROXY: 'http://proxy.corp:3128', no_proxy: '*' } }, https.href, { kind: 'direct', source: 'no_proxy rule "*"' }],
    ['env: settings bypass first', { mode: 'env', bypass: 'api.example.com', env: { HTTPS_PROXY: 'http://proxy.corp:3128', NO_PROXY: 'example.com' } }, https.href, { kind: 'direct', source: 'bypass rule "api.example.com"' }],
    ['env: NO_PROXY miss', { mode: 'env', env: { HTTPS_PROXY: 'http://proxy.corp:3128', NO_PROXY: 'notexample.com' } }, https.href, { kind: 'proxy', proxy: corp, source: 'env HTTPS_PROXY' }],
    ['env: no variable', { mode: 'env', env: { HTTP_PROXY: 'http://proxy.corp:3128' } }, https.href, { kind: 'direct', source: 'env: no proxy variable set' }],
    ['system: bypass first', { mode: 'system', bypass: 'example.com', systemResolver: () => Promise.reject(new Error('must not be asked')) }, https.href, { kind: 'direct', source: 'bypass rule "example.com"' }],
    ['system: first PAC entry', { mode: 'system', systemResolver: () => Promise.resolve('PROXY proxy.corp:3128; DIRECT') }, https.href, { kind: 'proxy', proxy: corp, source: 'system' }],
    ['system: skips unknown entries', { mode: 'system', systemResolver: () => Promise.resolve('QUIC q:443; DIRECT') }, https.href, { kind: 'direct', source: 'system' }],
  ];
  it.each(table)('%s', async (_name, input, target, expected) => {
    const route = await resolveRoute({ ...base, ...input }, new URL(target));
    // `why` is the same decision as data; its English words are `source`.
    expect(route).toEqual({ ...expected, why: route.why });
    expect(route.why && routeSourceText(route.why)).toBe(expected.source);
  });

  it('says why as data: the rule, the variable', async () => {
    expect((await resolveRoute({ ...base, mode: 'env', env: { HTTPS_PROXY: 'http://proxy.corp:3128', no_proxy: 'example.com' } }, https)).why).toEqual({ kind: 'noProxy', variable: 'no_proxy', rule: 'example.com' });
    expect((await resolveRoute({ ...base, mode: 'env', env: { all_proxy: 'http://proxy.corp:3128' } }, https)).why).toEqual({ kind: 'env', variable: 'all_proxy' });
    expect((await resolveRoute({ ...base, mode: 'manual', proxyUrl: 'http://proxy.corp:3128', bypass: '.example.com' }, https)).why).toEqual({ kind: 'bypass', rule: '.example.com' });
  });

  it('asks the system resolver about the origin only', async () => {
    const asked: string[] = [];
    const resolver = (url: string) => {
      asked.push(url);
      return Promise.resolve('DIRECT');
    };
    await resolveRoute({ ...base, mode: 'system', systemResolver: resolver }, new URL('https://u:secret@api.example.com:8443/v1?key=k'));
    expect(asked).toEqual(['https://api.example.com:8443/']);
  });

  // [name, input, expected code, text in message]
  const failures: Array<[string, Partial<RouteInput>, string, string]> = [
    ['manual without proxy URL', { mode: 'manual' }, 'config_invalid', 'no proxy URL'],
    ['manual with blank proxy URL', { mode: 'manual', proxyUrl: '  ' }, 'config_invalid', 'no proxy URL'],
    ['manual with bad proxy URL', { mode: 'manual', proxyUrl: 'gopher://x' }, 'config_invalid', 'gopher'],
    ['invalid bypass entry', { mode: 'manual', proxyUrl: 'http://p:1', bypass: 'ok.com 10.0.0.0/40' }, 'config_invalid', '10.0.0.0/40'],
    ['a stray * among other bypass entries', { mode: 'manual', proxyUrl: 'http://p:1', bypass: 'foo.example, *, bar.example' }, 'config_invalid', '"*"'],
    ['env with bad proxy variable', { mode: 'env', env: { HTTPS_PROXY: 'http://u:pw@p:bad' } }, 'config_invalid', 'HTTPS_PROXY'],
    ['system without resolver', { mode: 'system' }, 'proxy_unreachable', 'system'],
    ['system resolver throws', { mode: 'system', systemResolver: () => Promise.reject(new Error('boom')) }, 'proxy_unreachable', 'boom'],
    ['system resolver answers nothing usable', { mode: 'system', systemResolver: () => Promise.resolve('QUIC q:443') }, 'proxy_unreachable', 'QUIC'],
  ];
  it.each(failures)('fails: %s', async (_name, input, code, text) => {
    const e = await rejected(resolveRoute({ ...base, ...input }, https));
    expect(e).toBeInstanceOf(RouteError);
    expect((e as RouteError).code).toBe(code);
    expect((e as RouteError).message).toContain(text);
  });

  it('fails closed in system mode even for a host a bypass list would not cover', async () => {
    const e = await rejected(resolveRoute({ ...base, mode: 'system', bypass: 'other.com' }, https));
    expect((e as RouteError).code).toBe('proxy_unreachable');
  });

  it('never puts a password from the system proxy answer in the error', async () => {
    const e = (await rejected(resolveRoute({ ...base, mode: 'system', systemResolver: () => Promise.resolve('QUIC u:pacSecret1@q:443') }, https))) as RouteError;
    expect(e.message).not.toContain('pacSecret1');
    expect(e.message).toContain('u:***@q:443');
  });

  it('never puts the env proxy password in the error', async () => {
    const e = (await rejected(resolveRoute({ ...base, mode: 'env', env: { HTTPS_PROXY: 'http://u:topsecret@p:bad' } }, https))) as RouteError;
    expect(e.message).not.toContain('topsecret');
  });
});
