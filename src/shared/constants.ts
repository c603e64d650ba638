/**
 * Settings constants and presets without a schema library: what the renderer needs at start (so valibot stays out
 * of its initial JavaScript). The schemas in settings.ts use and re-export these.
 */

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

export const LANGUAGES = ['system', 'en', 'zh'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Where a provider's requests go: the global network settings, always direct, or a proxy of its own. */
export const ROUTE_MODES = ['global', 'direct', 'proxy'] as const;
export type RouteMode = (typeof ROUTE_MODES)[number];

export const PRESET_IDS = ['openai', 'anthropic', 'deepseek', 'moonshot', 'qwen', 'zhipu', 'siliconflow', 'ark', 'minimax', 'qianfan', 'gemini', 'xai', 'openrouter', 'groq', 'mistral', 'ollama', 'lmstudio', 'litellm', 'vllm', 'custom'] as const;
export type PresetId = (typeof PRESET_IDS)[number];

export { MAX_PROVIDERS, MAX_MODELS, MAX_SYSTEM_PROMPT } from './bounds.ts';

export const THEMES = ['system', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];


/** The preset a base URL belongs to, by its host (for migration and detection). */
export function presetForUrl(baseUrl: string, protocol: Protocol): PresetId {
  if (!URL.canParse(baseUrl)) return protocol === 'ollama' ? 'ollama' : protocol === 'anthropic' ? 'anthropic' : 'custom';
  const host = new URL(baseUrl).hostname.toLowerCase();
  const table: [RegExp, PresetId][] = [
    [/(^|\.)openai\.com$/, 'openai'], [/(^|\.)anthropic\.com$/, 'anthropic'], [/(^|\.)deepseek\.com$/, 'deepseek'],
    [/(^|\.)moonshot\.(cn|ai)$/, 'moonshot'], [/(^|\.)dashscope(-intl)?\.aliyuncs\.com$/, 'qwen'], [/(^|\.)bigmodel\.cn$/, 'zhipu'],
    [/(^|\.)openrouter\.ai$/, 'openrouter'], [/(^|\.)groq\.com$/, 'groq'], [/(^|\.)mistral\.ai$/, 'mistral'],
    [/(^|\.)siliconflow\.(cn|com)$/, 'siliconflow'], [/(^|\.)volces\.com$/, 'ark'], [/(^|\.)minimaxi?\.(com|io)$/, 'minimax'],
    [/(^|\.)baidubce\.com$/, 'qianfan'], [/(^|\.)generativelanguage\.googleapis\.com$/, 'gemini'], [/(^|\.)x\.ai$/, 'xai'],
  ];
  for (const [re, id] of table) if (re.test(host)) return id;
  if (protocol === 'ollama') return 'ollama';
  return protocol === 'anthropic' ? 'anthropic' : 'custom';
}

export const PRESET_NAMES: Record<PresetId, string> = {
  openai: 'OpenAI', anthropic: 'Anthropic', deepseek: 'DeepSeek', moonshot: 'Moonshot (Kimi)', qwen: 'Qwen (DashScope)',
  zhipu: 'Zhipu GLM', siliconflow: 'SiliconFlow', ark: 'Volcengine Ark (Doubao)', minimax: 'MiniMax', qianfan: 'Baidu Qianfan',
  gemini: 'Google Gemini', xai: 'xAI (Grok)', openrouter: 'OpenRouter', groq: 'Groq', mistral: 'Mistral', ollama: 'Ollama (local)',
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
  // Base URLs from each provider's OpenAI-compatible API page: docs.siliconflow.cn (api.siliconflow.cn/v1; .com
  // outside China), volcengine.com/docs/82379 (Ark, Beijing region), platform.minimaxi.com (api.minimax.io outside
  // China), cloud.baidu.com/doc/WENXINWORKSHOP/s/2m3fihw8s (Qianfan v2), ai.google.dev/gemini-api/docs/openai,
  // docs.x.ai/docs/api-reference.
  { id: 'siliconflow', name: PRESET_NAMES.siliconflow, protocol: 'openai', baseUrl: 'https://api.siliconflow.cn/v1', keyVar: 'SILICONFLOW_API_KEY', model: 'Qwen/Qwen3-8B' },
  { id: 'ark', name: PRESET_NAMES.ark, protocol: 'openai', baseUrl: 'https://ark.cn-beijing.volces.com/api/v3', keyVar: 'ARK_API_KEY', model: 'doubao-seed-1-6-250615' },
  { id: 'minimax', name: PRESET_NAMES.minimax, protocol: 'openai', baseUrl: 'https://api.minimaxi.com/v1', keyVar: 'MINIMAX_API_KEY', model: 'MiniMax-M2' },
  { id: 'qianfan', name: PRESET_NAMES.qianfan, protocol: 'openai', baseUrl: 'https://qianfan.baidubce.com/v2', keyVar: 'QIANFAN_API_KEY', model: 'ernie-4.5-turbo-128k' },
  { id: 'gemini', name: PRESET_NAMES.gemini, protocol: 'openai', baseUrl: 'https://generativelanguage.googleapis.com/v1beta/openai', keyVar: 'GEMINI_API_KEY', model: 'gemini-2.5-flash' },
  { id: 'xai', name: PRESET_NAMES.xai, protocol: 'openai', baseUrl: 'https://api.x.ai/v1', keyVar: 'XAI_API_KEY', model: 'grok-4' },
  { id: 'openrouter', name: PRESET_NAMES.openrouter, protocol: 'openai', baseUrl: 'https://openrouter.ai/api/v1', keyVar: 'OPENROUTER_API_KEY' },
  { id: 'groq', name: PRESET_NAMES.groq, protocol: 'openai', baseUrl: 'https://api.groq.com/openai/v1', keyVar: 'GROQ_API_KEY' },
  { id: 'mistral', name: PRESET_NAMES.mistral, protocol: 'openai', baseUrl: 'https://api.mistral.ai/v1', keyVar: 'MISTRAL_API_KEY' },
  { id: 'ollama', name: PRESET_NAMES.ollama, protocol: 'ollama', baseUrl: 'http://127.0.0.1:11434', baseUrlVar: 'OLLAMA_HOST', local: true },
  { id: 'lmstudio', name: PRESET_NAMES.lmstudio, protocol: 'openai', baseUrl: 'http://127.0.0.1:1234/v1', local: true },
  { id: 'litellm', name: PRESET_NAMES.litellm, protocol: 'openai', baseUrl: 'http://127.0.0.1:4000/v1', keyVar: 'LITELLM_API_KEY' },
  { id: 'vllm', name: PRESET_NAMES.vllm, protocol: 'openai', baseUrl: 'http://127.0.0.1:8000/v1' },
  { id: 'custom', name: PRESET_NAMES.custom, protocol: 'openai', baseUrl: '' },
];

/** Stands for a stored password in a proxy URL shown to the renderer; sent back, it keeps the password. */
export const SECRET_PLACEHOLDER = '********';
