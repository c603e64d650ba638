/** The incremental block splitter gives exactly what a full lex gives, however the text arrives. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BlockSplitter } from '../../src/renderer/src/markdown/blocks.ts';
import { lexBlocks } from '../../src/renderer/src/markdown/syntax.ts';
import { DOCS } from './markdown-fixtures.ts';

const full = (text: string) => [...lexBlocks(text)];

/** Feeds `text` in chunks ending at `cuts`; checks every step against a full lex; returns the splitter. */
function stream(text: string, cuts: number[], checkEachStep: boolean): BlockSplitter {
  const splitter = new BlockSplitter();
  const ends = [...new Set([...cuts.filter((c) => c > 0 && c < text.length), text.length])].sort((a, b) => a - b);
  for (const end of ends) {
    const prefix = text.slice(0, end);
    splitter.update(prefix);
    if (checkEachStep) expect(splitter.tokens).toEqual(full(prefix));
  }
  return splitter;
}

describe('incremental block splitting', () => {
  for (const [name, doc] of Object.entries(DOCS)) {
    it(`${name}: block raws add up to the text`, () => {
      expect(full(doc).map((t) => t.raw).join('')).toBe(doc);
    });

    it(`${name}: random chunkings end with a full lex's blocks (and match it at every step)`, () => {
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 1, max: doc.length - 1 }), { maxLength: 60 }), (cuts) => {
          const splitter = stream(doc, cuts, true);
          expect(splitter.tokens).toEqual(full(doc));
          expect(splitter.blocks.map((b) => b.raw)).toEqual(full(doc).filter((t) => t.type !== 'space').map((t) => t.raw));
        }),
        { numRuns: 60, seed: 20240611 },
      );
    });

    it(`${name}: character by character`, () => {
      const cuts = Array.from({ length: doc.length }, (_, i) => i);
      expect(stream(doc, cuts, true).tokens).toEqual(full(doc));
    });
  }

  // Lines that change what the lines before them mean: lazy continuations, setext underlines, list items
  // that join a list across a blank line, fences, math, HTML blocks, link definitions.
  const LINES = ['# H', 'para', 'text *em* **b**', '- a', '- b', '1. x', '2. y', '3', '  - nested', '    code', '```', '```js', '~~~', '> q', '>', '| a | b |', '|---|---|', '| 1 | 2 |', '---', '===', '***',
    '$$', '$$x$$', 'x^2', '\\[', '\\]', '[r]: http://a.b', 'see [r]', '<div>', '</div>', '<!--', '-->', '', '', '', '  cont', '* s', '+ p', '10) z', '- [ ] t', 'a|b', '<pre>', '</pre>', '> - l', '- > q', '1. ```', '   ```', '**', '\\(x\\)', 'a $b$ c'];
  it('random documents of tricky lines, fed in random chunks, match a full lex at every step', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...LINES), { minLength: 2, maxLength: 12 }), fc.array(fc.integer({ min: 1, max: 400 }), { maxLength: 40 }), (lines, cuts) => {
        const doc = lines.join('\n');
        stream(doc, cuts, true);
      }),
      { numRuns: 400, seed: 99 },
    );
  });

  it('only the last block is re-lexed: a stable prefix is never lexed again', () => {
    const doc = Object.entries(DOCS).filter(([name]) => name !== "refs").map(([, d]) => d).join('\n\n');
    const splitter = new BlockSplitter();
    let maxLexed = 0;
    for (let end = 1; end <= doc.length; end += 7) {
      splitter.update(doc.slice(0, end));
      maxLexed = Math.max(maxLexed, splitter.lastLexedChars);
    }
    splitter.update(doc);
    expect(splitter.tokens).toEqual(full(doc));
    // The longest block in these documents is far shorter than the whole text.
    expect(maxLexed).toBeLessThan(doc.length / 4);
  });

  it('stable blocks keep their identity while text is appended', () => {
    const splitter = new BlockSplitter();
    const first = splitter.update('# Title\n\nParagraph one.\n\nPara');
    const second = splitter.update('# Title\n\nParagraph one.\n\nParagraph two is longer');
    expect(second[0]).toBe(first[0]);
    expect(second[1]).toBe(first[1]);
    expect(second[2]).not.toBe(first[2]);
    expect(splitter.stableCount).toBe(2);
  });

  it('its link definitions keep their identity while they stay the same, and change when one arrives', () => {
    const s = new BlockSplitter();
    s.update('A paragraph about the proxy.\n\nAnother one');
    const first = s.links;
    s.update('A paragraph about the proxy.\n\nAnother one, longer now.\n\nA third');
    expect(s.links).toBe(first);
    // Once the definition is followed by another block, it is known.
    s.update('A paragraph about the proxy.\n\nAnother one, longer now.\n\nA third [docs].\n\n[docs]: https://example.com/docs\n\nMore');
    const withDef = s.links;
    expect(withDef).not.toBe(first);
    expect(withDef['docs']?.href).toBe('https://example.com/docs');
    s.update('A paragraph about the proxy.\n\nAnother one, longer now.\n\nA third [docs].\n\n[docs]: https://example.com/docs\n\nMore text');
    expect(s.links).toBe(withDef);
  });

  it('an open fence swallows the rest and keeps the blocks before it stable', () => {
    const splitter = new BlockSplitter();
    const blocks = splitter.update('Intro\n\n```js\nconst a = 1;\n\n\nconst b = 2;\n\n# not a heading');
    expect(blocks.map((b) => b.token.type)).toEqual(['paragraph', 'code']);
    expect(splitter.stableCount).toBe(1);
  });

  it('an edit that is not an append lexes again from scratch', () => {
    const splitter = new BlockSplitter();
    splitter.update('# A\n\ntext one\n\nmore');
    expect(splitter.update('# B\n\ntext one\n\nmore').map((b) => b.raw)).toEqual(full('# B\n\ntext one\n\nmore').filter((t) => t.type !== 'space').map((t) => t.raw));
  });

  it('a reference definition that arrives late links the earlier block (and bumps its epoch)', () => {
    const splitter = new BlockSplitter();
    const before = splitter.update('See [docs].\n\nMore text.\n\n[docs]: https://example.com');
    const after = splitter.update('See [docs].\n\nMore text.\n\n[docs]: https://example.com/x\n\nEnd');
    expect(splitter.tokens).toEqual(full('See [docs].\n\nMore text.\n\n[docs]: https://example.com/x\n\nEnd'));
    expect(after[0]!.epoch).toBeGreaterThan(0);
    expect(after[1]!.epoch).toBe(0);
    expect(before[0]!.raw).toBe(after[0]!.raw);
  });

  it('CRLF text gives the same blocks as LF text', () => {
    const splitter = new BlockSplitter();
    splitter.update('a\r\n\r\nb\r\n');
    expect(splitter.tokens).toEqual(full('a\n\nb\n'));
  });
});
