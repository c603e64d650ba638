/**
 * MCP tools in the command line (issue 20): `parley chat --mcp FILE --allow-tools …` runs the tool the model asks
 * for on a real MCP server (server-everything over stdio) and prints the final answer; a tool not allowed is
 * denied and the model told; `parley mcp doctor` names a command that is not on PATH and its fix; `parley mcp
 * list` shows servers without their variables' values. Run from the TypeScript source (as `npm exec parley` before
 * a build); the loopback upstream streams the tool call in each protocol's own format.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_SOURCE, runCli } from '../helpers/cli.ts';
import { presets, startUpstream, type Upstream } from '../helpers/upstream.ts';

const require = createRequire(import.meta.url);
const EVERYTHING = require.resolve('@modelcontextprotocol/server-everything/dist/index.js');

let up: Upstream;
let dir: string;
let mcpFile: string;
beforeAll(async () => {
  up = await startUpstream();
  dir = mkdtempSync(join(tmpdir(), 'parley-cli-tools-'));
  mcpFile = join(dir, 'mcp.json');
  writeFileSync(mcpFile, JSON.stringify({ mcpServers: {
    everything: { command: process.execPath, args: [EVERYTHING], env: { EVERYTHING_TOKEN: 'tok-cli-0123456789abcdef' } },
    missing: { command: 'parley-no-such-server', args: [] },
  } }));
});
afterAll(async () => {
  await up?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const base = (protocol: string) => ['chat', '--protocol', protocol, '--base-url', protocol === 'openai' ? `${up.url}/v1` : up.url, '--api-key', 'sk-cli-tools-0123456789', '--model', protocol === 'anthropic' ? 'claude-sonnet-4-5' : protocol === 'ollama' ? 'qwen3:8b' : 'gpt-4o', '--proxy-mode', 'none', '--retries', '0', '--config-dir', dir];

describe('parley chat with MCP tools', () => {
  for (const protocol of ['openai', 'anthropic', 'ollama'] as const) {
    it(`${protocol}: the allowed tool runs, its result goes back, and the answer is printed`, async () => {
      up.behave(presets.toolCalls([{ name: 'echo', arguments: { message: 'from the cli' } }]), { kind: 'ok', text: 'The echo said so.' });
      const r = await runCli([...base(protocol), '--mcp', mcpFile, '--allow-tools', 'echo', 'Echo it'], { file: CLI_SOURCE, home: dir });
      expect(r.stderr).toMatch(/tool echo of "everything" answered in \d+ ms/);
      expect(r.stderr).toMatch(/MCP server "missing" did not start: mcp_command_not_found/);
      expect(r.stdout).toContain('The echo said so.');
      expect(r.code).toBe(0);
      const second = JSON.stringify(up.chatRequests.at(-1)?.body ?? {});
      expect(second).toContain('Echo: from the cli');
    }, 60_000);
  }

  it('a tool not allowed is denied, the model is told, and stderr says how to allow it', async () => {
    up.behave(presets.toolCalls([{ name: 'get-sum', arguments: { a: 1, b: 2 } }]), { kind: 'ok', text: 'Fine, without it.' });
    const r = await runCli([...base('openai'), '--mcp', mcpFile, 'Add'], { file: CLI_SOURCE, home: dir });
    expect(r.stderr).toMatch(/tool get-sum of "everything" denied: allow it with --allow-tools get-sum/);
    expect(JSON.stringify(up.chatRequests.at(-1)?.body ?? {})).toContain('denied this tool call');
    expect(r.code).toBe(0);
  }, 60_000);

  it('--json has a tool line with the result', async () => {
    up.behave(presets.toolCalls([{ name: 'echo', arguments: { message: 'json' } }]), { kind: 'ok', text: 'ok' });
    const r = await runCli([...base('openai'), '--mcp', mcpFile, '--allow-tools', 'all', '--json', 'Echo'], { file: CLI_SOURCE, home: dir });
    expect(r.lines.filter((l) => l.type === 'tool' && l.state === 'done')).toEqual([expect.objectContaining({ tool: 'echo', server: 'everything', result: 'Echo: json' })]);
    expect(r.lines.at(-1)).toMatchObject({ type: 'done', text: 'ok' });
  }, 60_000);
});

describe('parley mcp', () => {
  it('doctor: a command not on PATH fails with the fix; exit 1', async () => {
    const r = await runCli(['mcp', 'doctor', 'missing', '--mcp', mcpFile, '--config-dir', dir], { file: CLI_SOURCE, home: dir });
    expect(r.stdout).toMatch(/fail\s+command\s+"parley-no-such-server" is not on PATH/);
    expect(r.stdout).toMatch(/missing: mcp_command_not_found/);
    expect(r.stdout).toMatch(/fix: .*full path/);
    expect(r.code).toBe(1);
  });

  it('doctor: a working server passes every step; list shows variable names, never values', async () => {
    const r = await runCli(['mcp', 'doctor', 'everything', '--mcp', mcpFile, '--config-dir', dir], { file: CLI_SOURCE, home: dir });
    expect(r.stdout).toMatch(/everything: works/);
    expect(r.code).toBe(0);
    const list = await runCli(['mcp', 'list', '--mcp', mcpFile, '--config-dir', dir], { file: CLI_SOURCE, home: dir });
    expect(list.stdout).toContain('(env: EVERYTHING_TOKEN)');
    expect(list.stdout + list.stderr + r.stdout).not.toContain('tok-cli-0123456789abcdef');
  }, 60_000);
});
