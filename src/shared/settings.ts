/**
 * The settings schema: the one definition of Parley's connection settings, used by the core, the CLI,
 * the Electron shell and the renderer. Values may contain `${VAR}` references, expanded by the core.
 */
import * as z from 'zod/mini';
import { config as zodConfig } from 'zod/v4/core';
import en from 'zod/v4/locales/en.js';
import { DEFAULT_RETRIES, DEFAULT_TIMEOUTS, LANGUAGES, MAX_MODELS, MAX_PROVIDERS, MAX_SYSTEM_PROMPT, PRESET_IDS, PRESET_NAMES, PROTOCOLS, PROXY_MODES, ROUTE_MODES, STREAM_MODES, THEMES, presetForUrl, type Protocol } from './constants.ts';

export * from './constants.ts';

/**
 * zod/mini (not classic zod): the same validation with a fraction of the start-up cost (building these schemas
 * and loading the library took ~45 ms of every `parley chat` before its request was sent; mini, ~20 ms; issue
 * 11). Mini has no messages until a locale is set: English, as classic zod sets it.
 */
zodConfig(en());

const ms = z.int().check(z.minimum(0), z.maximum(24 * 3600_000));

/**
 * Longest accepted values: far beyond any real one (URLs of a few hundred characters; API keys up to ~2 KB for
 * JWT-like ones), small enough that a pasted file or a runaway script (a 50 MB base URL) is config_invalid
 * instead of a settings file the app and the CLI must carry.
 */
export const MAX_URL_CHARS = 2048;
export const MAX_KEY_CHARS = 8 * 1024;
export const MAX_MODEL_CHARS = 200;
export const MAX_BYPASS_CHARS = 16 * 1024;
export const MAX_CA_FILES = 32;
export const MAX_PATH_CHARS = 4096;

/** A string of `min` to `max` characters. */
const text = (max: number, min = 0): z.ZodMiniString<string> => (min ? z.string().check(z.minLength(min), z.maxLength(max)) : z.string().check(z.maxLength(max)));

export const providerSchema = z.object({
  protocol: z.enum(PROTOCOLS),
  baseUrl: text(MAX_URL_CHARS, 1),
  apiKey: z.optional(text(MAX_KEY_CHARS)),
  model: text(MAX_MODEL_CHARS, 1),
  /** Anthropic API version header. */
  anthropicVersion: z._default(z.string(), '2023-06-01'),
});

export const networkSchema = z.object({
  proxy: z.prefault(
    z.object({
      mode: z._default(z.enum(PROXY_MODES), 'env'),
      url: z.optional(text(MAX_URL_CHARS)),
      /** Bypass rules, comma or whitespace separated (see src/main/core/route/bypass.ts). */
      bypass: z._default(text(MAX_BYPASS_CHARS), ''),
    }),
    {},
  ),
  /** Extra CA certificate files (PEM), added to the system store. */
  caFiles: z._default(z.array(text(MAX_PATH_CHARS)).check(z.maxLength(MAX_CA_FILES)), []),
  timeouts: z.prefault(
    z.object({
      connectMs: z._default(ms, DEFAULT_TIMEOUTS.connectMs),
      firstByteMs: z._default(ms, DEFAULT_TIMEOUTS.firstByteMs),
      idleMs: z._default(ms, DEFAULT_TIMEOUTS.idleMs),
      totalMs: z._default(ms, DEFAULT_TIMEOUTS.totalMs),
    }),
    {},
  ),
  retries: z._default(z.int().check(z.minimum(0), z.maximum(10)), DEFAULT_RETRIES),
  stream: z._default(z.enum(STREAM_MODES), 'auto'),
  /** How long a broken stream is remembered per endpoint and route. */
  streamMemoryMs: z._default(ms, 30 * 60_000),
});

export const connectionSchema = z.object({
  provider: providerSchema,
  network: z.prefault(networkSchema, {}),
});

export type ProviderSettings = z.infer<typeof providerSchema>;
export type NetworkSettings = z.infer<typeof networkSchema>;
export type ConnectionSettings = z.infer<typeof connectionSchema>;
export type ConnectionSettingsInput = z.input<typeof connectionSchema>;


/** App-only settings (the CLI ignores them). */
export const uiSchema = z.prefault(
  z.object({
    language: z._default(z.enum(LANGUAGES), 'system'),
  }),
  {},
);
export const loggingSchema = z.prefault(
  z.object({
    /** Write message content to the local log file (never to a bundle's settings). Off by default. */
    logContent: z._default(z.boolean(), false),
  }),
  {},
);


/**
 * A secret kept in the OS keychain: settings.json holds `keychain:<id>` in place of the value (an API key, or a
 * proxy URL's password), and `<dataDir>/secrets.json` the ciphertext. Only the app can read it; the CLI says so.
 */
