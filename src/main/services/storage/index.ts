/**
 * The chat storage: conversations and their message trees in `<dataDir>/parley.db` (node:sqlite, WAL,
 * busy_timeout, foreign keys, secure_delete; numbered migrations in migrations.ts). Plain Node, no Electron.
 *
 *   const store = openChatStore({ dataDir });          // refuses a newer schema or a foreign file untouched
 *
 * Conversations
 *   createConversation(init)          → Conversation (random UUID; title cut to 500 characters)
 *   getConversation(id)               → Conversation | undefined
 *   listConversations({ limit? })     → Conversation[]: pinned first, then updatedAt, newest first
 *   updateConversation(id, patch)     → Conversation (draft ≤ 1 MB; no change bumps updatedAt: the list
 *                                       follows activity, a new message, not renames or settings)
 *   deleteConversation(id)            → boolean: the conversation, its messages and their index entries
 * Messages (a tree: siblings under one parent are versions; the conversation shows root → currentLeafId)
 *   addMessage(init)                  → Message: under init.parentId (omitted: the current leaf; null: a
 *                                       root); becomes the current leaf; bumps the conversation's updatedAt
 *   updateMessage(id, patch)          → Message: writes only that row (streaming: text/reasoning about once a
 *                                       second); the message is indexed for search when it leaves 'streaming'
 *   getMessage(id)                    → Message | undefined
 *   deleteMessage(id)                 → Conversation: the message and its descendants; if the current leaf
 *                                       was among them: the newest remaining sibling's newest leaf, or the parent
 *   path(conversationId, { leafId?, limit? }) → ConversationPage (the last `limit` messages of the path with
 *                                       version/versions/siblingIds; `before` = messages above them)
 *   pathMessages(conversationId, leafId?, { limit? }) → Message[]: the path root → leaf, or its last
 *                                       `limit` messages (for a request; a whole 10,000-message path takes
 *                                       ~100 ms, mostly decoding its text)
 *   switchVersion(conversationId, messageId, { limit? }) → ConversationPage: shows the newest leaf under messageId
 *   recoverInterrupted()              → number: 'streaming' → 'interrupted' (text kept), indexed; run at open
 *                                       (its count there is `recoveredAtOpen`). Assumes one app instance per
 *                                       data folder: a second one opening would also cut the first's streams.
 * Search (a worker thread with its own read-only connection; 2 s bound per query)
 *   search(query, { limit?, supersede? }) → Promise<SearchHit[]>: titles and messages holding every word of the
 *                                       query as a literal substring, case-insensitive (words of 3+ characters:
 *                                       FTS5 trigram; shorter: the short-word index, grams.ts, then LIKE, case
 *                                       folded for ASCII only); the newest
 *                                       messages (by their creation) and titles (by updatedAt), merged by
 *                                       updatedAt, newest first; versions of a message are one hit; snippets are
 *                                       plain text; limit default 50, max 200. Streaming messages are not found.
 *                                       supersede: a key; a waiting search of the same key is dropped (SUPERSEDED)
 *   warmSearch()                      starts the worker ahead of the first search
 * Export / import
 *   exportMarkdown(id, language?) → string (headings in 'en' or 'zh');  exportJson(id) → ParleyExport
 *   importJson(text | bytes)          → Conversation[] imported: Parley JSON (new ids) or ChatGPT's
 *                                       conversations.json (user/assistant text kept, tree and current path
 *                                       kept); bounded (200 MB, 10,000 conversations, 100,000 messages each);
 *                                       one transaction: all or nothing. In process: for small inputs and tests
 *   importFile(path, { onProgress?, signal? }) → Promise<ImportResult>: the same from a file, in a worker thread
 *                                       (the app's way: the event loop stays free), read and parsed one
 *                                       conversation at a time, written in short transactions that give way to
 *                                       the app's writes; still all or nothing (a cancel or failure removes what
 *                                       was written); one import at a time (import-file.ts, importer.ts).
 *                                       A ChatGPT list's messages are stored without their search-index entries;
 *                                       once it resolves, the worker writes them (index-catch-up.ts), and search
 *                                       reads the messages not indexed yet directly until then (found, slower)
 *   catchUpIndex()                    → Promise: the index caught up (or stopped); also started by itself
 *                                       `indexAfterMs` after the store opens if an earlier run left messages
 * Usage (summed from each answer's usage JSON, usage.ts)
 *   conversationUsage(id)             → UsageTotals: tokens and cost (per currency) of every answer in it
 *   usageByDay({ fromMs, toMs, tzOffsetMinutes }) → UsageRow[]: per day, provider and model, newest first
 * Diagnostics
 *   stats() → StoreStats;  file (the path of parley.db);  close() → Promise (the worker has stopped)
 *
 * Every failure is a ParleyError: 'not_found' for an unknown id; 'limit_exceeded' for a bound (the message
 * names it); 'storage_failed' when the disk is full, the file locked, read-only, damaged, foreign or of a
 * newer schema; 'config_invalid' for a malformed argument (a bug of the caller); 'protocol_error' for an
 * unreadable import; 'request_timeout' for a search past its bound; 'cancelled' after close().
 */
