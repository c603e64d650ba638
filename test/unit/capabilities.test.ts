import { describe, expect, it } from 'vitest';
import { capabilitiesFor, capabilityKey, knownModel, providerFamily } from '../../src/shared/models/capabilities.ts';

const openai = { preset: 'openai', baseUrl: 'https://api.openai.com/v1', protocol: 'openai' as const };
const anthropic = { preset: 'anthropic', baseUrl: 'https://api.anthropic.com', protocol: 'anthropic' as const };
const dashscope = { preset: 'qwen', baseUrl: 'https://dashscope.aliyuncs.com/compatible-mode/v1' };
const deepseek = { baseUrl: 'https://api.deepseek.com/v1' };
const ollama = { protocol: 'ollama' as const, baseUrl: 'http://127.0.0.1:11434' };
const openrouter = { baseUrl: 'https://openrouter.ai/api/v1' };
const custom = { preset: 'custom', baseUrl: 'http://127.0.0.1:8000/v1' };

describe('model capabilities table', () => {
  it('knows the families by their real names, dated or prefixed', () => {
    expect(capabilityKey('Qwen/Qwen3-8B')).toBe('qwen3-8b');
    expect(capabilityKey('deepseek-r1:7b')).toBe('deepseek-r1');
    expect(capabilitiesFor(openai, 'gpt-4o-2024-08-06')).toMatchObject({ contextWindow: 128_000, maxOutput: 16_384, vision: true });
    expect(capabilitiesFor(openai, 'gpt-4o-2024-08-06').thinking).toBeUndefined();
    expect(capabilitiesFor(openai, 'gpt-4.1-mini').contextWindow).toBe(1_047_576);
    expect(capabilitiesFor(openai, 'o3-mini').thinking).toMatchObject({ canDisable: false, efforts: ['low', 'medium', 'high'] });
    expect(capabilitiesFor(openai, 'gpt-5-mini').thinking?.offEffort).toBe('minimal');
    expect(capabilitiesFor(openai, 'gpt-5-chat-latest').thinking).toBeUndefined();
    expect(capabilitiesFor(anthropic, 'claude-sonnet-4-20250514')).toMatchObject({ maxOutput: 64_000, thinking: { budget: { min: 1024 }, defaultOn: false } });
    expect(capabilitiesFor(anthropic, 'claude-opus-4-1-20250805').maxOutput).toBe(32_000);
    expect(capabilitiesFor(anthropic, 'claude-3-5-haiku-latest')).toMatchObject({ maxOutput: 8_192 });
    expect(capabilitiesFor(anthropic, 'claude-3-5-haiku-latest').thinking).toBeUndefined();
    expect(capabilitiesFor(openrouter, 'anthropic/claude-3.7-sonnet:thinking').thinking?.budget?.min).toBe(1024);
    expect(capabilitiesFor(custom, 'glm-4.6').thinking).toMatchObject({ defaultOn: true, canDisable: true });
    expect(capabilitiesFor(custom, 'glm-z1-air').thinking?.canDisable).toBe(false);
    expect(capabilitiesFor(custom, 'kimi-k2-0905-preview').contextWindow).toBe(262_144);
    expect(capabilitiesFor(custom, 'gemini-2.5-pro').thinking?.canDisable).toBe(false);
    expect(capabilitiesFor(custom, 'gemini-2.5-flash').thinking?.offEffort).toBe('none');
    expect(capabilitiesFor(custom, 'magistral-medium-latest').thinking?.canDisable).toBe(false);
    expect(capabilitiesFor(custom, 'doubao-seed-1-6-250615').thinking).toMatchObject({ defaultOn: true, canDisable: true });
    expect(capabilitiesFor(custom, 'MiniMax-M2').thinking?.inlineTags).toBe(true);
    expect(capabilitiesFor(custom, 'ernie-x1-turbo-32k').reasoning).toBe(true);
    expect(capabilitiesFor(custom, 'grok-3-mini').thinking?.efforts).toEqual(['low', 'high']);
    expect(capabilitiesFor(custom, 'grok-4-fast-non-reasoning').thinking).toBeUndefined();
    expect(capabilitiesFor(custom, 'llama3.1:8b').contextWindow).toBe(131_072);
    expect(capabilitiesFor(custom, 'mixtral-8x7b-32768').contextWindow).toBe(32_768);
    expect(capabilitiesFor(custom, 'open-mixtral-8x22b').contextWindow).toBe(65_536);
    expect(capabilitiesFor(openrouter, 'deepseek/deepseek-chat-v3.1').thinking).toMatchObject({ defaultOn: false, canDisable: true });
    expect(capabilitiesFor(openrouter, 'deepseek/deepseek-chat').thinking).toBeUndefined();
    expect(knownModel(custom, 'my-own-finetune')).toBe(false);
    expect(capabilitiesFor(custom, 'my-own-finetune')).toEqual({});
  });

  it('says which models always think and which can be switched', () => {
    expect(capabilitiesFor(deepseek, 'deepseek-reasoner').thinking).toMatchObject({ canDisable: false, resendWithTools: true });
    // deepseek-chat is switched into thinking by DeepSeek's own API only
    expect(capabilitiesFor(deepseek, 'deepseek-chat').thinking).toMatchObject({ defaultOn: false, canDisable: true });
    expect(capabilitiesFor(custom, 'deepseek-chat').thinking).toBeUndefined();
    expect(capabilitiesFor(custom, 'qwq-32b').thinking?.canDisable).toBe(false);
    expect(capabilitiesFor(custom, 'qwen3-235b-a22b-thinking-2507').thinking?.canDisable).toBe(false);
    expect(capabilitiesFor(custom, 'qwen3-235b-a22b-instruct-2507').thinking).toBeUndefined();
    expect(capabilitiesFor(custom, 'qwen-plus').thinking).toMatchObject({ defaultOn: false, canDisable: true });
    expect(capabilitiesFor(custom, 'Qwen/Qwen3-32B').thinking).toMatchObject({ defaultOn: true, canDisable: true });
  });

  it('knows how a provider serves a model: DashScope thinks only when streamed, Ollama can switch R1 off', () => {
    expect(capabilitiesFor(dashscope, 'qwen3-32b').thinking?.streamOnly).toBe(true);
    expect(capabilitiesFor(dashscope, 'qwen-plus').thinking?.streamOnly).toBe(true);
    expect(capabilitiesFor(custom, 'qwen3-32b').thinking?.streamOnly).toBeUndefined();
    expect(capabilitiesFor(dashscope, 'qwen-max').thinking).toBeUndefined();
    expect(capabilitiesFor(ollama, 'deepseek-r1:14b').thinking?.canDisable).toBe(true);
    expect(capabilitiesFor(custom, 'deepseek-r1').thinking?.canDisable).toBe(false);
    expect(capabilitiesFor(ollama, 'gpt-oss:20b').thinking).toMatchObject({ canDisable: false, efforts: ['low', 'medium', 'high'] });
  });

  it('takes the user\'s overrides per provider and model over the table', () => {
    const p = { ...custom, capabilities: { 'my-model': { contextWindow: 32_000, thinking: { defaultOn: true, canDisable: false } } }, contextTokens: { 'gpt-4o': 64_000 } };
    expect(capabilitiesFor(p, 'my-model')).toEqual({ contextWindow: 32_000, reasoning: true, thinking: { defaultOn: true, canDisable: false } });
    expect(capabilitiesFor(p, 'gpt-4o').contextWindow).toBe(64_000);
    const off = capabilitiesFor({ ...openai, capabilities: { 'o3': { thinking: null, maxOutput: 1000 } } }, 'o3');
    expect(off).toMatchObject({ reasoning: false, maxOutput: 1000 });
    expect(off.thinking).toBeUndefined();
    expect(capabilitiesFor(openai, 'o3', { o3: { vision: false } }).vision).toBe(false);
  });

  it('names the provider family by host first, then preset, then protocol', () => {
    expect(providerFamily({ preset: 'custom', baseUrl: 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1' })).toBe('dashscope');
    expect(providerFamily({ preset: 'qwen', baseUrl: 'http://127.0.0.1:9/v1' })).toBe('dashscope');
    expect(providerFamily({ baseUrl: 'https://ark.cn-beijing.volces.com/api/v3' })).toBe('ark');
    expect(providerFamily({ baseUrl: 'https://api.siliconflow.cn/v1' })).toBe('siliconflow');
    expect(providerFamily({ baseUrl: 'https://generativelanguage.googleapis.com/v1beta/openai' })).toBe('gemini');
    expect(providerFamily({ protocol: 'ollama', baseUrl: 'http://127.0.0.1:11434' })).toBe('ollama');
    expect(providerFamily({ baseUrl: 'http://127.0.0.1:8000/v1' })).toBe('other');
  });
});
