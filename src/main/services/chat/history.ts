/** What a request carries: the system prompt, then as much of the path as the conversation's limits and the model's context allow. */
import type { ChatMessage, ContentPart } from '../../core/protocols/types.ts';
import { ParleyError } from '../../core/errors.ts';
import { MAX_INLINE_TEXT_CHARS, type AttachmentRef } from '../../../shared/attachments.ts';
import type { Conversation, HistoryTrim, Message } from '../../../shared/chat.ts';
import { words } from '../../../shared/messages/en.ts';
import { attachmentTokens, estimateTokens, leftOutToFit } from '../../../shared/tokens.ts';
import type { StoredSettings } from '../../../shared/settings.ts';
import type { Downscaler, ImageLimit } from '../attachments/downscale.ts';

/** The most messages of a path a request reads (a conversation's own limit or the model's context cut further). */
export const MAX_HISTORY = 2000;
/** Where a model's context size is not known, a request carries at most about this many tokens of history. */
export const UNKNOWN_CONTEXT_TOKENS = 128_000;

export const CONTINUE_PROMPT = 'Continue exactly where your previous answer stopped. Do not repeat what you already wrote and do not add any preamble.';

export { estimateTokens };

/**
 * A message as planned: its text, or parts where an attachment is still a reference (its text and bytes are read
 * when the request is made: resolveRequest).
 */
export type PlannedPart = ContentPart | { type: 'attachment'; ref: AttachmentRef };
/** A message of a plan; a tool loop's turns keep their tool fields (toolCalls, toolCallId…) as the core takes them. */
export interface PlannedMessage extends Omit<ChatMessage, 'content'> {
  content: string | PlannedPart[];
}

/** What a request may carry of attachments: whether the model sees images, and whether the user chose to send without them. */
export interface AttachmentPolicy {
  /** The model sees images (capabilitiesFor(...).vision, the user's correction included). */
  vision?: boolean;
  /** The user chose to send the text parts only (the images stay stored with their messages). */
  withoutImages?: boolean;
  /** The model's name (the refusal names it). */
  model?: string;
}

/** What a request carries, and what was left out of it to fit the context (the window says how much). */
export interface RequestPlan {
  messages: PlannedMessage[];
  /** Set when earlier messages of the path were left out to fit the context. */
  context?: HistoryTrim;
  /** Images not sent: the model cannot see them and the user chose to send without them. */
  imagesLeftOut?: number;
}

const images = (refs: readonly AttachmentRef[] | undefined): number => (refs ?? []).filter((r) => r.kind === 'image').length;

/**
 * Refuses images for a model that cannot see them, unless the user chose to send without them: `attachment_unsupported`
 * with a catalog key (the window words it), before anything is stored or sent. `refs`: every attachment the request
 * would carry (the question's and the earlier messages').
 */
export function checkImages(refs: readonly AttachmentRef[], policy: AttachmentPolicy): void {
  const count = images(refs);
  if (count === 0 || policy.vision || policy.withoutImages) return;
  throw new ParleyError('attachment_unsupported', words('attachment_no_vision', { model: policy.model ?? '', count }), { hop: 'config', phase: 'config' });
}

/**
 * The same check for a question about to be sent: its own attachments and those of the path it follows that fit
 * the request (a caller checks before it stores the question).
 */
export function checkSendable(path: readonly Message[], refs: readonly AttachmentRef[], policy: AttachmentPolicy): void {
  checkImages([...path.flatMap((m) => m.attachments ?? []), ...refs], policy);
}

/** The messages a request carries: system prompt, then the path within the conversation's limits; never reasoning. */
export function buildRequest(conv: Conversation, path: Message[], contextTokens: number | undefined, defaults: StoredSettings['defaults'], policy: AttachmentPolicy = {}): PlannedMessage[] {
  return planRequest(conv, path, contextTokens, defaults, policy).messages;
}

/**
 * As buildRequest, saying how many earlier messages were left out to fit the model's context (never silently).
 * A question's attachments go before its words, in order: text files and PDFs as blocks of text, images as images
 * when the model sees them. Images for a model that cannot see them are refused (checkImages), or left out when the
 * user chose so (`imagesLeftOut` says how many).
 */
