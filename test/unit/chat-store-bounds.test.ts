/**
 * The window's chat store over a long session: what it remembers per request (the last event folded in, the
 * answers that ended) stays bounded however many answers come, and the recent ones still do their work (a late
 * or repeated event of an ended answer does not bring it back to life; an end that overtook its call is found).
 */
import { describe, expect, it } from 'vitest';
import type { ChatStreamEvent, Message } from '../../src/shared/chat.ts';

/** What this test uses of the window's chat store (src/renderer/src/chat-store.ts). */
interface ChatStoreModule {
  ENDED_KEPT: number;
  SEEN_KEPT: number;
  withRecent<T>(record: Readonly<Record<string, T>>, key: string, value: T, max: number): Record<string, T>;
  useChat: { getState(): { onStream(ev: ChatStreamEvent): void; finished: Record<string, Message> } };
  /** The answers being written, a store of their own. */
  useLive: { getState(): { seen: Record<string, number>; live: Record<string, unknown> } };
}

// The store's i18n marks the page's language at load: a page element for it (no DOM in the unit project).
(globalThis as { document?: unknown }).document ??= { documentElement: {} };
// Loaded by a path the type check does not follow: the renderer's modules are checked with the DOM's types
// (tsconfig.web.json), this test with Node's.
const STORE = '../../src/renderer/src/chat-store.ts';
const { ENDED_KEPT, SEEN_KEPT, useChat, useLive, withRecent } = (await import(STORE)) as ChatStoreModule;

const ANSWERS = 1000;

function ended(i: number): Message {
  return { id: `m${i}`, conversationId: 'c', parentId: null, role: 'assistant', text: `answer ${i}`, reasoning: '', status: 'complete', createdAt: i, updatedAt: i } as unknown as Message;
}

describe('the chat store over a long session', () => {
  it(`${ANSWERS} answers: at most ${SEEN_KEPT} requests' positions and ${ENDED_KEPT} ended answers are kept, the latest among them`, () => {
    const chat = useChat.getState();
    for (let i = 0; i < ANSWERS; i++) {
      const base = { requestId: `r${i}`, conversationId: 'c', messageId: `m${i}` };
      chat.onStream({ ...base, seq: 1, type: 'delta', text: 'x', reasoning: '' });
      chat.onStream({ ...base, seq: 2, type: 'end', message: ended(i) });
    }
    const s = useChat.getState();
    expect(Object.keys(useLive.getState().seen).length).toBeLessThanOrEqual(SEEN_KEPT);
    expect(Object.keys(s.finished).length).toBeLessThanOrEqual(ENDED_KEPT);
    expect(useLive.getState().live).toEqual({});
    const last = `r${ANSWERS - 1}`;
    expect(s.finished[last]?.text).toBe(`answer ${ANSWERS - 1}`);
    // A repeated event of the latest answer (a snapshot after a reload) is already folded in: no answer comes back to life.
    const again: ChatStreamEvent = { requestId: last, conversationId: 'c', messageId: `m${ANSWERS - 1}`, seq: 1, type: 'delta', text: 'x', reasoning: '' };
    useChat.getState().onStream(again);
    expect(useLive.getState().live).toEqual({});
  });

  it('withRecent keeps the most recent entries, a key set again counting as the most recent', () => {
    let r: Record<string, number> = {};
    for (const k of ['a', 'b', 'c']) r = withRecent(r, k, 1, 3);
    r = withRecent(r, 'a', 2, 3);
    r = withRecent(r, 'd', 1, 3);
    expect(Object.keys(r)).toEqual(['c', 'a', 'd']);
    expect(r.a).toBe(2);
  });
});
