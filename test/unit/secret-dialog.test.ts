import { describe, expect, it } from 'vitest';
import { secretUseDialog, syncSecretMoveDialog } from '../../src/main/shell/secret-dialog.ts';

describe("main's question before a secret goes somewhere new", () => {
  const route = { kind: 'route' as const, provider: 'Gateway', origin: 'http://llm.corp:8000', hop: 'socks5h://10.9.8.7:1080' };
  const variable = { kind: 'variable' as const, name: 'GITHUB_TOKEN', origin: 'https://evil.example:443' };
  it.each([['en', 'Send'], ['zh', '发送'], ['system', '发送']] as const)('names what and where (%s); "Don\'t send" is the default and the cancel', (language, send) => {
    for (const req of [route, variable]) {
      const d = secretUseDialog(req, language, 'zh-CN');
      const text = `${d.message}\n${d.detail}`;
      if (req.kind === 'route') for (const w of ['Gateway', 'socks5h://10.9.8.7:1080', 'http://llm.corp:8000']) expect(text).toContain(w);
      else for (const w of ['${GITHUB_TOKEN}', 'https://evil.example:443']) expect(text).toContain(w);
      expect(d.buttons[1]).toBe(send);
      expect(d.defaultId).toBe(0);
      expect(d.cancelId).toBe(0);
    }
  });
  it('a Chinese window gets Chinese words', () => {
    expect(secretUseDialog(route, 'zh', 'en-US').message).toMatch(/[\u4e00-\u9fff]/);
    expect(secretUseDialog(route, 'en', 'zh-CN').message).not.toMatch(/[\u4e00-\u9fff]/);
  });
  it('the sync password going to another host: names both hosts; "Don\'t send" is the default and the cancel', () => {
    for (const language of ['en', 'zh']) {
      const d = syncSecretMoveDialog({ host: 'evil.example:443', before: 'dav.jianguoyun.com' }, language, 'en-US');
      expect(`${d.message}\n${d.detail}`).toContain('evil.example:443');
      expect(d.detail).toContain('dav.jianguoyun.com');
      expect([d.defaultId, d.cancelId]).toEqual([0, 0]);
      expect(d.buttons[1]).toBe(language === 'zh' ? '发送' : 'Send');
    }
  });
});
