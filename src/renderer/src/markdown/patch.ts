/**
 * Puts a new rendering of the block being streamed into its element by changing only what differs (issue 17).
 *
 * Each frame of an answer renders its last block again, and that block mostly grew by a few words at its end.
 * Replacing all the element's children made the browser drop and rebuild every node (and lay out the whole block
 * again); here nodes that are the same element (tag and attributes) are kept, text nodes take the new text, and
 * only the nodes that differ are replaced, with nodes taken from the new fragment (already checked or sanitised:
 * nothing else goes in). Small and DOM-only, so written here rather than taken from a virtual-DOM library.
 */

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
