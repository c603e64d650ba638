/**
 * MCP servers (tools) as settings hold them and both sides see them: the entry schema (settings.json's
 * `mcpServers`), the bounds every server and call runs within, and the import of the `mcpServers` JSON other apps
 * and server READMEs use. Environment values and header values may be secrets (or `${VAR}` references, expanded by
 * the same rules as keys): they stay in main; the window sees only their names.
 */
import * as v from 'valibot';
import { MAX_PATH_CHARS, MAX_URL_CHARS } from './bounds.ts';
import { ROUTE_MODES } from './constants.ts';
import type { StepStatus, Worded } from './doctor.ts';
import type { ErrorCode } from './errors.ts';

export const MCP_TRANSPORTS = ['stdio', 'http', 'sse'] as const;
export type McpTransport = (typeof MCP_TRANSPORTS)[number];

/** Bounds: servers configured, arguments and variables per server, and what one server or call may use. */
export const MAX_MCP_SERVERS = 32;
export const MAX_MCP_ARGS = 64;
export const MAX_MCP_ENV = 64;
export const MAX_MCP_NAME_CHARS = 64;
export const MAX_MCP_ENV_VALUE_CHARS = 8 * 1024;
/** One JSON-RPC message from a server (a stdio line, an HTTP body or one SSE event). */
export const MAX_MCP_MESSAGE_BYTES = 8 * 1024 * 1024;
/** What a tool's result may put into the conversation (text characters; images count by their base64). */
export const MAX_TOOL_RESULT_CHARS = 200_000;
/** The tools one server may offer (more are left out, and the doctor says so). */
export const MAX_MCP_TOOLS = 200;
/** A server's stderr kept (the newest bytes), for the doctor, the log and the support bundle. */
export const MAX_MCP_STDERR_BYTES = 64 * 1024;
/** How long a server may take to start and answer the handshake, and a tool call by default. */
export const MCP_HANDSHAKE_MS = 30_000;
export const MCP_CALL_MS = 120_000;
/** Tool rounds one answer may take before it must answer in words. */
export const MAX_TOOL_ROUNDS = 10;

const name = v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(MAX_MCP_NAME_CHARS));
const envName = v.pipe(v.string(), v.regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'a variable name: letters, digits and _'));
const headerName = v.pipe(v.string(), v.regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/, 'a header name'));
// settings.ts imports this schema: its boundedText is not imported back (an import cycle).
const bounded = (max: number, min = 0) => (min ? v.pipe(v.string(), v.minLength(min), v.maxLength(max)) : v.pipe(v.string(), v.maxLength(max)));
const stringMap = <K extends v.GenericSchema<string, string>>(key: K, max: number) =>
  v.pipe(v.record(key, bounded(MAX_MCP_ENV_VALUE_CHARS)), v.check((r) => Object.keys(r).length <= max, `at most ${max} entries`));

/** One configured MCP server. */
export const mcpServerSchema = v.object({
  id: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/)),
  name,
  enabled: v.optional(v.boolean(), true),
  transport: v.picklist(MCP_TRANSPORTS),
  /** stdio: the program (found on the login shell's PATH) and its arguments. */
  command: v.optional(bounded(MAX_PATH_CHARS)),
  args: v.optional(v.pipe(v.array(bounded(MAX_PATH_CHARS)), v.maxLength(MAX_MCP_ARGS)), []),
  cwd: v.optional(bounded(MAX_PATH_CHARS)),
  /** stdio: variables for the process (values may be `${VAR}`); secrets never leave main. */
  env: v.optional(stringMap(envName, MAX_MCP_ENV), {}),
  /** http / sse: the endpoint, and headers sent with every request (values may be `${VAR}`). */
  url: v.optional(bounded(MAX_URL_CHARS)),
  headers: v.optional(stringMap(headerName, MAX_MCP_ENV), {}),
  /** Its route, as a provider's: the global network settings, direct, or a proxy of its own. */
  route: v.optional(v.object({ mode: v.optional(v.picklist(ROUTE_MODES), 'global'), proxyUrl: v.optional(bounded(MAX_URL_CHARS)) }), {}),
  /** A tool call's time bound (ms). */
  callTimeoutMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1000), v.maxValue(3_600_000)), MCP_CALL_MS),
  /** Tools the user allowed always ('*': the whole server). */
  allowed: v.optional(v.pipe(v.array(bounded(128, 1)), v.maxLength(MAX_MCP_TOOLS)), []),
});
export type McpServerEntry = v.InferOutput<typeof mcpServerSchema>;
export type McpServerInput = v.InferInput<typeof mcpServerSchema>;

export const mcpServersSchema = v.optional(v.pipe(v.array(mcpServerSchema), v.maxLength(MAX_MCP_SERVERS)), []);

