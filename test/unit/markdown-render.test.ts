/**
 * Rendering without a DOM: raw HTML in the text is escaped (shown, never parsed), links and images follow
 * the policy, and whatever the input, the HTML only ever holds the tags and attributes the renderer emits.
 * (DOMPurify then sanitises it again in the page; that layer is tested end to end.)
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fenceLanguage, markdownToHtml, renderTokens, type RenderEnv } from '../../src/renderer/src/markdown/render.ts';
import { isFenceClosed, lexBlocks, type Tokens } from '../../src/renderer/src/markdown/syntax.ts';
import { markdownStrings } from '../../src/renderer/src/markdown/strings.ts';
import { DOCS } from './markdown-fixtures.ts';

const ALLOWED_TAGS = new Set(['p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'strong', 'em', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'a', 'img', 'span', 'div', 'button', 'input']);
const ALLOWED_ATTRS = new Set(['href', 'title', 'class', 'alt', 'src', 'start', 'type', 'disabled', 'checked', 'hidden', 'rel', 'data-md-action', 'data-md-url']);

/** Every tag and attribute in the HTML (a small tokenizer: the renderer's output is well-formed). */
function inventory(html: string): { tags: string[]; attrs: string[]; hrefs: string[]; srcs: string[] } {
  const tags: string[] = [];
  const attrs: string[] = [];
  const hrefs: string[] = [];
  const srcs: string[] = [];
  for (const m of html.matchAll(/<\/?([a-zA-Z][\w-]*)([^>]*)>/g)) {
    tags.push(m[1]!.toLowerCase());
    for (const a of (m[2] ?? '').matchAll(/([^\s=]+)(?:="([^"]*)")?/g)) {
      attrs.push(a[1]!.toLowerCase());
      if (a[1] === 'href') hrefs.push(a[2] ?? '');
      if (a[1] === 'src') srcs.push(a[2] ?? '');
    }
  }
  return { tags, attrs, hrefs, srcs };
}

