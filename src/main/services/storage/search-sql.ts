/**
 * Search queries, run by the search worker on its own read-only connection. A query is split at white space
 * into words, and a message (or title) is found when it holds every word as a literal substring,
 * case-insensitive (", *, -, :, parentheses and AND/OR/NOT are literal). Words of 3 characters or more go to
 * FTS5 over the trigram indexes (the whole query as one phrase, or each word: a phrase's words are then
 * marked as one span in the snippet); shorter words are LIKE filters (%, _ and \ escaped); a query of short
 * words only is answered from the short-word index (grams.ts: the messages holding its characters, newest
 * first, each checked with LIKE), so it stops at the limit and finds nothing at once when nothing matches.
 * Message hits are the newest matches by creation (rowid order, see records.ts), title hits the most recently
 * updated conversations; together they are returned by updatedAt, newest first. Versions of one message
 * (siblings: same parent, same role) are one hit, the newest version that matches. Snippets are plain text:
 * markdown's marks (emphasis, code, headings, list and quote markers, link targets) are left out.
 *
 * Messages not in the indexes yet (an import's, while the index catches up: index-catch-up.ts) are read directly,
 * newest first, every word a LIKE filter (messages_unindexed lists them), and merged with the indexes' hits by
 * rowid: a search during the catch-up finds what it will find after it (only slower; once caught up this reads
 * nothing). LIKE folds case for A-Z only, where the trigram index also folds other scripts' letters.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { gramsExpression } from './grams.ts';
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

/** The words of a query (split at white space, each once). */
export function queryWords(query: string): string[] {
  return [...new Set(query.split(/\s+/).filter(Boolean))];
}

/**
 * The FTS5 expression for the long words of a query: each word (all of them), or, when the query has more
 * than one word, the whole query as one phrase (a match then marks the phrase as one span).
 */
export function ftsExpression(query: string, longWords: string[]): string {
  const each = longWords.map(ftsPhrase).join(' AND ');
  return queryWords(query).length > 1 && longWords.length > 0 ? `${ftsPhrase(query)} OR (${each})` : each;
}

/**
 * A snippet as plain text: markdown's marks are left out (emphasis, inline code and fences, heading, quote
 * and list markers, a link's or image's target), white space is one space. The match marks stay.
 */
