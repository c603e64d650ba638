/**
 * Main's own questions about MCP servers (shell/tool-dialog.ts), in the window's language or the system's: before a
 * server from the editor is saved (what would run or be reached, the names of its variables or headers with the
 * new or changed ones marked, a new route), and before pasted servers are imported. "Don't save" / "Don't add" is
 * the default and the answer to Esc. They are given names only: no value can reach them.
 */
import { describe, expect, it } from 'vitest';
import { mcpImportDialog, mcpSaveDialog } from '../../src/main/shell/tool-dialog.ts';
import type { McpSaveQuestion } from '../../src/shared/mcp.ts';

const stdio: McpSaveQuestion = { name: 'Files', isNew: false, transport: 'stdio', runs: 'npx -y @modelcontextprotocol/server-filesystem /home/me', cwd: '/home/me', names: ['GITHUB_TOKEN', 'DEBUG'], changedNames: ['GITHUB_TOKEN'], changed: ['env'] };
const http: McpSaveQuestion = { name: 'Remote', isNew: true, transport: 'http', runs: 'https://mcp.example.com/mcp', names: ['Authorization'], changedNames: ['Authorization'], changed: ['url', 'headers'] };

describe('the question before a server from the editor is saved', () => {
  it('says what runs, in which folder, and which variables are new or changed; the default is not to save', () => {
    const d = mcpSaveDialog(stdio, 'en', 'zh-CN');
    expect(d.message).toBe('Save the changes to the MCP server “Files”?');
    expect(d.detail).toContain('Runs: npx -y @modelcontextprotocol/server-filesystem /home/me');
    expect(d.detail).toContain('Folder: /home/me');
    expect(d.detail).toContain('Variables: GITHUB_TOKEN *, DEBUG (* new or changed)');
    expect(d.buttons[d.defaultId]).toBe("Don't save");
    expect(d.cancelId).toBe(d.defaultId);
  });

  it('an HTTP server: the URL its headers go to, and a new route with the proxy as given (masked by main)', () => {
    const d = mcpSaveDialog({ ...http, isNew: false, changed: ['route'], route: 'http://me:***@proxy.corp:3128' }, 'en', 'en-US');
    expect(d.detail).toContain('It sends these headers (which may hold secrets) to this URL.');
    expect(d.detail).toContain('URL: https://mcp.example.com/mcp');
    expect(d.detail).toContain('Route: http://me:***@proxy.corp:3128');
    expect(mcpSaveDialog(http, 'en', 'en-US').message).toBe('Add the MCP server “Remote”?');
  });

  it('in Chinese when the window is, or when it follows a Chinese system', () => {
    for (const [language, locale] of [['zh', 'en-US'], ['system', 'zh-CN'], [undefined, 'zh-TW']] as const) {
      const d = mcpSaveDialog(http, language, locale);
      expect(d.message).toBe('添加 MCP 服务器“Remote”吗？');
      expect(d.buttons).toEqual(['不保存', '保存']);
      expect(d.detail).toContain('请求头：Authorization *');
    }
    expect(mcpSaveDialog(http, 'system', 'en-GB').buttons).toEqual(["Don't save", 'Save']);
  });

  it('a very long command is cut, so the dialog stays readable', () => {
    const d = mcpSaveDialog({ ...stdio, runs: `node ${'x'.repeat(5000)}` }, 'en', 'en-US');
    expect(d.detail.length).toBeLessThan(1500);
    expect(d.detail).toContain('…');
  });
});

describe('the question before pasted servers are imported', () => {
  it('lists what each would run; the default is not to add', () => {
    const d = mcpImportDialog([{ name: 'github', runs: 'npx -y @modelcontextprotocol/server-github' }], 'en', 'en-US');
    expect(d.detail).toContain('• github: npx -y @modelcontextprotocol/server-github');
    expect(d.buttons[d.defaultId]).toBe("Don't add");
    expect(mcpImportDialog([], 'zh', 'en-US').buttons).toEqual(['不添加', '添加']);
  });
});
