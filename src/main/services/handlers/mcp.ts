/**
 * MCP servers from the window: the list (names of variables and headers only, never their values), an import of
 * pasted `mcpServers` JSON (saved only after main's own yes: each server runs a program or reaches a URL), a server
 * added or edited field by field (checked with the window's schema, its proxy URL by the core's parser; a new or
 * changed program, arguments, folder or variables, or a URL that would get headers, saved only after main's own
 * yes; a value not typed again is kept), on/off, delete, forgetting "always allow", and the doctor. Nothing here
 * approves a tool call: only main's own prompt does. The window gives codes and facts to word, never a secret.
 */
import { randomUUID } from 'node:crypto';
import * as v from 'valibot';
import { ParleyError } from '../../core/errors.ts';
import { words } from '../../../shared/messages/en.ts';
import { importMcpServers, mcpServerSchema, MAX_MCP_SERVERS, type McpSaveQuestion, type McpServerDraft, type McpServerEntry, type McpServerView } from '../../../shared/mcp.ts';
import { mcpDoctor } from '../mcp/doctor.ts';
import { mcpServerSecrets } from '../mcp/secrets.ts';
import { checkProxyField } from '../settings/checks.ts';
import type { ErrorInfo } from '../../../shared/errors.ts';
import type { AppContext, Handlers } from './types.ts';

type McpChannel = 'mcp:list' | 'mcp:import' | 'mcp:save' | 'mcp:setEnabled' | 'mcp:delete' | 'mcp:revoke' | 'mcp:doctor';

/** A proxy URL as the window sees it: its password masked. */
const maskProxy = (u: string): string => u.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
const secretViews = (m: Record<string, string>): { name: string; set: boolean }[] => Object.entries(m).map(([name, value]) => ({ name, set: value !== '' }));
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The variables or headers of a save: a typed value replaces, an absent one keeps the stored value of the name it had. */
function mergeSecrets(entries: readonly { name: string; value?: string | undefined; from?: string | undefined }[] | undefined, stored: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of entries ?? []) out[e.name] = e.value ?? (Object.prototype.hasOwnProperty.call(stored, e.from ?? e.name) ? stored[e.from ?? e.name]! : '');
  return out;
}

/** Names whose value is new or changed (an added name, a value typed that differs from the stored one). */
function changedNames(next: Record<string, string>, old: Record<string, string> | undefined): string[] {
  return Object.keys(next).filter((k) => !old || !Object.prototype.hasOwnProperty.call(old, k) || old[k] !== next[k]);
}

/**
 * What a save changes that runs a program or sends secrets: a new server, its transport, program, arguments, folder
 * or variables; for HTTP its headers, or a new URL that would get them. Empty: nothing to ask.
 */
export function mcpSaveChanges(next: McpServerEntry, old: McpServerEntry | undefined): McpSaveQuestion['changed'] {
  const stdio = next.transport === 'stdio';
  if (!old) return stdio ? ['command', 'args', ...(next.cwd ? ['cwd' as const] : []), ...(Object.keys(next.env).length ? ['env' as const] : [])] : ['url', ...(Object.keys(next.headers).length ? ['headers' as const] : [])];
  const out: McpSaveQuestion['changed'] = [];
  if (old.transport !== next.transport) out.push('transport');
  if (stdio) {
    if (old.command !== next.command) out.push('command');
    if (!same(old.args, next.args)) out.push('args');
    if ((old.cwd ?? '') !== (next.cwd ?? '')) out.push('cwd');
    if (!same(old.env, next.env)) out.push('env');
  } else {
    if (old.url !== next.url && Object.keys(next.headers).length) out.push('url');
    if (!same(old.headers, next.headers)) out.push('headers');
    // A proxy of the window's choosing would see headers sent to an http:// URL: a new route for them is asked too.
    if (!same(old.route, next.route) && Object.keys(next.headers).length) out.push('route');
  }
  return out;
}

