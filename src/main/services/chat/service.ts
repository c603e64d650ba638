/**
 * The chat in main: main owns every request. An answer is saved as it arrives (its row at most about once a
 * second, and at the end), deltas are gathered and reach the window at most about once a frame, retries and
 * fallbacks are events shown where the answer is written, and a window that reloads catches up from a
 * snapshot (`active()`), dropping what it already has by sequence number.
 */
import { randomUUID } from 'node:crypto';
import { Answer, type Core, type RequestEvent } from '../../core/index.ts';
import type { ChatMessage } from '../../core/protocols/types.ts';
import { ParleyError } from '../../core/errors.ts';
import { words } from '../../../shared/messages/en.ts';
import { LIMITS as ANSWER_LIMITS, formatSize } from '../../core/limits.ts';
import type { ActiveStream, Conversation, Message, MessageRoute, PathMessage, StreamNotice } from '../../../shared/chat.ts';
import type { ErrorInfo } from '../../../shared/errors.ts';
import type { StoredSettings } from '../../../shared/settings.ts';
import { conversationModel } from '../../../shared/model-choice.ts';
import { contentForLog, type Logger } from '../diagnostics/logging.ts';
import { connectionFor } from '../settings/providers.ts';
import type { SettingsStore } from '../settings/store.ts';
import type { ChatStore } from '../storage/index.ts';
import type { Caller, WindowHub } from '../window-hub.ts';
import type { RequestRecord, RequestRecorder } from '../diagnostics/requests.ts';

/** How often gathered deltas go to the window (about one frame). */
export const FLUSH_MS = 16;
/** How often a streaming answer's row is saved. */
export const SAVE_MS = 1000;
/** The most answers streaming at once. */
export const MAX_ACTIVE = 16;
/** The most messages of a path a request reads (a conversation's own limit or the model's context cut further). */
export const MAX_HISTORY = 2000;
/** Where a model's context size is not known, a request carries at most about this many tokens of history. */
export const UNKNOWN_CONTEXT_TOKENS = 128_000;

export interface ChatServiceDeps {
  store: ChatStore;
  settings: SettingsStore;
  core: Core;
  hub: WindowHub;
  logger: Logger;
  /** Each request's timeline (route, connection, heads, retries, fallback, end): written to the log and kept for the network panel. */
  requests: RequestRecorder;
  /** Learns the secrets of settings used for a request (redaction). */
  learnSecrets?(settings: unknown): void;
  /** How a failure reaches the window and the disk: redacted. */
  redactError(e: ErrorInfo): ErrorInfo;
  /** Timers (tests may shorten them). */
  flushMs?: number;
  saveMs?: number;
}

export interface SendOutcome {
  requestId: string;
  conversation: Conversation;
  /** The messages of the shown path from the first one that changed (the renderer replaces its tail with them). */
  tail: PathMessage[];
}

interface Active {
  requestId: string;
  conversationId: string;
  messageId: string;
  windows: Set<string>;
  seq: number;
  /** Text of the message before this request (Continue joins onto it). */
  prefix: string;
  /** The answer as it arrives, gathered by the core (CallOptions.answer): read for the saves and a window's snapshot. */
  answer: Answer;
  pendingText: string;
  pendingReasoning: string;
  flushTimer?: NodeJS.Timeout;
  saveTimer?: NodeJS.Timeout;
  lastSave: number;
  abort: AbortController;
  stoppedByUser: boolean;
  startedAt: number;
  firstDeltaMs?: number;
  reasoningStart?: number;
  reasoningEnd?: number;
  notice?: StreamNotice;
  routeInfo: MessageRoute;
  done: Promise<void>;
  /** This request's timeline (the log and the network panel). */
  rec: RequestRecord;
}

export interface SendOptions {
  /** More windows that receive the answer's events (a queued question sent by main goes to every window). */
  windows?: string[];
  /** Leaves the conversation's draft as it is (a queued question is not what the composer holds). */
  keepDraft?: boolean;
}

