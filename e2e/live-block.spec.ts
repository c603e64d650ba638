/**
 * The block being streamed is not sanitised with DOMPurify when it does not need to be (issue 17: DOMPurify was
 * most of a stream event's budget): its HTML, render.ts's, is parsed in an inert template and every node checked
 * (sanitize.ts `checkedFragment`). This checks, in Chromium, on the renderer's own modules (bundled here as they
 * are, no app around them):
 * - what render.ts writes for the markdown an answer carries (every kind of block, links, task lists, tables, open
 *   fences, formulas, raw HTML, a remote image's placeholder, Chinese) passes the check, and the nodes it gives are
 *   exactly the ones DOMPurify keeps (the same serialisation);
 * - finished, the same block's HTML is used as written (composeHtml), and the page parses it into what DOMPurify
 *   keeps; its slot markers (formulas, highlighted code) are replaced by their trusted fragments;
 * - HTML that render.ts would never write (an event handler, a script, SVG, a javascript: link, a style, an id, a
 *   comment, a slot, an unknown class, an mXSS-shaped title…) fails it, and the block then goes through DOMPurify:
 *   nothing runs, nothing loads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'rolldown';
import type { Browser, Page } from 'playwright-core';
import { fileURLToPath } from 'node:url';
import { launchChromium } from './targets.ts';

const md = (p: string): string => fileURLToPath(new URL(`../src/renderer/src/markdown/${p}`, import.meta.url));
let browser: Browser | undefined;
let page: Page;

beforeAll(async () => {
  const entry = [
    `export { checkedFragment, composeFragment, composeHtml, sanitizeMarkdownHtml, slotNonce, slotMarker } from ${JSON.stringify(md('sanitize.ts'))};`,
    `export { renderTokens } from ${JSON.stringify(md('render.ts'))};`,
    `export { lexBlocks } from ${JSON.stringify(md('syntax.ts'))};`,
    `export { closeTail } from ${JSON.stringify(md('tail.ts'))};`,
    `export { markdownStrings } from ${JSON.stringify(md('strings.ts'))};`,
    `export { showLiveHtml } from ${JSON.stringify(md('patch.ts'))};`,
  ].join('\n');
  const bundle = await build({
    input: 'live-block-entry',
    write: false,
    logLevel: 'silent',
    output: { format: 'iife', name: 'MD' },
    plugins: [{ name: 'entry', resolveId: (id) => (id === 'live-block-entry' ? id : null), load: (id) => (id === 'live-block-entry' ? entry : null) }],
  });
  browser = await launchChromium();
  page = await browser.newPage();
  await page.setContent('<!doctype html><html><body><div id="live"></div></body></html>');
  await page.addScriptTag({ content: bundle.output[0].code });
  await page.addScriptTag({ content: PAGE_SIDE });
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

/**
 * The page's side (plain script: this file is type-checked without the DOM's types): window.LB.renderLive(markdown)
 * renders a block as the live block is (render.ts, interactive, live, its open tail closed) and returns what each
 * path makes of it; window.LB.check(html) takes HTML as if render.ts had written it.
 */