export function mcpHandlers(ctx: AppContext): Handlers<McpChannel> {
  const log = ctx.logger.scope('mcp');
  const views = (): McpServerView[] => {
    const status = new Map(ctx.mcp.status().map((s) => [s.id, s]));
    return ctx.settings.get().mcpServers.map((s) => {
      const st = status.get(s.id);
      return {
        id: s.id, name: s.name, enabled: s.enabled, transport: s.transport,
        ...(s.command ? { command: s.command } : {}), args: s.args, ...(s.url ? { url: s.url } : {}),
        ...(s.cwd ? { cwd: s.cwd } : {}),
        envNames: Object.keys(s.env), headerNames: Object.keys(s.headers), env: secretViews(s.env), headers: secretViews(s.headers),
        route: { mode: s.route.mode, ...(s.route.proxyUrl ? { proxyUrl: maskProxy(s.route.proxyUrl) } : {}) },
        // Why it did not start: code, words and facts, redacted (its stderr may quote a secret).
        allowed: s.allowed, state: st?.state ?? 'stopped', tools: st?.tools ?? 0, ...(st?.error ? { error: ctx.redactor.redactValue(st.error) as ErrorInfo } : {}),
      };
    });
  };
  const server = (id: string): McpServerEntry => {
    const s = ctx.settings.get().mcpServers.find((x) => x.id === id);
    if (!s) throw new ParleyError('config_invalid', words('mcp_not_configured', {}), { hop: 'config', phase: 'config' });
    return s;
  };
  const change = async (fn: (servers: McpServerEntry[]) => McpServerEntry[]): Promise<McpServerView[]> => {
    // Values of variables and headers go to the OS keychain first: settings.json then holds their references.
    const next = fn(structuredClone(ctx.settings.get().mcpServers));
    await ctx.settings.prepareMcpServers(next);
    ctx.settings.updateMcpServers(() => next);
    // A server turned off or removed ends its process now.
    await ctx.mcp.sync();
    return views();
  };
  /**
   * A server from the editor: checked by the IPC contract with the window's own schema (mcpServerDraftSchema), its
   * proxy URL by the core's parser (a masked password left as shown keeps the stored one); values not typed again
   * kept. What would run or receive secrets is shown in main's own dialog, and without a yes nothing is saved.
   */
  const saveDraft = async (d: McpServerDraft): Promise<{ id: string; servers: McpServerView[] }> => {
    const all = ctx.settings.get().mcpServers;
    const old = d.id !== undefined ? server(d.id) : undefined;
    if (!old && all.length >= MAX_MCP_SERVERS) throw new ParleyError('limit_exceeded', words('mcp_too_many_servers', { max: MAX_MCP_SERVERS }), { hop: 'config', phase: 'config' });
    const mode = d.route?.mode ?? 'global';
    let proxyUrl = mode === 'proxy' ? d.route?.proxyUrl?.trim() : undefined;
    if (proxyUrl && old?.route.proxyUrl && proxyUrl === maskProxy(old.route.proxyUrl)) proxyUrl = old.route.proxyUrl;
    if (mode === 'proxy') checkProxyField(proxyUrl, 'route');
    const stdio = d.transport === 'stdio';
    const cwd = d.cwd?.trim();
    const next = v.parse(mcpServerSchema, {
      id: old?.id ?? randomUUID().slice(0, 8),
      name: d.name,
      enabled: old?.enabled ?? true,
      transport: d.transport,
      ...(stdio
        ? { command: d.command?.trim() ?? '', args: d.args ?? [], ...(cwd ? { cwd } : {}), env: mergeSecrets(d.env, old?.env ?? {}) }
        : { url: d.url?.trim() ?? '', headers: mergeSecrets(d.headers, old?.headers ?? {}) }),
      route: { mode, ...(proxyUrl ? { proxyUrl } : {}) },
      ...(old ? { callTimeoutMs: old.callTimeoutMs } : {}),
    });
    const changed = mcpSaveChanges(next, old);
    // "Always allow" stays only while the same program (or URL) answers.
    const sameTarget = !!old && old.transport === next.transport && old.command === next.command && same(old.args, next.args) && old.url === next.url;
    const saved: McpServerEntry = { ...next, allowed: sameTarget ? old.allowed : [] };
    // Its secrets are known to the redactor before anything of it is logged.
    ctx.mcpDeps.learnSecrets?.(mcpServerSecrets(saved, (await ctx.mcpDeps.env()).env));
    if (changed.length) {
      const names = stdio ? Object.keys(saved.env) : Object.keys(saved.headers);
      const question: McpSaveQuestion = {
        name: saved.name, isNew: !old, transport: saved.transport,
        runs: stdio ? [saved.command ?? '', ...saved.args].join(' ') : saved.url ?? '',
        ...(saved.cwd ? { cwd: saved.cwd } : {}),
        names, changedNames: changedNames(stdio ? saved.env : saved.headers, old ? (stdio ? old.env : old.headers) : undefined), changed,
        ...(changed.includes('route') ? { route: saved.route.mode === 'proxy' ? maskProxy(saved.route.proxyUrl ?? '') : saved.route.mode } : {}),
      };
      const yes = ctx.opts.confirmMcpSave ? await ctx.opts.confirmMcpSave(question) : false;
      if (!yes) {
        log.warn('mcp server save refused by the user', { server: saved.name, isNew: !old, changed });
        throw new ParleyError('cancelled', words('mcp_save_refused', { server: saved.name }), { hop: 'config', phase: 'config' });
      }
    }
    const servers = await change((list) => (old ? list.map((s) => (s.id === old.id ? saved : s)) : [...list, saved]));
    log.info('mcp server saved', { server: saved.name, isNew: !old, transport: saved.transport, changed, variables: Object.keys(saved.env).length, headers: Object.keys(saved.headers).length });
    return { id: saved.id, servers };
  };
  return {
    'mcp:list': () => views(),
    'mcp:import': async (_caller, text) => {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (e) {
        throw new ParleyError('config_invalid', words('mcp_import_not_json', { words: (e instanceof Error ? e.message : String(e)).slice(0, 200) }), { hop: 'config', phase: 'config' });
      }
      const { servers, issues: problems } = importMcpServers(json, () => randomUUID().slice(0, 8));
      if (!servers.length) return { added: [], problems };
      const existing = ctx.settings.get().mcpServers;
      if (existing.length + servers.length > MAX_MCP_SERVERS) throw new ParleyError('limit_exceeded', words('mcp_too_many_servers', { max: MAX_MCP_SERVERS }), { hop: 'config', phase: 'config' });
      const parsed = servers.map((s) => v.parse(mcpServerSchema, s));
      // What would run, as main shows it (never the variables' values): the user says yes in main, or nothing is saved.
      const runs = parsed.map((s) => ({ name: s.name, runs: s.transport === 'stdio' ? [s.command ?? '', ...s.args].join(' ') : s.url ?? '' }));
      const yes = ctx.opts.confirmMcpImport ? await ctx.opts.confirmMcpImport(runs) : false;
      if (!yes) {
        log.warn('mcp import refused by the user', { servers: runs.length });
        throw new ParleyError('cancelled', words('mcp_import_refused', {}), { hop: 'config', phase: 'config' });
      }
      // Imported servers start with no tool allowed: each call asks.
      await change((all) => [...all, ...parsed.map((s) => ({ ...s, allowed: [] }))]);
      log.info('mcp servers imported', { servers: parsed.map((s) => s.name), problems: problems.length });
      const ids = new Set(parsed.map((s) => s.id));
      return { added: views().filter((x) => ids.has(x.id)), problems };
    },
    'mcp:save': async (_caller, draft) => saveDraft(draft),
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
