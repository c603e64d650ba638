/**
 * Incremental block splitting for a message that grows while it streams.
 *
 * The text is split into top-level blocks (marked's block tokens). A block is *stable* once another
 * (non-blank) block follows it: text appended later can no longer change it, so its tokens are kept and never
 * lexed again. Each update re-lexes only from the start of the last block. An open code fence (or an unclosed
 * `$$`) swallows the rest of the text, so it stays the last block until it closes.
 *
 * Reference-style link definitions are the one thing that can reach back: `[text][ref]` in an early block
 * becomes a link when `[ref]: url` arrives later. When the re-lexed tail brings a definition that an
 * earlier block mentions, the whole message is lexed again and `epoch` goes up (rare).
 *
 * Huge messages (an answer may be 4 MB) stay cheap:
 * - A paragraph longer than `maxBlockChars` is cut into pieces at safe points (after a space, before a letter,
 *   with no code span, link, formula or emphasis open across the cut; see cutPoint), each a block of its own,
 *   so one paragraph never becomes one block that every update lexes, closes, renders and sanitises again.
 *   A piece is lexed the way the paragraph's text would be (a letter starts no other block), and the pieces'
 *   HTML joined is the paragraph's; on screen a cut is a line break without a paragraph gap (md-split,
 *   md-cont). Where a piece ends depends only on the text, never on how it arrived.
 * - An update lexes at most `windowChars` past the stable prefix at a time (the text so far is processed as
 *   if it had streamed in in windows), and with a deadline it stops between windows (`pending`), so opening
 *   a 4 MB message is done in slices instead of one long task.
 * - Appending is checked and normalised on the new characters only.
 */
import type { Token, Tokens, TokensList } from 'marked';
import { closeTail } from './tail.ts';
import { noMarks, nothingOpen, readMark } from './marks.ts';
import { lexBlocks, normalizeNewlines, walkTokens } from './syntax.ts';

export interface Block {
  /** The block's source text. */
  raw: string;
  token: Token;
  /** Goes up when the message's link definitions change, so blocks with equal source render again. */
  epoch: number;
  hasMath: boolean;
  hasImages: boolean;
  hasCode: boolean;
  /** The block continues the paragraph of the block before it (a paragraph cut into pieces). */
  cont: boolean;
  /** The block's paragraph continues in the next block. */
  split: boolean;
}

export interface SplitterOptions {
  /** A paragraph longer than this is cut into pieces (characters). */
  maxBlockChars?: number;
  /** At most this many characters past the stable prefix are lexed at a time. */
  windowChars?: number;
  /** Link definitions known from elsewhere (a segment of a longer text, segments.ts). */
  links?: Links;
}

/** A paragraph piece's target size: its lex, closing, render and sanitising stay within a few milliseconds. */
export const MAX_BLOCK_CHARS = 3_000;
/** Stable text kept in the part of the text an update reads before it moves to the part it does not read. */
const REBASE_CHARS = 32_000;
/**
 * Characters lexed per step past the stable prefix: three pieces, so that a long paragraph's forced cut (past
 * 2·MAX_BLOCK_CHARS, see cutPoint) falls inside one window and each step makes a piece stable.
 */
export const WINDOW_CHARS = 3 * MAX_BLOCK_CHARS;

type Links = TokensList['links'];
type LinkDef = Links[string];

const isBlank = (t: Token): boolean => t.type === 'space';

/** Blocks that nothing after them can extend (a following line never joins them). */
const SELF_CONTAINED: ReadonlySet<string> = new Set(['code', 'heading', 'hr']);

function sameDef(a: LinkDef | undefined, b: LinkDef | undefined): boolean {
  return !!a && !!b && a.href === b.href && (a.title ?? null) === (b.title ?? null);
}

/** Marked's label normalisation for reference links (case-folded, inner whitespace collapsed). */
function normalizeLabel(label: string): string {
  return label.trim().replace(/\s+/g, ' ').toLowerCase();
}

export function makeBlock(token: Token, epoch: number, cont = false, split = false): Block {
  let hasMath = false;
  let hasImages = false;
  let hasCode = false;
  walkTokens([token], (t) => {
    if (t.type === 'mathBlock' || t.type === 'mathInline') hasMath = true;
    else if (t.type === 'image') hasImages = true;
    else if (t.type === 'code') hasCode = true;
  });
  return { raw: token.raw, token, epoch, hasMath, hasImages, hasCode, cont, split };
}

