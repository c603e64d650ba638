/**
 * Rows of conversations and messages: reading them as the shared types, validated writes, and the
 * full-text index kept in step (a message enters the index once it is no longer streaming; its entry is
 * removed with the exact text it was indexed with, as FTS5 external content requires).
 */
import { randomFillSync, randomUUID } from 'node:crypto';
import { ParleyError } from '../../core/errors.ts';
import type { AnswerEnding } from '../../../shared/answer.ts';
import type { AttachmentRef } from '../../../shared/attachments.ts';
import { MESSAGE_STATUSES, type Conversation, type ConversationParams, type Message, type MessageRole, type MessageStatus, type ToolRun } from '../../../shared/chat.ts';
import type { Db } from './db.ts';
import { attachmentIdsWhere, checkRefs, dropUnreferenced, linkAttachments } from './attachments.ts';
import { indexGrams, unindexGrams } from './grams.ts';
import { checkBytes, checkJson, checkMs, checkName, checkTitle, invalid, LIMITS, tooLarge } from './limits.ts';

export interface ConversationInit {
  title?: string;
  providerId?: string | null;
  model?: string | null;
  systemPrompt?: string;
  contextMessages?: number;
  pinned?: boolean;
  draft?: string;
  params?: ConversationParams;
}

/** Changes to a conversation. None of them bumps updatedAt: the list follows activity (a new message), not renames or settings. */
export type ConversationPatch = Partial<Pick<Conversation, 'title' | 'providerId' | 'model' | 'systemPrompt' | 'contextMessages' | 'pinned' | 'draft' | 'currentLeafId' | 'params'>>;

type MessageMeta = 'error' | 'providerId' | 'model' | 'usage' | 'ttftMs' | 'durationMs' | 'reasoningMs' | 'routeInfo' | 'finishReason' | 'ending' | 'tools';

export interface MessageInit extends Partial<Pick<Message, 'text' | 'reasoning' | 'status' | MessageMeta>> {
  conversationId: string;
  /** The message this one follows. Omitted: the conversation's current leaf; null: a new root. */
  parentId?: string | null;
  role: MessageRole;
  /** Files the message carries, in order (a question's; checked: bounds, ids). Kept for good: no patch changes them. */
  attachments?: AttachmentRef[];
}

/** Changes to a message; a key present with undefined or null clears an optional field. */
export type MessagePatch = { [K in 'text' | 'reasoning' | 'status' | MessageMeta]?: Message[K] | null };

export interface ConversationRow {
  seq: number;
  id: string;
  title: string;
  provider_id: string | null;
  model: string | null;
  system_prompt: string;
  context_messages: number;
  pinned: number;
  created_at: number;
  updated_at: number;
  current_leaf_id: string | null;
  draft: string;
  message_count: number;
  params: string;
}

export interface MessageRow {
  seq: number;
  id: string;
  conversation_id: string;
  parent_id: string | null;
  role: MessageRole;
  text: string;
  reasoning: string;
  status: MessageStatus;
  error: string | null;
  provider_id: string | null;
  model: string | null;
  usage: string | null;
  ttft_ms: number | null;
  duration_ms: number | null;
  reasoning_ms: number | null;
  route_info: string | null;
  finish_reason: string | null;
  ending: string | null;
  tools: string | null;
  created_at: number;
  updated_at: number;
  indexed: number;
  depth: number;
  /** Filled by reads that return messages (attachments.ts withAttachmentRows); not a column. */
  attachments?: AttachmentRef[];
}

export const MESSAGE_COLUMNS = 'seq, id, conversation_id, parent_id, role, text, reasoning, status, error, provider_id, model, usage, ttft_ms, duration_ms, reasoning_ms, route_info, finish_reason, ending, tools, created_at, updated_at, indexed, depth';

export function toConversation(r: ConversationRow): Conversation {
  return {
    id: r.id,
    title: r.title,
    providerId: r.provider_id,
    model: r.model,
    systemPrompt: r.system_prompt,
    contextMessages: r.context_messages,
    pinned: r.pinned !== 0,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    currentLeafId: r.current_leaf_id,
    draft: r.draft,
    params: JSON.parse(r.params) as ConversationParams,
  };
}

