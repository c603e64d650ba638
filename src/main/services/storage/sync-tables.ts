/**
 * Migration 10's tables and triggers: what sync (services/sync) needs to find this device's changes reliably.
 *
 * - sync_self: one row: this database's device id, whether sync is on (the triggers record nothing before the first
 *   sync), `applying` (set by a sync inside the transaction that applies other devices' changes, so they are not
 *   recorded as this device's and echoed back), the hybrid clock (the highest millisecond stamp made or seen: a
 *   change made here is stamped later than anything this device has seen) and a counter ordering sync_dirty.
 * - sync_dirty: which entity changed since it was last published ('c:<conversation id>', 'm:<message id>'), with the
 *   counter at its last change (a row changed again while a sync publishes it keeps a higher number and stays).
 * - sync_clock: the stamp of an entity's last change: 'm:<id>' a message, 'c:<id>' a conversation's creation,
 *   'c:<id>:<field>' one of its values (title, pinned...). A stamp is `%015d-<device>` (ms, then the device that
 *   made it): stamps compare as text, later wins, the device id breaks ties.
 * - sync_tombstones: deletes ('c:<id>', 'm:<id>'; a message's parent kept), so a delete travels and an older copy
 *   arriving later does not bring it back. A conversation's delete replaces its messages' own tombstones.
 * - sync_cursors, sync_pending, sync_kv, sync_files: sync's own state (services/sync/local.ts).
 */
import type { DatabaseSync } from 'node:sqlite';

/** The conversation values sync carries, by column, with their names in sync_clock and on the wire. */
export const SYNCED_CONVERSATION_FIELDS = {
  title: 'title',
  pinned: 'pinned',
  params: 'params',
  system_prompt: 'systemPrompt',
  provider_id: 'providerId',
  model: 'model',
  context_messages: 'contextMessages',
} as const;

/** The message columns whose change is a change to sync (not `indexed`, `updated_at`, `depth`). */
export const SYNCED_MESSAGE_COLUMNS = [
  'text', 'reasoning', 'status', 'error', 'provider_id', 'model', 'usage', 'ttft_ms', 'duration_ms', 'reasoning_ms', 'route_info',
  'finish_reason', 'ending', 'tools',
] as const;

const ON = 'WHEN (SELECT enabled AND NOT applying FROM sync_self WHERE id = 1)';
const BUMP = `UPDATE sync_self SET clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)), counter = counter + 1 WHERE id = 1;`;
const STAMP = `(SELECT printf('%015d-%s', clock, device) FROM sync_self WHERE id = 1)`;
const N = '(SELECT counter FROM sync_self WHERE id = 1)';
const dirty = (entity: string): string => `INSERT OR REPLACE INTO sync_dirty (entity, n) VALUES (${entity}, ${N});`;

