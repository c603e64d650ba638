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
interface State { live: Record<string, LiveAnswer>; seen: Record<string, number>; finished: Record<string, Message>; onStream(ev: ChatStreamEvent): void }
interface ChatStoreModule {
  STREAM_COMMIT_FALLBACK_MS: number;
  useChat: { getState(): State; subscribe(listener: (s: State, prev: State) => void): () => void };
}

// The store's i18n marks the page's language at load: a page element for it (no DOM in the unit project).
(globalThis as { document?: unknown }).document ??= { documentElement: {} };
// Loaded by a path the type check does not follow: the renderer's modules are checked with the DOM's types.
const STORE = '../../src/renderer/src/chat-store.ts';
const { STREAM_COMMIT_FALLBACK_MS, useChat } = (await import(STORE)) as ChatStoreModule;

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
  const stop = useChat.subscribe((s, prev) => {
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
    const live = useChat.getState().live[ids.messageId];
    expect(live?.text).toBe(`Before: ${expected.join('')}`);
    expect(live?.reasoning).toBe('r1r2r3');
    expect(live?.seq).toBe(100);
    // The next frame's deltas go on from there; a repeated event (already folded in) adds nothing.
    useChat.getState().onStream({ ...ids, seq: 100, type: 'delta', text: 'again', reasoning: '' });
    useChat.getState().onStream({ ...ids, seq: 101, type: 'delta', text: ' more', reasoning: '' });
    useChat.getState().onStream({ ...ids, seq: 101, type: 'delta', text: 'again', reasoning: '' });
    drawFrame();
    expect(commits.count).toBe(2);
    expect(useChat.getState().live[ids.messageId]?.text).toBe(`Before: ${expected.join('')} more`);
    commits.stop();
  });

  it('a notice or the end commits the deltas gathered before it at once, in order, without waiting for a frame', () => {
    const ids = request();
    const commits = countCommits();
    for (let i = 1; i <= 10; i++) useChat.getState().onStream({ ...ids, seq: i, type: 'delta', text: piece(i), reasoning: '' });
    useChat.getState().onStream({ ...ids, seq: 11, type: 'notice', notice: { kind: 'fallback', reason: 'stream_stalled', remembered: false } as never });
    // The ten deltas in one step, then the notice (not one change per delta).
    expect(commits.count).toBeLessThanOrEqual(2);
    const live = useChat.getState().live[ids.messageId];
    expect(live?.text).toBe(Array.from({ length: 10 }, (_, i) => piece(i + 1)).join(''));
    expect(live?.notice?.kind).toBe('fallback');
    expect(live?.seq).toBe(11);
    for (let i = 12; i <= 20; i++) useChat.getState().onStream({ ...ids, seq: i, type: 'delta', text: 'x', reasoning: '' });
    const before = commits.count;
    useChat.getState().onStream({ ...ids, seq: 21, type: 'end', message: ended(ids.messageId, 'final text') });
    // The end took the gathered deltas with it (committed in the same task: one render) and nothing waits for a frame.
    expect(commits.count - before).toBeGreaterThan(0);
    expect(useChat.getState().live[ids.messageId]).toBeUndefined();
    expect(useChat.getState().finished[ids.requestId]?.text).toBe('final text');
    expect(useChat.getState().seen[ids.requestId]).toBe(21);
    const after = commits.count;
    drawFrame();
    expect(commits.count).toBe(after);
    expect(useChat.getState().live[ids.messageId]).toBeUndefined();
    commits.stop();
  });

  it('a window that draws no frames (hidden) still gets the text, by a timer', () => {
    vi.useFakeTimers();
    const ids = request();
    for (let i = 1; i <= 5; i++) useChat.getState().onStream({ ...ids, seq: i, type: 'delta', text: `${i}`, reasoning: '' });
    expect(useChat.getState().live[ids.messageId]).toBeUndefined();
    vi.advanceTimersByTime(STREAM_COMMIT_FALLBACK_MS);
    expect(useChat.getState().live[ids.messageId]?.text).toBe('12345');
    // The frame that comes later finds nothing left to commit.
    const commits = countCommits();
    drawFrame();
    expect(commits.count).toBe(0);
    commits.stop();
  });
});
