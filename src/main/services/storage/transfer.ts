/**
 * Export (Markdown of the shown path; Parley JSON of the whole tree) and import (Parley JSON, or ChatGPT's
 * data export `conversations.json`). An import is bounded (file size, conversations, messages per
 * conversation, the usual field limits) and atomic: the caller runs it in one transaction.
 */
import { readFileSync } from 'node:fs';
import { ParleyError } from '../../core/errors.ts';
import { formatSize } from '../../core/limits.ts';
import { MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS_PER_MESSAGE, MAX_MESSAGE_ATTACHMENT_BYTES, type AttachmentRef } from '../../../shared/attachments.ts';
import { isFinishReason, type AnswerEnding, type FinishReason } from '../../../shared/answer.ts';
import type { Conversation, ConversationParams, Message, MessageRole, MessageStatus } from '../../../shared/chat.ts';
import * as v from 'valibot';
import { requestParamsSchema } from '../../../shared/settings.ts';
import { checkRef, withAttachmentRows, type AttachmentFiles } from './attachments.ts';
import type { Db } from './db.ts';
import { LIMIT_CODE, LIMITS, tooLarge } from './limits.ts';
import { insertConversation, insertMessage, MESSAGE_COLUMNS, mustConversation, SeqSlots, timeOrderedId, toConversation, toMessage, type ConversationInit, type MessageInit, type MessageRow } from './records.ts';
import { newestLeaf, readPathMessages } from './tree.ts';

export const PARLEY_FORMAT = 'parley.conversation';
export const PARLEY_FORMAT_VERSION = 1;

export interface ParleyExport {
  format: typeof PARLEY_FORMAT;
  version: typeof PARLEY_FORMAT_VERSION;
  exportedAt: string;
  conversation: Conversation;
  /** Every message of the tree, parents before children. */
  messages: Message[];
  /** Each file the messages carry, once: its ref (the name of its first use) and its bytes in base64. Absent: none. */
  attachments?: ExportedAttachment[];
}

export interface ExportedAttachment extends AttachmentRef {
  /** The original bytes, base64. */
  data: string;
}

/** The most bytes of files one JSON export embeds (so that the export stays under the import's 200 MB once in base64). */
export const EXPORT_ATTACHMENT_BYTES = 140 * 1024 * 1024;

export interface ImportResult {
  format: 'parley' | 'chatgpt';
  conversations: Conversation[];
  messages: number;
  /** ChatGPT nodes left out: system, tool, hidden or empty messages. */
  skipped: number;
  /** Files the messages carry that were stored (each once), and those that could not be (not in the file, not beside it, refused). */
  attachments?: ImportAttachments;
}

export interface ImportAttachments {
  stored: number;
  missing: number;
  /** Names of the first missing ones (at most MISSING_NAMES). */
  missingNames: string[];
}

export const MISSING_NAMES = 20;

// ---------------------------------------------------------------- export

/** The languages an export's headings are written in (the window's). */
export type ExportLanguage = 'en' | 'zh';

/** The words of a Markdown export, by language. */
const HEADINGS: Record<ExportLanguage, { attachment: (name: string, size: string) => string; untitled: string; systemPrompt: string; roles: Record<MessageRole, string>; reasoning: string; stopped: string; interrupted: string; failed: (why: string) => string }> = {
  en: {
    attachment: (name, size) => `- Attachment: ${name} (${size})`,
    untitled: 'Untitled conversation', systemPrompt: 'System prompt', roles: { system: 'System', user: 'User', assistant: 'Assistant' }, reasoning: 'Reasoning',
    stopped: '_(stopped)_', interrupted: '_(interrupted)_', failed: (why) => `_(failed${why ? `: ${why}` : ''})_`,
  },
  zh: {
    attachment: (name, size) => `- 附件：${name}（${size}）`,
    untitled: '未命名对话', systemPrompt: '系统提示词', roles: { system: '系统', user: '用户', assistant: '助手' }, reasoning: '推理过程',
    stopped: '_（已停止）_', interrupted: '_（已中断）_', failed: (why) => `_（失败${why ? `：${why}` : ''}）_`,
  },
};

