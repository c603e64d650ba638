/**
 * Thinking as each provider expects it. A conversation asks for thinking off, on (with an effort or a budget) or
 * the model's default (ThinkingChoice); the model's capabilities (shared/models/capabilities.ts) say what it can
 * do; the provider's family says which request field carries it:
 *
 * - Anthropic: `thinking: {type: 'enabled', budget_tokens}` with `max_tokens` above the budget; temperature
 *   and a top_p below 0.95 are not allowed with thinking, so they are left out.
 * - Ollama: `think: true|false`, or `'low'|'medium'|'high'` for models that take levels (gpt-oss).
 * - OpenAI, Gemini's and xAI's OpenAI-compatible endpoints: `reasoning_effort` (o-series and gpt-5 also take
 *   `max_completion_tokens` in place of `max_tokens`, and only the default temperature).
 * - DashScope (Qwen), SiliconFlow, Qianfan: `enable_thinking` (+ `thinking_budget`). DashScope thinks only in
 *   streamed requests: a whole request asks it not to ("parameter.enable_thinking must be set to false for
 *   non-streaming calls").
 * - Zhipu GLM and Volcengine Ark: `thinking: {type: 'enabled'|'disabled'}`.
 * - DeepSeek: `thinking: {type}` and `reasoning_effort` (https://api-docs.deepseek.com/guides/thinking_mode);
 *   deepseek-reasoner always thinks.
 * - OpenRouter: `reasoning: {effort} | {max_tokens} | {enabled}`.
 * - Groq: `reasoning_effort` (levels for gpt-oss; `none` / `default` for Qwen3).
 * - Other OpenAI-compatible servers (vLLM, SGLang): `chat_template_kwargs: {enable_thinking}`, only when the user
 *   chose on or off.
 */
import type { ThinkingChoice } from '../../../shared/answer.ts';
import { capabilitiesFor, providerFamily, type Effort, type ModelCapabilities, type ProviderFamily } from '../../../shared/models/capabilities.ts';
import type { ProviderSettings } from '../../../shared/settings.ts';
import { isObj, type ChatRequest } from './types.ts';

/** max_tokens of a model the table does not know, where the protocol requires one (Anthropic). */
export const UNKNOWN_MAX_OUTPUT = 4096;
/**
 * The most output tokens (thinking included) a whole Anthropic request asks for by default: Anthropic's advice for
 * non-streaming requests (above it, its SDKs refuse and gateways answer 400 "must be under 21K"; e.g.
 * vercel/ai#20649, anthropics/anthropic-sdk-typescript#822).
 */
export const ANTHROPIC_WHOLE_MAX = 21_333;
/** Budgets for "on" without a budget, by effort (Anthropic's examples use 10,000). */
const BUDGET_BY_EFFORT = { low: 4_096, medium: 10_000, high: 32_000 } as const;

/** What a request says about thinking. */
export interface ThinkingPlan {
  /** on / off: said in the request; nothing: the model's own default. */
  send: 'on' | 'off' | 'nothing';
  effort?: Effort;
  budgetTokens?: number;
  /** Whether the model will think (as far as is known). */
  thinks: boolean;
}

/** The model's capabilities for this request: the app's (overrides applied), else the table's. */
export function requestCapabilities(p: Pick<ProviderSettings, 'baseUrl' | 'protocol' | 'model'>, req: Pick<ChatRequest, 'capabilities' | 'preset'>): ModelCapabilities {
  return req.capabilities ?? capabilitiesFor({ baseUrl: p.baseUrl, protocol: p.protocol, ...(req.preset ? { preset: req.preset } : {}) }, p.model);
}

export function familyOf(p: Pick<ProviderSettings, 'baseUrl' | 'protocol'>, req: Pick<ChatRequest, 'preset'>): ProviderFamily {
  return providerFamily({ baseUrl: p.baseUrl, protocol: p.protocol, ...(req.preset ? { preset: req.preset } : {}) });
}

