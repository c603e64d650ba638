/**
 * Tokens → HTML, written by hand rather than by marked's renderer so that every token type is accounted
 * for: raw HTML in the text (block or inline) is escaped and shown as text, links pass the URL policy,
 * remote images become placeholders, and unknown token types render as their escaped source. The result
 * is still checked before it reaches the page (sanitize.ts): parsed inert and every node matched against what this
 * file writes, and sanitised with DOMPurify when anything else is there. Two independent layers.
 *
 * Pure (no DOM): unit-tested in Node.
 */
import type { Token, Tokens } from 'marked';
import { escapeHtml, imagePolicy, safeLinkUrl } from './policy.ts';
import { formatLabel, markdownStrings, type MarkdownLabels } from './strings.ts';
import { isFenceClosed, lexBlocks, normalizeNewlines, type MathBlockToken, type MathInlineToken } from './syntax.ts';

export type ImageState = { status: 'loading' } | { status: 'failed' } | { status: 'loaded'; dataUrl: string };

export interface RenderEnv {
  /** In the app: code headers with copy buttons, image placeholders. Static (copy as HTML): plain HTML. */
  interactive: boolean;
  /** The block is the one being streamed: open fences and formulas are shown as plain text. */
  live: boolean;
  labels: MarkdownLabels;
  /** Remote images the user asked to load, by URL. */
  images?: ReadonlyMap<string, ImageState>;
  /** False when the app cannot load remote images (no onLoadImage): their placeholders are disabled. */
  canLoadImages?: boolean;
  /** Typeset formula as trusted HTML (a slot marker), or null to show its source. */
  math?(tex: string, display: boolean): string | null;
  /** Highlighted code as trusted HTML (a slot marker), or null to show it plain. Only for closed fences. */
  code?(code: string, lang: string): string | null;
  /**
   * A drawn mermaid diagram as trusted HTML (a slot marker); null to show its source (not drawn yet), false
   * when it could not be drawn (its source is shown with a note). Only asked for closed fences.
   */
  mermaid?(code: string): string | null | false;
}

/** Characters of a fence's language we show and use (the first word of the info string). */
export function fenceLanguage(lang: string | undefined): string {
  return (/^\S*/.exec((lang ?? '').trim())?.[0] ?? '').slice(0, 40);
}

