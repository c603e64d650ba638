/**
 * The sanitised HTML of a whole message without the interactive parts (no highlighting, math or diagrams;
 * remote images as links), e.g. for "copy as HTML". Needs a DOM for DOMPurify: the page's window by
 * default, or pass one (a test's).
 */
import type { WindowLike } from 'dompurify';
import { markdownToHtml } from './render.ts';
import { sanitizeMarkdownHtml } from './sanitize.ts';
import type { MarkdownLabels } from './strings.ts';

export function renderMarkdownToHtml(text: string, options: { window?: WindowLike; labels?: MarkdownLabels } = {}): string {
  return sanitizeMarkdownHtml(markdownToHtml(text, options.labels), options.window);
}