export function planRequest(conv: Conversation, path: Message[], contextTokens: number | undefined, defaults: StoredSettings['defaults'], policy: AttachmentPolicy = {}): RequestPlan {
  let msgs = path.filter((m) => (m.role === 'user' || m.role === 'assistant') && (m.text.trim() !== '' || (m.attachments?.length ?? 0) > 0) && m.status !== 'failed');
  const limit = conv.contextMessages || defaults.contextMessages;
  if (limit > 0 && msgs.length > limit) msgs = msgs.slice(-limit);
  const system = conv.systemPrompt || '';
  const sendImages = policy.vision === true;
  // Keep the newest messages that fit, leaving a quarter of the context for the answer; say how many were not.
  const sized = msgs.map((m) => ({ role: m.role, text: m.text, extraTokens: attachmentTokens(m.attachments, sendImages) }));
  const trimmed = leftOutToFit(sized, contextTokens ?? UNKNOWN_CONTEXT_TOKENS, system);
  msgs = msgs.slice(trimmed);
  // A request starts with the user's words.
  while (msgs.length > 1 && msgs[0]?.role !== 'user') msgs = msgs.slice(1);
  checkImages(msgs.flatMap((m) => m.attachments ?? []), policy);
  const leftOut = sendImages ? 0 : images(msgs.flatMap((m) => m.attachments ?? []));
  const messages: PlannedMessage[] = [...(system ? [{ role: 'system' as const, content: system }] : []), ...msgs.map((m) => planned(m, sendImages))];
  return {
    messages,
    ...(trimmed > 0 ? { context: { leftOut: trimmed, contextTokens: contextTokens ?? UNKNOWN_CONTEXT_TOKENS, ...(contextTokens === undefined ? { assumed: true } : {}) } } : {}),
    ...(leftOut > 0 ? { imagesLeftOut: leftOut } : {}),
  };
}

/** What a question of images alone says when its images are left out (the model cannot see them). */
export const IMAGES_LEFT_OUT = '[Images were attached here; they are left out because this model cannot see images.]';

function planned(m: Message, sendImages: boolean): PlannedMessage {
  const role = m.role as 'user' | 'assistant';
  const refs = (m.attachments ?? []).filter((r) => r.kind !== 'image' || sendImages);
  // A question of images alone, left out: its turn stays (the answers after it need it), saying what was there.
  if (role === 'user' && refs.length === 0 && !m.text.trim() && (m.attachments?.length ?? 0) > 0) return { role, content: IMAGES_LEFT_OUT };
  if (role !== 'user' || refs.length === 0) return { role, content: m.text };
  return { role, content: [...refs.map((ref) => ({ type: 'attachment' as const, ref })), ...(m.text ? [{ type: 'text' as const, text: m.text }] : [])] };
}

/** A plan's messages as plain text (a title request, a log): attachments named, not read. */
export function plainMessages(messages: readonly PlannedMessage[]): ChatMessage[] {
  return messages.map((m) => ({
    role: m.role,
    content: typeof m.content === 'string' ? m.content : m.content.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('\n\n'),
  }));
}

