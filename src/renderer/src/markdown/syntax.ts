/**
 * Lexing: marked with GFM plus math ($$…$$ and \[…\] blocks, $…$ and \(…\) inline). Only the lexer is used;
 * rendering is ours (render.ts), so nothing of marked's HTML output reaches the page.
 */
import { Lexer, Marked, type MarkedOptions, type Token, type TokenizerExtension, type Tokens, type TokensList } from 'marked';

/** A display formula: `$$…$$` or `\[…\]` starting a line. An unclosed one swallows the rest, like a fence. */
export interface MathBlockToken {
  type: 'mathBlock';
  raw: string;
  text: string;
  closed: boolean;
}

/** An inline formula: `$…$`, `$$…$$` (display) or `\(…\)`. */
export interface MathInlineToken {
  type: 'mathInline';
  raw: string;
  text: string;
  display: boolean;
}

/**
 * Where a math extension may start, found without scanning the rest of the text on every call.
 *
 * marked asks each extension's start() where it could start next, once per paragraph (block level) or per
 * run of plain text (inline level), passing the rest of the source. A search of that rest is a scan to its
 * end when no formula follows: quadratic in a long paragraph or a long message (a 1 MB paragraph without a
 * `$` took seconds). Instead, each source a lexer works through (blockTokens / inlineTokens, which set it
 * here) is indexed once, and start() looks up the first candidate at or after the rest's offset in it. The
 * answer is the one the scan gave; a source the lexer did not register falls back to the scan.
 */
interface SourceIndex {
  src: string;
  /** Candidate positions in src, ascending (computed on first use). */
  positions: number[] | null;
}

interface LexerSources {
  block: SourceIndex | null;
  inline: SourceIndex | null;
}

const sources = new WeakMap<object, LexerSources>();