/** The table knows nothing of the model (no entry, no override). */
function unknown(caps: ModelCapabilities): boolean {
  return Object.keys(caps).length === 0;
}

function nearestEffort(want: Effort | undefined, efforts: readonly Effort[]): Effort | undefined {
  const usable: Effort[] = efforts.filter((e) => e !== 'none' && e !== 'minimal');
  if (!usable.length) return undefined;
  if (want && usable.includes(want)) return want;
  const order: Effort[] = ['low', 'medium', 'high'];
  const i = Math.max(0, order.indexOf(want ?? 'medium'));
  // The nearest level at or above the one asked for (DeepSeek and xAI take low|high: medium becomes high).
  return order.slice(i).find((e) => usable.includes(e)) ?? usable.at(-1);
}

function effortForBudget(budget: number): Effort {
  return budget <= BUDGET_BY_EFFORT.low ? 'low' : budget <= BUDGET_BY_EFFORT.medium ? 'medium' : 'high';
}

/**
 * What to say about thinking, from the choice, what the model can do and whether the request streams. A whole
 * request to a model that thinks only when streamed asks it not to think (and is not expected to think).
 */
export function planThinking(caps: ModelCapabilities, choice: ThinkingChoice | undefined, stream: boolean): ThinkingPlan {
  const th = caps.thinking;
  const mode = choice?.mode ?? 'default';
  if (!th) {
    // A model the table does not know: the user's explicit choice is sent as the provider expects.
    if (!unknown(caps) || mode === 'default') return { send: 'nothing', thinks: false };
    if (mode === 'off') return { send: 'off', thinks: false };
    const on = choice as Extract<ThinkingChoice, { mode: 'on' }>;
    return { send: 'on', thinks: true, ...(on.effort ? { effort: on.effort } : {}), ...(on.budgetTokens ? { budgetTokens: on.budgetTokens } : {}) };
  }
  const off = (): ThinkingPlan => {
    // Where off is an effort (gpt-5.1 `none`, gpt-5 `minimal`: its least), that effort is sent.
    if (th.offEffort) return { send: 'off', effort: th.offEffort, thinks: th.offEffort !== 'none' };
    if (th.canDisable) return { send: 'off', thinks: false };
    return { send: 'nothing', thinks: true };
  };
  if (!stream && th.streamOnly) return off();
  if (mode === 'off') return off();
  if (mode === 'default') return { send: 'nothing', thinks: th.defaultOn };
  const on = choice as Extract<ThinkingChoice, { mode: 'on' }>;
  const plan: ThinkingPlan = { send: 'on', thinks: true };
  if (th.efforts?.length) {
    const e = nearestEffort(on.effort ?? (on.budgetTokens ? effortForBudget(on.budgetTokens) : undefined), th.efforts);
    if (e) plan.effort = e;
  } else if (on.effort) {
    plan.effort = on.effort;
  }
  if (th.budget) {
    const want = on.budgetTokens ?? BUDGET_BY_EFFORT[on.effort ?? 'medium'];
    plan.budgetTokens = Math.max(th.budget.min, Math.min(th.budget.max ?? want, want));
  } else if (on.budgetTokens) {
    plan.budgetTokens = on.budgetTokens;
  }
  return plan;
}

/**
 * Whether a whole (non-streamed) request of `req` drops the thinking its stream would have had: the fallback's
 * answer then has no reasoning, and the window says so.
 */
export function wholeDropsThinking(p: ProviderSettings, req: ChatRequest): boolean {
  const caps = requestCapabilities(p, req);
  return planThinking(caps, req.thinking, true).thinks && !planThinking(caps, req.thinking, false).thinks;
}

/**
 * A provider's refusal of thinking in a whole request, in its own words: DashScope's "parameter.enable_thinking
 * must be set to false for non-streaming calls" (also through relays and other hosts), ModelScope's "enable
 * thinking can not be support when `stream=False`".
 */
