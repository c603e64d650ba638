/**
 * Huge answers (an answer may be 4 MB, one paragraph or many): the block splitter's work per update stays
 * bounded however long the message or its last paragraph grows, a long paragraph is cut into pieces that render
 * to the paragraph's own HTML, the pieces do not depend on how the text arrived, and the lexer's math
 * extensions no longer rescan the rest of the text at every step.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Lexer } from 'marked';
import { BlockSplitter, cutPoint, MAX_BLOCK_CHARS, WINDOW_CHARS, type Block } from '../../src/renderer/src/markdown/blocks.ts';
import { renderTokens, staticEnv } from '../../src/renderer/src/markdown/render.ts';
import { lexBlocks, lexOptions } from '../../src/renderer/src/markdown/syntax.ts';

/** Words of a long paragraph, inline markup included (a cut inside any of it would change the HTML). */
const WORDS = ['proxy', 'gateway', 'The', 'stream', '**bold words here**', '*em phasis*', '_under score_', '~~gone text~~', '`code span`', '`` a ` b ``', '[a link](https://example.com/a_b)', '[ref text][r]', '$x + y$', '\\(a + b\\)', '中文字符。', 'retries,', 'and', 'of', 'snake_case', '2 * 3', 'www.example.com', 'user@example.com', '<b>raw</b>', '\\*escaped\\*', '  \n', '\n'];

const paragraph = (words: string[]): string => words.join(' ').replace(/\n /g, '\n').replace(/^\s+/, '');

/** Prose: plain words half the time (a cut needs a word boundary with nothing open across it). */
const genWord = fc.oneof(fc.constantFrom('proxy', 'and', 'of', 'the', 'Gateway', 'stream'), fc.constantFrom(...WORDS));
const genParagraph = (minWords: number, maxWords: number) => fc.array(genWord, { minLength: minWords, maxLength: maxWords }).map((w) => `Start ${paragraph(w)} end.`);

/**
 * Feeds `text` in pieces ending at `cuts`; returns the splitter. `told`: each update also says what was appended
 * to the previous string (as the window does while an answer streams), the splitter then reads neither whole.
 */
function stream(splitter: BlockSplitter, text: string, cuts: number[], told = false): BlockSplitter {
  const ends = [...new Set([...cuts.filter((c) => c > 0 && c < text.length), text.length])].sort((a, b) => a - b);
  let prev = '';
  let prevEnd = 0;
  for (const end of ends) {
    const added = text.slice(prevEnd, end);
    // Built by concatenation, as the chat store builds it.
    const input = prev + added;
    splitter.update(input, undefined, told ? { from: prev, added } : undefined);
    prev = input;
    prevEnd = end;
  }
  return splitter;
}

const shape = (blocks: readonly Block[]) => blocks.map((b) => ({ raw: b.raw, type: b.token.type, cont: b.cont, split: b.split }));

/** The message's HTML from its blocks, a cut paragraph's pieces joined back into one <p>. */
function joinedHtml(blocks: readonly Block[]): string {
  let html = '';
  for (const b of blocks) {
    let h = renderTokens([b.token], staticEnv());
    if (b.cont) h = h.replace(/^<p>/, '');
    if (b.split) h = h.replace(/<\/p>$/, '');
    html += h;
  }
  return html;
}

