/**
 * A huge finished message opens by segments (src/renderer/src/markdown/segments.ts): the segments cover the text,
 * never cut a code block or a formula, render to the message's own HTML where they are cut between blocks, resolve
 * reference links defined in another segment, and cut a long paragraph too. The cut costs one cheap pass.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { renderTokens, staticEnv } from '../../src/renderer/src/markdown/render.ts';
import { SEGMENT_CHARS, segmentBlocks, segmentText } from '../../src/renderer/src/markdown/segments.ts';
import { lexBlocks } from '../../src/renderer/src/markdown/syntax.ts';

const render = (text: string, links?: Parameters<typeof lexBlocks>[1]): string => renderTokens([...lexBlocks(text, links)], staticEnv());

const BLOCKS = [
  'A paragraph about the proxy and the **gateway**, with `code` and a [link](https://example.com).',
  '## A heading',
  '```ts\nconst a = 1;\n\nconst b = 2;\n```',
  '~~~\nplain fence\n\n\nwith blank lines\n~~~',
  '$$\nx = 1\n\ny = 2\n$$',
  '> a quote about timeouts',
  '| a | b |\n| - | - |\n| 1 | 2 |',
  '中文段落，说明代理的配置。',
  'See [the docs][docs] for more.',
];

describe('segments of a finished huge message', () => {
  it('cover the text in order, never inside a code block or a formula, and render to the same HTML', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...BLOCKS), { minLength: 1, maxLength: 120 }), fc.integer({ min: 40, max: 400 }), (blocks, size) => {
        const text = `${blocks.join('\n\n')}\n\n[docs]: https://example.com/docs\n`;
        const { segments, links } = segmentText(text, size);
        expect(segments[0]!.start).toBe(0);
        expect(segments[segments.length - 1]!.end).toBe(text.length);
        for (let i = 1; i < segments.length; i++) expect(segments[i]!.start).toBe(segments[i - 1]!.end);
        for (const s of segments.slice(1)) {
          const before = text.slice(0, s.start);
          expect((before.match(/^(```|~~~)/gm) ?? []).length % 2).toBe(0);
          expect((before.match(/^\$\$/gm) ?? []).length % 2).toBe(0);
          expect(s.cont).toBe(false);
        }
        // Cut between blocks only (no paragraph here is long): the segments' HTML is the message's.
        const joined = segments.map((s) => renderTokens(segmentBlocks(text.slice(s.start, s.end), links).map((b) => b.token), staticEnv())).join('');
        expect(joined).toBe(render(text));
      }),
      { numRuns: 200, seed: 99 },
    );
  });

  it('a reference link defined at the end resolves in the first segment', () => {
    const text = `Read [the guide][g] first.\n\n${'Filler paragraph about proxies.\n\n'.repeat(2000)}[g]: https://example.com/guide\n`;
    const { segments, links } = segmentText(text);
    expect(segments.length).toBeGreaterThan(3);
    const first = segmentBlocks(text.slice(segments[0]!.start, segments[0]!.end), links);
    expect(renderTokens(first.map((b) => b.token), staticEnv())).toContain('href="https://example.com/guide"');
  });

  it('one 4 MB paragraph: cut into bounded segments that continue it, after sentences, in one quick pass', () => {
    let text = '';
    let i = 0;
    while (text.length < 4_000_000) text += `Sentence ${i++} says the proxy **drops** idle \`connections\` after [sixty](https://x.y) seconds. `;
    const t0 = performance.now();
    const { segments } = segmentText(text);
    const ms = performance.now() - t0;
    expect(segments.length).toBeGreaterThan(4_000_000 / (2 * SEGMENT_CHARS + 200));
    for (const s of segments) expect(s.end - s.start).toBeLessThanOrEqual(2 * SEGMENT_CHARS + 200);
    for (const s of segments.slice(1)) {
      expect(s.cont).toBe(true);
      expect(text.slice(s.start - 2, s.start)).toBe('. ');
      expect(/[A-Za-z]/.test(text[s.start]!)).toBe(true);
    }
    // About 10 ms here (characters that cannot change what is open are skipped, not read one by one); the bound
    // leaves room for a busy machine.
    expect(ms).toBeLessThan(1000);
  });

  it('a long paragraph is never cut inside a code span, a link or a formula, even where one holds a sentence end', () => {
    // Each mark holds ". " followed by a letter (a place a cut would go outside it); all are closed, and a sentence
    // ends every third word (well within a segment's size), so every cut is after a sentence outside them.
    const WORDS = ['proxy', 'the', '`a. b`', '``x. `y` z``', '[see. The docs](https://x.y)', '$a. b$', '\\(x. y\\)', '**bold. Text**', 'and'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...WORDS), { minLength: 400, maxLength: 1500 }), fc.integer({ min: 100, max: 300 }), (words, size) => {
        const text = words.map((w, i) => (i % 3 === 2 ? `${w}. Then` : w)).join(' ');
        const { segments } = segmentText(text, size);
        for (const s of segments.slice(1)) {
          const before = text.slice(0, s.start);
          expect(s.cont).toBe(true);
          expect(text.slice(s.start - 2, s.start)).toBe('. ');
          // Outside every mark: the backtick runs, brackets and dollars before the cut are balanced.
          expect((before.replace(/``x\. `y` z``/g, '').match(/`/g) ?? []).length % 2).toBe(0);
          expect((before.match(/\[/g) ?? []).length).toBe((before.match(/\]/g) ?? []).length);
          expect((before.match(/\$/g) ?? []).length % 2).toBe(0);
          expect((before.match(/\\\(/g) ?? []).length).toBe((before.match(/\\\)/g) ?? []).length);
        }
      }),
      { numRuns: 150, seed: 17 },
    );
  });

  it('text without spaces (CJK) is still cut, never inside a surrogate pair', () => {
    const cjk = '代理服务器的配置说明'.repeat(20_000);
    const { segments } = segmentText(cjk);
    expect(segments.length).toBeGreaterThan(5);
    for (const s of segments) expect(s.end - s.start).toBeLessThanOrEqual(4 * SEGMENT_CHARS + 1);
    const emoji = `x${'😀a'.repeat(50_000)}`;
    for (const s of segmentText(emoji).segments.slice(1)) {
      const c = emoji.charCodeAt(s.start);
      expect(c >= 0xdc00 && c <= 0xdfff).toBe(false);
    }
  });
});