export function refusesWholeThinking(status: number | undefined, words: string | undefined): boolean {
  if (status !== 400 || !words) return false;
  return /enable_thinking must be (set to )?false|enable[ _]thinking[^.]*(non-stream|stream\s*=\s*false)|必须设置为\s*false\s*才能进行非流式/i.test(words);
}

/** Requests that must say `enable_thinking: false` (a whole request the provider refused for thinking). */
const INSIST_OFF = new WeakSet<ChatRequest>();

/** The request again with thinking off and, whatever the provider's family, `enable_thinking: false` said outright. */
export function insistThinkingOff(req: ChatRequest): ChatRequest {
  const out: ChatRequest = { ...req, thinking: { mode: 'off' } };
  INSIST_OFF.add(out);
  return out;
}

/** The model's longest answer (the table's), for protocols that require max_tokens. */
export function maxOutputOf(caps: ModelCapabilities): number {
  return caps.maxOutput ?? UNKNOWN_MAX_OUTPUT;
}

/** The fields a request body carries for thinking, in place (`body` is the adapter's, before thinking). */
export function applyThinking(body: Record<string, unknown>, p: ProviderSettings, req: ChatRequest, stream: boolean): Record<string, unknown> {
  const caps = requestCapabilities(p, req);
  const plan = planThinking(caps, req.thinking, stream);
  if (p.protocol === 'anthropic') return anthropicThinking(body, caps, plan, req, stream);
  if (p.protocol === 'ollama') return ollamaThinking(body, caps, plan);
  const out = openaiThinking(body, caps, plan, familyOf(p, req), stream);
  if (INSIST_OFF.has(req)) {
    out.enable_thinking = false;
    delete out.thinking_budget;
  }
  return out;
}

function anthropicThinking(body: Record<string, unknown>, caps: ModelCapabilities, plan: ThinkingPlan, req: ChatRequest, stream: boolean): Record<string, unknown> {
  // A whole request asks at most ANTHROPIC_WHOLE_MAX unless the user set more (gateways refuse more without a stream).
  const most = stream ? maxOutputOf(caps) : Math.min(maxOutputOf(caps), ANTHROPIC_WHOLE_MAX);
  // Continue ends with the kept answer as a prefill, which Anthropic refuses with thinking on: it goes on without.
  const prefill = req.messages.at(-1)?.role === 'assistant';
  if (plan.send !== 'on' || prefill) {
    body.max_tokens = req.maxTokens ?? most;
    if (plan.send === 'off' && caps.thinking?.defaultOn) body.thinking = { type: 'disabled' };
    return body;
  }
  const min = caps.thinking?.budget?.min ?? 1024;
  let budget = Math.max(min, plan.budgetTokens ?? BUDGET_BY_EFFORT[(plan.effort === 'low' || plan.effort === 'high') ? plan.effort : 'medium']);
  // max_tokens counts the thinking: the budget, then room for the answer (the user's max tokens, else all that is left).
  let maxTokens = Math.min(most, budget + (req.maxTokens ?? most));
  if (budget >= maxTokens) budget = Math.max(min, maxTokens - Math.min(1024, Math.floor(maxTokens / 4)));
  if (budget >= maxTokens) maxTokens = budget + 1;
  body.max_tokens = maxTokens;
  body.thinking = { type: 'enabled', budget_tokens: budget };
  // With thinking, Anthropic takes neither a temperature nor a top_p below 0.95.
  delete body.temperature;
  if (typeof body.top_p === 'number' && body.top_p < 0.95) delete body.top_p;
  return body;
}