/** A file name inside a block's quotes (no quote, angle bracket or line break of its own). */
const quotedName = (name: string): string => name.replace(/["<>\r\n]/g, (c) => (c === '"' ? "'" : c === '<' ? '(' : c === '>' ? ')' : ' '));

/**
 * The file's own text inside its block: a closing tag of its own (`</file>`, in any case, spaces inside) is written
 * `<\/file>`, so it cannot end the block early (what follows it would read as the user's words, outside the file).
 */
const inBlock = (text: string): string => text.replace(/<(\s*)\/(\s*file\s*>)/gi, '<$1\\/$2');

/**
 * A text file or PDF as a block of text with its name: `<file name="…">` … `</file>`. When only the first
 * `keptChars` of its `chars` characters are sent, the block says how many were left out; a PDF with no text layer
 * (a scan) says so; a file no longer stored says so.
 */
export function fileBlock(ref: AttachmentRef, text: string | undefined): string {
  const head = `<file name="${quotedName(ref.name)}"${ref.kind === 'pdf' ? ` type="pdf"${ref.pages ? ` pages="${ref.pages}"` : ''}` : ''}>`;
  if (ref.kind === 'pdf' && ref.noText) return `${head}\n[This PDF has no text layer (it is a scan or images of pages): none of its text could be read.]\n</file>`;
  if (text === undefined) return `${head}\n[This file is no longer stored: its text could not be sent.]\n</file>`;
  const chars = Math.max(ref.chars ?? 0, text.length);
  // The inline bound holds even for a reference that does not say what it keeps.
  const kept = Math.min(ref.keptChars ?? MAX_INLINE_TEXT_CHARS, MAX_INLINE_TEXT_CHARS, text.length);
  const body = inBlock(text.slice(0, kept));
  const rest = chars - kept;
  const note = rest > 0 ? `\n[Only the first ${kept.toLocaleString('en-US')} of its ${chars.toLocaleString('en-US')} characters are included here: the last ${rest.toLocaleString('en-US')} were left out.]` : '';
  return `${head}\n${body}${body.endsWith('\n') ? '' : '\n'}</file>${note}`;
}

/** Where an attachment's text comes from (the attachment store: services/attachments/index.ts). */
export interface AttachmentText {
  textFor(id: string): Promise<string | undefined>;
}

/** What resolving a plan needs: the store's text, its images within a limit, and whether the images must be PNG or JPEG (Ollama). */
export interface ResolveDeps {
  text: AttachmentText;
  images: Downscaler;
  limit: ImageLimit;
  plain?: boolean;
}

/** What a request carried of images: how many, and how many were sent smaller than stored. */
export interface ResolvedImages {
  count: number;
  scaled: number;
}

/** The plan's messages as the core sends them: each attachment read (text blocks, images within `limit`). */
export async function resolveRequest(messages: readonly PlannedMessage[], deps: ResolveDeps): Promise<{ messages: ChatMessage[]; images: ResolvedImages }> {
  const seen: ResolvedImages = { count: 0, scaled: 0 };
  const out: ChatMessage[] = [];
  for (const m of messages) {
    if (typeof m.content === 'string') {
      out.push({ ...m, content: m.content });
      continue;
    }
    const parts: ContentPart[] = [];
    for (const p of m.content) {
      if (p.type !== 'attachment') {
        parts.push(p);
        continue;
      }
      const { ref } = p;
      if (ref.kind !== 'image') {
        parts.push({ type: 'text', text: fileBlock(ref, ref.kind === 'pdf' && ref.noText ? '' : await deps.text.textFor(ref.id)) });
        continue;
      }
      let img: Awaited<ReturnType<Downscaler['image']>>;
      try {
        img = await deps.images.image(ref.id, ref.mime, deps.limit, deps.plain);
      } catch (e) {
        // Stored as an image it could be read; now it cannot (damaged on disk): said as the store says it.
        throw new ParleyError('attachment_invalid', words('attachment_image_damaged', { name: ref.name }), { hop: 'config', phase: 'config' }, { cause: e });
      }
      if (!img) {
        parts.push({ type: 'text', text: `[The image "${quotedName(ref.name)}" is no longer stored: it could not be sent.]` });
        continue;
      }
      seen.count++;
      if (img.scaled) seen.scaled++;
      parts.push({ type: 'image', mime: img.mime, data: img.data.toString('base64'), name: ref.name });
    }
    // A message without images goes as one string (protocols/*.ts: some endpoints take only a string).
    out.push({ ...m, content: parts });
  }
  return { messages: out, images: seen };
}

/** Bytes of a request's messages without their images' data (what a body holds besides them), about. */
export function bytesBesideImages(messages: readonly ChatMessage[]): number {
  let n = 0;
  for (const m of messages) {
    if (typeof m.content === 'string') n += Buffer.byteLength(m.content) + 32;
    else for (const p of m.content) n += p.type === 'text' ? Buffer.byteLength(p.text) + 32 : 96;
  }
  // JSON escapes (a quote, a line break, a control character takes two or six bytes) and the request's other fields.
  return Math.ceil(n * 1.1) + 2048;
}

/** How many images a plan carries. */
export function plannedImages(messages: readonly PlannedMessage[]): number {
  let n = 0;
  for (const m of messages) if (typeof m.content !== 'string') for (const p of m.content) if (p.type === 'attachment' && p.ref.kind === 'image') n++;
  return n;
}
