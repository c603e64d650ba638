/**
 * What a model can do, shipped as data: whether it reasons (and how its thinking is switched), sees images, calls
 * tools, its context window and its longest answer. The user's overrides per provider and model (Settings →
 * Providers → Models) win over the table. Plain data and pure functions: main (requests, context) and the window
 * (parameters, context meter) both read it. No schema library here.
 *
 * Sources (each provider's own model pages, read 2026-12-07; figures change: an entry that is wrong or missing is
 * overridden in the provider's settings):
 * - OpenAI: https://platform.openai.com/docs/models (per model: context window, max output tokens, reasoning
 *   effort), https://platform.openai.com/docs/guides/reasoning (reasoning_effort; gpt-5 `minimal`, gpt-5.1 `none`).
 * - Anthropic: https://docs.claude.com/en/docs/about-claude/models/overview (context window, max output),
 *   https://docs.claude.com/en/docs/build-with-claude/extended-thinking (budget_tokens ≥ 1024, below max_tokens).
 * - DeepSeek: https://api-docs.deepseek.com/quick_start/pricing (V3.2: 128K context; deepseek-chat output 8K,
 *   deepseek-reasoner 64K), https://api-docs.deepseek.com/guides/thinking_mode (`thinking: {type}`,
 *   reasoning_effort; reasoning_content sent back only with tool calls).
 * - Qwen (Alibaba Cloud Model Studio): https://help.aliyun.com/zh/model-studio/models and
 *   https://www.alibabacloud.com/help/en/model-studio/deep-thinking (enable_thinking, thinking_budget; hybrid
 *   commercial models off by default, open-source Qwen3 and Qwen3.5 on by default; QwQ and `-thinking` models
 *   always think; thinking "only supports incremental output", i.e. streamed requests).
 * - Zhipu GLM: https://docs.bigmodel.cn/cn/guide/models/text/glm-4.6 and glm-4.5 (`thinking: {type}`, on by
 *   default; 128K/200K context, 96K/128K output), GLM-Z1 (always reasons).
 * - Moonshot Kimi: https://platform.moonshot.cn/docs/introduction (kimi-k2 256K context; kimi-k2-thinking).
 * - Google Gemini: https://ai.google.dev/gemini-api/docs/models and /thinking (2.5 Pro cannot turn thinking off,
 *   budget 128–32768; 2.5 Flash 0–24576, on by default; Flash-Lite off by default) and /openai
 *   (reasoning_effort on the OpenAI-compatible endpoint; `none` turns it off where the model allows).
 * - Mistral: https://docs.mistral.ai/getting-started/models/ (Magistral always reasons; context sizes).
 * - Meta Llama 3.x: 128K context (llama3 8K) per the model cards; Groq https://console.groq.com/docs/models.
 * - Volcengine Ark (Doubao): https://www.volcengine.com/docs/82379/1330310 (doubao-seed-1.6: 256K context,
 *   `thinking: {type: enabled|disabled|auto}`, on by default; -thinking models always think).
 * - MiniMax: https://platform.minimaxi.com/docs/guides/text-generation (MiniMax-M2 204,800 context, always
 *   thinks, `<think>` inside content on the OpenAI-compatible API; MiniMax-M1 1M context).
 * - Baidu Qianfan (ERNIE): https://cloud.baidu.com/doc/qianfan-docs/s/7m95lyy43 (ERNIE 4.5 Turbo 128K/32K,
 *   ERNIE X1 reasoning models).
 * - xAI: https://docs.x.ai/docs/models (grok-4 256K, always reasons, no reasoning_effort; grok-3-mini
 *   reasoning_effort low|high; grok-4-fast 2M).
 * - Ollama: https://docs.ollama.com/capabilities/thinking (`think`: true/false; gpt-oss takes low|medium|high and
 *   cannot turn thinking off).
 */

/** How hard a model thinks, as OpenAI's reasoning_effort and its likes name it. */
export const EFFORTS = ['none', 'minimal', 'low', 'medium', 'high'] as const;
export type Effort = (typeof EFFORTS)[number];

