/**
 * One MCP server, connected with the official SDK's client: over stdio (the SDK's transport, started as launch.ts
 * says, its messages bounded) or over HTTP (streamable HTTP, or the older HTTP+SSE) through Parley's route (the
 * core's fetch). Keeps the server's stderr (the newest MAX_MCP_STDERR_BYTES), lists its tools (at most
 * MAX_MCP_TOOLS) and calls them within a time bound, their results bounded before they reach a conversation.
 * Every failure is a ParleyError with a stable code and the server's own words (its stderr's tail).
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ParleyError } from '../../core/errors.ts';
import { words } from '../../../shared/messages/en.ts';
import type { RouteFetch } from '../../core/index.ts';
import { MAX_MCP_MESSAGE_BYTES, MAX_MCP_STDERR_BYTES, MAX_MCP_TOOLS, MAX_TOOL_RESULT_CHARS, MCP_HANDSHAKE_MS, type McpServerEntry, type McpTool } from '../../../shared/mcp.ts';
import type { StdioLaunch } from './launch.ts';

/** A tool's result as it goes back to the model: its text, its images, whether the tool says it failed. */
export interface ToolResult {
  text: string;
  images: { mime: string; data: string }[];
  isError: boolean;
  /** Characters of the result left out to stay within MAX_TOOL_RESULT_CHARS. */
  leftOut?: number;
  durationMs: number;
}

export interface McpConnection {
  readonly server: McpServerEntry;
  readonly serverName: string;
  readonly serverVersion: string;
  /** The protocol version both sides agreed on. */
  readonly protocolVersion: string;
  readonly tools: McpTool[];
  /** Tools the server listed beyond MAX_MCP_TOOLS (not offered). */
  readonly toolsLeftOut: number;
  /** The process's id (stdio). */
  readonly pid?: number;
  call(name: string, args: Record<string, unknown>, opts?: { signal?: AbortSignal; timeoutMs?: number }): Promise<ToolResult>;
  ping(timeoutMs?: number): Promise<void>;
  /** The newest of the server's stderr (stdio). */
  stderr(): string;
  readonly closed: boolean;
  /** Called once when the server goes away (exits, or its connection closes). */
  onClose?: () => void;
  close(): Promise<void>;
}

