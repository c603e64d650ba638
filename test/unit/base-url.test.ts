/** The one base-URL check (settings panel, doctor, command line): each problem and the exact URL to use. */
import { describe, expect, it } from 'vitest';
import { checkBaseUrl } from '../../src/shared/base-url.ts';

describe('checkBaseUrl', () => {
  it.each([
    ['https://api.openai.com/v1/chat/completions', 'openai', 'endpoint_pasted', 'error', 'https://api.openai.com/v1'],
    ['https://api.deepseek.com/chat/completions', 'openai', 'endpoint_pasted', 'error', 'https://api.deepseek.com/v1'],
    ['https://openrouter.ai/api/v1/chat/completions/', 'openai', 'endpoint_pasted', 'error', 'https://openrouter.ai/api/v1'],
    ['https://api.openai.com/v1/v1', 'openai', 'v1_doubled', 'warn', 'https://api.openai.com/v1'],
    ['https://api.openai.com', 'openai', 'v1_missing', 'warn', 'https://api.openai.com/v1'],
    ['http://127.0.0.1:8000/', 'openai', 'v1_missing', 'warn', 'http://127.0.0.1:8000/v1'],
    ['api.openai.com/v1', 'openai', 'no_scheme', 'error', 'https://api.openai.com/v1'],
    ['api.openai.com/v1/chat/completions', 'openai', 'no_scheme', 'error', 'https://api.openai.com/v1'],
    ['localhost:11434', 'ollama', 'no_scheme', 'error', 'http://localhost:11434'],
    ['http://localhost:11434/api/chat', 'ollama', 'endpoint_pasted', 'error', 'http://localhost:11434'],
    ['https://api.anthropic.com/v1/messages', 'anthropic', 'endpoint_pasted', 'error', 'https://api.anthropic.com'],
    ['http://0.0.0.0:8000/v1', 'openai', 'bind_address', 'error', 'http://127.0.0.1:8000/v1'],
    ['https://gw.example/v1/chat/completions?key=abc', 'openai', 'endpoint_pasted', 'error', 'https://gw.example/v1?key=abc'],
  ] as const)('%s (%s) → %s, use %s', (url, protocol, problem, severity, corrected) => {
    const [first] = checkBaseUrl(url, protocol);
    expect(first).toMatchObject({ problem, severity, corrected });
    expect(first?.message).toContain(corrected);
  });

  it.each([
    ['', 'empty'],
    ['ftp://files.example/v1', 'bad_scheme'],
    ['http://', 'not_url'],
    ['https://exa mple.com/v1', 'not_url'],
  ] as const)('"%s" cannot work: %s, an error', (url, problem) => {
    expect(checkBaseUrl(url, 'openai')[0]).toMatchObject({ problem, severity: 'error' });
  });

  it.each([
    ['https://api.openai.com/v1', 'openai'],
    ['https://dashscope.aliyuncs.com/compatible-mode/v1', 'openai'],
    ['https://open.bigmodel.cn/api/paas/v4', 'openai'],
    ['https://api.moonshot.cn/v1', 'openai'],
    ['https://api.anthropic.com', 'anthropic'],
    ['https://api.anthropic.com/v1', 'anthropic'],
    ['http://localhost:11434', 'ollama'],
    ['${OPENAI_BASE_URL}', 'openai'],
  ] as const)('%s (%s) is fine', (url, protocol) => {
    expect(checkBaseUrl(url, protocol)).toEqual([]);
  });
});