function expectSafe(html: string): void {
  const { tags, attrs, hrefs, srcs } = inventory(html);
  for (const t of tags) expect(ALLOWED_TAGS, `tag <${t}> in ${html}`).toContain(t);
  for (const a of attrs) expect(ALLOWED_ATTRS, `attribute ${a} in ${html}`).toContain(a);
  for (const h of hrefs) expect(h).toMatch(/^(?:https?:\/\/[^\s"<>]+|mailto:[^\s"<>]+)$/);
  for (const s of srcs) expect(s).toMatch(/^data:image\//);
  // Nothing outside a tag looks like markup: every < and " in text is escaped.
  expect(html.replace(/<\/?[a-zA-Z][^>]*>/g, '')).not.toMatch(/[<>]/);
}

const interactive = (over: Partial<RenderEnv> = {}): RenderEnv => ({ interactive: true, live: false, labels: markdownStrings.en, ...over });
const render = (text: string, env: RenderEnv = interactive()): string => renderTokens(lexBlocks(text), env);

describe('raw HTML is text', () => {
  it.each([
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert(1)&gt;'],
    ['<iframe src="https://evil.example"></iframe>', '&lt;iframe src=&quot;https://evil.example&quot;&gt;&lt;/iframe&gt;'],
    ['<svg><script>alert(1)</script></svg>', '&lt;svg&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;/svg&gt;'],
    ['text <b onclick="x()">bold</b> text', 'text &lt;b onclick=&quot;x()&quot;&gt;bold&lt;/b&gt; text'],
    ['a <script>x<y</script> b', 'a &lt;script&gt;x&lt;y&lt;/script&gt; b'],
    ['<!-- comment -->', '&lt;!-- comment --&gt;'],
    ['<style>body{display:none}</style>', '&lt;style&gt;body{display:none}&lt;/style&gt;'],
  ])('%j', (input, escaped) => {
    const html = markdownToHtml(input);
    expect(html).toContain(escaped);
    expectSafe(html);
  });

  it('character references stay what the author wrote; bare ampersands are escaped', () => {
    expect(markdownToHtml('a &amp; b &copy; c & d &#60;script&#62;')).toBe('<p>a &amp; b &copy; c &amp; d &lt;script&gt;</p>');
  });

  it('code keeps its text exactly (escaped)', () => {
    expect(markdownToHtml('```html\n<script>alert("x")</script>\n```')).toBe('<pre class="md-pre"><code class="language-html">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</code></pre>');
    expect(markdownToHtml('`<img onerror=x>`')).toBe('<p><code class="md-inline-code">&lt;img onerror=x&gt;</code></p>');
  });
});

describe('links', () => {
  it('http, https and mailto become links with the full URL as title', () => {
    expect(markdownToHtml('[docs](https://example.com/a?b=1 "The docs")')).toBe(
      '<p><a class="md-link" href="https://example.com/a?b=1" title="https://example.com/a?b=1" rel="noopener noreferrer nofollow">docs</a></p>',
    );
    expect(markdownToHtml('<https://example.com>')).toContain('href="https://example.com/"');
    expect(markdownToHtml('www.example.com')).toContain('href="http://www.example.com/"');
    expect(markdownToHtml('write to me@example.com')).toContain('href="mailto:me@example.com"');
  });

  it.each(['[x](javascript:alert(1))', '[x](JAVASCRIPT:alert(1))', '[x](data:text/html,hi)', '[x](vbscript:x)', '[x](file:///etc/passwd)', '[x](/relative)', '[x](//evil.example.com)', '[x][r]\n\n[r]: javascript:alert(1)', '<javascript:alert(1)>'])(
    '%j renders as text',
    (input) => {
      const html = markdownToHtml(input);
      expect(html).not.toContain('<a ');
      expect(html).not.toMatch(/href=/);
      expectSafe(html);
    },
  );
});

describe('images', () => {
  it('remote images are placeholders naming the host; nothing is loaded', () => {
    const html = render('![a cat](https://img.example.com/cat.png)');
    expect(html).toContain('<button type="button" class="md-image-load" data-md-action="load-image" data-md-url="https://img.example.com/cat.png" title="https://img.example.com/cat.png">Load image from img.example.com</button>');
    expect(html).not.toContain('<img');
    expectSafe(html);
  });
  it('a loaded image shows the data URL the app returned', () => {
    const images = new Map([['https://img.example.com/cat.png', { status: 'loaded' as const, dataUrl: 'data:image/png;base64,AAAA' }]]);
    expect(render('![cat](https://img.example.com/cat.png)', interactive({ images }))).toContain('<img class="md-image" src="data:image/png;base64,AAAA" alt="cat" title="https://img.example.com/cat.png">');
  });
  it('loading and failed states', () => {
    const url = 'https://img.example.com/cat.png';
    expect(render(`![c](${url})`, interactive({ images: new Map([[url, { status: 'loading' as const }]]) }))).toContain('disabled');
    expect(render(`![c](${url})`, interactive({ images: new Map([[url, { status: 'failed' as const }]]) }))).toContain('Could not load the image from img.example.com');
  });
  it('without a way to load images (no onLoadImage) the placeholder is disabled', () => {
    expect(render('![c](https://img.example.com/c.png)', interactive({ canLoadImages: false }))).toContain(
      '<button type="button" class="md-image-load" disabled title="https://img.example.com/c.png">Load image from img.example.com</button>',
    );
  });
  it.each(['![alt text](data:image/png;base64,AAAA)', '![alt text](file:///etc/passwd)', '![alt text](javascript:alert(1))', '![alt text](/local.png)'])('%j shows its alt text', (input) => {
    const html = render(input);
    expect(html).toBe('<p><span class="md-image-alt">alt text</span></p>');
  });
  it('static HTML (copy as HTML) turns remote images into links', () => {
    expect(markdownToHtml('![cat](https://img.example.com/c.png)')).toBe('<p><a class="md-link" href="https://img.example.com/c.png" title="https://img.example.com/c.png">cat</a></p>');
  });
});

describe('GFM blocks', () => {
  it('task lists render disabled checkboxes', () => {
    expect(markdownToHtml('- [ ] todo\n- [x] done')).toBe(
      '<ul><li class="md-task"><input type="checkbox" class="md-task-box" disabled> todo</li><li class="md-task"><input type="checkbox" class="md-task-box" disabled checked> done</li></ul>',
    );
  });
  it('tables with alignment classes', () => {
    expect(markdownToHtml('| a | b |\n|:-:|--:|\n| 1 | **2** |')).toBe(
      '<div class="md-table-wrap"><table><thead><tr><th class="md-align-center">a</th><th class="md-align-right">b</th></tr></thead><tbody><tr><td class="md-align-center">1</td><td class="md-align-right"><strong>2</strong></td></tr></tbody></table></div>',
    );
  });
  it('strikethrough, ordered lists with a start, headings, quotes, rules', () => {
    expect(markdownToHtml('~~old~~ new')).toBe('<p><del>old</del> new</p>');
    expect(markdownToHtml('3. c\n4. d')).toBe('<ol start="3"><li>c</li><li>d</li></ol>');
    expect(markdownToHtml('## Title\n\n> quoted\n\n---')).toBe('<h2>Title</h2><blockquote><p>quoted</p></blockquote><hr>');
  });
  it('interactive code blocks have a header with the language and a copy button', () => {
    const html = render('```ts\nconst a = 1;\n```');
    expect(html).toBe(
      '<div class="md-code"><div class="md-code-header"><span class="md-code-lang">ts</span><button type="button" class="md-copy" data-md-action="copy">Copy code</button></div><pre class="md-pre"><code class="language-ts">const a = 1;</code></pre></div>',
    );
    expect(render('```\nx\n```', interactive({ labels: markdownStrings.zh }))).toContain('<span class="md-code-lang">文本</span><button type="button" class="md-copy" data-md-action="copy">复制代码</button>');
  });
  it('highlighting is asked for only once the fence is closed', () => {
    const asked: string[] = [];
    const env = interactive({ live: true, code: (code) => (asked.push(code), null) });
    render('```ts\nconst a = 1;\n', env);
    expect(asked).toEqual([]);
    render('```ts\nconst a = 1;\n```', env);
    expect(asked).toEqual(['const a = 1;']);
    render('```ts\nconst b = 2;\n', { ...env, live: false });
    expect(asked).toEqual(['const a = 1;', 'const b = 2;']);
  });
  it('a closed mermaid fence asks for the diagram, and shows the source when it fails', () => {
    const asked: string[] = [];
    const html = render('```mermaid\ngraph TD\n  A-->B\n```', interactive({ mermaid: (src) => (asked.push(src), false) }));
    expect(asked).toEqual(['graph TD\n  A-->B']);
    expect(html).toContain('The diagram could not be drawn');
    expect(html).toContain('A--&gt;B');
  });
  it('math is asked for (inline and display); without KaTeX the source is shown', () => {
    const asked: [string, boolean][] = [];
    render('Euler $e^{i\\pi}$ and \\(x\\)\n\n$$\n\\frac12\n$$', interactive({ math: (tex, display) => (asked.push([tex, display]), null) }));
    expect(asked).toEqual([
      ['e^{i\\pi}', false],
      ['x', false],
      ['\\frac12', true],
    ]);
    expect(markdownToHtml('Cost $5 and $10.')).toBe('<p>Cost $5 and $10.</p>');
    expect(markdownToHtml('$x$')).toBe('<p><code class="md-math-source">$x$</code></p>');
  });
  it('\\[ … \\] inside a paragraph is display math, like $$ … $$ there', () => {
    const asked: [string, boolean][] = [];
    const html = render('The sum \\[\\sum_{i=1}^n i\\] is known, and \\[x^2\\] too.', interactive({ math: (tex, display) => (asked.push([tex, display]), `<span class="k">${tex.length}</span>`) }));
    expect(asked).toEqual([
      ['\\sum_{i=1}^n i', true],
      ['x^2', true],
    ]);
    expect(html).toBe('<p>The sum <span class="k">14</span> is known, and <span class="k">3</span> too.</p>');
    // An escaped bracket that never closes stays text; a link is not math.
    expect(markdownToHtml('a \\[b and [c](https://example.com)')).not.toContain('md-math-source');
  });
});

describe('fences', () => {
  const code = (src: string) => lexBlocks(src)[0] as Tokens.Code;
  it.each([
    ['```js\na\n```', true],
    ['```js\na\n````', true],
    ['````js\na\n```', false],
    ['```js\na\n``', false],
    ['```js\na', false],
    ['```', false],
    ['~~~\na\n~~~', true],
    ['~~~\na\n```', false],
    ['    indented', true],
  ])('%j closed: %s', (src, closed) => {
    expect(isFenceClosed(code(src))).toBe(closed);
  });
  it.each([
    ['ts', 'ts'],
    ['python title="x.py"', 'python'],
    ['  c++  ', 'c++'],
    [undefined, ''],
  ])('language of %j is %j', (lang, out) => {
    expect(fenceLanguage(lang)).toBe(out);
  });
});

describe('whatever the input, only the allowed tags and attributes come out', () => {
  it('the sample documents', () => {
    for (const doc of Object.values(DOCS)) {
      expectSafe(markdownToHtml(doc));
      expectSafe(render(doc));
      expectSafe(render(doc, interactive({ live: true })));
    }
  });

  const pieces = [
    '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '<a href="javascript:x">a</a>', '"', "'", '<', '>', '&', '&lt;', '`', '```', '~~~', '\n', '\n\n', '**', '_', '~~',
    '[', ']', '(', ')', '![', 'javascript:alert(1)', 'https://ok.example.com/x?a="b"', 'data:image/png;base64,AA', '<https://x.y>', '- ', '1. ', '> ', '# ', '| a | b |\n|---|---|\n| ', '$', '$$',
    '\\(', '\\)', '\\[', '[x]: javascript:y', '[x]', '<div onclick=x>', '</div>', '<!--', '-->', ' title="x" ', '中文', '\u0000', '\u202e', '<svg onload=x>', '<math>', 'www.example.com', 'a@b.co',
  ];
  it('random documents built from hostile pieces', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 30 }), (parts) => {
        const text = parts.join('');
        expectSafe(markdownToHtml(text));
        expectSafe(render(text));
      }),
      { numRuns: 1500, seed: 42 },
    );
  });
});
