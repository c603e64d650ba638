/**
 * The IPC contract, declared once: each channel's argument schema (valibot; argument types are inferred from
 * it) and its result type, for the channels named in ipc-names.ts (the compiler checks both lists match). The
 * preload's `window.parley`, main's handler table (a missing handler is a type error) and the browser test
 * host's bridge are all derived from these.
 * Results cross as values: { ok, value } | { ok, error }. Everything the renderer sends is validated here
 * before a handler sees it: the renderer is untrusted.
 */
import * as v from 'valibot';
import type { ActiveStream, ChatStreamEvent, Conversation, ConversationPage, PathMessage, QueuedMessage, SearchHit } from './chat.ts';
import type { DoctorReport, DoctorStep, SavedDoctorReport } from './doctor.ts';
import type { ErrorCode, ErrorInfo } from './errors.ts';
import type { ImportProgress } from './import-progress.ts';
import type { RouteFacts } from './route.ts';
import type { SecretShape } from './secret-shape.ts';
import { jsonWithin, MAX_BYPASS_CHARS, MAX_CA_FILES, MAX_CONTEXT_MESSAGES, MAX_KEY_CHARS, MAX_LOG_DATA_CHARS, MAX_MESSAGE_CHARS, MAX_MODEL_CHARS, MAX_PATH_CHARS, MAX_PROVIDER_NAME_CHARS, MAX_RETRIES, MAX_TITLE_CHARS, MAX_URL_CHARS } from './bounds.ts';
import { boundedText, durationMs, issueText, LANGUAGES, MAX_SYSTEM_PROMPT, PRESET_IDS, PROTOCOLS, PROXY_MODES, ROUTE_MODES, STREAM_MODES, THEMES, modelNamesSchema, wholeNumber, type PresetId, type ProviderEntry, type StoredSettings } from './settings.ts';
import { CURRENCIES } from './answer.ts';
import { MAX_USAGE_DAYS, type UsageRow, type UsageTotals } from './usage.ts';
import { MAX_PRICE_OVERRIDES } from './bounds.ts';
import { BACKUP_SCHEDULES } from './bounds.ts';
import { priceOverrideSchema } from './settings.ts';
import { acceleratorSchema } from './settings.ts';
import { capabilityOverridesSchema, requestParamsStrictSchema } from './settings.ts';
import { ATTACHMENT_ID, ATTACHMENT_PIECE_CHARS, MAX_ATTACHMENT_PIECES, MAX_ATTACHMENT_BASE64_CHARS, MAX_ATTACHMENT_NAME_CHARS, MAX_ATTACHMENTS_PER_MESSAGE, type AttachmentRef, type PickResult } from './attachments.ts';
import { MAX_MCP_IMPORT_CHARS, mcpServerDraftSchema, type McpDoctorReport, type McpImportResult, type McpSaveResult, type McpServerView } from './mcp.ts';
import { syncDraftSchema, type SyncCheckView, type SyncStatus, type SyncView } from './sync.ts';
import type { UpdateDoctorReport, UpdateStatus, UpdateView } from './update.ts';
import { MAX_UPDATE_FEEDS } from './bounds.ts';
import { UPDATE_CHANNELS } from './settings.ts';
import { EVENTS, type Channel, type EventName, type MethodName } from './ipc-names.ts';

export { CHANNELS, EVENTS, EVENT_CHANNEL, methodName, type Channel, type EventName } from './ipc-names.ts';

export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

export interface AppInfo {
  name: string;
  version: string;
  /** '' outside Electron (the browser test target). */
  electron: string;
  node: string;
  platform: string;
  /** Where the app writes its rotating logs (the OS's usual log folder for the app). */
  logDir: string;
  /** The app's data folder (settings, doctor reports, parley.db). */
  dataDir: string;
  /** Which shell hosts the renderer. */
  host: 'electron' | 'browser';
}

/**
 * Where keys typed in the window are kept: 'os' the OS keychain (Keychain, DPAPI, a Linux keyring); 'basic_text'
 * Linux without a keyring (no real protection: the window asks before storing a key); 'none' no keychain (the
 * key stays in settings.json as before).
 */
export type KeychainState = 'os' | 'basic_text' | 'none';

/** A provider as the renderer sees it: no key, only its shape (or the `${VAR}` it refers to). */
export type ProviderView = Omit<ProviderEntry, 'apiKey'> & {
  apiKeyMarker: string | null;
  /** The key is stored in the keychain (encrypted, apart from settings.json). */
  apiKeyInKeychain?: boolean;
  /** The stored key (or the route's proxy password) could not be read from the keychain: type it again. */
  keyUnreadable?: boolean;
};