const PAGE_SIDE = `window.LB = (() => {
  const M = window.MD;
  const serial = (f) => {
    if (!f) return '';
    const d = document.createElement('div');
    d.append(f);
    return d.innerHTML;
  };
  // What the block being streamed shows for render.ts's HTML, put in as BlockView does (patch.ts showLiveHtml:
  // checked, else DOMPurify's), into a fresh element.
  const purified = (html) => () => M.composeFragment(html, M.slotNonce(), []);
  const asStreamed = (html, into = document.createElement('div')) => {
    M.showLiveHtml(into, undefined, html, purified(html), false);
    return into.innerHTML;
  };
  return {
    renderLive(text) {
      const env = { interactive: true, live: true, labels: M.markdownStrings.en, images: new Map(), canLoadImages: true };
      const html = M.renderTokens(M.lexBlocks(M.closeTail(text)), env);
      const nonce = M.slotNonce();
      const composed = M.composeHtml(html, nonce, [], { cache: false });
      const shown = document.createElement('div');
      shown.innerHTML = composed;
      return {
        checked: M.checkedFragment(html) !== null,
        fast: asStreamed(html),
        purified: serial(M.composeFragment(html, nonce, [])),
        pwned: window.__pwned,
        composed: { same: composed === html, parsed: shown.innerHTML, purifiedString: M.sanitizeMarkdownHtml(html) },
      };
    },
    async check(h) {
      const checked = M.checkedFragment(h) !== null;
      const live = document.getElementById('live');
      asStreamed(h, live);
      await new Promise((r) => setTimeout(r, 50));
      const all = Array.from(live.querySelectorAll('*'));
      const composed = M.composeHtml(h, M.slotNonce(), [], { cache: false });
      return {
        composedIsPurified: composed === M.sanitizeMarkdownHtml(h),
        checked,
        fast: live.innerHTML,
        purified: serial(M.composeFragment(h, M.slotNonce(), [])),
        pwned: window.__pwned,
        inPage: {
          handlers: all.filter((e) => Array.from(e.attributes).some((a) => a.name.startsWith('on'))).length,
          scripts: live.querySelectorAll('script').length,
          svg: live.querySelectorAll('svg, math').length,
          iframes: live.querySelectorAll('iframe, object, embed, form').length,
        },
      };
    },
    /**
     * An answer written into the live element as BlockView does (patch.ts showLiveHtml), one prefix of the text a
     * frame: per frame, how it went in, whether the element equals a fresh rendering and whether the first text
     * node is still the same node (kept, not rebuilt).
     */
    grow(text, step) {
      const live = document.getElementById('live');
      live.replaceChildren();
      const env = { interactive: true, live: true, labels: M.markdownStrings.en, images: new Map(), canLoadImages: true };
      const frames = [];
      let first = null;
      let before;
      for (let n = step; n < text.length + step; n += step) {
        const html = M.renderTokens(M.lexBlocks(M.closeTail(text.slice(0, n))), env);
        const r = M.showLiveHtml(live, before, html, purified(html), n !== step);
        before = r.exact ? html : undefined;
        const walker = document.createTreeWalker(live, NodeFilter.SHOW_TEXT);
        const textNode = walker.nextNode();
        if (n === step) first = textNode;
        frames.push({ how: r.how, same: live.innerHTML === asStreamed(html), kept: textNode === first });
      }
      return frames;
    },
    slots() {
      const nonce = M.slotNonce();
      const mine = '<p>before ' + M.slotMarker(nonce, 0) + ' after</p>';
      const theirs = '<p>before ' + M.slotMarker('zzzz0000x', 0) + ' after</p>';
      return {
        mineChecked: M.checkedFragment(mine) !== null,
        mine: M.composeHtml(mine, nonce, ['<em class="katex">trusted</em>'], { cache: false }),
        theirs: M.composeHtml(theirs, nonce, ['<em class="katex">trusted</em>'], { cache: false }),
      };
    },
  };
})();`;

interface Outcome {
  checked: boolean;
  fast: string;
  purified: string;
  pwned: unknown;
  /** A finished block: composeHtml's string, whether it is the HTML as written, and what the page makes of it. */
  composed?: { same: boolean; parsed: string; purifiedString: string };
}

const renderLive = (markdown: string): Promise<Outcome> => page.evaluate(`window.LB.renderLive(${JSON.stringify(markdown)})`);

const check = (html: string): Promise<Outcome & { composedIsPurified: boolean; inPage: { handlers: number; scripts: number; svg: number; iframes: number } }> =>
  page.evaluate(`window.LB.check(${JSON.stringify(html)})`);