/** How a model's thinking is controlled. Which request field carries it is the provider's (core/protocols/thinking.ts). */
export interface ThinkingCapability {
  /** It thinks when the request says nothing about thinking. */
  defaultOn: boolean;
  /** It can be asked not to think (false: it always thinks: deepseek-reasoner, o3, QwQ, `-thinking` models). */
  canDisable: boolean;
  /** Effort levels it takes (OpenAI reasoning_effort, gpt-oss on Ollama, grok-3-mini); absent: none. */
  efforts?: Effort[];
  /** The effort that stands for "off" where the model has no real off (gpt-5: `minimal`) or off is an effort (`none`). */
  offEffort?: 'none' | 'minimal';
  /** It takes a thinking token budget (Anthropic budget_tokens, Qwen thinking_budget, Gemini thinking budget). */
  budget?: { min: number; max?: number };
  /**
   * Thinking only in streamed requests: a whole (non-streamed) request must turn it off, and fails when the model
   * cannot (DashScope: "parameter.enable_thinking must be set to false for non-streaming calls").
   */
  streamOnly?: boolean;
  /** Its reasoning comes inside the answer's text as `<think>` tags (R1 distills, MiniMax M-series). */
  inlineTags?: boolean;
  /**
   * Its reasoning must be sent back with the answer that asked for tools (DeepSeek thinking with tool calls);
   * otherwise reasoning is never resent.
   */
  resendWithTools?: boolean;
}

export interface ModelCapabilities {
  /** It reasons (thinks) before answering, always or when asked. */
  reasoning?: boolean;
  vision?: boolean;
  tools?: boolean;
  /** Tokens of input and output together. */
  contextWindow?: number;
  /** The most tokens one answer may have (max_tokens' upper bound; reasoning included where the provider counts it). */
  maxOutput?: number;
  /** How its thinking is controlled; absent: it does not think. */
  thinking?: ThinkingCapability;
}

/** The user's correction of one model's capabilities (Settings → Providers): each field given wins; `thinking: null` says it does not think. */
export interface CapabilityOverride {
  reasoning?: boolean;
  vision?: boolean;
  tools?: boolean;
  contextWindow?: number;
  maxOutput?: number;
  thinking?: ThinkingCapability | null;
}

/** Who serves the model: the same model is switched differently (and sometimes behaves differently) per provider. */
export type ProviderFamily =
  | 'openai' | 'anthropic' | 'deepseek' | 'dashscope' | 'zhipu' | 'moonshot' | 'openrouter' | 'groq' | 'mistral'
  | 'ollama' | 'siliconflow' | 'ark' | 'minimax' | 'qianfan' | 'gemini' | 'xai' | 'other';

/** What capabilitiesFor needs of a provider (a settings entry, the CLI's provider, or a bare base URL). */
export interface ProviderLike {
  preset?: string;
  baseUrl?: string;
  protocol?: 'openai' | 'anthropic' | 'ollama';
  /** The user's overrides by model name. */
  capabilities?: Readonly<Record<string, CapabilityOverride>>;
  /** Context sizes the user set per model (older settings); a contextWindow override. */
  contextTokens?: Readonly<Record<string, number>>;
}