import { statSync } from 'node:fs';
import { ParleyError } from '../../core/errors.ts';
import type { Conversation, ConversationPage, Message, SearchHit } from '../../../shared/chat.ts';
import { BUSY_TIMEOUT_MS, openDb, storageError, type Db, type MigrationInfo } from './db.ts';
import { LIMITS, invalid } from './limits.ts';
import { userVersion } from './migrations.ts';
import {
  appendMessage, conversationRow, insertConversation, messageRow, patchConversation, patchMessage, recoverStreaming, removeConversation,
  toConversation, toMessage, type ConversationInit, type ConversationPatch, type ConversationRow, type MessageInit, type MessagePatch,
} from './records.ts';
import { unreferenced, UNREFERENCED_KEEP_MS, withAttachmentRows, type AttachmentFiles } from './attachments.ts';
import { createImporter, workerUrlBeside, type ImportRunOptions, type StoredDuringImport } from './importer.ts';
import { unindexedCount } from './records.ts';
import { createSearchClient, defaultWorkerUrl } from './search.ts';
import { importDocument, toMarkdown, toParleyJson, type ExportLanguage, type ImportResult, type ParleyExport } from './transfer.ts';
import { readPage, readPathMessages, removeMessage, switchTo, type PathOptions } from './tree.ts';
import type { UsageRow, UsageTotals } from '../../../shared/usage.ts';
import { conversationUsage, usageByDay } from './usage.ts';

export type { AttachmentFiles, ConversationInit, ConversationPatch, MessageInit, MessagePatch, PathOptions, ExportLanguage, ImportResult, ImportRunOptions, ParleyExport };
export { LIMITS } from './limits.ts';
export { SCHEMA_VERSION } from './migrations.ts';

export interface ChatStoreOptions {
  /** The folder of parley.db (created if missing). */
  dataDir: string;
  /** The search worker script; default: search-worker(.ts|.js) beside this module or one folder up. */
  workerUrl?: URL | string;
  /** Time bound of one search, ms (default 2000). */
  searchTimeoutMs?: number;
  /** How long a write waits for another connection's lock before failing, ms (default 5000). */
  busyTimeoutMs?: number;
  /** The import worker script; default: import-worker(.ts|.js) beside this module or one folder up. */
  importWorkerUrl?: URL | string;
  /** The longest write transaction of an import, ms (default 100). */
  importBatchMs?: number;
  /**
   * The attachment files on disk (services/attachments). With it: a file goes when the last message using it is
   * deleted; files staged and never sent are swept; the JSON export embeds files and an import stores them.
   */
  files?: AttachmentFiles;
  /** First sweep of unused files after this many ms, then every `sweepEveryMs` (defaults 60 s and 6 h; 0: never by itself). */
  sweepAfterMs?: number;
  sweepEveryMs?: number;
  /** Runs before an existing parley.db is migrated to this code's schema (the app backs it up: services/backup). */
  beforeMigration?: (info: MigrationInfo) => void;
  /**
   * The search index catches up on imported messages by itself: right after an import (in its worker), and this many
   * ms after the store opens when an earlier run quit before it was done (default 2000). 0: never by itself (only
   * catchUpIndex(); tests).
   */
  indexAfterMs?: number;
}