const BLOCK_MATH_AT = / {0,3}(?:\$\$(?!\$)|\\\[)/y;
const BLOCK_MATH_LINES = /(?:^|\n)(?= {0,3}(?:\$\$(?!\$)|\\\[))/g;
const INLINE_MATH = /\$|\\[([]/g;

/** The first entry of an ascending list that is >= at, or -1. */
function firstAtLeast(positions: readonly number[], at: number): number {
  let lo = 0;
  let hi = positions.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (positions[mid]! < at) lo = mid + 1;
    else hi = mid;
  }
  return lo < positions.length ? positions[lo]! : -1;
}

/** The offset of `rest` in the indexed source when it is that source's tail, else -1. */
function offsetIn(index: SourceIndex | null | undefined, rest: string): number {
  if (!index) return -1;
  const at = index.src.length - rest.length;
  if (at < 0 || rest.length === 0) return -1;
  // marked passes a tail of the source it is working through; check its ends cheaply.
  if (index.src.charCodeAt(at) !== rest.charCodeAt(0) || index.src.charCodeAt(index.src.length - 1) !== rest.charCodeAt(rest.length - 1)) return -1;
  return at;
}

function blockMathStart(lexer: object, src: string): number | undefined {
  const index = sources.get(lexer)?.block;
  const at = offsetIn(index, src);
  if (at < 0 || !index) {
    const m = /(?:^|\n) {0,3}(?:\$\$(?!\$)|\\\[)/.exec(src);
    if (!m) return undefined;
    return m.index + (m[0].startsWith('\n') ? 1 : 0);
  }
  // At the start of the rest, `^` matches whatever came before it.
  BLOCK_MATH_AT.lastIndex = 0;
  if (BLOCK_MATH_AT.test(src)) return 0;
  index.positions ??= [...index.src.matchAll(BLOCK_MATH_LINES)].map((m) => m.index + (m[0] === '\n' ? 1 : 0));
  const next = firstAtLeast(index.positions, at + 1);
  return next < 0 ? undefined : next - at;
}

function inlineMathStart(lexer: object, src: string): number | undefined {
  const index = sources.get(lexer)?.inline;
  const at = offsetIn(index, src);
  if (at < 0 || !index) {
    const m = /\$|\\[([]/.exec(src);
    return m ? m.index : undefined;
  }
  index.positions ??= [...index.src.matchAll(INLINE_MATH)].map((m) => m.index);
  const next = firstAtLeast(index.positions, at);
  return next < 0 ? undefined : next - at;
}

/** Registers the source of every blockTokens / inlineTokens call of this lexer (see SourceIndex). */
function indexSources(lexer: Lexer): Lexer {
  const own: LexerSources = { block: null, inline: null };
  sources.set(lexer, own);
  const blockTokens = lexer.blockTokens.bind(lexer) as (src: string, ...rest: unknown[]) => Token[];
  const inlineTokens = lexer.inlineTokens.bind(lexer) as (src: string, ...rest: unknown[]) => Token[];
  const wrapped = lexer as unknown as { blockTokens: typeof blockTokens; inlineTokens: typeof inlineTokens };
  wrapped.blockTokens = (src, ...rest) => {
    const outer = own.block;
    own.block = { src, positions: null };
    try {
      return blockTokens(src, ...rest);
    } finally {
      own.block = outer;
    }
  };
  wrapped.inlineTokens = (src, ...rest) => {
    const outer = own.inline;
    own.inline = { src, positions: null };
    try {
      return inlineTokens(src, ...rest);
    } finally {
      own.inline = outer;
    }
  };
  return lexer;
}

const mathBlock: TokenizerExtension = {
  name: 'mathBlock',
  level: 'block',
  start(src) {
    return blockMathStart(this.lexer, src);
  },
  tokenizer(src) {
    const open = /^ {0,3}(\$\$(?!\$)|\\\[)/.exec(src);
    if (!open) return undefined;
    const dollars = open[1] === '$$';
    const closer = dollars ? '$$' : '\\]';
    const bodyStart = open[0].length;
    const at = src.indexOf(closer, bodyStart);
    if (at < 0) {
      // Still being written (or never closed): like an open fence, it takes the rest of the message, so
      // what was lexed before the closing delimiter arrives never changes shape.
      const token: MathBlockToken = { type: 'mathBlock', raw: src, text: src.slice(bodyStart), closed: false };
      return token;
    }
    const after = at + closer.length;
    const nl = src.indexOf('\n', after);
    const lineEnd = nl < 0 ? src.length : nl;
    // `$$a$$ and more text` is inline math inside a paragraph, not a block.
    if (src.slice(after, lineEnd).trim() !== '') return undefined;
    const text = src.slice(bodyStart, at).trim();
    if (!text) return undefined;
    const token: MathBlockToken = { type: 'mathBlock', raw: src.slice(0, nl < 0 ? src.length : nl + 1), text, closed: true };
    return token;
  },
};

const INLINE_DOLLAR = /^\$(?!\s)((?:\\[\s\S]|[^\\$\n])+?)(?<![\s\\])\$(?![\d$])/;
const INLINE_DOUBLE_DOLLAR = /^\$\$(?!\s)((?:\\[\s\S]|[^\\$]|\$(?!\$))+?)\$\$/;
const INLINE_PAREN = /^\\\(([\s\S]+?)\\\)/;
/** `\[ … \]` inside a paragraph: display math, as `$$ … $$` there is. */
const INLINE_BRACKET = /^\\\[([\s\S]+?)\\\]/;

const mathInline: TokenizerExtension = {
  name: 'mathInline',
  level: 'inline',
  start(src) {
    return inlineMathStart(this.lexer, src);
  },
  tokenizer(src) {
    let m: RegExpExecArray | null;
    let display = false;
    if (src.startsWith('$$')) {
      m = INLINE_DOUBLE_DOLLAR.exec(src);
      display = true;
      if (m && /\n\s*\n/.test(m[1] ?? '')) m = null;
    } else if (src.startsWith('$')) {
      m = INLINE_DOLLAR.exec(src);
    } else if (src.startsWith('\\(')) {
      m = INLINE_PAREN.exec(src);
      if (m && /\n\s*\n/.test(m[1] ?? '')) m = null;
    } else if (src.startsWith('\\[')) {
      m = INLINE_BRACKET.exec(src);
      display = true;
      if (m && /\n\s*\n/.test(m[1] ?? '')) m = null;
    } else {
      return undefined;
    }
    if (!m || !m[1]?.trim()) return undefined;
    const token: MathInlineToken = { type: 'mathInline', raw: m[0], text: m[1].trim(), display };
    return token;
  },
};

const marked = new Marked({ gfm: true, breaks: false, pedantic: false, silent: true }, { extensions: [mathBlock, mathInline] });

/** The lexer options (GFM, math extensions) shared by every lex. */
export const lexOptions: MarkedOptions = marked.defaults;

/** Normalises line endings the way marked does, so block raws add up to the text. */
export function normalizeNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

/**
 * Lexes markdown into top-level block tokens. `links` are reference definitions from earlier in the
 * message (for a lex that starts mid-message); the result's `links` has those and any new ones.
 */
export function lexBlocks(src: string, links?: TokensList['links']): TokensList {
  const lexer = indexSources(new Lexer(lexOptions));
  if (links) Object.assign(lexer.tokens.links, links);
  return lexer.lex(src);
}

/**
 * True when a fenced code token's closing fence is there (```…``` or ~~~…~~~ with a closing line at least as
 * long as the opening). Indented code has no fence: it counts as closed.
 */
export function isFenceClosed(token: Tokens.Code): boolean {
  if (token.codeBlockStyle === 'indented') return true;
  const raw = token.raw.replace(/\n+$/, '');
  const open = /^ {0,3}(`{3,}|~{3,})/.exec(raw);
  if (!open) return true;
  const fence = open[1] ?? '```';
  const nl = raw.indexOf('\n');
  if (nl < 0) return false;
  const lastLine = raw.slice(raw.lastIndexOf('\n') + 1);
  const close = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(lastLine);
  return !!close && (close[1] ?? '')[0] === fence[0] && (close[1] ?? '').length >= fence.length;
}

/** Calls `visit` for a token and every token nested in it (list items, table cells, inline children). */
export function walkTokens(tokens: readonly Token[], visit: (token: Token) => void): void {
  for (const token of tokens) {
    visit(token);
    const t = token as Tokens.Generic;
    if (t.type === 'table') {
      const table = token as Tokens.Table;
      for (const cell of table.header) walkTokens(cell.tokens, visit);
      for (const row of table.rows) for (const cell of row) walkTokens(cell.tokens, visit);
    } else if (t.type === 'list') {
      walkTokens((token as Tokens.List).items, visit);
    } else if (Array.isArray(t.tokens)) {
      walkTokens(t.tokens as Token[], visit);
    }
  }
}

export type { Token, Tokens, TokensList };
