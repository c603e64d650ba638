/**
 * The schema of parley.db, as numbered migrations. Migration k (1-based) takes the database from version k-1
 * to k; each runs in its own transaction together with `PRAGMA user_version = k`, so a failure leaves the
 * previous version intact. Never edit a released migration: add a new one at the end.
 *
 * Tables:
 * - conversations: `seq` (stable integer key, the FTS rowid) and `id` (UUID, the public key).
 * - messages: a tree per conversation (`parent_id`; siblings are versions), `depth` (0 for a root) so a
 *   page of the path can be read without walking to the root, `indexed` (1 when its text is in messages_fts and
 *   messages_grams; 0 while streaming, and for an imported message until the index catches up: messages_unindexed).
 *   `seq` is time-ordered (createdAt × 1024 + n, see records.ts), so rowid order is newest-first order.
 * - messages_fts / titles_fts: FTS5 trigram indexes over messages.text and conversations.title, with
 *   external content (no second copy of the text) and `secure-delete` (deleted text leaves the index). The
 *   store keeps them in sync itself: a message is indexed once it is no longer streaming.
 * - messages.ending / conversations.params: JSON (an answer's AnswerEnding; a conversation's ConversationParams).
 * - messages.tools: JSON, an answer's tool calls (ToolRun[]: MCP tools, their approval, results and durations).
 * - messages_usage_conversation / messages_usage_day: partial indexes holding each answer's usage JSON, so the
 *   usage sums never read a message's row.
 * - messages_grams: the characters and character pairs of each indexed message (grams.ts), for words of 1 or 2
 *   characters, which the trigram index cannot find; contentless, kept in step with messages_fts.
 * - sync_*: change capture for sync (sync-tables.ts): the device's clock, which entities changed (sync_dirty), the
 *   stamp of each entity's or field's last change (sync_clock), deletes (sync_tombstones), and sync's own state.
 * - attachments / message_attachments: each stored file once (its SHA-256 id, kind, mime, size, the rest of its
 *   AttachmentRef as JSON), and each message's files in order with their names (deleted with the message).
 */
import type { DatabaseSync } from 'node:sqlite';
import { createGrams } from './grams.ts';
import { createSyncTables } from './sync-tables.ts';

/** "PRLY": marks the file as Parley's (PRAGMA application_id). */
export const APPLICATION_ID = 0x50524c59;

export interface Migration {
  name: string;
  up: string | ((db: DatabaseSync) => void);
}