export const KEYCHAIN_PREFIX = 'keychain:';
const KEYCHAIN_REF = /^keychain:[A-Za-z0-9_-]{1,64}$/;
export function isKeychainRef(value: unknown): value is string {
  return typeof value === 'string' && KEYCHAIN_REF.test(value);
}

/** One configured provider. `apiKey` (a value or `${VAR}`) stays in main; the renderer sees its shape. */
const modelList = z._default(z.array(text(MAX_MODEL_CHARS, 1)).check(z.maxLength(MAX_MODELS)), []);
export const providerEntrySchema = z.object({
  id: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/)),
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)),
  preset: z._default(z.enum(PRESET_IDS), 'custom'),
  protocol: z._default(z.enum(PROTOCOLS), 'openai'),
  baseUrl: z._default(text(MAX_URL_CHARS), ''),
  apiKey: z.optional(text(MAX_KEY_CHARS)),
  /** Models fetched from the provider's list or typed in. */
  models: modelList,
  /** The subset shown in pickers ([] = all of `models`). */
  shownModels: modelList,
  defaultModel: z._default(text(MAX_MODEL_CHARS), ''),
  /** Context sizes in tokens, where known, per model. */
  contextTokens: z._default(z.record(text(MAX_MODEL_CHARS), z.int().check(z.minimum(256), z.maximum(100_000_000))), {}),
  route: z.prefault(
    z.object({
      mode: z._default(z.enum(ROUTE_MODES), 'global'),
      proxyUrl: z.optional(text(MAX_URL_CHARS)),
    }),
    {},
  ),
  anthropicVersion: z.optional(text(40)),
});
export type ProviderEntry = z.infer<typeof providerEntrySchema>;
export type ProviderEntryInput = z.input<typeof providerEntrySchema>;


/** What a new conversation starts with. */
export const chatDefaultsSchema = z.prefault(
  z.object({
    providerId: z._default(z.nullable(text(64)), null),
    model: z._default(text(MAX_MODEL_CHARS), ''),
    systemPrompt: z._default(text(MAX_SYSTEM_PROMPT), ''),
    /** Earlier messages a request carries; 0 = as many as fit the model's context. */
    contextMessages: z._default(z.int().check(z.minimum(0), z.maximum(10_000)), 0),
    /** Ask the model for a title after the first answer (an extra request); off: the first question is the title. */
    autoTitle: z._default(z.boolean(), false),
  }),
  {},
);

/**
 * What `<dataDir>/settings.json` holds: providers, the network settings (also read by the CLI), chat defaults
 * and app settings. Version 1 had one `provider`; `migrateSettings` turns it into `providers[0]`.
 */
export const storedSettingsSchema = z.object({
  version: z._default(z.literal(2), 2),
  providers: z._default(z.array(providerEntrySchema).check(z.maxLength(MAX_PROVIDERS)), []),
  defaults: chatDefaultsSchema,
  network: z.prefault(networkSchema, {}),
  ui: z.prefault(
    z.object({
      language: z._default(z.enum(LANGUAGES), 'system'),
      theme: z._default(z.enum(THEMES), 'system'),
    }),
    {},
  ),
  logging: loggingSchema,
});
export type StoredSettings = z.infer<typeof storedSettingsSchema>;
export type StoredSettingsInput = z.input<typeof storedSettingsSchema>;


/**
 * Settings files of version 1 (one `provider`) become version 2 (a list of providers and the defaults).
 * Anything else is returned as it is, for the schema to judge.
 */
export function migrateSettings(raw: unknown): { value: unknown; migrated: boolean } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { value: raw, migrated: false };
  const o = raw as Record<string, unknown>;
  if (o.providers !== undefined || o.provider === undefined) return { value: raw, migrated: false };
  const { provider, ui, ...rest } = o;
  const p = (typeof provider === 'object' && provider !== null ? provider : {}) as Record<string, unknown>;
  const protocol = (PROTOCOLS as readonly unknown[]).includes(p.protocol) ? (p.protocol as Protocol) : 'openai';
  const baseUrl = typeof p.baseUrl === 'string' ? p.baseUrl : '';
  const model = typeof p.model === 'string' ? p.model : '';
  const out: Record<string, unknown> = { ...rest, version: 2, ui: typeof ui === 'object' && ui !== null ? ui : {} };
  if (baseUrl || p.apiKey || model) {
    const preset = presetForUrl(baseUrl, protocol);
    out.providers = [{
      id: 'default',
      name: preset === 'custom' ? 'My provider' : PRESET_NAMES[preset],
      preset,
      protocol,
      baseUrl,
      ...(typeof p.apiKey === 'string' ? { apiKey: p.apiKey } : {}),
      models: model ? [model] : [],
      defaultModel: model,
      ...(typeof p.anthropicVersion === 'string' ? { anthropicVersion: p.anthropicVersion } : {}),
    }];
    out.defaults = { ...(typeof o.defaults === 'object' && o.defaults !== null ? o.defaults : {}), providerId: 'default', model };
  } else {
    out.providers = [];
  }
  return { value: out, migrated: true };
}