/**
 * Settings as the renderer sees them: secrets never cross to the renderer. Keys are replaced by their
 * shape, a proxy URL's password by SECRET_PLACEHOLDER (sent back unchanged, it keeps the password).
 */
/** A backup in the data folder's backups/ (Settings → Backup). */
export interface BackupView {
  name: string;
  bytes: number;
  /** Epoch ms. */
  createdAt: number;
  reason: 'manual' | 'scheduled' | 'before-migration' | 'before-restore' | 'before-update';
  automatic: boolean;
}

/** Settings → Backup: the backups, newest first, and a restore that waits for Parley to start again. */
export interface BackupsView {
  backups: BackupView[];
  /** How many automatic backups are kept (MAX_AUTO_BACKUPS). */
  keep: number;
  /** How often a backup is made while the app runs (settings' backup.schedule; changed with 'settings:set'). */
  schedule: (typeof BACKUP_SCHEDULES)[number];
  pending: { name: string; createdAt: string; app: string | null; parts: ('database' | 'settings' | 'attachments')[] } | null;
  /** What the last start did with a waiting restore (shown once). */
  finished?: { ok: true; name: string } | { ok: false; error: ErrorInfo };
}

export interface SettingsView {
  settings: Omit<StoredSettings, 'providers' | 'mcpServers'>;
  providers: ProviderView[];
  /** Where a typed key is stored (absent: as 'none'). */
  keychain?: KeychainState;
  /** The stored global proxy password could not be read from the keychain: type it again. */
  proxyPasswordUnreadable?: boolean;
  /**
   * Keys of settings.json that Parley does not know (a typo such as `network.retriez`, or a newer version's field):
   * kept in the file when Parley saves, named here so they are found.
   */
  unknownKeys?: string[];
}

export { SECRET_PLACEHOLDER } from './constants.ts';

export interface ExportResult {
  path: string;
  files: string[];
  secretsStripped: number;
}

export type RendererLogLevel = 'error' | 'warn' | 'info' | 'debug';
export interface RendererLogEntry {
  level: RendererLogLevel;
  message: string;
  data?: unknown;
}

/** A provider found in the environment, the login shell or on a local port, offered on first run. */
export interface DetectedProvider {
  preset: PresetId;
  name: string;
  protocol: (typeof PROTOCOLS)[number];
  baseUrl: string;
  /** `${VAR}` reference for the key (never the value). */
  apiKey?: string;
  /** Where it was found: 'environment', 'login shell', 'local port'. */
  source: 'environment' | 'login shell' | 'local port';
  /** Whether a configured provider already has this base URL. */
  configured: boolean;
}

/** Everything the window needs to show itself, in one round trip at start. */
export interface BootState {
  info: AppInfo;
  /** null when settings.json cannot be read (then `settingsError` says why). */
  settings: SettingsView | null;
  settingsError?: ErrorInfo;
  /** The log file cannot be written (a read-only or full folder): storage_failed with the path and the reason; the app works on without it. */
  logWriteError?: ErrorInfo;
  /** The data folder could not be used (read-only, full…): this session's conversations live in a temporary folder. */
  storageError?: ErrorInfo;
  conversations: Conversation[];
  /** Answers being written now (this window receives their events from here on). */
  active: ActiveStream[];
  /** The conversation to show: the one being written into, else the latest (its last PAGE_SIZE messages). */
  page: ConversationPage | null;
}

export interface SendResult {
  requestId: string;
  conversation: Conversation;
  /** The shown path's messages from the first one that changed: the window replaces its tail with them. */
  tail: PathMessage[];
}

// ---- the network panel: Parley's own recent requests, each with its timeline ----
/** Which part of Parley made a request. */
/** `mcp`: a request to an MCP tool server over HTTP (its server and JSON-RPC method in NetworkSummary.mcp). */
export const NETWORK_KINDS = ['chat', 'title', 'models', 'doctor', 'mcp', 'sync', 'update'] as const;
export type NetworkKind = (typeof NETWORK_KINDS)[number];
/**
 * What a timeline entry is: the request's start, its route (and the rule that chose it), the connection steps
 * (dns, connect, proxy, tls), the request headers sent, the response head, the status seen by the chat, the
 * first byte of the answer, a retry, the fallback, the end, a doctor step, and how it finished.
 */
