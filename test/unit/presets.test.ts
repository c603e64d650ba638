/**
 * The presets for the providers Parley's users have (issue 18): SiliconFlow, Volcengine Ark (Doubao), MiniMax,
 * Baidu Qianfan, Gemini's OpenAI-compatible endpoint and xAI. Each is found again from its base URL, asks the
 * URL its provider documents, is the family that carries thinking its way, has a name in both languages and a
 * key variable bound to its own origin.
 */
import { describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../src/main/core/protocols/index.ts';
import { keyVarOrigins } from '../../src/main/services/settings/secure-input.ts';
import { PRESETS, presetForUrl, type PresetId } from '../../src/shared/constants.ts';
import { capabilitiesFor, providerFamily } from '../../src/shared/models/capabilities.ts';
import { en } from '../../src/renderer/src/locales/en.ts';
import { zh } from '../../src/renderer/src/locales/zh.ts';

const NEW: { id: PresetId; chat: string; family: string; keyVar: string; also?: string }[] = [
  { id: 'siliconflow', chat: 'https://api.siliconflow.cn/v1/chat/completions', family: 'siliconflow', keyVar: 'SILICONFLOW_API_KEY', also: 'https://api.siliconflow.com' },
  { id: 'ark', chat: 'https://ark.cn-beijing.volces.com/api/v3/chat/completions', family: 'ark', keyVar: 'ARK_API_KEY' },
  { id: 'minimax', chat: 'https://api.minimaxi.com/v1/chat/completions', family: 'minimax', keyVar: 'MINIMAX_API_KEY', also: 'https://api.minimax.io' },
  { id: 'qianfan', chat: 'https://qianfan.baidubce.com/v2/chat/completions', family: 'qianfan', keyVar: 'QIANFAN_API_KEY' },
  { id: 'gemini', chat: 'https://generativelanguage.googleapis.com/v1beta/openai/chat/completions', family: 'gemini', keyVar: 'GEMINI_API_KEY' },
  { id: 'xai', chat: 'https://api.x.ai/v1/chat/completions', family: 'xai', keyVar: 'XAI_API_KEY' },
];

describe('presets for SiliconFlow, Ark, MiniMax, Qianfan, Gemini and xAI', () => {
  for (const want of NEW) {
    it(want.id, () => {
      const p = PRESETS.find((x) => x.id === want.id);
      expect(p).toBeDefined();
      if (!p) return;
      expect(p.protocol).toBe('openai');
      expect(ADAPTERS.openai.chatUrl(p.baseUrl)).toBe(want.chat);
      expect(presetForUrl(p.baseUrl, 'openai')).toBe(want.id);
      expect(providerFamily({ preset: p.id, baseUrl: p.baseUrl })).toBe(want.family);
      // Its starting model is one the capability table knows.
      expect(Object.keys(capabilitiesFor(p, p.model ?? '')).length).toBeGreaterThan(0);
      expect(p.keyVar).toBe(want.keyVar);
      const origins = keyVarOrigins(want.keyVar, {});
      // Origins with their port, as the origin check compares them.
      expect(origins).toContain(`${new URL(p.baseUrl).origin}:443`);
      if (want.also) expect(origins).toContain(`${want.also}:443`);
      // A name in both languages (brands are shown as they are).
      const enName = (en.providers.presets as Record<string, string>)[p.id] ?? p.name;
      const zhName = (zh.providers.presets as Record<string, string>)[p.id] ?? p.name;
      expect(enName).toBeTruthy();
      expect(zhName).toBeTruthy();
    });
  }

  it('Chinese names for the services known by a Chinese name', () => {
    expect(zh.providers.presets).toMatchObject({ siliconflow: expect.stringContaining('硅基流动'), ark: expect.stringContaining('火山方舟'), qianfan: '百度千帆' });
  });
});