/** Markdown of the shown path: the title, then each message under its role; reasoning in a collapsed <details>. Headings in `language`. */
export function toMarkdown(db: Db, conversationId: string, language: ExportLanguage = 'en'): string {
  const h = HEADINGS[language];
  const c = toConversation(mustConversation(db, conversationId));
  const out: string[] = [`# ${c.title.trim() || h.untitled}`, ''];
  if (c.systemPrompt.trim()) out.push(`## ${h.systemPrompt}`, '', c.systemPrompt.trim(), '');
  for (const m of readPathMessages(db, conversationId)) {
    out.push(`## ${h.roles[m.role]}${m.role === 'assistant' && m.model ? ` (${m.model})` : ''}`, '');
    if (m.reasoning.trim()) out.push('<details>', `<summary>${h.reasoning}</summary>`, '', m.reasoning.trim(), '', '</details>', '');
    if (m.text.trim()) out.push(m.text.trim(), '');
    // Files are named (name and size), not embedded: Markdown is for reading.
    if (m.attachments?.length) out.push(...m.attachments.map((a) => h.attachment(a.name.replace(/[\r\n]+/g, ' '), formatSize(a.size))), '');
    if (m.status === 'stopped') out.push(h.stopped, '');
    else if (m.status === 'interrupted' || m.status === 'streaming') out.push(h.interrupted, '');
    else if (m.status === 'failed') out.push(h.failed(m.error?.message ?? ''), '');
  }
  return out.join('\n').trimEnd() + '\n';
}

/**
 * The whole tree as Parley JSON. With `files`, each file the messages carry is embedded once (base64); one no longer
 * on the disk is left out (its messages still name it, and an import says it is missing). Refused past
 * EXPORT_ATTACHMENT_BYTES of files.
 */
export function toParleyJson(db: Db, conversationId: string, files?: Pick<AttachmentFiles, 'path'>): ParleyExport {
  const c = toConversation(mustConversation(db, conversationId));
  const rows = withAttachmentRows(db, db.stmt(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversation_id = ? ORDER BY depth, created_at, seq`).all(conversationId) as unknown as MessageRow[]);
  const messages = rows.map(toMessage);
  const out: ParleyExport = { format: PARLEY_FORMAT, version: PARLEY_FORMAT_VERSION, exportedAt: new Date().toISOString(), conversation: c, messages };
  if (!files) return out;
  const used = new Map<string, AttachmentRef>();
  for (const m of messages) for (const a of m.attachments ?? []) if (!used.has(a.id)) used.set(a.id, a);
  const total = [...used.values()].reduce((n, a) => n + a.size, 0);
  if (total > EXPORT_ATTACHMENT_BYTES) {
    throw new ParleyError(LIMIT_CODE, `This conversation's files come to ${formatSize(total)}: a JSON export embeds at most ${formatSize(EXPORT_ATTACHMENT_BYTES)} of files, so that it can be imported again.`, {
      hint: 'Export it as Markdown (the files are named, not embedded), or delete the messages with the largest files first.',
    });
  }
  const attachments: ExportedAttachment[] = [];
  for (const a of used.values()) {
    const path = files.path(a.id);
    let bytes: Buffer;
    try {
      if (!path) continue;
      bytes = readFileSync(path);
    } catch {
      continue;
    }
    attachments.push({ ...a, data: bytes.toString('base64') });
  }
  if (attachments.length) out.attachments = attachments;
  return out;
}

// ---------------------------------------------------------------- import

/** One conversation to import, whatever the source format. Keys are the source's ids. */
export interface Incoming {
  init: ConversationInit;
  createdAt: number;
  updatedAt: number;
  nodes: IncomingNode[];
  currentKey: string | null;
}

interface IncomingNode extends Omit<MessageInit, 'conversationId' | 'parentId'> {
  key: string;
  parentKey: string | null;
  createdAt: number;
  updatedAt: number;
  /** Files the message carries as the source names them (resolved to stored refs before it is written: resolveFiles). */
  files?: IncomingFile[];
}

/** A file a message of an import carries: `key` is its id (Parley) or its asset pointer (ChatGPT). */
export interface IncomingFile {
  key: string;
  name: string;
}

