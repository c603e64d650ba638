/** Step 7, completion: one whole answer (no stream, no retry) to a short request. */
import type { ChatRequest } from '../../core/probe.ts';
import { live, type StepDef } from './context.ts';
import { errWords, say } from './words.ts';

/** The doctor's request: short, and cheap. */
export const PROBE_REQUEST: ChatRequest = { messages: [{ role: 'user', content: 'Reply with the word "ok".' }], maxTokens: 16, thinking: { mode: 'off' } };

/** The raw settings with this stream mode and no retries (the doctor sees each failure as it is). */
export function withStream(raw: unknown, stream: 'on' | 'off'): unknown {
  const o = (raw ?? {}) as Record<string, unknown>;
  return { ...o, network: { ...((o.network ?? {}) as Record<string, unknown>), stream, retries: 0 } };
}

export const completionStep: StepDef = {
  id: 'completion',
  async run(ctx) {
    try {
      const res = await live(ctx).probe.chat(withStream(ctx.raw, 'off'), PROBE_REQUEST);
      ctx.wholeOk = true;
      return { status: 'pass', words: [say('completion_ok', { chars: res.text.length, finish: res.finishReason ?? '?' }, { finish: res.finishReason ?? 'unknown' })] };
    } catch (e) {
      ctx.wholeError = e;
      return { status: 'fail', words: [errWords(e)] };
    }
  },
};