export class BlockSplitter {
  readonly maxBlockChars: number;
  readonly windowChars: number;
  /** The last input as given (before normalising), to recognise an append cheaply. */
  #input = '';
  /** Whether that input ended with a carriage return (an append may complete a CRLF). */
  #inputEndsCR = false;
  /**
   * The text (newlines normalised) in two parts: #head, the first #base characters (stable; read only when the
   * whole text must be lexed again), and #rest, the characters from #base on. Appends go to #rest alone, so an
   * update reads (and V8 flattens) the text past the stable prefix, not all of it: a string that grows by
   * concatenation is copied whole the first time it is read.
   */
  #head = '';
  #rest = '';
  #base = 0;
  /** The text's length (#base + #rest.length). */
  #length = 0;
  /** How much of the text the blocks describe (less than its length while `pending`). */
  #seen = 0;
  /** Tokens of the stable prefix (blank tokens included, so their raws add up to #stableEnd characters). */
  #stable: Token[] = [];
  #stableBlocks: Block[] = [];
  #stableEnd = 0;
  /** Where the last cut was made: the block starting there continues a paragraph. -1 for none. */
  #contAt = -1;
  /** Link definitions made in the stable text (the tail is lexed knowing them). */
  #known: Links = Object.create(null) as Links;
  /**
   * Definitions made in the tail that the stable tokens were lexed with (after a full lex). If the tail
   * changes one of them (a definition still being written can change or stop being one), lex it all again.
   */
  #borrowed: Links = Object.create(null) as Links;
  /** Tokens from the start of the last block to the end. */
  #tail: Token[] = [];
  #blocks: Block[] = [];
  #epoch = 0;
  #started = false;
  /** What `links` last returned. */
  #linksShown: Links | null = null;
  /** Link definitions given by the caller (always known). */
  #given: Links;
  /** Characters past the stable prefix the next step lexes (windowChars, doubled while no block becomes stable). */
  #bite = 0;
  /** How many characters the last update lexed (for tests and the benchmark). */
  lastLexedChars = 0;

  constructor(options: SplitterOptions = {}) {
    this.maxBlockChars = Math.max(16, options.maxBlockChars ?? MAX_BLOCK_CHARS);
    this.windowChars = Math.max(this.maxBlockChars * 3, options.windowChars ?? WINDOW_CHARS);
    this.#bite = this.windowChars;
    this.#given = options.links ?? (Object.create(null) as Links);
    this.#known = Object.assign(Object.create(null) as Links, this.#given);
  }

  /** The last input as given to update ('' before the first). */
  get input(): string {
    return this.#input;
  }

