/**
 * The message tree: the shown path (one recursive CTE walking up from the leaf, stopping after `limit`
 * messages; `depth` gives how many come before), versions among siblings, switching versions and deleting
 * a message with its descendants.
 */
import type { ConversationPage, Message, PathMessage } from '../../../shared/chat.ts';
import { attachmentIdsWhere, dropUnreferenced, withAttachmentRows } from './attachments.ts';
import type { Db } from './db.ts';
import { invalid } from './limits.ts';
import { MESSAGE_COLUMNS, mustConversation, mustMessage, toConversation, toMessage, type ConversationRow, type MessageRow } from './records.ts';

const M_COLUMNS = MESSAGE_COLUMNS.split(', ').map((c) => `m.${c}`).join(', ');
const NO_LIMIT = 2 ** 31 - 1;

export interface PathOptions {
  /** The last message of the path (default: the conversation's current leaf). */
  leafId?: string | null;
  /** At most this many messages, the last ones of the path. */
  limit?: number;
}

function checkLimit(limit: number | undefined): number {
  if (limit === undefined) return NO_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) throw invalid('The path limit must be a positive integer.');
  return Math.min(limit, NO_LIMIT);
}

/** The path root → leaf, or its last `limit` messages, in order, with their attachments (one more query). */
export function pathRows(db: Db, leafId: string, limit: number): MessageRow[] {
  return withAttachmentRows(db, db.stmt(`WITH RECURSIVE up(seq, parent_id, n) AS (
      SELECT seq, parent_id, 1 FROM messages WHERE id = ?
      UNION ALL
      SELECT m.seq, m.parent_id, up.n + 1 FROM up JOIN messages m ON m.id = up.parent_id WHERE up.n < ?
    )
    SELECT ${M_COLUMNS} FROM up JOIN messages m ON m.seq = up.seq ORDER BY up.n DESC`).all(leafId, limit) as unknown as MessageRow[]);
}

function leafOf(db: Db, c: ConversationRow, leafId: string | null | undefined): string | null {
  const id = leafId === undefined ? c.current_leaf_id : leafId;
  if (id === null) return null;
  const m = mustMessage(db, id);
  if (m.conversation_id !== c.id) throw invalid(`Message ${id} is not in conversation ${c.id}.`);
  return id;
}

