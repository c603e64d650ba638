/** What a request carries (issue 18: no silent trimming): history left out to fit the context is counted and said. */
import { describe, expect, it } from 'vitest';
import type { Conversation, Message } from '../../src/shared/chat.ts';
import { planRequest } from '../../src/main/services/chat/history.ts';
import { estimateTokens } from '../../src/shared/tokens.ts';

const conv = { systemPrompt: '', contextMessages: 0 } as Conversation;
const defaults = { providerId: null, model: '', systemPrompt: '', contextMessages: 0, autoTitle: false };
let n = 0;
const msg = (role: 'user' | 'assistant', text: string): Message => ({ id: `m${++n}`, conversationId: 'c', parentId: null, role, text, reasoning: '', status: 'complete', createdAt: 0, updatedAt: 0 });
/** `pairs` question/answer pairs of about `tokens` tokens each message. */
const path = (pairs: number, tokens: number): Message[] => Array.from({ length: pairs }, (_, i) => [msg('user', `q${i} ${'x'.repeat(tokens * 4)}`), msg('assistant', `a${i} ${'y'.repeat(tokens * 4)}`)]).flat();

describe('history fitted into the context', () => {
  it('says how many earlier messages were left out, and keeps whole question/answer turns', () => {
    // 20 messages of ~1,000 tokens into an 8K context: 75 % (6,000) for history → the last 5 fit, and the answer
    // whose question was cut goes too: 4 are sent, 16 left out.
    const p = [...path(10, 1000)];
    const plan = planRequest(conv, p, 8000, defaults);
    expect(plan.messages[0]?.role).toBe('user');
    expect(plan.messages.length).toBe(4);
    expect(plan.context).toEqual({ leftOut: 16, contextTokens: 8000 });
  });

  it('says nothing when everything fits, and names an assumed size when the model’s is not known', () => {
    expect(planRequest(conv, path(3, 100), 8000, defaults).context).toBeUndefined();
    const big = planRequest(conv, path(80, 1000), undefined, defaults);
    expect(big.context).toMatchObject({ contextTokens: 128_000, assumed: true });
    expect(big.context!.leftOut + big.messages.length).toBe(160);
  });

  it('a conversation’s own message limit is the user’s choice, not a trim to report', () => {
    const plan = planRequest({ ...conv, contextMessages: 2 }, path(10, 10), 8000, defaults);
    expect(plan.messages.length).toBe(2);
    expect(plan.context).toBeUndefined();
  });
});

describe('the token estimate', () => {
  it('counts Latin text by about four characters a token and CJK by one a character', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('abcdefgh')).toBe(2);
    expect(estimateTokens('你好世界')).toBe(4);
    expect(estimateTokens('hello 你好')).toBe(Math.ceil(6 / 4) + 2);
    // An emoji outside the BMP is one character, not two.
    expect(estimateTokens('😀')).toBe(1);
  });
});