export function toMessage(r: MessageRow): Message {
  const m: Message = {
    id: r.id,
    conversationId: r.conversation_id,
    parentId: r.parent_id,
    role: r.role,
    text: r.text,
    reasoning: r.reasoning,
    status: r.status,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
  if (r.error !== null) m.error = JSON.parse(r.error);
  if (r.provider_id !== null) m.providerId = r.provider_id;
  if (r.model !== null) m.model = r.model;
  if (r.usage !== null) m.usage = JSON.parse(r.usage);
  if (r.ttft_ms !== null) m.ttftMs = r.ttft_ms;
  if (r.duration_ms !== null) m.durationMs = r.duration_ms;
  if (r.reasoning_ms !== null) m.reasoningMs = r.reasoning_ms;
  if (r.route_info !== null) m.routeInfo = JSON.parse(r.route_info);
  if (r.finish_reason !== null) m.finishReason = r.finish_reason;
  if (r.ending !== null) m.ending = JSON.parse(r.ending) as AnswerEnding;
  if (r.tools) m.tools = JSON.parse(r.tools) as ToolRun[];
  if (r.attachments?.length) m.attachments = r.attachments;
  return m;
}

export function notFound(what: 'conversation' | 'message', id: string): ParleyError {
  return new ParleyError('not_found', `No ${what} ${JSON.stringify(id)} in parley.db.`, {
    hint: `The ${what} may have been deleted (in another window?): reload the list.`,
  });
}

export function conversationRow(db: Db, id: string): ConversationRow | undefined {
  return db.stmt('SELECT * FROM conversations WHERE id = ?').get(id) as ConversationRow | undefined;
}

export function mustConversation(db: Db, id: string): ConversationRow {
  const r = conversationRow(db, id);
  if (!r) throw notFound('conversation', id);
  return r;
}

export function messageRow(db: Db, id: string): MessageRow | undefined {
  return db.stmt(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = ?`).get(id) as MessageRow | undefined;
}

export function mustMessage(db: Db, id: string): MessageRow {
  const r = messageRow(db, id);
  if (!r) throw notFound('message', id);
  return r;
}

// ---------------------------------------------------------------- ids

const idRandom = Buffer.alloc(8 * 512);
let idRandomAt = idRandom.length;
let idMs = 0;
let idCounter = 0;

/**
 * A UUID version 7 (RFC 9562: the Unix time in ms, a 12-bit counter, then 62 random bits), increasing within this
 * thread. An import's ids are these: its rows then go at the end of the id, parent and conversation indexes instead
 * of at random places in them, so each batch writes far fewer index pages (about a tenth less time, 2026-12-07).
 */
export function timeOrderedId(): string {
  let ms = Date.now();
  if (ms <= idMs) {
    ms = idMs;
    if (++idCounter > 0xfff) {
      ms++;
      idCounter = 0;
    }
  } else idCounter = 0;
  idMs = ms;
  if (idRandomAt >= idRandom.length) {
    randomFillSync(idRandom);
    idRandomAt = 0;
  }
  const r = idRandom.toString('hex', idRandomAt, idRandomAt + 8);
  idRandomAt += 8;
  const t = ms.toString(16).padStart(12, '0');
  const variant = (0x8 | (parseInt(r[0]!, 16) & 0x3)).toString(16);
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-7${idCounter.toString(16).padStart(3, '0')}-${variant}${r.slice(1, 4)}-${r.slice(4, 16)}`;
}

// ---------------------------------------------------------------- full-text index

export function indexMessage(db: Db, seq: number, text: string): void {
  db.stmt('INSERT INTO messages_fts(rowid, text) VALUES (?, ?)').run(seq, text);
  indexGrams(db, seq, text);
}

/** Removes an entry; `text` must be the text it was indexed with. */
export function unindexMessage(db: Db, seq: number, text: string): void {
  db.stmt("INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', ?, ?)").run(seq, text);
  unindexGrams(db, seq);
}

/**
 * Index entries held back to the end of a transaction (an import's batch) and then written together (`flush`, before
 * COMMIT). FTS5 buffers what is inserted into it, but writes that buffer out as a segment of its own each time another
 * statement of the transaction opens a statement journal, as every INSERT into messages does (its foreign keys and the
 * sync trigger): indexing each message right after its row wrote one tiny segment per message, and writing and merging
 * those cost most of an import's time (in the 20 MB import, an INSERT into messages took 130-146 µs, about 30 once
 * its index entries waited, 2026-12-07). Written together, a batch's entries make one segment.
 */
export class DeferredIndex {
  private readonly messages: { seq: number; text: string }[] = [];
  private readonly titles: { seq: number; title: string }[] = [];
  /**
   * True (an import's): the messages are stored without their index entries (indexed = 0) and the index catches up
   * after the import (index-catch-up.ts, indexUnindexed); only the titles are indexed before the commit.
   */
  readonly messagesLater: boolean;
  constructor(opts: { messagesLater?: boolean } = {}) {
    this.messagesLater = opts.messagesLater ?? false;
  }
  message(seq: number, text: string): void {
    this.messages.push({ seq, text });
  }
  title(seq: number, title: string): void {
    this.titles.push({ seq, title });
  }
  /** Writes the entries held (inside the transaction that wrote their rows) and forgets them. */
  flush(db: Db): void {
    const text = db.stmt('INSERT INTO messages_fts(rowid, text) VALUES (?, ?)');
    for (const m of this.messages) text.run(m.seq, m.text);
    for (const m of this.messages) indexGrams(db, m.seq, m.text);
    for (const t of this.titles) indexTitle(db, t.seq, t.title);
    this.messages.length = 0;
    this.titles.length = 0;
  }
}

/**
 * Indexes up to `max` of the messages stored without their index entries (indexed = 0, not streaming: an import's),
 * newest first (each call's are the newest left), inside the caller's transaction; how many. Their rows are marked
 * first, then their entries are written together (one segment, as DeferredIndex). A message edited or deleted before this is handled by
 * patchMessage / the removals as one not indexed (they index it, or remove only what was indexed).
 */
export function indexUnindexed(db: Db, max: number): number {
  const rows = db.stmt("SELECT seq, text FROM messages WHERE indexed = 0 AND status <> 'streaming' ORDER BY seq DESC LIMIT ?").all(max) as { seq: number; text: string }[];
  if (rows.length === 0) return 0;
  db.stmt('UPDATE messages SET indexed = 1 WHERE seq IN (SELECT value FROM json_each(?))').run(JSON.stringify(rows.map((r) => r.seq)));
  // Written in rising rowid order: FTS5 writes what it holds out as a segment whenever a rowid is lower than the one
  // before, so the newest-first order of the rows would make one segment per message.
  const index = new DeferredIndex();
  for (let i = rows.length - 1; i >= 0; i--) index.message(rows[i]!.seq, rows[i]!.text);
  index.flush(db);
  return rows.length;
}

/** How many messages wait for their index entries (see indexUnindexed). */
export function unindexedCount(db: Db): number {
  return Number((db.stmt("SELECT count(*) AS n FROM messages WHERE indexed = 0 AND status <> 'streaming'").get() as { n: number }).n);
}

function indexTitle(db: Db, seq: number, title: string): void {
  db.stmt('INSERT INTO titles_fts(rowid, title) VALUES (?, ?)').run(seq, title);
}

function unindexTitle(db: Db, seq: number, title: string): void {
  db.stmt("INSERT INTO titles_fts(titles_fts, rowid, title) VALUES ('delete', ?, ?)").run(seq, title);
}

// ---------------------------------------------------------------- conversations

function checkContextMessages(n: unknown): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > LIMITS.contextMessagesMax) {
    throw invalid(`contextMessages must be an integer from 0 to ${LIMITS.contextMessagesMax}.`);
  }
  return n;
}

