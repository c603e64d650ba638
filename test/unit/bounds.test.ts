/**
 * One bound per value: what settings.json may hold (the schema) and what the window may send (the IPC contract)
 * agree at every limit, so the panel never refuses a value the file holds, nor sends one the file would refuse.
 * Before, the contract and the schema disagreed on keys (4 KB vs 8 KB), CA files (50 vs 32) and the bypass list
 * (10,000 vs 16,384 characters).
 */
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/shared/ipc.ts';
import { storedSettingsSchema } from '../../src/shared/settings.ts';
import { MAX_BYPASS_CHARS, MAX_CA_FILES, MAX_CONTEXT_MESSAGES, MAX_KEY_CHARS, MAX_MODEL_CHARS, MAX_PATH_CHARS, MAX_PROVIDER_NAME_CHARS, MAX_RETRIES, MAX_URL_CHARS } from '../../src/shared/bounds.ts';
import { MAX_CONTEXT_WINDOW, MAX_OUTPUT_TOKENS, MAX_TEMPERATURE, MAX_THINKING_BUDGET } from '../../src/shared/bounds.ts';

const url = (n: number): string => `https://example.com/${'a'.repeat(n - 'https://example.com/'.length)}`;
const draft = { name: 'P', preset: 'custom', protocol: 'openai', baseUrl: 'https://example.com/v1' };
const entry = { id: 'p1', ...draft, models: [], route: { mode: 'global' } };

/** The value at `n` through both: [contract accepts, settings file accepts]. */
type Case = [name: string, limit: number, channel: 'providers:save' | 'settings:set', window: (n: number) => unknown[], file: (n: number) => unknown];
const CASES: Case[] = [
  ['base URL', MAX_URL_CHARS, 'providers:save', (n) => [{ ...draft, baseUrl: url(n) }], (n) => ({ providers: [{ ...entry, baseUrl: url(n) }] })],
  ['API key', MAX_KEY_CHARS, 'providers:save', (n) => [{ ...draft, apiKey: 'k'.repeat(n) }], (n) => ({ providers: [{ ...entry, apiKey: 'k'.repeat(n) }] })],
  ['provider name', MAX_PROVIDER_NAME_CHARS, 'providers:save', (n) => [{ ...draft, name: 'n'.repeat(n) }], (n) => ({ providers: [{ ...entry, name: 'n'.repeat(n) }] })],
  ['default model', MAX_MODEL_CHARS, 'providers:save', (n) => [{ ...draft, defaultModel: 'm'.repeat(n) }], (n) => ({ providers: [{ ...entry, defaultModel: 'm'.repeat(n) }] })],
  ['route proxy URL', MAX_URL_CHARS, 'providers:save', (n) => [{ ...draft, route: { mode: 'proxy', proxyUrl: url(n) } }], (n) => ({ providers: [{ ...entry, route: { mode: 'proxy', proxyUrl: url(n) } }] })],
  ['proxy URL', MAX_URL_CHARS, 'settings:set', (n) => [{ network: { proxy: { url: url(n) } } }], (n) => ({ network: { proxy: { mode: 'manual', url: url(n) } } })],
  ['bypass list', MAX_BYPASS_CHARS, 'settings:set', (n) => [{ network: { proxy: { bypass: 'b'.repeat(n) } } }], (n) => ({ network: { proxy: { mode: 'none', bypass: 'b'.repeat(n) } } })],
  ['CA files', MAX_CA_FILES, 'settings:set', (n) => [{ network: { caFiles: Array.from({ length: n }, (_, i) => `/ca/${i}.pem`) } }], (n) => ({ network: { caFiles: Array.from({ length: n }, (_, i) => `/ca/${i}.pem`) } })],
  ['CA file path', MAX_PATH_CHARS, 'settings:set', (n) => [{ network: { caFiles: ['/'.padEnd(n, 'p')] } }], (n) => ({ network: { caFiles: ['/'.padEnd(n, 'p')] } })],
  ['retries', MAX_RETRIES, 'settings:set', (n) => [{ network: { retries: n } }], (n) => ({ network: { retries: n } })],
  ['context messages', MAX_CONTEXT_MESSAGES, 'settings:set', (n) => [{ defaults: { contextMessages: n } }], (n) => ({ defaults: { contextMessages: n } })],
  // A provider's default parameters and its capability corrections (issue 18).
  ['default temperature', MAX_TEMPERATURE, 'providers:save', (n) => [{ ...draft, params: { temperature: n } }], (n) => ({ providers: [{ ...entry, params: { temperature: n } }] })],
  ['default max tokens', MAX_OUTPUT_TOKENS, 'providers:save', (n) => [{ ...draft, params: { maxTokens: n } }], (n) => ({ providers: [{ ...entry, params: { maxTokens: n } }] })],
  ['default thinking budget', MAX_THINKING_BUDGET, 'providers:save', (n) => [{ ...draft, params: { thinking: { mode: 'on', budgetTokens: n } } }], (n) => ({ providers: [{ ...entry, params: { thinking: { mode: 'on', budgetTokens: n } } }] })],
  ['a model\'s context window', MAX_CONTEXT_WINDOW, 'providers:save', (n) => [{ ...draft, capabilities: { m: { contextWindow: n } } }], (n) => ({ providers: [{ ...entry, capabilities: { m: { contextWindow: n } } }] })],
  ['a model\'s longest answer', MAX_OUTPUT_TOKENS, 'providers:save', (n) => [{ ...draft, capabilities: { m: { maxOutput: n } } }], (n) => ({ providers: [{ ...entry, capabilities: { m: { maxOutput: n } } }] })],
];

describe('the window and settings.json share each bound', () => {
  it.each(CASES)('%s: the limit (%i) passes both, one more is refused by both', (_name, limit, channel, window, file) => {
    const both = (n: number): [boolean, boolean] => [parseArgs(channel, window(n)).ok, v.safeParse(storedSettingsSchema, { version: 2, ...(file(n) as object) }).success];
    expect(both(limit)).toEqual([true, true]);
    expect(both(limit + 1)).toEqual([false, false]);
  });
});