const HOSTS: [RegExp, ProviderFamily][] = [
  [/(^|\.)openai\.com$/, 'openai'], [/(^|\.)anthropic\.com$/, 'anthropic'], [/(^|\.)deepseek\.com$/, 'deepseek'],
  [/(^|\.)dashscope(-intl|-us)?\.aliyuncs\.com$/, 'dashscope'], [/(^|\.)bigmodel\.cn$/, 'zhipu'], [/(^|\.)z\.ai$/, 'zhipu'],
  [/(^|\.)moonshot\.(cn|ai)$/, 'moonshot'], [/(^|\.)openrouter\.ai$/, 'openrouter'], [/(^|\.)groq\.com$/, 'groq'],
  [/(^|\.)mistral\.ai$/, 'mistral'], [/(^|\.)siliconflow\.(cn|com)$/, 'siliconflow'], [/(^|\.)volces\.com$/, 'ark'],
  [/(^|\.)byteplus(api)?\.com$/, 'ark'], [/(^|\.)minimaxi?\.(com|chat|io)$/, 'minimax'], [/(^|\.)baidubce\.com$/, 'qianfan'],
  [/(^|\.)generativelanguage\.googleapis\.com$/, 'gemini'], [/(^|\.)x\.ai$/, 'xai'],
];
const PRESET_FAMILY: Record<string, ProviderFamily> = {
  openai: 'openai', anthropic: 'anthropic', deepseek: 'deepseek', qwen: 'dashscope', zhipu: 'zhipu', moonshot: 'moonshot',
  openrouter: 'openrouter', groq: 'groq', mistral: 'mistral', ollama: 'ollama', siliconflow: 'siliconflow', ark: 'ark',
  minimax: 'minimax', qianfan: 'qianfan', gemini: 'gemini', xai: 'xai',
};

/** The family of a provider: its base URL's host where it names a known one, else its preset, else its protocol. */
export function providerFamily(p: ProviderLike): ProviderFamily {
  if (p.baseUrl && URL.canParse(p.baseUrl)) {
    const host = new URL(p.baseUrl).hostname.toLowerCase();
    for (const [re, fam] of HOSTS) if (re.test(host)) return fam;
  }
  const byPreset = p.preset ? PRESET_FAMILY[p.preset] : undefined;
  if (byPreset) return byPreset;
  if (p.protocol === 'ollama') return 'ollama';
  if (p.protocol === 'anthropic') return 'anthropic';
  return 'other';
}

/**
 * The table's key for a model name: lower case, without a router's or a hub's `vendor/` prefix (openai/gpt-4o,
 * Qwen/Qwen3-8B, Pro/deepseek-ai/DeepSeek-R1) and without an Ollama tag or an OpenRouter variant (qwen3:8b,
 * deepseek-r1:7b, …:free).
 */
export function capabilityKey(model: string): string {
  let m = model.trim().toLowerCase();
  const slash = m.lastIndexOf('/');
  if (slash !== -1) m = m.slice(slash + 1);
  const colon = m.indexOf(':');
  return colon === -1 ? m : m.slice(0, colon);
}

interface Entry {
  /** Matched against the key from its start. */
  match: RegExp;
  caps: ModelCapabilities;
  /** Only where served by these (a model switched differently there). */
  on?: readonly ProviderFamily[];
}

const ALWAYS: ThinkingCapability = { defaultOn: true, canDisable: false };
const HYBRID_ON: ThinkingCapability = { defaultOn: true, canDisable: true };
const HYBRID_OFF: ThinkingCapability = { defaultOn: false, canDisable: true };
const O_SERIES: ThinkingCapability = { defaultOn: true, canDisable: false, efforts: ['low', 'medium', 'high'] };
const CLAUDE_THINKING: ThinkingCapability = { defaultOn: false, canDisable: true, budget: { min: 1024 } };
const QWEN3_BUDGET = { min: 1, max: 38_912 };
const tv = { tools: true, vision: true } as const;
const t = { tools: true } as const;

