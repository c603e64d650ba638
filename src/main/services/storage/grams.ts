/**
 * The short-word index: for each indexed message, the distinct characters and pairs of adjacent characters of
 * its text (white space left out: a query's words never hold any), in `messages_grams` (FTS5, contentless,
 * doclists only). The trigram index cannot find words of 1 or 2 characters; before this index they were a LIKE
 * scan, which read every message when few or none matched (a 2-character query with no hit: ~100 ms over
 * 100,000 messages). A short word's grams give exactly the messages that hold it, newest first, so such a query
 * stops at its limit or finds nothing at once.
 *
 * A gram is written as the hex code points of its characters joined by 'x' ("ab" → "61x62", "网" → "7f51"), a
 * token FTS5's ascii tokenizer keeps whole. Case is folded for A–Z only, as SQLite's LIKE does, so the index
 * finds the same messages as LIKE '%word%' (the search still checks that LIKE on what it finds). A lone
 * surrogate is U+FFFD, as it is once stored.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { Db } from './db.ts';

/** Code points JavaScript's \s matches (queryWords splits at them): a gram never holds one. */
function isSpace(c: number): boolean {
  return (c >= 9 && c <= 13) || c === 32 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** Calls `each` with the code points of `s` (surrogate pairs joined, a lone surrogate as U+FFFD, A–Z as a–z). */
function codePoints(s: string, each: (c: number) => void): void {
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = c <= 0xdbff && i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
        i++;
      } else c = 0xfffd;
    } else if (c >= 65 && c <= 90) c += 32;
    each(c);
  }
}

const PAIR = 0x110000;
/** The hex of each code point below U+10000 seen (an import writes the same few thousand again and again). */
const bmpHex: (string | undefined)[] = new Array<string | undefined>(0x10000);
const hex = (c: number): string => (c < 0x10000 ? (bmpHex[c] ??= c.toString(16)) : c.toString(16));

/** An open-addressing set of the grams of one text (two slots per character at most), reused between calls. */
let table = new Float64Array(1 << 12);

/**
 * The distinct grams of a text as the index's tokens, space-separated, in the order first seen. The set is a typed
 * array probed by hand rather than a Set of doubles, and there is no callback per character: about 3 times faster,
 * which an import of 190,000 messages notices (2026-12-07).
 */
export function gramTokens(text: string): string {
  let size = 64;
  while (size < text.length * 4) size *= 2;
  if (size > table.length) table = new Float64Array(size);
  // Slots hold gram + 1 (0: empty); a gram is a code point c or a pair p × PAIR + c.
  table.fill(0, 0, size);
  const mask = size - 1;
  let out = '';
  let prev = -1;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = c <= 0xdbff && i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
        i++;
      } else c = 0xfffd;
    } else if (c >= 65 && c <= 90) c += 32;
    if (isSpace(c)) {
      prev = -1;
      continue;
    }
    // The character, then the pair it ends (if any).
    for (let k = 1; k <= (prev >= 0 ? 2 : 1); k++) {
      const key = k === 2 ? prev * PAIR + c + 1 : c + 1;
      let h = (Math.imul(k === 2 ? prev + 1 : 0, 0x9e3779b1) ^ Math.imul(c + 1, 0x85ebca6b)) & mask;
      for (;;) {
        const at = table[h]!;
        if (at === key) break;
        if (at === 0) {
          table[h] = key;
          const t = k === 2 ? `${hex(prev)}x${hex(c)}` : hex(c);
          out = out ? `${out} ${t}` : t;
          break;
        }
        h = (h + 1) & mask;
      }
    }
    prev = c;
  }
  if (table.length > 1 << 16) table = new Float64Array(1 << 12);
  return out;
}

/** The token of a word of 1 or 2 characters (no white space), as gramTokens writes it. */
export function wordToken(word: string): string {
  const cs: number[] = [];
  codePoints(word, (c) => cs.push(c));
  if (cs.length < 1 || cs.length > 2) throw new Error('a short word is 1 or 2 characters');
  return cs.map((c) => c.toString(16)).join('x');
}

/** The FTS5 expression finding messages that hold every one of the (short) words. */
export function gramsExpression(words: string[]): string {
  return words.map((w) => `"${wordToken(w)}"`).join(' AND ');
}

/** The table (migration 5 creates it; secure-delete: a deleted message's grams leave the index). */
export const GRAMS_SCHEMA = `
  CREATE VIRTUAL TABLE messages_grams USING fts5(grams, content='', contentless_delete=1, detail=none, tokenize='ascii');
  INSERT INTO messages_grams(messages_grams, rank) VALUES ('secure-delete', 1);`;

export function indexGrams(db: Db, seq: number, text: string): void {
  db.stmt('INSERT INTO messages_grams(rowid, grams) VALUES (?, ?)').run(seq, gramTokens(text));
}

export function unindexGrams(db: Db, seq: number): void {
  db.stmt('DELETE FROM messages_grams WHERE rowid = ?').run(seq);
}

/** Migration 5: the table, and the grams of every message already indexed. */
export function createGrams(raw: DatabaseSync): void {
  raw.exec(GRAMS_SCHEMA);
  const insert = raw.prepare('INSERT INTO messages_grams(rowid, grams) VALUES (?, ?)');
  for (const r of raw.prepare('SELECT seq, text FROM messages WHERE indexed = 1').iterate() as Iterable<{ seq: number; text: string }>) {
    insert.run(r.seq, gramTokens(r.text));
  }
}
