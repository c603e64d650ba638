/**
 * A huge finished message (up to the 4 MB an answer may be) cut into segments that render on their own, so that
 * opening it renders only the segments near the viewport (its end first) instead of lexing all of it.
 *
 * One pass over the text with cheap per-character checks, no lexing (about 10 ms for 4 MB):
 * - between blocks: at a blank line outside a fenced code block or a `$$` formula, once a segment has `size`
 *   characters;
 * - inside a paragraph longer than twice that (a long answer with no blank line): after a sentence's end (a space
 *   after `.`, `!`, `?`, `;`, `:` or a Chinese stop) and before a letter, with no code span, link or formula open
 *   across the cut; past three times the size, after any space before a letter; past four times, before any
 *   letter that is not inside a surrogate pair (text without spaces). Such a cut is marked `cont` (the next segment goes on
 *   with the same paragraph: shown without a paragraph gap). Emphasis is not tracked: a `**` span crossing a
 *   sentence's end would show its asterisks (a finished message only; the streamed one is cut exactly, blocks.ts).
 * Reference link definitions (`[label]: url`) anywhere are gathered, so every segment can resolve them.
 * Where the text is cut depends only on the text.
 */
import type { TokensList } from 'marked';
import { makeBlock, type Block } from './blocks.ts';
import { noMarks, nothingOpen, readMark } from './marks.ts';
import { lexBlocks } from './syntax.ts';

export interface Segment {
  start: number;
  end: number;
  /** The segment continues a paragraph the previous one started. */
  cont: boolean;
}

export interface Segmented {
  segments: Segment[];
  /** Every reference link definition of the text, for lexing each segment. */
  links: TokensList['links'];
}

/**
 * A segment's target size in characters: lexed, rendered and sanitised in one task of a few milliseconds (a
 * paragraph's segment is up to twice that: 8,000 characters of one paragraph took 10–30 ms to lex on a busy 2-core machine).
 */
export const SEGMENT_CHARS = 4_000;

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const MATH_FENCE = /^ {0,3}\$\$/;
const DEF = /^ {0,3}\[[^\]\n]{1,999}\]:[ \t]*\S/;
const LETTER = /\p{L}/u;
const SENTENCE_END = /[.!?;:。！？；：，、]/;
/** A Chinese stop: a cut may follow it. */
const CJK_STOP = '。！？；，、';
/** The characters readMark (marks.ts) changes its state on; any other leaves it as it was. */
const MARK_CHAR = /[\\`[\]$\n]/;

export function segmentText(text: string, size = SEGMENT_CHARS): Segmented {
  const segments: Segment[] = [];
  const defLines: string[] = [];
  let segStart = 0;
  let cont = false;
  let fence: string | null = null; // the open fence's marker (``` or ~~~ run), or null
  let math = false; // inside a $$ block
  let pos = 0;
  const cut = (at: number, isCont: boolean): void => {
    if (at <= segStart || at >= text.length) return;
    segments.push({ start: segStart, end: at, cont });
    segStart = at;
    cont = isCont;
  };
  while (pos < text.length) {
    let eol = text.indexOf('\n', pos);
    if (eol < 0) eol = text.length;
    const lineLen = eol - pos;
    // Only the start of a line matters for fences and definitions: look at a short prefix.
    const head = text.slice(pos, pos + Math.min(lineLen, 1000));
    if (fence) {
      const m = FENCE.exec(head);
      if (m && m[1]![0] === fence[0] && m[1]!.length >= fence.length && head.slice(m[0].length).trim() === '') fence = null;
    } else if (math) {
      if (head.trimEnd().endsWith('$$')) math = false;
    } else {
      const f = FENCE.exec(head);
      if (f) fence = f[1]!;
      else if (MATH_FENCE.test(head) && !head.trimEnd().slice(head.indexOf('$$') + 2).includes('$$')) math = true;
      else if (DEF.test(head) && lineLen <= 2000) defLines.push(text.slice(pos, eol));
      if (!fence && !math && pos - segStart >= 2 * size && LETTER.test(text[pos] ?? '')) {
        // A paragraph of many short lines: a line that starts with a letter goes on with it.
        cut(pos, true);
      }
      if (!fence && !math && head.trim() === '' && pos - segStart >= size) {
        // A blank line: the next block starts after it (and after any further blank lines).
        let next = eol + 1;
        while (next < text.length && text[next] === '\n') next++;
        cut(next, false);
      } else if (!fence && !math && lineLen > 2 * size - (pos - segStart)) {
        cutInside(pos, eol);
      }
    }
    pos = eol + 1;
  }
  segments.push({ start: segStart, end: text.length, cont });

  /**
   * Cuts a long line (a long paragraph, part of one) wherever its segment grows past twice the size. Until then
   * only the characters readMark takes count: the rest is skipped by a regular expression, not looked at one by
   * one (a 3.9 MB paragraph took 200–360 ms read a character at a time, opening froze that long).
   */
  function cutInside(from: number, to: number): void {
    let open = noMarks();
    for (let i = from; i < to; i++) {
      // Before a cut may be made here: to the next character readMark takes (a backtick, a bracket, …).
      const checkFrom = Math.min(to, Math.max(segStart + 2 * size, from + 2));
      if (i < checkFrom) {
        const next = text.slice(i, checkFrom).search(MARK_CHAR);
        if (next < 0) {
          i = checkFrom - 1;
          continue;
        }
        i = readMark(text, i + next, open);
        continue;
      }
      const ch = text.charCodeAt(i);
      const grown = i - segStart;
      const before = text.charCodeAt(i - 1);
      // A cut needs a space or a Chinese stop before it (or a segment past four times the size): only then is the rest looked at.
      const mayCut = before === 32 || before === 9 || CJK_STOP.includes(text[i - 1]!) || grown >= 4 * size;
      if (mayCut && grown >= 2 * size && i > from + 1) {
        const prev = text[i - 1]!;
        const spaceBeforeLetter = (prev === ' ' || prev === '\t') && LETTER.test(text[i]!);
        const closed = nothingOpen(open);
        const sentence = spaceBeforeLetter && SENTENCE_END.test(text[i - 2] ?? '');
        const cjk = CJK_STOP.includes(prev) && LETTER.test(text[i]!);
        const lowSurrogate = ch >= 0xdc00 && ch <= 0xdfff;
        if ((closed && (sentence || cjk)) || (grown >= 3 * size && spaceBeforeLetter) || (grown >= 4 * size && !lowSurrogate && LETTER.test(text[i]!))) {
          cut(i, true);
          open = noMarks();
          continue;
        }
      }
      i = readMark(text, i, open);
    }
  }

  const links = defLines.length ? lexBlocks(defLines.join('\n\n')).links : (Object.create(null) as TokensList['links']);
  return { segments, links };
}

/**
 * A finished segment's blocks: its text lexed once. Not through the BlockSplitter, which cuts a long paragraph into
 * pieces for a message being written and lexes such a paragraph's text about three times to find them (7 ms instead
 * of 1.8 for a paragraph's 8,000 characters); a segment's paragraph is at most about twice SEGMENT_CHARS anyway.
 */
export function segmentBlocks(source: string, links: TokensList['links']): Block[] {
  const blocks: Block[] = [];
  for (const token of lexBlocks(source, links)) if (token.type !== 'space') blocks.push(makeBlock(token, 0));
  return blocks;
}