export interface SearchOptions {
  /** Hits to return: default 50, at most 200. */
  limit?: number;
  /** A key (a window's id): this search replaces one of the same key still waiting, which fails with SUPERSEDED. */
  supersede?: string;
}

export interface StoreStats {
  schemaVersion: number;
  conversations: number;
  messages: number;
  streamingMessages: number;
  indexedMessages: number;
  /** Messages waiting for their search-index entries (an import's, until the index catches up). */
  unindexedMessages: number;
  fileBytes: number;
  walBytes: number;
  freePages: number;
  /** The connection's settings, as SQLite reports them. */
  journalMode: string;
  foreignKeys: boolean;
  secureDelete: boolean;
  busyTimeoutMs: number;
}

export interface ChatStore {
  readonly file: string;
  /** Answers found streaming (cut by the last exit) and marked interrupted when the store opened. */
  readonly recoveredAtOpen: number;
  close(): Promise<void>;
  createConversation(init?: ConversationInit): Conversation;
  getConversation(id: string): Conversation | undefined;
  listConversations(opts?: { limit?: number }): Conversation[];
  updateConversation(id: string, patch: ConversationPatch): Conversation;
  deleteConversation(id: string): boolean;
  addMessage(init: MessageInit): Message;
  updateMessage(id: string, patch: MessagePatch): Message;
  getMessage(id: string): Message | undefined;
  deleteMessage(id: string): Conversation;
  path(conversationId: string, opts?: PathOptions): ConversationPage;
  pathMessages(conversationId: string, leafId?: string | null, opts?: { limit?: number }): Message[];
  switchVersion(conversationId: string, messageId: string, opts?: { limit?: number }): ConversationPage;
  recoverInterrupted(): number;
  search(query: string, opts?: SearchOptions): Promise<SearchHit[]>;
  /** Starts the search worker now if none runs (once the app is idle after its start): the first search then does not wait for it. */
  warmSearch(): void;
  exportMarkdown(conversationId: string, language?: ExportLanguage): string;
  exportJson(conversationId: string): ParleyExport;
  importJson(input: string | Uint8Array): Conversation[];
  importFile(path: string, opts?: ImportRunOptions): Promise<ImportResult>;
  /** Writes the index entries of the messages stored without them (off main); resolves once caught up or stopped. */
  catchUpIndex(): Promise<void>;
  /** Connects the attachment store (when it is made after this store: it lives in the folder this store could open). */
  setFiles(files: AttachmentFiles): void;
  /** Of these attachment ids, those no message uses. */
  unusedAttachments(ids: string[]): string[];
  /** Removes files stored more than a day ago that no message uses (staged in the composer, never sent); how many. */
  sweepAttachments(olderThanMs?: number): Promise<number>;
  stats(): StoreStats;
  conversationUsage(conversationId: string): UsageTotals;
  usageByDay(range: { fromMs: number; toMs: number; tzOffsetMinutes: number }): UsageRow[];
}

