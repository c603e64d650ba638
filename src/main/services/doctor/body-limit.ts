/**
 * Step 9, body limit: one request with a body of about BODY_PROBE_BYTES to the chat endpoint, for a model that
 * cannot exist (nothing is answered, nothing billed; no retry), to see whether something on the way refuses bodies
 * that large (a gateway's 413, nginx's client_max_body_size being 1 MB unless raised), and where. Any other answer
 * means the body got through. Then what Parley remembers of the route's limit (services/chat/body-limits.ts).
 */
import { formatSize } from '../../core/limits.ts';
import type { ChatRequest } from '../../core/probe.ts';
import { ParleyError } from '../../core/probe.ts';
import type { Worded } from '../../../shared/doctor.ts';
import { bodyLimitKey } from '../chat/body-limits.ts';
import { withStream } from './completion.ts';
import { live, type StepDef } from './context.ts';
import { errHint, errWords, say } from './words.ts';

/** The body the step sends: twice nginx's default limit, small enough to send quickly on a slow line. */
export const BODY_PROBE_BYTES = 2 * 1024 * 1024;
/** A model name no provider serves: the provider refuses it before any work. */
export const BODY_PROBE_MODEL = 'parley-body-limit-probe-no-such-model';
/** The longest the step waits (the body is sent, an error comes back). */
const PROBE_TIMEOUT_MS = 30_000;

/** The probe's request: a user message of about `bytes` of filler, at most one token asked for. */
export function bodyProbeRequest(bytes = BODY_PROBE_BYTES): ChatRequest {
  return { messages: [{ role: 'user', content: 'Parley checks the request size limit; this is filler. '.padEnd(bytes, '.') }], maxTokens: 1, thinking: { mode: 'off' } };
}

/** The raw settings for the probe: no stream, no retry, the made-up model, a bounded wait. */
function probeSettings(raw: unknown): unknown {
  const o = withStream(raw, 'off') as Record<string, unknown>;
  const network = (o.network ?? {}) as Record<string, unknown>;
  const timeouts = (network.timeouts ?? {}) as Record<string, unknown>;
  const cap = (v: unknown): number => (typeof v === 'number' && v > 0 ? Math.min(v, PROBE_TIMEOUT_MS) : PROBE_TIMEOUT_MS);
  return {
    ...o,
    provider: { ...((o.provider ?? {}) as Record<string, unknown>), model: BODY_PROBE_MODEL },
    network: { ...network, timeouts: { ...timeouts, firstByteMs: cap(timeouts.firstByteMs), totalMs: cap(timeouts.totalMs) } },
  };
}

export const bodyLimitStep: StepDef = {
  id: 'body_limit',
  notNeeded: (ctx) => (ctx.wholeOk ? undefined : 'answer'),
  async run(ctx) {
    const { s, probe, endpoint } = live(ctx);
    const host = endpoint.url.host;
    const size = formatSize(BODY_PROBE_BYTES);
    const out: Worded[] = [];
    let status: 'pass' | 'warn' = 'pass';
    try {
      await probe.chat(probeSettings(ctx.raw), bodyProbeRequest());
      // Something answered a model that does not exist: the body got through all the same.
      out.push(say('body_limit_ok', { size, host, status: 200 }));
    } catch (e) {
      if (ParleyError.is(e) && e.code === 'body_too_large') {
        status = 'warn';
        out.push(say(e.detail.body?.by === 'gateway' ? 'body_limit_gateway' : 'body_limit_provider', { size, host }));
        ctx.hint(errHint(e));
      } else if (ParleyError.is(e) && e.detail.status !== undefined) {
        // The provider's own refusal of the made-up model (404, 400…): the body reached it.
        out.push(say('body_limit_ok', { size, host, status: e.detail.status }));
      } else {
        status = 'warn';
        out.push(say('body_limit_unknown', { size }), errWords(e));
      }
    }
    const known = ctx.opts.bodyLimits?.get(bodyLimitKey(s));
    if (known) {
      const date = new Date(known.at).toISOString().slice(0, 10);
      out.push(say(known.by === 'gateway' ? 'body_limit_remembered_gateway' : 'body_limit_remembered_provider', { limit: formatSize(known.limitBytes), date }));
    }
    return { status, words: out };
  },
};
