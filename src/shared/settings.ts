/**
 * The settings schema: the one definition of Parley's connection settings, used by the core, the CLI,
 * the Electron shell and the renderer. Values may contain `${VAR}` references, expanded by the core.
 */
import * as v from 'valibot';
import { MAX_BYPASS_CHARS, MAX_CA_FILES, MAX_CONTEXT_MESSAGES, MAX_KEY_CHARS, MAX_MODEL_CHARS, MAX_MODELS, MAX_PATH_CHARS, MAX_PROVIDER_NAME_CHARS, MAX_PROVIDERS, MAX_RETRIES, MAX_SYSTEM_PROMPT, MAX_URL_CHARS } from './bounds.ts';
import { CURRENCIES } from './answer.ts';
import { MAX_PRICE_OVERRIDES, MAX_PRICE_PER_MTOK, MAX_SYNC_FIELD_CHARS, MAX_UPDATE_FEEDS } from './bounds.ts';
import { BACKUP_SCHEDULES } from './bounds.ts';
import { MAX_CAPABILITY_OVERRIDES, MAX_CONTEXT_WINDOW, MAX_OUTPUT_TOKENS, MAX_TEMPERATURE, MAX_THINKING_BUDGET, MIN_CONTEXT_WINDOW } from './bounds.ts';
import { EFFORTS } from './models/capabilities.ts';
import { mcpServersSchema } from './mcp.ts';
import { DEFAULT_RETRIES, DEFAULT_TIMEOUTS, LANGUAGES, PRESET_IDS, PRESET_NAMES, PROTOCOLS, PROXY_MODES, ROUTE_MODES, STREAM_MODES, THEMES, presetForUrl, type Protocol } from './constants.ts';

export * from './constants.ts';

/*
 * Schemas are valibot's: plain objects built by small functions, so building these and loading the library costs
 * ~3 ms where classic zod cost ~45 ms and zod/mini ~20 ms of every `parley chat` before its request was sent
 * (measured). `v.optional(schema, value)` runs the default through the schema, as zod's prefault did.
 */

/**
 * A settings issue in words for a person: what the value should be, never the value itself (a field may hold a
 * key), except a number that broke a limit or the length of a text.
 */
export function issueText(issue: v.BaseIssue<unknown>): string {
  const got = typeof issue.input === 'number' ? ` (got ${issue.input})` : '';
  const size = typeof issue.input === 'string' || Array.isArray(issue.input) ? ` (this has ${issue.input.length})` : '';
  switch (issue.type) {
    case 'max_length':
      return `Too long: at most ${String(issue.requirement)} ${Array.isArray(issue.input) ? 'items' : 'characters'}${size}`;
    case 'min_length':
      return issue.requirement === 1 ? 'Must not be empty' : `Too short: at least ${String(issue.requirement)} ${Array.isArray(issue.input) ? 'items' : 'characters'}`;
    case 'max_value':
      return `Too big: at most ${String(issue.requirement)}${got}`;
    case 'min_value':
      return `Too small: at least ${String(issue.requirement)}${got}`;
    case 'integer':
      return `Must be a whole number${got}`;
    case 'picklist':
      return `Must be one of ${(issue.expected ?? '?').replace(/^\((.*)\)$/, '$1')}`;
    case 'regex':
      return 'Invalid format';
    default: {
      const kind = issue.input === null ? 'null' : Array.isArray(issue.input) ? 'an array' : issue.input === undefined ? 'nothing' : `a ${typeof issue.input}`;
      return `Invalid value: expected ${issue.expected ?? issue.type}, got ${kind}`;
    }
  }
}

/** A string of at most `max` characters (and at least `min`). Also the IPC contract's. */
export function boundedText(max: number, min = 0) {
  return min ? v.pipe(v.string(), v.minLength(min), v.maxLength(max)) : v.pipe(v.string(), v.maxLength(max));
}
/** A whole number from `min` to `max`. Also the IPC contract's. */
export function wholeNumber(min: number, max: number) {
  return v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));
}
/** A duration in milliseconds: 0 (no limit) to a day. */
export const durationMs = wholeNumber(0, 24 * 3600_000);
/** A provider's model names (fetched or typed in). */
export const modelNamesSchema = v.pipe(v.array(boundedText(MAX_MODEL_CHARS, 1)), v.maxLength(MAX_MODELS));

