/**
 * The message renderer: markdown (GFM, math, diagrams, highlighted code) rendered fast while it streams and
 * safely whatever it contains.
 *
 * - The text is split into top-level blocks (blocks.ts); each block is a memoised component compared by its
 *   source, so appending a delta re-renders only the last block, and only that block is lexed again.
 * - While streaming, the last block's unterminated inline markup is closed first (tail.ts).
 * - Each block is one HTML string (render.ts) sanitised with DOMPurify (sanitize.ts): no React element per
 *   token, and no innerHTML churn for blocks that did not change. The block being streamed is sanitised to
 *   nodes that go into its element as they are (no serialising, no second parse through innerHTML); an open
 *   code fence keeps its sanitised frame and a delta only sets its code as text.
 * - Links never navigate: a click (or Enter) calls onOpenLink with the full URL. Remote images are never
 *   fetched by the page: a placeholder asks onLoadImage, and only a data:image URL it returns is shown.
 * - Closed code fences are highlighted in a worker (highlight.ts); KaTeX and mermaid are imported only when
 *   a message has math or a diagram.
 * - Huge messages (up to the 4 MB an answer may be): one that opens finished is cut into segments (segments.ts),
 *   each rendered only once near the viewport, the end first; while one is written, a long paragraph is cut into pieces (blocks.ts), the
 *   text is split in slices of a few milliseconds (a message that opens does not block the window), and a
 *   message over CHUNKED_CHARS renders its blocks in chunks, each only once it comes near the viewport
 *   (one chunk a task), with content-visibility so that chunks off screen cost no layout.
 */
