/**
 * The window's chat store while an answer is written (issue 17): the deltas that arrive within one frame are
 * committed once, at that frame, exactly and in order (a window that fell behind catches up in one render, not
 * one per event); any other event of the stream (a notice, the end) commits what was gathered before it, at
 * once, without waiting for a frame; a window that draws no frames (hidden) still gets the text, by a timer.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChatStreamEvent, Message } from '../../src/shared/chat.ts';

/** What this test uses of the window's chat store (src/renderer/src/chat-store.ts). */
interface LiveAnswer { text: string; reasoning: string; seq: number; notice?: { kind: string } }
interface State { finished: Record<string, Message>; page: { conversation: { id: string }; messages: Message[]; before: number } | null; onStream(ev: ChatStreamEvent): void }
/** The answers being written: a store of their own (a frame's commit notifies only its listeners). */
interface Live { live: Record<string, LiveAnswer>; seen: Record<string, number> }
interface ChatStoreModule {
  STREAM_COMMIT_FALLBACK_MS: number;
  useChat: { getState(): State; setState(partial: Partial<State>): void };
  useLive: { getState(): Live; subscribe(listener: (s: Live, prev: Live) => void): () => void };
}

// The store's i18n marks the page's language at load: a page element for it (no DOM in the unit project).
(globalThis as { document?: unknown }).document ??= { documentElement: {} };
// Loaded by a path the type check does not follow: the renderer's modules are checked with the DOM's types.
const STORE = '../../src/renderer/src/chat-store.ts';
const { STREAM_COMMIT_FALLBACK_MS, useChat, useLive } = (await import(STORE)) as ChatStoreModule;

/** Animation frames this test draws by hand. */
const frames = new Map<number, (t: number) => void>();
let nextFrame = 1;
const g = globalThis as { requestAnimationFrame?: unknown; cancelAnimationFrame?: unknown };
function drawFrame(): void {
  const due = [...frames.values()];
  frames.clear();
  for (const cb of due) cb(performance.now());
}

let n = 0;
/** A fresh request's ids (the store is one module for the whole file). */
function request(): { requestId: string; conversationId: string; messageId: string } {
  n++;
  return { requestId: `r${n}`, conversationId: 'c', messageId: `m${n}` };
}

function ended(id: string, text: string): Message {
  return { id, conversationId: 'c', parentId: null, role: 'assistant', text, reasoning: '', status: 'complete', createdAt: 1, updatedAt: 1 } as unknown as Message;
}

/** Counts the store's changes of the answers being written. */
function countCommits(): { readonly count: number; stop(): void } {
  let count = 0;
  const stop = useLive.subscribe((s, prev) => {
    if (s.live !== prev.live) count++;
  });
  return { get count() { return count; }, stop };
}

// Pieces as a model sends them: words, Chinese, an emoji, markdown, a newline (exactness is about every one).
const piece = (i: number): string => [`word${i} `, '你好，', '🙂', '`code` ', '**b**\n'][i % 5] as string;

