/**
 * What the app services are given: folders, the environment, and the OS pieces (dialogs, file manager, OS browser,
 * system proxy, login shell, keychain) that the Electron shell and the browser test host each provide. Apart from
 * app.ts so that the handlers can read it without importing the composition root that imports them.
 */
import type { ToolApproval, ToolDecision } from './chat/tool-loop.ts';
import type { LookupFunction } from 'node:net';
import type { Env } from '../core/config.ts';
import type { SystemProxyResolver } from '../core/route/types.ts';
import type { AppInfo } from '../../shared/ipc.ts';
import type { SecretCipher } from './settings/secrets.ts';
import type { ShellEnvResult } from './settings/shell-env.ts';
import type { ConfirmSecretUse } from './settings/consent.ts';
import type { McpSaveQuestion } from '../../shared/mcp.ts';

export interface AppServicesOptions {
  dataDir: string;
  logDir: string;
  env: Env;
  host: AppInfo['host'];
  versions: { name: string; version: string; electron: string };
  /** Where to write the support bundle: a save dialog in the app; null = cancelled. */
  chooseExportPath(defaultName: string): Promise<string | null>;
  /** Where to save an exported conversation (default: chooseExportPath). */
  chooseSavePath?(defaultName: string, format: 'markdown' | 'json'): Promise<string | null>;
  /** Which file to import (an open dialog); null = cancelled. */
  chooseOpenPath?(): Promise<string | null>;
  /** A backup file to restore (an open dialog for .zip); null = cancelled. Absent: the window cannot restore. */
  chooseBackupFile?(): Promise<string | null>;
  /** Restarts the app (to finish a restore). Absent: the host cannot (the browser test host). */
  relaunch?(): void;
  /** A CA certificate file to trust (an open dialog); null = cancelled. Absent: the window cannot add one. */
  chooseCaFile?(): Promise<string | null>;
  /** Shows a folder in the OS file manager (the app); absent in the browser host. */
  openFolder?(path: string): Promise<void>;
  /**
   * Files to attach (an open dialog, several at once); null = cancelled. Only paths this returns are ever read as
   * attachments (never a path from the window). Absent: the window cannot pick files (paste and drop still work).
   */
  chooseAttachments?(): Promise<string[] | null>;
  /** Opens a file with the OS's app for its type (an attachment's copy under its own name). */
  openPath?(path: string): Promise<void>;
  /** Shows a file, selected, in the OS file manager. */
  showItemInFolder?(path: string): Promise<void>;
  /** Opens a checked http(s)/mailto URL in the OS browser after the user saw it; false when declined. */
  openExternal?(url: string): Promise<boolean>;
  /** The login shell's environment (read once, lazily); absent where not applicable. */
  loginShellEnv?: () => Promise<ShellEnvResult>;
  systemProxyResolver?: SystemProxyResolver;
  /** Whether an Ollama answers at this base URL (first-run detection). */
  probeOllama?(baseUrl: string): Promise<boolean>;
  /** Name resolution (tests inject one: this machine's resolver is not on loopback). */
  lookup?: LookupFunction;
  /** Log rotation caps (tests use small ones). */
  logLimits?: { maxSizeBytes?: number; maxFiles?: number; maxTotalBytes?: number };
  /** Chat timers (tests may shorten them). */
  chatTimers?: { flushMs?: number; saveMs?: number };
  /** The backoff of the probes of a route that stopped answering (tests may shorten it; default 1 s → 30 s). */
  probeBackoff?: { minMs?: number; maxMs?: number; idleMaxMs?: number };
  /**
   * The OS keychain (Electron's safeStorage in the app, a fake in tests): keys and proxy passwords are kept
   * encrypted in secrets.json. Absent: they stay in settings.json as before.
   */
  cipher?: SecretCipher;
  /**
   * Asks the user (a native dialog in the app) before a stored key would travel in clear text through a proxy
   * the window chose, or a `${VAR}` from the window would be sent to an origin (consent.ts). Resolves true to
   * allow; a yes is remembered in the data folder. Absent: always refused.
   */
  confirmSecretUse?: ConfirmSecretUse;
  /**
   * Asks the user (a native dialog in the app, main's own) before a tool of an MCP server runs: allow once, always
   * for the tool or its server, or deny. Absent: every tool call is denied (the window can never approve one).
   */
  confirmToolCall?(req: ToolApproval, signal: AbortSignal): Promise<ToolDecision>;
  /**
   * Asks the user (main's own dialog) before servers from the window's pasted JSON are saved: each runs a program
   * or reaches a URL. Resolves true to save them. Absent: refused.
   */
  confirmMcpImport?(servers: { name: string; runs: string }[]): Promise<boolean>;
  /**
   * Asks the user (main's own dialog) before a server from the window's editor is saved with a new or changed
   * program, arguments, folder or variables, or a URL that would get its headers. Resolves true to save. Absent: refused.
   */
  confirmMcpSave?(question: McpSaveQuestion): Promise<boolean>;
  /**
   * Main's own dialog before the stored sync password (or S3 secret key) is sent to another host than the one it
   * was kept for (the window changed the URL without typing it again). Resolves true to allow. Absent: refused.
   */
  confirmSyncSecretMove?(question: import('../../shared/sync.ts').SyncSecretQuestion): Promise<boolean>;
  /** Timing of the automatic syncs (tests): the first after start. */
  syncFirstDelayMs?: number;
  /**
   * Main's own dialog before feeds the window added to Settings → Updates are saved (a feed decides what is
   * installed). Resolves true to allow. Absent: refused.
   */
  confirmUpdateFeeds?(feeds: string[]): Promise<boolean>;
  /** The shell's installer of a verified update (quits and installs). Absent: this host cannot install. */
  installUpdate?(job: import('./update/service.ts').InstallJob): Promise<void>;
  /** The OS and CPU the updater asks a release for (default: this process's). */
  updatePlatform?: import('./update/feed.ts').Platform;
  /** Shows and focuses the app's main window (the quick window's "Open as conversation"). Absent: nothing to show. */
  showMainWindow?(): void;
  /** Hides the quick window (its Esc, or once its answer is opened as a conversation). */
  hideQuickWindow?(windowId: string): void;
  /** The first automatic update check after start (tests). */
  updateFirstDelayMs?: number;
  /**
   * Whether this host checks for updates by itself when the settings allow it (the packaged app: true). Off by
   * default, so test hosts and the browser target never reach a real feed.
   */
  updateAutoCheck?: boolean;
}