export const NETWORK_STEPS = ['start', 'route', 'dns', 'connect', 'proxy', 'tls', 'request', 'response', 'status', 'first_byte', 'retry', 'fallback', 'end', 'step', 'done', 'failed'] as const;
export type NetworkStepType = (typeof NETWORK_STEPS)[number];
/** A header as recorded: the name, the value redacted (credentials keep only their shape). */
export interface NetworkHeader {
  name: string;
  value: string;
  /** A credential's value only by its shape (`value` is that in English): the scheme (`Bearer `) and the shape. */
  shape?: SecretShape & { scheme: string };
}
export type NetworkData = Record<string, string | number | boolean>;
/** One entry of a request's timeline: the same entry is one line of parley.log (message, data, under the request id). */
export interface NetworkStep {
  type: NetworkStepType;
  /** Milliseconds since the request began. */
  t: number;
  /** The log line's message ('route', 'connect', 'status headers', 'retry 1', …). */
  message: string;
  level: 'info' | 'warn';
  data: NetworkData;
  headers?: NetworkHeader[];
}
export interface NetworkSummary {
  /** The request id (the log's requestId). */
  id: string;
  kind: NetworkKind;
  /** The first HTTP method sent (GET, POST), or '' before any. */
  method: string;
  /** The target's host[:port]. */
  host: string;
  /** The target URL, secrets masked. */
  url: string;
  /** Epoch ms. */
  startedAt: number;
  /** Set once it ended. */
  durationMs?: number;
  state: 'active' | 'done' | 'failed';
  /** The last HTTP status received. */
  status?: number;
  /** The error code it ended with (for the doctor: its verdict when that is not a working one). */
  error?: string;
  retries: number;
  fellBack: boolean;
  /** Entries in its timeline (kept ones). */
  steps: number;
  /** How it went (direct or which proxy, and why), once decided. */
  route?: RouteFacts;
  /** A tool server's request (kind `mcp`): the server's name and the JSON-RPC method it carried (`tools/call`…). */
  mcp?: { server: string; rpc?: string };
}
export interface NetworkRequest extends NetworkSummary {
  timeline: NetworkStep[];
  /** Entries not kept once the timeline was full (the log has them all). */
  dropped: number;
}

// ---- connectivity (offline) ----
/**
 * A provider route's state: 'online' it answers (or nothing says otherwise); 'offline' the OS reports no network;
 * 'unreachable' a chat or a probe failed at the connection level (dns_failed, connect_refused, connect_timeout,
 * proxy_unreachable, proxy_refused, the proxy's own 502/503/504), never for auth or another HTTP answer.
 */
export const NET_STATES = ['online', 'offline', 'unreachable'] as const;
export type NetStatus = (typeof NET_STATES)[number];
export interface NetRoute {
  providerId: string;
  /** The provider's name. */
  provider: string;
  /** How it is reached (`proxy http://127.0.0.1:3128 (manual)`), '' when not known yet. */
  route: string;
  /** The same as data (the window words it in its language), when known. */
  routeFacts?: RouteFacts;
  state: NetStatus;
  /** Epoch ms of the last change. */
  since: number;
  /** The connection-level code that made it unreachable. */
  code?: ErrorCode;
  /** When main probes the route next (epoch ms), while it is not online. */
  nextProbeAt?: number;
}
export interface NetState {
  /** What the OS (the window's navigator.onLine) last reported. */
  osOnline: boolean;
  /** Routes with a known state (a provider absent here is online unless the OS is offline). */
  routes: NetRoute[];
  /** Questions waiting for their route, in the order they are sent. */
  queue: QueuedMessage[];
}

// ---- argument schemas (bounds on everything) ----
const id = v.pipe(v.string(), v.minLength(1), v.maxLength(64), v.regex(/^[A-Za-z0-9_-]+$/));
/** A model name: the core expands `${VAR}` in it, so the window may not send one. */
const modelName = v.pipe(v.string(), v.maxLength(MAX_MODEL_CHARS), v.check((s) => !s.includes('${'), 'a model name from the window cannot refer to a variable'));
const MAX_MESSAGE = MAX_MESSAGE_CHARS;

