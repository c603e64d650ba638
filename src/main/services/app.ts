/**
 * The composition root of the app's services, in plain Node: settings, providers, the chat and its storage,
 * the doctor, the support bundle and logging. The Electron shell (src/main/index.ts) and the browser test
 * host (e2e/web-host.ts) route every channel through `invoke(caller, channel, args)`, which validates the
 * arguments against the contract and turns failures into redacted `{ ok: false, error }` values; only the
 * OS pieces (dialogs, file manager, OS browser, system proxy, login shell) are passed in.
 */
import { createMcpHub, type McpHubDeps } from './mcp/hub.ts';
import { mcpHandlers } from './handlers/mcp.ts';
import { syncHandlers } from './handlers/sync.ts';
import { backupHandlers, type BackupState } from './handlers/backup.ts';
import { createSyncService } from './sync/service.ts';
import { createUpdateService } from './update/service.ts';
import { updateHandlers } from './handlers/update.ts';
import { quickHandlers } from './handlers/quick.ts';
import { backupNow } from './backup/write.ts';
import type { ToolDeps } from './chat/tool-loop.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore } from '../core/index.ts';
import { fileStreamMemory } from './connectivity/stream-memory-file.ts';
import { fileBodyLimits } from './chat/body-limits.ts';
import { ParleyError } from '../core/errors.ts';
import type { Env } from '../core/config.ts';
import type { ErrorInfo } from '../../shared/errors.ts';
import type { StoredSettings } from '../../shared/settings.ts';
import { isChannel, parseArgs, type Channel, type EventName, type Result, type ResultOf } from '../../shared/ipc.ts';
import { createChatService } from './chat/service.ts';
import { createConnectivity } from './connectivity/routes.ts';
import { createRequestRecorder } from './diagnostics/requests.ts';
import { createLogger, type Logger } from './diagnostics/logging.ts';
import { ensurePrivateDir, osReason } from './safe-write.ts';
import { createLearningRedactor, isSecretKey, settingsSecrets, TOO_DEEP } from './diagnostics/redact.ts';
import { createSettingsStore, type SettingsStore } from './settings/store.ts';
import { createSecretVault } from './settings/secrets.ts';
import { chatSettings, connectionFor } from './settings/providers.ts';
import { openChatStore, type ChatStore } from './storage/index.ts';
import { backupBeforeMigration, startBackupSchedule } from './backup/auto.ts';
import { finishPendingRestore } from './backup/restore.ts';
import { createWindowHub, type Caller, type Send, type WindowHub } from './window-hub.ts';
import { appHandlers } from './handlers/app.ts';
import { bootHandlers } from './handlers/boot.ts';
import { chatHandlers } from './handlers/chat.ts';
import { conversationHandlers } from './handlers/conversations.ts';
import { diagnosticsHandlers } from './handlers/diagnostics.ts';
import { doctorHandlers } from './handlers/doctor.ts';
import { providerHandlers } from './handlers/providers.ts';
import { requestHandlers } from './handlers/requests.ts';
import { attachmentHandlers } from './handlers/attachments.ts';
import { usageHandlers } from './handlers/usage.ts';
import { connectivityHandlers } from './handlers/connectivity.ts';
import { settingsHandlers } from './handlers/settings.ts';
import type { AppContext, Handlers } from './handlers/types.ts';
import { varFitsField } from './settings/secure-input.ts';
import { createSecretGuard } from './settings/consent.ts';
import { publicOnlyLookup } from './chat/public-address.ts';
import type { AppServicesOptions } from './options.ts';
import { attachmentsDirOf, createAttachmentStore } from './attachments/index.ts';

export type { AppServicesOptions } from './options.ts';

/** Fields holding what a model or the user wrote: only configured secrets are replaced there. */
const CONTENT_KEYS = new Set(['text', 'reasoning', 'base', 'snippet', 'draft', 'title', 'conversationTitle', 'systemPrompt', 'name']);