/** First match wins: specific names before their families. */
export const CAPABILITY_TABLE: readonly Entry[] = [
  // OpenAI
  { match: /^gpt-5(\.\d+)?-chat/, caps: { ...tv, contextWindow: 128_000, maxOutput: 16_384 } },
  { match: /^gpt-5\.\d+/, caps: { ...tv, reasoning: true, contextWindow: 400_000, maxOutput: 128_000, thinking: { defaultOn: false, canDisable: true, efforts: ['none', 'low', 'medium', 'high'], offEffort: 'none' } } },
  { match: /^gpt-5/, caps: { ...tv, reasoning: true, contextWindow: 400_000, maxOutput: 128_000, thinking: { defaultOn: true, canDisable: false, efforts: ['minimal', 'low', 'medium', 'high'], offEffort: 'minimal' } } },
  { match: /^gpt-4\.1/, caps: { ...tv, contextWindow: 1_047_576, maxOutput: 32_768 } },
  { match: /^(gpt-4o|chatgpt-4o)/, caps: { ...tv, contextWindow: 128_000, maxOutput: 16_384 } },
  { match: /^gpt-4-turbo/, caps: { ...tv, contextWindow: 128_000, maxOutput: 4_096 } },
  { match: /^gpt-4(-\d{4})?$/, caps: { ...t, contextWindow: 8_192, maxOutput: 8_192 } },
  { match: /^gpt-3\.5-turbo/, caps: { ...t, contextWindow: 16_385, maxOutput: 4_096 } },
  { match: /^gpt-oss/, caps: { ...t, reasoning: true, contextWindow: 131_072, maxOutput: 131_072, thinking: { defaultOn: true, canDisable: false, efforts: ['low', 'medium', 'high'] } } },
  { match: /^o1-(mini|preview)/, caps: { reasoning: true, contextWindow: 128_000, maxOutput: 65_536, thinking: ALWAYS } },
  { match: /^o1/, caps: { ...tv, reasoning: true, contextWindow: 200_000, maxOutput: 100_000, thinking: O_SERIES } },
  { match: /^o3-mini/, caps: { ...t, reasoning: true, contextWindow: 200_000, maxOutput: 100_000, thinking: O_SERIES } },
  { match: /^o[34]/, caps: { ...tv, reasoning: true, contextWindow: 200_000, maxOutput: 100_000, thinking: O_SERIES } },
  // Anthropic (names with dashes or, on OpenRouter, dots: claude-3-7-sonnet, claude-3.7-sonnet, claude-sonnet-4.5)
  { match: /^claude-(opus-4[.-][5-9]|opus-[5-9]|sonnet-4[.-][5-9]|sonnet-[5-9]|haiku-4[.-][5-9])/, caps: { ...tv, reasoning: true, contextWindow: 200_000, maxOutput: 64_000, thinking: CLAUDE_THINKING } },
  { match: /^claude-opus-4/, caps: { ...tv, reasoning: true, contextWindow: 200_000, maxOutput: 32_000, thinking: CLAUDE_THINKING } },
  { match: /^claude-(sonnet-4|3[.-]7-sonnet)/, caps: { ...tv, reasoning: true, contextWindow: 200_000, maxOutput: 64_000, thinking: CLAUDE_THINKING } },
  { match: /^claude-3[.-]5-(sonnet|haiku)/, caps: { ...tv, contextWindow: 200_000, maxOutput: 8_192 } },
  { match: /^claude-3-(opus|sonnet|haiku)/, caps: { ...tv, contextWindow: 200_000, maxOutput: 4_096 } },
  { match: /^claude/, caps: { ...tv, contextWindow: 200_000, maxOutput: 8_192 } },
  // DeepSeek: the official API's names, then the open weights on other providers
  { match: /^deepseek-reasoner/, caps: { ...t, reasoning: true, contextWindow: 128_000, maxOutput: 65_536, thinking: { ...ALWAYS, resendWithTools: true } } },
  // OpenRouter's name for V3.1 and later (deepseek/deepseek-chat-v3.1): a hybrid, off by default.
  { match: /^deepseek-chat-v3[.-]\d/, caps: { ...t, reasoning: true, contextWindow: 128_000, maxOutput: 65_536, thinking: { ...HYBRID_OFF, resendWithTools: true } } },
  { match: /^deepseek-chat/, on: ['deepseek'], caps: { ...t, reasoning: true, contextWindow: 128_000, maxOutput: 8_192, thinking: { ...HYBRID_OFF, resendWithTools: true } } },
  { match: /^deepseek-chat/, caps: { ...t, contextWindow: 128_000, maxOutput: 8_192 } },
  { match: /^deepseek-v4/, caps: { ...t, reasoning: true, contextWindow: 1_000_000, maxOutput: 384_000, thinking: { ...HYBRID_ON, efforts: ['low', 'high'], resendWithTools: true } } },
  { match: /^deepseek-v3[.-][12]/, caps: { ...t, reasoning: true, contextWindow: 128_000, maxOutput: 65_536, thinking: { ...HYBRID_OFF, resendWithTools: true } } },
  { match: /^deepseek-r1/, on: ['ollama'], caps: { reasoning: true, contextWindow: 131_072, thinking: HYBRID_ON } },
  { match: /^deepseek-r1-distill/, caps: { reasoning: true, contextWindow: 131_072, maxOutput: 16_384, thinking: { ...ALWAYS, inlineTags: true } } },
  { match: /^deepseek-r1/, caps: { ...t, reasoning: true, contextWindow: 128_000, maxOutput: 32_768, thinking: ALWAYS } },
  { match: /^deepseek-(v3|v2\.5|coder)/, caps: { ...t, contextWindow: 128_000, maxOutput: 8_192 } },
  // Qwen: thinking-only, then instruct-only, then hybrid
  { match: /^(qwq|qvq)/, caps: { reasoning: true, contextWindow: 131_072, maxOutput: 8_192, thinking: ALWAYS } },
  { match: /^qwen3-.*-thinking/, caps: { ...t, reasoning: true, contextWindow: 262_144, maxOutput: 32_768, thinking: { ...ALWAYS, budget: QWEN3_BUDGET } } },
  { match: /^qwen3-.*-instruct/, caps: { ...t, contextWindow: 262_144, maxOutput: 32_768 } },
  { match: /^qwen3-coder/, caps: { ...t, contextWindow: 1_000_000, maxOutput: 65_536 } },
  { match: /^qwen3-vl/, caps: { ...tv, reasoning: true, contextWindow: 262_144, maxOutput: 32_768, thinking: { ...HYBRID_OFF, budget: QWEN3_BUDGET } } },
  { match: /^qwen3-max/, caps: { ...t, reasoning: true, contextWindow: 262_144, maxOutput: 65_536, thinking: { ...HYBRID_OFF, budget: QWEN3_BUDGET } } },
  { match: /^qwen3\.[5-9]/, caps: { ...tv, reasoning: true, contextWindow: 1_000_000, maxOutput: 65_536, thinking: { ...HYBRID_ON, budget: QWEN3_BUDGET } } },
  { match: /^qwen3-(0\.6|1\.7|4)b/, caps: { ...t, reasoning: true, contextWindow: 32_768, maxOutput: 8_192, thinking: { ...HYBRID_ON, budget: QWEN3_BUDGET } } },
  { match: /^qwen3/, caps: { ...t, reasoning: true, contextWindow: 131_072, maxOutput: 16_384, thinking: { ...HYBRID_ON, budget: QWEN3_BUDGET } } },
  { match: /^qwen-(plus|flash)/, caps: { ...t, reasoning: true, contextWindow: 1_000_000, maxOutput: 32_768, thinking: { ...HYBRID_OFF, budget: QWEN3_BUDGET } } },
  { match: /^qwen-turbo/, caps: { ...t, reasoning: true, contextWindow: 1_000_000, maxOutput: 16_384, thinking: { ...HYBRID_OFF, budget: QWEN3_BUDGET } } },
  { match: /^qwen-max/, caps: { ...t, contextWindow: 32_768, maxOutput: 8_192 } },
  { match: /^qwen-long/, caps: { contextWindow: 10_000_000, maxOutput: 8_192 } },
  { match: /^(qwen-vl|qwen2\.5-vl|qwen2-vl)/, caps: { vision: true, contextWindow: 131_072, maxOutput: 8_192 } },
  { match: /^qwen2\.5/, caps: { ...t, contextWindow: 131_072, maxOutput: 8_192 } },
  // Zhipu GLM
  { match: /^glm-z1-airx/, caps: { reasoning: true, contextWindow: 32_768, maxOutput: 30_000, thinking: ALWAYS } },
  { match: /^glm-z1/, caps: { reasoning: true, contextWindow: 128_000, maxOutput: 32_768, thinking: ALWAYS } },
  { match: /^glm-4\.1v-thinking/, caps: { vision: true, reasoning: true, contextWindow: 65_536, maxOutput: 16_384, thinking: ALWAYS } },
  { match: /^glm-4\.[5-9]v/, caps: { ...tv, reasoning: true, contextWindow: 65_536, maxOutput: 16_384, thinking: HYBRID_ON } },
  { match: /^glm-4\.[6-9]|^glm-[5-9]/, caps: { ...t, reasoning: true, contextWindow: 200_000, maxOutput: 128_000, thinking: HYBRID_ON } },
  { match: /^glm-4\.5/, caps: { ...t, reasoning: true, contextWindow: 128_000, maxOutput: 96_000, thinking: HYBRID_ON } },
  { match: /^glm-4v/, caps: { vision: true, contextWindow: 16_384, maxOutput: 1_024 } },
  { match: /^glm-4-long/, caps: { ...t, contextWindow: 1_000_000, maxOutput: 4_096 } },
  { match: /^glm-4/, caps: { ...t, contextWindow: 128_000, maxOutput: 4_096 } },
  // Moonshot Kimi
  { match: /^kimi-k2-thinking/, caps: { ...t, reasoning: true, contextWindow: 262_144, thinking: ALWAYS } },
  { match: /^kimi-k2-0711/, caps: { ...t, contextWindow: 131_072 } },
  { match: /^kimi-k2/, caps: { ...t, contextWindow: 262_144 } },
  { match: /^kimi-latest/, caps: { ...tv, contextWindow: 131_072 } },
  { match: /^kimi-(thinking|k1)/, caps: { vision: true, reasoning: true, contextWindow: 131_072, thinking: ALWAYS } },
  { match: /^moonshot-v1-8k-vision/, caps: { ...tv, contextWindow: 8_192 } },
  { match: /^moonshot-v1-32k-vision/, caps: { ...tv, contextWindow: 32_768 } },
  { match: /^moonshot-v1-128k-vision/, caps: { ...tv, contextWindow: 131_072 } },
  { match: /^moonshot-v1-8k/, caps: { ...t, contextWindow: 8_192 } },
  { match: /^moonshot-v1-32k/, caps: { ...t, contextWindow: 32_768 } },
  { match: /^moonshot-v1-(128k|auto)/, caps: { ...t, contextWindow: 131_072 } },
  // Google Gemini (the OpenAI-compatible endpoint takes reasoning_effort)
  { match: /^gemini-[3-9]/, caps: { ...tv, reasoning: true, contextWindow: 1_048_576, maxOutput: 65_536, thinking: { defaultOn: true, canDisable: false, efforts: ['low', 'high'] } } },
  { match: /^gemini-2\.5-pro/, caps: { ...tv, reasoning: true, contextWindow: 1_048_576, maxOutput: 65_536, thinking: { defaultOn: true, canDisable: false, efforts: ['low', 'medium', 'high'], budget: { min: 128, max: 32_768 } } } },
  { match: /^gemini-2\.5-flash-lite/, caps: { ...tv, reasoning: true, contextWindow: 1_048_576, maxOutput: 65_536, thinking: { defaultOn: false, canDisable: true, efforts: ['none', 'low', 'medium', 'high'], offEffort: 'none', budget: { min: 512, max: 24_576 } } } },
  { match: /^gemini-2\.5-flash/, caps: { ...tv, reasoning: true, contextWindow: 1_048_576, maxOutput: 65_536, thinking: { defaultOn: true, canDisable: true, efforts: ['none', 'low', 'medium', 'high'], offEffort: 'none', budget: { min: 1, max: 24_576 } } } },
  { match: /^gemini-2\.0-flash-thinking/, caps: { vision: true, reasoning: true, contextWindow: 1_048_576, maxOutput: 65_536, thinking: ALWAYS } },
  { match: /^gemini-2\.0/, caps: { ...tv, contextWindow: 1_048_576, maxOutput: 8_192 } },
  { match: /^gemini-1\.5-pro/, caps: { ...tv, contextWindow: 2_097_152, maxOutput: 8_192 } },
  { match: /^gemini/, caps: { ...tv, contextWindow: 1_048_576, maxOutput: 8_192 } },
  // Mistral (Magistral always reasons)
  { match: /^magistral-small/, caps: { ...t, reasoning: true, contextWindow: 40_000, maxOutput: 40_000, thinking: ALWAYS } },
  { match: /^magistral/, caps: { ...t, reasoning: true, contextWindow: 40_000, maxOutput: 40_000, thinking: ALWAYS } },
  { match: /^(pixtral|mistral-medium|mistral-small-3\.[12]|mistral-small-latest)/, caps: { ...tv, contextWindow: 131_072 } },
  { match: /^(mistral-large|mistral-small|ministral|open-mistral-nemo)/, caps: { ...t, contextWindow: 131_072 } },
  { match: /^codestral/, caps: { ...t, contextWindow: 262_144 } },
  { match: /^(open-)?mixtral-8x22b/, caps: { ...t, contextWindow: 65_536 } },
  { match: /^(open-)?(mixtral|mistral)/, caps: { ...t, contextWindow: 32_768 } },
  // Meta Llama (Groq's names: llama-3.3-70b-versatile, llama-3.1-8b-instant)
  { match: /^llama-?4/, caps: { ...tv, contextWindow: 131_072, maxOutput: 8_192 } },
  { match: /^llama-3\.3-70b-versatile/, caps: { ...t, contextWindow: 131_072, maxOutput: 32_768 } },
  { match: /^llama-?3\.2-(11|90)b-vision/, caps: { vision: true, contextWindow: 131_072 } },
  { match: /^llama-?3\.[123]/, caps: { ...t, contextWindow: 131_072 } },
  { match: /^(llama-?3|meta-llama-3)/, caps: { contextWindow: 8_192 } },
  // Volcengine Ark (Doubao); Ark writes versions with dashes (doubao-seed-1-6-250615)
  { match: /^doubao-seed-1[.-]6-thinking/, caps: { ...tv, reasoning: true, contextWindow: 262_144, maxOutput: 32_768, thinking: ALWAYS } },
  { match: /^doubao-seed/, caps: { ...tv, reasoning: true, contextWindow: 262_144, maxOutput: 32_768, thinking: HYBRID_ON } },
  { match: /^doubao-1[.-]5-(thinking|ui-tars)/, caps: { ...t, reasoning: true, contextWindow: 131_072, maxOutput: 16_384, thinking: ALWAYS } },
  { match: /^doubao-1[.-]5-vision/, caps: { vision: true, contextWindow: 131_072, maxOutput: 16_384 } },
  { match: /^doubao-.*256k/, caps: { ...t, contextWindow: 262_144, maxOutput: 12_288 } },
  { match: /^doubao-.*32k/, caps: { ...t, contextWindow: 32_768, maxOutput: 12_288 } },
  { match: /^doubao/, caps: { ...t, contextWindow: 131_072, maxOutput: 16_384 } },
  // MiniMax
  { match: /^minimax-m2/, caps: { ...t, reasoning: true, contextWindow: 204_800, maxOutput: 131_072, thinking: { ...ALWAYS, inlineTags: true } } },
  { match: /^minimax-m1/, caps: { ...t, reasoning: true, contextWindow: 1_000_000, maxOutput: 80_000, thinking: { ...ALWAYS, inlineTags: true } } },
  { match: /^minimax-text-01/, caps: { ...t, contextWindow: 1_000_192 } },
  { match: /^abab6\.5s/, caps: { ...t, contextWindow: 245_760 } },
  // Baidu ERNIE (Qianfan)
  { match: /^ernie-x1/, caps: { ...t, reasoning: true, contextWindow: 32_768, maxOutput: 28_160, thinking: ALWAYS } },
  { match: /^ernie-4\.5-turbo-vl/, caps: { ...tv, contextWindow: 32_768, maxOutput: 12_288 } },
  { match: /^ernie-4\.5-turbo-128k/, caps: { ...t, contextWindow: 131_072, maxOutput: 12_288 } },
  { match: /^ernie-4\.5/, caps: { ...t, contextWindow: 32_768, maxOutput: 12_288 } },
  { match: /^ernie-.*-128k/, caps: { ...t, contextWindow: 131_072, maxOutput: 4_096 } },
  { match: /^ernie-.*-8k/, caps: { ...t, contextWindow: 8_192, maxOutput: 2_048 } },
  // xAI Grok
  { match: /^grok-4(-1)?-fast-non-reasoning/, caps: { ...tv, contextWindow: 2_000_000 } },
  { match: /^grok-4(-1)?-fast/, caps: { ...tv, reasoning: true, contextWindow: 2_000_000, thinking: ALWAYS } },
  { match: /^grok-code-fast/, caps: { ...t, reasoning: true, contextWindow: 256_000, thinking: ALWAYS } },
  { match: /^grok-[4-9]/, caps: { ...tv, reasoning: true, contextWindow: 256_000, thinking: ALWAYS } },
  { match: /^grok-3-mini/, caps: { ...t, reasoning: true, contextWindow: 131_072, thinking: { defaultOn: true, canDisable: false, efforts: ['low', 'high'] } } },
  { match: /^grok-2-vision/, caps: { vision: true, contextWindow: 32_768 } },
  { match: /^grok/, caps: { ...t, contextWindow: 131_072 } },
];

