/** The renderer's pure policies: which URLs become links, which images may show, escaping, styles, CSS. */
import { describe, expect, it } from 'vitest';
import {
  escapeHtml,
  filterStyle,
  imagePolicy,
  isSafeImageDataUrl,
  isScopedCss,
  KATEX_STYLE_PROPS,
  neutralizeMermaidSource,
  safeLinkUrl,
  SHIKI_CUSTOM_PROPS,
  SHIKI_STYLE_PROPS,
  urlHost,
} from '../../src/renderer/src/markdown/policy.ts';
import { formatLabel, markdownStrings } from '../../src/renderer/src/markdown/strings.ts';
import { LruCache } from '../../src/renderer/src/markdown/lru.ts';
import { grammarFor, LANGUAGE_ALIASES } from '../../src/renderer/src/markdown/languages.ts';

describe('link policy: only http, https and mailto become links', () => {
  it.each([
    ['https://example.com', 'https://example.com/'],
    ['http://example.com/a b', 'http://example.com/a%20b'],
    ['  https://example.com/path?q=1#frag  ', 'https://example.com/path?q=1#frag'],
    ['HTTPS://EXAMPLE.COM/X', 'https://example.com/X'],
    ['mailto:someone@example.com', 'mailto:someone@example.com'],
    ['https://user:pw@example.com/', 'https://user:pw@example.com/'],
    ['https://例子.测试/路径', 'https://xn--fsqu00a.xn--0zwm56d/%E8%B7%AF%E5%BE%84'],
  ])('%s → %s', (href, url) => {
    expect(safeLinkUrl(href)).toBe(url);
  });

  it.each([
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    ' javascript:alert(1)',
    'java\nscript:alert(1)',
    'java\tscript:alert(1)',
    '\u0000javascript:alert(1)',
    'javascript&colon;alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'data:image/png;base64,AAAA',
    'vbscript:msgbox(1)',
    'file:///etc/passwd',
    'blob:https://example.com/uuid',
    'about:blank',
    'chrome://settings',
    'ftp://example.com/file',
    'ws://example.com',
    'tel:+123',
    '/relative/path',
    'relative/path',
    '#anchor',
    '?q=1',
    '//evil.example.com/x',
    'https://',
    'mailto:',
    '',
  ])('%j is not a link', (href) => {
    expect(safeLinkUrl(href)).toBeNull();
  });

  it('a URL longer than 8 KB is not a link', () => {
    expect(safeLinkUrl(`https://example.com/${'x'.repeat(9000)}`)).toBeNull();
  });

  it('non-strings are not links', () => {
    expect(safeLinkUrl(undefined)).toBeNull();
    expect(safeLinkUrl(null)).toBeNull();
  });

  it('hosts show as the browser sees them (punycode for look-alikes)', () => {
    expect(urlHost('https://раураl.com/login')).toBe('xn--l-7sba6dbr.com');
    expect(urlHost('https://img.example.com:8443/a.png')).toBe('img.example.com:8443');
  });
});

describe('image policy: remote images are placeholders, nothing else is shown as an image', () => {
  it('http and https images become placeholders that name their host', () => {
    expect(imagePolicy('https://img.example.com/cat.png')).toEqual({ kind: 'remote', url: 'https://img.example.com/cat.png', host: 'img.example.com' });
    expect(imagePolicy('http://example.com/a.gif?x=1')).toEqual({ kind: 'remote', url: 'http://example.com/a.gif?x=1', host: 'example.com' });
  });

  it.each(['data:image/png;base64,iVBORw0KGgo=', 'data:image/svg+xml,<svg onload=alert(1)>', 'javascript:alert(1)', 'file:///etc/passwd', 'mailto:a@b.c', '/img.png', 'img.png', '//cdn.example.com/a.png', ''])(
    '%j shows its alt text',
    (src) => {
      expect(imagePolicy(src)).toEqual({ kind: 'text' });
    },
  );

  it.each([
    ['data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', true],
    ['data:image/jpeg;base64,/9j/4AAQSkZJRg==', true],
    ['data:image/webp;base64,UklGRg==', true],
    ['data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=', true],
    ['data:image/png,rawdata', false],
    ['data:text/html;base64,PHNjcmlwdD4=', false],
    ['data:image/png;base64,AAAA"><script>', false],
    ['data:image/png;base64,AA AA', false],
    ['https://example.com/a.png', false],
    ['javascript:alert(1)', false],
    [null, false],
    [42, false],
  ])('onLoadImage result %j → shown: %s', (url, ok) => {
    expect(isSafeImageDataUrl(url)).toBe(ok);
  });
});

