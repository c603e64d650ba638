/**
 * Writes a ChatGPT data export (conversations.json) of a chosen size, as its real shape: a list of conversations,
 * each a mapping of nodes (a null-message root, a hidden system message, then user and assistant turns with the
 * metadata ChatGPT writes). Deterministic; streamed to the file, so a 200 MB one needs little memory. For the
 * import tests and the storage benchmark (scripts/bench/storage-import.ts).
 */
import { closeSync, openSync, writeSync } from 'node:fs';

export interface ChatGptExportOptions {
  /** The file's size at most (it stops before the conversation that would pass it; at least one conversation). */
  bytes: number;
  /** Messages (user + assistant) per conversation (default 40). */
  messagesPerConversation?: number;
  /** Every message gets this create_time (seconds) instead of one of its own: the worst case of seq allocation. */
  sameTime?: number;
  /** Characters of an assistant answer, about (default 900). */
  answerChars?: number;
}

export interface ChatGptExportFile {
  conversations: number;
  /** Messages an import keeps (user and assistant text). */
  messages: number;
  bytes: number;
}

const WORDS = 'the proxy drops idle connections after sixty seconds so long streams get cut set HTTPS_PROXY and NO_PROXY 代理 服务器 证书 流式 输出 网关 超时 重试'.split(' ');

export function writeChatGptExport(path: string, opts: ChatGptExportOptions): ChatGptExportFile {
  const per = opts.messagesPerConversation ?? 40;
  const answerChars = opts.answerChars ?? 900;
  let seed = 7;
  const rand = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const text = (chars: number): string => {
    let s = '';
    while (s.length < chars) s += `${WORDS[Math.floor(rand() * WORDS.length)]} `;
    return s.trimEnd();
  };
  const fd = openSync(path, 'w');
  let bytes = 0;
  const out = (s: string): void => {
    bytes += writeSync(fd, s);
  };
  let conversations = 0;
  let messages = 0;
  try {
    out('[');
    const base = 1_700_000_000;
    while (bytes < opts.bytes) {
      const c = conversations++;
      const start = base + c * 86_400;
      const mapping: Record<string, unknown> = {};
      const root = `c${c}-root`;
      const sys = `c${c}-sys`;
      mapping[root] = { id: root, message: null, parent: null, children: [sys] };
      mapping[sys] = {
        id: sys, parent: root, children: [`c${c}-m0`],
        message: { id: sys, author: { role: 'system', name: null, metadata: {} }, create_time: null, update_time: null, content: { content_type: 'text', parts: [''] }, status: 'finished_successfully', end_turn: true, weight: 0, metadata: { is_visually_hidden_from_conversation: true }, recipient: 'all' },
      };
      let parent = sys;
      for (let i = 0; i < per; i++) {
        const id = `c${c}-m${i}`;
        const role = i % 2 === 0 ? 'user' : 'assistant';
        const t = opts.sameTime ?? start + i * 30 + rand();
        mapping[id] = {
          id, parent, children: i + 1 < per ? [`c${c}-m${i + 1}`] : [],
          message: {
            id, author: { role, name: null, metadata: {} }, create_time: t, update_time: role === 'assistant' ? t + 5 : null,
            content: { content_type: 'text', parts: [text(role === 'user' ? 120 : answerChars)] }, status: 'finished_successfully', end_turn: role === 'assistant' ? true : null, weight: 1,
            metadata: role === 'assistant' ? { model_slug: 'gpt-4o', finish_details: { type: 'stop', stop_tokens: [200002] }, request_id: `r${c}-${i}`, timestamp_: 'absolute' } : { request_id: `r${c}-${i}`, timestamp_: 'absolute' },
            recipient: 'all',
          },
        };
        parent = id;
      }
      const conv = { title: `Conversation ${c} 对话`, create_time: opts.sameTime ?? start, update_time: opts.sameTime ?? start + per * 30, mapping, moderation_results: [], current_node: parent, plugin_ids: null, conversation_id: `conv-${c}`, default_model_slug: 'gpt-4o', id: `conv-${c}` };
      const piece = `${c ? ',' : ''}\n${JSON.stringify(conv)}`;
      // Never past the size asked for (an import's bound is a size), except for a first conversation.
      if (c > 0 && bytes + Buffer.byteLength(piece) + 3 > opts.bytes) {
        conversations--;
        break;
      }
      out(piece);
      messages += per;
    }
    out('\n]\n');
  } finally {
    closeSync(fd);
  }
  return { conversations, messages, bytes };
}
