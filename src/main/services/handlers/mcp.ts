/**
 * MCP servers from the window: the list (names of variables and headers only, never their values), an import of
 * pasted `mcpServers` JSON (saved only after main's own yes: each server runs a program or reaches a URL), on/off,
 * delete, forgetting "always allow", and the doctor. Nothing here approves a tool call: only main's own prompt does.
 */
import { randomUUID } from 'node:crypto';
import * as v from 'valibot';
import { ParleyError } from '../../core/errors.ts';
import { importMcpServers, mcpServerSchema, MAX_MCP_SERVERS, type McpServerEntry, type McpServerView } from '../../../shared/mcp.ts';
import { mcpDoctor } from '../mcp/doctor.ts';
import type { AppContext, Handlers } from './types.ts';

type McpChannel = 'mcp:list' | 'mcp:import' | 'mcp:setEnabled' | 'mcp:delete' | 'mcp:revoke' | 'mcp:doctor';

export function mcpHandlers(ctx: AppContext): Handlers<McpChannel> {
  const log = ctx.logger.scope('mcp');
  const views = (): McpServerView[] => {
    const status = new Map(ctx.mcp.status().map((s) => [s.id, s]));
    return ctx.settings.get().mcpServers.map((s) => {
      const st = status.get(s.id);
      return {
        id: s.id, name: s.name, enabled: s.enabled, transport: s.transport,
        ...(s.command ? { command: s.command } : {}), args: s.args, ...(s.url ? { url: s.url } : {}),
        envNames: Object.keys(s.env), headerNames: Object.keys(s.headers),
        route: { mode: s.route.mode, ...(s.route.proxyUrl ? { proxyUrl: s.route.proxyUrl.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@') } : {}) },
        allowed: s.allowed, state: st?.state ?? 'stopped', tools: st?.tools ?? 0, ...(st?.error ? { error: st.error } : {}),
      };
    });
  };
  const server = (id: string): McpServerEntry => {
    const s = ctx.settings.get().mcpServers.find((x) => x.id === id);
    if (!s) throw new ParleyError('config_invalid', 'That MCP server is not configured (it may have been removed).', { hop: 'config', phase: 'config' });
    return s;
  };
  const change = async (fn: (servers: McpServerEntry[]) => McpServerEntry[]): Promise<McpServerView[]> => {
    ctx.settings.updateMcpServers(fn);
    // A server turned off or removed ends its process now.
    await ctx.mcp.sync();
    return views();
  };
  return {
    'mcp:list': () => views(),
    'mcp:import': async (_caller, text) => {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (e) {
        throw new ParleyError('config_invalid', `The text is not JSON: ${e instanceof Error ? e.message : String(e)}`, { hop: 'config', phase: 'config', hint: 'Paste the whole "mcpServers" object from the server\'s README or another app\'s settings.' });
      }
      const { servers, problems } = importMcpServers(json, () => randomUUID().slice(0, 8));
      if (!servers.length) return { added: [], problems };
      const existing = ctx.settings.get().mcpServers;
      if (existing.length + servers.length > MAX_MCP_SERVERS) throw new ParleyError('limit_exceeded', `At most ${MAX_MCP_SERVERS} MCP servers can be configured.`, { hop: 'config', phase: 'config' });
      const parsed = servers.map((s) => v.parse(mcpServerSchema, s));
      // What would run, as main shows it (never the variables' values): the user says yes in main, or nothing is saved.
      const runs = parsed.map((s) => ({ name: s.name, runs: s.transport === 'stdio' ? [s.command ?? '', ...s.args].join(' ') : s.url ?? '' }));
      const yes = ctx.opts.confirmMcpImport ? await ctx.opts.confirmMcpImport(runs) : false;
      if (!yes) {
        log.warn('mcp import refused by the user', { servers: runs.length });
        throw new ParleyError('cancelled', 'The MCP servers were not added.', { hop: 'config', phase: 'config' });
      }
      // Imported servers start with no tool allowed: each call asks.
      await change((all) => [...all, ...parsed.map((s) => ({ ...s, allowed: [] }))]);
      log.info('mcp servers imported', { servers: parsed.map((s) => s.name), problems: problems.length });
      const ids = new Set(parsed.map((s) => s.id));
      return { added: views().filter((x) => ids.has(x.id)), problems };
    },
    'mcp:setEnabled': async (_caller, id, enabled) => {
      server(id);
      return change((all) => all.map((s) => (s.id === id ? { ...s, enabled } : s)));
    },
    'mcp:delete': async (_caller, id) => {
      server(id);
      return change((all) => all.filter((s) => s.id !== id));
    },
    'mcp:revoke': async (_caller, id) => {
      server(id);
      return change((all) => all.map((s) => (s.id === id ? { ...s, allowed: [] } : s)));
    },
    'mcp:doctor': async (_caller, id) => {
      const report = await mcpDoctor(server(id), ctx.mcpDeps);
      log.info('mcp doctor', { server: report.server.name, verdict: report.verdict });
      return report;
    },
  };
}
