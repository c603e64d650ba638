/**
 * Search queries, run by the search worker on its own read-only connection. A query of 3 characters or
 * more is one quoted FTS5 phrase over the trigram indexes (a case-insensitive substring match; ", *, -, :,
 * parentheses and AND/OR/NOT are literal); a shorter one is a LIKE scan (%, _ and \ escaped) of the newest
 * messages first, bounded by the limit. Either way the query is matched as one literal substring.
 * Message hits are the newest matches by creation (rowid order, see records.ts), title hits the most recently
 * updated conversations; together they are returned by updatedAt, newest first.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { SNIPPET_MARK_END, SNIPPET_MARK_START, type MessageRole, type SearchHit } from '../../../shared/chat.ts';

/** The trigram tokenizer cannot match fewer characters than this. */
export const TRIGRAM_MIN_CHARS = 3;
export const MAX_QUERY_CHARS = 256;
/** Characters of context on each side of the match in a LIKE-path snippet. */
const CONTEXT_CHARS = 16;

/** A user query as one FTS5 string: everything inside is literal. */
export function ftsPhrase(query: string): string {
  return `"${query.replaceAll('"', '""')}"`;
}

/** A LIKE pattern matching `query` as a substring (with ESCAPE '\'). */
export function likePattern(query: string): string {
  return `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Trimmed, without NULs, at most MAX_QUERY_CHARS code points. */
export function normalizeQuery(query: string): string {
  const q = query.replaceAll('\u0000', '').trim();
  const chars = Array.from(q);
  return chars.length > MAX_QUERY_CHARS ? chars.slice(0, MAX_QUERY_CHARS).join('') : q;
}

/** A-Z → a-z only, as SQLite's LIKE and lower() fold case (length preserved). */
const asciiLower = (s: string): string => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());

/**
 * A snippet around the first (ASCII case-insensitive) occurrence of `query` in `text`: up to 16 characters
 * on each side, '…' where text was cut, the match wrapped in the snippet marks. `offset` is where `text`
 * starts in the whole field (code points) and `wholeLength` its length, so '…' is right for a window.
 */
export function likeSnippet(text: string, query: string, offset = 0, wholeLength?: number): string {
  const chars = Array.from(text);
  const hay = Array.from(asciiLower(text));
  const needle = Array.from(asciiLower(query));
  let at = -1;
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    at = i;
    break;
  }
  if (at < 0) return chars.slice(0, 2 * CONTEXT_CHARS).join('') + (chars.length > 2 * CONTEXT_CHARS ? '…' : '');
  const from = Math.max(0, at - CONTEXT_CHARS);
  const end = at + needle.length;
  const to = Math.min(chars.length, end + CONTEXT_CHARS);
  const total = wholeLength ?? offset + chars.length;
  return (
    (from > 0 || offset > 0 ? '…' : '') +
    chars.slice(from, at).join('') +
    SNIPPET_MARK_START + chars.slice(at, end).join('') + SNIPPET_MARK_END +
    chars.slice(end, to).join('') +
    (offset + to < total ? '…' : '')
  );
}

interface MessageHitRow {
  id: string;
  conversation_id: string;
  role: MessageRole;
  updated_at: number;
  title: string;
  snippet: string;
}

interface LikeMessageRow extends Omit<MessageHitRow, 'snippet'> {
  around: string;
  start: number;
  len: number;
}

interface TitleRow {
  id: string;
  title: string;
  updated_at: number;
  snippet?: string;
}

export type Searcher = (query: string, limit: number) => SearchHit[];

/** Prepares the queries once on a (read-only) connection; returns the search function. */
export function createSearcher(db: DatabaseSync): Searcher {
  const cache = new Map<string, StatementSync>();
  const stmt = (sql: string): StatementSync => {
    let s = cache.get(sql);
    if (!s) cache.set(sql, (s = db.prepare(sql)));
    return s;
  };
  const ftsMessages = (phrase: string, limit: number, tokens: number): MessageHitRow[] => {
    // One pass, newest first: rowids are time-ordered, FTS5 walks its index backwards and stops at the limit,
    // so snippets are built for the returned rows only, however many messages match.
    const found = stmt(`SELECT rowid AS seq, snippet(messages_fts, 0, ?, ?, '…', ?) AS snippet FROM messages_fts
      WHERE messages_fts MATCH ? ORDER BY rowid DESC LIMIT ?`).all(SNIPPET_MARK_START, SNIPPET_MARK_END, tokens, phrase, limit) as { seq: number; snippet: string }[];
    if (found.length === 0) return [];
    const meta = stmt(`SELECT m.seq, m.id, m.conversation_id, m.role, m.updated_at, c.title FROM messages m JOIN conversations c ON c.id = m.conversation_id
      WHERE m.seq IN (SELECT value FROM json_each(?))`).all(JSON.stringify(found.map((f) => f.seq))) as unknown as (Omit<MessageHitRow, 'snippet'> & { seq: number })[];
    const bySeq = new Map(meta.map((m) => [m.seq, m]));
    return found.flatMap((f) => {
      const m = bySeq.get(f.seq);
      return m ? [{ ...m, snippet: f.snippet }] : [];
    });
  };
  const ftsTitles = (phrase: string, limit: number): TitleRow[] =>
    stmt(`SELECT c.id, c.title, c.updated_at, snippet(titles_fts, 0, ?, ?, '…', 64) AS snippet
      FROM titles_fts JOIN conversations c ON c.seq = titles_fts.rowid
      WHERE titles_fts MATCH ? ORDER BY c.updated_at DESC LIMIT ?`).all(SNIPPET_MARK_START, SNIPPET_MARK_END, phrase, limit) as unknown as TitleRow[];
  const likeMessages = (q: string, limit: number): LikeMessageRow[] =>
    stmt(`SELECT id, conversation_id, role, updated_at, title, substr(text, max(1, pos - 40), 80 + length(:q)) AS around,
        max(1, pos - 40) - 1 AS start, length(text) AS len
      FROM (SELECT m.id, m.conversation_id, m.role, m.updated_at, c.title, m.text, instr(lower(m.text), lower(:q)) AS pos
        FROM messages m JOIN conversations c ON c.id = m.conversation_id
        WHERE m.indexed = 1 AND m.text LIKE :pattern ESCAPE '\\' ORDER BY m.seq DESC LIMIT :limit)`)
      .all({ q, pattern: likePattern(q), limit }) as unknown as LikeMessageRow[];
  const likeTitles = (q: string, limit: number): TitleRow[] =>
    stmt(`SELECT id, title, updated_at FROM conversations WHERE title LIKE ? ESCAPE '\\' ORDER BY updated_at DESC LIMIT ?`)
      .all(likePattern(q), limit) as unknown as TitleRow[];

  return (query, limit) => {
    const q = normalizeQuery(query);
    if (!q) return [];
    const n = Array.from(q).length;
    const hits: SearchHit[] = [];
    if (n >= TRIGRAM_MIN_CHARS) {
      const phrase = ftsPhrase(q);
      for (const t of ftsTitles(phrase, limit)) {
        hits.push({ conversationId: t.id, conversationTitle: t.title, messageId: null, snippet: t.snippet ?? t.title, updatedAt: t.updated_at });
      }
      for (const r of ftsMessages(phrase, limit, Math.min(64, Math.max(32, n + 30)))) {
        hits.push({ conversationId: r.conversation_id, conversationTitle: r.title, messageId: r.id, role: r.role, snippet: r.snippet, updatedAt: r.updated_at });
      }
    } else {
      for (const t of likeTitles(q, limit)) {
        hits.push({ conversationId: t.id, conversationTitle: t.title, messageId: null, snippet: likeSnippet(t.title, q), updatedAt: t.updated_at });
      }
      for (const r of likeMessages(q, limit)) {
        hits.push({
          conversationId: r.conversation_id, conversationTitle: r.title, messageId: r.id, role: r.role,
          snippet: likeSnippet(r.around, q, r.start, r.len), updatedAt: r.updated_at,
        });
      }
    }
    hits.sort((a, b) => b.updatedAt - a.updatedAt);
    return hits.slice(0, limit);
  };
}