/** A tool as a server lists it (its input schema kept as JSON for the model). */
export interface McpTool {
  serverId: string;
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

/**
 * The `mcpServers` JSON of Claude Desktop, Cursor, Cline and server READMEs:
 * `{ "mcpServers": { "<name>": { "command", "args", "env", "cwd" } | { "url" | "serverUrl", "headers", "type"? } } }`
 * (the object itself may also be given without the `mcpServers` wrapper). Each entry becomes a server; what
 * cannot be read is named, never guessed.
 */
export function importMcpServers(json: unknown, newId: () => string): { servers: McpServerInput[]; problems: string[] } {
  const problems: string[] = [];
  const servers: McpServerInput[] = [];
  const root = typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
  if (!root) return { servers, problems: ['not a JSON object'] };
  const map = typeof root.mcpServers === 'object' && root.mcpServers !== null ? (root.mcpServers as Record<string, unknown>) : root;
  for (const [key, value] of Object.entries(map).slice(0, MAX_MCP_SERVERS)) {
    if (typeof value !== 'object' || value === null) {
      problems.push(`${key}: not an object`);
      continue;
    }
    const o = value as Record<string, unknown>;
    const url = typeof o.url === 'string' ? o.url : typeof o.serverUrl === 'string' ? o.serverUrl : undefined;
    const type = typeof o.type === 'string' ? o.type.toLowerCase() : typeof o.transport === 'string' ? o.transport.toLowerCase() : undefined;
    const entry: McpServerInput = {
      id: newId(),
      name: key.slice(0, MAX_MCP_NAME_CHARS),
      enabled: o.disabled !== true,
      transport: url ? (type === 'sse' ? 'sse' : 'http') : 'stdio',
      ...(typeof o.command === 'string' ? { command: o.command } : {}),
      ...(Array.isArray(o.args) ? { args: o.args.map(String) } : {}),
      ...(typeof o.cwd === 'string' ? { cwd: o.cwd } : {}),
      ...(typeof o.env === 'object' && o.env !== null ? { env: Object.fromEntries(Object.entries(o.env).map(([k, x]) => [k, String(x)])) } : {}),
      ...(url ? { url } : {}),
      ...(typeof o.headers === 'object' && o.headers !== null ? { headers: Object.fromEntries(Object.entries(o.headers).map(([k, x]) => [k, String(x)])) } : {}),
    };
    if (!url && typeof o.command !== 'string') {
      problems.push(`${key}: neither a command nor a url`);
      continue;
    }
    const checked = v.safeParse(mcpServerSchema, entry);
    if (!checked.success) {
      const first = checked.issues[0];
      problems.push(`${key}: ${v.getDotPath(first) ?? 'entry'}: ${first.message}`);
      continue;
    }
    servers.push(entry);
  }
  return { servers, problems };
}

/** The MCP doctor's steps, in order: what is configured, the program on PATH, the route, start and handshake, tools, a harmless call. */
export const MCP_STEP_IDS = ['config', 'command', 'route', 'handshake', 'tools', 'call'] as const;
export type McpStepId = (typeof MCP_STEP_IDS)[number];

export interface McpDoctorStep {
  id: McpStepId;
  status: StepStatus;
  ms: number;
  /** English (the command line, the log): the sentences of `words` joined. */
  detail: string;
  words: Worded[];
}

/** What the MCP doctor found for one server: a verdict (an error code, or 'download_blocked'), its steps, the fix. */
export interface McpDoctorReport {
  server: { id: string; name: string; transport: McpTransport };
  verdict: ErrorCode | 'ok' | 'download_blocked';
  steps: McpDoctorStep[];
  /** English; the same in `hintWords` for the window. */
  hints: string[];
  hintWords: Worded[];
  /** The newest of the server's stderr (redacted by main before it leaves). */
  stderr?: string;
}

/** A server as the window sees it: its variables' and headers' names only (their values may be secrets), and its state. */
export interface McpServerView {
  id: string;
  name: string;
  enabled: boolean;
  transport: McpTransport;
  command?: string;
  args: string[];
  url?: string;
  envNames: string[];
  headerNames: string[];
  route: { mode: 'global' | 'direct' | 'proxy'; proxyUrl?: string };
  /** Tools the user allowed always ('*': the whole server). */
  allowed: string[];
  state: 'stopped' | 'starting' | 'running' | 'failed';
  tools: number;
  /** Why it failed to start (English; the doctor says more). */
  error?: string;
}

/** The `mcpServers` JSON a window may hand over to import (pasted text). */
export const MAX_MCP_IMPORT_CHARS = 256 * 1024;

export interface McpImportResult {
  added: McpServerView[];
  /** Entries that could not be read, each named. */
  problems: string[];
}
