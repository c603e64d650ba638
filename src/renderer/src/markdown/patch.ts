/**
 * Puts a new rendering of the block being streamed into its element by changing only what differs (issue 17).
 *
 * Each frame of an answer renders its last block again, and that block mostly grew by a few words at its end.
 * Replacing all the element's children made the browser drop and rebuild every node (and lay out the whole block
 * again); here nodes that are the same element (tag and attributes) are kept, text nodes take the new text, and
 * only the nodes that differ are replaced, with nodes taken from the new fragment (already checked or sanitised:
 * nothing else goes in). Small and DOM-only, so written here rather than taken from a virtual-DOM library.
 */

import { checkedFragment } from './sanitize.ts';

const TEXT = 3;
const ELEMENT = 1;

/** The same element: tag and every attribute equal (a kept element then stands for the new one exactly). */
function sameElement(a: Element, b: Element): boolean {
  if (a.tagName !== b.tagName || a.namespaceURI !== b.namespaceURI) return false;
  const x = a.attributes;
  const y = b.attributes;
  if (x.length !== y.length) return false;
  for (let i = 0; i < y.length; i++) {
    const attr = y[i] as Attr;
    if (a.getAttributeNS(attr.namespaceURI, attr.localName) !== attr.value) return false;
  }
  return true;
}

/**
 * Makes `target`'s children equal to `source`'s, keeping the nodes that already match (source's other nodes move
 * into target). `source` is consumed.
 */
export function patchChildren(target: Node, source: Node): void {
  let t = target.firstChild;
  let s = source.firstChild;
  while (s) {
    const next = s.nextSibling;
    if (t && t.nodeType === TEXT && s.nodeType === TEXT) {
      if ((t as Text).data !== (s as Text).data) (t as Text).data = (s as Text).data;
      t = t.nextSibling;
    } else if (t && t.nodeType === ELEMENT && s.nodeType === ELEMENT && sameElement(t as Element, s as Element)) {
      patchChildren(t, s);
      t = t.nextSibling;
    } else if (t) {
      const after = t.nextSibling;
      target.replaceChild(s, t);
      t = after;
    } else {
      target.appendChild(s);
    }
    s = next;
  }
  while (t) {
    const after: ChildNode | null = t.nextSibling;
    target.removeChild(t);
    t = after;
  }
}

/** Markup or an entity: a change holding one needs the HTML parsed. */
const MARKUP = /[<>&]/;
/** What may follow the changed text: closing tags and the newlines render.ts writes between them. */
const CLOSERS = /^(?:<\/[a-z][a-z0-9]*>|\n)*$/;

/**
 * The block being streamed grew inside one run of text (a word added to its last paragraph, list item or cell):
 * that text node takes the new text and nothing is parsed. `before` is the HTML `el` shows (render.ts's, put in
 * by a parse that was checked), `after` the new one. True when done; false when the change is anything else
 * (markup, an entity, a new element, text before other content), and then the caller puts the new HTML in as
 * usual. Only a text node's data is ever written here: no markup can come in this way.
 */
export function growText(el: Element, before: string, after: string): boolean {
  const max = Math.min(before.length, after.length);
  let p = 0;
  while (p < max && before.charCodeAt(p) === after.charCodeAt(p)) p++;
  let s = 0;
  while (s < max - p && before.charCodeAt(before.length - 1 - s) === after.charCodeAt(after.length - 1 - s)) s++;
  const was = before.slice(p, before.length - s);
  const now = after.slice(p, after.length - s);
  if (was === now || MARKUP.test(was) || MARKUP.test(now)) return false;
  const closers = after.slice(after.length - s);
  if (!CLOSERS.test(closers)) return false;
  // The change starts in text: not inside a tag, nor inside an entity, nor right after a tag with no text before
  // it in that node (a text node that did not exist yet).
  const lt = after.lastIndexOf('<', p - 1);
  const gt = after.lastIndexOf('>', p - 1);
  if (lt > gt || gt === p - 1) return false;
  const amp = after.lastIndexOf('&', p - 1);
  if (amp > gt && after.lastIndexOf(';', p - 1) < amp) return false;
  if (el.querySelector('mark')) return false; // a search's marks split the text: not the nodes the HTML says
  // Newlines right after the change are the end of the same text node; each later run of newlines (between
  // closing tags) is a text node of its own after it.
  const lead = /^\n*/.exec(closers)?.[0] ?? '';
  let skip = closers.slice(lead.length).match(/\n+/g)?.length ?? 0;
  const walker = el.ownerDocument.createTreeWalker(el, 4 /* NodeFilter.SHOW_TEXT */);
  let node = walker.lastChild() as Text | null;
  while (node && skip > 0) {
    node = walker.previousNode() as Text | null;
    skip--;
  }
  const tail = was + lead;
  if (!node || !node.data.endsWith(tail)) return false;
  node.data = node.data.slice(0, node.data.length - tail.length) + now + lead;
  return true;
}

/**
 * Puts render.ts's HTML for the block being streamed into its element: the grown text alone when that is all that
 * changed (growText), else the HTML parsed and checked (sanitize.ts checkedFragment) and patched in (or `purified`,
 * DOMPurify's, when the check fails). `before`: the HTML the element shows exactly, if known; `patch`: the element
 * holds an earlier frame of this block (else its children are replaced). Returns whether the element now shows
 * exactly `html` (then it is the next frame's `before`).
 */
export function showLiveHtml(el: Element, before: string | undefined, html: string, purified: () => DocumentFragment | string, patch: boolean): { exact: boolean; how: 'text' | 'patched' | 'replaced' | 'purified' } {
  if (before !== undefined && growText(el, before, html)) return { exact: true, how: 'text' };
  let checked: DocumentFragment | null;
  try {
    checked = checkedFragment(html);
  } catch {
    checked = null; // no DOM to check with: `purified` says what goes in instead
  }
  putLive(el, checked ?? purified(), patch);
  return { exact: checked !== null, how: checked === null ? 'purified' : patch ? 'patched' : 'replaced' };
}

/**
 * Puts the block being streamed into its element: a string (the escaped source, when nothing could sanitise) as
 * HTML, a fragment patched in over the last frame's nodes (`patch`) or in place of them.
 */
export function putLive(el: Element, dom: DocumentFragment | string, patch: boolean): void {
  if (typeof dom === 'string') el.innerHTML = dom;
  else if (patch) patchChildren(el, dom);
  else el.replaceChildren(dom);
}