/** A chat ended (after its end event), with its error when it failed or was cut. */
export interface ChatEnded {
  providerId: string;
  conversationId: string;
  messageId: string;
  error?: ErrorInfo;
}

export interface ChatService {
  /** Calls `listener` after every chat that ends (connectivity learns a route's state from them); returns its removal. */
  onEnded(listener: (ended: ChatEnded) => void): () => void;
  send(caller: Caller, args: { conversationId: string; text: string; editOf?: string }, opts?: SendOptions): SendOutcome;
  regenerate(caller: Caller, messageId: string): SendOutcome;
  continue(caller: Caller, messageId: string): SendOutcome;
  retry(caller: Caller, messageId: string): SendOutcome;
  stop(requestId: string): boolean;
  /** Streams in progress; the caller gets their events from now on. */
  active(caller: Caller): ActiveStream[];
  /** Whether a message is being written now. */
  isActive(messageId: string): boolean;
  /** Stops every answer being written in a conversation and waits until they are saved (before deleting it). */
  stopConversation(conversationId: string): Promise<void>;
  /** Stops every answer being written in a message or below it and waits until they are saved (before deleting it). */
  stopWithin(messageId: string): Promise<void>;
  /** Stops everything and saves what arrived (app quit). */
  close(): Promise<void>;
  /** Resolves when a request has ended (tests). */
  settled(requestId: string): Promise<void>;
}

const CONTINUE_PROMPT = 'Continue exactly where your previous answer stopped. Do not repeat what you already wrote and do not add any preamble.';

function titleFrom(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  const chars = [...line];
  // A question with no words of its own (blank lines): untitled, as a new chat is ('' is "New chat" in the window's language).
  return chars.length > 60 ? `${chars.slice(0, 57).join('')}…` : line;
}

/** Rough tokens of a text (≈4 characters a token, CJK ≈1 a token), for fitting a context size without a tokenizer. */
export function estimateTokens(text: string): number {
  let cjk = 0;
  for (const ch of text) if (ch.charCodeAt(0) > 0x2e80) cjk++;
  return Math.ceil((text.length - cjk) / 4) + cjk;
}

