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
 */
import type { Token, Tokens, TokensList } from 'marked';
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
}

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

export function makeBlock(token: Token, epoch: number): Block {
  let hasMath = false;
  let hasImages = false;
  let hasCode = false;
  walkTokens([token], (t) => {
    if (t.type === 'mathBlock' || t.type === 'mathInline') hasMath = true;
    else if (t.type === 'image') hasImages = true;
    else if (t.type === 'code') hasCode = true;
  });
  return { raw: token.raw, token, epoch, hasMath, hasImages, hasCode };
}

export class BlockSplitter {
  /** The last text seen (newlines normalised). */
  #text = '';
  /** Tokens of the stable prefix (blank tokens included, so their raws add up to #stableEnd characters). */
  #stable: Token[] = [];
  #stableBlocks: Block[] = [];
  #stableEnd = 0;
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
  /** How many characters the last update lexed (for tests and the benchmark). */
  lastLexedChars = 0;

  /** All block tokens of the current text, blank ones included (what a full lex would give). */
  get tokens(): Token[] {
    return [...this.#stable, ...this.#tail];
  }

  /** The non-blank blocks of the current text; stable blocks keep their identity across updates. */
  get blocks(): Block[] {
    return this.#blocks;
  }

  /** The link definitions known for the current text (for lexing a variant of the last block). */
  get links(): Links {
    return Object.assign(Object.create(null) as Links, this.#borrowed, this.#known);
  }

  get epoch(): number {
    return this.#epoch;
  }

  /** Number of leading blocks that are stable (will not change when text is appended). */
  get stableCount(): number {
    return this.#stableBlocks.length;
  }

  update(input: string): Block[] {
    const text = normalizeNewlines(input);
    if (text === this.#text && this.#blocks.length > 0) return this.#blocks;
    const prefixKept = this.#stableEnd > 0 && text.length >= this.#stableEnd && text.startsWith(this.#text.slice(0, this.#stableEnd));
    if (!prefixKept) this.#reset();
    this.#text = text;

    let tail = lexBlocks(text.slice(this.#stableEnd), this.#known);
    this.lastLexedChars = text.length - this.#stableEnd;
    let relexed = this.#stableEnd === 0;
    if (!relexed && this.#tailRedefines(tail.links, text.slice(0, this.#stableEnd))) {
      // A definition arrived (or changed) that an earlier block may use: lex everything again.
      this.#reset();
      this.#epoch++;
      tail = lexBlocks(text);
      this.lastLexedChars = text.length;
      relexed = true;
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
    for (let i = 0; i < last; i++) {
      const token = tail[i]!;
      this.#stable.push(token);
      this.#stableEnd += token.raw.length;
      if (isBlank(token)) continue;
      this.#stableBlocks.push(this.#block(token));
      walkTokens([token], (t) => {
        if (t.type !== 'def') return;
        const tag = (t as Tokens.Def).tag;
        const def = tail.links[tag];
        if (def && !this.#known[tag]) this.#known[tag] = def;
      });
    }
    this.#tail = last > 0 ? tail.slice(last) : [...tail];
    if (relexed) {
      this.#borrowed = Object.create(null) as Links;
      for (const [label, def] of Object.entries(tail.links)) if (!this.#known[label]) this.#borrowed[label] = def;
    } else {
      for (const label of Object.keys(this.#borrowed)) if (this.#known[label]) delete this.#borrowed[label];
    }
    this.#blocks = [...this.#stableBlocks];
    for (const token of this.#tail) if (!isBlank(token)) this.#blocks.push(this.#block(token));
    return this.#blocks;
  }

  /** Only blocks that may hold a reference link take the epoch (the others never change with it). */
  #block(token: Token): Block {
    return makeBlock(token, token.raw.includes('[') ? this.#epoch : 0);
  }

  #reset(): void {
    this.#stable = [];
    this.#stableBlocks = [];
    this.#stableEnd = 0;
    this.#known = Object.create(null) as Links;
    this.#borrowed = Object.create(null) as Links;
    this.#tail = [];
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


