/**
 * MCP servers (tools) as settings hold them and both sides see them: the entry schema (settings.json's
 * `mcpServers`), the bounds every server and call runs within, and the import of the `mcpServers` JSON other apps
 * and server READMEs use. Environment values and header values may be secrets (or `${VAR}` references, expanded by
 * the same rules as keys): they stay in main; the window sees only their names.
 */
import * as v from 'valibot';
import { MAX_MCP_ARGS, MAX_MCP_ENV, MAX_MCP_ENV_VALUE_CHARS, MAX_MCP_NAME_CHARS, MAX_MCP_SERVERS, MAX_MCP_TOOLS, MAX_PATH_CHARS, MAX_URL_CHARS, MCP_CALL_MS } from './bounds.ts';
import { ROUTE_MODES } from './constants.ts';
import type { StepStatus, Worded } from './doctor.ts';
import type { ErrorCode, ErrorInfo } from './errors.ts';

export const MCP_TRANSPORTS = ['stdio', 'http', 'sse'] as const;
export type McpTransport = (typeof MCP_TRANSPORTS)[number];

/** The bounds every server and call runs within (src/shared/bounds.ts, their one place), for those who import them here. */
export { MAX_MCP_ARGS, MAX_MCP_ENV, MAX_MCP_ENV_VALUE_CHARS, MAX_MCP_IMPORT_CHARS, MAX_MCP_MESSAGE_BYTES, MAX_MCP_NAME_CHARS, MAX_MCP_SERVERS, MAX_MCP_STDERR_BYTES, MAX_MCP_TOOLS, MAX_TOOL_RESULT_CHARS, MAX_TOOL_ROUNDS, MCP_CALL_MS, MCP_HANDSHAKE_MS } from './bounds.ts';

/**
 * What is wrong with a field of a server (the window words each in its language: locales' `mcp.problems`): the
 * message of each check below is its code, so a refusal is a code and facts (its bound), never English to parse.
 */
export const MCP_PROBLEMS = ['required', 'too_long', 'too_many', 'env_name', 'header_name', 'duplicate', 'url', 'number'] as const;
export type McpProblem = (typeof MCP_PROBLEMS)[number];

const name = v.pipe(v.string(), v.trim(), v.minLength(1, 'required'), v.maxLength(MAX_MCP_NAME_CHARS, 'too_long'));
const envName = v.pipe(v.string(), v.regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'env_name'));
const headerName = v.pipe(v.string(), v.regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/, 'header_name'));
// settings.ts imports this schema: its boundedText is not imported back (an import cycle).
const bounded = (max: number, min = 0) => (min ? v.pipe(v.string(), v.minLength(min, 'required'), v.maxLength(max, 'too_long')) : v.pipe(v.string(), v.maxLength(max, 'too_long')));
const stringMap = <K extends v.GenericSchema<string, string>>(key: K, max: number) =>
  v.pipe(v.record(key, bounded(MAX_MCP_ENV_VALUE_CHARS)), v.check((r) => Object.keys(r).length <= max, 'too_many'));
const argList = v.pipe(v.array(bounded(MAX_PATH_CHARS)), v.maxLength(MAX_MCP_ARGS, 'too_many'));
const routeSchema = v.object({ mode: v.optional(v.picklist(ROUTE_MODES), 'global'), proxyUrl: v.optional(bounded(MAX_URL_CHARS)) });
const serverId = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/));