/** A patch names only what changes: no defaults here (they would overwrite stored values). */
const settingsPatch = v.strictObject({
  defaults: v.optional(v.partial(v.strictObject({
    providerId: v.nullable(id),
    model: modelName,
    systemPrompt: boundedText(MAX_SYSTEM_PROMPT),
    contextMessages: wholeNumber(0, MAX_CONTEXT_MESSAGES),
    autoTitle: v.boolean(),
  }))),
  network: v.optional(v.partial(v.strictObject({
    proxy: v.optional(v.partial(v.strictObject({ mode: v.picklist(PROXY_MODES), url: v.optional(boundedText(MAX_URL_CHARS)), bypass: boundedText(MAX_BYPASS_CHARS) }))),
    caFiles: v.pipe(v.array(boundedText(MAX_PATH_CHARS)), v.maxLength(MAX_CA_FILES)),
    timeouts: v.partial(v.strictObject({ connectMs: durationMs, firstByteMs: durationMs, idleMs: durationMs, totalMs: durationMs })),
    retries: wholeNumber(0, MAX_RETRIES),
    stream: v.picklist(STREAM_MODES),
    streamMemoryMs: durationMs,
  }))),
  ui: v.optional(v.partial(v.object({ language: v.picklist(LANGUAGES), theme: v.picklist(THEMES) }))),
  logging: v.optional(v.partial(v.object({ logContent: v.boolean() }))),
  /** Replaces the currency choice and the whole list of the user's own prices. */
  pricing: v.optional(v.partial(v.strictObject({ currency: v.picklist(CURRENCIES), overrides: v.pipe(v.array(priceOverrideSchema), v.maxLength(MAX_PRICE_OVERRIDES)) }))),
  backup: v.optional(v.partial(v.strictObject({ schedule: v.picklist(BACKUP_SCHEDULES) }))),
  desktop: v.optional(v.partial(v.strictObject({ closeToTray: v.boolean(), shortcut: acceleratorSchema, quickShortcut: acceleratorSchema, openAtLogin: v.boolean() }))),
});
export type SettingsPatch = v.InferInput<typeof settingsPatch>;

const modelNames = v.optional(modelNamesSchema);
/**
 * A provider from the renderer. `id` absent: a new one. `apiKey` absent keeps the stored key (only while the
 * base URL keeps its origin), '' removes it, anything else replaces it.
 */
const providerDraft = v.strictObject({
  id: v.optional(id),
  name: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(MAX_PROVIDER_NAME_CHARS)),
  preset: v.picklist(PRESET_IDS),
  protocol: v.picklist(PROTOCOLS),
  baseUrl: boundedText(MAX_URL_CHARS),
  apiKey: v.optional(boundedText(MAX_KEY_CHARS)),
  models: modelNames,
  shownModels: modelNames,
  defaultModel: v.optional(boundedText(MAX_MODEL_CHARS)),
  route: v.optional(v.object({ mode: v.picklist(ROUTE_MODES), proxyUrl: v.optional(boundedText(MAX_URL_CHARS)) })),
  /** Replaces the provider's capability corrections per model (absent: kept). */
  capabilities: v.optional(capabilityOverridesSchema),
  /** Replaces the provider's default request parameters (absent: kept). */
  params: v.optional(requestParamsStrictSchema),
  /**
   * The user agreed to store a new key (or proxy password) where the OS offers no protection (keychain
   * 'basic_text'); without it such a save is refused (ErrorInfo.key 'keychain_unprotected').
   */
  storeUnprotected: v.optional(v.boolean()),
});
export type ProviderDraft = v.InferInput<typeof providerDraft>;

const conversationPatch = v.partial(v.strictObject({
  title: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(MAX_TITLE_CHARS)),
  providerId: v.nullable(id),
  model: v.nullable(modelName),
  systemPrompt: boundedText(MAX_SYSTEM_PROMPT),
  contextMessages: wholeNumber(0, MAX_CONTEXT_MESSAGES),
  pinned: v.boolean(),
  draft: boundedText(MAX_MESSAGE),
  /** The conversation's own request parameters, replaced whole ({}: all the provider's defaults). */
  params: requestParamsStrictSchema,
}));
export type ConversationPatch = v.InferInput<typeof conversationPatch>;

const message = v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_MESSAGE));
const attachmentId = v.pipe(v.string(), v.regex(ATTACHMENT_ID));
const sendArgs = v.pipe(v.strictObject({
  conversationId: id,
  /** May be empty when the question carries attachments. */
  text: v.pipe(v.string(), v.maxLength(MAX_MESSAGE)),
  /** Send as a new version of this user message (edit and send): a sibling with the same parent. */
  editOf: v.optional(id),
  /** Attachments the question carries, in order (ids from 'attachments:add' / 'attachments:pick', or an earlier message's). */
  attachments: v.optional(v.pipe(v.array(attachmentId), v.maxLength(MAX_ATTACHMENTS_PER_MESSAGE))),
  /** The user chose to send without the images the model cannot see (they stay stored with the question). */
  withoutImages: v.optional(v.boolean()),
}), v.check((a) => a.text.length > 0 || (a.attachments?.length ?? 0) > 0, 'a question needs text or an attachment'));

/** The contract. `result` is a type carrier only (never read at run time). */
function returns<T>(): T {
  return undefined as T;
}
/** A channel's arguments: a tuple that refuses extra elements (an optional last one may be left out). */
const args = v.strictTuple;
const none = () => v.strictTuple([]);

