/** The message renderer: see Markdown.tsx. */
export { Markdown, type MarkdownProps } from './Markdown.tsx';
export { markdownStrings, type MarkdownLabels } from './strings.ts';
export { renderMarkdownToHtml } from './html.ts';
export { markdownToHtml } from './render.ts';
export { safeLinkUrl, imagePolicy, isSafeImageDataUrl } from './policy.ts';
