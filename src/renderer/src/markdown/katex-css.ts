/**
 * KaTeX's stylesheet as text, in its own chunk (imported only when a message has math). math.ts puts it in
 * the page after dropping the one font the bundler inlines as a data: URL (see there).
 */
import css from 'katex/dist/katex.min.css?inline';

export default css;
