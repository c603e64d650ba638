/**
 * What a request says besides its messages: the conversation's own parameters (temperature, top_p, max tokens,
 * thinking), else its provider's defaults, else nothing (the model's own); the model's capabilities with the
 * user's corrections; the provider's preset (which request fields carry thinking: core/protocols/thinking.ts).
 */
import type { ChatRequest } from '../../core/protocols/types.ts';
import type { ThinkingChoice } from '../../../shared/answer.ts';
import type { ConversationParams } from '../../../shared/chat.ts';
import { capabilitiesFor, type ModelCapabilities } from '../../../shared/models/capabilities.ts';
import type { ProviderEntry } from '../../../shared/settings.ts';
import { planThinking } from '../../core/protocols/thinking.ts';

export type RequestOptions = Omit<ChatRequest, 'messages'>;

/** The model's capabilities as this provider serves it, with the user's corrections (Settings → Providers). */
export function modelCapabilities(provider: Pick<ProviderEntry, 'preset' | 'baseUrl' | 'protocol' | 'capabilities' | 'contextTokens'>, model: string): ModelCapabilities {
  return capabilitiesFor(provider, model);
}

/** The parameters in force: each of the conversation's own, else the provider's default ({mode: 'default'} thinking defers too). */
export function effectiveParams(own: ConversationParams | undefined, provider: ConversationParams | undefined): ConversationParams {
  const o = own ?? {};
  const p = provider ?? {};
  const thinking: ThinkingChoice | undefined = o.thinking && o.thinking.mode !== 'default' ? o.thinking : p.thinking;
  const out: ConversationParams = {};
  const temperature = o.temperature ?? p.temperature;
  const topP = o.topP ?? p.topP;
  const maxTokens = o.maxTokens ?? p.maxTokens;
  if (temperature !== undefined) out.temperature = temperature;
  if (topP !== undefined) out.topP = topP;
  if (maxTokens !== undefined) out.maxTokens = maxTokens;
  if (thinking && thinking.mode !== 'default') out.thinking = thinking;
  return out;
}

/** A chat request's options for a conversation answered by `provider`'s `model`. */
export function requestOptions(conv: { params?: ConversationParams }, provider: ProviderEntry, model: string): RequestOptions {
  const params = effectiveParams(conv.params, provider.params);
  return { ...params, capabilities: modelCapabilities(provider, model), preset: provider.preset };
}

/** Tokens a title may take: a few words, or room for the thinking of a model that cannot stop (deepseek-reasoner). */
export const TITLE_TOKENS = 100;
export const TITLE_TOKENS_THINKING = 4096;

/**
 * A title request's options: thinking off where the model allows it, and enough tokens for a model that thinks
 * anyway (deepseek-reasoner's 32 tokens all went to thinking: an empty title).
 */
export function titleOptions(base: RequestOptions): RequestOptions {
  const thinking: ThinkingChoice = { mode: 'off' };
  const thinks = base.capabilities ? planThinking(base.capabilities, thinking, false).thinks : false;
  return { thinking, maxTokens: thinks ? TITLE_TOKENS_THINKING : TITLE_TOKENS, ...(base.capabilities ? { capabilities: base.capabilities } : {}), ...(base.preset ? { preset: base.preset } : {}) };
}
