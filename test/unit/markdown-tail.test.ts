/** "Close the tail": half-written inline markup at the end of a streaming block is closed or hidden. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { closeTail } from '../../src/renderer/src/markdown/tail.ts';
import { markdownToHtml } from '../../src/renderer/src/markdown/render.ts';
import { DOCS } from './markdown-fixtures.ts';

describe('closeTail', () => {
  it.each([
    // emphasis and strikethrough
    ['**bold', '**bold**'],
    ['__bold', '__bold__'],
    ['*it', '*it*'],
    ['_it', '_it_'],
    ['***both', '***both***'],
    ['**bold *it', '**bold *it***'],
    ['~~gone', '~~gone~~'],
    ['~one', '~one~'],
    ['**bold** and *it', '**bold** and *it*'],
    ['_a_ _b', '_a_ _b_'],
    ['**bold \n', '**bold** \n'],
    // code spans
    ['`code', '`code`'],
    ['``co`de', '``co`de``'],
    ['`a` and `b', '`a` and `b`'],
    ['`**not bold', '`**not bold`'],
    // openers with nothing after them yet are dropped
    ['foo **', 'foo '],
    ['foo `', 'foo '],
    ['a **b** c _', 'a **b** c '],
    // links and images still being written show their text
    ['see [the docs', 'see the docs'],
    ['see [the docs](https://exa', 'see the docs'],
    ['see [the docs](https://example.com/a_(b', 'see the docs'],
    ['![alt](http://x', 'alt'],
    ['[**bold](http://x', '**bold**'],
    ['[link](http://x) and **b', '[link](http://x) and **b**'],
    ['[a](http://x_y_z) _it', '[a](http://x_y_z) _it_'],
    // nothing open: unchanged
    ['**done** and `code` and [l](https://x.y)', '**done** and `code` and [l](https://x.y)'],
    ['snake_case_name and 2 * 3 = 6 and a*b', 'snake_case_name and 2 * 3 = 6 and a*b'],
    ['\\*not emphasis', '\\*not emphasis'],
    ['$a*b$ and *x', '$a*b$ and *x*'],
    ['中文**加粗', '中文**加粗**'],
    ['', ''],
    // block structure: only the last segment is touched
    ['- item **b', '- item **b**'],
    ['- [ ] task *it', '- [ ] task *it*'],
    ['1. first **a\n2. second `c', '1. first **a\n2. second `c`'],
    ['> quote `co', '> quote `co`'],
    ['# Title **bo', '# Title **bo**'],
    ['para **one\n\npara two', 'para **one\n\npara two'],
    ['- a\n  ```\n  x*y\n  ```\n  more **b', '- a\n  ```\n  x*y\n  ```\n  more **b**'],
    // an open fence or display formula is left alone
    ['```js\nconst a = "**"', '```js\nconst a = "**"'],
    ['- item\n  ```\n  **', '- item\n  ```\n  **'],
    ['$$\nx^{**', '$$\nx^{**'],
  ])('%j → %j', (input, output) => {
    expect(closeTail(input)).toBe(output);
  });

  it('never flashes markers: a closed prefix of bold text renders as <strong>', () => {
    const text = 'Some **important words** here';
    for (let i = 'Some **i'.length; i < 'Some **important words'.length; i++) {
      expect(markdownToHtml(closeTail(text.slice(0, i)))).toContain('<strong>');
    }
  });

  it('text with nothing open comes back unchanged (every block of the sample documents)', () => {
    for (const doc of Object.values(DOCS)) {
      for (const para of doc.split(/\n\n+/)) {
        if (/```|~~~|\$\$|\\\[|\[[^\]]*$|^(?:\*\*\*|---|___)$/m.test(para)) continue;
        expect(closeTail(para)).toBe(para);
      }
    }
  });

  it('is total: any text gives text, and closing twice changes nothing more', () => {
    // Before: about 5 % of these inputs closed differently the second time (a closer escaped by a trailing
    // backslash, or merged into a run of the same character; a removal exposing another open marker).
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('*', '_', '~', '`', '[', ']', '(', ')', '!', 'a', ' ', '\n', '\\', '$', '-', '#', '>', '中'), maxLength: 80 }), (s) => {
        const once = closeTail(s);
        expect(typeof once).toBe('string');
        expect(closeTail(once)).toBe(once);
      }),
      { numRuns: 5000, seed: 7 },
    );
  });

  it('a closer is never escaped by a backslash still waiting for its character, nor merged into a run', () => {
    expect(closeTail('**bold \\')).toBe('**bold** ');
    expect(markdownToHtml(closeTail('Some **bold\\'))).toContain('<strong>bold</strong>');
    // `a~~` cannot close `~` (a run of another length): the opener goes rather than a `~~~` that closes nothing.
    expect(closeTail('~a~~')).toBe('a~~');
    // A code span whose text ends in a backtick is closed after a space (stripped inside the span).
    expect(markdownToHtml(closeTail('`` a`'))).toMatch(/<code[^>]*>a`<\/code>/);
  });
});