/**
 * Inserts a conversation (and its title into the index, or into `deferred` to be indexed before the commit). `times`
 * lets imports keep the original dates; `id`: sync's.
 */
export function insertConversation(
  db: Db, init: ConversationInit, times?: { createdAt: number; updatedAt: number }, id: string = randomUUID(), deferred?: DeferredIndex,
): ConversationRow {
  const now = Date.now();
  const title = checkTitle(init.title ?? '');
  const { lastInsertRowid } = db.stmt(`INSERT INTO conversations (id, title, provider_id, model, system_prompt, context_messages, pinned, created_at, updated_at, draft, params)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
    id,
    title,
    checkName('providerId', init.providerId),
    checkName('model', init.model),
    checkBytes('The system prompt', init.systemPrompt ?? '', LIMITS.systemPromptBytes),
    checkContextMessages(init.contextMessages ?? 0),
    init.pinned ? 1 : 0,
    times?.createdAt ?? now,
    times?.updatedAt ?? now,
    checkBytes('The draft', init.draft ?? '', LIMITS.draftBytes),
    checkJson('params', init.params ?? {}) ?? '{}',
  );
  if (deferred) deferred.title(Number(lastInsertRowid), title);
  else indexTitle(db, Number(lastInsertRowid), title);
  return mustConversation(db, id);
}

export function patchConversation(db: Db, id: string, patch: ConversationPatch): ConversationRow {
  const old = mustConversation(db, id);
  const next = { ...old };
  if (patch.title !== undefined) next.title = checkTitle(patch.title);
  if (patch.providerId !== undefined) next.provider_id = checkName('providerId', patch.providerId);
  if (patch.model !== undefined) next.model = checkName('model', patch.model);
  if (patch.systemPrompt !== undefined) next.system_prompt = checkBytes('The system prompt', patch.systemPrompt, LIMITS.systemPromptBytes);
  if (patch.contextMessages !== undefined) next.context_messages = checkContextMessages(patch.contextMessages);
  if (patch.pinned !== undefined) next.pinned = patch.pinned ? 1 : 0;
  if (patch.draft !== undefined) next.draft = checkBytes('The draft', patch.draft ?? '', LIMITS.draftBytes);
  if (patch.params !== undefined) next.params = checkJson('params', patch.params ?? {}) ?? '{}';
  if (patch.currentLeafId !== undefined) {
    if (patch.currentLeafId !== null) {
      const m = mustMessage(db, patch.currentLeafId);
      if (m.conversation_id !== id) throw invalid(`Message ${patch.currentLeafId} is not in conversation ${id}.`);
    }
    next.current_leaf_id = patch.currentLeafId;
  }
  db.stmt(`UPDATE conversations SET title = ?, provider_id = ?, model = ?, system_prompt = ?, context_messages = ?, pinned = ?, draft = ?,
    current_leaf_id = ?, updated_at = ?, params = ? WHERE seq = ?`).run(
    next.title, next.provider_id, next.model, next.system_prompt, next.context_messages, next.pinned, next.draft, next.current_leaf_id, next.updated_at, next.params, old.seq,
  );
  if (next.title !== old.title) {
    unindexTitle(db, old.seq, old.title);
    indexTitle(db, old.seq, next.title);
  }
  return next;
}

/**
 * Deletes a conversation, its messages and their index entries. False when there was none; else the ids of the
 * attachments no message uses any more (their rows are gone; their files can be deleted once this commits).
 */
export function removeConversation(db: Db, id: string): false | { orphans: string[] } {
  const c = conversationRow(db, id);
  if (!c) return false;
  const used = attachmentIdsWhere(db, 'm.conversation_id = ?', id);
  db.stmt("INSERT INTO messages_fts(messages_fts, rowid, text) SELECT 'delete', seq, text FROM messages WHERE conversation_id = ? AND indexed = 1").run(id);
  db.stmt('DELETE FROM messages_grams WHERE rowid IN (SELECT seq FROM messages WHERE conversation_id = ? AND indexed = 1)').run(id);
  db.stmt('DELETE FROM messages WHERE conversation_id = ?').run(id);
  unindexTitle(db, c.seq, c.title);
  db.stmt('DELETE FROM conversations WHERE seq = ?').run(c.seq);
  return { orphans: dropUnreferenced(db, used) };
}

// ---------------------------------------------------------------- messages

function checkRole(role: unknown): MessageRole {
  if (role !== 'system' && role !== 'user' && role !== 'assistant') throw invalid(`Unknown message role ${JSON.stringify(role)}.`);
  return role;
}

function checkStatus(status: unknown): MessageStatus {
  if (!(MESSAGE_STATUSES as readonly unknown[]).includes(status)) throw invalid(`Unknown message status ${JSON.stringify(status)}.`);
  return status as MessageStatus;
}

/** The validated columns of a message (everything except ids, tree and times). */
function messageValues(m: Omit<MessageInit, 'conversationId' | 'parentId'> | (MessagePatch & Pick<Message, 'text' | 'reasoning' | 'status'>)) {
  return {
    text: checkBytes('The message text', m.text ?? '', LIMITS.messageTextBytes),
    reasoning: checkBytes('The reasoning text', m.reasoning ?? '', LIMITS.reasoningBytes),
    status: checkStatus(m.status ?? 'complete'),
    error: checkJson('error', m.error),
    provider_id: checkName('providerId', m.providerId),
    model: checkName('model', m.model),
    usage: checkJson('usage', m.usage),
    ttft_ms: checkMs('ttftMs', m.ttftMs),
    duration_ms: checkMs('durationMs', m.durationMs),
    reasoning_ms: checkMs('reasoningMs', m.reasoningMs),
    route_info: checkJson('routeInfo', m.routeInfo),
    finish_reason: checkName('finishReason', m.finishReason),
    ending: checkJson('ending', m.ending),
    tools: m.tools?.length ? checkJson('tools', m.tools) : null,
  };
}

const SLOTS_PER_SECOND = 256;
/** Times past this (year 2500) share its keys, so seq stays below 2^53. */
const MAX_KEY_SECONDS = 16_725_225_600;

/**
 * What one transaction knows of the seq slots (an import's batch: nobody else writes until it commits): per key
 * second, the next free seq in it (its end when full); per createdAt second, the first key second that may have
 * room; the highest seq known. So a second full of messages is probed once per transaction, not per message
 * (before: up to 64 queries for each message once 256 shared a second).
 */
export class SeqSlots {
  readonly next = new Map<number, number>();
  readonly open = new Map<number, number>();
  top: number | undefined;
  /** Set: the transaction's messages are indexed together before its commit (see DeferredIndex), not one by one. */
  readonly deferred: DeferredIndex | undefined;
  constructor(deferred?: DeferredIndex) {
    this.deferred = deferred;
  }
}

/**
 * A message's `seq` (its rowid and full-text rowid) is time-ordered: the second of createdAt × 256 + n, the
 * first free n (or the next seconds' slots if 256 messages share a second; past 64 s of them, max(seq) + 1).
 * Search then walks rowids newest first and stops at its limit, however many messages match; imported
 * messages sort among the others by their own dates. (Seconds rather than milliseconds keep the rowid
 * deltas, and so the full-text index, small.) `slots`: what this transaction already probed (see SeqSlots).
 */
function allocateSeq(db: Db, createdAt: number, slots: SeqSlots = new SeqSlots()): number {
  const second = Math.min(Math.max(0, Math.floor(createdAt / 1000)), MAX_KEY_SECONDS);
  const taken = (seq: number): number => {
    if (slots.top !== undefined && seq > slots.top) slots.top = seq;
    return seq;
  };
  for (let key = slots.open.get(second) ?? second; key < second + 64; key++) {
    const lo = key * SLOTS_PER_SECOND;
    let next = slots.next.get(key);
    if (next === undefined) {
      const top = (db.stmt('SELECT max(seq) AS s FROM messages WHERE seq >= ? AND seq < ?').get(lo, lo + SLOTS_PER_SECOND) as { s: number | null }).s;
      next = top === null ? lo : top + 1;
    }
    if (next < lo + SLOTS_PER_SECOND) {
      slots.next.set(key, next + 1);
      slots.open.set(second, key);
      return taken(next);
    }
    slots.next.set(key, next);
  }
  slots.open.set(second, second + 64);
  slots.top ??= (db.stmt('SELECT max(seq) AS s FROM messages').get() as { s: number }).s;
  const seq = ++slots.top;
  // A later message of the same transaction must not take it again through its key second's slots.
  const key = Math.floor(seq / SLOTS_PER_SECOND);
  if (slots.next.has(key)) slots.next.set(key, Math.max(slots.next.get(key)!, seq + 1));
  return seq;
}

/**
 * Inserts one message under `parent` (null: a root) and indexes it unless it is streaming (at once, or before the
 * commit when `slots` holds a DeferredIndex, or later when that DeferredIndex says messagesLater: indexed = 0). Does not
 * touch the conversation row (callers update current_leaf_id, updated_at and message_count).
 */
export function insertMessage(
  db: Db,
  conversationId: string,
  parent: { id: string; depth: number } | null,
  init: Omit<MessageInit, 'conversationId' | 'parentId'>,
  times: { createdAt: number; updatedAt: number },
  slots?: SeqSlots,
  /** The message's id: a new one, or (sync) the id it has on the device that wrote it. */
  id: string = randomUUID(),
): MessageRow {
  const v = messageValues(init);
  const role = checkRole(init.role);
  const attachments = checkRefs(init.attachments);
  const indexed = v.status === 'streaming' || slots?.deferred?.messagesLater ? 0 : 1;
  const seq = allocateSeq(db, times.createdAt, slots);
  db.stmt(`INSERT INTO messages (seq, id, conversation_id, parent_id, role, text, reasoning, status, error, provider_id, model, usage,
    ttft_ms, duration_ms, reasoning_ms, route_info, finish_reason, ending, tools, created_at, updated_at, indexed, depth)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
    seq, id, conversationId, parent?.id ?? null, role, v.text, v.reasoning, v.status, v.error, v.provider_id, v.model, v.usage,
    v.ttft_ms, v.duration_ms, v.reasoning_ms, v.route_info, v.finish_reason, v.ending, v.tools, times.createdAt, times.updatedAt, indexed, parent ? parent.depth + 1 : 0,
  );
  if (indexed) {
    if (slots?.deferred) slots.deferred.message(seq, v.text);
    else indexMessage(db, seq, v.text);
  }
  if (attachments.length) linkAttachments(db, seq, attachments, times.createdAt);
  return {
    seq, id, conversation_id: conversationId, parent_id: parent?.id ?? null, role, ...v, created_at: times.createdAt, updated_at: times.updatedAt, indexed,
    depth: parent ? parent.depth + 1 : 0, ...(attachments.length ? { attachments } : {}),
  };
}