export interface AppServices {
  /** A window (Electron webContents or a browser-host page) that receives events once it is ready. */
  attachWindow(windowId: string, send: Send): void;
  /** The window started loading a page again (reload): its events wait until it is ready. */
  reloadWindow(windowId: string): void;
  detachWindow(windowId: string): void;
  invoke<C extends Channel>(caller: Caller, channel: C, args: unknown[]): Promise<Result<ResultOf<C>>>;
  readonly logger: Logger;
  readonly settings: SettingsStore;
  readonly store: ChatStore;
  readonly hub: WindowHub;
  /** Settles once the keychain is open (and plain keys moved into it); every invoke waits for it. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * The app's environment: the process's own, and for key and URL variables (`OPENAI_API_KEY`, `…_BASE_URL`)
 * that a desktop launch lacks, the login shell's. Proxy variables stay the process's own: the doctor
 * reports the difference (env_not_inherited) rather than hiding it.
 */
function appEnv(env: Env, shell: () => Env | undefined): Env {
  return new Proxy(env, {
    get(target, name) {
      if (typeof name !== 'string') return undefined;
      const own = target[name];
      if (own !== undefined) return own;
      if (!varFitsField(name, 'key') && !/(_BASE_URL|_HOST)$/.test(name)) return undefined;
      return shell()?.[name];
    },
  });
}

/** An OS error from the file system (EROFS, ENOSPC, EACCES…), as opposed to a bug or the network. */
function isFsError(e: unknown): e is NodeJS.ErrnoException {
  const err = e as NodeJS.ErrnoException | undefined;
  return typeof err?.code === 'string' && /^E[A-Z]+$/.test(err.code) && (typeof err.syscall === 'string' || typeof err.path === 'string');
}

export function createAppServices(opts: AppServicesOptions): AppServices {
  // A data folder that cannot be created is reported once the store fails to open in it (below).
  let dirError: unknown;
  try {
    ensurePrivateDir(opts.dataDir);
  } catch (e) {
    dirError = e;
  }
  let shellEnv: Env | undefined;
  let shellRead: Promise<Env | undefined> | undefined;
  const env = appEnv(opts.env, () => shellEnv);
  const vault = opts.cipher ? createSecretVault(opts.dataDir, opts.cipher) : undefined;
  const settings = createSettingsStore(opts.dataDir, env, vault);
  const redactor = createLearningRedactor();
  // The settings themselves (with their providers) are the configured secrets, always redacted; a connection
  // built from a draft or a request teaches its secrets for a while (redact.ts, MAX_LEARNED).
  const learnSettings = (s: unknown): void => redactor.learn(settingsSecrets(s, env), { configured: Array.isArray((s as { providers?: unknown } | null)?.providers) });
  let initial: StoredSettings | undefined;
  try {
    initial = settings.get();
  } catch { /* a broken file is reported when the renderer asks for the settings */ }
  learnSettings(initial ?? {});
  const logger = createLogger({
    dir: opts.logDir,
    redactor,
    logContent: initial?.logging.logContent ?? false,
    ...opts.logLimits,
  });
  const ipcLog = logger.scope('ipc');
  // The keychain opens asynchronously: keys are decrypted, plain ones moved there; a failure never stops the app.
  const ready = settings.openKeychain().then(
    ({ moved }) => {
      logger.scope('storage').info('keychain opened', { keychain: settings.keychain(), moved });
      try {
        learnSettings(settings.get());
      } catch { /* a broken file is reported when the window asks for the settings */ }
    },
    (e: unknown) => logger.scope('storage').error('keychain not opened', { keychain: settings.keychain(), reason: ParleyError.is(e) ? e.message : e instanceof Error ? e.message : String(e) }),
  );
  // A data folder that cannot be opened (read-only, full, a newer version's database) never stops the app: it
  // opens on a store in a temporary folder for this session, and the window says so and why.
  let store: ChatStore;
  let storageError: ErrorInfo | undefined;
  // Attachments live beside the conversations (in the session folder too, when the data folder cannot be used).
  let storeDir = opts.dataDir;
  // A restore the window staged (Settings → Backup) is made now, before the database is opened: the current data is
  // kept as a backup first; a failure leaves it as it was, and the window is told either way.
  const backupState: BackupState = {};
  const finished = finishPendingRestore(opts.dataDir);
  if (finished && 'error' in finished) {
    logger.scope('storage').error('restore not made', { reason: finished.error.message });
    backupState.finished = { ok: false, error: finished.error.toInfo() };
  } else if (finished) {
    logger.scope('storage').info('restored', { name: finished.restored.name, previous: finished.previous?.file });
    backupState.finished = { ok: true, name: finished.restored.name };
  }
  try {
    // An existing database with migrations pending is backed up first (backups/, the automatic ones bounded).
    store = openChatStore({
      dataDir: opts.dataDir,
      beforeMigration: (info) => {
        const r = backupBeforeMigration(opts.dataDir, info);
        logger.scope('storage').info('backed up before a migration', { from: info.from, to: info.to, file: r.file, bytes: r.bytes });
      },
    });
  } catch (e) {
    const reason = dirError !== undefined ? osReason(dirError) : ParleyError.is(e) ? e.message : isFsError(e) ? osReason(e) : String(e);
    const session = mkdtempSync(join(tmpdir(), 'parley-session-'));
    storageError = new ParleyError('storage_failed', `Parley could not open its conversations in ${opts.dataDir} (${reason}). Conversations of this session are kept in ${session} until you quit.`, {
      hint: 'Free some disk space or make the data folder writable, then restart Parley. Export a conversation you want to keep.',
    }).toInfo();
    logger.scope('storage').error('data folder not usable: using a session folder', { dataDir: opts.dataDir, session, reason });
    store = openChatStore({ dataDir: session });
    storeDir = session;
  }
  const attachments = createAttachmentStore({ dir: attachmentsDirOf(storeDir), logger });
  // The conversations' files: a file goes with the last message that uses it, staged ones never sent are swept,
  // the JSON export and the import carry them.
  store.setFiles(attachments);
  const recovered = store.recoveredAtOpen;
  if (recovered) logger.scope('storage').warn('answers cut by the last exit are marked interrupted', { count: recovered });
  // Whatever main sends a window passes through the same redactor as the logs: in full, except the words a
  // model or the user wrote (a key-shaped example in an answer stays), where only configured secrets go.
  const redactPayload = (v: unknown, depth = 0): unknown => {
    if (v === null || typeof v !== 'object') return typeof v === 'string' ? redactor.redactText(v) : v;
    if (depth > 64) return TOO_DEEP; // dropped, never passed on unredacted
    if (Array.isArray(v)) return v.map((x) => redactPayload(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (typeof x === 'string' && CONTENT_KEYS.has(k)) out[k] = redactor.redactSecrets(x);
      else if (isSecretKey(k)) out[k] = (redactor.redactValue({ [k]: x }) as Record<string, unknown>)[k];
      else out[k] = redactPayload(x, depth + 1);
    }
    return out;
  };
  const hub = createWindowHub((_event: EventName, payload: unknown) => redactPayload(payload));
  // Broken-stream routes are remembered in the data folder (shared with `parley chat`), and can be forgotten from the window.
  const streamMemory = fileStreamMemory(opts.dataDir);
  const core = createCore({ env, streamMemory, ...(opts.systemProxyResolver ? { systemProxyResolver: opts.systemProxyResolver } : {}), ...(opts.lookup ? { lookup: opts.lookup } : {}) });
  // Images a model names load only from public addresses: a core of their own whose lookup refuses the others.
  const imageCore = createCore({ env, lookup: publicOnlyLookup(opts.lookup), ...(opts.systemProxyResolver ? { systemProxyResolver: opts.systemProxyResolver } : {}) });
  const redactError = (e: ErrorInfo): ErrorInfo => redactor.redactValue(e) as ErrorInfo;
  // Every request's timeline, written to the log and kept (bounded, redacted) for the network panel.
  const requests = createRequestRecorder({ logger, redactor });
  // MCP servers: started on first use with the login shell's PATH and their route; stopped when disabled and at quit.
  const mcpDeps: McpHubDeps = {
    servers: () => settings.get().mcpServers,
    network: () => settings.get().network,
    env: async () => ({ env, pathFrom: (await loginShellEnv()) ? 'login shell' : 'app' }),
    core,
    dir: join(opts.dataDir, 'mcp'),
    logger,
    learnSecrets: (secrets) => redactor.learn(secrets),
    // Requests to HTTP servers are rows of the Network panel (kind mcp), as chats are.
    recorder: requests,
  };
  const mcp = createMcpHub(mcpDeps);
  const tools: ToolDeps = {
    mcp,
    servers: () => settings.get().mcpServers,
    // Main's own prompt; without one (no dialog), every call is denied: the window never approves a tool.
    approve: async (req, signal) => (opts.confirmToolCall ? opts.confirmToolCall(req, signal) : 'deny'),
    allow: async (serverId, tool) => {
      settings.updateMcpServers((servers) => servers.map((s) => (s.id === serverId && !s.allowed.includes(tool) ? { ...s, allowed: [...s.allowed, tool] } : s)));
    },
  };
  const chat = createChatService({
    store, settings: chatSettings(settings), core, hub, logger, requests, learnSecrets: learnSettings, redactError, ...opts.chatTimers,
    tools,
    // Routes that refused large request bodies, and the limit that then worked (the data folder, as broken streams).
    bodyLimits: fileBodyLimits(opts.dataDir),
    // A question's files: their text and bytes, as requests carry them; their refs (each must be stored) when one is sent.
    attachments,
    attachmentRefs: attachments,
  });
  // Connectivity: chats that end feed the routes' states; queued questions are sent through the chat.
  const connectivity = createConnectivity({
    dataDir: opts.dataDir,
    logger,
    hub,
    providers: () => settings.get().providers.map((p) => ({ id: p.id, name: p.name })),
    // The model list along the provider's own route, without its key and without retries: any HTTP answer counts.
    probe: async (providerId, signal) => {
      const s = settings.get();
      const raw = connectionFor(s, settings.providerFor(providerId), undefined);
      const { apiKey: _key, ...provider } = raw.provider;
      // Recorded like any request (the log and the network panel), as a model list without a key.
      const rec = requests.begin({ kind: 'models', url: provider.baseUrl, method: 'GET', message: 'route probe', data: { provider: settings.providerFor(providerId).name, probe: true } });
      try {
        await core.listModels({ ...raw, provider, network: { ...raw.network, retries: 0 } }, { signal, sink: rec.sink });
      } catch (e) {
        rec.failed(ParleyError.is(e) ? e.code : 'protocol_error', 'route probe: no model list', { message: e instanceof Error ? e.message : String(e) });
        throw e;
      }
      rec.done('route probe answered', {});
    },
    providerOf: (conversationId) => {
      const c = store.getConversation(conversationId);
      if (!c) return undefined;
      return c.providerId ?? settings.get().defaults.providerId ?? null;
    },
    send: (item, windows) => {
      const out = chat.send({ windowId: windows[0] ?? 'queue' }, { conversationId: item.conversationId, text: item.text }, { windows, keepDraft: true });
      const answerId = out.tail[out.tail.length - 1]?.id;
      return chat.settled(out.requestId).then(() => {
        const m = answerId ? store.getMessage(answerId) : undefined;
        return m && m.status !== 'complete' ? m.error : undefined;
      });
    },
    ...(opts.probeBackoff?.minMs !== undefined ? { probeMinMs: opts.probeBackoff.minMs } : {}),
    ...(opts.probeBackoff?.maxMs !== undefined ? { probeMaxMs: opts.probeBackoff.maxMs } : {}),
    ...(opts.probeBackoff?.idleMaxMs !== undefined ? { probeIdleMaxMs: opts.probeBackoff.idleMaxMs } : {}),
  });
  chat.onEnded(({ providerId, error }) => connectivity.chatEnded(providerId, error));
  const loginShellEnv = async (): Promise<Env | undefined> => {
    if (!opts.loginShellEnv) return undefined;
    shellRead ??= opts.loginShellEnv().then((r) => {
      if (r.ok) {
        shellEnv = r.env;
        return r.env;
      }
      logger.scope('doctor').warn('login shell environment not read', { shell: r.shell, reason: r.reason, ms: r.ms });
      return undefined;
    });
    return shellRead;
  };
  // Read early: keys that only the login shell sets are then there for the first request.
  if (opts.loginShellEnv) void loginShellEnv();

  const guard = createSecretGuard({ dataDir: opts.dataDir, env, logger, ...(opts.confirmSecretUse ? { confirm: opts.confirmSecretUse } : {}) });
  // Sync (issue 21): its state goes to the windows that showed the Sync section or the sidebar's status.
  const syncWatchers = new Set<string>();
  const sync = createSyncService({
    settings, core, store, attachments, dataDir: storeDir, env, logger, recorder: requests,
    publish: (status) => {
      for (const id of syncWatchers) if (hub.has(id)) hub.emit(id, 'sync:state', status);
    },
    ...(opts.confirmSyncSecretMove ? { confirmSecretMove: opts.confirmSyncSecretMove } : {}),
    ...(opts.syncFirstDelayMs !== undefined ? { firstDelayMs: opts.syncFirstDelayMs } : {}),
  });
  // Updates (issue 22): checked through the network settings' route; installed only on the user's click, after a backup.
  const updateWatchers = new Set<string>();
  const updates = createUpdateService({
    settings, core, recorder: requests, dir: join(opts.dataDir, 'updates'), version: opts.versions.version, logger,
    platform: opts.updatePlatform ?? { os: process.platform, arch: process.arch },
    publish: (status) => {
      for (const id of updateWatchers) if (hub.has(id)) hub.emit(id, 'update:state', status);
    },
    backup: () => backupNow(opts.dataDir, { reason: 'before-update' }),
    ...(opts.installUpdate ? { install: opts.installUpdate } : {}),
    ...(opts.updateFirstDelayMs !== undefined ? { firstDelayMs: opts.updateFirstDelayMs } : {}),
    autoCheck: opts.updateAutoCheck ?? false,
  });
  const ctx: AppContext = { opts, env, settings, logger, redactor, learnSettings, core, streamMemory, hub, store, chat, requests, connectivity, loginShellEnv, storageError, guard, imageCore, attachments, mcp, mcpDeps, sync, syncWatchers, updates, updateWatchers };
  // Scheduled backups (Settings → Backup), checked hourly while the app runs; none for a session folder.
  const backupSchedule = startBackupSchedule({
    dataDir: opts.dataDir,
    schedule: () => (storeDir === opts.dataDir ? settings.get().backup.schedule : 'off'),
    onBackup: (r) => logger.scope('storage').info('scheduled backup', { file: r.file, bytes: r.bytes }),
    onError: (e) => logger.scope('storage').warn('scheduled backup failed', { reason: e instanceof Error ? e.message : String(e) }),
  });
  // The first check 10 minutes after the start (a start is busy enough), then hourly.
  const firstBackupCheck = setTimeout(() => void backupSchedule.tick(), 10 * 60_000);
  firstBackupCheck.unref?.();
  const handlers: Handlers<Channel> = {
    ...appHandlers(ctx),
    ...bootHandlers(ctx),
    ...settingsHandlers(ctx),
    ...providerHandlers(ctx),
    ...doctorHandlers(ctx),
    ...diagnosticsHandlers(ctx),
    ...conversationHandlers(ctx),
    ...chatHandlers(ctx),
    ...requestHandlers(ctx),
    ...connectivityHandlers(ctx),
    ...usageHandlers(ctx),
    ...attachmentHandlers(ctx),
    ...mcpHandlers(ctx),
    ...syncHandlers(ctx),
    ...updateHandlers(ctx),
    ...quickHandlers(ctx),
    ...backupHandlers(ctx, backupState),
  };

  const fail = (e: unknown): ErrorInfo => {
    const err = ParleyError.is(e) ? e : (e as { code?: unknown })?.code === 'ERR_SQLITE_ERROR' || /SQLITE|database/i.test(String((e as Error)?.message))
      ? new ParleyError('storage_failed', `Parley could not use its database: ${(e as Error).message}`, {})
      : isFsError(e)
        ? new ParleyError('storage_failed', `Parley could not ${e.syscall ? `${e.syscall}` : 'use'} ${e.path ?? 'a file'} (${osReason(e)}).`, {}, { cause: e })
        // Anything else is a bug of Parley's, not the network: said as such (the log has the stack).
        : new ParleyError('protocol_error', `Parley failed unexpectedly: ${e instanceof Error ? e.message : String(e)}`, { hint: 'Export diagnostics and report this; the log has the details.' }, { cause: e });
    return redactError(err.toInfo());
  };

  return {
    logger,
    settings,
    store,
    hub,
    ready,
    attachWindow: (id, send) => hub.register(id, send),
    reloadWindow: (id) => hub.unready(id),
    detachWindow: (id) => hub.remove(id),
    async invoke(caller, channel, args) {
      await ready;
      if (!isChannel(channel)) {
        return { ok: false, error: new ParleyError('config_invalid', `Unknown channel ${String(channel).slice(0, 64)}.`, { hop: 'config', phase: 'config' }).toInfo() };
      }
      const parsed = parseArgs(channel, args);
      if (!parsed.ok) {
        ipcLog.warn('invalid arguments', { channel, issue: parsed.issue });
        return { ok: false, error: new ParleyError('config_invalid', `Invalid arguments for ${channel}: ${parsed.issue}.`, { hop: 'config', phase: 'config' }).toInfo() };
      }
      try {
        const fn = handlers[channel] as (caller: Caller, ...a: unknown[]) => unknown;
        const value = redactPayload(await fn(caller, ...(parsed.args as unknown[]))) as ResultOf<typeof channel>;
        return { ok: true, value };
      } catch (e) {
        const error = fail(e);
        ipcLog.error(`${channel} failed`, error);
        return { ok: false, error };
      }
    },
    async close() {
      clearTimeout(firstBackupCheck);
      backupSchedule.stop();
      sync.close();
      updates.close();
      connectivity.close();
      await chat.close();
      // No MCP server outlives the app.
      await mcp.close();
      requests.close();
      await core.close();
      await imageCore.close();
      await attachments.close();
      await store.close();
    },
  };
}
