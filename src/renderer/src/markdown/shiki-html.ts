/**
 * Highlighted code as HTML built here from the worker's tokens (text and colour styles), not shiki's HTML parsed
 * and sanitised: every token's text is escaped, every style goes through the inline-style filter, and the only
 * elements are pre, code and span. Safe by construction, and linear in the code: the sanitiser's parse of each
 * highlighted block was one long task per block on arrival (issue 17). The markup is shiki's own (its classes
 * and --shiki-light / --shiki-dark variables, which markdown.css reads).
 */
import { escapeHtml, filterStyle, SHIKI_CUSTOM_PROPS, SHIKI_STYLE_PROPS } from './policy.ts';

/** What the worker sends for one block: the block's style, and per line its tokens as [text, style]. */
export interface HighlightTokens {
  root: string;
  lines: [text: string, style: string][][];
}

/** A token as shiki gives it (codeToTokens with two themes: its colours in htmlStyle). */
interface ShikiToken {
  content: string;
  htmlStyle?: Record<string, string> | string;
}

/** shiki's codeToTokens result as the worker sends it: neighbours of one style joined into one span. */
export function toHighlightTokens(r: { rootStyle?: string | false; tokens: ShikiToken[][] }): HighlightTokens {
  const styleOf = (s: ShikiToken['htmlStyle']): string => (typeof s === 'string' ? s : s ? Object.entries(s).map(([k, v]) => `${k}:${v}`).join(';') : '');
  const lines = r.tokens.map((line) => {
    const out: [string, string][] = [];
    for (const t of line) {
      const style = styleOf(t.htmlStyle);
      const last = out[out.length - 1];
      if (last && last[1] === style) last[0] += t.content;
      else out.push([t.content, style]);
    }
    return out;
  });
  return { root: r.rootStyle || '', lines };
}

/** Styles filtered once each (a theme has a few dozen); bounded. */
const styles = new Map<string, string>();
function safeStyle(style: string): string {
  let kept = styles.get(style);
  if (kept === undefined) {
    kept = escapeHtml(filterStyle(style, SHIKI_STYLE_PROPS, SHIKI_CUSTOM_PROPS));
    if (styles.size >= 1024) styles.clear();
    styles.set(style, kept);
  }
  return kept;
}

export function highlightHtml(t: HighlightTokens): string {
  const lines = t.lines.map((line) => `<span class="line">${line.map(([text, style]) => `<span style="${safeStyle(style)}">${escapeHtml(text)}</span>`).join('')}</span>`);
  return `<pre class="shiki shiki-themes" style="${safeStyle(t.root)}" tabindex="0"><code>${lines.join('\n')}</code></pre>`;
}
