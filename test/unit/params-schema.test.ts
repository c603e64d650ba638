/**
 * Request parameters (a conversation's, a provider's defaults) and capability corrections: one schema with its
 * bounds in bounds.ts, used by the settings file, the IPC contract and an imported Parley file; and the
 * parameters in force (the conversation's own, else the provider's).
 */
import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import { effectiveParams } from '../../src/main/services/chat/params.ts';
import { MAX_TEMPERATURE } from '../../src/shared/bounds.ts';
import { capabilityOverridesSchema, providerEntrySchema, requestParamsSchema, requestParamsStrictSchema } from '../../src/shared/settings.ts';
import { tempStore } from '../helpers/storage.ts';

describe('request parameters', () => {
  it('are bounded: temperature 0–2, top_p 0–1, max tokens and budgets whole and positive', () => {
    const ok = (x: unknown): boolean => v.safeParse(requestParamsStrictSchema, x).success;
    expect(ok({ temperature: MAX_TEMPERATURE, topP: 1, maxTokens: 1, thinking: { mode: 'on', effort: 'high', budgetTokens: 1024 } })).toBe(true);
    expect(ok({})).toBe(true);
    for (const bad of [{ temperature: -0.1 }, { temperature: 2.5 }, { topP: 1.01 }, { maxTokens: 1.5 }, { maxTokens: 0 }, { thinking: { mode: 'on', effort: 'max' } }, { thinking: { mode: 'on', budgetTokens: 0 } }, { other: 1 }, { thinking: { mode: 'off', extra: true } }]) {
      expect(ok(bad), JSON.stringify(bad)).toBe(false);
    }
    // The file's schema drops what it does not know instead of refusing the whole file.
    expect(v.parse(requestParamsSchema, { temperature: 1, other: 1 })).toEqual({ temperature: 1 });
  });

  it('a provider keeps its defaults and its capability corrections; old settings get empty ones', () => {
    const p = v.parse(providerEntrySchema, { id: 'a', name: 'A', params: { topP: 0.9 }, capabilities: { 'my-model': { contextWindow: 32_000, thinking: null } } });
    expect(p.params).toEqual({ topP: 0.9 });
    expect(p.capabilities).toEqual({ 'my-model': { contextWindow: 32_000, thinking: null } });
    const old = v.parse(providerEntrySchema, { id: 'a', name: 'A' });
    expect(old.params).toEqual({});
    expect(old.capabilities).toEqual({});
    expect(v.safeParse(capabilityOverridesSchema, { m: { contextWindow: 10 } }).success).toBe(false);
    expect(v.safeParse(capabilityOverridesSchema, { m: { maxOutput: 0 } }).success).toBe(false);
    expect(v.safeParse(capabilityOverridesSchema, Object.fromEntries(Array.from({ length: 501 }, (_, i) => [`m${i}`, {}]))).success).toBe(false);
  });

  it('in force: the conversation\'s own, each on its own, else the provider\'s; thinking "default" defers', () => {
    expect(effectiveParams({ temperature: 0.1, thinking: { mode: 'default' } }, { temperature: 0.9, topP: 0.5, thinking: { mode: 'off' } }))
      .toEqual({ temperature: 0.1, topP: 0.5, thinking: { mode: 'off' } });
    expect(effectiveParams(undefined, { thinking: { mode: 'default' } })).toEqual({});
    expect(effectiveParams({ thinking: { mode: 'on', effort: 'low' } }, undefined)).toEqual({ thinking: { mode: 'on', effort: 'low' } });
  });

  it('an imported Parley file keeps a conversation\'s parameters within their bounds, and drops them otherwise', () => {
    const s = tempStore();
    const c = s.createConversation({ title: 'P', params: { temperature: 0.2, topP: 0.8, maxTokens: 900, thinking: { mode: 'on', budgetTokens: 2048 } } });
    const doc = s.exportJson(c.id);
    const [back] = s.importJson(JSON.stringify(doc));
    expect(back?.params).toEqual({ temperature: 0.2, topP: 0.8, maxTokens: 900, thinking: { mode: 'on', budgetTokens: 2048 } });
    const bad = structuredClone(doc);
    (bad.conversation as { params: unknown }).params = { temperature: 99 };
    const [odd] = s.importJson(JSON.stringify(bad));
    expect(odd?.params).toEqual({});
    const extra = structuredClone(doc);
    (extra.conversation as { params: unknown }).params = { maxTokens: 5, junk: 'x' };
    const [kept] = s.importJson(JSON.stringify(extra));
    expect(kept?.params).toEqual({ maxTokens: 5 });
  });
});