export const providerSchema = v.object({
  protocol: v.picklist(PROTOCOLS),
  baseUrl: boundedText(MAX_URL_CHARS, 1),
  apiKey: v.optional(boundedText(MAX_KEY_CHARS)),
  model: boundedText(MAX_MODEL_CHARS, 1),
  /** Anthropic API version header. */
  anthropicVersion: v.optional(v.string(), '2023-06-01'),
});

export const networkSchema = v.object({
  proxy: v.optional(
    v.object({
      mode: v.optional(v.picklist(PROXY_MODES), 'env'),
      url: v.optional(boundedText(MAX_URL_CHARS)),
      /** Bypass rules, comma or whitespace separated (see src/main/core/route/bypass.ts). */
      bypass: v.optional(boundedText(MAX_BYPASS_CHARS), ''),
    }),
    {},
  ),
  /** Extra CA certificate files (PEM), added to the system store. */
  caFiles: v.optional(v.pipe(v.array(boundedText(MAX_PATH_CHARS)), v.maxLength(MAX_CA_FILES)), []),
  timeouts: v.optional(
    v.object({
      connectMs: v.optional(durationMs, DEFAULT_TIMEOUTS.connectMs),
      firstByteMs: v.optional(durationMs, DEFAULT_TIMEOUTS.firstByteMs),
      idleMs: v.optional(durationMs, DEFAULT_TIMEOUTS.idleMs),
      totalMs: v.optional(durationMs, DEFAULT_TIMEOUTS.totalMs),
    }),
    {},
  ),
  retries: v.optional(wholeNumber(0, MAX_RETRIES), DEFAULT_RETRIES),
  stream: v.optional(v.picklist(STREAM_MODES), 'auto'),
  /** How long a broken stream is remembered per endpoint and route. */
  streamMemoryMs: v.optional(durationMs, 30 * 60_000),
});

export const connectionSchema = v.object({
  provider: providerSchema,
  network: v.optional(networkSchema, {}),
});

export type ProviderSettings = v.InferOutput<typeof providerSchema>;
export type NetworkSettings = v.InferOutput<typeof networkSchema>;
export type ConnectionSettings = v.InferOutput<typeof connectionSchema>;
export type ConnectionSettingsInput = v.InferInput<typeof connectionSchema>;


/** App-only settings (the CLI ignores them). */
export const uiSchema = v.optional(
  v.object({
    language: v.optional(v.picklist(LANGUAGES), 'system'),
  }),
  {},
);
/**
 * A global shortcut as Electron's accelerator text: modifiers and one key joined by '+'
 * (`CommandOrControl+Shift+Space`), or '' for none. Checked here so a typo is refused at save, not at register.
 */
