/**
 * The MCP servers of the settings, each started on first use and kept while it is enabled: one connection per
 * server, its route (the network settings with the server's own route mode, as a provider's), its stderr in the
 * log (redacted: its variables' values are learned as secrets), stopped when it is disabled or removed and when
 * Parley quits (no orphans).
 */
import type { Core } from '../../core/index.ts';
import type { Env } from '../../core/config.ts';
import { buildTrustStore } from '../../core/trust.ts';
import type { RequestSink } from '../../../shared/events.ts';
import { MAX_MCP_MESSAGE_BYTES, type McpServerEntry, type McpTool } from '../../../shared/mcp.ts';
import type { StoredSettings } from '../../../shared/settings.ts';
import type { ConnectionSettingsInput } from '../../../shared/settings.ts';
import { connectMcp, type McpConnection, type ToolResult } from './connection.ts';
import { stdioLaunch, type StdioLaunch } from './launch.ts';
import type { Logger } from '../diagnostics/logging.ts';
import type { RequestRecorder } from '../diagnostics/requests.ts';
import type { RouteFetch } from '../../core/index.ts';
import { ParleyError } from '../../core/errors.ts';
import type { ErrorInfo } from '../../../shared/errors.ts';
import { words } from '../../../shared/messages/en.ts';
import { mcpServerSecrets, mcpValue } from './secrets.ts';
import { recordedFetch } from '../diagnostics/recorded-fetch.ts';

/** Where a stdio server's downloads go: the route is resolved for a public registry, as `npx` would reach it. */
export const DOWNLOAD_PROBE_URL = 'https://registry.npmjs.org/';

export interface McpHubDeps {
  servers(): McpServerEntry[];
  network(): StoredSettings['network'];
  /** The app's environment, with the login shell's over it once read (PATH, proxies, keys). */
  env(): Promise<{ env: Env; pathFrom: 'login shell' | 'app' }>;
  core: Core;
  /** A folder of the data folder for the servers' CA bundle. */
  dir: string;
  logger?: Logger;
  /** Values that must never be shown (a server's variables and headers). */
  learnSecrets?(values: string[]): void;
  /** Records each request to an HTTP server (the Network panel's and the log's timeline, kind `mcp`). */
  recorder?: Pick<RequestRecorder, 'begin'>;
  handshakeMs?: number;
}

/** The core's settings for a server: the network settings with its own route mode (a provider's rule). */
export function mcpConnectionSettings(network: StoredSettings['network'], server: McpServerEntry): ConnectionSettingsInput {
  const n = structuredClone(network);
  if (server.route.mode === 'direct') n.proxy = { ...n.proxy, mode: 'none' };
  if (server.route.mode === 'proxy') n.proxy = { ...n.proxy, mode: 'manual', url: server.route.proxyUrl };
  const target = server.transport === 'stdio' || !server.url ? DOWNLOAD_PROBE_URL : server.url;
  return { provider: { protocol: 'openai', baseUrl: target, model: 'mcp' }, network: n } as ConnectionSettingsInput;
}

/** How a stdio server starts, given the hub's dependencies (also the doctor's). */
export async function launchFor(server: McpServerEntry, deps: Pick<McpHubDeps, 'network' | 'env' | 'core' | 'dir'>): Promise<StdioLaunch> {
  const { env, pathFrom } = await deps.env();
  const settings = deps.core.settings(mcpConnectionSettings(deps.network(), server));
  const route = await deps.core.route(settings, DOWNLOAD_PROBE_URL);
  const caCerts = settings.network.caFiles.length ? (await buildTrustStore(settings.network.caFiles, env)).ca : undefined;
  return stdioLaunch(server, { env, pathFrom, route, bypass: settings.network.proxy.bypass, ...(caCerts ? { caCerts } : {}), dir: deps.dir });
}