describe('long paragraphs are cut into pieces', () => {
  const small = { maxBlockChars: 150, windowChars: 400 };

  it('the pieces render to the paragraph\'s own HTML, and no piece is much longer than the bound', () => {
    fc.assert(
      fc.property(fc.array(genParagraph(20, 200), { minLength: 1, maxLength: 4 }), (paras) => {
        const text = `[r]: https://example.com/ref\n\n${paras.join('\n\n')}\n`;
        const splitter = new BlockSplitter(small);
        const blocks = splitter.update(text);
        expect(joinedHtml(blocks)).toBe(renderTokens([...lexBlocks(text)], staticEnv()));
        expect(splitter.tokens.map((t) => t.raw).join('')).toBe(text);
        // A candidate (a space before a letter) comes every few words, so a piece ends soon after 2·max at most.
        for (const b of blocks) expect(b.raw.length).toBeLessThanOrEqual(2 * small.maxBlockChars + 60);
        if (paras.some((p) => p.length > 2 * small.maxBlockChars + 60)) expect(blocks.some((b) => b.split)).toBe(true);
        if (blocks.some((b) => b.split)) expect(paras.some((p) => p.length > small.maxBlockChars)).toBe(true);
      }),
      { numRuns: 300, seed: 1717 },
    );
  });

  it('the same pieces however the text arrives (one update, random deltas, slices with a deadline)', () => {
    fc.assert(
      fc.property(fc.array(genParagraph(10, 100), { minLength: 1, maxLength: 4 }), fc.array(fc.integer({ min: 1, max: 3000 }), { maxLength: 60 }), (paras, cuts) => {
        const text = paras.join('\n\n');
        const whole = new BlockSplitter(small).update(text);
        expect(shape(stream(new BlockSplitter(small), text, cuts).blocks)).toEqual(shape(whole));
        expect(shape(stream(new BlockSplitter(small), text, cuts, true).blocks)).toEqual(shape(whole));
        const sliced = new BlockSplitter(small);
        sliced.update(text, 0);
        let rounds = 0;
        while (sliced.pending && rounds++ < 10_000) sliced.update(text, 0);
        expect(shape(sliced.blocks)).toEqual(shape(whole));
      }),
      { numRuns: 200, seed: 4242 },
    );
  });

  it('short paragraphs are never cut: a full lex\'s blocks', () => {
    const text = Array.from({ length: 50 }, (_, i) => `Paragraph ${i} with **bold** and \`code\`.`).join('\n\n');
    const splitter = new BlockSplitter(small);
    splitter.update(text);
    expect(splitter.tokens).toEqual([...lexBlocks(text)]);
    expect(splitter.blocks.every((b) => !b.split && !b.cont)).toBe(true);
  });

  it('a cut is never inside a code span, a link, a formula or emphasis, and always before a letter', () => {
    const text = 'a '.repeat(50) + '`code with spaces in it` and **strong with spaces** then [link text here](https://x.y) and $a + b$ Then more words follow here';
    for (let c = cutPoint(text, 0, text.length, 100); c >= 0; c = -1) {
      const piece = text.slice(0, c);
      expect(/\p{L}/u.test(text[c]!)).toBe(true);
      expect((piece.match(/`/g) ?? []).length % 2).toBe(0);
      expect((piece.match(/\*\*/g) ?? []).length % 2).toBe(0);
      expect(piece.split('[').length).toBe(piece.split(']').length);
      expect((piece.match(/\$/g) ?? []).length % 2).toBe(0);
    }
  });

  it('text without spaces (a long word, CJK) is still cut, never inside a surrogate pair', () => {
    const cjk = '中文字符测试'.repeat(2000);
    const blocks = new BlockSplitter(small).update(cjk);
    expect(blocks.length).toBeGreaterThan(10);
    expect(blocks.map((b) => b.raw).join('')).toBe(cjk);
    const emoji = `x${'😀a'.repeat(3000)}`;
    const eb = new BlockSplitter(small).update(emoji);
    expect(eb.length).toBeGreaterThan(10);
    for (const b of eb) expect(b.raw.charCodeAt(b.raw.length - 1) >= 0xd800 && b.raw.charCodeAt(b.raw.length - 1) <= 0xdbff).toBe(false);
  });
});

describe('a long text streamed (the stable part set aside, not read again)', () => {
  it('a definition arriving 100 KB later still turns an early reference into a link; CRLF split across updates', () => {
    const body = Array.from({ length: 1500 }, (_, i) => `Paragraph ${i} about the proxy, the gateway and the stream.`).join('\r\n\r\n');
    const text = `See [the guide][g] first.\r\n\r\n${body}\r\n\r\n[g]: https://example.com/guide\r\n\r\nThe end.`;
    const whole = new BlockSplitter().update(text);
    for (const told of [false, true]) {
      const cuts = Array.from({ length: Math.ceil(text.length / 997) }, (_, i) => i * 997 + 1);
      const streamed = stream(new BlockSplitter(), text, cuts, told);
      expect(shape(streamed.blocks)).toEqual(shape(whole));
      expect(renderTokens([streamed.blocks[0]!.token], staticEnv())).toContain('href="https://example.com/guide"');
      expect(streamed.tokens.map((t) => t.raw).join('')).toBe(text.replace(/\r\n/g, '\n'));
    }
  });
});

describe('work per update is bounded for a huge answer', () => {
  // Deterministic prose: about 1 MB in one paragraph, or in paragraphs of about 1 KB.
  let seed = 7;
  const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const prose = (n: number): string => {
    let s = 'Start';
    while (s.length < n) s += ` ${WORDS[Math.floor(rand() * 12)]}${rand() < 0.1 ? '.' : ''}`;
    return s;
  };
  const one = prose(1_000_000);
  const many = Array.from({ length: 1000 }, () => prose(1000)).join('\n\n');

  for (const [name, text] of [['one paragraph', one], ['many paragraphs', many]] as const) {
    it(`${name}, 1 MB streamed in 2,000-character deltas: each update lexes a bounded amount, whatever the length so far`, () => {
      const splitter = new BlockSplitter();
      let most = 0;
      for (let end = 2000; end < text.length; end += 2000) {
        splitter.update(text.slice(0, end));
        most = Math.max(most, splitter.lastLexedChars);
      }
      splitter.update(text);
      // Before: the whole last block (the whole 1 MB paragraph) was lexed again on every update.
      expect(most).toBeLessThan(6 * MAX_BLOCK_CHARS);
      expect(Math.max(...splitter.blocks.map((b) => b.raw.length))).toBeLessThan(3 * MAX_BLOCK_CHARS);
      expect(splitter.blocks.map((b) => b.raw).join('').length).toBeLessThanOrEqual(text.length);
    });

    it(`${name}, 1 MB opened at once with a deadline: split in slices that each lex a bounded amount`, () => {
      const splitter = new BlockSplitter();
      let slices = 0;
      let most = 0;
      do {
        splitter.update(text, 0);
        most = Math.max(most, splitter.lastLexedChars);
        slices++;
      } while (splitter.pending && slices < 100_000);
      expect(splitter.pending).toBe(false);
      expect(slices).toBeGreaterThan(text.length / (2 * WINDOW_CHARS));
      expect(most).toBeLessThan(4 * WINDOW_CHARS);
    });
  }

  it('a 1 MB paragraph without a formula lexes in linear time (the math extensions\' start() no longer rescans the rest)', () => {
    const text = prose(1_000_000).replace(/[$\\]/g, '');
    const t0 = performance.now();
    const tokens = lexBlocks(text);
    const ms = performance.now() - t0;
    expect(tokens.length).toBe(1);
    // Before: about 10 s on this machine (each run of text scanned the rest of the paragraph for a `$`); now
    // about 0.3 s. The bound leaves a wide margin for a busy machine.
    expect(ms).toBeLessThan(4000);
  });

  it('the indexed start() finds what a scan of the rest finds: same tokens as an unindexed lexer', () => {
    const PIECES = ['$x$', '$$', '$$a$$', '\\[', '\\]', '\\(b\\)', 'text', ' ', '\n', '\n\n', '> ', '- ', '   $$', '`$`', 'a$b', '$ c $', '\\$'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 60 }), (parts) => {
        const text = parts.join('');
        expect(lexBlocks(text)).toEqual(new Lexer(lexOptions).lex(text));
      }),
      { numRuns: 500, seed: 31 },
    );
  });
});