/** addMessage: inserts under the given (or current) parent, makes it the current leaf and bumps updatedAt. */
export function appendMessage(db: Db, init: MessageInit): MessageRow {
  // Only the columns needed: a conversation row may carry a large draft and system prompt.
  const c = db.stmt('SELECT seq, id, current_leaf_id, updated_at, message_count FROM conversations WHERE id = ?').get(init.conversationId) as
    Pick<ConversationRow, 'seq' | 'id' | 'current_leaf_id' | 'updated_at' | 'message_count'> | undefined;
  if (!c) throw notFound('conversation', init.conversationId);
  if (c.message_count >= LIMITS.messagesPerConversation) {
    throw tooLarge('The conversation', `${LIMITS.messagesPerConversation} messages`);
  }
  const parentId = init.parentId === undefined ? c.current_leaf_id : init.parentId;
  let parent: { id: string; depth: number } | null = null;
  if (parentId !== null) {
    const p = db.stmt('SELECT conversation_id, depth FROM messages WHERE id = ?').get(parentId) as { conversation_id: string; depth: number } | undefined;
    if (!p) throw notFound('message', parentId);
    if (p.conversation_id !== c.id) throw invalid(`Message ${parentId} is not in conversation ${c.id}.`);
    parent = { id: parentId, depth: p.depth };
  }
  const now = Math.max(Date.now(), c.updated_at);
  const row = insertMessage(db, c.id, parent, init, { createdAt: now, updatedAt: now });
  db.stmt('UPDATE conversations SET current_leaf_id = ?, updated_at = ?, message_count = message_count + 1 WHERE seq = ?').run(row.id, now, c.seq);
  return row;
}

