/** The composer's context meter (issue 18): what the next request carries, estimated, then corrected by the provider's count. */
import { describe, expect, it } from 'vitest';
import type { ConversationPage, PathMessage } from '../../src/shared/chat.ts';
import { historyTokens, predictLeftOut } from '../../src/renderer/src/context-estimate.ts';
import { planRequest } from '../../src/main/services/chat/history.ts';

let n = 0;
const m = (role: 'user' | 'assistant', text: string, extra: Partial<PathMessage> = {}): PathMessage => ({
  id: `m${++n}`, conversationId: 'c', parentId: null, role, text, reasoning: '', status: 'complete', createdAt: 0, updatedAt: 0, version: 1, versions: 1, siblingIds: [], ...extra,
});
const page = (messages: PathMessage[], conv: Partial<ConversationPage['conversation']> = {}, before = 0): ConversationPage => ({
  conversation: { id: 'c', title: '', providerId: null, model: null, systemPrompt: '', contextMessages: 0, pinned: false, createdAt: 0, updatedAt: 0, currentLeafId: null, draft: '', params: {}, ...conv },
  messages,
  before,
});

describe('the context meter', () => {
  it('estimates the history main will send: the system prompt, no failed or empty answers, CJK by the character', () => {
    const p = page([m('user', 'a'.repeat(400)), m('assistant', '', { status: 'failed' }), m('user', '你好'.repeat(50)), m('assistant', 'b'.repeat(40))], { systemPrompt: 'c'.repeat(80) });
    expect(historyTokens(p, 0)).toEqual({ tokens: 20 + (100 + 4) + (100 + 4) + (10 + 4), measured: false, partial: false });
  });

  it('applies the conversation\'s message limit (else the default) and says when earlier messages are not loaded', () => {
    const msgs = [m('user', 'x'.repeat(40)), m('assistant', 'y'.repeat(40)), m('user', 'z'.repeat(40))];
    expect(historyTokens(page(msgs, { contextMessages: 1 }), 0).tokens).toBe(14);
    expect(historyTokens(page(msgs), 2).tokens).toBe(28);
    expect(historyTokens(page(msgs, {}, 5), 0).partial).toBe(true);
  });

  it('counts from the last reported input once there is one, without the reasoning it will not send back', () => {
    const msgs = [m('user', 'q'), m('assistant', 'answer', { usage: { inputTokens: 1000, outputTokens: 300, reasoningTokens: 200 } }), m('user', 'd'.repeat(40))];
    expect(historyTokens(page(msgs, {}, 50), 0)).toEqual({ tokens: 1000 + 100 + 4 + (10 + 4), measured: true, partial: false });
  });
});

describe('a continued answer', () => {
  it('counts from its last request, not from the sum of its parts', () => {
    const msgs = [m('user', 'q'), m('assistant', 'answer', { usage: { inputTokens: 1900, outputTokens: 700 }, routeInfo: { lastUsage: { inputTokens: 1200, outputTokens: 300 } } })];
    expect(historyTokens(page(msgs), 0)).toMatchObject({ tokens: 1200 + 300 + 4, measured: true });
  });
});

describe('what sending would leave out', () => {
  it('is what main then leaves out, the draft sent as the newest question', () => {
    const msgs = Array.from({ length: 10 }, (_, i) => [m('user', `q${i} ${'x'.repeat(400)}`), m('assistant', `a${i} ${'y'.repeat(400)}`)]).flat();
    const p = page(msgs);
    const draft = 'd'.repeat(200);
    const predicted = predictLeftOut(p, draft, 2000, 0);
    const plan = planRequest(p.conversation, [...msgs, m('user', draft)], 2000, { providerId: null, model: '', systemPrompt: '', contextMessages: 0, autoTitle: false });
    expect(predicted).toBeGreaterThan(0);
    expect(predicted).toBe(plan.context?.leftOut);
    // Older messages not loaded are left out with them; nothing is when all fit.
    expect(predictLeftOut(page(msgs, {}, 40), draft, 2000, 0)).toBe(predicted + 40);
    expect(predictLeftOut(p, draft, 1_000_000, 0)).toBe(0);
  });
});