export const CONTRACT = {
  'app:info': { args: none(), result: returns<AppInfo>() },
  /** Info, settings, conversations, streams in progress and the conversation to show, in one call at start. */
  'app:boot': { args: none(), result: returns<BootState>() },
  /** The window has attached its event listeners: events queued for it are delivered from now on. */
  'app:ready': { args: none(), result: returns<void>() },
  'settings:get': { args: none(), result: returns<SettingsView>() },
  /**
   * CA certificate files are added only through this: main shows the OS open dialog and checks the file
   * (a regular PEM file of bounded size). Returns the chosen path (then allowed in 'settings:set'), or null
   * when the user cancelled. A path typed in the window is refused: the window must not probe the disk.
   */
  'settings:pickCaFile': { args: none(), result: returns<string | null>() },
  'settings:set': { args: args([settingsPatch]), result: returns<SettingsView>() },
  'providers:save': { args: args([providerDraft]), result: returns<SettingsView>() },
  'providers:delete': { args: args([id]), result: returns<SettingsView>() },
  /** The model list of a saved provider, or of a draft (same key rules as saving). */
  'providers:models': { args: args([v.union([id, providerDraft])]), result: returns<string[]>() },
  'providers:detect': { args: none(), result: returns<DetectedProvider[]>() },
  /**
   * Runs the doctor on a provider (default: the default provider) and model (default: its default model), or on
   * an unsaved draft from the provider form (the same key rules as saving; nothing is saved). Steps arrive as
   * 'doctor:step' events; the report names the provider and model it checked (`target`).
   */
  'doctor:run': { args: args([v.optional(v.strictObject({ providerId: v.optional(id), model: v.optional(modelName), draft: v.optional(providerDraft) }))]), result: returns<DoctorReport>() },
  'doctor:cancel': { args: none(), result: returns<boolean>() },
  /** The latest saved doctor report (shown again after a restart), or null when the doctor never ran. */
  'doctor:last': { args: none(), result: returns<SavedDoctorReport | null>() },
  /** How many routes Parley remembers as breaking streams (answers go without streaming there for a while). */
  'doctor:brokenRoutes': { args: none(), result: returns<number>() },
  /** Forgets those routes; returns how many were forgotten. */
  'doctor:forgetRoutes': { args: none(), result: returns<number>() },
  /** Writes the support bundle; null when the user cancelled the save dialog. */
  'diagnostics:export': { args: none(), result: returns<ExportResult | null>() },
  /** Opens the log folder in the OS file manager (Electron); returns its path. */
  'logs:open': { args: none(), result: returns<string>() },
  /** Renderer logs: written by main to the same files, through the same redaction. */
  /** A line for the log: its data at most MAX_LOG_DATA_CHARS as JSON; main also bounds how many per second (handlers/app.ts). */
  'log:write': { args: args([v.object({ level: v.picklist(['error', 'warn', 'info', 'debug']), message: boundedText(4000), data: v.optional(v.pipe(v.unknown(), v.check((d) => jsonWithin(d, MAX_LOG_DATA_CHARS), `more than ${MAX_LOG_DATA_CHARS} characters of data`))) })]), result: returns<void>() },
  'conversations:list': { args: none(), result: returns<Conversation[]>() },
  'conversations:create': { args: args([v.optional(v.strictObject({ providerId: v.optional(id), model: v.optional(modelName) }))]), result: returns<Conversation>() },
  'conversations:open': { args: args([id, v.optional(v.strictObject({ limit: v.optional(wholeNumber(1, 100_000)) }))]), result: returns<ConversationPage>() },
  'conversations:update': { args: args([id, conversationPatch]), result: returns<Conversation>() },
  'conversations:delete': { args: args([id]), result: returns<boolean>() },
  'conversations:search': { args: args([boundedText(500)]), result: returns<SearchHit[]>() },
  /** Saves a conversation as Markdown or JSON through a save dialog; null when cancelled. Markdown's headings in the window's language. */
  'conversations:export': { args: args([id, v.picklist(['markdown', 'json']), v.optional(v.picklist(['en', 'zh']))]), result: returns<string | null>() },
  /**
   * Imports Parley JSON or ChatGPT's conversations.json chosen in an open dialog; the new conversations. Runs in a
   * worker: 'conversations:importProgress' events to the calling window as it goes; all or nothing (cancelled:
   * fails with 'cancelled' and nothing is kept). One import at a time.
   */
  'conversations:import': { args: none(), result: returns<Conversation[]>() },
  /** Cancels the running import (its conversations written so far are removed again); false when none runs. */
  'conversations:importCancel': { args: none(), result: returns<boolean>() },
  'messages:switch': { args: args([id, id]), result: returns<ConversationPage>() },
  'messages:delete': { args: args([id]), result: returns<ConversationPage>() },
  'chat:send': { args: args([sendArgs]), result: returns<SendResult>() },
  /** A new version of an answer (a sibling). */
  'chat:regenerate': { args: args([id]), result: returns<SendResult>() },
  /** Asks the model to go on from a stopped or interrupted answer; the result joins the same message. */
  'chat:continue': { args: args([id]), result: returns<SendResult>() },
  /** Sends again into the same (failed, stopped or interrupted) answer. */
  'chat:retry': { args: args([id]), result: returns<SendResult>() },
  'chat:stop': { args: args([boundedText(64)]), result: returns<boolean>() },
  /** Keeps a question to send when the conversation's provider route answers again (at most MAX_QUEUED wait). */
  'chat:queue': { args: args([v.strictObject({ conversationId: id, text: message })]), result: returns<QueuedMessage>() },
  /** Removes a waiting question; false when it was already sent or removed. */
  'chat:unqueue': { args: args([id]), result: returns<boolean>() },
  /** The routes' states and the waiting questions; the calling window then receives 'connectivity:state' events. */
  'connectivity:get': { args: none(), result: returns<NetState>() },
  /** The OS's online state as the window sees it (navigator.onLine and its online/offline events). */
  'connectivity:osOnline': { args: args([v.boolean()]), result: returns<NetState>() },
  /** Streams in progress (a window that reloads catches up); the caller receives their events from now on. */
  'chat:active': { args: none(), result: returns<ActiveStream[]>() },
  /** Loads a remote image the user asked to see (over the network settings, no key, bounded): a data: URL. */
  'image:load': { args: args([boundedText(8192)]), result: returns<string>() },
  /** Opens an http(s)/mailto link in the OS browser, after the user saw the full URL. */
  'link:open': { args: args([boundedText(8192)]), result: returns<boolean>() },
  /** The recent requests (newest first); the calling window then receives 'requests:update' events. */
  'requests:list': { args: none(), result: returns<NetworkSummary[]>() },
  /** One request with its whole timeline (redacted), or null when it is no longer kept. */
  'requests:get': { args: args([id]), result: returns<NetworkRequest | null>() },
  /** Saves one request as JSON through a save dialog; the path, or null when cancelled. */
  'requests:export': { args: args([id]), result: returns<string | null>() },
  /** Tokens and cost of every answer in a conversation (the header's totals). */
  'usage:conversation': { args: args([id]), result: returns<UsageTotals>() },
  /** Usage per day, provider and model over the last `days` days, days in the window's zone (Date.getTimezoneOffset()). */
  'usage:days': { args: args([v.strictObject({ days: wholeNumber(1, MAX_USAGE_DAYS), tzOffsetMinutes: wholeNumber(-14 * 60, 14 * 60) })]), result: returns<UsageRow[]>() },
  /**
   * Attachments are read by main only from what the user chose: files picked in main's own open dialog (several at
   * once; each checked, stored and returned, or refused with why), or bytes the window hands over (paste, drop) as
   * base64. Stored content-addressed in the data folder until a sent message refers to them; never a path from the window.
   */
  'attachments:pick': { args: none(), result: returns<PickResult>() },
  'attachments:add': { args: args([v.strictObject({ name: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_ATTACHMENT_NAME_CHARS)), data: v.pipe(v.string(), v.maxLength(MAX_ATTACHMENT_BASE64_CHARS)) })]), result: returns<AttachmentRef>() },
  /**
   * A larger pasted or dropped file in pieces (each at most ATTACHMENT_PIECE_CHARS of base64; the same `upload` id,
   * `index` 0…count-1 in order): null until the last piece, which stores the file and returns its ref.
   */
  'attachments:addPiece': { args: args([v.strictObject({
    name: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_ATTACHMENT_NAME_CHARS)),
    data: v.pipe(v.string(), v.maxLength(ATTACHMENT_PIECE_CHARS)),
    upload: id,
    index: wholeNumber(0, MAX_ATTACHMENT_PIECES - 1),
    count: wholeNumber(1, MAX_ATTACHMENT_PIECES),
  })]), result: returns<AttachmentRef | null>() },
  /** A stored image's thumbnail (long side THUMB_SIDE) as a data: URL. */
  'attachments:thumb': { args: args([attachmentId]), result: returns<string>() },
  /** A stored image at most VIEW_SIDE on its long side (the enlarged view) as a data: URL. */
  'attachments:view': { args: args([attachmentId]), result: returns<string>() },
  /** Opens a stored attachment with the OS's app for it, or shows it in the file manager; false when it is not stored. */
  'attachments:open': { args: args([attachmentId, v.picklist(['open', 'reveal'])]), result: returns<boolean>() },
  /** The MCP servers (names of variables and headers only) with their state. */
  'mcp:list': { args: none(), result: returns<McpServerView[]>() },
  /**
   * Adds the servers of pasted `mcpServers` JSON: a server runs a program or reaches a URL, so main shows the user
   * what would run (its own dialog) before anything is saved; refused without that yes (`cancelled`).
   */
  'mcp:import': { args: args([v.pipe(v.string(), v.maxLength(MAX_MCP_IMPORT_CHARS))]), result: returns<McpImportResult>() },
  /** Turns a server off (its process ends) or on again. */
  /**
   * Adds (no `id`) or changes a server from the editor, checked with the editor's own schema; a value of a variable
   * or header left out is kept. A new or changed program, arguments, folder or variables, or a URL that would get
   * headers, is saved only after main's own dialog says yes (the window cannot say it).
   */
  'mcp:save': { args: args([mcpServerDraftSchema]), result: returns<McpSaveResult>() },
  'mcp:setEnabled': { args: args([id, v.boolean()]), result: returns<McpServerView[]>() },
  'mcp:delete': { args: args([id]), result: returns<McpServerView[]>() },
  /** Forgets the server's "always allow" answers: its tools ask again. */
  'mcp:revoke': { args: args([id]), result: returns<McpServerView[]>() },
  /** The MCP doctor on one server: steps, verdict, fix, its stderr's tail (redacted). */
  'mcp:doctor': { args: args([id]), result: returns<McpDoctorReport>() },
  /** The sync settings (secrets only as set / not set) and its state; the window then receives 'sync:state'. */
  'sync:get': { args: none(), result: returns<SyncView>() },
  /** Settings → Backup: the backups in the data folder's backups/ (newest first), the schedule, a restore waiting for a restart. */
  'backup:list': { args: none(), result: returns<BackupsView>() },
  /** Makes a backup now (into backups/). */
  'backup:now': { args: none(), result: returns<BackupsView>() },
  /**
   * Restores a backup the user picks in main's own open dialog (never a path from the window): the file is checked
   * whole now, and the data replaced when Parley starts again ('backup:restart'). null: the dialog was cancelled.
   */
  'backup:restore': { args: none(), result: returns<BackupsView | null>() },
  /** Forgets the restore waiting for a restart. */
  'backup:cancelRestore': { args: none(), result: returns<BackupsView>() },
  /** Restarts Parley to finish a restore; false where the host cannot restart itself (the browser test host). */
  'backup:restart': { args: none(), result: returns<boolean>() },
  /**
   * Saves the Sync section: a typed secret goes to the OS keychain; a stored password that would now go to another
   * host needs main's own dialog (refused with `cancelled` without it).
   */
  'sync:save': { args: args([syncDraftSchema]), result: returns<SyncView>() },
  /** Syncs now (or waits for the running sync); the view after it. A failed sync is in the view's status, not an error. */
  'sync:run': { args: none(), result: returns<SyncView>() },
  /**
   * The quick window is done (Esc, or "Open as conversation"): main hides it; with `open`, main shows the app's
   * window and tells it to open that conversation ('quick:open'). False when the conversation does not exist.
   */
  'quick:done': { args: args([v.strictObject({ open: v.optional(v.pipe(v.string(), v.maxLength(64))) })]), result: returns<boolean>() },
  /** Checks the saved target as the doctor checks a provider (a small probe file is written, read back and removed). */
  'sync:test': { args: none(), result: returns<SyncCheckView>() },
  /** Updates: the settings, the state, and the feeds a check uses; the window then receives 'update:state'. */
  'update:get': { args: none(), result: returns<UpdateView>() },
  /** Checks the feeds now (in order); the state after it (a failure is in the state, not an error). */
  'update:check': { args: none(), result: returns<UpdateStatus>() },
  /** Downloads the offered update and verifies it (nothing is installed). */
  'update:download': { args: none(), result: returns<UpdateStatus>() },
  /** Backs up the data folder, then installs the verified update (the app quits and restarts). */
  'update:install': { args: none(), result: returns<UpdateStatus>() },
  /**
   * Tests every feed as the doctor does (`parley update --check`): its route, reaching it, its manifest, its offer,
   * and which feed updates would come from. Each request is a Network row (kind update); one test at a time.
   */
  'update:test': { args: none(), result: returns<UpdateDoctorReport>() },
  /**
   * Saves Settings → Updates. A feed the settings did not have is saved only after main's own dialog says yes: a
   * feed decides what is installed, and the window cannot say yes.
   */
  'update:save': { args: args([v.strictObject({
    autoCheck: v.boolean(),
    autoDownload: v.boolean(),
    channel: v.picklist(UPDATE_CHANNELS),
    feeds: v.pipe(v.array(v.pipe(v.string(), v.maxLength(MAX_URL_CHARS), v.check((u) => /^https?:\/\/[^\s/]+/i.test(u), 'an http(s):// URL'))), v.maxLength(MAX_UPDATE_FEEDS)),
  })]), result: returns<UpdateView>() },
} as const satisfies { readonly [C in Channel]: { args: v.GenericSchema; result: unknown } };