/** What the import asks the attachment store for: embedded bytes (Parley, with the id they must hash to) or a file beside the export (ChatGPT). */
export type AttachmentNeed = { key: string; name: string } & ({ data: Uint8Array; id: string } | { path: string });

/**
 * Stores the files an import brings, as new adds (bounds, what the bytes are, the SHA-256), and returns each one's
 * ref, or a reason it could not be stored (a file that is not there or is refused: the import goes on without it).
 * Throws to fail the import (embedded bytes that do not hash to their id: a damaged export).
 */
export type AttachmentResolver = (needs: AttachmentNeed[]) => (AttachmentRef | { missing: string })[];

/** Where an import finds the bytes of its files. */
export interface FileSource {
  /** Parley: embedded files by id. */
  embedded?: Map<string, Uint8Array>;
  /** ChatGPT: the file beside the export that an asset pointer names, if any. */
  beside?: (pointer: string) => string | undefined;
  /** Stores them (absent: none can be, and each is counted missing). */
  resolve?: AttachmentResolver;
}

export const bad = (message: string): ParleyError =>
  new ParleyError('protocol_error', message, { hint: "Choose a Parley JSON export or ChatGPT's conversations.json (from its data export)." });

/**
 * An ending from a file: its closed reason; the provider's value and category when they are short strings; a
 * refusal's words (up to 64 KB) and the tools asked for (up to 128 names) when they are what they should be.
 */
function endingOf(e: Record<string, unknown>): AnswerEnding {
  const short = (v: unknown): string | undefined => (typeof v === 'string' && v.length <= 200 ? v : undefined);
  const raw = short(e.raw);
  const category = short(e.category);
  const refusal = typeof e.refusal === 'string' && e.refusal.length <= 65_536 ? e.refusal : undefined;
  const tools = Array.isArray(e.tools) && e.tools.length <= 128 && e.tools.every((t) => short(t) !== undefined) ? (e.tools as string[]) : undefined;
  return { reason: e.reason as FinishReason, ...(raw ? { raw } : {}), ...(category ? { category } : {}), ...(refusal ? { refusal } : {}), ...(tools ? { tools } : {}) };
}

export const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const time = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.round(v) : fallback);
const seconds = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.round(v * 1000) : undefined);

function checkCount(nodes: number): void {
  if (nodes > LIMITS.messagesPerConversation) throw tooLarge('A conversation in the import', `${LIMITS.messagesPerConversation} messages per conversation`, `${nodes} messages`);
}

/** A conversation's request parameters from a file, within the settings' bounds; anything else is left out (the provider's defaults apply). */
function paramsOf(raw: unknown): { params?: ConversationParams } {
  if (raw === undefined) return {};
  const r = v.safeParse(requestParamsSchema, raw);
  return r.success && Object.keys(r.output).length ? { params: r.output } : {};
}

function fromParley(doc: Record<string, unknown>): Incoming {
  if (doc.version !== PARLEY_FORMAT_VERSION) {
    throw bad(`This Parley export has format version ${JSON.stringify(doc.version)}; this version of Parley reads version ${PARLEY_FORMAT_VERSION}.`);
  }
  const c = doc.conversation;
  if (!isObj(c) || !Array.isArray(doc.messages)) throw bad('The Parley export has no conversation or no messages list.');
  checkCount(doc.messages.length);
  const now = Date.now();
  const createdAt = time(c.createdAt, now);
  const nodes = doc.messages.map((m, i): IncomingNode => {
    if (!isObj(m) || typeof m.id !== 'string' || (m.parentId !== null && typeof m.parentId !== 'string')) throw bad(`Message ${i + 1} of the Parley export has no id or parentId.`);
    const status = (m.status === 'streaming' ? 'interrupted' : m.status) as MessageStatus;
    const mCreated = time(m.createdAt, createdAt);
    return {
      key: m.id, parentKey: m.parentId as string | null, role: m.role as MessageRole, text: m.text as string, reasoning: (m.reasoning ?? '') as string, status,
      error: m.error as Message['error'], providerId: m.providerId as string, model: m.model as string, usage: m.usage as Message['usage'],
      ttftMs: m.ttftMs as number, durationMs: m.durationMs as number, reasoningMs: m.reasoningMs as number,
      routeInfo: m.routeInfo as Message['routeInfo'], finishReason: m.finishReason as string,
      ...(isObj(m.ending) && isFinishReason(m.ending.reason) ? { ending: endingOf(m.ending) } : {}),
      ...parleyFiles(m.attachments, i),
      createdAt: mCreated, updatedAt: time(m.updatedAt, mCreated),
    };
  });
  return {
    init: {
      title: str(c.title) ?? '', providerId: str(c.providerId) ?? null, model: str(c.model) ?? null, systemPrompt: str(c.systemPrompt) ?? '',
      contextMessages: typeof c.contextMessages === 'number' ? c.contextMessages : 0, pinned: c.pinned === true, draft: str(c.draft) ?? '',
      ...paramsOf(c.params),
    },
    createdAt,
    updatedAt: time(c.updatedAt, createdAt),
    nodes,
    currentKey: str(c.currentLeafId) ?? null,
  };
}

