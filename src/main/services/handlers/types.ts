/**
 * Handlers by feature: each module exports its channels' handlers given the app's context; the composition
 * root (../app.ts) only lists them, and a channel of the contract without a handler is a type error there.
 */
import type { Core, StreamMemory } from '../../core/index.ts';
import type { Env } from '../../core/config.ts';
import type { ArgsOf, Channel, ResultOf } from '../../../shared/ipc.ts';
import type { ChatService } from '../chat/service.ts';
import type { Logger } from '../diagnostics/logging.ts';
import type { LearningRedactor } from '../diagnostics/redact.ts';
import type { SettingsStore } from '../settings/store.ts';
import type { ChatStore } from '../storage/index.ts';
import type { Caller, WindowHub } from '../window-hub.ts';
import type { AppServicesOptions } from '../options.ts';
import type { RequestRecorder } from '../diagnostics/requests.ts';
import type { Connectivity } from '../connectivity/routes.ts';
import type { SecretGuard } from '../settings/consent.ts';
import type { McpHub, McpHubDeps } from '../mcp/hub.ts';
import type { AttachmentStore } from '../attachments/index.ts';
import type { SyncService } from '../sync/service.ts';
import type { UpdateService } from '../update/service.ts';

export type Handler<C extends Channel> = (caller: Caller, ...args: ArgsOf<C>) => Promise<ResultOf<C>> | ResultOf<C>;
export type Handlers<K extends Channel> = { [C in K]: Handler<C> };

export type { LearningRedactor } from '../diagnostics/redact.ts';

/** What handlers may use. */
export interface AppContext {
  opts: AppServicesOptions;
  env: Env;
  settings: SettingsStore;
  logger: Logger;
  redactor: LearningRedactor;
  /** Learns the secrets of (raw) settings: keys, proxy passwords, the values of the variables they name. */
  learnSettings(settings: unknown): void;
  /** The one long-lived network core (pools reused across requests). */
  core: Core;
  /** The core's memory of routes on which streaming broke (the Diagnostics panel can forget them). */
  streamMemory: StreamMemory;
  hub: WindowHub;
  store: ChatStore;
  chat: ChatService;
  /** Each request's timeline (the log and the network panel). */
  requests: RequestRecorder;
  /** Routes' states and the queued questions (offline). */
  connectivity: Connectivity;
  /** Why the data folder could not be used at start (the store then lives in a session folder). */
  storageError?: import('../../../shared/errors.ts').ErrorInfo;
  /** The login shell's environment (read once, lazily), or undefined where not applicable or unreadable. */
  loginShellEnv(): Promise<Env | undefined>;
  /** The user's consent before a secret goes to a proxy or origin the window chose (consent.ts). */
  guard: SecretGuard;
  /** The core for images a model names: it connects to public addresses only (public-address.ts). */
  imageCore: Core;
  /** The MCP servers (started on first use) and what they are started with (the doctor connects the same way). */
  mcp: McpHub;
  mcpDeps: McpHubDeps;
  /** Attached files, content-addressed in the data folder (services/attachments). */
  attachments: AttachmentStore;
  /** Sync through WebDAV or S3 (issue 21), and the windows that receive its state. */
  sync: SyncService;
  syncWatchers: Set<string>;
  /** Updates of the app (issue 22), and the windows that receive their state. */
  updates: UpdateService;
  updateWatchers: Set<string>;
}
