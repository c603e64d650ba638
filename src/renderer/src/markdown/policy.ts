/**
 * What the message renderer lets through: which URLs become links, which images may be shown, how raw
 * text is escaped and which inline styles survive. Pure functions (no DOM), so they are unit-tested in Node.
 */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and for double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

// One allowlist for links, shared with main's link:open (which checks again: the window is not trusted).
export { LINK_PROTOCOLS, MAX_URL_LENGTH, safeLinkUrl } from '../../../shared/links.ts';
import { safeLinkUrl } from '../../../shared/links.ts';

/** The host shown to the user for a URL (punycode stays punycode, so look-alike names show as xn--…). */
export function urlHost(url: string): string {
  try {
    return new URL(url).host || url;
  } catch {
    return url;
  }
}

export type ImagePolicy =
  /** An http(s) image: never fetched by itself; a placeholder button asks the app to load it. */
  | { kind: 'remote'; url: string; host: string }
  /** Anything else (data:, file:, relative, javascript:…): its alt text is shown instead. */
  | { kind: 'text' };

/** How an image in the markdown is shown (see ImagePolicy). */
export function imagePolicy(src: string | null | undefined): ImagePolicy {
  const url = safeLinkUrl(src);
  if (!url || (!url.startsWith('http:') && !url.startsWith('https:'))) return { kind: 'text' };
  return { kind: 'remote', url, host: urlHost(url) };
}

/** Largest data: URL we put into an <img> (about 12 MB of image). */
export const MAX_DATA_URL_LENGTH = 16 * 1024 * 1024;

/**
 * True for a base64 data:image URL of a raster or SVG type: the only image source the renderer ever puts
 * into the page (the CSP allows `img-src 'self' data:`; an SVG in <img> runs no script).
 */
export function isSafeImageDataUrl(url: unknown): url is string {
  if (typeof url !== 'string' || url.length > MAX_DATA_URL_LENGTH) return false;
  return /^data:image\/(?:png|jpeg|jpg|gif|webp|avif|bmp|x-icon|vnd\.microsoft\.icon|svg\+xml);base64,[A-Za-z0-9+/]*={0,2}$/.test(url);
}

const CSS_FUNCTIONS: ReadonlySet<string> = new Set(['rgb', 'rgba', 'hsl', 'hsla', 'calc']);

/**
 * Keeps only the declarations of an inline style whose property is allowed and whose value is a plain
 * length, colour or keyword (no url(), var(), expression(), image-set(), escapes or quotes).
 * Custom properties pass when `allowCustom` matches them (shiki's --shiki-light / --shiki-dark colours).
 */
export function filterStyle(style: string, allowed: ReadonlySet<string>, allowCustom?: RegExp): string {
  const kept: string[] = [];
  for (const decl of style.split(';')) {
    const colon = decl.indexOf(':');
    if (colon < 0) continue;
    const prop = decl.slice(0, colon).trim().toLowerCase();
    const value = decl.slice(colon + 1).trim();
    if (!prop || !value) continue;
    const propOk = allowed.has(prop) || (allowCustom !== undefined && prop.startsWith('--') && allowCustom.test(prop));
    if (!propOk) continue;
    if (!/^[#a-zA-Z0-9.,%()\s+*/-]+$/.test(value)) continue;
    // Nothing may be taken out of the flow of the page (a fixed or absolute overlay).
    if (prop === 'position' && value.toLowerCase() !== 'relative') continue;
    let fnOk = true;
    for (const m of value.matchAll(/([a-zA-Z-]*)\(/g)) if (!CSS_FUNCTIONS.has((m[1] ?? '').toLowerCase())) fnOk = false;
    if (!fnOk) continue;
    kept.push(`${prop}:${value}`);
  }
  return kept.join(';');
}

/** Inline style properties KaTeX's HTML output uses (position only as `relative`, see filterStyle). */
export const KATEX_STYLE_PROPS: ReadonlySet<string> = new Set([
  'height', 'width', 'min-width', 'vertical-align', 'top', 'bottom', 'position',
  'margin', 'margin-left', 'margin-right', 'margin-top', 'margin-bottom', 'padding-left', 'padding-right', 'padding-top', 'padding-bottom',
  'border', 'border-width', 'border-style', 'border-color', 'border-bottom-width', 'border-top-width', 'border-left-width', 'border-right-width',
  'border-top-style', 'border-bottom-style', 'border-left-style', 'border-right-style',
  'color', 'background-color',
]);

/** Inline style properties shiki's output uses (colours arrive as --shiki-light / --shiki-dark variables). */
export const SHIKI_STYLE_PROPS: ReadonlySet<string> = new Set(['color', 'background-color', 'font-style', 'font-weight', 'text-decoration']);
export const SHIKI_CUSTOM_PROPS = /^--shiki-(?:light|dark)(?:-bg|-font-style|-font-weight|-text-decoration)?$/;

/**
 * True when a diagram's CSS is harmless to put in the page: every top-level rule is scoped to `#scope`
 * (or is @keyframes), and nothing loads anything (no @import, url() other than #fragment, expression(),
 * escapes or `</`).
 */
export function isScopedCss(css: string, scope: string): boolean {
  if (!scope) return false;
  const text = css.replace(/\/\*[\s\S]*?\*\//g, '');
  if (/@import|expression\s*\(|javascript:|\\|<\/|@namespace|@font-face/i.test(text)) return false;
  for (const m of text.matchAll(/url\s*\(\s*(['"]?)([^)'"]*)\1\s*\)/gi)) if (!(m[2] ?? '').trim().startsWith('#')) return false;
  if (/url\s*\(/i.test(text.replace(/url\s*\(\s*(['"]?)#[^)'"]*\1\s*\)/gi, ''))) return false;
  let depth = 0;
  let selector = '';
  for (const ch of text) {
    if (ch === '{') {
      if (depth === 0) {
        const sel = selector.trim();
        // @keyframes select nothing; any other at-rule (@media, @import, @font-face…) is refused.
        if (sel.startsWith('@')) {
          if (!/^@(?:-webkit-)?keyframes\s+[\w-]+$/.test(sel)) return false;
        } else if (!sel.split(',').every((s) => isScopedSelector(s.trim(), scope))) return false;
      }
      depth++;
      selector = '';
    } else if (ch === '}') {
      depth--;
      if (depth < 0) return false;
      selector = '';
    } else if (depth === 0) {
      selector += ch;
    }
  }
  return depth === 0;
}

/** `#scope`, or `#scope` followed by a combinator, class, pseudo-class or attribute selector. */
function isScopedSelector(selector: string, scope: string): boolean {
  if (!selector.startsWith(`#${scope}`)) return false;
  const rest = selector.slice(scope.length + 1);
  return rest === '' || /^[\s.:>[+~]/.test(rest);
}

/**
 * Mermaid puts label text into the page's DOM while it measures it, before its own sanitising: an
 * `<img onerror>` in a label would be created (the CSP stops it from loading or running, but it should not
 * get that far). Tag-like text in a diagram's source is turned into mermaid's entity code (`#lt;`), which
 * shows as "<" in the drawing. `<br>` stays (line breaks in labels), and so do `<<interface>>`-style
 * annotations and arrows (`-->`, `<|--`, `->>`).
 */
export function neutralizeMermaidSource(source: string): string {
  return source.replace(/(?<!<)<(\/?)(?!br\s*\/?>)([a-zA-Z][\w:-]*)(?=[\s/>]|$)/g, '#lt;$1$2');
}