describe('the block being streamed: checked, not purified, when render.ts wrote it', () => {
  const blocks: [string, string][] = [
    ['a paragraph with inline marks', 'Set **keepAlive** and _retry_ with `timeout=30s`, ~~never~~ always &copy; 2026 & <b>raw</b> text.'],
    ['links, allowed and blocked', 'See [the docs](https://docs.example.com/a?b=1&c=2 "Docs"), <https://example.org>, [mail](mailto:ops@example.com) and [bad](javascript:alert(1)) or [file](file:///etc/passwd).'],
    ['a heading', '## Rolling out behind the proxy'],
    ['a blockquote with a list', '> quoted\n> - one\n> - two'],
    ['a task list', '- [x] proxy set\n- [ ] CA imported\n- plain item with `code`'],
    ['an ordered list starting at 3', '3. third\n4. fourth\n5. fifth'],
    ['a table with alignment', '| host | port | ok |\n| :--- | :---: | ---: |\n| proxy.corp | 8080 | yes |\n| 127.0.0.1 | 1080 | **no** |'],
    ['an open code fence', '```python\ndef f(x):\n    return "<script>" if x else None'],
    ['a closed code fence (not highlighted yet)', '```bash\ncurl -x http://proxy:8080 https://api.example.com\n```'],
    ['an open formula', '$$\n\\frac{a}{b} <'],
    ['a closed formula (KaTeX not loaded)', '$$\n\\int_0^1 x\\,dx\n$$'],
    ['inline math', 'The cost is $O(n^2)$ and $a<b$.'],
    ['a raw HTML block', '<div onclick="alert(1)">\n<img src=x onerror="window.__pwned=1">\n</div>'],
    ['inline raw HTML', 'before <img src=x onerror="window.__pwned=2"> <script>window.__pwned=3</script> after'],
    ['a remote image', 'Look: ![the chart](https://example.com/chart.png)'],
    ['a data image (shown as its alt text)', '![pixel](data:image/png;base64,iVBORw0KGgo=)'],
    ['Chinese', '代理认证失败应该怎么排查？先检查 **用户名** 和 `密码`，再看日志。'],
    ['a horizontal rule', '---'],
    ['hard breaks', 'line one  \nline two\\\nline three'],
  ];
  it.each(blocks)('%s: passes the check, and its nodes are exactly what DOMPurify keeps', async (_name, markdown) => {
    const r = await renderLive(markdown);
    expect(r.checked).toBe(true);
    expect(r.fast).toBe(r.purified);
    // Finished, the same block's HTML is used as written, and the page parses it into what DOMPurify keeps.
    expect(r.composed?.same).toBe(true);
    expect(r.composed?.parsed).toBe(r.composed?.purifiedString);
    expect(r.pwned).toBeUndefined();
  });

  it("a finished block's slot markers of this page are checked and replaced by their trusted fragments; another page's are not", async () => {
    const out = await page.evaluate<{ mineChecked: boolean; mine: string; theirs: string }>('window.LB.slots()');
    // The live block's check takes no slot (trusted fragments go through composeFragment).
    expect(out.mineChecked).toBe(false);
    expect(out.mine).toBe('<p>before <em class="katex">trusted</em> after</p>');
    expect(out.theirs).not.toContain('trusted');
  });
});