/**
 * updateMessage: writes only this message's row. The index is touched only when the message enters it
 * (leaves 'streaming'), leaves it (back to 'streaming'), or its indexed text changes.
 */
export function patchMessage(db: Db, id: string, patch: MessagePatch): MessageRow {
  const old = mustMessage(db, id);
  const merged = { ...toMessage(old) } as Record<string, unknown>;
  for (const [k, val] of Object.entries(patch)) {
    if (val === undefined || val === null) {
      if (k === 'text' || k === 'reasoning') merged[k] = '';
      else if (k !== 'status') delete merged[k];
    } else merged[k] = val;
  }
  const v = messageValues(merged as MessagePatch & Pick<Message, 'text' | 'reasoning' | 'status'>);
  const indexed = v.status === 'streaming' ? 0 : 1;
  const now = Math.max(Date.now(), old.updated_at);
  if (old.indexed && (!indexed || v.text !== old.text)) unindexMessage(db, old.seq, old.text);
  db.stmt(`UPDATE messages SET text = ?, reasoning = ?, status = ?, error = ?, provider_id = ?, model = ?, usage = ?, ttft_ms = ?, duration_ms = ?,
    reasoning_ms = ?, route_info = ?, finish_reason = ?, ending = ?, tools = ?, updated_at = ?, indexed = ? WHERE seq = ?`).run(
    v.text, v.reasoning, v.status, v.error, v.provider_id, v.model, v.usage, v.ttft_ms, v.duration_ms, v.reasoning_ms, v.route_info, v.finish_reason, v.ending, v.tools, now, indexed, old.seq,
  );
  if (indexed && (!old.indexed || v.text !== old.text)) indexMessage(db, old.seq, v.text);
  return { ...old, ...v, updated_at: now, indexed };
}

/** Every streaming message becomes interrupted (text kept) and enters the index. Returns how many. */
export function recoverStreaming(db: Db): number {
  const rows = db.stmt("SELECT seq, text, indexed FROM messages WHERE status = 'streaming'").all() as { seq: number; text: string; indexed: number }[];
  for (const r of rows) {
    db.stmt("UPDATE messages SET status = 'interrupted', indexed = 1 WHERE seq = ?").run(r.seq);
    if (!r.indexed) indexMessage(db, r.seq, r.text);
  }
  return rows.length;
}
