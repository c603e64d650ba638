/**
 * A ChatGPT export's thinking is kept: the `thoughts` nodes before an answer become its folded reasoning, the
 * `reasoning_recap` node its duration, and an answer the user stopped (`finish_details` interrupted) is stopped.
 * The node shapes are those of real exports (content_type thoughts with summary/content/chunks/finished and
 * source_analysis_msg_id; reasoning_recap with its words and metadata.finished_duration_sec, as exported by
 * gpt-5-thinking and gpt-5-2-thinking in 2025), the values made up.
 */
import { describe, expect, it } from 'vitest';
import { tempStore } from '../helpers/storage.ts';
import { recapMs } from '../../src/main/services/storage/transfer.ts';

const node = (id: string, parent: string | null, message: Record<string, unknown> | null, children: string[] = []) => ({ id, parent, children, message });
const msg = (id: string, role: string, content: Record<string, unknown>, metadata: Record<string, unknown> = {}, t = 1764090240) => ({
  id, author: { role, name: null, metadata: {} }, create_time: t, update_time: null, content, status: 'finished_successfully', end_turn: null, weight: 1, metadata, recipient: 'all', channel: null,
});
const text = (parts: string[]) => ({ content_type: 'text', parts });

function conversation(): unknown {
  return {
    title: 'Thinking model', create_time: 1764090200, update_time: 1764090300, default_model_slug: 'gpt-5-thinking', current_node: 'a1',
    mapping: {
      root: node('root', null, null, ['u1']),
      u1: node('u1', 'root', msg('u1', 'user', text(['Why is the sky blue?'])), ['th1', 'th2']),
      // The answer that is shown: thoughts, a web search between, more thoughts, the recap, then the text.
      th1: node('th1', 'u1', msg('th1', 'assistant', {
        content_type: 'thoughts', source_analysis_msg_id: 'x1',
        thoughts: [{ summary: 'Recalling Rayleigh scattering', content: 'Short wavelengths scatter more.', chunks: [], finished: true }],
      }, { model_slug: 'gpt-5-thinking' }), ['search']),
      search: node('search', 'th1', { ...msg('search', 'assistant', { content_type: 'code', language: 'unknown', text: '{"search_query":[{"q":"sky blue"}]}' }), recipient: 'web.run' }, ['th1b']),
      th1b: node('th1b', 'search', msg('th1b', 'assistant', {
        content_type: 'thoughts', source_analysis_msg_id: 'x2',
        thoughts: [{ summary: 'Searched 3 websites', content: '', chunks: [], finished: true }, { summary: [{ type: 'summary', text: 'Checking the sunset case' }], content: 'Red at sunset: longer path.', chunks: [], finished: true }],
      }), ['recap1']),
      recap1: node('recap1', 'th1b', msg('recap1', 'assistant', { content_type: 'reasoning_recap', content: 'Thought for 15s' }, { finished_duration_sec: 15, reasoning_status: 'reasoning_ended' }), ['a1']),
      a1: node('a1', 'recap1', msg('a1', 'assistant', text(['Because of Rayleigh scattering.']), { model_slug: 'gpt-5-thinking', finish_details: { type: 'stop', stop_tokens: [200002] } }, 1764090256)),
      // Another version, stopped by the user; its recap has only words.
      th2: node('th2', 'u1', msg('th2', 'assistant', { content_type: 'thoughts', source_analysis_msg_id: 'x3', thoughts: [] }), ['recap2']),
      recap2: node('recap2', 'th2', msg('recap2', 'assistant', { content_type: 'reasoning_recap', content: 'Thought for 1m 1s' }), ['a2']),
      a2: node('a2', 'recap2', msg('a2', 'assistant', text(['The sky is blue bec']), { finish_details: { type: 'interrupted' } }, 1764090250)),
    },
  };
}

describe('ChatGPT import: thinking', () => {
  it("thoughts become the answer's reasoning (summaries in bold, across a tool call), the recap its duration", () => {
    const s = tempStore();
    const [c] = s.importJson(JSON.stringify([conversation()]));
    const path = s.pathMessages(c!.id);
    expect(path.map((m) => [m.role, m.text])).toEqual([['user', 'Why is the sky blue?'], ['assistant', 'Because of Rayleigh scattering.']]);
    const a = path[1]!;
    expect(a.reasoning).toBe('**Recalling Rayleigh scattering**\n\nShort wavelengths scatter more.\n\n**Searched 3 websites**\n\n**Checking the sunset case**\n\nRed at sunset: longer path.');
    expect(a.reasoningMs).toBe(15_000);
    expect(a).toMatchObject({ status: 'complete', finishReason: 'stop', ending: { reason: 'stop', raw: 'stop' }, model: 'gpt-5-thinking' });
    // The user's message carries no reasoning.
    expect(path[0]!.reasoning).toBe('');
  });

  it('an answer the user interrupted is stopped, not complete; a recap without seconds is read from its words', () => {
    const s = tempStore();
    const [c] = s.importJson(JSON.stringify([conversation()]));
    const shown = s.path(c!.id).messages[1]!;
    const other = s.switchVersion(c!.id, shown.siblingIds.find((id) => id !== shown.id)!).messages.at(-1)!;
    expect(other).toMatchObject({ text: 'The sky is blue bec', status: 'stopped', finishReason: 'interrupted', reasoning: '', reasoningMs: 61_000 });
    expect(other.ending).toBeUndefined();
  });

  it('recap words in the languages ChatGPT writes them', () => {
    expect(recapMs('Thought for 2m 17s')).toBe(137_000);
    expect(recapMs('Thought for 15s')).toBe(15_000);
    expect(recapMs('思考了 5s')).toBe(5_000);
    expect(recapMs('已思考 1 分 5 秒')).toBe(65_000);
    expect(recapMs('8s 동안 생각함')).toBe(8_000);
    expect(recapMs('Worked for a couple of seconds')).toBeUndefined();
    expect(recapMs('몇 초 동안 생각함')).toBeUndefined();
  });
});