  /** All block tokens of the current text, blank ones included (a full lex's, but with long paragraphs cut). */
  get tokens(): Token[] {
    return [...this.#stable, ...this.#tail];
  }

  /** The non-blank blocks of the current text; stable blocks keep their identity across updates. */
  get blocks(): Block[] {
    return this.#blocks;
  }

  /**
   * The link definitions known for the current text (for lexing a variant of the last block). The same object
   * while they stay the same: the window passes it to every part of a huge message, and a new one each update
   * rendered all of them again (hundreds of chunks, each frame of a stream).
   */
  get links(): Links {
    const now = Object.assign(Object.create(null) as Links, this.#borrowed, this.#known);
    const was = this.#linksShown;
    if (was) {
      const labels = Object.keys(now);
      if (labels.length === Object.keys(was).length && labels.every((label) => sameDef(was[label], now[label]))) return was;
    }
    this.#linksShown = now;
    return now;
  }

  get epoch(): number {
    return this.#epoch;
  }

  /** Number of leading blocks that are stable (will not change when text is appended). */
  get stableCount(): number {
    return this.#stableBlocks.length;
  }

  /** True when an update stopped at its deadline: the blocks describe only the start of the text. */
  get pending(): boolean {
    return this.#seen < this.#length;
  }

  /**
   * Splits `input` (normally the previous input with text appended). With a deadline (a performance.now()
   * time), work stops between windows once it is passed: `pending` is then true, and calling update again
   * (with the same text or more) goes on from there. `grown`, when the caller knows it: `input` is the string
   * `from` with `added` appended (then neither string is read whole).
   */
  update(input: string, deadline?: number, grown?: { from: string; added: string }): Block[] {
    this.lastLexedChars = 0;
    const changed = !this.#started || input.length !== this.#input.length || input !== this.#input;
    if (changed) this.#take(input, grown);
    else if (!this.pending) return this.#blocks;
    this.#started = true;
    for (;;) {
      const target = this.#length;
      const before = this.#stableEnd;
      const end = target - before > this.#bite ? before + this.#bite : target;
      this.#step(end);
      // A block longer than the window (a long code block, list or table, or a paragraph with no place to cut
      // yet): the next step, in this update or the next, takes a larger bite, so its text is lexed a bounded
      // number of times in all and a sliced open always progresses.
      if (end < target) this.#bite = this.#stableEnd > before ? this.windowChars : this.#bite * 2;
      else if (this.#stableEnd > before) this.#bite = this.windowChars;
      if (end === target) break;
      if (deadline !== undefined && performance.now() >= deadline) break;
    }
    return this.#blocks;
  }

  /** Takes a new input: an append keeps the stable prefix (and normalises only the new characters). */
  #take(input: string, grown?: { from: string; added: string }): void {
    const prev = this.#input;
    const known = grown !== undefined && grown.from === prev && input.length === prev.length + grown.added.length;
    const appended = prev.length > 0 && input.length > prev.length && !this.#inputEndsCR && (known || input.startsWith(prev));
    const added = appended ? (known ? grown.added : input.slice(prev.length)) : '';
    const last = appended ? added : input;
    this.#input = input;
    this.#inputEndsCR = last.length > 0 && last.charCodeAt(last.length - 1) === 13;
    if (appended) {
      const more = normalizeNewlines(added);
      this.#rest += more;
      this.#length += more.length;
      return;
    }
    const text = normalizeNewlines(input);
    const prefixKept = this.#stableEnd > 0 && text.length >= this.#stableEnd && text.startsWith(this.#textUpTo(this.#stableEnd));
    this.#head = '';
    this.#rest = text;
    this.#base = 0;
    this.#length = text.length;
    if (!prefixKept) this.#reset();
    this.#seen = Math.min(this.#seen, this.#stableEnd);
  }

  /** The text's first `end` characters, whole (reads the stable prefix: only for the rare paths that need it). */
  #textUpTo(end: number): string {
    return end <= this.#base ? this.#head.slice(0, end) : this.#head + this.#rest.slice(0, end - this.#base);
  }

  /** Moves the stable text out of #rest once there is enough of it (into #head, not read on the usual path). */
  #rebase(): void {
    const stable = this.#stableEnd - this.#base;
    if (stable < REBASE_CHARS) return;
    this.#head += this.#rest.slice(0, stable);
    this.#rest = this.#rest.slice(stable);
    this.#base = this.#stableEnd;
  }

