/**
 * KaTeX, loaded only when a message has math: the library and its CSS are dynamic imports, so neither is in
 * the initial bundle. Formulas are typeset with throwOnError: false (a broken formula shows in red instead of
 * failing) and trust: false (no \href, \url, \includegraphics, \htmlClass…), then sanitised.
 */
import { LruCache } from './lru.ts';
import { sanitizeKatexHtml } from './sanitize.ts';

type Katex = typeof import('katex').default;

let katex: Katex | null = null;
let loading: Promise<Katex | null> | null = null;
const cache = new LruCache<string>(2000, 4_000_000);

/** KaTeX if it is loaded already. */
export function katexIfLoaded(): Katex | null {
  return katex;
}

/**
 * Puts KaTeX's stylesheet into the page. The bundler inlines KaTeX's smallest font file (KaTeX_Size3's
 * woff2) as a data: URL, which the CSP refuses (font-src falls back to default-src 'self') and reports; that
 * source is removed so the browser takes the next one in the list (the .woff file).
 */
function installKatexCss(css: string): void {
  if (document.querySelector('style[data-md-katex]')) return;
  const style = document.createElement('style');
  style.setAttribute('data-md-katex', '');
  style.textContent = css.replace(/url\(\s*["']?data:[^)]*\)\s*format\(\s*["']?[\w-]+["']?\s*\)\s*,?/g, '');
  document.head.appendChild(style);
}

/** Loads KaTeX and its stylesheet (once). Resolves to null if loading failed (formulas stay as source). */
export function loadKatex(): Promise<Katex | null> {
  loading ??= Promise.all([import('katex'), import('./katex-css.ts')]).then(
    ([mod, css]) => {
      installKatexCss(css.default);
      return (katex = mod.default);
    },
    () => {
      loading = null;
      return null;
    },
  );
  return loading;
}

/** Longest formula we typeset. */
const MAX_TEX = 20_000;

/** Sanitised KaTeX HTML for a formula, or null when KaTeX is not loaded (show the source). */
export function renderMath(tex: string, display: boolean): string | null {
  if (!katex || tex.length > MAX_TEX) return null;
  const key = `${display ? 'D' : 'I'}${tex}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  let html: string;
  try {
    html = katex.renderToString(tex, {
      displayMode: display,
      throwOnError: false,
      trust: false,
      strict: 'ignore',
      output: 'htmlAndMathml',
      maxSize: 50,
      maxExpand: 1000,
    });
  } catch {
    return null;
  }
  const clean = sanitizeKatexHtml(html);
  cache.set(key, clean);
  return clean;
}