/** Escapes text but keeps character references (`&amp;`, `&copy;`, `&#169;`) as the author wrote them. */
function escapeText(text: string): string {
  return text.replace(/&(?!#\d{1,7};|#[xX][0-9a-fA-F]{1,6};|[a-zA-Z][a-zA-Z0-9]{1,31};)|[<>"']/g, (c) => escapeHtml(c));
}

const attr = escapeHtml;

function inline(tokens: readonly Token[] | undefined, env: RenderEnv): string {
  if (!tokens) return '';
  let out = '';
  for (const token of tokens) out += inlineToken(token, env);
  return out;
}

function inlineToken(token: Token, env: RenderEnv): string {
  switch (token.type) {
    case 'text': {
      const t = token as Tokens.Text;
      if (t.tokens && t.tokens.length > 0) return inline(t.tokens, env);
      // After an inline <script> or <pre> tag marked leaves text unescaped (escaped: true): escape it all.
      return t.escaped ? escapeHtml(t.text) : escapeText(t.text);
    }
    case 'escape':
      return escapeHtml((token as Tokens.Escape).text);
    case 'strong':
      return `<strong>${inline((token as Tokens.Strong).tokens, env)}</strong>`;
    case 'em':
      return `<em>${inline((token as Tokens.Em).tokens, env)}</em>`;
    case 'del':
      return `<del>${inline((token as Tokens.Del).tokens, env)}</del>`;
    case 'codespan':
      return `<code class="md-inline-code">${escapeHtml((token as Tokens.Codespan).text)}</code>`;
    case 'br':
      return '<br>';
    case 'link':
      return link(token as Tokens.Link, env);
    case 'image':
      return image(token as Tokens.Image, env);
    case 'html':
      // Raw HTML is text here: shown, never parsed.
      return escapeHtml((token as Tokens.HTML | Tokens.Tag).text);
    case 'checkbox':
      return checkbox((token as Tokens.Checkbox).checked);
    case 'mathInline': {
      const t = token as unknown as MathInlineToken;
      return env.math?.(t.text, t.display) ?? `<code class="md-math-source">${escapeHtml(t.raw)}</code>`;
    }
    default:
      return escapeHtml(token.raw);
  }
}

function checkbox(checked: boolean | undefined): string {
  return `<input type="checkbox" class="md-task-box" disabled${checked ? ' checked' : ''}> `;
}

function link(token: Tokens.Link, env: RenderEnv): string {
  const text = inline(token.tokens, env) || escapeHtml(token.text);
  const url = safeLinkUrl(token.href);
  if (!url) return `<span class="md-link-blocked" title="${attr(env.labels.blockedLink)}">${text}</span>`;
  // The title is the full URL (what a click asks the app to open), whatever title the text gave the link.
  return `<a class="md-link" href="${attr(url)}" title="${attr(url)}" rel="noopener noreferrer nofollow">${text}</a>`;
}

function image(token: Tokens.Image, env: RenderEnv): string {
  const alt = token.text ?? '';
  const policy = imagePolicy(token.href);
  if (policy.kind === 'text') return alt ? `<span class="md-image-alt">${escapeHtml(alt)}</span>` : '';
  if (!env.interactive) return `<a class="md-link" href="${attr(policy.url)}" title="${attr(policy.url)}">${escapeHtml(alt || policy.url)}</a>`;
  const state = env.images?.get(policy.url);
  if (state?.status === 'loaded') {
    return `<img class="md-image" src="${attr(state.dataUrl)}" alt="${attr(alt)}" title="${attr(policy.url)}">`;
  }
  const host = { host: policy.host };
  const label =
    state?.status === 'loading' ? formatLabel(env.labels.loadingImage, host) : state?.status === 'failed' ? formatLabel(env.labels.imageFailed, host) : formatLabel(env.labels.loadImage, host);
  const button =
    state?.status === 'loading' || env.canLoadImages === false
      ? `<button type="button" class="md-image-load" disabled title="${attr(policy.url)}">${escapeHtml(label)}</button>`
      : `<button type="button" class="md-image-load" data-md-action="load-image" data-md-url="${attr(policy.url)}" title="${attr(policy.url)}">${escapeHtml(label)}</button>`;
  return `<span class="md-image-placeholder">${button}${alt ? `<span class="md-image-alt">${escapeHtml(alt)}</span>` : ''}</span>`;
}

function blocks(tokens: readonly Token[] | undefined, env: RenderEnv): string {
  if (!tokens) return '';
  let out = '';
  for (const token of tokens) out += blockToken(token, env);
  return out;
}

function blockToken(token: Token, env: RenderEnv): string {
  switch (token.type) {
    case 'space':
    case 'def':
      return '';
    case 'paragraph':
      return `<p>${inline((token as Tokens.Paragraph).tokens, env)}</p>`;
    case 'text': {
      // Block-level text: the content of a tight list item.
      const t = token as Tokens.Text;
      return t.tokens ? inline(t.tokens, env) : escapeText(t.text);
    }
    case 'heading': {
      const t = token as Tokens.Heading;
      const depth = Math.min(6, Math.max(1, t.depth));
      return `<h${depth}>${inline(t.tokens, env)}</h${depth}>`;
    }
    case 'hr':
      return '<hr>';
    case 'blockquote':
      return `<blockquote>${blocks((token as Tokens.Blockquote).tokens, env)}</blockquote>`;
    case 'list':
      return list(token as Tokens.List, env);
    case 'code':
      return code(token as Tokens.Code, env);
    case 'table':
      return table(token as Tokens.Table, env);
    case 'html': {
      // A raw HTML block is shown as the text it is.
      const text = (token as Tokens.HTML).text.replace(/\n+$/, '');
      return `<p class="md-raw-html">${escapeHtml(text).replace(/\n/g, '<br>')}</p>`;
    }
    case 'mathBlock':
      return mathBlock(token as unknown as MathBlockToken, env);
    case 'checkbox':
      return checkbox((token as Tokens.Checkbox).checked);
    default:
      return `<p>${escapeHtml(token.raw)}</p>`;
  }
}

function list(token: Tokens.List, env: RenderEnv): string {
  let items = '';
  for (const item of token.items) {
    const task = item.task ? ' class="md-task"' : '';
    items += `<li${task}>${blocks(item.tokens, env)}</li>`;
  }
  if (token.ordered) {
    const start = typeof token.start === 'number' && token.start !== 1 ? ` start="${Math.max(0, Math.floor(token.start))}"` : '';
    return `<ol${start}>${items}</ol>`;
  }
  return `<ul>${items}</ul>`;
}

const ALIGN_CLASS: Record<string, string> = { left: ' class="md-align-left"', center: ' class="md-align-center"', right: ' class="md-align-right"' };

function table(token: Tokens.Table, env: RenderEnv): string {
  const cell = (c: Tokens.TableCell, tag: 'th' | 'td'): string => `<${tag}${c.align ? (ALIGN_CLASS[c.align] ?? '') : ''}>${inline(c.tokens, env)}</${tag}>`;
  const head = `<tr>${token.header.map((c) => cell(c, 'th')).join('')}</tr>`;
  const body = token.rows.map((row) => `<tr>${row.map((c) => cell(c, 'td')).join('')}</tr>`).join('');
  return `<div class="md-table-wrap"><table><thead>${head}</thead>${body ? `<tbody>${body}</tbody>` : ''}</table></div>`;
}

function code(token: Tokens.Code, env: RenderEnv): string {
  const lang = fenceLanguage(token.lang);
  const text = token.text;
  const closed = !env.live || isFenceClosed(token);
  const plain = `<pre class="md-pre"><code${lang ? ` class="language-${attr(lang)}"` : ''}>${escapeHtml(text)}</code></pre>`;
  if (!env.interactive) return plain;
  const isMermaid = lang.toLowerCase() === 'mermaid';
  let body = plain;
  let kind = 'md-code';
  if (closed && isMermaid) {
    const svg = env.mermaid?.(text) ?? null;
    if (svg) {
      body = `<div class="md-mermaid">${svg}</div><pre class="md-pre" hidden><code>${escapeHtml(text)}</code></pre>`;
      kind = 'md-code md-code-diagram';
    } else if (svg === false) {
      body = `<p class="md-diagram-failed">${escapeHtml(env.labels.diagramFailed)}</p>${plain}`;
    }
  } else if (closed && lang) {
    body = env.code?.(text, lang) ?? plain;
  }
  const header =
    `<div class="md-code-header"><span class="md-code-lang">${escapeHtml(isMermaid && kind !== 'md-code' ? env.labels.diagram : lang || env.labels.plainText)}</span>` +
    `<button type="button" class="md-copy" data-md-action="copy">${escapeHtml(env.labels.copyCode)}</button></div>`;
  return `<div class="${kind}${closed ? '' : ' md-code-open'}">${header}${body}</div>`;
}

function mathBlock(token: MathBlockToken, env: RenderEnv): string {
  if (token.closed) {
    const html = env.math?.(token.text, true) ?? null;
    if (html) return `<div class="md-math-display">${html}</div>`;
    return `<pre class="md-math-source" title="${attr(env.labels.mathSource)}">${escapeHtml(token.raw.replace(/\n+$/, ''))}</pre>`;
  }
  // Not closed: being written (shown as source), or never closed (shown as the text it is).
  if (env.live) return `<pre class="md-math-source md-math-open">${escapeHtml(token.raw)}</pre>`;
  return `<p>${escapeHtml(token.raw.replace(/\n+$/, '')).replace(/\n/g, '<br>')}</p>`;
}

/** HTML for block tokens (one top-level block or several). */
export function renderTokens(tokens: readonly Token[], env: RenderEnv): string {
  return blocks(tokens, env);
}

/** Static rendering options: no highlighting, math or diagrams; images as links. */
export function staticEnv(labels: MarkdownLabels = markdownStrings.en): RenderEnv {
  return { interactive: false, live: false, labels };
}

/**
 * The HTML of a whole message, not yet sanitised (sanitizeMarkdownHtml in sanitize.ts does that): no
 * highlighting, math or diagrams; remote images become links. Raw HTML in the text is escaped.
 */
export function markdownToHtml(text: string, labels?: MarkdownLabels): string {
  return renderTokens(lexBlocks(normalizeNewlines(text)), staticEnv(labels));
}
