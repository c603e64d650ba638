/**
 * The words of a search marked in the message it opened, with the CSS Custom Highlight API: ranges over the
 * rendered text, so the markdown's DOM is not changed (styled by `::highlight(search-hit)` in styles.css).
 */
export const HIGHLIGHT_NAME = 'search-hit';

/** Marks every case-insensitive occurrence of `words` in the text under `root`; returns how many were marked. */
export function highlightWords(root: Element, words: readonly string[]): number {
  if (typeof Highlight === 'undefined' || !CSS.highlights) return 0;
  const wanted = words.map((w) => w.toLowerCase()).filter(Boolean);
  const ranges: Range[] = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = (n.nodeValue ?? '').toLowerCase();
    // Only where lower-casing kept the length (offsets must match the node's own text).
    if (text.length !== (n.nodeValue ?? '').length) continue;
    for (const w of wanted) {
      for (let i = text.indexOf(w); i !== -1; i = text.indexOf(w, i + w.length)) {
        const r = document.createRange();
        r.setStart(n, i);
        r.setEnd(n, i + w.length);
        ranges.push(r);
      }
    }
  }
  if (ranges.length) CSS.highlights.set(HIGHLIGHT_NAME, new Highlight(...ranges));
  else CSS.highlights.delete(HIGHLIGHT_NAME);
  return ranges.length;
}

export function clearHighlight(): void {
  if (typeof CSS !== 'undefined' && CSS.highlights) CSS.highlights.delete(HIGHLIGHT_NAME);
}
