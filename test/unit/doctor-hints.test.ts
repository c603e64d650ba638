/**
 * The doctor's base-URL hints name the exact URL to use, from the one base-URL check (shared/base-url.ts), in
 * every case: an endpoint pasted (before: another /v1 was appended to it), /v1 missing or doubled, no scheme,
 * a bind address. Nothing leaves loopback: the URLs that pass the settings step point at a closed local port.
 */
import { describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/main/services/doctor/index.ts';

const doctor = (baseUrl: string, protocol = 'openai') =>
  runDoctor({ provider: { protocol, baseUrl, model: 'm', apiKey: 'k' }, network: { proxy: { mode: 'none' }, timeouts: { connectMs: 2000 } } }, { env: {} });

describe('doctor: base URL hints', () => {
  it.each([
    ['openai', 'http://127.0.0.1:9/v1/chat/completions', 'config_invalid', 'endpoint_pasted', 'http://127.0.0.1:9/v1'],
    ['openai', 'http://127.0.0.1:9/chat/completions', 'config_invalid', 'endpoint_pasted', 'http://127.0.0.1:9/v1'],
    ['anthropic', 'http://127.0.0.1:9/v1/messages', 'config_invalid', 'endpoint_pasted', 'http://127.0.0.1:9'],
    ['openai', 'http://127.0.0.1:9/v1/v1', undefined, 'v1_doubled', 'http://127.0.0.1:9/v1'],
    ['openai', 'http://127.0.0.1:9', undefined, 'v1_missing', 'http://127.0.0.1:9/v1'],
    ['openai', 'http://0.0.0.0:9/v1', 'bind_address_target', 'bind_address', 'http://127.0.0.1:9/v1'],
    // A bind address whose path also lacks /v1: the hint names the URL that works, not one step towards it.
    ['openai', 'http://0.0.0.0:9', 'bind_address_target', 'bind_address', 'http://127.0.0.1:9/v1'],
    ['openai', 'localhost:9/v1', 'config_invalid', 'no_scheme', 'http://localhost:9/v1'],
  ])('%s %s → hint naming %s', async (protocol, url, verdict, problem, corrected) => {
    const r = await doctor(url, protocol);
    if (verdict) expect(r.verdict).toBe(verdict);
    const hint = r.hintWords?.find((w) => w.key === `doctor.base_url_${problem}`);
    expect(hint, JSON.stringify(r.hintWords)).toBeDefined();
    expect(hint?.params?.corrected).toBe(corrected);
    // The English text names the same URL, whole (followed by the end of the sentence, not by more path).
    expect(hint?.text).toMatch(new RegExp(`${corrected.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\.$`));
    expect(r.hints).toContain(hint?.text);
    expect(r.hints.join(' ')).not.toMatch(/completions\/v1|messages\/v1/);
  });
  it('a pasted endpoint stops at the settings step, and its detail says which endpoint', async () => {
    const r = await doctor('http://127.0.0.1:9/v1/chat/completions');
    expect(r.steps[0]).toMatchObject({ id: 'settings', status: 'fail' });
    expect(r.steps[0]?.detail).toBe('The base URL ends in the endpoint /chat/completions, which Parley adds itself: use http://127.0.0.1:9/v1.');
    expect(r.steps.slice(1).every((s) => s.status === 'skip')).toBe(true);
  });
});