import { memo, startTransition, useCallback, useDeferredValue, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { MouseEvent as ReactMouseEvent } from 'react';
import { BlockSplitter, type Block } from './blocks.ts';
import { segmentBlocks, segmentText, type Segment, type Segmented } from './segments.ts';
import { canHighlight, cachedHighlight, requestHighlight } from './highlight.ts';
import { loadKatex, katexIfLoaded, renderMath } from './math.ts';
import { cachedDiagram, requestDiagram } from './mermaid.ts';
import { escapeHtml, isSafeImageDataUrl, safeLinkUrl } from './policy.ts';
import { renderTokens, type ImageState, type RenderEnv } from './render.ts';
import { putLive, showLiveHtml } from './patch.ts';
import { composeFragment, composeHtml, slotMarker, slotNonce } from './sanitize.ts';
import type { MarkdownLabels } from './strings.ts';
import { isFenceClosed, lexBlocks, type Token, type Tokens, type TokensList } from './syntax.ts';
import { closeTail } from './tail.ts';
import './markdown.css';

export interface MarkdownProps {
  /** The markdown (a model's answer or what a user wrote or pasted). */
  text: string;
  /** True while `text` is still growing: the last block is shown as "being written". */
  streaming: boolean;
  /** When known: `text` is `from` with `added` appended (then only the new characters are read). */
  grown?: { from: string; added: string };
  /** A link was activated (click or Enter): open this full http(s)/mailto URL (e.g. after asking). */
  onOpenLink(url: string): void;
  /**
   * The user asked to load a remote image: fetch it and resolve to a data:image/… URL (or null). Without it,
   * remote images stay placeholders.
   */
  onLoadImage?(url: string): Promise<string | null>;
  /** UI strings: markdownStrings.en / markdownStrings.zh. */
  labels: MarkdownLabels;
  /** Extra class names for the root element. */
  className?: string;
}

/** Block types whose half-written inline markup is closed while streaming. */
const TAIL_TYPES: ReadonlySet<string> = new Set(['paragraph', 'heading', 'list', 'blockquote']);

/** How long the copy button says "Copied". */
const COPIED_MS = 1500;

/** A message longer than this (characters) renders its blocks in chunks, each when near the viewport. */
export const CHUNKED_CHARS = 64_000;
/** About how many characters of blocks one chunk holds. */
const CHUNK_CHARS = 8_000;
/** How long one render may spend splitting a message that opens (the rest follows in later tasks). */
const SLICE_MS = 6;

interface BlockResult {
  /** The sanitised HTML (a finished block), or '' for the live block (see `dom`). */
  html: string;
  /** The block being streamed: what BlockView puts into its element in the commit. */
  live?: LiveContent;
  /** Work that, once done, changes this block's HTML (highlighting, a diagram). */
  wanted: (() => Promise<unknown>)[];
}

/**
 * The live block's content. Sanitised to nodes when asked (in the commit), not serialised and parsed again
 * through innerHTML. An open code fence is its sanitised frame (header, <pre><code>, cached: the same for
 * every delta) with the code put in as text (a text node: never parsed as HTML); while the frame stays the
 * same, a delta changes only that text.
 */
interface LiveContent {
  /** Equal keys: the same frame (an open fence's sanitised HTML without its code); '' for no reuse. */
  key: string;
  make(): DocumentFragment | string;
  /** An open fence's code, for the frame's <code> element. */
  code?: string;
  /** render.ts's HTML, when it has no slots: checked, it is what the element shows (then compared frame to frame). */
  html?: string;
}

function renderBlock(block: Block, live: boolean, labels: MarkdownLabels, images: ReadonlyMap<string, ImageState>, canLoadImages: boolean, katexReady: boolean, links: TokensList['links']): BlockResult {
  const nonce = slotNonce();
  const slots: string[] = [];
  const wanted: (() => Promise<unknown>)[] = [];
  const slot = (html: string): string => {
    slots.push(html);
    return slotMarker(nonce, slots.length - 1);
  };
  const env: RenderEnv = {
    interactive: true,
    live,
    labels,
    images,
    canLoadImages,
    math: (tex, display) => {
      const html = katexReady ? renderMath(tex, display) : null;
      return html ? slot(html) : null;
    },
    code: (code, lang) => {
      const hit = cachedHighlight(code, lang);
      if (hit !== undefined) return slot(hit);
      if (canHighlight(code, lang)) wanted.push(() => requestHighlight(code, lang));
      return null;
    },
    mermaid: (source) => {
      const hit = cachedDiagram(source);
      if (hit) return slot(hit);
      if (hit === null) return false;
      wanted.push(() => requestDiagram(source));
      return null;
    },
  };
  let tokens: Token[] = [block.token];
  if (live && TAIL_TYPES.has(block.token.type)) {
    const closed = closeTail(block.raw);
    if (closed !== block.raw) tokens = [...lexBlocks(closed, links)];
  }
  // No sanitiser (no DOM support): the source as escaped text is safe without one.
  const fallback = (): string => `<p class="md-raw-html">${escapeHtml(block.raw)}</p>`;
  if (live && block.token.type === 'code' && !isFenceClosed(block.token as Tokens.Code)) {
    const token = block.token as Tokens.Code;
    let frame: string;
    try {
      frame = composeHtml(renderTokens([{ ...token, text: '' }], env), nonce, slots);
    } catch {
      return { html: '', live: { key: '', make: fallback }, wanted };
    }
    return { html: '', live: { key: frame, make: () => frame, code: token.text }, wanted };
  }
  const raw = renderTokens(tokens, env);
  if (live) {
    // DOMPurify's fragment: for HTML with slots, and for HTML without them that fails the check (patch.ts tries
    // the check first, showLiveHtml).
    const make = (): DocumentFragment | string => {
      try {
        return composeFragment(raw, nonce, slots);
      } catch {
        return fallback();
      }
    };
    return { html: '', live: { key: '', make, ...(slots.length === 0 ? { html: raw } : {}) }, wanted };
  }
  let html: string;
  try {
    html = composeHtml(raw, nonce, slots);
  } catch {
    html = fallback();
  }
  return { html, wanted };
}

interface BlockProps {
  block: Block;
  live: boolean;
  labels: MarkdownLabels;
  images: ReadonlyMap<string, ImageState>;
  canLoadImages: boolean;
  katexReady: boolean;
  links: TokensList['links'];
}

const BlockView = memo(
  function BlockView({ block, live, labels, images, canLoadImages, katexReady, links }: BlockProps) {
    // Goes up when highlighting or a diagram for this block arrives (they are cached, so the next render uses them).
    const [arrivals, setArrivals] = useState(0);
    const result = useMemo(
      () => renderBlock(block, live, labels, images, canLoadImages, katexReady, links),
      [block, live, labels, images, canLoadImages, katexReady, links, arrivals],
    );
    // Keyed by the result only when it wants something: a block being written renders a new result every frame,
    // and an effect with nothing to do would still be scheduled after each of those commits.
    const wanting = result.wanted.length ? result : null;
    useEffect(() => {
      if (!wanting) return undefined;
      let active = true;
      for (const work of wanting.wanted) {
        void work().then(() => {
          if (active) setArrivals((n) => n + 1);
        });
      }
      return () => {
        active = false;
      };
    }, [wanting]);
    // The live block's nodes go into its element in the commit (React owns the element, not its children).
    const liveRef = useRef<HTMLDivElement>(null);
    // What the element shows: `html` when it is exactly render.ts's HTML parsed (it passed the check).
    const shown = useRef<{ key: string; code: Element | null; html?: string } | null>(null);
    useLayoutEffect(() => {
      const el = liveRef.current;
      const content = result.live;
      if (!el || !content) return;
      const was = shown.current;
      if (content.code !== undefined && content.key && was?.key === content.key && was.code && el.contains(was.code)) {
        was.code.textContent = content.code;
        return;
      }
      if (content.html !== undefined) {
        // render.ts's HTML: a few words more in the same text (most frames) go into that text node, else only what
        // differs from the last frame's nodes changes (patch.ts).
        const after = !was?.key;
        const r = showLiveHtml(el, after ? was?.html : undefined, content.html, content.make, !!was && after);
        shown.current = { key: '', code: null, ...(r.exact ? { html: content.html } : {}) };
        return;
      }
      // Only what differs from the last frame's nodes changes, when it showed this kind of content.
      putLive(el, content.make(), !!was && !was.key && !content.key);
      const code = content.code !== undefined ? el.querySelector('pre.md-pre > code') : null;
      if (code && content.code !== undefined) code.textContent = content.code;
      shown.current = { key: content.key, code };
    }, [result]);
    let className = live ? 'md-block md-live' : 'md-block';
    if (block.split) className += ' md-split';
    if (block.cont) className += ' md-cont';
    // A block that stops being live is a new element (keyed), so React sets its finished HTML on a clean one.
    if (result.live) return <div key="live" ref={liveRef} className={className} />;
    return <div key="done" className={className} dangerouslySetInnerHTML={{ __html: result.html }} />;
  },
  (a, b) =>
    a.block.raw === b.block.raw &&
    a.block.split === b.block.split &&
    a.block.cont === b.block.cont &&
    a.block.epoch === b.block.epoch &&
    a.live === b.live &&
    a.labels === b.labels &&
    (!b.block.hasImages || (a.images === b.images && a.canLoadImages === b.canLoadImages)) &&
    (!b.block.hasMath || a.katexReady === b.katexReady) &&
    (!b.live || a.links === b.links),
);

interface Chunk {
  blocks: Block[];
  /** Characters of source in the chunk's blocks. */
  chars: number;
  /** Index of its first block in the message. */
  first: number;
}

/**
 * Groups a message's blocks into chunks of about CHUNK_CHARS. Chunks of stable blocks are closed and keep
 * their identity across updates (their views are memoised); the last chunk holds the rest.
 */
class Chunker {
  #closed: Chunk[] = [];
  #closedBlocks = 0;

  chunks(blocks: readonly Block[], stableCount: number): Chunk[] {
    // The closed chunks that still hold these blocks (a render React set aside, a deferred one, may have closed chunks
    // of newer blocks; text lexed again closes them anew).
    let keep = this.#closed.length;
    while (keep > 0) {
      const c = this.#closed[keep - 1]!;
      const end = c.first + c.blocks.length;
      if (end <= stableCount && blocks[end - 1] === c.blocks[c.blocks.length - 1]) break;
      keep--;
    }
    if (keep < this.#closed.length) {
      this.#closed = this.#closed.slice(0, keep);
      const last = this.#closed[keep - 1];
      this.#closedBlocks = last ? last.first + last.blocks.length : 0;
    }
    let chars = 0;
    let from = this.#closedBlocks;
    for (let i = from; i < stableCount; i++) {
      chars += blocks[i]!.raw.length;
      if (chars >= CHUNK_CHARS && i + 1 < blocks.length) {
        this.#closed.push({ blocks: blocks.slice(from, i + 1), chars, first: from });
        from = i + 1;
        this.#closedBlocks = from;
        chars = 0;
      }
    }
    const rest = blocks.slice(from);
    return [...this.#closed, { blocks: rest, chars: rest.reduce((n, b) => n + b.raw.length, 0), first: from }];
  }
}

/**
 * Shows chunks as they come near the viewport, one chunk a task (a chunk is at most a few tens of
 * milliseconds of rendering, several at once would be one long task).
 */
const chunkQueue: (() => void)[] = [];
let chunkTimer: ReturnType<typeof setTimeout> | null = null;
let chunkObserver: IntersectionObserver | null = null;
const chunkWaiting = new Map<Element, () => void>();

function runChunkQueue(): void {
  chunkTimer = null;
  chunkQueue.shift()?.();
  if (chunkQueue.length > 0) chunkTimer = setTimeout(runChunkQueue, 0);
}

function whenNearViewport(el: Element, show: () => void): () => void {
  if (typeof IntersectionObserver === 'undefined') {
    show();
    return () => undefined;
  }
  chunkObserver ??= new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        const cb = chunkWaiting.get(entry.target);
        chunkObserver?.unobserve(entry.target);
        chunkWaiting.delete(entry.target);
        if (!cb) continue;
        chunkQueue.push(cb);
        chunkTimer ??= setTimeout(runChunkQueue, 0);
      }
    },
    { rootMargin: '400px 0px' },
  );
  chunkWaiting.set(el, show);
  chunkObserver.observe(el);
  return () => {
    chunkObserver?.unobserve(el);
    chunkWaiting.delete(el);
    const at = chunkQueue.indexOf(show);
    if (at >= 0) chunkQueue.splice(at, 1);
  };
}

