/**
 * parley:// links read by services/deep-link.ts (issue 22): every field checked by the schemas typed input goes
 * through; an unknown, repeated or oversized field, a bad URL, an unknown action, a key, and a stdio tool server
 * are refused with a reason that names what was wrong.
 */
import { describe, expect, it } from 'vitest';
import { deepLinkInArgv, MAX_DEEP_LINK_CHARS, parseDeepLink } from '../../src/main/services/deep-link.ts';

const reason = (url: string): string => {
  const r = parseDeepLink(url);
  if (r.ok) throw new Error(`accepted: ${url}`);
  return r.reason;
};

describe('valid links', () => {
  it('add-provider: the draft as typed, with the defaults a new custom provider gets', () => {
    expect(parseDeepLink('parley://add-provider?name=My%20Relay&baseUrl=https%3A%2F%2Frelay.example%2Fv1&protocol=anthropic&models=a,%20b&defaultModel=a')).toEqual({
      ok: true,
      link: { kind: 'add-provider', draft: { name: 'My Relay', preset: 'custom', protocol: 'anthropic', baseUrl: 'https://relay.example/v1', models: ['a', 'b'], defaultModel: 'a' } },
    });
    // The name is trimmed as the provider schema trims it.
    const r = parseDeepLink('parley:add-provider?name=%20%20Relay%20&baseUrl=http://127.0.0.1:8080/v1');
    expect(r.ok && r.link.kind === 'add-provider' && r.link.draft.name).toBe('Relay');
  });
  it('add-mcp: an HTTP tool server', () => {
    expect(parseDeepLink('parley://add-mcp?name=docs&transport=sse&url=https%3A%2F%2Fmcp.example%2Fsse')).toEqual({ ok: true, link: { kind: 'add-mcp', draft: { name: 'docs', transport: 'sse', url: 'https://mcp.example/sse' } } });
    expect(parseDeepLink('parley://add-mcp?name=docs&url=https%3A%2F%2Fmcp.example%2F')).toMatchObject({ ok: true, link: { draft: { transport: 'http' } } });
  });
});

describe('refused links', () => {
  it('an unknown field or one given twice', () => {
    expect(reason('parley://add-provider?name=X&baseUrl=https://a.example/v1&route=proxy')).toBe('Unknown field "route" (allowed: name, preset, protocol, baseUrl, models, defaultModel).');
    expect(reason('parley://add-mcp?name=X&url=https://a.example/&cwd=/')).toContain('Unknown field "cwd"');
    expect(reason('parley://add-provider?name=X&name=Y&baseUrl=https://a.example/v1')).toBe('The field "name" is given twice.');
  });
  it('an oversized field, and an oversized link before it is read', () => {
    expect(reason(`parley://add-provider?name=${'n'.repeat(2049)}&baseUrl=https://a.example/v1`)).toBe('The field "name" is longer than 2048 characters.');
    // Within the link's bound but over the provider name's own (the same schema as typed input).
    expect(reason(`parley://add-provider?name=${'n'.repeat(500)}&baseUrl=https://a.example/v1`)).toMatch(/^The provider is not valid: 0\.name: /);
    expect(reason(`parley://add-provider?name=X&baseUrl=https://a.example/${'a'.repeat(MAX_DEEP_LINK_CHARS)}`)).toBe(`The link is longer than ${MAX_DEEP_LINK_CHARS} characters.`);
  });
  it('a bad URL, another scheme, an unknown action, a missing or non-http base URL, a bad value', () => {
    expect(reason('parley://add provider')).toBe('The link is not a valid URL.');
    expect(reason('https://add-provider?name=X')).toBe('Only parley:// links are opened, not https://.');
    expect(reason('parley://delete-everything?x=1')).toContain('Unknown action "delete-everything"');
    expect(reason('parley://add-provider?name=X')).toBe('baseUrl: an http(s) URL is required.');
    expect(reason('parley://add-provider?name=X&baseUrl=file:///etc/passwd')).toBe('baseUrl: an http(s) URL is required.');
    expect(reason('parley://add-provider?name=X&baseUrl=https://a.example/v1&protocol=gopher')).toMatch(/^The provider is not valid: 0\.protocol: /);
    expect(reason('parley://add-mcp?name=X&url=ftp://a.example/')).toMatch(/^The tool server is not valid: url: /);
  });
  it('a key, a token or headers are never taken from a link, whatever their case', () => {
    expect(reason('parley://add-provider?name=X&baseUrl=https://a.example/v1&apiKey=sk-123')).toBe('The link carries "apiKey": keys, tokens and headers are never taken from a link. Add them in Settings yourself.');
    expect(reason('parley://add-provider?name=X&baseUrl=https://a.example/v1&API_KEY=sk-123')).toContain('"API_KEY"');
    expect(reason('parley://add-mcp?name=X&url=https://a.example/&headers=Authorization:x')).toContain('"headers"');
    // Nor a reason that repeats the key itself.
    expect(reason('parley://add-provider?name=X&baseUrl=https://a.example/v1&token=sk-secret')).not.toContain('sk-secret');
  });
  it('a tool server that would run a command', () => {
    expect(reason('parley://add-mcp?name=X&transport=stdio')).toContain('cannot add a tool server that runs a command');
  });
});

it('the link among a launch\'s arguments', () => {
  expect(deepLinkInArgv(['/opt/Parley/parley', '--no-sandbox', 'parley://add-mcp?name=x'])).toBe('parley://add-mcp?name=x');
  expect(deepLinkInArgv(['/opt/Parley/parley', '.'])).toBeUndefined();
});