/** The newest `max` bytes of a stream (a server's stderr). */
export class TailBuffer {
  #chunks: Buffer[] = [];
  #size = 0;
  readonly #max: number;
  constructor(max: number) {
    this.#max = max;
  }
  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    while (this.#size > this.#max && this.#chunks.length > 1) this.#size -= this.#chunks.shift()!.length;
    if (this.#size > this.#max) {
      const only = this.#chunks[0]!;
      this.#chunks = [only.subarray(only.length - this.#max)];
      this.#size = this.#max;
    }
  }
  text(): string {
    return Buffer.concat(this.#chunks).toString('utf8');
  }
}

export interface ConnectOptions {
  /** stdio: how to start it (launch.ts). */
  launch?: StdioLaunch;
  /** http / sse: a fetch over the server's route (core.fetcher); headers already expanded. */
  fetch?: RouteFetch;
  headers?: Record<string, string>;
  handshakeMs?: number;
  signal?: AbortSignal;
  /** Each line the server writes to stderr (for the log), already bounded. */
  onStderr?: (line: string) => void;
}

const TAIL_CHARS = 2000;

/** The last lines of stderr worth quoting in a message. */
export function stderrTail(text: string): string {
  const t = text.trim();
  return t.length > TAIL_CHARS ? '…' + t.slice(-TAIL_CHARS) : t;
}

function errorWords(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The SDK's and the transport's failures as Parley's errors, with the server's stderr. */
function mapMcpError(e: unknown, server: McpServerEntry, stderr: string, what: 'start' | 'handshake' | 'call', timeoutMs: number): ParleyError {
  if (ParleyError.is(e)) return e;
  const err = e as { code?: unknown; message?: string; cause?: unknown };
  if (ParleyError.is(err.cause)) return err.cause;
  const tail = stderrTail(stderr);
  const withTail = tail ? { providerMessage: tail } : {};
  if (err.code === -32001 || /timed out/i.test(err.message ?? '')) {
    return new ParleyError('mcp_timeout', words(what === 'call' ? 'mcp_call_timeout' : 'mcp_handshake_timeout', { server: server.name, s: Math.round(timeoutMs / 1000) }), { hop: 'target', phase: 'headers', ...withTail });
  }
  if (err.code === 'ENOENT') {
    return new ParleyError('mcp_command_not_found', words('mcp_command_not_found', { command: server.command ?? '', server: server.name }), { hop: 'config', phase: 'config' });
  }
  if (err.code === 'EACCES') {
    return new ParleyError('mcp_command_not_found', words('mcp_command_denied', { command: server.command ?? '', server: server.name }), { hop: 'config', phase: 'config' });
  }
  if (err.code === -32000 || /closed/i.test(err.message ?? '')) {
    return new ParleyError('mcp_server_failed', words(what === 'call' ? 'mcp_closed_in_call' : 'mcp_closed_in_handshake', { server: server.name }), { hop: 'target', phase: 'body', ...withTail });
  }
  // An HTTP answer the transport refused (401, 404, 5xx): its status and words.
  if (typeof err.code === 'number' && err.code >= 400 && err.code < 600) {
    return new ParleyError(err.code === 401 || err.code === 403 ? 'auth_rejected' : 'mcp_server_failed', words('mcp_http_status', { server: server.name, status: err.code }), { hop: 'target', phase: 'headers', status: err.code, providerMessage: errorWords(e).slice(0, 500) });
  }
  return new ParleyError('mcp_server_failed', words('mcp_failed', { server: server.name, words: errorWords(e).slice(0, 300) }), { hop: 'target', phase: 'body', ...withTail });
}

/** Bounds a tool's content: its text parts joined, images kept while they fit; the rest said to be left out. */
export function boundResult(content: unknown[], isError: boolean, durationMs: number, max = MAX_TOOL_RESULT_CHARS): ToolResult {
  const texts: string[] = [];
  const images: { mime: string; data: string }[] = [];
  let used = 0;
  let leftOut = 0;
  for (const part of content) {
    if (typeof part !== 'object' || part === null) continue;
    const p = part as Record<string, unknown>;
    if (p.type === 'text' && typeof p.text === 'string') {
      const room = Math.max(0, max - used);
      texts.push(p.text.slice(0, room));
      leftOut += Math.max(0, p.text.length - room);
      used += Math.min(p.text.length, room);
    } else if (p.type === 'image' && typeof p.data === 'string' && typeof p.mimeType === 'string') {
      if (used + p.data.length <= max) {
        images.push({ mime: p.mimeType, data: p.data });
        used += p.data.length;
      } else leftOut += p.data.length;
    } else if (p.type === 'resource' && typeof p.resource === 'object' && p.resource !== null) {
      const r = p.resource as Record<string, unknown>;
      const t = typeof r.text === 'string' ? r.text : `[resource ${String(r.uri ?? '')}]`;
      const room = Math.max(0, max - used);
      texts.push(t.slice(0, room));
      leftOut += Math.max(0, t.length - room);
      used += Math.min(t.length, room);
    } else if (p.type === 'resource_link') {
      texts.push(`[resource ${String(p.uri ?? '')}]`);
    }
  }
  return { text: texts.join('\n'), images, isError, ...(leftOut ? { leftOut } : {}), durationMs };
}

export async function connectMcp(server: McpServerEntry, opts: ConnectOptions): Promise<McpConnection> {
  const handshakeMs = opts.handshakeMs ?? MCP_HANDSHAKE_MS;
  const stderr = new TailBuffer(MAX_MCP_STDERR_BYTES);
  let transport: Transport;
  let pid: number | undefined;
  let negotiated = '';
  if (server.transport === 'stdio') {
    const l = opts.launch;
    if (!l) throw new ParleyError('config_invalid', words('mcp_no_command', { server: server.name }), { hop: 'config', phase: 'config' });
    if (!l.resolved) {
      throw new ParleyError('mcp_command_not_found', words('mcp_command_not_found', { command: l.command, server: server.name }), { hop: 'config', phase: 'config' });
    }
    const t = new StdioClientTransport({ command: l.resolved, args: l.args, env: l.env, ...(l.cwd ? { cwd: l.cwd } : {}), stderr: 'pipe', maxBufferSize: MAX_MCP_MESSAGE_BYTES } as ConstructorParameters<typeof StdioClientTransport>[0]);
    let partial = '';
    t.stderr?.on('data', (chunk: Buffer) => {
      stderr.push(chunk);
      if (!opts.onStderr) return;
      partial += chunk.toString('utf8');
      const lines = partial.split('\n');
      partial = (lines.pop() ?? '').slice(-4096);
      for (const line of lines) if (line.trim()) opts.onStderr(line.slice(0, 4096));
    });
    transport = t;
  } else {
    if (!server.url || !URL.canParse(server.url)) throw new ParleyError('config_invalid', words('mcp_no_url', { server: server.name }), { hop: 'config', phase: 'config' });
    const url = new URL(server.url);
    const requestInit = { headers: opts.headers ?? {} };
    const fetch = opts.fetch as unknown as typeof globalThis.fetch;
    transport = server.transport === 'sse'
      ? new SSEClientTransport(url, { requestInit, fetch, eventSourceInit: { fetch } } as ConstructorParameters<typeof SSEClientTransport>[1])
      : new StreamableHTTPClientTransport(url, { requestInit, fetch } as ConstructorParameters<typeof StreamableHTTPClientTransport>[1]);
  }
  // The version the client agreed on is handed to the transport once the handshake ends.
  const setVersion = transport.setProtocolVersion?.bind(transport);
  transport.setProtocolVersion = (v: string) => {
    negotiated = v;
    setVersion?.(v);
  };
  const client = new Client({ name: 'Parley', version: '0.1.0' }, { capabilities: {} });
  let closed = false;
  let onClosed: (() => void) | undefined;
  client.onclose = () => {
    if (closed) return;
    closed = true;
    onClosed?.();
  };
  // A malformed line or message is the server's fault: it ends the calls waiting on it, through the SDK's own close.
  client.onerror = () => undefined;
  try {
    await client.connect(transport, { timeout: handshakeMs, ...(opts.signal ? { signal: opts.signal } : {}) });
  } catch (e) {
    await client.close().catch(() => undefined);
    // Let the process's last words arrive.
    await new Promise((r) => setTimeout(r, 50));
    throw mapMcpError(e, server, stderr.text(), 'handshake', handshakeMs);
  }
  if (transport instanceof StdioClientTransport) pid = transport.pid ?? undefined;
  const info = client.getServerVersion();
  const listed: McpTool[] = [];
  let toolsLeftOut = 0;
  if (client.getServerCapabilities()?.tools) {
    let cursor: string | undefined;
    try {
      for (let page = 0; page < 20; page++) {
        const r = await client.listTools(cursor ? { cursor } : undefined, { timeout: handshakeMs });
        for (const t of r.tools) {
          if (listed.length >= MAX_MCP_TOOLS) toolsLeftOut++;
          else listed.push({ serverId: server.id, name: t.name, description: t.description ?? '', inputSchema: t.inputSchema as Record<string, unknown> });
        }
        cursor = r.nextCursor;
        if (!cursor) break;
      }
    } catch (e) {
      await client.close().catch(() => undefined);
      throw mapMcpError(e, server, stderr.text(), 'handshake', handshakeMs);
    }
  }
  const conn: McpConnection = {
    server,
    serverName: info?.name ?? server.name,
    serverVersion: info?.version ?? '',
    protocolVersion: negotiated,
    tools: listed,
    toolsLeftOut,
    ...(pid ? { pid } : {}),
    get closed() {
      return closed;
    },
    stderr: () => stderr.text(),
    async ping(timeoutMs = handshakeMs) {
      try {
        await client.ping({ timeout: timeoutMs });
      } catch (e) {
        throw mapMcpError(e, server, stderr.text(), 'call', timeoutMs);
      }
    },
    async call(name: string, args: Record<string, unknown>, o: { signal?: AbortSignal; timeoutMs?: number } = {}) {
      const timeoutMs = o.timeoutMs ?? server.callTimeoutMs;
      const t0 = performance.now();
      try {
        const r = await client.callTool({ name, arguments: args }, undefined, { timeout: timeoutMs, maxTotalTimeout: timeoutMs, ...(o.signal ? { signal: o.signal } : {}) });
        const content = Array.isArray(r.content) ? r.content : r.toolResult !== undefined ? [{ type: 'text', text: JSON.stringify(r.toolResult) }] : [];
        return boundResult(content, r.isError === true, Math.round(performance.now() - t0));
      } catch (e) {
        if (o.signal?.aborted) throw new ParleyError('cancelled', 'The tool call was stopped.', { phase: 'body' });
        throw mapMcpError(e, server, stderr.text(), 'call', timeoutMs);
      }
    },
    get onClose() {
      return onClosed;
    },
    set onClose(f) {
      onClosed = f;
    },
    async close() {
      closed = true;
      await client.close().catch(() => undefined);
    },
  };
  return conn;
}
