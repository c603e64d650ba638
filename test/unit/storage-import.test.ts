/**
 * Export (Markdown, Parley JSON) and import (Parley JSON round trip; ChatGPT's conversations.json with
 * branches, hidden system nodes, tool calls and a null-message root), atomic and bounded.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Message } from '../../src/shared/chat.ts';
import { LIMIT_CODE } from '../../src/main/services/storage/limits.ts';
import type { ChatStore, ParleyExport } from '../../src/main/services/storage/index.ts';
import { tempStore } from '../helpers/storage.ts';

const fixture = readFileSync(new URL('../fixtures/chatgpt-conversations.json', import.meta.url), 'utf8');

async function rejects(fn: () => unknown): Promise<{ code: string; message: string }> {
  try {
    fn();
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error('expected a failure');
}

/** A conversation with a branch, reasoning, every optional field, a failed and a streaming answer. */
function sample(s: ChatStore): string {
  const c = s.createConversation({ title: 'Round trip 往返', providerId: 'deepseek', model: 'deepseek-chat', systemPrompt: 'Answer briefly.', contextMessages: 12, pinned: true, draft: 'unsent' });
  const u = s.addMessage({ conversationId: c.id, role: 'user', text: 'What is a SOCKS proxy?' });
  s.addMessage({ conversationId: c.id, role: 'assistant', text: 'A failed try', status: 'failed', error: { code: 'bad_gateway', message: 'The gateway failed', hint: 'Retry.' } });
  const a2 = s.addMessage({
    conversationId: c.id, parentId: u.id, role: 'assistant', text: 'A proxy that forwards TCP.', reasoning: 'The user asks about SOCKS.', status: 'complete',
    providerId: 'deepseek', model: 'deepseek-reasoner', usage: { inputTokens: 10, outputTokens: 20, totalTokens: 30 }, ttftMs: 120, durationMs: 900, reasoningMs: 300,
    routeInfo: { route: 'proxy http://p:3128 (manual)', attempts: 2, mode: 'stream', retries: [{ attempt: 1, delayMs: 500, reason: 'server_error' }] }, finishReason: 'stop',
  });
  s.addMessage({ conversationId: c.id, parentId: a2.id, role: 'user', text: 'And SOCKS5h?' });
  s.addMessage({ conversationId: c.id, role: 'assistant', text: 'The proxy resolves na', status: 'stopped' });
  return c.id;
}

/** An export with ids replaced by positions, so two exports of the same tree compare equal. */
function shape(doc: ParleyExport): unknown {
  const pos = new Map(doc.messages.map((m, i) => [m.id, i]));
  const { id: _id, currentLeafId, ...conversation } = doc.conversation;
  return {
    conversation: { ...conversation, currentLeaf: currentLeafId === null ? null : pos.get(currentLeafId) },
    messages: doc.messages.map(({ id: _m, conversationId: _c, parentId, ...m }: Message) => ({ ...m, parent: parentId === null ? null : pos.get(parentId) })),
  };
}

describe('export', () => {
  it('Markdown: the title, then the shown path with roles as headings and reasoning in a collapsed block', () => {
    const s = tempStore();
    const id = sample(s);
    expect(s.exportMarkdown(id)).toBe([
      '# Round trip 往返', '',
      '## System prompt', '', 'Answer briefly.', '',
      '## User', '', 'What is a SOCKS proxy?', '',
      '## Assistant (deepseek-reasoner)', '', '<details>', '<summary>Reasoning</summary>', '', 'The user asks about SOCKS.', '', '</details>', '', 'A proxy that forwards TCP.', '',
      '## User', '', 'And SOCKS5h?', '',
      '## Assistant', '', 'The proxy resolves na', '', '_(stopped)_', '',
    ].join('\n'));
  });

  it('Markdown in Chinese: the headings follow the window’s language (the text stays as written)', () => {
    const s = tempStore();
    const id = sample(s);
    expect(s.exportMarkdown(id, 'zh')).toBe([
      '# Round trip 往返', '',
      '## 系统提示词', '', 'Answer briefly.', '',
      '## 用户', '', 'What is a SOCKS proxy?', '',
      '## 助手 (deepseek-reasoner)', '', '<details>', '<summary>推理过程</summary>', '', 'The user asks about SOCKS.', '', '</details>', '', 'A proxy that forwards TCP.', '',
      '## 用户', '', 'And SOCKS5h?', '',
      '## 助手', '', 'The proxy resolves na', '', '_（已停止）_', '',
    ].join('\n'));
  });

  it('Parley JSON: the conversation and every message of the tree', () => {
    const s = tempStore();
    const id = sample(s);
    const doc = s.exportJson(id);
    expect(doc).toMatchObject({ format: 'parley.conversation', version: 1, conversation: { id, title: 'Round trip 往返', draft: 'unsent', pinned: true } });
    expect(doc.messages).toHaveLength(5);
    expect(doc.messages.find((m) => m.status === 'failed')?.error).toEqual({ code: 'bad_gateway', message: 'The gateway failed', hint: 'Retry.' });
    // Parents come before their children.
    const seen = new Set<string | null>([null]);
    for (const m of doc.messages) {
      expect(seen.has(m.parentId)).toBe(true);
      seen.add(m.id);
    }
    expect(caughtCode(() => s.exportJson('nope'))).toBe('not_found');
  });
});

function caughtCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

describe('import', () => {
  it('Parley JSON round trip: new ids, the same tree, fields, current path and dates', () => {
    const s = tempStore();
    const id = sample(s);
    const original = s.exportJson(id);
    const [copy] = s.importJson(JSON.stringify(original));
    expect(copy!.id).not.toBe(id);
    const again = s.exportJson(copy!.id);
    const oldIds = new Set(original.messages.map((m) => m.id));
    expect(again.messages.filter((m) => oldIds.has(m.id))).toEqual([]);
    expect(shape(again)).toEqual(shape(original));
    expect(s.path(copy!.id).messages.map((m) => `${m.text} ${m.version}/${m.versions}`)).toEqual(s.path(id).messages.map((m) => `${m.text} ${m.version}/${m.versions}`));
    // Bytes work as well as text.
    expect(s.importJson(new TextEncoder().encode(JSON.stringify(original)))).toHaveLength(1);
  });

  it('a streaming message in a Parley file arrives as interrupted', () => {
    const s = tempStore();
    const c = s.createConversation({ title: 'x' });
    s.addMessage({ conversationId: c.id, role: 'assistant', status: 'streaming', text: 'half' });
    const [copy] = s.importJson(JSON.stringify(s.exportJson(c.id)));
    expect(s.pathMessages(copy!.id)).toMatchObject([{ status: 'interrupted', text: 'half' }]);
  });

  it("ChatGPT's conversations.json: user and assistant text kept, system, tool and empty nodes skipped and their children re-linked; branches and the current path kept", async () => {
    const s = tempStore();
    const [proxy, shot] = s.importJson(fixture);
    expect(proxy).toMatchObject({ title: 'Proxy setup help', model: 'gpt-4o', createdAt: 1700000000123, updatedAt: 1700000400900 });
    expect(shot).toMatchObject({ title: '网络代理截图', model: 'gpt-4o-mini' });
    expect(s.stats().messages).toBe(7);

    const page = s.path(proxy!.id);
    expect(page.before).toBe(0);
    expect(page.messages.map((m) => [m.role, m.text.slice(0, 24), m.version, m.versions])).toEqual([
      ['user', 'How do I set an HTTP pro', 1, 1],
      ['assistant', 'You can set it in `.npmr', 2, 2],
      ['user', 'And for pip? 代理也要设置吗？', 1, 1],
      ['assistant', 'Yes: `pip install --prox', 1, 1],
    ]);
    expect(page.messages[0]).toMatchObject({ parentId: null, createdAt: 1700000100500 });
    expect(page.messages[3]).toMatchObject({ parentId: page.messages[2]!.id, model: 'gpt-4o', finishReason: 'stop', status: 'complete' });
    const other = s.switchVersion(proxy!.id, page.messages[1]!.siblingIds[0]!);
    expect(other.messages.map((m) => m.text)).toEqual(['How do I set an HTTP proxy for npm behind our corporate firewall?', 'Run `npm config set proxy http://proxy.corp:3128`.']);
    expect(s.pathMessages(shot!.id).map((m) => m.text)).toEqual(['这张截图里的代理设置对吗？', '端口应该是 3128，而不是 8080。']);
    expect((await s.search('pip 也需要')).map((h) => h.conversationId)).toEqual([proxy!.id]);
    expect(await s.search('search("pip')).toEqual([]);
  });

  it('without a current_node, the newest leaf is shown; a single conversation object is accepted', () => {
    const s = tempStore();
    const [one] = JSON.parse(fixture) as Record<string, unknown>[];
    delete one!.current_node;
    const [c] = s.importJson(JSON.stringify(one));
    expect(s.pathMessages(c!.id).at(-1)?.text).toMatch(/^Yes: `pip install/);
  });

  it('is atomic: one bad conversation and nothing is imported', async () => {
    const s = tempStore();
    const list = JSON.parse(fixture) as unknown[];
    const broken = structuredClone(list[1]) as { mapping: Record<string, { message: { content: { parts: unknown[] } } | null }> };
    broken.mapping['m-2']!.message!.content.parts = ['x'.repeat(4 * 1024 * 1024 + 10)];
    const e = await rejects(() => s.importJson(JSON.stringify([list[0], broken])));
    expect(e.code).toBe(LIMIT_CODE);
    expect(e.message).toMatch(/the limit is 4 MB/);
    expect(s.listConversations()).toEqual([]);
    expect(s.stats()).toMatchObject({ conversations: 0, messages: 0 });
    const noMapping = await rejects(() => s.importJson(JSON.stringify([list[0], { title: 'no mapping' }])));
    expect(noMapping).toMatchObject({ code: 'protocol_error', message: expect.stringMatching(/Conversation 2 .* has no "mapping"/) });
    expect(s.stats().conversations).toBe(0);
  });

  it('bounds: file size, number of conversations, messages per conversation, each named', async () => {
    const s = tempStore();
    let e = await rejects(() => s.importJson(new Uint8Array(200 * 1024 * 1024 + 1)));
    expect(e).toMatchObject({ code: LIMIT_CODE, message: expect.stringMatching(/import file is too large .*the limit is 200 MB/) });
    e = await rejects(() => s.importJson(JSON.stringify(Array.from({ length: 10_001 }, () => ({ mapping: {} })))));
    expect(e).toMatchObject({ code: LIMIT_CODE, message: expect.stringMatching(/10001 conversations\): the limit is 10000 conversations/) });
    const mapping: Record<string, unknown> = {};
    for (let i = 0; i <= 100_000; i++) mapping[`n${i}`] = { id: `n${i}`, message: null, parent: null, children: [] };
    e = await rejects(() => s.importJson(JSON.stringify([{ title: 'huge', mapping }])));
    expect(e).toMatchObject({ code: LIMIT_CODE, message: expect.stringMatching(/the limit is 100000 messages per conversation/) });
    expect(s.stats().conversations).toBe(0);
  });

  it('unreadable files are refused with protocol_error', async () => {
    const s = tempStore();
    expect(await rejects(() => s.importJson('{ not json'))).toMatchObject({ code: 'protocol_error', message: expect.stringMatching(/not JSON/) });
    expect(await rejects(() => s.importJson('{"hello": 1}'))).toMatchObject({ code: 'protocol_error', message: expect.stringMatching(/neither a Parley/) });
    expect(await rejects(() => s.importJson('{"format": "parley.conversation", "version": 2}'))).toMatchObject({ code: 'protocol_error', message: expect.stringMatching(/version 2/) });
    const loop = { format: 'parley.conversation', version: 1, conversation: { title: 'loop' }, messages: [
      { id: 'a', parentId: 'b', role: 'user', text: 'a', status: 'complete' },
      { id: 'b', parentId: 'a', role: 'assistant', text: 'b', status: 'complete' },
    ] };
    expect(await rejects(() => s.importJson(JSON.stringify(loop)))).toMatchObject({ code: 'protocol_error', message: expect.stringMatching(/loop/) });
    const orphan = { ...loop, messages: [{ id: 'a', parentId: 'zzz', role: 'user', text: 'a', status: 'complete' }] };
    expect(await rejects(() => s.importJson(JSON.stringify(orphan)))).toMatchObject({ code: 'protocol_error', message: expect.stringMatching(/not in the import/) });
    expect(s.stats().conversations).toBe(0);
  });
});
