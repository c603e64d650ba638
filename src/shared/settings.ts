/**
 * The settings schema: the one definition of Parley's connection settings, used by the core, the CLI,
 * the Electron shell and the renderer. Values may contain `${VAR}` references, expanded by the core.
 */
import { z } from 'zod';
import { DEFAULT_RETRIES, DEFAULT_TIMEOUTS, LANGUAGES, MAX_MODELS, MAX_PROVIDERS, MAX_SYSTEM_PROMPT, PRESET_IDS, PRESET_NAMES, PROTOCOLS, PROXY_MODES, ROUTE_MODES, STREAM_MODES, THEMES, presetForUrl, type Protocol } from './constants.ts';

export * from './constants.ts';



const ms = z.number().int().min(0).max(24 * 3600_000);

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

export const providerSchema = z.object({
  protocol: z.enum(PROTOCOLS),
  baseUrl: z.string().min(1).max(MAX_URL_CHARS),
  apiKey: z.string().max(MAX_KEY_CHARS).optional(),
  model: z.string().min(1).max(MAX_MODEL_CHARS),
  /** Anthropic API version header. */
  anthropicVersion: z.string().default('2023-06-01'),
});

export const networkSchema = z.object({
  proxy: z
    .object({
      mode: z.enum(PROXY_MODES).default('env'),
      url: z.string().max(MAX_URL_CHARS).optional(),
      /** Bypass rules, comma or whitespace separated (see src/main/core/route/bypass.ts). */
      bypass: z.string().max(MAX_BYPASS_CHARS).default(''),
    })
    .prefault({}),
  /** Extra CA certificate files (PEM), added to the system store. */
  caFiles: z.array(z.string().max(MAX_PATH_CHARS)).max(MAX_CA_FILES).default([]),
  timeouts: z
    .object({
      connectMs: ms.default(DEFAULT_TIMEOUTS.connectMs),
      firstByteMs: ms.default(DEFAULT_TIMEOUTS.firstByteMs),
      idleMs: ms.default(DEFAULT_TIMEOUTS.idleMs),
      totalMs: ms.default(DEFAULT_TIMEOUTS.totalMs),
    })
    .prefault({}),
  retries: z.number().int().min(0).max(10).default(DEFAULT_RETRIES),
  stream: z.enum(STREAM_MODES).default('auto'),
  /** How long a broken stream is remembered per endpoint and route. */
  streamMemoryMs: ms.default(30 * 60_000),
});

export const connectionSchema = z.object({
  provider: providerSchema,
  network: networkSchema.prefault({}),
});

export type ProviderSettings = z.infer<typeof providerSchema>;
export type NetworkSettings = z.infer<typeof networkSchema>;
export type ConnectionSettings = z.infer<typeof connectionSchema>;
export type ConnectionSettingsInput = z.input<typeof connectionSchema>;


/** App-only settings (the CLI ignores them). */
export const uiSchema = z
  .object({
    language: z.enum(LANGUAGES).default('system'),
  })
  .prefault({});
export const loggingSchema = z
  .object({
    /** Write message content to the local log file (never to a bundle's settings). Off by default. */
    logContent: z.boolean().default(false),
  })
  .prefault({});


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
export const providerEntrySchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  name: z.string().trim().min(1).max(100),
  preset: z.enum(PRESET_IDS).default('custom'),
  protocol: z.enum(PROTOCOLS).default('openai'),
  baseUrl: z.string().max(MAX_URL_CHARS).default(''),
  apiKey: z.string().max(MAX_KEY_CHARS).optional(),
  /** Models fetched from the provider's list or typed in. */
  models: z.array(z.string().min(1).max(MAX_MODEL_CHARS)).max(MAX_MODELS).default([]),
  /** The subset shown in pickers ([] = all of `models`). */
  shownModels: z.array(z.string().min(1).max(MAX_MODEL_CHARS)).max(MAX_MODELS).default([]),
  defaultModel: z.string().max(MAX_MODEL_CHARS).default(''),
  /** Context sizes in tokens, where known, per model. */
  contextTokens: z.record(z.string().max(MAX_MODEL_CHARS), z.number().int().min(256).max(100_000_000)).default({}),
  route: z
    .object({
      mode: z.enum(ROUTE_MODES).default('global'),
      proxyUrl: z.string().max(MAX_URL_CHARS).optional(),
    })
    .prefault({}),
  anthropicVersion: z.string().max(40).optional(),
});
export type ProviderEntry = z.infer<typeof providerEntrySchema>;
export type ProviderEntryInput = z.input<typeof providerEntrySchema>;


/** What a new conversation starts with. */
export const chatDefaultsSchema = z
  .object({
    providerId: z.string().max(64).nullable().default(null),
    model: z.string().max(MAX_MODEL_CHARS).default(''),
    systemPrompt: z.string().max(MAX_SYSTEM_PROMPT).default(''),
    /** Earlier messages a request carries; 0 = as many as fit the model's context. */
    contextMessages: z.number().int().min(0).max(10_000).default(0),
    /** Ask the model for a title after the first answer (an extra request); off: the first question is the title. */
    autoTitle: z.boolean().default(false),
  })
  .prefault({});

/**
 * What `<dataDir>/settings.json` holds: providers, the network settings (also read by the CLI), chat defaults
 * and app settings. Version 1 had one `provider`; `migrateSettings` turns it into `providers[0]`.
 */
export const storedSettingsSchema = z.object({
  version: z.literal(2).default(2),
  providers: z.array(providerEntrySchema).max(MAX_PROVIDERS).default([]),
  defaults: chatDefaultsSchema,
  network: networkSchema.prefault({}),
  ui: z
    .object({
      language: z.enum(LANGUAGES).default('system'),
      theme: z.enum(THEMES).default('system'),
    })
    .prefault({}),
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