describe('the chat store gathers an answer\'s deltas per frame', () => {
  beforeEach(() => {
    g.requestAnimationFrame = (cb: (t: number) => void): number => {
      frames.set(nextFrame, cb);
      return nextFrame++;
    };
    g.cancelAnimationFrame = (id: number): void => void frames.delete(id);
  });
  afterEach(() => {
    frames.clear();
    delete g.requestAnimationFrame;
    delete g.cancelAnimationFrame;
    vi.useRealTimers();
  });

  it('100 deltas arriving within one frame are committed once, at the frame, the text exact and in order', () => {
    const ids = request();
    const commits = countCommits();
    const expected: string[] = [];
    for (let i = 1; i <= 100; i++) {
      expected.push(piece(i));
      useChat.getState().onStream({ ...ids, seq: i, type: 'delta', text: piece(i), reasoning: i <= 3 ? `r${i}` : '', ...(i === 1 ? { base: 'Before: ' } : {}) });
    }
    // Nothing rendered per event: the frame has not come yet.
    expect(commits.count).toBe(0);
    drawFrame();
    expect(commits.count).toBe(1);
    const live = useLive.getState().live[ids.messageId];
    expect(live?.text).toBe(`Before: ${expected.join('')}`);
    expect(live?.reasoning).toBe('r1r2r3');
    expect(live?.seq).toBe(100);
    // The next frame's deltas go on from there; a repeated event (already folded in) adds nothing.
    useChat.getState().onStream({ ...ids, seq: 100, type: 'delta', text: 'again', reasoning: '' });
    useChat.getState().onStream({ ...ids, seq: 101, type: 'delta', text: ' more', reasoning: '' });
    useChat.getState().onStream({ ...ids, seq: 101, type: 'delta', text: 'again', reasoning: '' });
    drawFrame();
    expect(commits.count).toBe(2);
    expect(useLive.getState().live[ids.messageId]?.text).toBe(`Before: ${expected.join('')} more`);
    commits.stop();
  });

  it('a notice or the end commits the deltas gathered before it at once, in order, without waiting for a frame', () => {
    const ids = request();
    const commits = countCommits();
    for (let i = 1; i <= 10; i++) useChat.getState().onStream({ ...ids, seq: i, type: 'delta', text: piece(i), reasoning: '' });
    useChat.getState().onStream({ ...ids, seq: 11, type: 'notice', notice: { kind: 'fallback', reason: 'stream_stalled', remembered: false } as never });
    // The ten deltas in one step, then the notice (not one change per delta).
    expect(commits.count).toBeLessThanOrEqual(2);
    const live = useLive.getState().live[ids.messageId];
    expect(live?.text).toBe(Array.from({ length: 10 }, (_, i) => piece(i + 1)).join(''));
    expect(live?.notice?.kind).toBe('fallback');
    expect(live?.seq).toBe(11);
    for (let i = 12; i <= 20; i++) useChat.getState().onStream({ ...ids, seq: i, type: 'delta', text: 'x', reasoning: '' });
    const before = commits.count;
    useChat.getState().onStream({ ...ids, seq: 21, type: 'end', message: ended(ids.messageId, 'final text') });
    // The end took the gathered deltas with it (committed in the same task: one render) and nothing waits for a frame.
    expect(commits.count - before).toBeGreaterThan(0);
    expect(useLive.getState().live[ids.messageId]).toBeUndefined();
    expect(useChat.getState().finished[ids.requestId]?.text).toBe('final text');
    expect(useLive.getState().seen[ids.requestId]).toBe(21);
    const after = commits.count;
    drawFrame();
    expect(commits.count).toBe(after);
    expect(useLive.getState().live[ids.messageId]).toBeUndefined();
    commits.stop();
  });

  it('at the end, the stored text is what the message shows: the streamed text when equal, the stored one when it differs anywhere', () => {
    for (const [name, change] of [
      ['same', (t: string) => t],
      ['one character changed in the middle', (t: string) => `${t.slice(0, 20)}#${t.slice(21)}`],
      ['the last character changed', (t: string) => `${t.slice(0, -1)}!`],
      ['shorter', (t: string) => t.slice(0, -3)],
      ['longer', (t: string) => `${t} and more`],
    ] as const) {
      const ids = request();
      useChat.setState({ page: { conversation: { id: 'c' }, messages: [{ ...ended(ids.messageId, ''), status: 'streaming' } as Message], before: 0 } });
      let streamed = '';
      for (let i = 1; i <= 30; i++) {
        useChat.getState().onStream({ ...ids, seq: i, type: 'delta', text: piece(i), reasoning: '' });
        streamed += piece(i);
        if (i % 4 === 0) drawFrame();
      }
      const stored = change(streamed);
      useChat.getState().onStream({ ...ids, seq: 31, type: 'end', message: ended(ids.messageId, stored) });
      expect(useChat.getState().page?.messages[0]?.text, name).toBe(stored);
      expect(useChat.getState().page?.messages[0]?.status, name).toBe('complete');
    }
    useChat.setState({ page: null });
  });

  it('a window that draws no frames (hidden) still gets the text, by a timer', async () => {
    // The fallback's timer outlives a commit by at most its delay (it is not cleared per frame): the earlier
    // tests' one has fired before this test's clock is faked.
    await new Promise((resolve) => setTimeout(resolve, STREAM_COMMIT_FALLBACK_MS + 20));
    vi.useFakeTimers();
    const ids = request();
    for (let i = 1; i <= 5; i++) useChat.getState().onStream({ ...ids, seq: i, type: 'delta', text: `${i}`, reasoning: '' });
    expect(useLive.getState().live[ids.messageId]).toBeUndefined();
    vi.advanceTimersByTime(STREAM_COMMIT_FALLBACK_MS);
    expect(useLive.getState().live[ids.messageId]?.text).toBe('12345');
    // The frame that comes later finds nothing left to commit.
    const commits = countCommits();
    drawFrame();
    expect(commits.count).toBe(0);
    commits.stop();
  });

  it('a window that stops drawing frames mid-answer gets the rest by the timer, at most its delay after each delta waits', () => {
    vi.useFakeTimers();
    const ids = request();
    useChat.getState().onStream({ ...ids, seq: 1, type: 'delta', text: 'a', reasoning: '' });
    drawFrame();
    expect(useLive.getState().live[ids.messageId]?.text).toBe('a');
    // No frames from here on (the window was hidden): deltas keep coming every 30 ms.
    let text = 'a';
    for (let i = 2; i <= 12; i++) {
      vi.advanceTimersByTime(30);
      useChat.getState().onStream({ ...ids, seq: i, type: 'delta', text: `${i}`, reasoning: '' });
      text += `${i}`;
      // Whatever waits was committed within the timer's delay: at most the last few deltas are pending.
      const shown = useLive.getState().live[ids.messageId]?.text ?? '';
      expect(text.startsWith(shown)).toBe(true);
      expect(text.length - shown.length).toBeLessThanOrEqual(String(i).length * 4);
    }
    vi.advanceTimersByTime(STREAM_COMMIT_FALLBACK_MS);
    expect(useLive.getState().live[ids.messageId]?.text).toBe(text);
  });
});
