/**
 * A tool call's stream that breaks (issue 20): cut in the middle of a call's arguments, or ended without the
 * protocol's end marker after the calls, is the error stream_interrupted, for each protocol, with or without text
 * before the calls: never an answer with a half-written call that a tool loop could run.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { newCore, providerFor } from '../helpers/core.ts';
import { startUpstream, type Upstream } from '../helpers/upstream.ts';
import { ParleyError, type Core } from '../../src/main/core/index.ts';

let up: Upstream;
let core: Core;
beforeAll(async () => {
  up = await startUpstream();
});
afterAll(async () => {
  await core?.close();
  await up?.stop();
});
beforeEach(async () => {
  await core?.close();
  core = newCore();
  up.clear();
});

const calls = [
  { id: 'c1', name: 'get_weather', arguments: { city: 'Paris', units: 'metric' } },
  { id: 'c2', name: 'get_time', arguments: { tz: 'Europe/Paris' } },
];
const tools = [{ name: 'get_weather', description: 'The weather', parameters: { type: 'object' } }, { name: 'get_time', description: 'The time', parameters: { type: 'object' } }];

describe('a tool call stream that breaks', () => {
  for (const protocol of ['openai', 'anthropic', 'ollama'] as const) {
    for (const kind of ['cut', 'end-early'] as const) {
      it(`${protocol}, ${kind === 'cut' ? 'connection closed mid-arguments' : 'ended without its end marker'}: stream_interrupted, no call`, async () => {
        for (const text of ['', 'Let me look.']) {
          up.clear();
          // Ollama sends each call whole on one line: "mid-call" there is after the first call's line.
          const afterChunks = (text ? 3 : 0) + (protocol === 'ollama' ? 1 : 4);
          up.behave({ kind, afterChunks, text, chunkSize: 4, toolCalls: calls });
          const settings = { provider: providerFor(up.url, protocol), network: { proxy: { mode: 'none' }, stream: 'on', retries: 0 } };
          const err = await core.chat(settings, { messages: [{ role: 'user', content: 'Weather and time?' }], tools }).then(
            (r) => new Error(`answered: ${JSON.stringify(r.toolCalls)} ${JSON.stringify(r.ending)}`),
            (e: unknown) => e,
          );
          expect(ParleyError.is(err) ? err.code : String(err), `${protocol} ${JSON.stringify(text)}`).toBe('stream_interrupted');
          expect(up.chatRequests).toHaveLength(1);
        }
      });
    }
  }
});
