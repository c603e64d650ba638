/**
 * The languages code blocks are highlighted in, and the fence names that mean them. Shared by the main
 * thread (to skip the worker for unknown languages) and the highlight worker (which loads each grammar
 * lazily, the first time a block in that language is closed).
 */
export const LANGUAGE_ALIASES: Readonly<Record<string, string>> = {
  javascript: 'javascript', js: 'javascript', mjs: 'javascript', cjs: 'javascript', node: 'javascript',
  typescript: 'typescript', ts: 'typescript', mts: 'typescript', cts: 'typescript',
  tsx: 'tsx', jsx: 'jsx',
  json: 'json', jsonc: 'json', json5: 'json',
  python: 'python', py: 'python', python3: 'python',
  bash: 'shellscript', sh: 'shellscript', shell: 'shellscript', shellscript: 'shellscript', zsh: 'shellscript', console: 'shellscript',
  go: 'go', golang: 'go',
  rust: 'rust', rs: 'rust',
  java: 'java',
  c: 'c', h: 'c',
  cpp: 'cpp', 'c++': 'cpp', cc: 'cpp', cxx: 'cpp', hpp: 'cpp',
  csharp: 'csharp', cs: 'csharp', 'c#': 'csharp',
  sql: 'sql',
  yaml: 'yaml', yml: 'yaml',
  toml: 'toml',
  html: 'html', htm: 'html', xhtml: 'html',
  css: 'css',
  markdown: 'markdown', md: 'markdown',
  diff: 'diff', patch: 'diff',
  dockerfile: 'docker', docker: 'docker',
  kotlin: 'kotlin', kt: 'kotlin', kts: 'kotlin',
  swift: 'swift',
  php: 'php',
  ruby: 'ruby', rb: 'ruby',
};

/** The grammar a fence's language name means, or null when we do not highlight it. */
export function grammarFor(lang: string): string | null {
  const name = lang.trim().toLowerCase();
  return Object.hasOwn(LANGUAGE_ALIASES, name) ? (LANGUAGE_ALIASES[name] ?? null) : null;
}

/** Code longer than this is shown plain (highlighting it would take too long and too much memory). */
export const MAX_HIGHLIGHT_CHARS = 200_000;

/** The two themes: the page shows one or the other through CSS variables (see markdown.css). */
export const LIGHT_THEME = 'github-light';
export const DARK_THEME = 'github-dark';