describe('HTML escaping', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<script>alert("x" & 'y')</script>`)).toBe('&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;');
  });
  it('leaves other text (CJK, emoji) alone', () => {
    expect(escapeHtml('中文 😀 plain')).toBe('中文 😀 plain');
  });
});

describe('inline style filter (for KaTeX and shiki output)', () => {
  it('keeps allowed layout properties and colours', () => {
    expect(filterStyle('height:1.04em;vertical-align:-0.34em;color:#ff0000', KATEX_STYLE_PROPS)).toBe('height:1.04em;vertical-align:-0.34em;color:#ff0000');
    expect(filterStyle('position:relative;top:-2.6em', KATEX_STYLE_PROPS)).toBe('position:relative;top:-2.6em');
  });
  it.each([
    'position:fixed;inset:0',
    'position:absolute',
    'background-image:url(https://evil.example.com/x.png)',
    'color:red;background:url(javascript:alert(1))',
    'width:expression(alert(1))',
    'color:var(--x)',
    'color:"red"',
    'width:calc(100% - attr(x))',
    'behavior:url(x.htc)',
    'color:\\72 ed',
  ])('drops %j', (style) => {
    const kept = filterStyle(style, KATEX_STYLE_PROPS);
    expect(kept).not.toMatch(/url|expression|var\(|attr\(|fixed|absolute|background:|\\|"/);
  });
  it('shiki: colour variables only', () => {
    expect(filterStyle('--shiki-light:#D73A49;--shiki-dark:#F97583', SHIKI_STYLE_PROPS, SHIKI_CUSTOM_PROPS)).toBe('--shiki-light:#D73A49;--shiki-dark:#F97583');
    expect(filterStyle('--other:1px;position:fixed;--shiki-dark-font-style:italic', SHIKI_STYLE_PROPS, SHIKI_CUSTOM_PROPS)).toBe('--shiki-dark-font-style:italic');
  });
});

describe('diagram CSS must be scoped to the diagram', () => {
  const id = 'md-mermaid-3';
  it('accepts mermaid-style CSS', () => {
    expect(isScopedCss(`#${id}{font-family:"trebuchet ms",verdana;fill:#333;}#${id} .node rect{fill:#ECECFF;}@keyframes dash{to{stroke-dashoffset:0;}}#${id} .edge-animation-fast{animation:dash 2s linear infinite;}#${id} :root{--x:1}`, id)).toBe(true);
    expect(isScopedCss(`#${id} marker{fill:url(#arrow)}`, id)).toBe(true);
  });
  it.each([
    'body{display:none}',
    `#${id} a{x:1} body{display:none}`,
    `#${id}, body{display:none}`,
    `#${id}-other{x:1}`,
    `@import url(https://evil.example.com/x.css); #${id}{x:1}`,
    `@media screen{body{display:none}}`,
    `@font-face{font-family:x;src:url(https://evil.example.com/f.woff)}`,
    `#${id}{background:url(https://evil.example.com/track.png)}`,
    `#${id}{background:url( "https://evil.example.com/t.png" )}`,
    `#${id}{x:1}}body{display:none}`,
    `#${id}{content:"\\3c/style>"}`,
  ])('refuses %j', (css) => {
    expect(isScopedCss(css, id)).toBe(false);
  });
});

