/**
 * The syntax highlighter, off the main thread: shiki core with the JavaScript regular-expression engine
 * (no WebAssembly), two themes, and each grammar imported the first time a block in its language arrives.
 * Request: { id, code, lang } (lang already resolved by grammarFor). Reply: { id, tokens } — the block's tokens
 * as text and style (colours as --shiki-light / --shiki-dark variables; neighbours of one style joined), or null
 * when it cannot be done. The main thread builds the HTML itself from them (shiki-html.ts), escaped and filtered.
 */
import { createHighlighterCore, type HighlighterCore, type LanguageRegistration } from 'shiki/core';
import { createJavaScriptRegexEngine } from 'shiki/engine/javascript';
import { DARK_THEME, LIGHT_THEME, MAX_HIGHLIGHT_CHARS } from './languages.ts';
import { toHighlightTokens, type HighlightTokens } from './shiki-html.ts';

type Grammar = { default: LanguageRegistration[] };

const GRAMMARS: Record<string, () => Promise<Grammar>> = {
  javascript: () => import('shiki/langs/javascript.mjs'),
  typescript: () => import('shiki/langs/typescript.mjs'),
  tsx: () => import('shiki/langs/tsx.mjs'),
  jsx: () => import('shiki/langs/jsx.mjs'),
  json: () => import('shiki/langs/json.mjs'),
  python: () => import('shiki/langs/python.mjs'),
  shellscript: () => import('shiki/langs/shellscript.mjs'),
  go: () => import('shiki/langs/go.mjs'),
  rust: () => import('shiki/langs/rust.mjs'),
  java: () => import('shiki/langs/java.mjs'),
  c: () => import('shiki/langs/c.mjs'),
  cpp: () => import('shiki/langs/cpp.mjs'),
  csharp: () => import('shiki/langs/csharp.mjs'),
  sql: () => import('shiki/langs/sql.mjs'),
  yaml: () => import('shiki/langs/yaml.mjs'),
  toml: () => import('shiki/langs/toml.mjs'),
  html: () => import('shiki/langs/html.mjs'),
  css: () => import('shiki/langs/css.mjs'),
  markdown: () => import('shiki/langs/markdown.mjs'),
  diff: () => import('shiki/langs/diff.mjs'),
  docker: () => import('shiki/langs/docker.mjs'),
  kotlin: () => import('shiki/langs/kotlin.mjs'),
  swift: () => import('shiki/langs/swift.mjs'),
  php: () => import('shiki/langs/php.mjs'),
  ruby: () => import('shiki/langs/ruby.mjs'),
};

export interface HighlightRequest {
  id: number;
  code: string;
  lang: string;
}

export interface HighlightReply {
  id: number;
  tokens: HighlightTokens | null;
}

let highlighter: Promise<HighlighterCore> | null = null;
const loading = new Map<string, Promise<void>>();

function getHighlighter(): Promise<HighlighterCore> {
  highlighter ??= createHighlighterCore({
    themes: [import('shiki/themes/github-light.mjs'), import('shiki/themes/github-dark.mjs')],
    langs: [],
    engine: createJavaScriptRegexEngine({ forgiving: true }),
  });
  return highlighter;
}

async function ensureLanguage(h: HighlighterCore, lang: string): Promise<boolean> {
  if (h.getLoadedLanguages().includes(lang)) return true;
  const load = Object.hasOwn(GRAMMARS, lang) ? GRAMMARS[lang] : undefined;
  if (!load) return false;
  let pending = loading.get(lang);
  if (!pending) {
    pending = load().then((mod) => h.loadLanguage(mod.default));
    loading.set(lang, pending);
  }
  await pending;
  return true;
}

async function highlight(code: string, lang: string): Promise<HighlightTokens | null> {
  if (code.length > MAX_HIGHLIGHT_CHARS) return null;
  const h = await getHighlighter();
  if (!(await ensureLanguage(h, lang))) return null;
  return toHighlightTokens(h.codeToTokens(code, { lang, themes: { light: LIGHT_THEME, dark: DARK_THEME }, defaultColor: false }));
}

self.addEventListener('message', (event: MessageEvent<HighlightRequest>) => {
  const { id, code, lang } = event.data;
  highlight(code, lang).then(
    (tokens) => self.postMessage({ id, tokens } satisfies HighlightReply),
    () => self.postMessage({ id, tokens: null } satisfies HighlightReply),
  );
});