describe('HTML render.ts never writes fails the check and goes through DOMPurify', () => {
  const hostile: [string, string][] = [
    ['an event handler', '<p onclick="window.__pwned=1">x</p>'],
    ['an image with onerror', '<p><img src=x onerror="window.__pwned=2"></p>'],
    ['a script', '<p>a</p><script>window.__pwned=3</script>'],
    ['SVG with a script', '<svg><script>window.__pwned=4</script><circle r="1"/></svg>'],
    ['MathML', '<math><mi>x</mi></math>'],
    ['a javascript: link with the right rel', '<a class="md-link" href="javascript:window.__pwned=5" rel="noopener noreferrer nofollow">x</a>'],
    ['a link without rel', '<a class="md-link" href="https://example.com/">x</a>'],
    ['a link to a file', '<a href="file:///etc/passwd" rel="noopener noreferrer nofollow">x</a>'],
    ['a style', '<p style="background:url(https://tracker.example/p.png)">x</p>'],
    ['an id (clobbering)', '<p id="live">x</p>'],
    ['a comment', '<p>x<!-- <img src=x onerror="window.__pwned=6"> --></p>'],
    ['a slot marker', '<span data-md-slot="abcd1234x-0"></span>'],
    ['a class that is not ours', '<p class="md-ok evil">x</p>'],
    ['an iframe', '<iframe src="https://example.com"></iframe>'],
    ['a form with a button', '<form action="https://example.com"><button>go</button></form>'],
    ['a button that is not ours', '<button type="submit" class="md-copy">x</button>'],
    ['a text input', '<input type="text" class="md-task-box">'],
    ['a task box that could be ticked', '<input type="checkbox" class="md-task-box">'],
    ['a button without its type', '<button class="md-copy" data-md-action="copy">Copy</button>'],
    ['an mXSS-shaped title', '<noscript><p title="</noscript><img src=x onerror=window.__pwned=7>"></p></noscript>'],
    ['a title closing a comment', '<p title="--><img src=x onerror=window.__pwned=8>">x</p>'],
    ['a remote image', '<img class="md-image" src="https://tracker.example/p.png">'],
    ['a template', '<template><img src=x onerror="window.__pwned=9"></template>'],
    ['a custom element', '<x-widget class="md-x">x</x-widget>'],
    ['table cells outside a table (parsed apart in a template and in a <div>)', '<tr><td class="md-align-left">x</td></tr><img src=x onerror="window.__pwned=10">'],
    ['table cells outside a table, alone', '<td>x</td>'],
  ];
  it.each(hostile)('%s', async (_name, html) => {
    const r = await check(html);
    expect(r.checked).toBe(false);
    // What went into the page is DOMPurify's, streamed or finished.
    expect(r.fast).toBe(r.purified);
    expect(r.composedIsPurified).toBe(true);
    expect(r.inPage).toEqual({ handlers: 0, scripts: 0, svg: 0, iframes: 0 });
    expect(r.fast).not.toMatch(/onerror|onclick|javascript:|style=|id="live"|tracker/);
    expect(r.pwned).toBeUndefined();
  });
});

describe('each frame changes only what differs in the live block (patch.ts)', () => {
  const grow = (text: string, step: number): Promise<{ how: string; same: boolean; kept: boolean }[]> => page.evaluate(`window.LB.grow(${JSON.stringify(text)}, ${step})`);
  const answers: [string, string][] = [
    ['a paragraph growing word by word', 'Set **keepAlive** and _retry_ with `timeout=30s` behind the proxy, then [check](https://docs.example.com) the doctor: 代理 works & "quotes" <b>raw</b> end.'],
    ['a list gaining items', '- one with `code`\n- two **bold**\n- [x] three done\n- four\n  - nested five\n\n  loose six'],
    ['a table gaining rows', '| host | port |\n| --- | ---: |\n| proxy.corp | 8080 |\n| 127.0.0.1 | 1080 |'],
    ['a blockquote becoming a list', '> quoted text\n> - one\n> - two'],
    ['a heading', '## Rolling out behind the corporate proxy, step by step'],
    ['an ordered list with entities', '1. a < b && c > d\n2. "x" & \'y\'\n3. 1 &amp; 2 &copy;'],
  ];
  it.each(answers)('%s: after every frame the element is what a fresh rendering makes', async (_name, text) => {
    for (const step of [1, 2, 3, 7]) {
      const frames = await grow(text, step);
      expect(frames.length).toBeGreaterThan(1);
      expect(frames.filter((f) => !f.same)).toEqual([]);
    }
  });
  it('a paragraph that only grows takes most frames as text into its last text node (no parse), keeping its nodes', async () => {
    const frames = await grow('Plain words arriving one after another in a long paragraph of an answer, with **bold** and `code` inside it too.', 3);
    expect(frames.every((f) => f.kept)).toBe(true);
    const text = frames.filter((f) => f.how === 'text').length;
    expect(text).toBeGreaterThan(frames.length / 2);
    // Where markup arrived (the ** and the backticks) the frame was parsed and checked, then patched in.
    expect(frames.some((f) => f.how === 'patched')).toBe(true);
  });
});