export const MAX_ACCELERATOR_CHARS = 100;
const ACCELERATOR = /^((CommandOrControl|CmdOrCtrl|Command|Cmd|Control|Ctrl|Alt|Option|AltGr|Shift|Super|Meta)\+)+([A-Z0-9]|F([1-9]|1[0-9]|2[0-4])|Space|Tab|Backspace|Delete|Insert|Return|Enter|Up|Down|Left|Right|Home|End|PageUp|PageDown|Escape|Esc|Plus|[`~!@#$%^&*()\-=[\]\\;',./])$/i;
export const acceleratorSchema = v.pipe(v.string(), v.maxLength(MAX_ACCELERATOR_CHARS), v.check((s) => s === '' || ACCELERATOR.test(s), 'a shortcut is modifiers and one key joined by +, e.g. CommandOrControl+Shift+Space'));
export const DEFAULT_SHORTCUT = 'CommandOrControl+Shift+Space';
const ACCELERATOR_ALIASES: Record<string, string> = { cmdorctrl: 'commandorcontrol', cmd: 'command', ctrl: 'control', option: 'alt', return: 'enter', esc: 'escape', meta: 'super' };
/** Whether two shortcuts name the same keys: case, a modifier's spelling (Ctrl, Control) and their order aside. */
export function sameAccelerator(a: string, b: string): boolean {
  const keys = (s: string): string => {
    const parts = s.trim().toLowerCase().split('+').map((p) => ACCELERATOR_ALIASES[p] ?? p);
    const key = parts.pop() ?? '';
    return [...parts.sort(), key].join('+');
  };
  return a.trim() !== '' && b.trim() !== '' && keys(a) === keys(b);
}
/** The quick window's global shortcut (issue 22): a small always-on-top composer. */
export const DEFAULT_QUICK_SHORTCUT = 'CommandOrControl+Alt+Space';
/**
 * The desktop habits (app only; src/main/shell): closing the window hides it to the tray (off by default
 * everywhere: a window that does not close when closed surprises whoever did not turn it on, and the dock
 * already keeps the app on macOS), the global shortcut that shows and hides Parley, the one that opens the quick
 * window (the same text as the other one is not registered twice: main reports it), starting with the OS.
 */
export const desktopSettingsSchema = v.optional(
  v.object({
    closeToTray: v.optional(v.boolean(), false),
    shortcut: v.optional(acceleratorSchema, DEFAULT_SHORTCUT),
    quickShortcut: v.optional(acceleratorSchema, DEFAULT_QUICK_SHORTCUT),
    openAtLogin: v.optional(v.boolean(), false),
  }),
  {},
);
export type DesktopSettings = v.InferOutput<typeof desktopSettingsSchema>;
export const loggingSchema = v.optional(
  v.object({
    /** Write message content to the local log file (never to a bundle's settings). Off by default. */
    logContent: v.optional(v.boolean(), false),
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

/** Thinking as asked (shared/answer.ts ThinkingChoice): the model's default, off, or on with an effort or a budget. */
const thinkingOn = { mode: v.literal('on'), effort: v.optional(v.picklist(['low', 'medium', 'high'])), budgetTokens: v.optional(wholeNumber(1, MAX_THINKING_BUDGET)) };
export const thinkingChoiceSchema = v.variant('mode', [v.object({ mode: v.literal('default') }), v.object({ mode: v.literal('off') }), v.object(thinkingOn)]);
/** The same, refusing unknown keys (the IPC contract). */
export const thinkingChoiceStrictSchema = v.variant('mode', [v.strictObject({ mode: v.literal('default') }), v.strictObject({ mode: v.literal('off') }), v.strictObject(thinkingOn)]);
const paramEntries = {
  temperature: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(MAX_TEMPERATURE))),
  topP: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1))),
  maxTokens: v.optional(wholeNumber(1, MAX_OUTPUT_TOKENS)),
};
/**
 * Request parameters (shared/chat.ts ConversationParams): a conversation's own, or a provider's defaults; absent
 * ones are the next level's (conversation → provider → the model's own). The one definition of their bounds:
 * this one drops unknown keys (the settings file, an imported file), the strict one refuses them (IPC).
 */
export const requestParamsSchema = v.object({ ...paramEntries, thinking: v.optional(thinkingChoiceSchema) });
export const requestParamsStrictSchema = v.strictObject({ ...paramEntries, thinking: v.optional(thinkingChoiceStrictSchema) });
/** How a model's thinking is controlled (shared/models/capabilities.ts ThinkingCapability), as the user corrects it. */
export const thinkingCapabilitySchema = v.object({
  defaultOn: v.boolean(),
  canDisable: v.boolean(),
  efforts: v.optional(v.pipe(v.array(v.picklist(EFFORTS)), v.maxLength(EFFORTS.length))),
  offEffort: v.optional(v.picklist(['none', 'minimal'])),
  budget: v.optional(v.object({ min: wholeNumber(0, MAX_THINKING_BUDGET), max: v.optional(wholeNumber(1, MAX_THINKING_BUDGET)) })),
  streamOnly: v.optional(v.boolean()),
  inlineTags: v.optional(v.boolean()),
  resendWithTools: v.optional(v.boolean()),
});
/** The user's correction of one model's capabilities (CapabilityOverride); `thinking: null`: it does not think. */
export const capabilityOverrideSchema = v.object({
  reasoning: v.optional(v.boolean()),
  vision: v.optional(v.boolean()),
  tools: v.optional(v.boolean()),
  contextWindow: v.optional(wholeNumber(MIN_CONTEXT_WINDOW, MAX_CONTEXT_WINDOW)),
  maxOutput: v.optional(wholeNumber(1, MAX_OUTPUT_TOKENS)),
  thinking: v.optional(v.nullable(thinkingCapabilitySchema)),
});
/** A provider's capability overrides by model name (at most MAX_CAPABILITY_OVERRIDES). */
export const capabilityOverridesSchema = v.pipe(
  v.record(boundedText(MAX_MODEL_CHARS, 1), capabilityOverrideSchema),
  v.check((r) => Object.keys(r).length <= MAX_CAPABILITY_OVERRIDES, `At most ${MAX_CAPABILITY_OVERRIDES} models may have capabilities of their own`),
);

const modelList = v.optional(modelNamesSchema, []);
/** One configured provider. `apiKey` (a value or `${VAR}`) stays in main; the renderer sees its shape. */
export const providerEntrySchema = v.object({
  id: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/)),
  name: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(MAX_PROVIDER_NAME_CHARS)),
  preset: v.optional(v.picklist(PRESET_IDS), 'custom'),
  protocol: v.optional(v.picklist(PROTOCOLS), 'openai'),
  baseUrl: v.optional(boundedText(MAX_URL_CHARS), ''),
  apiKey: v.optional(boundedText(MAX_KEY_CHARS)),
  /** Models fetched from the provider's list or typed in. */
  models: modelList,
  /** The subset shown in pickers ([] = all of `models`). */
  shownModels: modelList,
  defaultModel: v.optional(boundedText(MAX_MODEL_CHARS), ''),
  /** Context sizes in tokens, where known, per model. */
  contextTokens: v.optional(v.record(boundedText(MAX_MODEL_CHARS), wholeNumber(256, 100_000_000)), {}),
  route: v.optional(
    v.object({
      mode: v.optional(v.picklist(ROUTE_MODES), 'global'),
      proxyUrl: v.optional(boundedText(MAX_URL_CHARS)),
    }),
    {},
  ),
  anthropicVersion: v.optional(boundedText(40)),
  /** The user's corrections of the shipped capability table, per model (Settings → Providers → Models). */
  capabilities: v.optional(capabilityOverridesSchema, {}),
  /** Request parameters of this provider's conversations that do not set their own. */
  params: v.optional(requestParamsSchema, {}),
});
export type ProviderEntry = v.InferOutput<typeof providerEntrySchema>;
export type ProviderEntryInput = v.InferInput<typeof providerEntrySchema>;


/** What a new conversation starts with. */
export const chatDefaultsSchema = v.optional(
  v.object({
    providerId: v.optional(v.nullable(boundedText(64)), null),
    model: v.optional(boundedText(MAX_MODEL_CHARS), ''),
    systemPrompt: v.optional(boundedText(MAX_SYSTEM_PROMPT), ''),
    /** Earlier messages a request carries; 0 = as many as fit the model's context. */
    contextMessages: v.optional(wholeNumber(0, MAX_CONTEXT_MESSAGES), 0),
    /** Ask the model for a title after the first answer (an extra request); off: the first question is the title. */
    autoTitle: v.optional(v.boolean(), false),
  }),
  {},
);

/** A price per million tokens (Settings → Prices). */
export const pricePerMTok = v.pipe(v.number(), v.minValue(0), v.maxValue(MAX_PRICE_PER_MTOK));
/** The user's own price for a model: wins over the shipped table (src/shared/models/prices.ts). */
export const priceOverrideSchema = v.object({
  model: boundedText(MAX_MODEL_CHARS, 1),
  currency: v.picklist(CURRENCIES),
  input: pricePerMTok,
  output: pricePerMTok,
  cacheRead: v.optional(pricePerMTok),
  cacheWrite: v.optional(pricePerMTok),
});
/** How answers are costed: the currency where a provider publishes several (DeepSeek), and the user's own prices. */
export const pricingSchema = v.optional(
  v.object({
    currency: v.optional(v.picklist(CURRENCIES), 'USD'),
    overrides: v.optional(v.pipe(v.array(priceOverrideSchema), v.maxLength(MAX_PRICE_OVERRIDES)), []),
  }),
  {},
);

/** Where conversations are synced (issue 21): a WebDAV folder or an S3-compatible bucket and prefix. */
export const SYNC_SERVICES = ['webdav', 's3'] as const;
export type SyncService = (typeof SYNC_SERVICES)[number];
/** S3 addressing: the bucket in the path (MinIO, most self-hosted) or in the host name (AWS, Aliyun OSS). */
export const S3_STYLES = ['path', 'virtual'] as const;
/**
 * A sync secret (the WebDAV password, the S3 secret key, the encryption passphrase) as settings.json holds it: a
 * `keychain:<id>` reference (the app keeps the value in the OS keychain) or a `${VAR}` (the CLI, a server), never the
 * value itself.
 */
export const syncSecretRefSchema = v.pipe(
  v.string(),
  v.check((s) => isKeychainRef(s) || /^\$\{[A-Za-z_][A-Za-z0-9_]{0,127}\}$/.test(s), 'a keychain: reference or a ${VAR}: the secret itself is never kept in settings.json'),
);
/** Settings → Backup: how often a backup is made while the app runs (the newest kept, at most MAX_AUTO_BACKUPS). */
export const backupSettingsSchema = v.optional(
  v.object({
    schedule: v.optional(v.picklist(BACKUP_SCHEDULES), 'daily'),
  }),
  {},
);

export const syncSettingsSchema = v.optional(
  v.object({
    enabled: v.optional(v.boolean(), false),
    service: v.optional(v.picklist(SYNC_SERVICES), 'webdav'),
    /** WebDAV: the folder's URL (https://dav.jianguoyun.com/dav/parley/); S3: the endpoint (https://s3.us-east-1.amazonaws.com). */
    url: v.optional(boundedText(MAX_URL_CHARS), ''),
    /** S3: the bucket, the key prefix every file is under, the region ('auto' for R2), the addressing style. */
    bucket: v.optional(boundedText(MAX_SYNC_FIELD_CHARS), ''),
    prefix: v.optional(boundedText(MAX_SYNC_FIELD_CHARS), ''),
    region: v.optional(boundedText(64), ''),
    style: v.optional(v.picklist(S3_STYLES), 'path'),
    /** WebDAV: the user name; S3: the access key ID (not a secret on its own). */
    username: v.optional(boundedText(MAX_SYNC_FIELD_CHARS), ''),
    /** WebDAV: the password (an app password for Nutstore); S3: the secret access key. A reference, never the value. */
    password: v.optional(syncSecretRefSchema),
    /** Encrypt everything before upload with a key from this passphrase (a reference, never the value). */
    encrypt: v.optional(v.boolean(), true),
    passphrase: v.optional(syncSecretRefSchema),
    /** Its route, as a provider's: the global network settings, direct, or a proxy of its own. */
    route: v.optional(v.object({ mode: v.optional(v.picklist(ROUTE_MODES), 'global'), proxyUrl: v.optional(boundedText(MAX_URL_CHARS)) }), {}),
    /** Minutes between automatic syncs while the app runs (0: only when asked). */
    intervalMinutes: v.optional(wholeNumber(0, 24 * 60), 15),
  }),
  {},
);
export type SyncSettings = v.InferOutput<typeof syncSettingsSchema>;

/** Update channels: `beta` also offers pre-releases (electron-builder's beta*.yml). */
export const UPDATE_CHANNELS = ['stable', 'beta'] as const;
/**
 * Updates (issue 22): whether Parley checks by itself and downloads by itself (nothing is ever installed without a
 * click), the channel, and the feeds tried in order (empty: Parley's own, shared/update.ts RELEASE_FEEDS). Every
 * request goes through the network settings' route.
 */
export const updateSettingsSchema = v.optional(
  v.object({
    autoCheck: v.optional(v.boolean(), true),
    autoDownload: v.optional(v.boolean(), false),
    channel: v.optional(v.picklist(UPDATE_CHANNELS), 'stable'),
    feeds: v.optional(v.pipe(v.array(v.pipe(boundedText(MAX_URL_CHARS), v.check((u) => /^https?:\/\/[^\s/]+/i.test(u), 'an http(s):// URL'))), v.maxLength(MAX_UPDATE_FEEDS)), []),
  }),
  {},
);
export type UpdateSettings = v.InferOutput<typeof updateSettingsSchema>;

/**
 * What `<dataDir>/settings.json` holds: providers, the network settings (also read by the CLI), chat defaults
 * and app settings. Version 1 had one `provider`; `migrateSettings` turns it into `providers[0]`.
 */
export const storedSettingsSchema = v.object({
  version: v.optional(v.literal(2), 2),
  providers: v.optional(v.pipe(v.array(providerEntrySchema), v.maxLength(MAX_PROVIDERS)), []),
  defaults: chatDefaultsSchema,
  network: v.optional(networkSchema, {}),
  ui: v.optional(
    v.object({
      language: v.optional(v.picklist(LANGUAGES), 'system'),
      theme: v.optional(v.picklist(THEMES), 'system'),
    }),
    {},
  ),
  logging: loggingSchema,
  pricing: pricingSchema,
  /** MCP servers whose tools the models may call (shared/mcp.ts). */
  mcpServers: mcpServersSchema,
  /** Sync of conversations through WebDAV or S3 (issue 21). */
  sync: syncSettingsSchema,
  /** Updates of the app (issue 22). */
  updates: updateSettingsSchema,
  /** Automatic backups into the data folder's backups/ (services/backup); before a migration they are made whatever this says. */
  backup: backupSettingsSchema,
  /** Tray, global shortcut, start with the OS (issue 22; src/main/shell). */
  desktop: desktopSettingsSchema,
});
export type StoredSettings = v.InferOutput<typeof storedSettingsSchema>;
export type StoredSettingsInput = v.InferInput<typeof storedSettingsSchema>;


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

