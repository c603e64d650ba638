/**
 * The conversation as a virtualized list (virtua): only the rows on screen exist. It opens at the latest
 * message and, while the user is at the bottom, stays there as the content grows, whatever grows it (a
 * streaming answer, a diagram or formula typeset after the answer ended, an error card): a ResizeObserver on
 * the rendered rows follows it, at most once a frame, with no work per stream event. Content that grows while
 * the user has scrolled up offers "Jump to latest" instead. A search hit scrolls to its message.
 */
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { VList, type VListHandle } from 'virtua';
import { useChat, useLive } from '../chat-store.ts';
import { MessageItem } from './MessageItem.tsx';

/**
 * A row's height before it is measured: a typical answer's, so that opening a conversation renders a few
 * rows near the end rather than dozens of 40-pixel guesses (each row renders its markdown).
 */
const ESTIMATED_ROW = 240;

/** Within this many pixels of the end counts as "at the bottom". */
const BOTTOM_SLACK = 48;

export function MessageList(): React.JSX.Element {
  const { t } = useTranslation();
  const page = useChat((s) => s.page);
  const focusMessageId = useChat((s) => s.focusMessageId);
  const clearFocus = useChat((s) => s.clearFocus);
  const loadEarlier = useChat((s) => s.loadEarlier);
  const ref = useRef<VListHandle>(null);
  const atBottom = useRef(true);
  const [showJump, setShowJump] = useState(false);
  const [shift, setShift] = useState(false);
  const messages = page?.messages ?? [];
  // The "show earlier" row comes first when older messages exist.
  const offset = page && page.before > 0 ? 1 : 0;
  const count = messages.length + offset;
  const conversationId = page?.conversation.id;
  const wrap = useRef<HTMLDivElement>(null);
  // An answer is arriving (changes when a stream starts and ends, not per event): rows off screen are not
  // rendered, so their growth is not seen; away from the bottom while one arrives, the jump is offered.
  const lastId = messages[messages.length - 1]?.id;
  const arriving = useLive((s) => !!lastId && !!s.live[lastId]);

  const toEnd = useCallback(() => {
    const h = ref.current;
    if (!h || count === 0) return;
    h.scrollToIndex(count - 1, { align: 'end' });
  }, [count]);

  // A conversation opens at its latest message (or at the hit it was opened for).
  useLayoutEffect(() => {
    atBottom.current = true;
    setShowJump(false);
    setShift(false);
    if (!focusMessageId) toEnd();
  }, [conversationId]); // only when another conversation opens

  useEffect(() => {
    if (!focusMessageId || !ref.current) return;
    const i = messages.findIndex((m) => m.id === focusMessageId);
    if (i === -1) return;
    atBottom.current = false;
    ref.current.scrollToIndex(i + offset, { align: 'center' });
    const id = focusMessageId;
    window.setTimeout(() => {
      const el = document.querySelector(`[data-id="${CSS.escape(id)}"]`);
      el?.classList.add('flash');
      window.setTimeout(() => el?.classList.remove('flash'), 1600);
    }, 50);
    clearFocus();
  }, [focusMessageId, messages, clearFocus, offset]);

  // New messages: follow only when the user is at the bottom.
  useLayoutEffect(() => {
    if (atBottom.current) toEnd();
    else setShowJump(true);
  }, [messages.length, arriving, toEnd]);

  // Content that grows (a streaming answer, a diagram drawn after the answer, an error card): a rendered row
  // grows; at the bottom, stay there; scrolled up, offer the jump. The observer's callback runs once a frame,
  // after that frame's layout, and follows with one scroll write: nothing per stream event, and no scrollToIndex
  // (whose measuring loop scrolls again on every size change for a while). The rows are observed, not virtua's
  // content box: virtua sets that box's height from its own observer of the rows, inside the same loop, where a
  // shallower box's change is held over to the next frame (followed a frame late, and reported as a
  // "ResizeObserver loop" error each time).
  useEffect(() => {
    const scroller = wrap.current?.querySelector<HTMLElement>('.message-list');
    const content = scroller?.firstElementChild;
    if (!scroller || !content) return;
    const heights = new WeakMap<Element, number>();
    const ro = new ResizeObserver((entries) => {
      let grew = false;
      for (const e of entries) {
        const h = e.borderBoxSize[0]?.blockSize ?? e.contentRect.height;
        const before = heights.get(e.target);
        heights.set(e.target, h);
        if (before !== undefined && h > before + 1) grew = true;
      }
      if (!grew) return;
      if (atBottom.current) scroller.scrollTop = scroller.scrollHeight;
      else setShowJump(true);
    });
    // Rows come and go as the list scrolls: a new one is observed at the next frame (observed during the
    // observer's own loop, it would be held over as well).
    let added: Element[] = [];
    let frame = 0;
    const observeAdded = (): void => {
      frame = 0;
      for (const row of added) if (row.isConnected) ro.observe(row);
      added = [];
    };
    const mo = new MutationObserver((records) => {
      for (const r of records) {
        for (const n of r.addedNodes) if (n instanceof Element) added.push(n);
        for (const n of r.removedNodes) if (n instanceof Element) ro.unobserve(n);
      }
      if (added.length && !frame) frame = requestAnimationFrame(observeAdded);
    });
    mo.observe(content, { childList: true });
    for (const row of content.children) ro.observe(row);
    return () => {
      mo.disconnect();
      ro.disconnect();
      cancelAnimationFrame(frame);
    };
  }, [conversationId]);

  const onScroll = (offset: number): void => {
    const h = ref.current;
    if (!h) return;
    const bottom = offset + h.viewportSize >= h.scrollSize - BOTTOM_SLACK;
    atBottom.current = bottom;
    if (bottom) setShowJump(false);
    else if (arriving) setShowJump(true);
    if (offset < 200 && page && page.before > 0) {
      setShift(true);
      void loadEarlier();
    }
  };

  return (
    <div className="message-list-wrap" ref={wrap}>
      <VList ref={ref} className="message-list" data-testid="message-list" shift={shift} onScroll={onScroll} itemSize={ESTIMATED_ROW} bufferSize={300}>
        {[
          ...(page && page.before > 0
            ? [
                <div key="earlier" className="earlier">
                  <button type="button" className="secondary" onClick={() => { setShift(true); void loadEarlier(); }}>
                    {t('chat.loadEarlier', { count: page.before })}
                  </button>
                </div>,
              ]
            : []),
          ...messages.map((m) => <MessageItem key={m.id} m={m} />),
        ]}
      </VList>
      {showJump ? (
        <button
          type="button"
          className="jump-latest"
          data-testid="jump-latest"
          onClick={() => {
            atBottom.current = true;
            setShowJump(false);
            toEnd();
          }}
        >
          <span aria-hidden="true">↓ </span>
          {t('chat.jumpToLatest')}
        </button>
      ) : null}
    </div>
  );
}