/**
 * Whether a part of a huge message (a chunk, a segment) is shown: at once when `eager`, else once its placeholder
 * (the returned ref) comes near the viewport. Once shown, it stays shown (a chunk that was the last one stays
 * when the next one starts).
 */
function useShownNearViewport(eager: boolean): [boolean, React.RefObject<HTMLDivElement | null>] {
  const [shown, setShown] = useState(eager);
  if (eager && !shown) setShown(true);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (shown) return undefined;
    const el = ref.current;
    if (!el) return undefined;
    // A transition: React 19 renders default updates together with sync ones, so a plain update here would be
    // rendered inside virtua's flushSync (its scroll and resize handlers), several parts at once in one task.
    return whenNearViewport(el, () => startTransition(() => setShown(true)));
  }, [shown]);
  return [shown || eager, ref];
}

/** A rough height for a chunk not shown yet: lines of about 90 characters, 1.6 em of a 15 px font. */
const estimateHeight = (chars: number): number => Math.max(24, Math.round((chars / 90) * 24));

interface ChunkProps extends Omit<BlockProps, 'block' | 'live'> {
  chunk: Chunk;
  /** Index (in the message) of the live block, -1 for none. */
  liveIndex: number;
  /** Shown at once (the last chunk: the end of the message, and the block being written). */
  eager: boolean;
}

