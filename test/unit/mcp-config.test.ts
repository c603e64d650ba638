/**
 * MCP servers in settings (issue 20): the `mcpServers` JSON other apps use is imported as it is written, its
 * secrets (credential-named variables and headers, with `${VAR}`s expanded) are known to the redactor and the
 * support bundle, and plain short values are not masked.
 */
import { describe, expect, it } from 'vitest';
import { importMcpServers } from '../../src/shared/mcp.ts';
import { mcpServerSecrets } from '../../src/main/services/mcp/secrets.ts';
import { createRedactor, settingsSecrets } from '../../src/main/services/diagnostics/redact.ts';

let n = 0;
const newId = (): string => `m${++n}`;

describe('importing mcpServers JSON', () => {
  it('reads Claude Desktop / Cursor entries: stdio, streamable HTTP, SSE, disabled; names what it cannot read', () => {
    const { servers, problems } = importMcpServers({
      mcpServers: {
        github: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-github'], env: { GITHUB_PERSONAL_ACCESS_TOKEN: '${GITHUB_TOKEN}' } },
        remote: { url: 'https://mcp.example.com/mcp', headers: { Authorization: 'Bearer ${MCP_TOKEN}' } },
        legacy: { type: 'sse', url: 'https://old.example.com/sse' },
        off: { command: 'uvx', args: ['mcp-server-fetch'], disabled: true },
        broken: { args: ['x'] },
        wrong: 'not an object',
      },
    }, newId);
    expect(servers.map((s) => [s.name, s.transport, s.enabled])).toEqual([['github', 'stdio', true], ['remote', 'http', true], ['legacy', 'sse', true], ['off', 'stdio', false]]);
    expect(servers[0]).toMatchObject({ command: 'npx', args: ['-y', '@modelcontextprotocol/server-github'], env: { GITHUB_PERSONAL_ACCESS_TOKEN: '${GITHUB_TOKEN}' } });
    expect(problems).toEqual(['broken: neither a command nor a url', 'wrong: not an object']);
  });

  it('accepts the map without its wrapper, and refuses what is not an object', () => {
    expect(importMcpServers({ fs: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'] } }, newId).servers).toHaveLength(1);
    expect(importMcpServers([1, 2], newId)).toEqual({ servers: [], problems: ['not a JSON object'] });
  });

  it('an entry beyond the schema\'s bounds is named, not guessed', () => {
    const r = importMcpServers({ big: { command: 'x', args: Array.from({ length: 100 }, (_, i) => String(i)) } }, newId);
    expect(r.servers).toEqual([]);
    expect(r.problems[0]).toMatch(/^big: args/);
  });
});

describe('MCP secrets', () => {
  const env = { GITHUB_TOKEN: 'ghp_abcdefghijklmnopqrstuvwxyz012345', MCP_TOKEN: 'tok-secret-777' };
  const server = {
    env: { GITHUB_PERSONAL_ACCESS_TOKEN: '${GITHUB_TOKEN}', BRAVE_API_KEY: 'BSAabc123', DEBUG: '1', npm_config_fetch_retries: '0', LONG_VALUE: 'sk-0123456789abcdefghij' },
    headers: { Authorization: 'Bearer ${MCP_TOKEN}', 'X-Client': 'parley' },
    route: { proxyUrl: 'http://me:proxy-pass@proxy.corp:3128' },
  };

  it('credential-named values, long key-like values, header credentials and proxy passwords are secrets; 1 and 0 are not', () => {
    const s = mcpServerSecrets(server, env);
    expect(s).toEqual(expect.arrayContaining(['ghp_abcdefghijklmnopqrstuvwxyz012345', 'BSAabc123', 'sk-0123456789abcdefghij', 'Bearer tok-secret-777', 'tok-secret-777', 'proxy-pass']));
    expect(s).not.toContain('1');
    expect(s).not.toContain('0');
    expect(s).not.toContain('parley');
  });

  it('the support bundle\'s and the log\'s redactor masks them in any text', () => {
    const r = createRedactor(settingsSecrets({ providers: [], mcpServers: [server] }, env));
    const line = 'server said: token ghp_abcdefghijklmnopqrstuvwxyz012345 rejected; key BSAabc123; retries 0';
    const out = r.redactText(line);
    expect(out).not.toContain('ghp_abcdefghijklmnopqrstuvwxyz012345');
    expect(out).not.toContain('BSAabc123');
    expect(out).toContain('retries 0');
  });
});
