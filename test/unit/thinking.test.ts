import { describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../src/main/core/protocols/index.ts';
import { refusesWholeThinking, wholeDropsThinking } from '../../src/main/core/protocols/thinking.ts';
import type { ChatRequest } from '../../src/main/core/protocols/types.ts';
import type { ProviderSettings } from '../../src/shared/settings.ts';

const msgs: ChatRequest['messages'] = [{ role: 'user', content: 'hi' }];
const provider = (protocol: ProviderSettings['protocol'], baseUrl: string, model: string): ProviderSettings => ({ protocol, baseUrl, model, anthropicVersion: '2023-06-01' });
const body = (p: ProviderSettings, req: Partial<ChatRequest> = {}, stream = true): Record<string, unknown> =>
  ADAPTERS[p.protocol].body(p, { messages: msgs, ...req }, stream) as Record<string, unknown>;

const claude = provider('anthropic', 'https://api.anthropic.com', 'claude-sonnet-4-20250514');
const qwen = (model: string): ProviderSettings => provider('openai', 'https://dashscope.aliyuncs.com/compatible-mode/v1', model);

describe('thinking as each provider expects it', () => {
  it('Anthropic: max_tokens is the model\'s longest answer, not 4096; thinking on has a budget below max_tokens and no temperature', () => {
    expect(body(claude)).toMatchObject({ max_tokens: 64_000 });
    // A whole request (the fallback, a title) asks no more than Anthropic advises without a stream, unless told to.
    expect(body(claude, {}, false).max_tokens).toBe(21_333);
    expect(body(claude, { maxTokens: 30_000 }, false).max_tokens).toBe(30_000);
    expect(body(claude).thinking).toBeUndefined();
    expect(body(provider('anthropic', 'https://api.anthropic.com', 'claude-3-5-haiku-latest')).max_tokens).toBe(8_192);
    expect(body(provider('anthropic', 'http://127.0.0.1:9', 'some-proxy-model')).max_tokens).toBe(4096);
    const on = body(claude, { thinking: { mode: 'on', budgetTokens: 16_000 }, temperature: 0.3, maxTokens: 2000 });
    expect(on.thinking).toEqual({ type: 'enabled', budget_tokens: 16_000 });
    expect(on.max_tokens).toBe(18_000);
    expect(on.temperature).toBeUndefined();
    // A budget beyond the model's longest answer is cut to fit below it.
    const big = body(provider('anthropic', 'https://api.anthropic.com', 'claude-opus-4-1'), { thinking: { mode: 'on', budgetTokens: 40_000 } });
    const t = big.thinking as { budget_tokens: number };
    expect(big.max_tokens).toBe(32_000);
    expect(t.budget_tokens).toBeLessThan(32_000);
    expect(t.budget_tokens).toBeGreaterThanOrEqual(1024);
    // Continue's prefill (a trailing assistant message) is refused with thinking on: it goes on without.
    const prefill = body(claude, { messages: [...msgs, { role: 'assistant', content: 'So far' }], thinking: { mode: 'on', budgetTokens: 2000 }, temperature: 0.3 });
    expect(prefill.thinking).toBeUndefined();
    expect(prefill.temperature).toBe(0.3);
    // A budget under Anthropic's minimum is raised to it.
    expect(body(claude, { thinking: { mode: 'on', budgetTokens: 100 } }).thinking).toEqual({ type: 'enabled', budget_tokens: 1024 });
  });

  it('Ollama: think true/false, and a level for gpt-oss', () => {
    const o = (model: string): ProviderSettings => provider('ollama', 'http://127.0.0.1:11434', model);
    expect(body(o('qwen3:8b'), { thinking: { mode: 'off' } }).think).toBe(false);
    expect(body(o('deepseek-r1:7b'), { thinking: { mode: 'on' } }).think).toBe(true);
    expect(body(o('qwen3:8b')).think).toBeUndefined();
    expect(body(o('gpt-oss:20b'), { thinking: { mode: 'on', effort: 'high' } }).think).toBe('high');
    expect(body(o('llama3.1:8b'), { thinking: { mode: 'on' } }).think).toBeUndefined();
    // A model not known to think is not told "off" (a title, the doctor): Ollama refuses `think` for such models.
    expect(body(o('my-finetune:7b'), { thinking: { mode: 'off' } }).think).toBeUndefined();
    expect(body(o('my-finetune:7b'), { thinking: { mode: 'on' } }).think).toBe(true);
    expect(body(o('qwen3:8b'), { topP: 0.8, temperature: 0.5 }).options).toEqual({ top_p: 0.8, temperature: 0.5 });
  });

  it('OpenAI: reasoning_effort, max_completion_tokens and no temperature for reasoning models', () => {
    const o3 = body(provider('openai', 'https://api.openai.com/v1', 'o3-mini'), { thinking: { mode: 'on', effort: 'low' }, maxTokens: 500, temperature: 0.2 });
    expect(o3).toMatchObject({ reasoning_effort: 'low', max_completion_tokens: 500 });
    expect(o3.max_tokens).toBeUndefined();
    expect(o3.temperature).toBeUndefined();
    expect(body(provider('openai', 'https://api.openai.com/v1', 'gpt-5'), { thinking: { mode: 'off' } }).reasoning_effort).toBe('minimal');
    expect(body(provider('openai', 'https://api.openai.com/v1', 'gpt-5.1'), { thinking: { mode: 'off' } }).reasoning_effort).toBe('none');
    const plain = body(provider('openai', 'https://api.openai.com/v1', 'gpt-4o'), { thinking: { mode: 'on' }, maxTokens: 100, temperature: 0.2, topP: 0.9 });
    expect(plain).toMatchObject({ max_tokens: 100, temperature: 0.2, top_p: 0.9 });
    expect(plain.reasoning_effort).toBeUndefined();
  });

  it('DashScope: enable_thinking and thinking_budget; a whole request says enable_thinking false', () => {
    expect(body(qwen('qwen-plus'), { thinking: { mode: 'on', budgetTokens: 2000 } })).toMatchObject({ enable_thinking: true, thinking_budget: 2000 });
    expect(body(qwen('qwen3-32b'), { thinking: { mode: 'off' } }).enable_thinking).toBe(false);
    expect(body(qwen('qwen3-32b')).enable_thinking).toBeUndefined();
    expect(body(qwen('qwen3-32b'), {}, false).enable_thinking).toBe(false);
    expect(body(qwen('qwen-plus'), { thinking: { mode: 'on' } }, false).enable_thinking).toBe(false);
    // QwQ cannot stop thinking: nothing is said that it would refuse.
    expect(body(qwen('qwq-plus'), {}, false).enable_thinking).toBeUndefined();
    expect(wholeDropsThinking(qwen('qwen3-32b'), { messages: msgs })).toBe(true);
    expect(wholeDropsThinking(qwen('qwen-plus'), { messages: msgs })).toBe(false);
    expect(wholeDropsThinking(qwen('qwen-plus'), { messages: msgs, thinking: { mode: 'on' } })).toBe(true);
    expect(wholeDropsThinking(claude, { messages: msgs, thinking: { mode: 'on' } })).toBe(false);
  });

  it('GLM, Ark, DeepSeek, OpenRouter, SiliconFlow and vLLM', () => {
    expect(body(provider('openai', 'https://open.bigmodel.cn/api/paas/v4', 'glm-4.6'), { thinking: { mode: 'off' } }).thinking).toEqual({ type: 'disabled' });
    expect(body(provider('openai', 'https://ark.cn-beijing.volces.com/api/v3', 'doubao-seed-1-6-250615'), { thinking: { mode: 'on' } }).thinking).toEqual({ type: 'enabled' });
    const ds = provider('openai', 'https://api.deepseek.com/v1', 'deepseek-chat');
    expect(body(ds, { thinking: { mode: 'on' } }).thinking).toEqual({ type: 'enabled' });
    expect(body(ds).thinking).toBeUndefined();
    // deepseek-reasoner always thinks: asking it not to says nothing it would refuse.
    expect(body(provider('openai', 'https://api.deepseek.com/v1', 'deepseek-reasoner'), { thinking: { mode: 'off' } }).thinking).toBeUndefined();
    const or = (model: string): ProviderSettings => provider('openai', 'https://openrouter.ai/api/v1', model);
    expect(body(or('anthropic/claude-sonnet-4'), { thinking: { mode: 'on', budgetTokens: 3000 } }).reasoning).toEqual({ max_tokens: 3000 });
    expect(body(or('openai/o4-mini'), { thinking: { mode: 'on', effort: 'high' } }).reasoning).toEqual({ effort: 'high' });
    expect(body(or('z-ai/glm-4.6'), { thinking: { mode: 'off' } }).reasoning).toEqual({ enabled: false });
    expect(body(provider('openai', 'https://api.siliconflow.cn/v1', 'Qwen/Qwen3-8B'), { thinking: { mode: 'off' } }).enable_thinking).toBe(false);
    const groq = (model: string): ProviderSettings => provider('openai', 'https://api.groq.com/openai/v1', model);
    expect(body(groq('qwen/qwen3-32b'), { thinking: { mode: 'off' } }).reasoning_effort).toBe('none');
    expect(body(groq('qwen/qwen3-32b'), { thinking: { mode: 'on' } }).reasoning_effort).toBe('default');
    expect(body(groq('openai/gpt-oss-120b'), { thinking: { mode: 'on', effort: 'low' } }).reasoning_effort).toBe('low');
    expect(body(groq('llama-3.3-70b-versatile'), { thinking: { mode: 'off' } }).reasoning_effort).toBeUndefined();
    expect(body(provider('openai', 'http://127.0.0.1:8000/v1', 'Qwen/Qwen3-8B'), { thinking: { mode: 'off' } }).chat_template_kwargs).toEqual({ enable_thinking: false });
    expect(body(provider('openai', 'http://127.0.0.1:8000/v1', 'Qwen/Qwen3-8B')).chat_template_kwargs).toBeUndefined();
    // Behind an unknown gateway, "off" to a model not known to think adds no field a gateway might refuse.
    expect(Object.keys(body(provider('openai', 'http://127.0.0.1:4000/v1', 'my-model'), { thinking: { mode: 'off' } }))).toEqual(['model', 'messages', 'stream', 'stream_options']);
  });

  it('knows a provider\'s refusal of thinking in a whole request by its words', () => {
    // DashScope (compatible mode, as users quote it: infiniflow/ragflow#8972), its Chinese wording
    // (alibaba/spring-ai-alibaba#867), and ModelScope (musistudio/claude-code-router#948).
    expect(refusesWholeThinking(400, 'parameter.enable_thinking must be set to false for non-streaming calls')).toBe(true);
    expect(refusesWholeThinking(400, 'parameter.enable_thinking必须设置为false才能进行非流式调用')).toBe(true);
    expect(refusesWholeThinking(400, 'enable thinking can not be support when `stream=False`.')).toBe(true);
    expect(refusesWholeThinking(500, 'parameter.enable_thinking must be set to false for non-streaming calls')).toBe(false);
    expect(refusesWholeThinking(400, 'The value of the enable_thinking parameter is restricted to True.')).toBe(false);
    expect(refusesWholeThinking(400, 'Unrecognized request argument supplied: stream_options')).toBe(false);
  });

  it('takes the app\'s resolved capabilities over the table', () => {
    const p = provider('openai', 'https://dashscope.aliyuncs.com/compatible-mode/v1', 'my-qwen');
    expect(body(p, {}, false).enable_thinking).toBe(false);
    expect(body(p, { capabilities: { thinking: { defaultOn: true, canDisable: false, streamOnly: true } } }, false).enable_thinking).toBeUndefined();
  });
});
