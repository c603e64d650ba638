/**
 * The bounds of what settings and the window may hold, in one place: the settings schema (settings.ts) and the
 * IPC contract (ipc.ts) both use these, so a value the settings file accepts is never refused at the window's
 * edge, nor the reverse. No schema library here: the renderer imports it at start.
 *
 * Longest accepted values: far beyond any real one (URLs of a few hundred characters; API keys up to ~2 KB for
 * JWT-like ones), small enough that a pasted file or a runaway script (a 50 MB base URL) is config_invalid
 * instead of a settings file the app and the CLI must carry.
 */
export const MAX_URL_CHARS = 2048;
export const MAX_KEY_CHARS = 8 * 1024;
export const MAX_MODEL_CHARS = 200;
export const MAX_BYPASS_CHARS = 16 * 1024;
export const MAX_CA_FILES = 32;
export const MAX_PATH_CHARS = 4096;
export const MAX_PROVIDER_NAME_CHARS = 100;
export const MAX_PROVIDERS = 64;
export const MAX_MODELS = 5000;
export const MAX_SYSTEM_PROMPT = 100_000;
/** How many earlier messages a conversation may send as context (0 = all that fit). */
export const MAX_CONTEXT_MESSAGES = 10_000;
export const MAX_RETRIES = 10;
/** One message typed or sent from the window. */
export const MAX_MESSAGE_CHARS = 1_000_000;
export const MAX_TITLE_CHARS = 500;
/** The user's own model prices (Settings → Prices), and the highest price per million tokens they may hold. */
export const MAX_PRICE_OVERRIDES = 500;
export const MAX_PRICE_PER_MTOK = 100_000;
/**
 * Request parameters (a conversation's, or its provider's defaults): temperature 0–2 (OpenAI's range; Anthropic's
 * is 0–1 and it says so), top_p 0–1, max tokens and a thinking budget up to a million (no model answers more).
 */
export const MAX_TEMPERATURE = 2;
export const MAX_OUTPUT_TOKENS = 1_000_000;
export const MAX_THINKING_BUDGET = 1_000_000;
/** The user's corrections of model capabilities (per provider), and the context windows they may give. */
export const MAX_CAPABILITY_OVERRIDES = 500;
export const MIN_CONTEXT_WINDOW = 256;
export const MAX_CONTEXT_WINDOW = 100_000_000;
/** The `data` of one log line from the window, as JSON (the line itself is cut at 8 KB by the logger). */
export const MAX_LOG_DATA_CHARS = 16 * 1024;

/**
 * Whether `value`, as JSON, has at most `max` characters: a walk that stops as soon as the budget is spent (a
 * 100 MB object costs as much as a 16 KB one), counting strings by length and every other value roughly.
 */
export function jsonWithin(value: unknown, max: number): boolean {
  let left = max;
  const walk = (x: unknown, depth: number): boolean => {
    if (depth > 64) return false;
    if (typeof x === 'string') return (left -= x.length + 2) >= 0;
    if (x === null || typeof x !== 'object') return (left -= String(x).length) >= 0;
    const entries = Array.isArray(x) ? x : Object.entries(x as Record<string, unknown>);
    for (const e of entries) {
      if ((left -= 1) < 0) return false;
      if (!walk(e, depth + 1)) return false;
    }
    return (left -= 2) >= 0;
  };
  return walk(value, 0);
}
/**
 * Sync's files (services/sync): the JSON of one journal file or snapshot part before compression (more is split into
 * several files; a single larger entry, a message of up to 8 MB of text and reasoning, goes alone; 1 MB is parsed in
 * 10–20 ms of main's thread), and the most
 * one such file may hold when read, compressed or not (more is refused, never buffered).
 */
export const MAX_SYNC_JOURNAL_JSON_BYTES = 1024 * 1024;
export const MAX_SYNC_JOURNAL_FILE_BYTES = 32 * 1024 * 1024;
/**
 * The body of one request sent over a route's fetch (core/fetch.ts): an MCP message, or one file a sync target
 * uploads. Within Nutstore's published WebDAV upload limit (500 MB per file) by far.
 */
export const MAX_REQUEST_BODY_BYTES = 64 * 1024 * 1024;
/** One file a sync target puts or gets (a journal or a snapshot): the engine splits what is larger. */
export const MAX_SYNC_FILE_BYTES = MAX_REQUEST_BODY_BYTES;
/**
 * Nutstore's published WebDAV limits (help.jianguoyun.com, "第三方应用访问的限制"): at most 600 requests per 30 minutes
 * for a free account (1,500 for a paid one), files up to 500 MB. Parley keeps to the free account's rate.
 */
export const NUTSTORE_REQUESTS_PER_WINDOW = 600;
export const NUTSTORE_WINDOW_MS = 30 * 60_000;
export const NUTSTORE_MAX_FILE_BYTES = 500 * 1024 * 1024;
/** How long a sync target waits for a Retry-After (or its own back-off) before it gives up and says so. */
export const MAX_SYNC_RETRY_WAIT_MS = 60_000;
/** Retries of one sync request after a 429, a 503 or a dropped connection. */
export const MAX_SYNC_RETRIES = 4;
/** Pages of one S3 listing (1,000 keys a page) and entries of one WebDAV folder listing. */
export const MAX_SYNC_LIST_PAGES = 200;
export const MAX_SYNC_LIST_ENTRIES = 200_000;
/** A WebDAV PROPFIND answer (a multistatus of every file of a folder). */
export const MAX_SYNC_LISTING_BYTES = 64 * 1024 * 1024;
/** Names of a sync target's settings: a bucket, a prefix, a region, a user name. */
export const MAX_SYNC_FIELD_CHARS = 1024;

// Updates (src/main/services/update).
/** Feed URLs (a GitHub release and its mirrors) tried in order. */
export const MAX_UPDATE_FEEDS = 8;
/** One `latest*.yml` manifest. */
export const MAX_UPDATE_MANIFEST_BYTES = 256 * 1024;
/** One installer or package (Parley's are about 100 to 200 MB). */
export const MAX_UPDATE_ARTIFACT_BYTES = 1024 * 1024 * 1024;

/**
 * Backups (src/main/services/backup): how many automatic ones are kept in the data folder's backups/ (the oldest
 * removed first), and what a restore accepts before it writes a byte: the manifest's size, its entries, and the
 * bytes they expand to together (a zip bomb is refused as soon as an entry passes the size its manifest gives).
 */
export const MAX_AUTO_BACKUPS = 10;
export const MAX_BACKUP_MANIFEST_BYTES = 64 * 1024 * 1024;
export const MAX_BACKUP_ENTRIES = 1_000_000;
export const MAX_BACKUP_BYTES = 64 * 1024 * 1024 * 1024;
/** How often automatic backups are made (Settings → Backup; `off` still backs up before a database migration). */
export const BACKUP_SCHEDULES = ['off', 'daily', 'weekly'] as const;

/**
 * MCP servers (tools, shared/mcp.ts): servers configured, arguments and variables per server, and what one server
 * or call may use.
 */
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
/** The `mcpServers` JSON a window may hand over to import (pasted text). */
export const MAX_MCP_IMPORT_CHARS = 256 * 1024;
