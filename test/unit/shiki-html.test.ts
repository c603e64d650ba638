/**
 * Highlighted code built from shiki's tokens (shiki-html.ts), not from its HTML: the text a model wrote is
 * escaped whatever it holds, only filtered colour styles survive, and the markup is shiki's (the same text and
 * colours as its own codeToHtml, which markdown.css reads).
 */
import { createHighlighterCore } from 'shiki/core';
import { createJavaScriptRegexEngine } from 'shiki/engine/javascript';
import { describe, expect, it } from 'vitest';
import { highlightHtml, toHighlightTokens } from '../../src/renderer/src/markdown/shiki-html.ts';

const ENTITIES: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&#x27;': "'", '&#x3C;': '<', '&#x26;': '&', '&amp;': '&' };
const unescape = (s: string): string => s.replace(/&(?:lt|gt|quot|amp|#39|#x27|#x3C|#x26);/g, (e) => ENTITIES[e] ?? e);
/** The text of the HTML (tags dropped, entities read) and the colours in order: what a reader sees. */
function seen(html: string): { text: string; colours: string[] } {
  const colours: string[] = [];
  for (const m of html.matchAll(/<span style="([^"]*)">([^<]*)<\/span>/g)) {
    const light = /--shiki-light:(#[0-9a-fA-F]+)/.exec(m[1] ?? '')?.[1];
    for (const ch of unescape(m[2] ?? '')) if (!/\s/.test(ch)) colours.push(light?.toLowerCase() ?? '');
  }
  return { text: unescape(html.replace(/<[^>]*>/g, '')), colours };
}

describe('highlighted code from tokens', () => {
  it('shows the same text in the same colours as shiki’s own HTML', async () => {
    const h = await createHighlighterCore({ themes: [import('shiki/themes/github-light.mjs'), import('shiki/themes/github-dark.mjs')], langs: [import('shiki/langs/typescript.mjs')], engine: createJavaScriptRegexEngine({ forgiving: true }) });
    const code = 'const a = "<b>&amp;</b>";\n// a *comment* with \'quotes\'\nfunction f<T>(x: T): T { return x; }';
    const o = { lang: 'typescript', themes: { light: 'github-light', dark: 'github-dark' }, defaultColor: false as const };
    const ours = highlightHtml(toHighlightTokens(h.codeToTokens(code, o)));
    const theirs = h.codeToHtml(code, o);
    expect(seen(ours)).toEqual(seen(theirs));
    expect(seen(ours).text).toBe(code);
    expect(ours).toMatch(/^<pre class="shiki shiki-themes" style="--shiki-light:#24292e;--shiki-dark:#e1e4e8;--shiki-light-bg:#fff;--shiki-dark-bg:#24292e" tabindex="0"><code><span class="line">/);
  });

  it('text that looks like HTML stays text, and styles other than shiki’s colours are dropped', () => {
    const html = highlightHtml({
      root: 'position:fixed;--shiki-light:#fff;background-image:url(https://x.invalid/a.png)',
      lines: [[['</code></pre><img src=x onerror=alert(1)>', '--shiki-light:#D73A49;--shiki-dark:url(javascript:alert(1))']], [['"\'&', '"><script>alert(1)</script><span style="']]],
    });
    expect(html).not.toMatch(/<img|<script|url\(|position/);
    expect(html).toContain('&lt;/code&gt;&lt;/pre&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('<span style="--shiki-light:#D73A49">');
    expect(html).toContain('<span style="">&quot;&#39;&amp;</span>');
    expect([...html.matchAll(/<(\w+)/g)].map((m) => m[1])).toEqual(['pre', 'code', 'span', 'span', 'span', 'span']);
  });
});
