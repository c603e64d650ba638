/**
 * The settings schema: the one definition of Parley's connection settings, used by the core, the CLI,
 * the Electron shell and the renderer. Values may contain `${VAR}` references, expanded by the core.
 */
import { z } from 'zod';

export const PROTOCOLS = ['openai', 'anthropic', 'ollama'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export const PROXY_MODES = ['none', 'env', 'manual', 'system'] as const;
export const STREAM_MODES = ['auto', 'on', 'off'] as const;
export type StreamMode = (typeof STREAM_MODES)[number];

/** Defaults that let a slow reasoning model think for minutes. */
export const DEFAULT_TIMEOUTS = {
  /** TCP connect + proxy handshake + TLS handshake. */
  connectMs: 15_000,
  /** From the request being sent to the response headers. */
  firstByteMs: 300_000,
  /** Longest silence between two pieces of the body (and before the first one). */
  idleMs: 300_000,
  /** Whole request; 0 = no limit. */
  totalMs: 0,
} as const;

export const DEFAULT_RETRIES = 2;

const ms = z.number().int().min(0).max(24 * 3600_000);

export const providerSchema = z.object({
  protocol: z.enum(PROTOCOLS),
  baseUrl: z.string().min(1),
  apiKey: z.string().optional(),
  model: z.string().min(1),
  /** Anthropic API version header. */
  anthropicVersion: z.string().default('2023-06-01'),
});

export const networkSchema = z.object({
  proxy: z
    .object({
      mode: z.enum(PROXY_MODES).default('env'),
      url: z.string().optional(),
      /** Bypass rules, comma or whitespace separated (see src/main/core/route/bypass.ts). */
      bypass: z.string().default(''),
    })
    .prefault({}),
  /** Extra CA certificate files (PEM), added to the system store. */
  caFiles: z.array(z.string()).default([]),
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

export const LANGUAGES = ['system', 'en', 'zh'] as const;
export type Language = (typeof LANGUAGES)[number];

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
 * What `<dataDir>/settings.json` holds: the connection settings (also read by the CLI) plus app settings.
 * Before the user has configured a provider, `provider` fields may be empty: the schema for storage is
 * lenient, the core validates with connectionSchema when used.
 */
export const storedSettingsSchema = z.object({
  provider: z
    .object({
      protocol: z.enum(PROTOCOLS).default('openai'),
      baseUrl: z.string().default(''),
      apiKey: z.string().optional(),
      model: z.string().default(''),
      anthropicVersion: z.string().optional(),
    })
    .prefault({}),
  network: networkSchema.prefault({}),
  ui: uiSchema,
  logging: loggingSchema,
});
export type StoredSettings = z.infer<typeof storedSettingsSchema>;
export type StoredSettingsInput = z.input<typeof storedSettingsSchema>;