function ollamaThinking(body: Record<string, unknown>, caps: ModelCapabilities, plan: ThinkingPlan): Record<string, unknown> {
  // `think` to a model Ollama does not run as thinking is an error there: "off" (a title, the doctor) is said only
  // to a model known to think; "on" is sent when the user chose it.
  if (plan.send === 'nothing' || (plan.send === 'off' && !caps.thinking)) return body;
  const levels = caps.thinking?.efforts;
  if (levels?.length) {
    // gpt-oss takes a level and cannot stop thinking: "off" is its lowest level.
    const level = plan.send === 'on' ? (nearestEffort(plan.effort, levels) ?? 'medium') : levels.find((l) => l !== 'none' && l !== 'minimal');
    if (level) body.think = level;
    return body;
  }
  body.think = plan.send === 'on';
  return body;
}

function openaiThinking(body: Record<string, unknown>, caps: ModelCapabilities, plan: ThinkingPlan, family: ProviderFamily, stream: boolean): Record<string, unknown> {
  const th = caps.thinking;
  // OpenAI's reasoning models take max_completion_tokens and only the default temperature and top_p.
  if (family === 'openai' && th) {
    if (body.max_tokens !== undefined) {
      body.max_completion_tokens = body.max_tokens;
      delete body.max_tokens;
    }
    if (plan.thinks) {
      delete body.temperature;
      delete body.top_p;
    }
  }
  const on = plan.send === 'on';
  switch (family) {
    case 'dashscope':
    case 'siliconflow':
    case 'qianfan':
      if (plan.send === 'nothing') {
        // A whole request to DashScope says "not thinking" outright (it refuses one that does not), unless the
        // model cannot stop.
        if (family === 'dashscope' && !stream && (!th || th.canDisable)) body.enable_thinking = false;
        return body;
      }
      body.enable_thinking = on;
      if (on && plan.budgetTokens) body.thinking_budget = plan.budgetTokens;
      return body;
    case 'zhipu':
    case 'ark':
      if (plan.send !== 'nothing') body.thinking = { type: on ? 'enabled' : 'disabled' };
      return body;
    case 'deepseek':
      if (plan.send === 'nothing') return body;
      if (!th || th.canDisable) body.thinking = { type: on ? 'enabled' : 'disabled' };
      if (on && plan.effort && th?.efforts?.length) body.reasoning_effort = plan.effort;
      return body;
    case 'openrouter':
      if (plan.send === 'nothing') return body;
      if (!on) body.reasoning = plan.effort === 'minimal' ? { effort: 'minimal' } : { enabled: false };
      else if (plan.budgetTokens && (!th || th.budget)) body.reasoning = { max_tokens: plan.budgetTokens };
      else if (plan.effort) body.reasoning = { effort: plan.effort };
      else body.reasoning = { enabled: true };
      return body;
    case 'groq':
      // Groq (https://console.groq.com/docs/reasoning): levels for gpt-oss; Qwen3 takes `none` (off) or `default` (on).
      if (plan.send === 'nothing' || !th) return body;
      if (th.efforts?.length) {
        if (plan.effort) body.reasoning_effort = plan.effort;
      } else if (th.canDisable) {
        body.reasoning_effort = on ? 'default' : 'none';
      }
      return body;
    case 'other':
      // An unknown field may be refused by a gateway (LiteLLM, a relay to OpenAI): "off" to a model not known to
      // think (a title, the doctor) says nothing; "on" is sent when the user chose it.
      if (plan.send === 'nothing' || (plan.send === 'off' && !th)) return body;
      if (th?.efforts?.length || (!th && plan.effort)) {
        if (plan.effort) body.reasoning_effort = plan.effort;
      } else {
        // vLLM and SGLang switch Qwen3-style models by their chat template.
        body.chat_template_kwargs = { ...(isObj(body.chat_template_kwargs) ? body.chat_template_kwargs : {}), enable_thinking: on };
      }
      return body;
    default:
      // OpenAI, Gemini, xAI, Groq and the rest: reasoning_effort where the model takes levels.
      if (plan.send !== 'nothing' && plan.effort && (th?.efforts?.length || !th)) body.reasoning_effort = plan.effort;
      return body;
  }
}
