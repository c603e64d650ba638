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

/** Where a provider's requests go: the global network settings, always direct, or a proxy of its own. */
export const ROUTE_MODES = ['global', 'direct', 'proxy'] as const;
export type RouteMode = (typeof ROUTE_MODES)[number];

export const PRESET_IDS = ['openai', 'anthropic', 'deepseek', 'moonshot', 'qwen', 'zhipu', 'openrouter', 'groq', 'mistral', 'ollama', 'lmstudio', 'litellm', 'vllm', 'custom'] as const;
export type PresetId = (typeof PRESET_IDS)[number];

export const MAX_PROVIDERS = 64;
export const MAX_MODELS = 5000;

/** One configured provider. `apiKey` (a value or `${VAR}`) stays in main; the renderer sees its shape. */
export const providerEntrySchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  name: z.string().trim().min(1).max(100),
  preset: z.enum(PRESET_IDS).default('custom'),
  protocol: z.enum(PROTOCOLS).default('openai'),
  baseUrl: z.string().max(2048).default(''),
  apiKey: z.string().max(4096).optional(),
  /** Models fetched from the provider's list or typed in. */
  models: z.array(z.string().min(1).max(200)).max(MAX_MODELS).default([]),
  /** The subset shown in pickers ([] = all of `models`). */
  shownModels: z.array(z.string().min(1).max(200)).max(MAX_MODELS).default([]),
  defaultModel: z.string().max(200).default(''),
  /** Context sizes in tokens, where known, per model. */
  contextTokens: z.record(z.string().max(200), z.number().int().min(256).max(100_000_000)).default({}),
  route: z
    .object({
      mode: z.enum(ROUTE_MODES).default('global'),
      proxyUrl: z.string().max(2048).optional(),
    })
    .prefault({}),
  anthropicVersion: z.string().max(40).optional(),
});
export type ProviderEntry = z.infer<typeof providerEntrySchema>;
export type ProviderEntryInput = z.input<typeof providerEntrySchema>;

export const THEMES = ['system', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

export const MAX_SYSTEM_PROMPT = 100_000;

/** What a new conversation starts with. */
export const chatDefaultsSchema = z
  .object({
    providerId: z.string().max(64).nullable().default(null),
    model: z.string().max(200).default(''),
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

/** The preset a base URL belongs to, by its host (for migration and detection). */
export function presetForUrl(baseUrl: string, protocol: Protocol): PresetId {
  if (!URL.canParse(baseUrl)) return protocol === 'ollama' ? 'ollama' : protocol === 'anthropic' ? 'anthropic' : 'custom';
  const host = new URL(baseUrl).hostname.toLowerCase();
  const table: [RegExp, PresetId][] = [
    [/(^|\.)openai\.com$/, 'openai'], [/(^|\.)anthropic\.com$/, 'anthropic'], [/(^|\.)deepseek\.com$/, 'deepseek'],
    [/(^|\.)moonshot\.(cn|ai)$/, 'moonshot'], [/(^|\.)dashscope(-intl)?\.aliyuncs\.com$/, 'qwen'], [/(^|\.)bigmodel\.cn$/, 'zhipu'],
    [/(^|\.)openrouter\.ai$/, 'openrouter'], [/(^|\.)groq\.com$/, 'groq'], [/(^|\.)mistral\.ai$/, 'mistral'],
  ];
  for (const [re, id] of table) if (re.test(host)) return id;
  if (protocol === 'ollama') return 'ollama';
  return protocol === 'anthropic' ? 'anthropic' : 'custom';
}

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

export const PRESET_NAMES: Record<PresetId, string> = {
  openai: 'OpenAI', anthropic: 'Anthropic', deepseek: 'DeepSeek', moonshot: 'Moonshot (Kimi)', qwen: 'Qwen (DashScope)',
  zhipu: 'Zhipu GLM', openrouter: 'OpenRouter', groq: 'Groq', mistral: 'Mistral', ollama: 'Ollama (local)',
  lmstudio: 'LM Studio', litellm: 'LiteLLM', vllm: 'vLLM', custom: 'Custom',
};

export interface Preset {
  id: PresetId;
  name: string;
  protocol: Protocol;
  baseUrl: string;
  /** The environment variable that usually holds the key (for `${VAR}` and first-run detection). */
  keyVar?: string;
  /** The environment variable that may move the base URL. */
  baseUrlVar?: string;
  /** A model to start with. */
  model?: string;
  local?: boolean;
}

/** Presets fill protocol and base URL; the user can change both. */
export const PRESETS: readonly Preset[] = [
  { id: 'openai', name: PRESET_NAMES.openai, protocol: 'openai', baseUrl: 'https://api.openai.com/v1', keyVar: 'OPENAI_API_KEY', baseUrlVar: 'OPENAI_BASE_URL', model: 'gpt-4o-mini' },
  { id: 'anthropic', name: PRESET_NAMES.anthropic, protocol: 'anthropic', baseUrl: 'https://api.anthropic.com', keyVar: 'ANTHROPIC_API_KEY', baseUrlVar: 'ANTHROPIC_BASE_URL', model: 'claude-sonnet-4-5' },
  { id: 'deepseek', name: PRESET_NAMES.deepseek, protocol: 'openai', baseUrl: 'https://api.deepseek.com/v1', keyVar: 'DEEPSEEK_API_KEY', model: 'deepseek-chat' },
  { id: 'moonshot', name: PRESET_NAMES.moonshot, protocol: 'openai', baseUrl: 'https://api.moonshot.cn/v1', keyVar: 'MOONSHOT_API_KEY', model: 'kimi-latest' },
  { id: 'qwen', name: PRESET_NAMES.qwen, protocol: 'openai', baseUrl: 'https://dashscope.aliyuncs.com/compatible-mode/v1', keyVar: 'DASHSCOPE_API_KEY', model: 'qwen-plus' },
  { id: 'zhipu', name: PRESET_NAMES.zhipu, protocol: 'openai', baseUrl: 'https://open.bigmodel.cn/api/paas/v4', keyVar: 'ZHIPUAI_API_KEY', model: 'glm-4-flash' },
  { id: 'openrouter', name: PRESET_NAMES.openrouter, protocol: 'openai', baseUrl: 'https://openrouter.ai/api/v1', keyVar: 'OPENROUTER_API_KEY' },
  { id: 'groq', name: PRESET_NAMES.groq, protocol: 'openai', baseUrl: 'https://api.groq.com/openai/v1', keyVar: 'GROQ_API_KEY' },
  { id: 'mistral', name: PRESET_NAMES.mistral, protocol: 'openai', baseUrl: 'https://api.mistral.ai/v1', keyVar: 'MISTRAL_API_KEY' },
  { id: 'ollama', name: PRESET_NAMES.ollama, protocol: 'ollama', baseUrl: 'http://127.0.0.1:11434', baseUrlVar: 'OLLAMA_HOST', local: true },
  { id: 'lmstudio', name: PRESET_NAMES.lmstudio, protocol: 'openai', baseUrl: 'http://127.0.0.1:1234/v1', local: true },
  { id: 'litellm', name: PRESET_NAMES.litellm, protocol: 'openai', baseUrl: 'http://127.0.0.1:4000/v1', keyVar: 'LITELLM_API_KEY' },
  { id: 'vllm', name: PRESET_NAMES.vllm, protocol: 'openai', baseUrl: 'http://127.0.0.1:8000/v1' },
  { id: 'custom', name: PRESET_NAMES.custom, protocol: 'openai', baseUrl: '' },
];