export function plainSnippet(s: string): string {
  return s
    .replace(/!?\[([^\]\n]*)\]\([^)\n]*\)/g, '$1')
    // A link cut by the snippet's ends: its target, or its opening bracket.
    .replace(/\]\([^)\s]*(?:\)|(?=…)|$)/g, '')
    .replace(/!?\[(?=[^\]\n]*(?:…|$))/g, '')
    .replace(/^[ \t]*(?:```|~~~)[^\n]*$/gm, ' ')
    .replace(/^[ \t]*(?:#{1,6}[ \t]+|(?:>[ \t]?)+|[-*+][ \t]+(?:\[[ xX]\][ \t]+)?|\d{1,9}[.)][ \t]+)/gm, '')
    .replace(/\*\*|__|~~|`+/g, '')
    .replace(/(^|[\s(\uE000\uE001])\*(?=[^\s*])([^*\n]*?[^\s*])\*(?=$|[\s).,!?:;\uE000\uE001])/gm, '$1$2')
    .replace(/(^|[\s(\uE000\uE001])_(?=[^\s_])([^_\n]*?[^\s_])_(?=$|[\s).,!?:;\uE000\uE001])/gm, '$1$2')
    .replace(/\s+/g, ' ')
    .trim();
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
  seq: number;
  id: string;
  conversation_id: string;
  parent_id: string | null;
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

/** `AND <column> LIKE ? ESCAPE '\'` for each word (the values: likePattern of each). */
const likeAll = (column: string, n: number): string => Array.from({ length: n }, () => ` AND ${column} LIKE ? ESCAPE '\\'`).join('');

/** Prepares the queries once on a (read-only) connection; returns the search function. */
export function createSearcher(db: DatabaseSync): Searcher {
  const cache = new Map<string, StatementSync>();
  const stmt = (sql: string): StatementSync => {
    let s = cache.get(sql);
    if (!s) cache.set(sql, (s = db.prepare(sql)));
    return s;
  };
  const ftsMessages = (expr: string, short: string[], limit: number, tokens: number): MessageHitRow[] => {
    // One pass, newest first: rowids are time-ordered, FTS5 walks its index backwards and stops at the limit,
    // so snippets are built for the returned rows only, however many messages match.
    const found = stmt(`SELECT rowid AS seq, snippet(messages_fts, 0, ?, ?, '…', ?) AS snippet FROM messages_fts
      WHERE messages_fts MATCH ?${likeAll('text', short.length)} ORDER BY rowid DESC LIMIT ?`)
      .all(SNIPPET_MARK_START, SNIPPET_MARK_END, tokens, expr, ...short.map(likePattern), limit) as { seq: number; snippet: string }[];
    if (found.length === 0) return [];
    const meta = stmt(`SELECT m.seq, m.id, m.conversation_id, m.parent_id, m.role, m.updated_at, c.title FROM messages m JOIN conversations c ON c.id = m.conversation_id
      WHERE m.seq IN (SELECT value FROM json_each(?))`).all(JSON.stringify(found.map((f) => f.seq))) as unknown as (Omit<MessageHitRow, 'snippet'> & { seq: number })[];
    const bySeq = new Map(meta.map((m) => [m.seq, m]));
    return found.flatMap((f) => {
      const m = bySeq.get(f.seq);
      return m ? [{ ...m, seq: f.seq, snippet: f.snippet }] : [];
    });
  };
  const ftsTitles = (expr: string, short: string[], limit: number): TitleRow[] =>
    stmt(`SELECT c.id, c.title, c.updated_at, snippet(titles_fts, 0, ?, ?, '…', 64) AS snippet
      FROM titles_fts JOIN conversations c ON c.seq = titles_fts.rowid
      WHERE titles_fts MATCH ?${likeAll('c.title', short.length)} ORDER BY c.updated_at DESC LIMIT ?`)
      .all(SNIPPET_MARK_START, SNIPPET_MARK_END, expr, ...short.map(likePattern), limit) as unknown as TitleRow[];
  const likeMessages = (words: string[], limit: number): LikeMessageRow[] => {
    const q = words[0] ?? '';
    // The short-word index gives the messages holding every word's characters, newest first (its rowids are the
    // messages' seq); the LIKE filters confirm each one, so this finds what a LIKE scan of all messages would.
    return stmt(`SELECT seq, id, conversation_id, parent_id, role, updated_at, title, substr(text, max(1, pos - 40), 80 + length(?)) AS around,
        max(1, pos - 40) - 1 AS start, length(text) AS len
      FROM (SELECT m.seq, m.id, m.conversation_id, m.parent_id, m.role, m.updated_at, c.title, m.text, instr(lower(m.text), lower(?)) AS pos
        FROM messages_grams g JOIN messages m ON m.seq = g.rowid JOIN conversations c ON c.id = m.conversation_id
        WHERE messages_grams MATCH ? AND m.indexed = 1${likeAll('m.text', words.length)} ORDER BY g.rowid DESC LIMIT ?)`)
      .all(q, q, gramsExpression(words), ...words.map(likePattern), limit) as unknown as LikeMessageRow[];
  };
  /** The messages not in the indexes yet that hold every word (LIKE), newest first (see the top of this file). */
  const unindexedMessages = (words: string[], limit: number): LikeMessageRow[] => {
    const q = words[0] ?? '';
    return stmt(`SELECT seq, id, conversation_id, parent_id, role, updated_at, title, substr(text, max(1, pos - 40), 80 + length(?)) AS around,
        max(1, pos - 40) - 1 AS start, length(text) AS len
      FROM (SELECT m.seq, m.id, m.conversation_id, m.parent_id, m.role, m.updated_at, c.title, m.text, instr(lower(m.text), lower(?)) AS pos
        FROM messages m INDEXED BY messages_unindexed JOIN conversations c ON c.id = m.conversation_id
        WHERE m.indexed = 0 AND m.status <> 'streaming'${likeAll('m.text', words.length)} ORDER BY m.seq DESC LIMIT ?)`)
      .all(q, q, ...words.map(likePattern), limit) as unknown as LikeMessageRow[];
  };
  /** Two lists of rows newest first (by seq), merged, at most `limit`. */
  const newest = <A extends { seq: number }, B extends { seq: number }>(a: A[], b: B[], limit: number): (A | B)[] => {
    if (b.length === 0) return a;
    return [...a, ...b].sort((x, y) => y.seq - x.seq).slice(0, limit);
  };
  const likeTitles = (words: string[], limit: number): TitleRow[] =>
    stmt(`SELECT id, title, updated_at FROM conversations WHERE 1${likeAll('title', words.length)} ORDER BY updated_at DESC LIMIT ?`)
      .all(...words.map(likePattern), limit) as unknown as TitleRow[];

  return (query, limit) => {
    const q = normalizeQuery(query);
    if (!q) return [];
    const words = queryWords(q);
    const long = words.filter((w) => Array.from(w).length >= TRIGRAM_MIN_CHARS);
    const short = words.filter((w) => Array.from(w).length < TRIGRAM_MIN_CHARS);
    const titles: SearchHit[] = [];
    const messages: (SearchHit & { parentId: string | null })[] = [];
    if (long.length > 0) {
      const expr = ftsExpression(q, long);
      for (const t of ftsTitles(expr, short, limit)) {
        titles.push({ conversationId: t.id, conversationTitle: t.title, messageId: null, snippet: t.snippet ?? t.title, updatedAt: t.updated_at });
      }
      const n = Array.from(q).length;
      const first = long[0]!;
      for (const r of newest(ftsMessages(expr, short, limit, Math.min(64, Math.max(32, n + 30))), unindexedMessages(words, limit), limit)) {
        const snippet = 'snippet' in r ? r.snippet : likeSnippet(r.around, first, r.start, r.len);
        messages.push({ conversationId: r.conversation_id, conversationTitle: r.title, messageId: r.id, parentId: r.parent_id, role: r.role, snippet: plainSnippet(snippet), updatedAt: r.updated_at });
      }
    } else {
      const first = words[0] ?? q;
      for (const t of likeTitles(words, limit)) {
        titles.push({ conversationId: t.id, conversationTitle: t.title, messageId: null, snippet: likeSnippet(t.title, first), updatedAt: t.updated_at });
      }
      for (const r of newest(likeMessages(words, limit), unindexedMessages(words, limit), limit)) {
        messages.push({
          conversationId: r.conversation_id, conversationTitle: r.title, messageId: r.id, parentId: r.parent_id, role: r.role,
          snippet: plainSnippet(likeSnippet(r.around, first, r.start, r.len)), updatedAt: r.updated_at,
        });
      }
    }
    // Versions of one message are one hit: the newest version that matches (rows come newest first).
    const seen = new Set<string>();
    const hits: SearchHit[] = [...titles];
    for (const { parentId, ...h } of messages) {
      const key = `${h.conversationId}\u0000${parentId ?? ''}\u0000${h.role ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      hits.push(h);
    }
    hits.sort((a, b) => b.updatedAt - a.updatedAt);
    return hits.slice(0, limit);
  };
}