/** One configured MCP server. */
export const mcpServerSchema = v.object({
  id: serverId,
  name,
  enabled: v.optional(v.boolean(), true),
  transport: v.picklist(MCP_TRANSPORTS),
  /** stdio: the program (found on the login shell's PATH) and its arguments. */
  command: v.optional(bounded(MAX_PATH_CHARS)),
  args: v.optional(argList, []),
  cwd: v.optional(bounded(MAX_PATH_CHARS)),
  /** stdio: variables for the process (values may be `${VAR}`); secrets never leave main. */
  env: v.optional(stringMap(envName, MAX_MCP_ENV), {}),
  /** http / sse: the endpoint, and headers sent with every request (values may be `${VAR}`). */
  url: v.optional(bounded(MAX_URL_CHARS)),
  headers: v.optional(stringMap(headerName, MAX_MCP_ENV), {}),
  /** Its route, as a provider's: the global network settings, direct, or a proxy of its own. */
  route: v.optional(routeSchema, {}),
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

/** Why an entry of pasted `mcpServers` JSON was not imported: a code and its facts (the window words it). */
export interface McpImportProblem {
  /** The entry's name (its key); absent when the whole text is at fault. */
  server?: string;
  problem: 'not_json' | 'not_json_object' | 'not_object' | 'no_command_or_url' | McpProblem | 'invalid';
  /** The entry's field at fault (`args`, `env.TOKEN`…), for a problem of one field. */
  field?: string;
  /** The bound it broke (too_long, too_many). */
  max?: number;
}

const IMPORT_PROBLEM_TEXT: Record<McpImportProblem['problem'], string> = {
  not_json: 'the text is not JSON',
  not_json_object: 'not a JSON object',
  not_object: 'not an object',
  no_command_or_url: 'neither a command nor a url',
  required: 'must not be empty',
  too_long: 'too long (at most {max} characters)',
  too_many: 'too many (at most {max})',
  env_name: 'not a variable name (letters, digits and _)',
  header_name: 'not a header name',
  duplicate: 'named twice',
  url: 'not an http:// or https:// URL',
  number: 'not a number in range',
  invalid: 'not a valid value',
};

/** A problem in English (the command line, the log); the window words the same facts in its language. */
export function importProblemText(p: McpImportProblem): string {
  const what = IMPORT_PROBLEM_TEXT[p.problem].replace('{max}', String(p.max ?? ''));
  return [p.server, p.field, what].filter((x) => x !== undefined && x !== '').join(': ');
}

/** A valibot issue as a problem code and its bound (the checks' messages are the codes). */
function problemOf(issue: v.BaseIssue<unknown>): { problem: McpProblem | 'invalid'; max?: number } {
  const code = (MCP_PROBLEMS as readonly string[]).includes(issue.message) ? (issue.message as McpProblem) : 'invalid';
  const max = typeof issue.requirement === 'number' ? issue.requirement : undefined;
  return { problem: code, ...(max !== undefined && (code === 'too_long' || code === 'too_many') ? { max } : {}) };
}

/**
 * The `mcpServers` JSON of Claude Desktop, Cursor, Cline and server READMEs:
 * `{ "mcpServers": { "<name>": { "command", "args", "env", "cwd" } | { "url" | "serverUrl", "headers", "type"? } } }`
 * (the object itself may also be given without the `mcpServers` wrapper). Each entry becomes a server; what
 * cannot be read is named, never guessed: `issues` as codes and facts, `problems` the same in English.
 */
export function importMcpServers(json: unknown, newId: () => string): { servers: McpServerInput[]; problems: string[]; issues: McpImportProblem[] } {
  const issues: McpImportProblem[] = [];
  const servers: McpServerInput[] = [];
  const done = () => ({ servers, issues, problems: issues.map(importProblemText) });
  const root = typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
  if (!root) {
    issues.push({ problem: 'not_json_object' });
    return done();
  }
  const map = typeof root.mcpServers === 'object' && root.mcpServers !== null ? (root.mcpServers as Record<string, unknown>) : root;
  for (const [key, value] of Object.entries(map).slice(0, MAX_MCP_SERVERS)) {
    const server = key.slice(0, MAX_MCP_NAME_CHARS);
    if (typeof value !== 'object' || value === null) {
      issues.push({ server, problem: 'not_object' });
      continue;
    }
    const o = value as Record<string, unknown>;
    const url = typeof o.url === 'string' ? o.url : typeof o.serverUrl === 'string' ? o.serverUrl : undefined;
    const type = typeof o.type === 'string' ? o.type.toLowerCase() : typeof o.transport === 'string' ? o.transport.toLowerCase() : undefined;
    const entry: McpServerInput = {
      id: newId(),
      name: server,
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
      issues.push({ server, problem: 'no_command_or_url' });
      continue;
    }
    const checked = v.safeParse(mcpServerSchema, entry);
    if (!checked.success) {
      const first = checked.issues[0];
      issues.push({ server, field: v.getDotPath(first) ?? 'entry', ...problemOf(first) });
      continue;
    }
    servers.push(entry);
  }
  return done();
}

// ---- A server added or edited in the window, field by field ----

/** A variable or header as the editor sends it: its name, and its value when typed (absent: the stored one is kept). */
const secretEntry = <K extends v.GenericSchema<string, string>>(key: K) => v.strictObject({
  name: key,
  value: v.optional(bounded(MAX_MCP_ENV_VALUE_CHARS)),
  /** The name it had when the editor opened: absent `value` keeps that one's stored value (a rename keeps it too). */
  from: v.optional(v.pipe(v.string(), v.maxLength(128))),
});
const secretList = <K extends v.GenericSchema<string, string>>(key: K) =>
  v.pipe(v.array(secretEntry(key)), v.maxLength(MAX_MCP_ENV, 'too_many'));
const isHttpUrl = (u: string): boolean => URL.canParse(u) && ['http:', 'https:'].includes(new URL(u).protocol);
const present = (s: string | undefined): boolean => !!s && s.trim() !== '';

/**
 * A server from the window's editor (`id` absent: a new one): the same field schemas as the stored entry's, and
 * the checks between fields (a stdio server has a command, an HTTP one an http(s) URL, a proxy route a proxy URL,
 * no name twice). The window checks each field with it as it is typed; main refuses what it refuses.
 */
export const mcpServerDraftSchema = v.pipe(
  v.strictObject({
    id: v.optional(serverId),
    name,
    transport: v.picklist(MCP_TRANSPORTS),
    command: v.optional(bounded(MAX_PATH_CHARS)),
    args: v.optional(argList),
    cwd: v.optional(bounded(MAX_PATH_CHARS)),
    env: v.optional(secretList(envName)),
    url: v.optional(bounded(MAX_URL_CHARS)),
    headers: v.optional(secretList(headerName)),
    route: v.optional(v.strictObject({ mode: v.picklist(ROUTE_MODES), proxyUrl: v.optional(bounded(MAX_URL_CHARS)) })),
  }),
  v.forward(v.partialCheck([['transport'], ['command']], (d) => d.transport !== 'stdio' || present(d.command), 'required'), ['command']),
  v.forward(v.partialCheck([['transport'], ['url']], (d) => d.transport === 'stdio' || present(d.url), 'required'), ['url']),
  v.forward(v.partialCheck([['transport'], ['url']], (d) => d.transport === 'stdio' || !present(d.url) || isHttpUrl(d.url!.trim()), 'url'), ['url']),
  v.forward(v.partialCheck([['route', 'mode'], ['route', 'proxyUrl']], (d) => d.route?.mode !== 'proxy' || present(d.route.proxyUrl), 'required'), ['route', 'proxyUrl']),
  v.forward(v.partialCheck([['env']], (d) => new Set((d.env ?? []).map((e) => e.name)).size === (d.env ?? []).length, 'duplicate'), ['env']),
  v.forward(v.partialCheck([['headers']], (d) => new Set((d.headers ?? []).map((e) => e.name.toLowerCase())).size === (d.headers ?? []).length, 'duplicate'), ['headers']),
);
export type McpServerDraft = v.InferInput<typeof mcpServerDraftSchema>;

/** A field of the editor: `name`, `command`, `args`, `cwd`, `url`, `proxyUrl`, `env`, `env.<row>.name`, `headers.<row>.value`… */
export interface McpFieldProblem {
  field: string;
  problem: McpProblem | 'invalid';
  max?: number;
}

/** The editor's field of a schema issue: the route's proxy URL is `proxyUrl`; an argument is `args`. */
function fieldOf(issue: v.BaseIssue<unknown>): string {
  const path = v.getDotPath(issue) ?? '';
  if (path === 'route.proxyUrl' || path.startsWith('route')) return 'proxyUrl';
  if (path.startsWith('args')) return 'args';
  return path || 'name';
}

/** Every field of a draft that is refused (one problem per field, in the form's order), or none. */
export function checkMcpDraft(draft: unknown): McpFieldProblem[] {
  const r = v.safeParse(mcpServerDraftSchema, draft);
  if (r.success) return [];
  const out: McpFieldProblem[] = [];
  for (const issue of r.issues) {
    const field = fieldOf(issue);
    if (!out.some((p) => p.field === field)) out.push({ field, ...problemOf(issue) });
  }
  return out;
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
  /** The working folder (stdio). */
  cwd?: string;
  /** Its variables and headers by name, and whether each has a value (never the value: it may be a secret). */
  env: McpSecretView[];
  headers: McpSecretView[];
  /** Why it failed to start: its code, words and facts (the window words it in its language; the doctor says more). */
  error?: ErrorInfo;
}

/** A variable or header as the window sees it: its name, and whether a value is set. */
export interface McpSecretView {
  name: string;
  set: boolean;
}

/** What main asks the user before it saves a server from the editor (its own dialog): what would run or be reached. */
export interface McpSaveQuestion {
  name: string;
  isNew: boolean;
  transport: McpTransport;
  /** The command and its arguments, or the URL. */
  runs: string;
  cwd?: string;
  /** The names of its variables or headers (never a value), and which of them are new or changed. */
  names: string[];
  changedNames: string[];
  /** What changed that makes main ask: the program, its arguments, folder, variables; the URL, headers, or the route its headers take. */
  changed: ('transport' | 'command' | 'args' | 'cwd' | 'env' | 'url' | 'headers' | 'route')[];
  /** The route its requests take when it changed with headers to send: direct, the network settings, or the proxy (password masked). */
  route?: string;
}

/** What a save from the editor gives back: the servers, and the saved one's id. */
export interface McpSaveResult {
  id: string;
  servers: McpServerView[];
}


export interface McpImportResult {
  added: McpServerView[];
  /** Entries that could not be read, each named, as codes and facts. */
  problems: McpImportProblem[];
}