export function createSyncTables(db: DatabaseSync): void {
  const convFields = Object.entries(SYNCED_CONVERSATION_FIELDS);
  db.exec(`
    CREATE TABLE sync_self (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      device TEXT NOT NULL DEFAULT '',
      enabled INTEGER NOT NULL DEFAULT 0,
      applying INTEGER NOT NULL DEFAULT 0,
      clock INTEGER NOT NULL DEFAULT 0,
      counter INTEGER NOT NULL DEFAULT 0
    ) STRICT;
    INSERT INTO sync_self (id) VALUES (1);
    CREATE TABLE sync_dirty (entity TEXT PRIMARY KEY, n INTEGER NOT NULL) STRICT, WITHOUT ROWID;
    CREATE INDEX sync_dirty_n ON sync_dirty(n);
    CREATE TABLE sync_clock (entity TEXT PRIMARY KEY, stamp TEXT NOT NULL) STRICT, WITHOUT ROWID;
    CREATE TABLE sync_tombstones (
      entity TEXT PRIMARY KEY,
      conversation_id TEXT NOT NULL,
      parent_id TEXT,
      stamp TEXT NOT NULL
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX sync_tombstones_conversation ON sync_tombstones(conversation_id);
    CREATE TABLE sync_cursors (device TEXT PRIMARY KEY, seq INTEGER NOT NULL) STRICT, WITHOUT ROWID;
    CREATE TABLE sync_pending (id TEXT PRIMARY KEY, parent_id TEXT NOT NULL, entry TEXT NOT NULL CHECK (json_valid(entry))) STRICT, WITHOUT ROWID;
    CREATE INDEX sync_pending_parent ON sync_pending(parent_id);
    CREATE TABLE sync_kv (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT, WITHOUT ROWID;
    CREATE TABLE sync_files (id TEXT PRIMARY KEY) STRICT, WITHOUT ROWID;

    CREATE TRIGGER sync_conversation_insert AFTER INSERT ON conversations ${ON} BEGIN
      ${BUMP}
      INSERT OR REPLACE INTO sync_clock (entity, stamp) VALUES ('c:' || NEW.id, ${STAMP});
      DELETE FROM sync_tombstones WHERE entity = 'c:' || NEW.id;
      ${dirty("'c:' || NEW.id")}
    END;
    CREATE TRIGGER sync_conversation_update AFTER UPDATE ON conversations
      WHEN (SELECT enabled AND NOT applying FROM sync_self WHERE id = 1) AND (${convFields.map(([col]) => `NEW.${col} IS NOT OLD.${col}`).join(' OR ')}) BEGIN
      ${BUMP}
      ${convFields.map(([col, name]) => `INSERT OR REPLACE INTO sync_clock (entity, stamp) SELECT 'c:' || NEW.id || ':${name}', ${STAMP} WHERE NEW.${col} IS NOT OLD.${col};`).join('\n      ')}
      ${dirty("'c:' || NEW.id")}
    END;
    CREATE TRIGGER sync_conversation_delete AFTER DELETE ON conversations ${ON} BEGIN
      ${BUMP}
      DELETE FROM sync_tombstones WHERE conversation_id = OLD.id;
      INSERT OR REPLACE INTO sync_tombstones (entity, conversation_id, parent_id, stamp) VALUES ('c:' || OLD.id, OLD.id, NULL, ${STAMP});
      DELETE FROM sync_clock WHERE entity >= 'c:' || OLD.id AND entity < 'c:' || OLD.id || ';';
      ${dirty("'c:' || OLD.id")}
    END;
    CREATE TRIGGER sync_message_insert AFTER INSERT ON messages ${ON} BEGIN
      ${BUMP}
      INSERT OR REPLACE INTO sync_clock (entity, stamp) VALUES ('m:' || NEW.id, ${STAMP});
      DELETE FROM sync_tombstones WHERE entity = 'm:' || NEW.id;
      ${dirty("'m:' || NEW.id")}
    END;
    CREATE TRIGGER sync_message_update AFTER UPDATE ON messages
      WHEN (SELECT enabled AND NOT applying FROM sync_self WHERE id = 1) AND (${SYNCED_MESSAGE_COLUMNS.map((c) => `NEW.${c} IS NOT OLD.${c}`).join(' OR ')}) BEGIN
      ${BUMP}
      INSERT OR REPLACE INTO sync_clock (entity, stamp) VALUES ('m:' || NEW.id, ${STAMP});
      ${dirty("'m:' || NEW.id")}
    END;
    CREATE TRIGGER sync_message_delete AFTER DELETE ON messages ${ON} BEGIN
      ${BUMP}
      DELETE FROM sync_clock WHERE entity = 'm:' || OLD.id;
      INSERT OR REPLACE INTO sync_tombstones (entity, conversation_id, parent_id, stamp) VALUES ('m:' || OLD.id, OLD.conversation_id, OLD.parent_id, ${STAMP});
      ${dirty("'m:' || OLD.id")}
    END;
  `);
}