/** A Parley message's files as named in the export (checked as refs; their bytes come from the export's `attachments`). */
function parleyFiles(raw: unknown, i: number): { files?: IncomingFile[] } {
  if (raw === undefined) return {};
  if (!Array.isArray(raw)) throw bad(`Message ${i + 1} of the Parley export has attachments that are not a list.`);
  const files = raw.map((a) => {
    try {
      const r = checkRef(a);
      return { key: r.id, name: r.name };
    } catch (e) {
      throw bad(`An attachment of message ${i + 1} of the Parley export is not valid (${(e as Error).message}).`);
    }
  });
  return files.length ? { files } : {};
}

/** The files a Parley export embeds, by id (base64 decoded; each within the bound of one file). */
function parleyEmbedded(raw: unknown): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  if (raw === undefined) return out;
  if (!Array.isArray(raw)) throw bad('The Parley export\'s attachments are not a list.');
  for (const [i, a] of raw.entries()) {
    if (!isObj(a) || typeof a.id !== 'string' || typeof a.data !== 'string') throw bad(`Attachment ${i + 1} of the Parley export has no id or data.`);
    if (a.data.length > Math.ceil(MAX_ATTACHMENT_BYTES / 3) * 4 + 4) throw tooLarge(`The attachment ${JSON.stringify(String(a.name ?? a.id))}`, formatSize(MAX_ATTACHMENT_BYTES));
    out.set(a.id, Buffer.from(a.data, 'base64'));
  }
  return out;
}