/**
 * The desktop habits as main applied them (src/main/shell): each global shortcut 'registered', 'taken' (another
 * app holds it: register refused), 'invalid' (Electron refused the text), 'off' (none set), or (the quick
 * window's) 'duplicate': the same keys as the show/hide shortcut, not registered twice.
 */
export interface ShortcutStatus {
  accelerator: string;
  state: 'registered' | 'taken' | 'invalid' | 'off' | 'duplicate';
}
export interface DesktopState {
  /** Shows and hides the app's window. */
  shortcut: ShortcutStatus;
  /** Opens and hides the quick window. */
  quickShortcut: ShortcutStatus;
}
/** What the tray (or another part of the OS shell) asks the window to do. */
export interface DesktopCommand {
  command: 'new-chat';
}

export interface EventContract {
  'doctor:step': DoctorStep;
  'chat:stream': ChatStreamEvent;
  /** A request of the network panel began, moved on or ended (to windows that listed the requests). */
  'requests:update': NetworkSummary;
  /** A route's state or the waiting questions changed (to windows that asked for the state). */
  'connectivity:state': NetState;
  /** How far the running import is (to the window that started it; about ten a second). */
  'conversations:importProgress': ImportProgress;
  /** The sync's state changed (to windows that asked for the sync view). */
  'sync:state': SyncStatus;
  /** The update's state changed (to windows that asked for the update view). */
  'update:state': UpdateStatus;
  /** Open this conversation (the quick window's answer, opened as a conversation): to the app's other windows. */
  'quick:open': { conversationId: string };
  /** The desktop habits' state (to every window, at start and when it changes). */
  'desktop:state': DesktopState;
  /** A command from the tray (to the window it shows). */
  'desktop:command': DesktopCommand;
}
// The event names (ipc-names.ts) are EventContract's keys, no more, no fewer.
EVENTS satisfies readonly (keyof EventContract)[];
true satisfies (keyof EventContract extends EventName ? true : false);
// Every channel of the contract is named in ipc-names.ts (the satisfies above checks the other way).
true satisfies (keyof typeof CONTRACT extends Channel ? true : false);