/** Siblings (same parent, same role) of each message, ordered by createdAt. */
function withVersions(db: Db, conversationId: string, rows: MessageRow[]): PathMessage[] {
  const parents = [...new Set(rows.map((r) => r.parent_id).filter((p): p is string => p !== null))];
  type Sib = { id: string; parent_id: string | null; role: string };
  const sibs = db.stmt('SELECT id, parent_id, role FROM messages WHERE parent_id IN (SELECT value FROM json_each(?)) ORDER BY created_at, seq').all(JSON.stringify(parents)) as Sib[];
  if (rows.some((r) => r.parent_id === null)) {
    sibs.push(...(db.stmt('SELECT id, parent_id, role FROM messages WHERE conversation_id = ? AND parent_id IS NULL ORDER BY created_at, seq').all(conversationId) as Sib[]));
  }
  const groups = new Map<string, string[]>();
  for (const s of sibs) {
    const key = `${s.parent_id ?? ''}\u0000${s.role}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(s.id);
  }
  return rows.map((r) => {
    const siblingIds = groups.get(`${r.parent_id ?? ''}\u0000${r.role}`) ?? [r.id];
    return { ...toMessage(r), version: siblingIds.indexOf(r.id) + 1, versions: siblingIds.length, siblingIds };
  });
}

export function readPage(db: Db, conversationId: string, opts: PathOptions = {}): ConversationPage {
  const c = mustConversation(db, conversationId);
  const limit = checkLimit(opts.limit);
  const leaf = leafOf(db, c, opts.leafId);
  if (leaf === null) return { conversation: toConversation(c), messages: [], before: 0 };
  const rows = pathRows(db, leaf, limit);
  return { conversation: toConversation(c), messages: withVersions(db, c.id, rows), before: rows[0]?.depth ?? 0 };
}

/** The path root → leaf (default: the current leaf), or its last `limit` messages, for building a request. */
export function readPathMessages(db: Db, conversationId: string, leafId?: string | null, limit?: number): Message[] {
  const c = mustConversation(db, conversationId);
  const leaf = leafOf(db, c, leafId);
  return leaf === null ? [] : pathRows(db, leaf, checkLimit(limit)).map(toMessage);
}

/** The newest leaf under a message, following the newest child at each step. */
export function newestLeaf(db: Db, messageId: string): string {
  const r = db.stmt(`WITH RECURSIVE down(id, n) AS (
      SELECT ?, 0
      UNION ALL
      SELECT (SELECT c.id FROM messages c WHERE c.parent_id = down.id ORDER BY c.created_at DESC, c.seq DESC LIMIT 1), n + 1
      FROM down WHERE down.id IS NOT NULL
    )
    SELECT id FROM down WHERE id IS NOT NULL ORDER BY n DESC LIMIT 1`).get(messageId) as { id: string };
  return r.id;
}

/** Shows the version `messageId`: the current leaf becomes the newest leaf under it. */
export function switchTo(db: Db, conversationId: string, messageId: string): void {
  const c = mustConversation(db, conversationId);
  const m = mustMessage(db, messageId);
  if (m.conversation_id !== c.id) throw invalid(`Message ${messageId} is not in conversation ${c.id}.`);
  db.stmt('UPDATE conversations SET current_leaf_id = ? WHERE seq = ?').run(newestLeaf(db, messageId), c.seq);
}

/**
 * Deletes a message and its descendants with their index entries. When the current leaf was among them,
 * the conversation shows the newest remaining sibling's newest leaf, or else the parent. `orphans`: the ids of the
 * attachments no message uses any more (their rows are gone; their files can be deleted once this commits).
 */
export function removeMessage(db: Db, id: string): { conversation: ConversationRow; orphans: string[] } {
  const m = mustMessage(db, id);
  const c = mustConversation(db, m.conversation_id);
  const ids = (db.stmt(`WITH RECURSIVE d(id) AS (SELECT ? UNION ALL SELECT m.id FROM messages m JOIN d ON m.parent_id = d.id) SELECT id FROM d`)
    .all(id) as { id: string }[]).map((r) => r.id);
  const json = JSON.stringify(ids);
  const used = attachmentIdsWhere(db, 'm.id IN (SELECT value FROM json_each(?))', json);
  db.stmt("INSERT INTO messages_fts(messages_fts, rowid, text) SELECT 'delete', seq, text FROM messages WHERE id IN (SELECT value FROM json_each(?)) AND indexed = 1").run(json);
  db.stmt('DELETE FROM messages_grams WHERE rowid IN (SELECT seq FROM messages WHERE id IN (SELECT value FROM json_each(?)) AND indexed = 1)').run(json);
  db.stmt('DELETE FROM messages WHERE id IN (SELECT value FROM json_each(?))').run(json);
  let leaf = c.current_leaf_id;
  if (leaf !== null && ids.includes(leaf)) {
    const sibling = (m.parent_id === null
      ? db.stmt('SELECT id FROM messages WHERE conversation_id = ? AND parent_id IS NULL ORDER BY created_at DESC, seq DESC LIMIT 1').get(c.id)
      : db.stmt('SELECT id FROM messages WHERE parent_id = ? ORDER BY created_at DESC, seq DESC LIMIT 1').get(m.parent_id)) as { id: string } | undefined;
    leaf = sibling ? newestLeaf(db, sibling.id) : m.parent_id;
  }
  db.stmt('UPDATE conversations SET current_leaf_id = ?, message_count = max(0, message_count - ?) WHERE seq = ?').run(leaf, ids.length, c.seq);
  return { conversation: { ...c, current_leaf_id: leaf, message_count: Math.max(0, c.message_count - ids.length) }, orphans: dropUnreferenced(db, used) };
}