function lookup(key: string, family: ProviderFamily): ModelCapabilities | undefined {
  for (const e of CAPABILITY_TABLE) {
    if (e.on && !e.on.includes(family)) continue;
    if (e.match.test(key)) return e.caps;
  }
  return undefined;
}

/** How a provider changes what the table says of a model it serves. */
function servedBy(caps: ModelCapabilities, family: ProviderFamily): ModelCapabilities {
  const th = caps.thinking;
  if (!th) return caps;
  // DashScope thinks only in streamed requests (its deep-thinking page: "only supports incremental output").
  if (family === 'dashscope') return { ...caps, thinking: { ...th, streamOnly: true } };
  // Ollama's `think: false` turns off the thinking of every model it runs as thinking, except gpt-oss.
  if (family === 'ollama' && !th.efforts) return { ...caps, thinking: { ...th, canDisable: true } };
  return caps;
}

function overrideFor(p: ProviderLike, model: string, extra?: Readonly<Record<string, CapabilityOverride>>): CapabilityOverride {
  const key = capabilityKey(model);
  const pick = (rec: Readonly<Record<string, CapabilityOverride>> | undefined): CapabilityOverride | undefined =>
    rec?.[model] ?? (rec ? Object.entries(rec).find(([k]) => capabilityKey(k) === key)?.[1] : undefined);
  const ctx = p.contextTokens?.[model];
  return { ...(ctx !== undefined ? { contextWindow: ctx } : {}), ...pick(p.capabilities), ...pick(extra) };
}

/**
 * What `model` can do when `provider` serves it: the table's entry (empty when the table does not know it), as
 * the provider serves it, with the user's overrides (the provider's `capabilities`, then `overrides`) on top.
 */
export function capabilitiesFor(provider: ProviderLike, model: string, overrides?: Readonly<Record<string, CapabilityOverride>>): ModelCapabilities {
  const family = providerFamily(provider);
  const found = lookup(capabilityKey(model), family);
  const out: ModelCapabilities = found ? servedBy(found, family) : {};
  const own = overrideFor(provider, model, overrides);
  const { thinking, ...rest } = own;
  const merged: ModelCapabilities = { ...out, ...rest };
  if (thinking === null || own.reasoning === false) {
    delete merged.thinking;
    merged.reasoning = false;
  } else if (thinking) {
    merged.thinking = thinking;
    merged.reasoning = true;
  }
  return merged;
}

/** Whether the table itself knows `model` (for the editor: "from the table" or "unknown model"). */
export function knownModel(provider: ProviderLike, model: string): boolean {
  return lookup(capabilityKey(model), providerFamily(provider)) !== undefined;
}
