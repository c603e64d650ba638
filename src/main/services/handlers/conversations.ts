/** Conversations and messages: list, open, change, delete, search, export and import. */
import { stat } from 'node:fs/promises';
import { ParleyError } from '../../core/errors.ts';
import { PAGE_SIZE } from '../../../shared/chat.ts';
import { osReason, writeFileAtomic } from '../safe-write.ts';
import { dirname } from 'node:path';
import { SUPERSEDED } from '../storage/search.ts';
import type { AppContext, Handlers } from './types.ts';

/** The sidebar lists this many conversations (pinned first, then the newest); search reaches all of them. */
export const LIST_LIMIT = 2000;

/** The largest file an import reads. */
export const MAX_IMPORT_BYTES = 200 * 1024 * 1024;

function fileName(title: string, ext: string): string {
  const printable = [...title].map((ch) => (ch.charCodeAt(0) < 0x20 ? ' ' : ch)).join('');
  const base = printable.replace(/[\\/:*?"<>|]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 80) || 'conversation';
  return `${base}.${ext}`;
}

export function conversationHandlers(ctx: AppContext): Handlers<'conversations:list' | 'conversations:create' | 'conversations:open' | 'conversations:update' | 'conversations:delete' | 'conversations:search' | 'conversations:export' | 'conversations:import' | 'conversations:importCancel' | 'messages:switch' | 'messages:delete'> {
  const { store } = ctx;
  const log = ctx.logger.scope('storage');
  /** The running import's cancel (one at a time). */
  let importAbort: AbortController | undefined;
  const must = (id: string) => {
    const c = store.getConversation(id);
    if (!c) throw new ParleyError('config_invalid', 'That conversation does not exist (it may have been deleted).', { hop: 'config', phase: 'config' });
    return c;
  };
  return {
    'conversations:list': () => store.listConversations({ limit: LIST_LIMIT }),
    'conversations:create': (_caller, init) => {
      const s = ctx.settings.get();
      const providerId = init?.providerId ?? s.defaults.providerId;
      if (providerId) ctx.settings.providerFor(providerId);
      // Only a chosen model is stored (the one asked for, else the default model when it belongs to this provider);
      // none: each request picks the provider's default then (shared/model-choice.ts conversationModel).
      const model = init?.model ?? (providerId === s.defaults.providerId ? s.defaults.model : '');
      // No title until the first question gives it one: the window calls it "New chat" in its own language.
      return store.createConversation({ title: '', providerId: providerId ?? null, model: model || null, systemPrompt: s.defaults.systemPrompt, contextMessages: s.defaults.contextMessages });
    },
    'conversations:open': (_caller, id, opts) => {
      must(id);
      return store.path(id, { limit: opts?.limit ?? PAGE_SIZE });
    },
    'conversations:update': (_caller, id, patch) => {
      must(id);
      if (patch.providerId) ctx.settings.providerFor(patch.providerId);
      return store.updateConversation(id, patch);
    },
    'conversations:delete': async (_caller, id) => {
      must(id);
      // An answer still being written there is stopped first, so nothing writes into a deleted conversation.
      await ctx.chat.stopConversation(id);
      store.deleteConversation(id);
      log.info('conversation deleted', { id });
      return true;
    },
    'conversations:search': async (caller, query) => {
      if (!query.trim()) return [];
      // A window searches as the user types: its query still waiting is dropped for the newer one, and answered
      // with nothing (the window shows only its latest query's hits).
      return store.search(query.trim(), { limit: 50, supersede: caller.windowId }).catch((e: unknown) => {
        if (ParleyError.is(e) && e.code === 'cancelled' && e.message === SUPERSEDED) return [];
        throw e;
      });
    },
    'conversations:export': async (_caller, id, format, language) => {
      const c = must(id);
      const choose = ctx.opts.chooseSavePath ?? ((name: string) => ctx.opts.chooseExportPath(name));
      const out = await choose(fileName(c.title, format === 'markdown' ? 'md' : 'json'), format);
      if (!out) return null;
      const body = format === 'markdown' ? store.exportMarkdown(id, language ?? 'en') : JSON.stringify(store.exportJson(id), null, 2);
      // Whole or not at all, owner-only; a read-only folder or a full disk is storage_failed naming the file.
      try {
        writeFileAtomic(out, body, { mode: 0o600, what: 'the conversation export' });
      } catch (e) {
        // The file's name is the conversation's title: the error (and so the log and the bundle) names the folder only.
        const cause = ParleyError.is(e) ? e.cause : e;
        throw new ParleyError('storage_failed', `Parley could not write the conversation export in ${dirname(out)} (${osReason(cause)}).`, {
          hint: 'Check that the disk has space and that the folder is writable, or choose another folder.',
        });
      }
      log.info('conversation exported', { id, format, bytes: Buffer.byteLength(body) });
      return out;
    },
    'conversations:import': async (caller) => {
      if (importAbort) throw new ParleyError('config_invalid', 'An import is already running: wait for it or cancel it first.', { hop: 'config', phase: 'config' });
      const ac = new AbortController();
      importAbort = ac;
      try {
        const path = await ctx.opts.chooseOpenPath?.();
        if (!path) return [];
        const st = await stat(path);
        if (!st.isFile()) throw new ParleyError('config_invalid', 'Only a regular file can be imported.', { hop: 'config', phase: 'config' });
        if (st.size > MAX_IMPORT_BYTES) throw new ParleyError('limit_exceeded', `The file is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MB, the most an import reads.`, { hop: 'config', phase: 'config' });
        // In a worker: this thread (the window's IPC, answers being written) stays free; progress goes to the window that asked.
        const started = Date.now();
        const r = await store.importFile(path, { signal: ac.signal, onProgress: (p) => ctx.hub.emit(caller.windowId, 'conversations:importProgress', p) });
        log.info('conversations imported', { count: r.conversations.length, messages: r.messages, bytes: st.size, ms: Date.now() - started });
        return r.conversations;
      } catch (e) {
        if (ParleyError.is(e) && e.code === 'cancelled') log.info('import cancelled');
        throw e;
      } finally {
        if (importAbort === ac) importAbort = undefined;
      }
    },
    'conversations:importCancel': () => {
      const had = importAbort !== undefined;
      importAbort?.abort();
      return had;
    },
    'messages:switch': (_caller, conversationId, messageId) => {
      must(conversationId);
      return store.switchVersion(conversationId, messageId);
    },
    'messages:delete': async (_caller, messageId) => {
      const m = store.getMessage(messageId);
      if (!m) throw new ParleyError('config_invalid', 'That message does not exist (it may have been deleted).', { hop: 'config', phase: 'config' });
      // As for a conversation: an answer being written in it or below it is stopped first, so nothing writes into a deleted row.
      await ctx.chat.stopWithin(messageId);
      store.deleteMessage(messageId);
      return store.path(m.conversationId, { limit: PAGE_SIZE });
    },
  };
}