const ChunkView = memo(function ChunkView({ chunk, liveIndex, eager, labels, images, canLoadImages, katexReady, links }: ChunkProps) {
  const [shown, ref] = useShownNearViewport(eager);
  const height = `${estimateHeight(chunk.chars)}px`;
  if (!shown) return <div ref={ref} className="md-chunk md-chunk-pending" style={{ height }} />;
  return (
    <div className="md-chunk" style={{ containIntrinsicSize: `auto ${height}` }}>
      {chunk.blocks.map((block, i) => (
        <BlockView
          key={chunk.first + i}
          block={block}
          live={chunk.first + i === liveIndex}
          labels={labels}
          images={images}
          canLoadImages={canLoadImages}
          katexReady={katexReady}
          links={links}
        />
      ))}
    </div>
  );
});

interface SegmentProps extends Omit<BlockProps, 'block' | 'live'> {
  /** The whole message (the segment is a range of it). */
  text: string;
  segment: Segment;
  /** The next segment continues this one's last paragraph. */
  split: boolean;
  /** Rendered at once (the last segment: the end of the message, where it opens). */
  eager: boolean;
}

/** One segment of a finished huge message (segments.ts): a placeholder until it comes near the viewport. */
const SegmentView = memo(function SegmentView({ text, segment, split, eager, labels, images, canLoadImages, katexReady, links }: SegmentProps) {
  const [shown, ref] = useShownNearViewport(eager);
  const blocks = useMemo(() => (shown ? segmentBlocks(text.slice(segment.start, segment.end), links) : []), [shown, text, segment, links]);
  const height = `${estimateHeight(segment.end - segment.start)}px`;
  if (!shown) return <div ref={ref} className="md-chunk md-chunk-pending" style={{ height }} />;
  let className = 'md-chunk';
  if (segment.cont) className += ' md-seg-cont';
  if (split) className += ' md-seg-split';
  return (
    <div className={className} style={{ containIntrinsicSize: `auto ${height}` }}>
      {blocks.map((block, i) => (
        <BlockView key={i} block={block} live={false} labels={labels} images={images} canLoadImages={canLoadImages} katexReady={katexReady} links={links} />
      ))}
    </div>
  );
});

