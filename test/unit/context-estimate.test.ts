/** The composer's context meter (issue 18): what the next request carries, estimated, then corrected by the provider's count. */
import { describe, expect, it } from 'vitest';
import type { ConversationPage, PathMessage } from '../../src/shared/chat.ts';
import { historyTokens } from '../../src/renderer/src/context-estimate.ts';

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