describe('mermaid source: tag-like text is neutralised before mermaid sees it', () => {
  it.each([
    ['graph TD\n  A["<img src=x onerror=alert(1)>"] --> B', 'graph TD\n  A["#lt;img src=x onerror=alert(1)>"] --> B'],
    ['sequenceDiagram\n  A->>B: <script>x</script>', 'sequenceDiagram\n  A->>B: #lt;script>x#lt;/script>'],
    ['graph TD\n  A[line one<br>line two] --> B', 'graph TD\n  A[line one<br>line two] --> B'],
    ['classDiagram\n  class A\n  <<interface>> A\n  A <|-- B', 'classDiagram\n  class A\n  <<interface>> A\n  A <|-- B'],
    ['graph LR\n  A -->|x < y| B <--> C', 'graph LR\n  A -->|x < y| B <--> C'],
  ])('%j', (src, out) => {
    expect(neutralizeMermaidSource(src)).toBe(out);
  });
});

describe('labels', () => {
  it('English and Chinese have the same non-empty strings, and placeholders survive translation', () => {
    expect(Object.keys(markdownStrings.zh).sort()).toEqual(Object.keys(markdownStrings.en).sort());
    for (const [key, en] of Object.entries(markdownStrings.en)) {
      const zh = markdownStrings.zh[key as keyof typeof markdownStrings.zh];
      expect(zh.trim(), key).not.toBe('');
      expect(zh.match(/\{\w+\}/g) ?? [], key).toEqual(en.match(/\{\w+\}/g) ?? []);
    }
    expect(markdownStrings.zh.copyCode).toBe('复制代码');
  });
  it('formatLabel fills placeholders and leaves unknown ones', () => {
    expect(formatLabel('Load image from {host}', { host: 'example.com' })).toBe('Load image from example.com');
    expect(formatLabel('{a} {b}', { a: '1' })).toBe('1 {b}');
    expect(formatLabel('{host}', { host: '$& $1' })).toBe('$& $1');
  });
});

describe('highlight cache (LRU bounded by count and size)', () => {
  it('evicts the least recently used entry past the count', () => {
    const lru = new LruCache<string>(2, 1000);
    lru.set('a', '1');
    lru.set('b', '2');
    expect(lru.get('a')).toBe('1');
    lru.set('c', '3');
    expect(lru.has('b')).toBe(false);
    expect(lru.has('a')).toBe(true);
    expect(lru.size).toBe(2);
  });
  it('evicts past the total size, and never keeps an entry bigger than a quarter of it', () => {
    const lru = new LruCache<string>(100, 100);
    for (let i = 0; i < 10; i++) lru.set(`k${i}`, 'x'.repeat(18));
    expect(lru.totalSize).toBeLessThanOrEqual(100);
    expect(lru.has('k9')).toBe(true);
    expect(lru.has('k0')).toBe(false);
    lru.set('huge', 'x'.repeat(30));
    expect(lru.has('huge')).toBe(false);
  });
  it('replacing a key updates the size', () => {
    const lru = new LruCache<string>(10, 1000);
    lru.set('a', 'xxxx');
    lru.set('a', 'xx');
    expect(lru.totalSize).toBe(3);
    lru.delete('a');
    expect(lru.totalSize).toBe(0);
  });
});

describe('highlighted languages', () => {
  it.each([
    ['js', 'javascript'],
    ['TS', 'typescript'],
    ['tsx', 'tsx'],
    ['sh', 'shellscript'],
    ['bash', 'shellscript'],
    ['py', 'python'],
    ['c++', 'cpp'],
    ['C#', 'csharp'],
    ['yml', 'yaml'],
    ['Dockerfile', 'docker'],
    ['rb', 'ruby'],
  ])('%s → %s', (lang, grammar) => {
    expect(grammarFor(lang)).toBe(grammar);
  });
  it('unknown languages stay plain', () => {
    expect(grammarFor('brainfuck')).toBeNull();
    expect(grammarFor('')).toBeNull();
    expect(grammarFor('__proto__')).toBeNull();
  });
  it('every alias names a grammar the worker can load', async () => {
    const { readFile } = await import('node:fs/promises');
    const worker = await readFile(new URL('../../src/renderer/src/markdown/highlight.worker.ts', import.meta.url), 'utf8');
    for (const grammar of new Set(Object.values(LANGUAGE_ALIASES))) expect(worker).toContain(`${grammar}: () => import('shiki/langs/${grammar}.mjs')`);
  });
});