/** An image a ChatGPT message carries: its asset pointer (file-service://file-…, sediment://file_…). */
function chatGptImages(parts: unknown[]): IncomingFile[] {
  const out: IncomingFile[] = [];
  for (const p of parts) {
    if (!isObj(p) || p.content_type !== 'image_asset_pointer' || typeof p.asset_pointer !== 'string' || p.asset_pointer.length > 512) continue;
    const name = p.asset_pointer.replace(/^[a-z-]+:\/\//i, '');
    if (name) out.push({ key: p.asset_pointer, name });
  }
  return out;
}

/** The text of a ChatGPT message worth keeping (user or assistant text, addressed to everyone, not hidden, not empty or with images). */
function chatGptText(msg: unknown): { role: 'user' | 'assistant'; text: string; images: IncomingFile[] } | undefined {
  if (!isObj(msg)) return undefined;
  const role = isObj(msg.author) ? msg.author.role : undefined;
  if (role !== 'user' && role !== 'assistant') return undefined;
  if (typeof msg.recipient === 'string' && msg.recipient !== 'all') return undefined;
  if (isObj(msg.metadata) && msg.metadata.is_visually_hidden_from_conversation === true) return undefined;
  const content = msg.content;
  if (!isObj(content) || (content.content_type !== 'text' && content.content_type !== 'multimodal_text') || !Array.isArray(content.parts)) return undefined;
  const text = content.parts.filter((p): p is string => typeof p === 'string').join('\n');
  const images = chatGptImages(content.parts);
  return text.trim() || images.length ? { role, text, images } : undefined;
}

/** How far up from an answer its thinking nodes are looked for (tool calls and searches sit between them too). */
const THOUGHT_DEPTH = 256;

/** A thought's summary: a string, or a list of `{text}` parts. */
function thoughtSummary(v: unknown): string {
  if (typeof v === 'string') return v.trim();
  if (Array.isArray(v)) return v.map((p) => (isObj(p) ? str(p.text) ?? '' : typeof p === 'string' ? p : '')).join('').trim();
  return '';
}

/**
 * Milliseconds from a reasoning_recap's words ("Thought for 1m 1s", "思考了 5s", "8s 동안 생각함"); undefined when
 * they hold no number ("Worked for a couple of seconds").
 */
export function recapMs(text: string): number | undefined {
  const unit = (re: RegExp): number => Number(re.exec(text)?.[1] ?? 0);
  const h = unit(/(\d+)\s*(?:h\b|hr|hours?|小时|小時|時間|시간)/i);
  const m = unit(/(\d+)\s*(?:m\b|min|minutes?|分钟|分鐘|分|분)/i);
  const sec = unit(/(\d+)\s*(?:s\b|sec|seconds?|秒|초)/i);
  const ms = ((h * 60 + m) * 60 + sec) * 1000;
  return ms > 0 ? ms : undefined;
}

/**
 * The reasoning of a ChatGPT answer: the `thoughts` nodes between it and the message before it (each thought's
 * summary in bold, then its content), and its duration from the `reasoning_recap` node (its
 * `finished_duration_sec`, else the number in its words).
 */
function chatGptThoughts(mapping: Record<string, unknown>, parentOf: (k: string) => string | null, kept: Map<string, unknown>, key: string): { reasoning: string; ms?: number } | undefined {
  const blocks: string[][] = [];
  let ms: number | undefined;
  let k = parentOf(key);
  for (let depth = 0; k !== null && !kept.has(k) && depth < THOUGHT_DEPTH; depth++, k = parentOf(k)) {
    const n = mapping[k];
    const msg = isObj(n) && isObj(n.message) ? n.message : undefined;
    const content = msg && isObj(msg.content) ? msg.content : undefined;
    if (!msg || !content || !isObj(msg.author) || msg.author.role !== 'assistant') continue;
    const meta = isObj(msg.metadata) ? msg.metadata : {};
    if (content.content_type === 'thoughts' && Array.isArray(content.thoughts)) {
      const parts = content.thoughts.flatMap((th) => {
        if (!isObj(th)) return [];
        const summary = thoughtSummary(th.summary);
        const body = (str(th.content) ?? '').trim();
        return summary && body ? [`**${summary}**\n\n${body}`] : summary ? [`**${summary}**`] : body ? [body] : [];
      });
      blocks.unshift(parts);
    }
    if (content.content_type === 'reasoning_recap' || content.content_type === 'thoughts') {
      const sec = typeof meta.finished_duration_sec === 'number' && Number.isFinite(meta.finished_duration_sec) && meta.finished_duration_sec >= 0 ? meta.finished_duration_sec : undefined;
      ms ??= sec !== undefined ? Math.round(sec * 1000) : content.content_type === 'reasoning_recap' ? recapMs(str(content.content) ?? '') : undefined;
    }
  }
  const reasoning = blocks.flat().join('\n\n');
  return reasoning || ms !== undefined ? { reasoning, ...(ms !== undefined ? { ms } : {}) } : undefined;
}

/**
 * Images a tool made for an answer (DALL·E: a `tool` node with image_asset_pointer parts, its file in
 * dalle-generations/ of the export) between the answer and the message before it: kept as the answer's files.
 */
function chatGptToolImages(mapping: Record<string, unknown>, parentOf: (k: string) => string | null, kept: Map<string, unknown>, key: string): IncomingFile[] {
  const found: IncomingFile[][] = [];
  let k = parentOf(key);
  for (let depth = 0; k !== null && !kept.has(k) && depth < THOUGHT_DEPTH; depth++, k = parentOf(k)) {
    const n = mapping[k];
    const msg = isObj(n) && isObj(n.message) ? n.message : undefined;
    const content = msg && isObj(msg.content) ? msg.content : undefined;
    if (!msg || !content || !isObj(msg.author) || msg.author.role !== 'tool' || !Array.isArray(content.parts)) continue;
    const images = chatGptImages(content.parts);
    if (images.length) found.unshift(images);
  }
  return found.flat();
}

export function fromChatGpt(conv: unknown, index: number): { incoming: Incoming; skipped: number } {
  if (!isObj(conv) || !isObj(conv.mapping)) throw bad(`Conversation ${index + 1} of the ChatGPT export has no "mapping".`);
  const mapping = conv.mapping as Record<string, unknown>;
  const keys = Object.keys(mapping);
  checkCount(keys.length);
  const createdAt = seconds(conv.create_time) ?? Date.now();
  const parentOf = (k: string): string | null => {
    const n = mapping[k];
    return isObj(n) && typeof n.parent === 'string' && Object.hasOwn(mapping, n.parent) ? n.parent : null;
  };
  const kept = new Map<string, { role: 'user' | 'assistant'; text: string; images: IncomingFile[]; msg: Record<string, unknown> }>();
  for (const k of keys) {
    const n = mapping[k];
    const msg = isObj(n) ? n.message : undefined;
    const t = chatGptText(msg);
    if (t) kept.set(k, { ...t, msg: msg as Record<string, unknown> });
  }
  // The nearest kept ancestor of each node (itself if kept); skipped nodes pass their children up. Cycles end at null.
  const anchor = new Map<string, string | null>();
  const anchorOf = (start: string | null): string | null => {
    const chain: string[] = [];
    let k = start;
    const seen = new Set<string>();
    while (k !== null && !anchor.has(k) && !kept.has(k) && !seen.has(k)) {
      seen.add(k);
      chain.push(k);
      k = parentOf(k);
    }
    const a = k === null || seen.has(k) ? null : kept.has(k) ? k : (anchor.get(k) ?? null);
    for (const c of chain) anchor.set(c, a);
    return a;
  };
  const nodes: IncomingNode[] = [];
  for (const [key, { role, text, images, msg }] of kept) {
    const t = seconds(msg.create_time) ?? createdAt;
    const meta = isObj(msg.metadata) ? msg.metadata : {};
    const model = role === 'assistant' ? str(meta.model_slug) : undefined;
    const finish = isObj(meta.finish_details) ? str(meta.finish_details.type) : undefined;
    // The thinking before an answer (its thoughts and reasoning_recap nodes) is the answer's folded reasoning.
    const thought = role === 'assistant' ? chatGptThoughts(mapping, parentOf, kept, key) : undefined;
    const files = role === 'assistant' ? [...chatGptToolImages(mapping, parentOf, kept, key), ...images] : images;
    // An answer the user stopped is kept as stopped; one cut at the limit says so.
    const status = finish === 'interrupted' ? 'stopped' : 'complete';
    const ending = finish === 'stop' ? { reason: 'stop' as const, raw: finish } : finish === 'max_tokens' ? { reason: 'length' as const, raw: finish } : undefined;
    nodes.push({
      key, parentKey: anchorOf(parentOf(key)), role, text, status, createdAt: t, updatedAt: seconds(msg.update_time) ?? t,
      ...(model ? { model } : {}), ...(finish ? { finishReason: finish } : {}), ...(ending ? { ending } : {}),
      ...(thought?.reasoning ? { reasoning: thought.reasoning } : {}), ...(thought?.ms !== undefined ? { reasoningMs: thought.ms } : {}),
      ...(files.length ? { files } : {}),
    });
  }
  const current = typeof conv.current_node === 'string' && Object.hasOwn(mapping, conv.current_node) ? anchorOf(conv.current_node) : null;
  return {
    incoming: {
      init: { title: str(conv.title) ?? '', model: str(conv.default_model_slug) ?? null },
      createdAt,
      updatedAt: seconds(conv.update_time) ?? createdAt,
      nodes,
      currentKey: current,
    },
    skipped: keys.length - kept.size,
  };
}

/**
 * Writes one incoming conversation: parents before children, new ids (time-ordered: timeOrderedId), the tree and
 * the current path kept.
 * `slots`: the seq slots this transaction already probed (one SeqSlots per transaction), and where the index entries
 * wait for its commit if it defers them (the caller then flushes slots.deferred before COMMIT).
 */
export function write(db: Db, inc: Incoming, slots: SeqSlots = new SeqSlots()): Conversation {
  const c = insertConversation(db, inc.init, { createdAt: inc.createdAt, updatedAt: inc.updatedAt }, timeOrderedId(), slots.deferred);
  const children = new Map<string | null, IncomingNode[]>();
  const keys = new Set<string>();
  for (const n of inc.nodes) {
    if (keys.has(n.key)) throw bad(`Message id ${JSON.stringify(n.key)} appears twice in the import.`);
    keys.add(n.key);
  }
  for (const n of inc.nodes) {
    const p = n.parentKey !== null && keys.has(n.parentKey) ? n.parentKey : null;
    if (n.parentKey !== null && p === null) throw bad(`Message ${JSON.stringify(n.key)} follows a message that is not in the import.`);
    let list = children.get(p);
    if (!list) children.set(p, (list = []));
    list.push(n);
  }
  const ids = new Map<string, string>();
  const queue: { node: IncomingNode; parent: { id: string; depth: number } | null }[] = (children.get(null) ?? []).map((node) => ({ node, parent: null }));
  for (let i = 0; i < queue.length; i++) {
    const { node, parent } = queue[i]!;
    const { key: _k, parentKey: _p, createdAt, updatedAt, files: _f, ...init } = node;
    const row = insertMessage(db, c.id, parent, init, { createdAt, updatedAt }, slots, timeOrderedId());
    ids.set(node.key, row.id);
    for (const child of children.get(node.key) ?? []) queue.push({ node: child, parent: { id: row.id, depth: row.depth } });
  }
  if (queue.length !== inc.nodes.length) throw bad('The messages of a conversation in the import form a loop.');
  let leaf = inc.currentKey !== null ? (ids.get(inc.currentKey) ?? null) : null;
  if (leaf === null && queue.length > 0) {
    const root = db.stmt('SELECT id FROM messages WHERE conversation_id = ? AND parent_id IS NULL ORDER BY created_at DESC, seq DESC LIMIT 1').get(c.id) as { id: string };
    leaf = newestLeaf(db, root.id);
  }
  db.stmt('UPDATE conversations SET current_leaf_id = ?, message_count = ? WHERE id = ?').run(leaf, queue.length, c.id);
  return toConversation(mustConversation(db, c.id));
}

export const emptyTally = (): ImportAttachments => ({ stored: 0, missing: 0, missingNames: [] });

/**
 * Turns the files an incoming conversation's messages name into stored refs (one call to the store for the whole
 * conversation): those it can store become the message's attachments (in order, under the message's name for them,
 * within the bounds of a message); the others are left out and counted in `tally` (with their names).
 */
export function resolveFiles(inc: Incoming, src: FileSource | undefined, tally: ImportAttachments): void {
  const withFiles = inc.nodes.filter((n) => n.files?.length);
  if (withFiles.length === 0) return;
  const needs = new Map<string, AttachmentNeed | undefined>();
  for (const n of withFiles) {
    for (const f of n.files!) {
      if (needs.has(f.key)) continue;
      const data = src?.embedded?.get(f.key);
      const path = data ? undefined : src?.beside?.(f.key);
      needs.set(f.key, data ? { key: f.key, name: f.name, data, id: f.key } : path ? { key: f.key, name: besideName(path), path } : undefined);
    }
  }
  const asked = [...needs.values()].filter((n): n is AttachmentNeed => n !== undefined);
  const got = new Map<string, AttachmentRef>();
  if (asked.length && src?.resolve) {
    src.resolve(asked).forEach((r, i) => {
      if (!('missing' in r)) got.set(asked[i]!.key, r);
    });
  }
  tally.stored += got.size;
  const missing = new Set<string>();
  const miss = (f: IncomingFile): void => {
    if (missing.has(f.key)) return;
    missing.add(f.key);
    tally.missing++;
    if (tally.missingNames.length < MISSING_NAMES) tally.missingNames.push(f.name);
  };
  for (const n of withFiles) {
    const refs: AttachmentRef[] = [];
    let bytes = 0;
    for (const f of n.files!) {
      const r = got.get(f.key);
      if (!r || refs.length >= MAX_ATTACHMENTS_PER_MESSAGE || bytes + r.size > MAX_MESSAGE_ATTACHMENT_BYTES) {
        miss(f);
        continue;
      }
      bytes += r.size;
      refs.push({ ...r, name: src?.embedded ? f.name : (needs.get(f.key)?.name ?? r.name) });
    }
    delete n.files;
    if (refs.length) n.attachments = refs;
  }
}

/** A file beside a ChatGPT export, as the message names it: its name without the `file-XXXX-` it is stored under. */
function besideName(path: string): string {
  const base = path.replace(/^.*[\\/]/, '');
  return base.replace(/^file[-_][A-Za-z0-9]+-(?=.)/, '') || base;
}

/** Where an import reads its files from (ChatGPT: the folder of conversations.json), and the store for them. */
export interface ImportFiles {
  /** ChatGPT: finds the file an asset pointer names, beside the export (chatgpt-files.ts). */
  beside?: (pointer: string) => string | undefined;
  resolve?: AttachmentResolver;
}

/** An import read and checked, not yet written. */
export interface ParsedImport {
  format: ImportResult['format'];
  items: { incoming: Incoming; skipped: number }[];
  /** The files its messages carry (resolved by resolveImportFiles, outside any write transaction). */
  src: FileSource;
  tally: ImportAttachments;
}

/** Parses and checks an import (nothing written). */
export function parseImport(input: string | Uint8Array, files: ImportFiles = {}): ParsedImport {
  const bytes = typeof input === 'string' ? (input.length * 3 > LIMITS.importBytes ? Buffer.byteLength(input) : 0) : input.byteLength;
  if (bytes > LIMITS.importBytes) throw tooLarge('The import file', '200 MB', `${Math.ceil(bytes / 1024 / 1024)} MB`);
  let doc: unknown;
  try {
    doc = JSON.parse(typeof input === 'string' ? input : new TextDecoder().decode(input));
  } catch (e) {
    throw bad(`The file is not JSON (${(e as Error).message}).`);
  }
  if (isObj(doc) && doc.format === PARLEY_FORMAT) {
    const incoming = fromParley(doc);
    return { format: 'parley', items: [{ incoming, skipped: 0 }], src: { embedded: parleyEmbedded(doc.attachments), ...(files.resolve ? { resolve: files.resolve } : {}) }, tally: emptyTally() };
  }
  if (Array.isArray(doc) || (isObj(doc) && isObj(doc.mapping))) {
    const list = Array.isArray(doc) ? doc : [doc];
    if (list.length > LIMITS.importConversations) throw tooLarge('The import', `${LIMITS.importConversations} conversations`, `${list.length} conversations`);
    return { format: 'chatgpt', items: list.map(fromChatGpt), src: { ...files }, tally: emptyTally() };
  }
  throw bad('The file is neither a Parley conversation export nor ChatGPT\'s conversations.json.');
}

/** Stores the files of a parsed import (through its resolver); call it outside any write transaction: it may wait for the store. */
export function resolveImportFiles(p: ParsedImport): void {
  for (const it of p.items) resolveFiles(it.incoming, p.src, p.tally);
}

/** Writes a parsed import (its files resolved); run inside one transaction. */
export function writeImport(db: Db, p: ParsedImport): ImportResult {
  const slots = new SeqSlots();
  const conversations = p.items.map((it) => write(db, it.incoming, slots));
  return {
    format: p.format,
    conversations,
    messages: p.items.reduce((n, it) => n + it.incoming.nodes.length, 0),
    skipped: p.items.reduce((n, it) => n + it.skipped, 0),
    ...withTally(p.tally),
  };
}

export const withTally = (t: ImportAttachments): { attachments?: ImportAttachments } => (t.stored || t.missing ? { attachments: t } : {});

/** Parses, checks and writes an import in process (files: only through a resolver that does not wait on this connection); run inside one transaction. */
export function importDocument(db: Db, input: string | Uint8Array, files: ImportFiles = {}): ImportResult {
  const p = parseImport(input, files);
  resolveImportFiles(p);
  return writeImport(db, p);
}
