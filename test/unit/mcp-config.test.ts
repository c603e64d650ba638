/**
 * MCP servers in settings (issue 20): the `mcpServers` JSON other apps use is imported as it is written, its
 * secrets (credential-named variables and headers, with `${VAR}`s expanded) are known to the redactor and the
 * support bundle, and plain short values are not masked.
 */
import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import { checkMcpDraft, importMcpServers, importProblemText, MAX_MCP_ARGS, MAX_MCP_ENV_VALUE_CHARS } from '../../src/shared/mcp.ts';
import { CONTRACT } from '../../src/shared/ipc.ts';
import { mcpServerSecrets } from '../../src/main/services/mcp/secrets.ts';
import { rpcMethodOf } from '../../src/main/services/mcp/hub.ts';
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
    expect(importMcpServers([1, 2], newId)).toMatchObject({ servers: [], problems: ['not a JSON object'] });
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

describe('an MCP server from the editor: every field checked with the schema main saves with', () => {
  const stdio = { name: 'Files', transport: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'], env: [{ name: 'DEBUG', value: '1' }], route: { mode: 'global' } };

  it('a good stdio server and a good HTTP server pass', () => {
    expect(checkMcpDraft(stdio)).toEqual([]);
    expect(checkMcpDraft({ name: 'Remote', transport: 'http', url: 'https://mcp.example.com/mcp', headers: [{ name: 'Authorization', value: 'Bearer x' }] })).toEqual([]);
    // A stored value kept: no value, the name it had.
    expect(checkMcpDraft({ ...stdio, env: [{ name: 'GITHUB_TOKEN', from: 'GITHUB_TOKEN' }] })).toEqual([]);
  });

  it('each field that is wrong is named with its problem and its bound, all at once', () => {
    const problems = checkMcpDraft({
      name: '   ', transport: 'stdio', command: '', args: Array.from({ length: MAX_MCP_ARGS + 1 }, () => 'a'),
      env: [{ name: '1BAD', value: 'x' }, { name: 'OK', value: 'y'.repeat(MAX_MCP_ENV_VALUE_CHARS + 1) }], route: { mode: 'proxy', proxyUrl: '' },
    });
    expect(problems).toEqual(expect.arrayContaining([
      { field: 'name', problem: 'required' },
      { field: 'args', problem: 'too_many', max: MAX_MCP_ARGS },
      { field: 'env.0.name', problem: 'env_name' },
      { field: 'env.1.value', problem: 'too_long', max: MAX_MCP_ENV_VALUE_CHARS },
    ]));
    // Between fields (checked once the fields themselves pass): a stdio server needs its command, a proxy route its URL.
    expect(checkMcpDraft({ ...stdio, command: ' ', route: { mode: 'proxy' } })).toEqual([{ field: 'command', problem: 'required' }, { field: 'proxyUrl', problem: 'required' }]);
  });

  it('an HTTP server needs an http(s) URL; a header name is a token; no name twice', () => {
    expect(checkMcpDraft({ name: 'R', transport: 'http', url: '' })).toEqual([{ field: 'url', problem: 'required' }]);
    expect(checkMcpDraft({ name: 'R', transport: 'sse', url: 'ftp://x/' })).toEqual([{ field: 'url', problem: 'url' }]);
    expect(checkMcpDraft({ name: 'R', transport: 'http', url: 'http://127.0.0.1:1/mcp', headers: [{ name: 'Bad Header', value: 'x' }] })).toEqual([{ field: 'headers.0.name', problem: 'header_name' }]);
    expect(checkMcpDraft({ name: 'R', transport: 'http', url: 'http://127.0.0.1:1/mcp', headers: [{ name: 'X-A', value: '1' }, { name: 'x-a', value: '2' }] })).toEqual([{ field: 'headers', problem: 'duplicate' }]);
    expect(checkMcpDraft({ ...stdio, env: [{ name: 'A', value: '1' }, { name: 'A', value: '2' }] })).toEqual([{ field: 'env', problem: 'duplicate' }]);
  });

  it('the IPC contract refuses what the editor refuses (main checks with the same schema)', () => {
    const channel = CONTRACT['mcp:save'].args;
    expect(v.safeParse(channel, [stdio]).success).toBe(true);
    expect(v.safeParse(channel, [{ ...stdio, command: '' }]).success).toBe(false);
    expect(v.safeParse(channel, [{ ...stdio, env: [{ name: 'BAD NAME', value: 'x' }] }]).success).toBe(false);
    // Nothing but the editor's fields: `allowed` cannot be set from the window.
    expect(v.safeParse(channel, [{ ...stdio, allowed: ['*'] }]).success).toBe(false);
  });

  it('import problems are codes and facts (the window words them), and the same in English for the command line', () => {
    const r = importMcpServers({ mcpServers: { broken: { args: ['x'] }, wrong: 'no', bad: { command: 'x', env: { 'NOT OK': '1' } } } }, newId);
    expect(r.issues).toEqual([{ server: 'broken', problem: 'no_command_or_url' }, { server: 'wrong', problem: 'not_object' }, { server: 'bad', field: 'env.NOT OK', problem: 'env_name' }]);
    expect(r.problems).toEqual(r.issues.map(importProblemText));
    expect(importMcpServers('x', newId).issues).toEqual([{ problem: 'not_json_object' }]);
  });
});

describe('the Network panel names an MCP request by its JSON-RPC method', () => {
  it('a request, a batch, a response, no body, not JSON', () => {
    expect(rpcMethodOf(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo' } }))).toBe('tools/call');
    expect(rpcMethodOf(JSON.stringify([{ jsonrpc: '2.0', method: 'notifications/initialized' }, { jsonrpc: '2.0', id: 2, method: 'tools/list' }]))).toBe('notifications/initialized, tools/list');
    expect(rpcMethodOf(JSON.stringify({ jsonrpc: '2.0', id: 3, result: {} }))).toBeUndefined();
    expect(rpcMethodOf(undefined)).toBeUndefined();
    expect(rpcMethodOf('not json')).toBeUndefined();
  });
});