export function openChatStore(opts: ChatStoreOptions): ChatStore {
  const db: Db = openDb(opts.dataDir, opts.busyTimeoutMs, opts.beforeMigration);
  const file = db.file;
  let closed = false;

  /** Runs one operation: refused after close, any failure as a ParleyError. */
  const run = <T>(doing: string, fn: () => T): T => {
    if (closed) throw new ParleyError('cancelled', 'The chat storage is closed.');
    try {
      return fn();
    } catch (e) {
      throw storageError(e, file, doing);
    }
  };

  /** After a delete: copy the WAL into the file and empty it, so deleted text does not linger there (best effort). */
  const scrub = (): void => {
    try {
      importer.writing(() => db.raw.exec('PRAGMA wal_checkpoint(TRUNCATE)'));
    } catch { /* a reader holds the WAL: the next checkpoint overwrites it */ }
  };

  let files = opts.files;
  /** After a delete committed: the files no message uses any more leave the disk (best effort; the sweep catches any left). */
  const removeFiles = (ids: string[]): void => {
    if (!files || ids.length === 0) return;
    try {
      void Promise.resolve(files.remove(ids)).catch(() => undefined);
    } catch { /* the sweep removes them later */ }
  };

  const importer = createImporter({
    file,
    workerUrl: opts.importWorkerUrl === undefined ? workerUrlBeside('import-worker') : new URL(opts.importWorkerUrl),
    busyMs: opts.busyTimeoutMs ?? BUSY_TIMEOUT_MS,
    ...(opts.importBatchMs === undefined ? {} : { batchMs: opts.importBatchMs }),
    files: () => files,
    catchUpAfterImport: opts.indexAfterMs !== 0,
  });
  /** A write transaction of this connection; a running import gives way to it (importer.ts). */
  const tx = <T>(fn: () => T): T => importer.writing(() => db.tx(fn));

  const searchClient = createSearchClient({
    file,
    workerUrl: opts.workerUrl === undefined ? defaultWorkerUrl() : new URL(opts.workerUrl),
    timeoutMs: opts.searchTimeoutMs ?? LIMITS.searchTimeoutMs,
  });

  let sweepTimer: NodeJS.Timeout | undefined;
  let indexTimer: NodeJS.Timeout | undefined;
  const startSweeps = (): void => {
    const after = opts.sweepAfterMs ?? 60_000;
    const every = opts.sweepEveryMs ?? 6 * 60 * 60 * 1000;
    if (after <= 0 || closed) return;
    const sweep = (): void => void store.sweepAttachments().catch(() => undefined);
    sweepTimer = setTimeout(() => {
      sweep();
      if (every > 0 && !closed) sweepTimer = setInterval(sweep, every).unref();
    }, after).unref();
  };
  const store: ChatStore = {
    file,
    recoveredAtOpen: 0,
    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(sweepTimer);
      clearTimeout(indexTimer);
      clearInterval(sweepTimer);
      const stopped = searchClient.close();
      await importer.close();
      db.close();
      await stopped;
    },
    createConversation: (init = {}) => run('creating a conversation', () => tx(() => toConversation(insertConversation(db, init)))),
    getConversation: (id) => run('reading a conversation', () => {
      const r = conversationRow(db, id);
      return r && toConversation(r);
    }),
    listConversations: (o = {}) => run('listing conversations', () => {
      const limit = o.limit ?? -1;
      return (db.stmt('SELECT * FROM conversations ORDER BY pinned DESC, updated_at DESC, seq DESC LIMIT ?').all(limit) as unknown as ConversationRow[]).map(toConversation);
    }),
    updateConversation: (id, patch) => run('saving a conversation', () => tx(() => toConversation(patchConversation(db, id, patch)))),
    deleteConversation: (id) => {
      const done = run('deleting a conversation', () => tx(() => removeConversation(db, id)));
      if (!done) return false;
      scrub();
      removeFiles(done.orphans);
      return true;
    },
    addMessage: (init) => run('saving a message', () => tx(() => toMessage(appendMessage(db, init)))),
    updateMessage: (id, patch) => run('saving a message', () => tx(() => toMessage(withAttachmentRows(db, [patchMessage(db, id, patch)])[0]!))),
    getMessage: (id) => run('reading a message', () => {
      const r = messageRow(db, id);
      return r && toMessage(withAttachmentRows(db, [r])[0]!);
    }),
    deleteMessage: (id) => {
      const { conversation, orphans } = run('deleting a message', () => tx(() => removeMessage(db, id)));
      scrub();
      removeFiles(orphans);
      return toConversation(conversation);
    },
    path: (conversationId, o) => run('reading a conversation', () => readPage(db, conversationId, o)),
    pathMessages: (conversationId, leafId, o = {}) => run('reading a conversation', () => readPathMessages(db, conversationId, leafId, o.limit)),
    switchVersion: (conversationId, messageId, o = {}) => run('switching versions', () => tx(() => {
      switchTo(db, conversationId, messageId);
      return readPage(db, conversationId, o.limit === undefined ? {} : { limit: o.limit });
    })),
    recoverInterrupted: () => run('recovering interrupted answers', () => tx(() => recoverStreaming(db))),
    async search(query, o = {}) {
      if (typeof query !== 'string') throw invalid('The search query must be text.');
      const limit = o.limit ?? LIMITS.searchLimitDefault;
      if (!Number.isInteger(limit) || limit < 1) throw invalid('The search limit must be a positive integer.');
      if (closed) throw new ParleyError('cancelled', 'The chat storage is closed.');
      if (!query.trim()) return [];
      return searchClient.search(query, Math.min(limit, LIMITS.searchLimitMax), o.supersede);
    },
    warmSearch: () => {
      if (!closed) searchClient.warm();
    },
    exportMarkdown: (id, language) => run('exporting a conversation', () => toMarkdown(db, id, language)),
    exportJson: (id) => run('exporting a conversation', () => toParleyJson(db, id, files)),
    importJson: (input) => run('importing conversations', () => tx(() => importDocument(db, input).conversations)),
    async importFile(path, o) {
      if (closed) throw new ParleyError('cancelled', 'The chat storage is closed.');
      const stored: StoredDuringImport = { added: new Set(), settled: () => Promise.resolve() };
      try {
        return await importer.run(path, o, stored);
      } catch (e) {
        // All or nothing, files too: what this import stored and no message uses (its conversations are removed) goes.
        await stored.settled();
        // Awaited: once the import has failed, no file of it is left.
        if (!closed && stored.added.size && files) {
          try {
            const gone = unreferenced(db, [...stored.added]);
            if (gone.length) await files.remove(gone);
          } catch { /* the sweep removes them later */ }
        }
        throw e;
      }
    },
    async catchUpIndex() {
      if (closed) return;
      if (!importer.busy() && run('reading the search index', () => unindexedCount(db)) === 0) return;
      await importer.catchUp();
    },
    setFiles(f) {
      const first = !files;
      files = f;
      if (first) startSweeps();
    },
    unusedAttachments: (ids) => run('reading attachments', () => unreferenced(db, ids)),
    async sweepAttachments(olderThanMs = UNREFERENCED_KEEP_MS) {
      if (!files || closed) return 0;
      const used = db.stmt('SELECT 1 AS y FROM message_attachments WHERE attachment_id = ? LIMIT 1');
      return files.sweep((id) => closed || used.get(id) !== undefined, olderThanMs);
    },
    conversationUsage: (id) => run('reading usage', () => conversationUsage(db, id)),
    usageByDay: (r) => run('reading usage', () => usageByDay(db, r.fromMs, r.toMs, r.tzOffsetMinutes)),
    stats: () => run('reading statistics', () => {
      const n = (sql: string): number => Number((db.stmt(sql).get() as { n: number }).n);
      const size = (f: string): number => {
        try {
          return statSync(f).size;
        } catch {
          return 0;
        }
      };
      return {
        schemaVersion: userVersion(db.raw),
        conversations: n('SELECT count(*) AS n FROM conversations'),
        messages: n('SELECT count(*) AS n FROM messages'),
        streamingMessages: n("SELECT count(*) AS n FROM messages WHERE status = 'streaming'"),
        indexedMessages: n('SELECT count(*) AS n FROM messages WHERE indexed = 1'),
        unindexedMessages: unindexedCount(db),
        fileBytes: size(file),
        walBytes: size(`${file}-wal`),
        freePages: n('SELECT freelist_count AS n FROM pragma_freelist_count'),
        journalMode: String((db.stmt('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode),
        foreignKeys: n('SELECT foreign_keys AS n FROM pragma_foreign_keys') === 1,
        secureDelete: n('SELECT secure_delete AS n FROM pragma_secure_delete') === 1,
        busyTimeoutMs: n('SELECT timeout AS n FROM pragma_busy_timeout'),
      };
    }),
  };

  let recovered: number;
  try {
    recovered = store.recoverInterrupted();
  } catch (e) {
    void store.close();
    throw e;
  }
  // Files staged in the composer and never sent: swept a minute after the start, then every 6 hours.
  if (files) startSweeps();
  // An import's messages whose index entries an earlier run did not finish writing (the app quit): written now.
  const indexAfter = opts.indexAfterMs ?? 2000;
  if (indexAfter > 0) {
    indexTimer = setTimeout(() => void store.catchUpIndex().catch(() => undefined), indexAfter).unref();
  }
  return Object.assign(store, { recoveredAtOpen: recovered });
}