  /** Splits the text's first `end` characters (what an update would do had the text been that long). */
  #step(end: number): void {
    this.#split(end);
    this.#rebase();
  }

  #split(end: number): void {
    // `text` is the text from `base` to `end`: positions stay absolute, `base` subtracted where text is read.
    let base = this.#base;
    let text = end - base === this.#rest.length ? this.#rest : this.#rest.slice(0, end - base);
    this.#seen = end;
    for (;;) {
      let tail = lexBlocks(text.slice(this.#stableEnd - base), this.#known);
      this.lastLexedChars += end - this.#stableEnd;
      let relexed = this.#stableEnd === 0;
      if (!relexed && (Object.keys(tail.links).length > 0 || Object.keys(this.#borrowed).length > 0) && this.#tailRedefines(tail.links, this.#textUpTo(this.#stableEnd))) {
        // A definition arrived (or changed) that an earlier block may use: lex everything again.
        const whole = this.#textUpTo(end);
        this.#rest = whole + this.#rest.slice(end - this.#base);
        this.#head = '';
        this.#base = 0;
        base = 0;
        text = whole;
        this.#reset();
        this.#seen = end;
        this.#epoch++;
        tail = lexBlocks(text, this.#known);
        this.lastLexedChars += end;
        relexed = true;
      }
      if (relexed) {
        this.#borrowed = Object.create(null) as Links;
        for (const [label, def] of Object.entries(tail.links)) if (!this.#known[label]) this.#borrowed[label] = def;
      }

      // A paragraph too long to be one block: what comes before it is stable, and so is its first piece.
      const cut = this.#findCut(tail, text, base);
      if (cut) {
        const before = this.#stableEnd;
        for (let i = 0; i < cut.index; i++) this.#commit(tail[i]!, tail.links, false);
        let from = this.#stableEnd;
        for (const c of cut.at) {
          // The piece on its own must lex as the paragraph's beginning does: one paragraph, all of it (lexed
          // after the blocks before it are committed, so it knows their link definitions).
          const piece = lexBlocks(text.slice(from - base, c - base), this.#known);
          this.lastLexedChars += c - from;
          if (piece.length !== 1 || piece[0]!.type !== 'paragraph' || piece[0]!.raw.length !== c - from) break;
          this.#commit(piece[0]!, tail.links, true);
          this.#contAt = this.#stableEnd;
          from = c;
        }
        if (this.#stableEnd > before) continue;
      }

      // Everything before the last non-blank block is stable now, with two exceptions.
      let last = tail.length - 1;
      while (last >= 0 && isBlank(tail[last]!)) last--;
      for (;;) {
        let prev = last - 1;
        while (prev >= 0 && isBlank(tail[prev]!)) prev--;
        if (prev < 0) break;
        const next = tail[last]!;
        // A paragraph, list, quote or table right above (no blank line) can still take the next line in as a
        // lazy continuation line, depending on characters not written yet.
        const touching = prev === last - 1 && !SELF_CONTAINED.has(tail[prev]!.type);
        // A list followed by a lone "3" or "-": one more character can make it the list's next item.
        const listItemToBe = tail[prev]!.type === 'list' && next.type === 'paragraph' && /^ {0,3}(?:\d{1,9}|[-+*])[ \t]*$/.test(next.raw);
        if (!touching && !listItemToBe) break;
        last = prev;
      }
      for (let i = 0; i < last; i++) this.#commit(tail[i]!, tail.links, false);
      this.#tail = last > 0 ? tail.slice(last) : [...tail];
      if (!relexed) for (const label of Object.keys(this.#borrowed)) if (this.#known[label]) delete this.#borrowed[label];
      this.#blocks = [...this.#stableBlocks];
      let at = this.#stableEnd;
      for (const token of this.#tail) {
        if (!isBlank(token)) this.#blocks.push(this.#block(token, at === this.#contAt, false));
        at += token.raw.length;
      }
      return;
    }
  }

  /** Makes a token part of the stable prefix. */
  #commit(token: Token, links: Links, split: boolean): void {
    const at = this.#stableEnd;
    this.#stable.push(token);
    this.#stableEnd += token.raw.length;
    if (isBlank(token)) return;
    this.#stableBlocks.push(this.#block(token, at === this.#contAt, split));
    walkTokens([token], (t) => {
      if (t.type !== 'def') return;
      const tag = (t as Tokens.Def).tag;
      const def = links[tag];
      if (def && !this.#known[tag]) this.#known[tag] = def;
    });
  }

  /** The first paragraph of the tail that is cut: the index of its token and where its pieces end. */
  #findCut(tail: Token[], text: string, base: number): { index: number; at: number[] } | null {
    let end = this.#stableEnd - base;
    for (let i = 0; i < tail.length; i++) {
      const token = tail[i]!;
      const start = end;
      end += token.raw.length;
      if (token.type !== 'paragraph' || token.raw.length <= this.maxBlockChars) continue;
      const at: number[] = [];
      for (let c = cutPoint(text, start, end, this.maxBlockChars); c >= 0; c = cutPoint(text, c, end, this.maxBlockChars)) at.push(c + base);
      if (at.length > 0) return { index: i, at };
    }
    return null;
  }

  /** Only blocks that may hold a reference link take the epoch (the others never change with it). */
  #block(token: Token, cont: boolean, split: boolean): Block {
    return makeBlock(token, token.raw.includes('[') ? this.#epoch : 0, cont, split);
  }

  #reset(): void {
    this.#stable = [];
    this.#stableBlocks = [];
    this.#stableEnd = 0;
    this.#contAt = -1;
    this.#seen = 0;
    this.#known = Object.assign(Object.create(null) as Links, this.#given);
    this.#borrowed = Object.create(null) as Links;
    this.#tail = [];
    this.#blocks = [];
    this.#bite = this.windowChars;
  }

  /**
   * Must the stable text be lexed again? Yes when a definition it was lexed with changed or went away in the
   * tail, or when the tail defines a new label that the stable text mentions.
   */
  #tailRedefines(links: Links, stableText: string): boolean {
    for (const [label, def] of Object.entries(this.#borrowed)) if (!sameDef(links[label], def)) return true;
    let folded: string | undefined;
    for (const [label, def] of Object.entries(links)) {
      if (this.#known[label] || sameDef(this.#borrowed[label], def)) continue;
      folded ??= stableText.replace(/\s+/g, ' ').toLowerCase();
      if (folded.includes(`[${normalizeLabel(label)}]`)) return true;
    }
    return false;
  }
}

const LETTER = /\p{L}/u;
const CJK_STOP = /[。！？；，、]/;
/** Characters that could start something other than a paragraph's text at the start of a block. */
const NOT_A_START = /[\s\d#>\-+*=_`~|<$[\]\\!:&()]/;
/** The characters readMark (marks.ts) changes its state on; any other leaves it as it was. */
const MARK_CHAR = /[\\`[\]$\n]/;

/**
 * Where a paragraph text[start, end) longer than `max` is cut, or -1 (not yet, or nowhere). A candidate c
 * has a letter at c (a letter starts no block but a paragraph: the rest lexes as the paragraph's continuation
 * does), after a single space that follows a non-space (or after CJK punctuation). The first candidate past
 * start + max where nothing is open across it: no code span (an unmatched backtick run), no `[` without its
 * `]`, no formula (`$`, `\(`, `\[` without their closer on the line), and nothing that closeTail would close (emphasis, strikethrough). Past
 * 2·max the first candidate is taken whatever is open, and past 4·max any point after a character that is
 * not a space (text without spaces) and before one that starts nothing else, never inside a surrogate pair;
 * either way the pieces stay bounded. Depends only on text[start, c], so the
 * pieces are the same however the text arrived.
 */
export function cutPoint(text: string, start: number, end: number, max: number): number {
  const from = start + max;
  if (end <= from) return -1;
  const open = noMarks();
  let nextCloseTail = from; // closeTail (a scan of the piece) is tried at most every max/8 characters
  const checkFrom = Math.max(from, start + 2);
  for (let i = start; i < end; i++) {
    if (i < checkFrom) {
      // Before a cut may be made: to the next character readMark takes, not every character (about a tenth of
      // the splitter's time for a streamed 3.9 MB paragraph, in Node).
      const next = text.slice(i, Math.min(checkFrom, end)).search(MARK_CHAR);
      if (next < 0) {
        i = Math.min(checkFrom, end) - 1;
        continue;
      }
      i = readMark(text, i + next, open);
      continue;
    }
    const ch = text.charCodeAt(i);
    const prevCode = text.charCodeAt(i - 1);
    // A candidate follows a space or a Chinese stop; past 4·max, any point may do: nothing else is looked at.
    if (prevCode === 32 || prevCode >= 0x3001 || i >= start + 4 * max) {
      const prev = text[i - 1]!;
      const spaced = prev === ' ' && text[i - 2] !== ' ' && text[i - 2] !== '\n' && text[i - 2] !== '\t';
      const candidate = (spaced || (prevCode >= 0x3001 && CJK_STOP.test(prev))) && LETTER.test(text[i]!);
      if (candidate && i >= start + 2 * max) return i;
      if (candidate && nothingOpen(open) && i >= nextCloseTail) {
        const piece = text.slice(start, i);
        if (closeTail(piece) === piece) return i;
        nextCloseTail = i + Math.max(1, max >> 3);
      }
      if (i >= start + 4 * max && !/\s|\\/.test(text[i - 1]!) && !isHighSurrogate(text.charCodeAt(i - 1)) && !isLowSurrogate(ch) && !NOT_A_START.test(text[i]!)) return i;
    }
    i = readMark(text, i, open);
  }
  return -1;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