export function createChatService(deps: ChatServiceDeps): ChatService {
  const { store, hub } = deps;
  const flushMs = deps.flushMs ?? FLUSH_MS;
  const saveMs = deps.saveMs ?? SAVE_MS;
  const actives = new Map<string, Active>();
  const byMessage = new Map<string, Active>();
  const log = deps.logger.scope('transport');
  const endedListeners = new Set<(ended: ChatEnded) => void>();

  const emitTo = (a: Active, payload: Parameters<WindowHub['emit']>[2]): void => {
    for (const w of a.windows) hub.emit(w, 'chat:stream', payload as never);
  };

  const flush = (a: Active): void => {
    if (a.flushTimer) clearTimeout(a.flushTimer);
    a.flushTimer = undefined;
    if (!a.pendingText && !a.pendingReasoning) return;
    const seq = ++a.seq;
    const ev = { requestId: a.requestId, seq, type: 'delta' as const, conversationId: a.conversationId, messageId: a.messageId, text: a.pendingText, reasoning: a.pendingReasoning, ...(seq === 1 ? { base: a.prefix } : {}) };
    a.pendingText = '';
    a.pendingReasoning = '';
    emitTo(a, ev);
  };

  const save = (a: Active): void => {
    if (a.saveTimer) clearTimeout(a.saveTimer);
    a.saveTimer = undefined;
    a.lastSave = Date.now();
    try {
      store.updateMessage(a.messageId, { text: a.prefix + a.answer.text.toString(), reasoning: a.answer.reasoning.toString() });
    } catch (e) {
      log.error('saving a streaming answer failed', { requestId: a.requestId, error: e instanceof Error ? e.message : String(e) });
    }
  };

  const notice = (a: Active, n: StreamNotice): void => {
    flush(a);
    a.notice = n;
    const seq = ++a.seq;
    emitTo(a, { requestId: a.requestId, seq, type: 'notice', conversationId: a.conversationId, messageId: a.messageId, notice: n, ...(seq === 1 ? { base: a.prefix } : {}) });
  };

  /** A request's events: the answer's pieces are batched for the window and saved; every event joins its timeline. */
  const sink = (a: Active, retries: number) => (ev: RequestEvent): void => {
    a.rec.sink(ev);
    switch (ev.type) {
      case 'delta':
      case 'reasoning': {
        if (a.firstDeltaMs === undefined) a.firstDeltaMs = Date.now() - a.startedAt;
        if (a.notice?.kind === 'retry') a.notice = undefined;
        // The answer itself is gathered by the core (a.answer); what is kept here is what the next batch sends.
        if (ev.type === 'delta') {
          a.pendingText += ev.text;
        } else {
          a.reasoningStart ??= Date.now();
          a.reasoningEnd = Date.now();
          a.pendingReasoning += ev.text;
        }
        a.flushTimer ??= setTimeout(() => flush(a), flushMs);
        if (!a.saveTimer) a.saveTimer = setTimeout(() => save(a), Math.max(0, saveMs - (Date.now() - a.lastSave)));
        break;
      }
      case 'retry':
        a.routeInfo.retries = [...(a.routeInfo.retries ?? []), { attempt: ev.attempt, delayMs: ev.delayMs, reason: ev.reason }];
        notice(a, { kind: 'retry', attempt: ev.attempt + 1, of: retries + 1, delayMs: ev.delayMs, reason: ev.reason, at: Date.now() });
        break;
      case 'fallback':
        a.routeInfo.fallback = { reason: ev.reason, remembered: ev.remembered };
        notice(a, { kind: 'fallback', reason: ev.reason, remembered: ev.remembered });
        break;
      case 'route':
        a.routeInfo.route = ev.route;
        break;
      default:
        break;
    }
  };

  /** The messages a request carries: system prompt, then the path within the conversation's limits; never reasoning. */
  function buildRequest(conv: Conversation, path: Message[], contextTokens: number | undefined, defaults: StoredSettings['defaults']): ChatMessage[] {
    let msgs = path.filter((m) => (m.role === 'user' || m.role === 'assistant') && m.text.trim() !== '' && m.status !== 'failed');
    const limit = conv.contextMessages || defaults.contextMessages;
    if (limit > 0 && msgs.length > limit) msgs = msgs.slice(-limit);
    const system = conv.systemPrompt || '';
    {
      // Keep the newest messages that fit, leaving a quarter of the context for the answer.
      let budget = Math.floor((contextTokens ?? UNKNOWN_CONTEXT_TOKENS) * 0.75) - estimateTokens(system);
      let start = msgs.length;
      while (start > 0) {
        const cost = estimateTokens(msgs[start - 1]?.text ?? '') + 4;
        if (cost > budget && start < msgs.length) break;
        budget -= cost;
        start--;
      }
      msgs = msgs.slice(start);
    }
    // A request starts with the user's words.
    while (msgs.length > 1 && msgs[0]?.role !== 'user') msgs = msgs.slice(1);
    return [...(system ? [{ role: 'system' as const, content: system }] : []), ...msgs.map((m) => ({ role: m.role as 'user' | 'assistant', content: m.text }))];
  }

  /** A model-written title after the first answer (only when the user turned it on: it is an extra request). */
  async function autoTitle(a: Active, raw: ReturnType<typeof connectionFor>, history: ChatMessage[], answer: string): Promise<void> {
    const asked = history.filter((m) => m.role === 'user');
    if (asked.length !== 1 || history.some((m) => m.role === 'assistant')) return;
    try {
      const settings = deps.core.settings({ ...raw, network: { ...raw.network, stream: 'off' } });
      const rec = deps.requests.begin({ kind: 'title', url: raw.provider.baseUrl, method: 'POST', message: 'title request', data: { for: a.requestId, model: raw.provider.model } });
      const prompt = `Write a title of at most six words for this conversation. Answer with the title only, no quotes.\n\nQuestion: ${(asked[0]?.content ?? '').slice(0, 2000)}\n\nAnswer: ${answer.slice(0, 2000)}`;
      let r: Awaited<ReturnType<Core['chat']>>;
      try {
        r = await deps.core.chat(settings, { messages: [{ role: 'user', content: prompt }], maxTokens: 32 }, { signal: AbortSignal.timeout(60_000), sink: rec.sink });
        rec.done('title done', { mode: r.mode, attempts: r.attempts });
      } catch (e) {
        rec.failed(ParleyError.is(e) ? e.code : 'protocol_error', 'title failed', { error: e instanceof Error ? e.message : String(e) });
        throw e;
      }
      const title = r.text.replace(/^["'“”「」\s#*]+|["'“”「」\s.。]+$/g, '').replace(/\s+/g, ' ').slice(0, 80);
      if (!title) return;
      store.updateConversation(a.conversationId, { title });
      emitTo(a, { requestId: a.requestId, seq: ++a.seq, type: 'title', conversationId: a.conversationId, messageId: a.messageId, title });
    } catch (e) {
      log.warn('title request failed', { requestId: a.requestId, error: e instanceof Error ? e.message : String(e) });
    }
  }

  function start(caller: Caller, conv: Conversation, assistant: Message, history: ChatMessage[], prefix: string): string {
    if (actives.size >= MAX_ACTIVE) {
      throw new ParleyError('limit_exceeded', `At most ${MAX_ACTIVE} answers can be written at once.`, { hint: 'Wait for an answer to finish, or stop one.' });
    }
    const s = deps.settings.get();
    const provider = deps.settings.providerFor(assistant.providerId ?? conv.providerId ?? s.defaults.providerId ?? '');
    const raw = connectionFor(s, provider, assistant.model ?? conv.model ?? undefined);
    deps.learnSecrets?.(raw);
    const requestId = randomUUID();
    const a: Active = {
      requestId, conversationId: conv.id, messageId: assistant.id, windows: new Set([caller.windowId]), seq: 0, prefix,
      answer: new Answer(), pendingText: '', pendingReasoning: '', lastSave: Date.now(), abort: new AbortController(),
      stoppedByUser: false, startedAt: Date.now(), routeInfo: {}, done: Promise.resolve(),
      rec: deps.requests.begin({
        kind: 'chat', id: requestId, url: raw.provider.baseUrl, method: 'POST', message: 'chat request',
        data: { conversationId: conv.id, messageId: assistant.id, provider: provider.name, protocol: provider.protocol, baseUrl: provider.baseUrl, model: raw.provider.model, messages: history.length },
      }),
    };
    actives.set(requestId, a);
    byMessage.set(assistant.id, a);
    a.done = (async () => {
      let final: Partial<Message>;
      try {
        const settings = deps.core.settings(raw);
        const result = await deps.core.chat(settings, { messages: history }, {
          signal: a.abort.signal,
          sink: sink(a, settings.network.retries),
          answer: a.answer,
          // One bound for the whole message: what Continue adds counts with what is kept.
          ...(prefix ? { keptBytes: Buffer.byteLength(prefix) } : {}),
        });
        a.routeInfo.attempts = result.attempts;
        a.routeInfo.mode = result.mode;
        final = {
          status: 'complete', text: prefix + result.text, reasoning: result.reasoning,
          ...(result.usage ? { usage: result.usage } : {}), ...(result.finishReason ? { finishReason: result.finishReason } : {}),
        };
        a.rec.done('chat done', { mode: result.mode, attempts: result.attempts, chars: result.text.length });
        if (deps.logger.logContent) log.info('answer', { requestId, answer: contentForLog(result.text) });
      } catch (e) {
        const err = ParleyError.is(e) ? e : new ParleyError('protocol_error', e instanceof Error ? e.message : String(e), {}, { cause: e });
        const { partial: _p, ...info } = err.toInfo();
        const error = deps.redactError(info);
        const kept = prefix + a.answer.text.toString();
        const reasoning = a.answer.reasoning.toString();
        if (err.code === 'cancelled' && a.stoppedByUser) final = { status: 'stopped', text: kept, reasoning };
        else if (a.answer.text.length || reasoning || prefix) final = { status: 'interrupted', text: kept, reasoning, error };
        else final = { status: 'failed', text: '', reasoning, error };
        a.rec.failed(err.code, 'chat failed', { message: error.message, kept: kept.length });
      }
      flush(a);
      if (a.saveTimer) clearTimeout(a.saveTimer);
      if (a.flushTimer) clearTimeout(a.flushTimer);
      const now = Date.now();
      let message: Message;
      try {
        message = store.updateMessage(a.messageId, {
          ...final,
          ...(a.firstDeltaMs !== undefined ? { ttftMs: a.firstDeltaMs } : {}),
          durationMs: now - a.startedAt,
          ...(a.reasoningStart !== undefined ? { reasoningMs: (a.reasoningEnd ?? now) - a.reasoningStart } : {}),
          routeInfo: a.routeInfo,
        });
      } catch (e) {
        log.error('saving the answer failed', { requestId, error: e instanceof Error ? e.message : String(e) });
        message = { ...(store.getMessage(a.messageId) as Message), ...final } as Message;
      }
      actives.delete(requestId);
      byMessage.delete(a.messageId);
      emitTo(a, { requestId, seq: ++a.seq, type: 'end', conversationId: a.conversationId, messageId: a.messageId, message });
      if (!(message.status === 'stopped' && a.stoppedByUser)) {
        try {
          const ended: ChatEnded = { providerId: provider.id, conversationId: a.conversationId, messageId: a.messageId, ...(message.status !== 'complete' && message.error ? { error: message.error } : {}) };
          for (const listener of endedListeners) listener(ended);
        } catch (e) {
          log.warn('chat end not reported', { requestId, error: e instanceof Error ? e.message : String(e) });
        }
      }
      if (message.status === 'complete' && deps.settings.get().defaults.autoTitle) await autoTitle(a, raw, history, message.text);
    })();
    return requestId;
  }

  const conversation = (id: string): Conversation => {
    const c = store.getConversation(id);
    if (!c) throw new ParleyError('config_invalid', 'That conversation does not exist (it may have been deleted).', { hop: 'config', phase: 'config' });
    return c;
  };
  const message = (id: string): Message => {
    const m = store.getMessage(id);
    if (!m) throw new ParleyError('config_invalid', 'That message does not exist (it may have been deleted).', { hop: 'config', phase: 'config' });
    return m;
  };
  const busy = (messageId: string): void => {
    if (byMessage.has(messageId)) throw new ParleyError('config_invalid', 'That answer is still being written: stop it first.', { hop: 'config', phase: 'config' });
  };
  /** The shown path's messages from `fromId` on, with their version info. */
  const tailFrom = (conversationId: string, fromId: string): PathMessage[] => {
    const page = store.path(conversationId, { limit: 50 });
    const i = page.messages.findIndex((m) => m.id === fromId);
    return i === -1 ? page.messages.slice(-2) : page.messages.slice(i);
  };
  const providerAndModel = (conv: Conversation): { providerId: string; model: string } => {
    const s = deps.settings.get();
    if (conv.providerId && !s.providers.some((p) => p.id === conv.providerId)) {
      // Its provider was removed: the conversation goes on with the default one (the picker shows it), as a new one would.
      conv = store.updateConversation(conv.id, { providerId: null, model: null });
    }
    const choice = conversationModel(conv, s.providers, s.defaults);
    if (!choice) throw new ParleyError('config_invalid', words('no_provider', {}), { hop: 'config', phase: 'config' });
    const { providerId, model } = choice;
    const p = deps.settings.providerFor(providerId);
    if (!model) throw new ParleyError('config_invalid', `No model is chosen for ${p.name}.`, { hop: 'config', phase: 'config', hint: 'Choose a model in the conversation header, or fetch the provider\'s models in Settings → Providers.' });
    return { providerId, model };
  };
  const answer = (caller: Caller, conv: Conversation, parentId: string): { requestId: string; assistant: Message } => {
    const { providerId, model } = providerAndModel(conv);
    const assistant = store.addMessage({ conversationId: conv.id, parentId, role: 'assistant', text: '', reasoning: '', status: 'streaming', providerId, model });
    const history = buildRequest(conv, pathFor(conv, parentId), contextFor(providerId, model), deps.settings.get().defaults);
    return { requestId: start(caller, conv, assistant, history, ''), assistant };
  };
  /** The path up to a message, no longer than the request can use. */
  const pathFor = (conv: Conversation, leafId: string): Message[] => {
    const limit = conv.contextMessages || deps.settings.get().defaults.contextMessages || MAX_HISTORY;
    return store.pathMessages(conv.id, leafId, { limit: Math.min(limit, MAX_HISTORY) + 1 });
  };
  const contextFor = (providerId: string, model: string): number | undefined => {
    try {
      return deps.settings.providerFor(providerId).contextTokens[model];
    } catch {
      return undefined;
    }
  };

  return {
    onEnded(listener) {
      endedListeners.add(listener);
      return () => void endedListeners.delete(listener);
    },
    send(caller, { conversationId, text, editOf }, opts = {}) {
      let conv = conversation(conversationId);
      let parentId: string | null = conv.currentLeafId;
      if (editOf) {
        const old = message(editOf);
        if (old.conversationId !== conv.id || old.role !== 'user') throw new ParleyError('config_invalid', 'Only a question of this conversation can be edited.', { hop: 'config', phase: 'config' });
        parentId = old.parentId;
      } else if (parentId) {
        const leaf = store.getMessage(parentId);
        if (leaf && byMessage.has(leaf.id)) throw new ParleyError('config_invalid', 'An answer is still being written: stop it first.', { hop: 'config', phase: 'config' });
      }
      providerAndModel(conv);
      const user = store.addMessage({ conversationId: conv.id, parentId, role: 'user', text, reasoning: '', status: 'complete' });
      if (!parentId && conv.title === '') conv = store.updateConversation(conv.id, { title: titleFrom(text) });
      const { requestId } = answer(caller, conv, user.id);
      const a = actives.get(requestId);
      for (const w of opts.windows ?? []) a?.windows.add(w);
      conv = opts.keepDraft ? conversation(conv.id) : store.updateConversation(conv.id, { draft: '' });
      return { requestId, conversation: conv, tail: tailFrom(conv.id, user.id) };
    },
    regenerate(caller, messageId) {
      const old = message(messageId);
      if (old.role !== 'assistant' || !old.parentId) throw new ParleyError('config_invalid', 'Only an answer can be regenerated.', { hop: 'config', phase: 'config' });
      busy(messageId);
      const conv = conversation(old.conversationId);
      const { requestId, assistant } = answer(caller, conv, old.parentId);
      return { requestId, conversation: conversation(conv.id), tail: tailFrom(conv.id, assistant.id) };
    },
    retry(caller, messageId) {
      const old = message(messageId);
      if (old.role !== 'assistant' || !old.parentId) throw new ParleyError('config_invalid', 'Only an answer can be retried.', { hop: 'config', phase: 'config' });
      busy(messageId);
      // Retry is offered where an answer failed, stopped or was interrupted; a complete answer is regenerated instead.
      if (old.status !== 'failed' && old.status !== 'stopped' && old.status !== 'interrupted') {
        throw new ParleyError('config_invalid', 'Only an answer that failed, was stopped or was interrupted can be retried.', { hop: 'config', phase: 'config', hint: 'Use Regenerate for another version of a complete answer.' });
      }
      const conv = conversation(old.conversationId);
      if (old.text || old.reasoning) {
        // What was kept stays: the retry is a new version beside it (as Regenerate), whatever becomes of it.
        const { requestId, assistant } = answer(caller, conv, old.parentId);
        return { requestId, conversation: conversation(conv.id), tail: tailFrom(conv.id, assistant.id) };
      }
      const { providerId, model } = providerAndModel(conv);
      const reset = store.updateMessage(messageId, { text: '', reasoning: '', status: 'streaming', error: undefined, providerId, model });
      const history = buildRequest(conv, pathFor(conv, old.parentId), contextFor(providerId, model), deps.settings.get().defaults);
      const requestId = start(caller, conv, reset, history, '');
      return { requestId, conversation: conversation(conv.id), tail: tailFrom(conv.id, messageId) };
    },
    continue(caller, messageId) {
      const old = message(messageId);
      if (old.role !== 'assistant' || !old.parentId || !old.text) throw new ParleyError('config_invalid', 'Only an answer with text can be continued.', { hop: 'config', phase: 'config' });
      busy(messageId);
      const conv = conversation(old.conversationId);
      const { providerId, model } = providerAndModel(conv);
      const provider = deps.settings.providerFor(providerId);
      const history = buildRequest(conv, pathFor(conv, old.parentId), contextFor(providerId, model), deps.settings.get().defaults);
      // Anthropic continues a trailing assistant message (prefill); the others are asked to go on.
      if (provider.protocol === 'anthropic') history.push({ role: 'assistant', content: old.text.replace(/\s+$/, '') });
      else history.push({ role: 'assistant', content: old.text }, { role: 'user', content: CONTINUE_PROMPT });
      const prefix = provider.protocol === 'anthropic' ? old.text.replace(/\s+$/, '') : old.text;
      if (Buffer.byteLength(prefix) >= ANSWER_LIMITS.answerBytes) {
        const size = formatSize(ANSWER_LIMITS.answerBytes);
        throw new ParleyError('limit_exceeded', words('limit_continue', { size }), { hop: 'config', phase: 'config' });
      }
      const reset = store.updateMessage(messageId, { status: 'streaming', error: undefined, text: prefix });
      const requestId = start(caller, conv, reset, history, prefix);
      return { requestId, conversation: conversation(conv.id), tail: tailFrom(conv.id, messageId) };
    },
    stop(requestId) {
      const a = actives.get(requestId);
      if (!a) return false;
      a.stoppedByUser = true;
      a.abort.abort();
      return true;
    },
    active(caller) {
      return [...actives.values()].map((a) => {
        flush(a);
        a.windows.add(caller.windowId);
        return {
          requestId: a.requestId, conversationId: a.conversationId, messageId: a.messageId, text: a.prefix + a.answer.text.toString(), reasoning: a.answer.reasoning.toString(), seq: a.seq, startedAt: a.startedAt,
          ...(a.notice ? { notice: a.notice } : {}),
        };
      });
    },
    isActive: (messageId) => byMessage.has(messageId),
    async stopConversation(conversationId) {
      const mine = [...actives.values()].filter((a) => a.conversationId === conversationId);
      for (const a of mine) {
        a.stoppedByUser = true;
        a.abort.abort();
      }
      await Promise.all(mine.map((a) => a.done));
    },
    async stopWithin(messageId) {
      const m = store.getMessage(messageId);
      if (!m) return;
      // An answer is below the message when the message is on its path (at most MAX_ACTIVE paths are read).
      const mine = [...actives.values()].filter((a) => a.conversationId === m.conversationId
        && (a.messageId === messageId || store.pathMessages(a.conversationId, a.messageId).some((p) => p.id === messageId)));
      for (const a of mine) {
        a.stoppedByUser = true;
        a.abort.abort();
      }
      await Promise.all(mine.map((a) => a.done));
    },
    async close() {
      const all = [...actives.values()];
      for (const a of all) a.abort.abort();
      await Promise.all(all.map((a) => a.done));
    },
    async settled(requestId) {
      await actives.get(requestId)?.done;
    },
  };
}