/** An HTTP server's headers with their `${VAR}`s expanded. */
export function headersFor(server: McpServerEntry, env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(server.headers)) out[k] = mcpValue(v, env, `mcpServers.${server.name}.headers.${k}`);
  return out;
}

/** The JSON-RPC method(s) of a request body the SDK wrote (`initialize`, `tools/call`); undefined for a response or no body. */
export function rpcMethodOf(body: unknown): string | undefined {
  if (typeof body !== 'string' || body.length > 1024 * 1024) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  const methods = (Array.isArray(json) ? json : [json]).map((m) => (typeof m === 'object' && m !== null && typeof (m as { method?: unknown }).method === 'string' ? (m as { method: string }).method.slice(0, 100) : undefined)).filter((m): m is string => !!m);
  return methods.length ? [...new Set(methods)].slice(0, 3).join(', ') : undefined;
}

/**
 * The fetch of an HTTP server over its route (core.fetcher), each request a record of the Network panel and the
 * log (kind `mcp`: the server, the JSON-RPC method, the status, the time until its body ended); `sink` also gets
 * every request's events (the doctor's route steps).
 */
export function serverFetch(server: McpServerEntry, deps: Pick<McpHubDeps, 'core' | 'network' | 'recorder'>, sink?: RequestSink): RouteFetch {
  const settings = mcpConnectionSettings(deps.network(), server);
  const fetcher = (s?: RequestSink): RouteFetch => deps.core.fetcher(settings, { maxMessageBytes: MAX_MCP_MESSAGE_BYTES, ...(s ? { sink: s } : {}) });
  if (!deps.recorder) return fetcher(sink);
  return recordedFetch({
    recorder: deps.recorder, kind: 'mcp', scope: 'mcp', fallbackCode: 'mcp_server_failed', fetcher, ...(sink ? { sink } : {}),
    describe: (_url, init) => {
      const rpc = rpcMethodOf(init.body);
      const mcp = { server: server.name, ...(rpc ? { rpc } : {}) };
      return { message: 'mcp request', data: mcp, mcp };
    },
  });
}

/** Connects one server as the hub would (the doctor connects the same way). */
export async function connectServer(server: McpServerEntry, deps: McpHubDeps, signal?: AbortSignal): Promise<McpConnection> {
  const log = deps.logger?.scope('mcp');
  const { env } = await deps.env();
  deps.learnSecrets?.(mcpServerSecrets(server, env));
  const common = { ...(deps.handshakeMs ? { handshakeMs: deps.handshakeMs } : {}), ...(signal ? { signal } : {}) };
  if (server.transport === 'stdio') {
    const launch = await launchFor(server, deps);
    log?.info('mcp server starting', { server: server.name, command: launch.command, resolved: launch.resolved ?? null, pathFrom: launch.pathFrom, proxy: launch.proxy ?? 'direct', caBundle: !!launch.caBundle });
    return connectMcp(server, { ...common, launch, onStderr: (line) => log?.info('mcp stderr', { server: server.name, line }) });
  }
  return connectMcp(server, { ...common, fetch: serverFetch(server, deps), headers: headersFor(server, env) });
}

export interface McpServerStatus {
  id: string;
  name: string;
  state: 'stopped' | 'starting' | 'running' | 'failed';
  tools: number;
  /** Why it did not start: its code, words (key and values) and the server's own words. */
  error?: ErrorInfo;
}

/** A start's failure as data: a ParleyError's own, anything else said as the server's failure in its words. */
function failureInfo(err: unknown, server: McpServerEntry): ErrorInfo {
  if (ParleyError.is(err)) return err.toInfo();
  return new ParleyError('mcp_server_failed', words('mcp_failed', { server: server.name, words: (err instanceof Error ? err.message : String(err)).slice(0, 300) }), { hop: 'target', phase: 'body' }).toInfo();
}