/** Segments of finished huge messages, by text, for when the same message mounts again (scrolled back, reopened). */
const segmentations = new Map<string, Segmented>();
const KEPT_SEGMENTATIONS = 6;

/**
 * A finished huge message's segments. Not cut in the render that mounts it: that render is the list's, inside
 * virtua's flushSync (its ResizeObserver callback measures the viewport and renders the rows at once), so the cut
 * (segmentText, 10-30 ms for 4 MB) and the last segment's lexing and sanitising were one task of 150-250 ms with it.
 * The message mounts as a placeholder of its estimated height; the cut is a task of its own, and the segments render
 * as a transition (React's scheduler, yielding between them). `undefined` while not cut yet.
 */
function useSegments(text: string, huge: boolean): Segmented | null | undefined {
  const [done, setDone] = useState<{ text: string; segmented: Segmented } | null>(null);
  const ready = !huge ? null : (segmentations.get(text) ?? (done?.text === text ? done.segmented : undefined));
  // The text only while there is a cut to make: a message being written changes it every frame (an effect per
  // commit), and at its end the stored text would be compared with the live one character by character.
  const toCut = ready === undefined ? text : null;
  useEffect(() => {
    if (ready !== undefined) return undefined;
    const timer = setTimeout(() => {
      const segmented = segmentText(text);
      segmentations.delete(text);
      segmentations.set(text, segmented);
      while (segmentations.size > KEPT_SEGMENTATIONS) segmentations.delete(segmentations.keys().next().value as string);
      startTransition(() => setDone({ text, segmented }));
    }, 0);
    return () => clearTimeout(timer);
  }, [ready, toCut]);
  return ready;
}

/** Splits of finished huge messages, by text, for when the same message mounts again (reopened, scrolled back). */
const splits = new Map<string, BlockSplitter>();
const KEPT_SPLITS = 6;

function keepSplit(text: string, splitter: BlockSplitter): void {
  if (text.length < CHUNKED_CHARS || splitter.pending) return;
  splits.delete(text);
  splits.set(text, splitter);
  while (splits.size > KEPT_SPLITS) splits.delete(splits.keys().next().value as string);
}

/** A commit that grew a message being written: `text` is `from` with `added` appended. */
interface Growth {
  from: string;
  added: string;
  text: string;
}

/**
 * How `to` grew from `from` through the commits logged (`from` with everything appended since), or undefined when the
 * log does not link them (the splitter then compares the strings itself). Strings of different lengths compare at once;
 * the ones compared with equal lengths are the same string (no characters read).
 */
function chainGrowth(log: readonly Growth[], from: string, to: string): { from: string; added: string } | undefined {
  let i = log.findIndex((g) => g.from.length === from.length && g.from === from);
  if (i < 0) return undefined;
  const added: string[] = [];
  for (let prev: string | null = null; i < log.length; i++) {
    const g = log[i]!;
    if (prev !== null && !(g.from.length === prev.length && g.from === prev)) return undefined;
    added.push(g.added);
    if (g.text.length === to.length) return g.text === to ? { from, added: added.join('') } : undefined;
    prev = g.text;
  }
  return undefined;
}

/**
 * The message's blocks: split in slices of SLICE_MS, the rest in later tasks (`pending` meanwhile).
 *
 * `defer` (a huge message being written): the splitter follows the text in renders of their own (a deferred value,
 * rendered by React's scheduler, yielding), not in the render of the chat store's frame commit: that render is
 * synchronous (a store update), and lexing a window of the text, cutting its pieces and sanitising the new blocks made it
 * a task of 50-200 ms a frame on a loaded machine. The commits' growths are logged, so the splitter is still told what
 * was appended since the text it read last, however many commits that skipped.
 */