export type Contract = typeof CONTRACT;
/** Arguments as a handler receives them (validated, defaults filled). */
export type ArgsOf<C extends Channel> = v.InferOutput<Contract[C]['args']>;
/** Trailing elements that may be undefined may be left out, as a call's last optional parameters. */
type OptionalTail<T extends readonly unknown[]> = T extends readonly [...infer H, infer L] ? (undefined extends L ? [...OptionalTail<H>, L?] : T) : T;
/** Arguments as the window sends them. */
export type ArgsIn<C extends Channel> = OptionalTail<v.InferInput<Contract[C]['args']>>;
export type ResultOf<C extends Channel> = Contract[C]['result'];

/** The API the preload exposes as `window.parley`. */
export type ParleyApi = {
  [C in Channel as MethodName<C>]: (...args: ArgsIn<C>) => Promise<Result<ResultOf<C>>>;
} & {
  /** Subscribes to an event from main; returns the unsubscribe function. */
  on<E extends EventName>(event: E, listener: (payload: EventContract[E]) => void): () => void;
};

/** Validates a channel's arguments as they arrive from a renderer. */
export function parseArgs<C extends Channel>(channel: C, args: unknown): { ok: true; args: ArgsOf<C> } | { ok: false; issue: string } {
  const r = v.safeParse(CONTRACT[channel].args, args);
  if (r.success) return { ok: true, args: r.output as ArgsOf<C> };
  const first = r.issues[0];
  // issueText: what the value should be, never the value (the window's input is not echoed back).
  return { ok: false, issue: `${v.getDotPath(first) ?? 'arguments'}: ${first.type === 'check' ? first.message : issueText(first)}` };
}

export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(CONTRACT, value);
}