export const MIGRATIONS: readonly Migration[] = [
  {
    name: 'conversations and messages',
    up: `
      PRAGMA application_id = ${APPLICATION_ID};
      CREATE TABLE conversations (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL DEFAULT '',
        provider_id TEXT,
        model TEXT,
        system_prompt TEXT NOT NULL DEFAULT '',
        context_messages INTEGER NOT NULL DEFAULT 0,
        pinned INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        current_leaf_id TEXT
      ) STRICT;
      CREATE INDEX conversations_list ON conversations(pinned DESC, updated_at DESC);
      CREATE TABLE messages (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        parent_id TEXT REFERENCES messages(id),
        role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
        text TEXT NOT NULL DEFAULT '',
        reasoning TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL CHECK (status IN ('complete', 'streaming', 'stopped', 'interrupted', 'failed')),
        error TEXT CHECK (error IS NULL OR json_valid(error)),
        provider_id TEXT,
        model TEXT,
        usage TEXT CHECK (usage IS NULL OR json_valid(usage)),
        ttft_ms INTEGER,
        duration_ms INTEGER,
        reasoning_ms INTEGER,
        route_info TEXT CHECK (route_info IS NULL OR json_valid(route_info)),
        finish_reason TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX messages_children ON messages(parent_id, created_at);
      CREATE INDEX messages_conversation ON messages(conversation_id, parent_id);
      CREATE INDEX messages_streaming ON messages(status) WHERE status = 'streaming';
    `,
  },
  {
    name: 'full-text search (trigram, external content, secure-delete)',
    up: `
      ALTER TABLE messages ADD COLUMN indexed INTEGER NOT NULL DEFAULT 0;
      CREATE VIRTUAL TABLE messages_fts USING fts5(text, content='messages', content_rowid='seq', tokenize='trigram', columnsize=0);
      INSERT INTO messages_fts(messages_fts, rank) VALUES ('secure-delete', 1);
      CREATE VIRTUAL TABLE titles_fts USING fts5(title, content='conversations', content_rowid='seq', tokenize='trigram', columnsize=0);
      INSERT INTO titles_fts(titles_fts, rank) VALUES ('secure-delete', 1);
      INSERT INTO messages_fts(rowid, text) SELECT seq, text FROM messages WHERE status <> 'streaming';
      UPDATE messages SET indexed = 1 WHERE status <> 'streaming';
      INSERT INTO titles_fts(rowid, title) SELECT seq, title FROM conversations;
    `,
  },
  {
    name: 'drafts, message counts and path depth',
    up: `
      ALTER TABLE conversations ADD COLUMN draft TEXT NOT NULL DEFAULT '';
      ALTER TABLE conversations ADD COLUMN message_count INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE messages ADD COLUMN depth INTEGER NOT NULL DEFAULT 0;
      UPDATE conversations SET message_count = (SELECT count(*) FROM messages m WHERE m.conversation_id = conversations.id);
      CREATE TEMP TABLE migration_depth AS
        WITH RECURSIVE d(id, depth) AS (
          SELECT id, 0 FROM messages WHERE parent_id IS NULL
          UNION ALL
          SELECT m.id, d.depth + 1 FROM messages m JOIN d ON m.parent_id = d.id
        ) SELECT id, depth FROM d;
      UPDATE messages SET depth = migration_depth.depth FROM migration_depth WHERE migration_depth.id = messages.id;
      DROP TABLE temp.migration_depth;
    `,
  },
  {
    // Untitled conversations were stored as "New chat" in English; an untitled one is '' now, which the window
    // calls "New chat" in its own language. Their titles leave the title index too (it holds no empty titles' words).
    name: 'untitled conversations without an English title',
    up: `
      INSERT INTO titles_fts(titles_fts, rowid, title) SELECT 'delete', seq, title FROM conversations WHERE title = 'New chat';
      UPDATE conversations SET title = '' WHERE title = 'New chat';
      INSERT INTO titles_fts(rowid, title) SELECT seq, title FROM conversations WHERE title = '';
    `,
  },
  {
    // Words of 1 or 2 characters were a LIKE scan of every message when few matched; grams.ts finds them at once.
    name: 'the short-word index (messages_grams)',
    up: createGrams,
  },
  {
    // How an answer ended as data (shared/answer.ts AnswerEnding; finish_reason keeps the provider's own value), and
    // each conversation's own parameters (temperature, top_p, max tokens, thinking; shared/chat.ts ConversationParams).
    name: 'answer endings and conversation parameters',
    up: `
      ALTER TABLE messages ADD COLUMN ending TEXT CHECK (ending IS NULL OR json_valid(ending));
      ALTER TABLE conversations ADD COLUMN params TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(params));
    `,
  },
  {
    // Usage sums (usage.ts) read only these indexes, not the messages' rows with their text: a 10,000-message
    // conversation's totals took about 35 ms of main's thread (more with a cold cache), now about 3.
    name: 'usage indexes',
    up: `
      CREATE INDEX messages_usage_conversation ON messages(conversation_id, usage) WHERE role = 'assistant' AND usage IS NOT NULL;
      CREATE INDEX messages_usage_day ON messages(created_at, provider_id, model, usage) WHERE role = 'assistant' AND usage IS NOT NULL;
    `,
  },
  {
    // Files a question carries (issue 19): the bytes live in the data folder's content-addressed store
    // (services/attachments), named by their SHA-256; here, what each is (one row per file, however many messages
    // use it) and which message uses which, in order, under the name the user had. A file's row goes with the last
    // message that uses it (attachments.ts), and then the file too.
    name: 'attachments',
    up: `
      CREATE TABLE attachments (
        id TEXT PRIMARY KEY CHECK (length(id) = 64),
        kind TEXT NOT NULL CHECK (kind IN ('image', 'text', 'pdf')),
        mime TEXT NOT NULL,
        size INTEGER NOT NULL CHECK (size >= 0),
        meta TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(meta)),
        created_at INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE message_attachments (
        message_seq INTEGER NOT NULL REFERENCES messages(seq) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        attachment_id TEXT NOT NULL REFERENCES attachments(id),
        name TEXT NOT NULL,
        PRIMARY KEY (message_seq, position)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX message_attachments_attachment ON message_attachments(attachment_id);
    `,
  },
  {
    name: 'tool calls of answers',
    up: `ALTER TABLE messages ADD COLUMN tools TEXT CHECK (tools IS NULL OR json_valid(tools));`,
  },
  {
    // The usage by day reads each answer's numbers from this index instead of extracting them from its JSON:
    // over 100,000 answers, 277 → 88 ms of CPU (measured 2026-12-07). Its expressions are usage.ts's, written alike.
    name: 'usage by day from an expression index',
    up: `
      DROP INDEX messages_usage_day;
      CREATE INDEX messages_usage_day ON messages(created_at, provider_id, model,
        json_extract(usage, '$.inputTokens'), json_extract(usage, '$.outputTokens'),
        json_extract(usage, '$.cacheReadTokens'), json_extract(usage, '$.cacheWriteTokens'),
        json_extract(usage, '$.reasoningTokens'), json_extract(usage, '$.cost.currency'),
        json_extract(usage, '$.cost.amount'))
        WHERE role = 'assistant' AND usage IS NOT NULL;
    `,
  },
  {
    // Sync (services/sync, issue 21): what changed here since the last sync, found by triggers so no write path
    // can forget it (the app's, an import worker's, a recovery at open). Off until the first sync (sync_self.enabled),
    // and quiet while a sync applies what other devices wrote (sync_self.applying, set inside that transaction).
    name: 'sync: change capture, clocks and tombstones',
    up: createSyncTables,
  },
  {
    // An import stores its messages without their search-index entries (indexed = 0) and the index catches up
    // afterwards (index-catch-up.ts; issue 17: the import's rate): this index lists the messages not in it yet, so the
    // catch-up finds them, and search reads them directly meanwhile, without scanning every message. Streaming
    // messages (indexed = 0 too) are left out: neither reads them, and counting needs no row (status follows the text).
    name: 'messages not yet in the search index',
    up: "CREATE INDEX messages_unindexed ON messages(seq) WHERE indexed = 0 AND status <> 'streaming';",
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function userVersion(db: DatabaseSync): number {
  return Number((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
}

/**
 * Applies migrations from the database's version up to `target` (default: all of `migrations`), each in
 * its own IMMEDIATE transaction; the version is re-read inside the transaction, so two processes opening
 * the same old file migrate it once.
 */
export function applyMigrations(db: DatabaseSync, migrations: readonly Migration[] = MIGRATIONS, target = migrations.length): void {
  for (;;) {
    db.exec('BEGIN IMMEDIATE');
    try {
      const v = userVersion(db);
      if (v >= target) {
        db.exec('COMMIT');
        return;
      }
      const m = migrations[v];
      if (!m) throw new Error(`No migration to schema ${v + 1}.`);
      if (typeof m.up === 'string') db.exec(m.up);
      else m.up(db);
      db.exec(`PRAGMA user_version = ${v + 1}`);
      db.exec('COMMIT');
    } catch (e) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw e;
    }
  }
}