function useBlocks(text: string, grown: { from: string; added: string } | undefined, defer: boolean): { blocks: Block[]; stableCount: number; splitter: BlockSplitter; pending: boolean } {
  const ref = useRef<BlockSplitter | null>(null);
  ref.current ??= (text.length >= CHUNKED_CHARS ? splits.get(text) : undefined) ?? new BlockSplitter();
  const splitter = ref.current;
  const [slice, setSlice] = useState(0);
  const deferred = useDeferredValue(defer ? text : null);
  const growths = useRef<Growth[]>([]);
  useLayoutEffect(() => {
    if (!defer || !grown) {
      growths.current = [];
      return;
    }
    const read = splitter.input.length;
    growths.current = [...growths.current.filter((g) => g.text.length > read), { ...grown, text }];
  }, [defer, text, grown, splitter]);
  // Deferred: the sync render goes on with the text the splitter has (nothing to lex), the deferred one takes the new.
  const input = defer ? (deferred ?? splitter.input) : text;
  // The stable count goes with the blocks: a deferred render that React set aside has moved the splitter on already.
  const { blocks, stableCount } = useMemo(() => {
    // The render after the last deferred one (the answer ended) still links the splitter's text to the final one
    // through the log: the splitter then reads only what was appended, not both strings whole.
    const growth = defer || !grown ? chainGrowth(growths.current, splitter.input, input) : grown;
    const all = splitter.update(input, performance.now() + SLICE_MS, growth ?? grown);
    return { blocks: all, stableCount: splitter.stableCount };
  }, [splitter, input, defer ? null : grown, slice]);
  const pending = splitter.pending;
  // The input matters only while the splitter has work left (no effect after each frame's commit otherwise).
  const pendingInput = pending ? input : null;
  useEffect(() => {
    if (!pending) return undefined;
    // A transition, not rendered inside virtua's flushSync with the list (see useShownNearViewport).
    const timer = setTimeout(() => startTransition(() => setSlice((n) => n + 1)), 0);
    return () => clearTimeout(timer);
  }, [pending, slice, pendingInput]);
  useEffect(() => () => keepSplit(splitter.input, splitter), [splitter]);
  return { blocks, stableCount, splitter, pending };
}

/** Copies text: the async clipboard API, else a hidden textarea and execCommand('copy'). */
async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall back below
  }
  const active = document.activeElement as HTMLElement | null;
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.setAttribute('aria-hidden', 'true');
  area.style.position = 'fixed';
  area.style.top = '0';
  area.style.left = '-9999px';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  let ok: boolean;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  area.remove();
  active?.focus?.();
  return ok;
}

/** The code of the block a copy button belongs to (the plain or highlighted <pre>, or a diagram's source). */
function codeOf(button: Element): string | null {
  const pre = button.closest('.md-code')?.querySelector('pre');
  return pre ? (pre.textContent ?? '').replace(/\n$/, '') : null;
}