export interface McpHub {
  /** The server's connection, started if it is not running. */
  connection(serverId: string, signal?: AbortSignal): Promise<McpConnection>;
  /** The tools of every enabled server that starts; a server that fails is named in `failed`. */
  tools(signal?: AbortSignal): Promise<{ tools: McpTool[]; failed: { server: string; error: unknown }[] }>;
  call(serverId: string, tool: string, args: Record<string, unknown>, opts?: { signal?: AbortSignal }): Promise<ToolResult>;
  status(): McpServerStatus[];
  /** Stops servers no longer configured or enabled (after a settings change). */
  sync(): Promise<void>;
  stop(serverId: string): Promise<void>;
  close(): Promise<void>;
}

export function createMcpHub(deps: McpHubDeps): McpHub {
  const running = new Map<string, { server: McpServerEntry; key: string; conn?: McpConnection; starting?: Promise<McpConnection>; error?: ErrorInfo }>();
  const keyOf = (s: McpServerEntry): string => JSON.stringify([s.transport, s.command, s.args, s.cwd, s.env, s.url, s.headers, s.route]);
  const find = (id: string): McpServerEntry => {
    const s = deps.servers().find((x) => x.id === id);
    if (!s) throw new ParleyError('config_invalid', words('mcp_not_configured', {}), { hop: 'config', phase: 'config' });
    if (!s.enabled) throw new ParleyError('config_invalid', words('mcp_not_enabled', { server: s.name }), { hop: 'config', phase: 'config' });
    return s;
  };

  const hub: McpHub = {
    async connection(serverId, signal) {
      const server = find(serverId);
      const key = keyOf(server);
      let entry = running.get(serverId);
      if (entry && entry.key !== key) {
        await hub.stop(serverId);
        entry = undefined;
      }
      if (entry?.conn && !entry.conn.closed) return entry.conn;
      if (entry?.starting) return entry.starting;
      const e = { server, key } as NonNullable<typeof entry>;
      running.set(serverId, e);
      e.starting = connectServer(server, deps, signal).then((conn) => {
        e.conn = conn;
        delete e.starting;
        delete e.error;
        conn.onClose = () => deps.logger?.scope('mcp').warn('mcp server closed', { server: server.name });
        return conn;
      }, (err: unknown) => {
        delete e.starting;
        e.error = failureInfo(err, server);
        throw err;
      });
      return e.starting;
    },
    async tools(signal) {
      const tools: McpTool[] = [];
      const failed: { server: string; error: unknown }[] = [];
      await Promise.all(deps.servers().filter((s) => s.enabled).map(async (s) => {
        try {
          tools.push(...(await hub.connection(s.id, signal)).tools);
        } catch (error) {
          failed.push({ server: s.name, error });
        }
      }));
      return { tools, failed };
    },
    async call(serverId, tool, args, opts = {}) {
      const conn = await hub.connection(serverId, opts.signal);
      return conn.call(tool, args, opts.signal ? { signal: opts.signal } : {});
    },
    status() {
      return deps.servers().map((s) => {
        const e = running.get(s.id);
        const state = e?.conn && !e.conn.closed ? 'running' : e?.starting ? 'starting' : e?.error ? 'failed' : 'stopped';
        return { id: s.id, name: s.name, state, tools: e?.conn?.tools.length ?? 0, ...(e?.error ? { error: e.error } : {}) };
      });
    },
    async sync() {
      const wanted = new Map(deps.servers().filter((s) => s.enabled).map((s) => [s.id, keyOf(s)]));
      await Promise.all([...running.entries()].filter(([id, e]) => wanted.get(id) !== e.key).map(([id]) => hub.stop(id)));
    },
    async stop(serverId) {
      const e = running.get(serverId);
      running.delete(serverId);
      const conn = e?.conn ?? (await e?.starting?.catch(() => undefined));
      await conn?.close();
    },
    async close() {
      await Promise.all([...running.keys()].map((id) => hub.stop(id)));
    },
  };
  return hub;
}
