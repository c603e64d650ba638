/**
 * MCP tools for `parley chat`: the servers of `--mcp FILE` (the `mcpServers` JSON other apps use) or, without it,
 * the app's enabled servers; a tool runs only when the command line allows it (`--allow-tools NAME,…` or `all`) or
 * the app's settings always allow it; anything else is denied and the model is told so. Loaded only when there are
 * servers (the MCP SDK is not read for a plain chat).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as v from 'valibot';
import type { Core } from '../core/index.ts';
import { ParleyError } from '../core/errors.ts';
import type { ChatMessage, ToolSpec } from '../core/protocols/types.ts';
import type { ToolCallPart } from '../../shared/answer.ts';
import { importMcpServers, mcpServerSchema, type McpServerEntry } from '../../shared/mcp.ts';
import { networkSchema, type StoredSettings } from '../../shared/settings.ts';
import { createMcpHub, type McpHub } from '../services/mcp/hub.ts';
import { offeredTools, toolArguments, TOOL_WORDS, type OfferedTools } from '../services/chat/tool-loop.ts';

export interface CliTools {
  specs: ToolSpec[];
  /** Runs (or denies) one call; says what happened on stderr or as a --json line. */
  run(call: ToolCallPart): Promise<ChatMessage>;
  close(): Promise<void>;
}

export interface CliToolsOptions {
  mcpFile?: string;
  settings?: StoredSettings;
  /** The request's network settings (the command line's on top of the app's). */
  network: unknown;
  /** `all`, or tool names (a tool's own name, or `server:tool`), comma-separated. */
  allow?: string;
  core: Core;
  configDir: string;
  json: boolean;
  signal: AbortSignal;
}

function serversOf(opts: CliToolsOptions): McpServerEntry[] {
  if (opts.mcpFile) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(opts.mcpFile, 'utf8'));
    } catch (e) {
      throw new ParleyError('config_invalid', `--mcp ${opts.mcpFile}: ${e instanceof Error ? e.message : String(e)}`, { hop: 'config', phase: 'config', hint: 'Give a JSON file with an "mcpServers" object, as server READMEs show.' });
    }
    let n = 0;
    const { servers, problems } = importMcpServers(json, () => `cli${++n}`);
    if (problems.length) throw new ParleyError('config_invalid', `--mcp ${opts.mcpFile}: ${problems.join('; ')}`, { hop: 'config', phase: 'config' });
    return servers.map((s) => v.parse(mcpServerSchema, s)).filter((s) => s.enabled);
  }
  return (opts.settings?.mcpServers ?? []).filter((s) => s.enabled);
}

export async function cliTools(opts: CliToolsOptions): Promise<CliTools | undefined> {
  const servers = serversOf(opts);
  if (!servers.length) return undefined;
  const network = v.parse(networkSchema, opts.network ?? {});
  const hub: McpHub = createMcpHub({
    servers: () => servers,
    network: () => network,
    env: async () => ({ env: process.env, pathFrom: 'app' }),
    core: opts.core,
    dir: join(opts.configDir, 'mcp'),
  });
  const say = (line: string, record: Record<string, unknown>): void => {
    if (opts.json) process.stdout.write(JSON.stringify({ type: 'tool', ...record }) + '\n');
    else process.stderr.write(`parley: ${line}\n`);
  };
  let offered: OfferedTools | undefined;
  try {
    offered = await offeredTools({ mcp: hub, servers: () => servers, approve: async () => 'deny', allow: async () => undefined }, opts.signal);
  } catch (e) {
    await hub.close();
    throw e;
  }
  for (const f of offered?.failed ?? []) {
    const err = ParleyError.is(f.error) ? f.error : undefined;
    say(`MCP server "${f.server}" did not start: ${err ? `${err.code}: ${err.message}` : String(f.error)} (parley mcp doctor names the fix)`, { server: f.server, state: 'failed', error: err?.toInfo() ?? { code: 'mcp_server_failed', message: String(f.error) } });
  }
  if (!offered?.specs.length) {
    await hub.close();
    return undefined;
  }
  const allowList = (opts.allow ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const allowed = (server: McpServerEntry, tool: string): boolean =>
    allowList.includes('all') || allowList.includes(tool) || allowList.includes(`${server.name}:${tool}`) || server.allowed.includes('*') || server.allowed.includes(tool);
  const o = offered;
  return {
    specs: o.specs,
    async run(call) {
      const reply = (content: string, isError: boolean): ChatMessage => ({ role: 'tool', content, toolCallId: call.id, toolName: call.name, ...(isError ? { isError: true } : {}) });
      const tool = o.byName.get(call.name);
      const server = tool ? servers.find((s) => s.id === tool.serverId) : undefined;
      if (!tool || !server) return reply(TOOL_WORDS.unknown(call.name), true);
      if (!allowed(server, tool.name)) {
        say(`tool ${tool.name} of "${server.name}" denied: allow it with --allow-tools ${tool.name} (or all)`, { server: server.name, tool: tool.name, arguments: call.arguments, state: 'denied' });
        return reply(TOOL_WORDS.denied, true);
      }
      const args = toolArguments(call.arguments);
      if (!args) return reply(TOOL_WORDS.badArguments, true);
      try {
        const r = await hub.call(server.id, tool.name, args, { signal: opts.signal });
        say(`tool ${tool.name} of "${server.name}" ${r.isError ? 'reported a failure' : 'answered'} in ${r.durationMs} ms (${r.text.length} characters${r.images.length ? `, ${r.images.length} images` : ''})`,
          { server: server.name, tool: tool.name, arguments: call.arguments, state: r.isError ? 'failed' : 'done', result: r.text, durationMs: r.durationMs });
        return reply(r.text + (r.leftOut ? TOOL_WORDS.leftOut(r.leftOut) : ''), r.isError);
      } catch (e) {
        if (opts.signal.aborted) throw new ParleyError('cancelled', 'Stopped.', { phase: 'body' });
        const err = ParleyError.is(e) ? e : new ParleyError('mcp_server_failed', e instanceof Error ? e.message : String(e));
        say(`tool ${tool.name} of "${server.name}" failed: ${err.code}: ${err.message}`, { server: server.name, tool: tool.name, state: 'failed', error: err.toInfo() });
        return reply(TOOL_WORDS.failed(err.code, err.message), true);
      }
    },
    close: () => hub.close(),
  };
}