export function Markdown(props: MarkdownProps): React.JSX.Element {
  const { text, streaming, labels, className } = props;
  // A huge message that opens finished renders by segments, near the viewport first (segments.ts); one that was
  // written here goes on with the splitter that followed it.
  const wasStreaming = useRef(streaming);
  if (streaming) wasStreaming.current = true;
  const huge = !wasStreaming.current && text.length >= CHUNKED_CHARS;
  const segmented = useSegments(text, huge);
  const { blocks, stableCount, splitter, pending } = useBlocks(huge ? '' : text, huge ? undefined : props.grown, streaming && text.length >= CHUNKED_CHARS);
  const links = useMemo(() => (segmented ? segmented.links : splitter.links), [segmented, splitter, blocks]);
  const chunker = useRef<Chunker | null>(null);

  // KaTeX only when this message has math.
  // (includes, not a regular expression: 1 ms instead of 17 over 4 MB with no math in it)
  const segmentsHaveMath = useMemo(() => !!segmented && (text.includes('$') || text.includes('\\(') || text.includes('\\[')), [segmented, text]);
  const needsMath = segmented ? segmentsHaveMath : blocks.some((b) => b.hasMath);
  const [katexReady, setKatexReady] = useState(() => katexIfLoaded() !== null);
  useEffect(() => {
    if (!needsMath || katexReady) return undefined;
    let active = true;
    void loadKatex().then((k) => {
      if (active && k) setKatexReady(true);
    });
    return () => {
      active = false;
    };
  }, [needsMath, katexReady]);

  const [images, setImages] = useState<ReadonlyMap<string, ImageState>>(() => new Map());
  const [announcement, setAnnouncement] = useState('');

  // The latest callbacks and labels, for event handlers that outlive a render.
  const latest = useRef(props);
  useLayoutEffect(() => {
    latest.current = props;
  });

  const loadImage = useCallback((url: string) => {
    const load = latest.current.onLoadImage;
    if (!load) return;
    const settle = (state: ImageState): void => setImages((m) => new Map(m).set(url, state));
    settle({ status: 'loading' });
    let request: Promise<string | null>;
    try {
      request = load(url);
    } catch {
      settle({ status: 'failed' });
      return;
    }
    void Promise.resolve(request).then(
      (data) => settle(isSafeImageDataUrl(data) ? { status: 'loaded', dataUrl: data } : { status: 'failed' }),
      () => settle({ status: 'failed' }),
    );
  }, []);

  const onClick = useCallback(
    (event: ReactMouseEvent<HTMLDivElement>) => {
      const root = event.currentTarget;
      const target = event.target instanceof Element ? event.target : null;
      if (!target) return;
      const button = target.closest('button');
      if (button && root.contains(button)) {
        const action = button.getAttribute('data-md-action');
        if (action === 'copy') {
          event.preventDefault();
          const code = codeOf(button);
          if (code === null) return;
          void copyText(code).then((ok) => {
            const l = latest.current.labels;
            button.textContent = ok ? l.copied : l.copyFailed;
            button.classList.add(ok ? 'md-copied' : 'md-copy-failed');
            setAnnouncement(ok ? l.copied : l.copyFailed);
            setTimeout(() => {
              button.textContent = latest.current.labels.copyCode;
              button.classList.remove('md-copied', 'md-copy-failed');
              setAnnouncement('');
            }, COPIED_MS);
          });
        } else if (action === 'load-image') {
          event.preventDefault();
          const url = safeLinkUrl(button.getAttribute('data-md-url'));
          if (url && /^https?:/.test(url)) loadImage(url);
        }
        return;
      }
      const anchor = target.closest('a');
      if (anchor && root.contains(anchor)) {
        // Links never navigate by themselves: the app decides (and opens the full URL outside).
        event.preventDefault();
        const url = safeLinkUrl(anchor.getAttribute('href'));
        if (url) latest.current.onOpenLink(url);
      }
    },
    [loadImage],
  );

  const onAuxClick = useCallback((event: ReactMouseEvent<HTMLDivElement>) => {
    // A middle click would open a new window.
    if (event.target instanceof Element && event.target.closest('a')) event.preventDefault();
  }, []);

  const last = blocks.length - 1;
  const chunked = !huge && text.length >= CHUNKED_CHARS;
  if (chunked) chunker.current ??= new Chunker();
  const chunks = chunked ? chunker.current!.chunks(blocks, stableCount) : null;
  return (
    <div className={className ? `md ${className}` : 'md'} onClick={onClick} onAuxClick={onAuxClick}>
      {segmented === undefined
        ? <div className="md-chunk md-chunk-pending" style={{ height: `${estimateHeight(text.length)}px` }} />
        : segmented
        ? segmented.segments.map((segment, i, all) => (
            <SegmentView
              key={segment.start}
              text={text}
              segment={segment}
              split={all[i + 1]?.cont ?? false}
              eager={i === all.length - 1}
              labels={labels}
              images={images}
              canLoadImages={!!props.onLoadImage}
              katexReady={katexReady}
              links={links}
            />
          ))
        : chunks
        ? chunks.map((chunk, i) => (
            <ChunkView
              key={chunk.first}
              chunk={chunk}
              liveIndex={streaming && i === chunks.length - 1 ? last : -1}
              eager={i === chunks.length - 1 && !pending}
              labels={labels}
              images={images}
              canLoadImages={!!props.onLoadImage}
              katexReady={katexReady}
              links={links}
            />
          ))
        : blocks.map((block, i) => (
            <BlockView
              key={i}
              block={block}
              live={streaming && i === last}
              labels={labels}
              images={images}
              canLoadImages={!!props.onLoadImage}
              katexReady={katexReady}
              links={links}
            />
          ))}
      <span className="md-sr-only" aria-live="polite">
        {announcement}
      </span>
    </div>
  );
}
