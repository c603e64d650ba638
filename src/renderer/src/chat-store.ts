/**
 * The chat's state in the window: the conversation list, the open conversation's shown path, answers being
 * written (by message id, fed by 'chat:stream' events that main sends about once a frame), search, and the
 * failure to show as a card. Actions talk to main through api.ts and never throw.
 *
 * An answer's deltas are gathered and committed at most once an animation frame (one render for however many
 * events arrived: a window that fell behind catches up in one step, not one render per event), in order and
 * exactly; any other event of the stream (a notice, the end, a title) commits what was gathered first, at once.
 * A window that draws no frames (hidden) commits by a timer instead.
 *
 * Answers being written live in a store of their own (`useLive`): a frame's commit changes only that small state
 * and calls only the listeners of the components that show an answer being written, not every subscriber of the
 * chat's state (the list, the composer, each row's actions…), whose selectors all ran on every frame before.
 */
import { create } from 'zustand';
import { PAGE_SIZE, type ChatStreamEvent, type Conversation, type ConversationPage, type Message, type PathMessage, type SearchHit, type StreamNotice, type ToolRun } from '../../shared/chat.ts';
import type { ErrorInfo } from '../../shared/errors.ts';
import type { AttachmentRef } from '../../shared/attachments.ts';
import type { BootState, ConversationPatch, NetState, NetStatus, SendResult } from '../../shared/ipc.ts';
import { call } from './api.ts';
import { log } from './log.ts';
import i18n from './i18n.ts';
import { timedCommit } from './stream-probe.ts';

const PAGE = PAGE_SIZE;

export interface LiveAnswer {
  requestId: string;
  conversationId: string;
  text: string;
  reasoning: string;
  seq: number;
  notice?: StreamNotice;
  /** The answer's tool calls so far (MCP), each as its latest 'tool' event said. */
  tools?: ToolRun[];
  startedAt: number;
  /**
   * How the last commit grew `text`: the string before it and what it appended. The markdown splitter then reads
   * only the new characters (reading the whole string would copy it: V8 flattens a concatenation when read).
   */
  grown?: { from: string; added: string };
  /**
   * What `text` was made of, in order (one array, grown in place by each commit): the end of the answer compares
   * the stored text with these instead of with `text`, a concatenation V8 would flatten (80-340 ms at 4 MB).
   */
  pieces?: string[];
}

/**
 * Whether the answer's stored text is the live text, compared piece by piece (never reading the live text whole).
 * When it is, the window goes on with the string it has rendered: equal strings that are not the same string are
 * compared character by character, and a concatenation is first copied into one string.
 */
export function streamedAsStored(stored: string, live: LiveAnswer | undefined): live is LiveAnswer {
  if (!live?.pieces || live.text.length !== stored.length) return false;
  let at = 0;
  for (const piece of live.pieces) {
    if (!stored.startsWith(piece, at)) return false;
    at += piece.length;
  }
  return at === stored.length;
}

export interface ChatState {
  conversations: Conversation[];
  listLoaded: boolean;
  currentId: string | null;
  page: ConversationPage | null;
  opening: boolean;
  /**
   * Answers that ended, by request id: an end can arrive before the call that started the request returns (or a
   * read of the conversation). The ENDED_KEPT most recent.
   */
  finished: Record<string, Message>;
  /** A failure of an action (not of an answer: those are cards on the message). */
  actionError: ErrorInfo | null;
  search: { query: string; hits: SearchHit[]; running: boolean };
  /** A message to scroll to once it is on screen (a search hit). */
  focusMessageId: string | null;
  /** The words of the search a message was opened for: marked in it while that search stands. */
  highlight: { messageId: string; words: string[] } | null;
  /** The message being edited (its text and attachments go to the composer; sending makes a new branch). */
  editing: { messageId: string; text: string; attachments?: AttachmentRef[] } | null;
  /** The provider routes' states and the questions waiting for them (issue 10, offline); null until main answered. */
  net: NetState | null;

  /** The start's data: the list, streams in progress (with their text so far), the conversation to show. */
  applyBoot(boot: BootState): void;
  loadList(): Promise<void>;
  open(id: string, focusMessageId?: string | null): Promise<void>;
  /** Opens a search hit: its conversation at the version that holds it, the search's words marked there. */
  openHit(hit: SearchHit, query: string): Promise<void>;
  loadEarlier(): Promise<void>;
  newChat(): Promise<void>;
  /** Sends a question (with the ids of its attachments; `withoutImages`: the user chose to send the text parts only). */
  send(text: string, extra?: { attachments?: string[]; withoutImages?: boolean }): Promise<boolean>;
  stop(messageId?: string): Promise<void>;
  regenerate(messageId: string): Promise<void>;
  retry(messageId: string): Promise<void>;
  continueAnswer(messageId: string): Promise<void>;
  switchVersion(messageId: string): Promise<void>;
  deleteMessage(messageId: string): Promise<void>;
  startEdit(messageId: string): void;
  cancelEdit(): void;
  update(id: string, patch: ConversationPatch): Promise<void>;
  remove(id: string): Promise<void>;
  exportConversation(id: string, format: 'markdown' | 'json'): Promise<string | null>;
  /** Imports through main's open dialog: how many conversations came in, or 'cancelled' (nothing came in). */
  importConversations(): Promise<number | 'cancelled'>;
  runSearch(query: string): Promise<void>;
  onStream(ev: ChatStreamEvent): void;
  clearFocus(): void;
  dismissActionError(): void;
  /** Tells main the OS's online state (navigator.onLine) and takes the routes' states; 'connectivity:state' events follow. */
  reportOnline(online: boolean): Promise<void>;
  onNetState(state: NetState): void;
  /** Keeps the question to send when the route answers again (the user's choice for this message). */
  queue(text: string): Promise<boolean>;
  unqueue(id: string): Promise<void>;
  /** Reads the open conversation again (a queued question main sent). */
  refresh(): Promise<void>;
}

/** Answers being written (the state a frame's commit changes, kept apart from the chat's: see the header). */
export interface LiveState {
  /** Answers being written, by message id. */
  live: Record<string, LiveAnswer>;
  /** Last seq seen per request (events at or below it are already folded in): the SEEN_KEPT most recent. */
  seen: Record<string, number>;
}

/** Answers being written; changed only by the chat store's actions (use `useChat`'s actions, never set this). */
export const useLive = create<LiveState>()(() => ({ live: {}, seen: {} }));

/** Whether an answer is being written into a message of this page (its shown path). */
export function streamingIn(live: Readonly<Record<string, LiveAnswer>>, page: ConversationPage | null): boolean {
  if (!page) return false;
  const { messages } = page;
  for (const [id, a] of Object.entries(live)) {
    if (a.conversationId !== page.conversation.id) continue;
    // From the end: an answer being written is the path's last message, or near it.
    for (let i = messages.length - 1; i >= 0; i--) if (messages[i]?.id === id) return true;
  }
  return false;
}

/** Whether an answer is being written into the open conversation's shown path (changes when one starts or ends). */
export function useStreamingHere(): boolean {
  const page = useChat((s) => s.page);
  return useLive((s) => streamingIn(s.live, page));
}

/** The state of the route a conversation's questions take: its own, else offline when the OS says so. */
export function routeStatus(net: NetState | null, providerId: string | null | undefined): { state: NetStatus; route: string; provider: string } {
  const r = providerId ? net?.routes.find((x) => x.providerId === providerId) : undefined;
  if (r) return { state: r.state, route: r.route, provider: r.provider };
  return { state: net && !net.osOnline ? 'offline' : 'online', route: '', provider: '' };
}

function sortList(list: Conversation[]): Conversation[] {
  return [...list].sort((a, b) => Number(b.pinned) - Number(a.pinned) || b.updatedAt - a.updatedAt);
}

/** The page with its path cut after the tail's parent and the tail appended (send, regenerate, retry…). */
function withTail(page: ConversationPage, tail: PathMessage[]): ConversationPage {
  const first = tail[0];
  if (!first) return page;
  const at = page.messages.findIndex((m) => m.id === first.id);
  const parentAt = first.parentId ? page.messages.findIndex((m) => m.id === first.parentId) : -1;
  const cut = at !== -1 ? at : parentAt + 1;
  return { ...page, messages: [...page.messages.slice(0, cut), ...tail] };
}

/** How many ended answers the window remembers (an end overtakes its call or a read by moments, not by fifty answers). */
export const ENDED_KEPT = 50;
/** How many requests' last seq the window remembers (those being written are far fewer: main writes a few at once). */
export const SEEN_KEPT = 200;

/** The record with `key` set to `value` as its most recent entry, its oldest entries dropped beyond `max`. */
export function withRecent<T>(record: Readonly<Record<string, T>>, key: string, value: T, max: number): Record<string, T> {
  // Already the most recent (every frame of an answer being written): a copy with the value, no delete (a delete
  // turns the object into a slow dictionary, copied again at the next frame).
  const keys = Object.keys(record);
  if (keys[keys.length - 1] === key) return { ...record, [key]: value };
  const rest: Record<string, T> = { ...record };
  delete rest[key];
  const left = Object.keys(rest);
  for (const k of left.slice(0, Math.max(0, left.length + 1 - max))) delete rest[k];
  rest[key] = value;
  return rest;
}

/** Gathered deltas are committed by this timer when no animation frame came first (a hidden window draws none). */
export const STREAM_COMMIT_FALLBACK_MS = 100;

/** One answer's deltas gathered since the last commit. */
interface Gathered {
  requestId: string;
  conversationId: string;
  /** The first event's base (the text the message had before this request: Continue), when it carried one. */
  base?: string;
  text: string[];
  reasoning: string[];
  /** The last event's seq. */
  seq: number;
  events: number;
}

let searchSeq = 0;
/** Requests of main (queued questions) whose messages made the window read its conversation again: once each. */
const refreshedFor = new Set<string>();

export const useChat = create<ChatState>()((set, get) => {
  const fail = (error: ErrorInfo, context: string): void => {
    set({ actionError: error });
    log.warn(context, error);
  };
  const afterSend = (r: SendResult): void => {
    commitGathered();
    const { page, finished } = get();
    // The answer may already have ended (its events overtook this call's result).
    const done = finished[r.requestId];
    const tail = r.tail.map((m) => (done && m.id === done.id ? { ...m, ...done } : m));
    const last = tail[tail.length - 1];
    // Both stores change in this task: React renders them together.
    if (last && last.status === 'streaming' && !useLive.getState().live[last.id] && !done) {
      useLive.setState((s) => ({ live: { ...s.live, [last.id]: { requestId: r.requestId, conversationId: r.conversation.id, text: last.text, reasoning: last.reasoning, seq: 0, startedAt: Date.now() } } }));
    }
    set((s) => ({
      page: page && page.conversation.id === r.conversation.id ? { ...withTail(page, tail), conversation: r.conversation } : page,
      conversations: sortList([r.conversation, ...s.conversations.filter((c) => c.id !== r.conversation.id)]),
      editing: null,
      actionError: null,
    }));
  };
  // Deltas gathered since the last commit, by message id; committed at the next animation frame (or timer).
  let gathered = new Map<string, Gathered>();
  let frame: number | undefined;
  /** When the deltas waiting now began to wait (Date.now()); 0: none waiting. */
  let waitingSince = 0;
  /**
   * The fallback for a window that draws no frames: a timer that stays armed across commits while deltas keep
   * coming (it looks again when it fires), not one armed and cleared per frame (setTimeout was a third of an
   * event's own cost).
   */
  let watchdog: ReturnType<typeof setTimeout> | undefined;
  const watch = (): void => {
    watchdog = undefined;
    if (!waitingSince) return; // frames committed everything: armed again when deltas wait again
    const waited = Date.now() - waitingSince;
    if (waited >= STREAM_COMMIT_FALLBACK_MS) onFrame();
    else watchdog = setTimeout(watch, STREAM_COMMIT_FALLBACK_MS - waited);
  };
  /** Commits the gathered deltas now (one state change for all of them). */
  const commitGathered = (): void => {
    if (frame !== undefined) cancelAnimationFrame(frame);
    frame = undefined;
    waitingSince = 0;
    if (!gathered.size) return;
    const batch = gathered;
    gathered = new Map();
    useLive.setState((s) => {
      const live = { ...s.live };
      let seen = s.seen;
      for (const [messageId, g] of batch) {
        const known = live[messageId];
        // A request this window has not seen yet starts from the text the message had before it (Continue).
        const cur = known && known.requestId === g.requestId ? known : { requestId: g.requestId, conversationId: g.conversationId, text: g.base ?? '', reasoning: '', seq: 0, startedAt: Date.now() };
        const added = g.text.join('');
        const pieces = cur.pieces ?? (cur.text ? [cur.text] : []);
        if (added) pieces.push(added);
        live[messageId] = {
          ...cur,
          pieces,
          seq: g.seq,
          text: cur.text + added,
          ...(added ? { grown: { from: cur.text, added } } : {}),
          reasoning: cur.reasoning + g.reasoning.join(''),
          ...(cur.notice?.kind === 'retry' ? { notice: undefined } : {}),
        };
        seen = withRecent(seen, g.requestId, g.seq, SEEN_KEPT);
      }
      return { live, seen };
    });
  };
  const onFrame = (): void => {
    let n = 0;
    for (const g of gathered.values()) n += g.events;
    timedCommit(n, commitGathered);
  };
  const gather = (ev: Extract<ChatStreamEvent, { type: 'delta' }>): void => {
    let g = gathered.get(ev.messageId);
    if (g && g.requestId !== ev.requestId) {
      // Another request writes this message (Continue right after a stop): the first one's deltas go first.
      commitGathered();
      g = undefined;
    }
    if (!g) {
      g = { requestId: ev.requestId, conversationId: ev.conversationId, ...(ev.base !== undefined ? { base: ev.base } : {}), text: [], reasoning: [], seq: 0, events: 0 };
      gathered.set(ev.messageId, g);
    }
    g.text.push(ev.text);
    g.reasoning.push(ev.reasoning);
    g.seq = ev.seq;
    g.events++;
    if (!waitingSince) {
      waitingSince = Date.now();
      if (typeof requestAnimationFrame === 'function') frame = requestAnimationFrame(onFrame);
      watchdog ??= setTimeout(watch, STREAM_COMMIT_FALLBACK_MS);
    }
  };
  /** The last seq of a request gathered but not yet committed (0: none). */
  const gatheredSeq = (requestId: string): number => {
    for (const g of gathered.values()) if (g.requestId === requestId) return g.seq;
    return 0;
  };

  const replaceMessage = (m: Message): void => {
    set((s) => {
      if (!s.page || s.page.conversation.id !== m.conversationId) return {};
      return { page: { ...s.page, messages: s.page.messages.map((x) => (x.id === m.id ? { ...x, ...m } : x)) } };
    });
  };

  return {
    conversations: [],
    listLoaded: false,
    currentId: null,
    page: null,
    opening: false,
    finished: {},
    actionError: null,
    search: { query: '', hits: [], running: false },
    focusMessageId: null,
    highlight: null,
    editing: null,
    net: null,

    applyBoot(boot) {
      // Deltas gathered before the start's data are in its snapshot: committed first, then overwritten by it.
      commitGathered();
      if (boot.active.length) {
        useLive.setState((s) => {
          const live = { ...s.live };
          let seen = s.seen;
          for (const a of boot.active) {
            live[a.messageId] = { requestId: a.requestId, conversationId: a.conversationId, text: a.text, reasoning: a.reasoning, seq: a.seq, startedAt: a.startedAt, ...(a.notice ? { notice: a.notice } : {}) };
            seen = withRecent(seen, a.requestId, Math.max(seen[a.requestId] ?? 0, a.seq), SEEN_KEPT);
          }
          return { live, seen };
        });
      }
      set((s) => ({
        conversations: sortList(boot.conversations),
        listLoaded: true,
        ...(boot.page && !s.currentId ? { page: boot.page, currentId: boot.page.conversation.id } : {}),
      }));
    },

    async loadList() {
      const r = await call('conversationsList', (api) => api.conversationsList());
      if (r.ok) set({ conversations: sortList(r.value), listLoaded: true });
      else fail(r.error, 'conversation list failed');
    },

    async open(id, focusMessageId = null) {
      set((s) => ({ currentId: id, opening: true, focusMessageId, editing: null, highlight: s.highlight?.messageId === focusMessageId ? s.highlight : null }));
      const r = await call('conversationsOpen', (api) => api.conversationsOpen(id, { limit: PAGE }));
      if (get().currentId !== id) return;
      if (!r.ok) {
        set({ opening: false, page: null });
        return fail(r.error, 'open conversation failed');
      }
      let page = r.value;
      if (focusMessageId && !page.messages.some((m) => m.id === focusMessageId) && page.before > 0) {
        // The hit is older than the first page: open the whole path up to it.
        const all = await call('conversationsOpen', (api) => api.conversationsOpen(id, { limit: page.before + page.messages.length }));
        if (all.ok) page = all.value;
      }
      if (focusMessageId && !page.messages.some((m) => m.id === focusMessageId)) {
        // Not on the shown path: it is in another version; show that one.
        const shown = await call('messagesSwitch', (api) => api.messagesSwitch(id, focusMessageId));
        if (get().currentId !== id) return;
        if (shown.ok) page = shown.value;
      }
      set({ page, opening: false });
    },

    async openHit(hit, query) {
      const words = [...new Set(query.split(/\s+/).filter(Boolean))];
      set({ highlight: hit.messageId && words.length ? { messageId: hit.messageId, words } : null });
      await get().open(hit.conversationId, hit.messageId);
    },

    async loadEarlier() {
      const { page } = get();
      if (!page || page.before === 0) return;
      const limit = Math.min(page.messages.length + PAGE * 4, page.messages.length + page.before);
      const r = await call('conversationsOpen', (api) => api.conversationsOpen(page.conversation.id, { limit }));
      if (r.ok && get().page?.conversation.id === page.conversation.id) set({ page: r.value });
    },

    async newChat() {
      // An empty conversation that is already open is the new chat: no pile of empty "New chat" entries.
      const open = get().page;
      if (open && open.messages.length === 0 && open.before === 0) return set({ editing: null, focusMessageId: null });
      const r = await call('conversationsCreate', (api) => api.conversationsCreate());
      if (!r.ok) return fail(r.error, 'new chat failed');
      set((s) => ({ conversations: sortList([r.value, ...s.conversations]), currentId: r.value.id, page: { conversation: r.value, messages: [], before: 0 }, editing: null, focusMessageId: null }));
    },

    async send(text, extra) {
      let { page } = get();
      if (!page) {
        await get().newChat();
        page = get().page;
        if (!page) return false;
      }
      const editing = get().editing;
      const args = {
        conversationId: page.conversation.id,
        text,
        ...(editing ? { editOf: editing.messageId } : {}),
        ...(extra?.attachments?.length ? { attachments: extra.attachments } : {}),
        ...(extra?.withoutImages ? { withoutImages: true } : {}),
      };
      const r = await call('chatSend', (api) => api.chatSend(args));
      if (!r.ok) {
        fail(r.error, 'send failed');
        return false;
      }
      afterSend(r.value);
      log.info('message sent', { conversationId: args.conversationId, edit: !!editing, attachments: extra?.attachments?.length ?? 0, withoutImages: !!extra?.withoutImages });
      return true;
    },

    async stop(messageId) {
      const live = useLive.getState().live;
      const ids = messageId ? [messageId] : Object.keys(live).filter((id) => get().page?.messages.some((m) => m.id === id));
      for (const id of ids) {
        const a = live[id];
        if (a) await call('chatStop', (api) => api.chatStop(a.requestId));
      }
    },

    async regenerate(messageId) {
      const r = await call('chatRegenerate', (api) => api.chatRegenerate(messageId));
      if (r.ok) afterSend(r.value);
      else fail(r.error, 'regenerate failed');
    },
    async retry(messageId) {
      const r = await call('chatRetry', (api) => api.chatRetry(messageId));
      if (r.ok) afterSend(r.value);
      else fail(r.error, 'retry failed');
    },
    async continueAnswer(messageId) {
      const r = await call('chatContinue', (api) => api.chatContinue(messageId));
      if (r.ok) afterSend(r.value);
      else fail(r.error, 'continue failed');
    },

    async switchVersion(messageId) {
      const { page } = get();
      if (!page) return;
      const r = await call('messagesSwitch', (api) => api.messagesSwitch(page.conversation.id, messageId));
      if (r.ok) set({ page: r.value });
      else fail(r.error, 'switch version failed');
    },

    async deleteMessage(messageId) {
      const r = await call('messagesDelete', (api) => api.messagesDelete(messageId));
      if (r.ok) set({ page: r.value });
      else fail(r.error, 'delete message failed');
    },

    startEdit(messageId) {
      const m = get().page?.messages.find((x) => x.id === messageId);
      if (m) set({ editing: { messageId, text: m.text, ...(m.attachments?.length ? { attachments: m.attachments } : {}) } });
    },
    cancelEdit() {
      set({ editing: null });
    },

    async update(id, patch) {
      const r = await call('conversationsUpdate', (api) => api.conversationsUpdate(id, patch));
      if (!r.ok) return fail(r.error, 'update conversation failed');
      set((s) => ({
        conversations: 'draft' in patch && Object.keys(patch).length === 1 ? s.conversations.map((c) => (c.id === id ? r.value : c)) : sortList(s.conversations.map((c) => (c.id === id ? r.value : c))),
        page: s.page && s.page.conversation.id === id ? { ...s.page, conversation: r.value } : s.page,
      }));
    },

    async remove(id) {
      const r = await call('conversationsDelete', (api) => api.conversationsDelete(id));
      if (!r.ok) return fail(r.error, 'delete conversation failed');
      set((s) => ({
        conversations: s.conversations.filter((c) => c.id !== id),
        ...(s.currentId === id ? { currentId: null, page: null } : {}),
        search: { ...s.search, hits: s.search.hits.filter((h) => h.conversationId !== id) },
      }));
    },

    async exportConversation(id, format) {
      // Markdown's headings in the window's language.
      const r = await call('conversationsExport', (api) => api.conversationsExport(id, format, i18n.language === 'zh' ? 'zh' : 'en'));
      if (!r.ok) {
        fail(r.error, 'export failed');
        return null;
      }
      return r.value;
    },

    async importConversations() {
      const r = await call('conversationsImport', (api) => api.conversationsImport());
      if (!r.ok) {
        if (r.error.code === 'cancelled') return 'cancelled';
        fail(r.error, 'import failed');
        return 0;
      }
      if (r.value.length) await get().loadList();
      return r.value.length;
    },

    async runSearch(query) {
      const mine = ++searchSeq;
      if (!query.trim()) return set({ search: { query, hits: [], running: false }, highlight: null });
      set((s) => ({ search: { ...s.search, query, running: true } }));
      const r = await call('conversationsSearch', (api) => api.conversationsSearch(query));
      if (mine !== searchSeq) return; // a newer query is on its way
      if (r.ok) set({ search: { query, hits: r.value, running: false } });
      else {
        set({ search: { query, hits: [], running: false } });
        fail(r.error, 'search failed');
      }
    },

    onStream(ev) {
      const shown = get().page;
      // An answer main started by itself (a queued question): the open conversation is read again to show it.
      if (shown && shown.conversation.id === ev.conversationId && !shown.messages.some((m) => m.id === ev.messageId) && !refreshedFor.has(`${ev.requestId}:${ev.type === 'end' ? 'end' : 'start'}`)) {
        refreshedFor.add(`${ev.requestId}:${ev.type === 'end' ? 'end' : 'start'}`);
        if (refreshedFor.size > 200) refreshedFor.clear();
        void get().refresh();
      }
      const seen = Math.max(useLive.getState().seen[ev.requestId] ?? 0, gatheredSeq(ev.requestId));
      if (ev.seq <= seen) return; // already folded in (a snapshot after a reload)
      if (ev.type === 'delta') return gather(ev);
      // Any other event comes after the deltas before it: they are committed first, at once (one render with it).
      commitGathered();
      useLive.setState((s) => ({ seen: withRecent(s.seen, ev.requestId, ev.seq, SEEN_KEPT) }));
      if (ev.type === 'title') {
        set((s) => ({
          conversations: s.conversations.map((c) => (c.id === ev.conversationId ? { ...c, title: ev.title } : c)),
          page: s.page && s.page.conversation.id === ev.conversationId ? { ...s.page, conversation: { ...s.page.conversation, title: ev.title } } : s.page,
        }));
        return;
      }
      if (ev.type === 'end') {
        // The live answer goes and the stored message comes in this task: React renders them together.
        const was = useLive.getState().live[ev.messageId];
        const mine = was?.requestId === ev.requestId ? was : undefined;
        useLive.setState((s) => {
          const { [ev.messageId]: _done, ...live } = s.live;
          return { live };
        });
        set((s) => ({ finished: withRecent(s.finished, ev.requestId, ev.message, ENDED_KEPT) }));
        replaceMessage(streamedAsStored(ev.message.text, mine) ? { ...ev.message, text: mine.text } : ev.message);
        set((s) => ({ conversations: sortList(s.conversations.map((c) => (c.id === ev.conversationId ? { ...c, updatedAt: ev.message.updatedAt } : c))) }));
        return;
      }
      useLive.setState((s) => {
        const known = s.live[ev.messageId];
        // A request this window has not seen yet starts from the text the message had before it (Continue).
        const cur = known && known.requestId === ev.requestId ? known : { requestId: ev.requestId, conversationId: ev.conversationId, text: ev.base ?? '', reasoning: '', seq: 0, startedAt: Date.now() };
        const next: LiveAnswer = ev.type === 'tool'
          ? { ...cur, requestId: ev.requestId, seq: ev.seq, tools: [...(cur.tools ?? []).filter((t) => t.id !== ev.tool.id), ev.tool] }
          : { ...cur, requestId: ev.requestId, seq: ev.seq, notice: ev.notice };
        return { live: { ...s.live, [ev.messageId]: next } };
      });
    },

    clearFocus() {
      set({ focusMessageId: null });
    },
    dismissActionError() {
      set({ actionError: null });
    },

    async reportOnline(online) {
      const r = await call('connectivityOsOnline', (api) => api.connectivityOsOnline(online));
      if (r.ok) get().onNetState(r.value);
      else log.warn('network state not read', r.error);
    },

    onNetState(state) {
      const before = get().net;
      set({ net: state });
      const id = get().page?.conversation.id;
      // A question of the open conversation left the queue: main sent it (or it was removed): show the conversation as it is now.
      if (id && before && before.queue.some((q) => q.conversationId === id && !state.queue.some((x) => x.id === q.id))) void get().refresh();
    },

    async queue(text) {
      let { page } = get();
      if (!page) {
        await get().newChat();
        page = get().page;
        if (!page) return false;
      }
      const conversationId = page.conversation.id;
      const r = await call('chatQueue', (api) => api.chatQueue({ conversationId, text }));
      if (!r.ok) {
        fail(r.error, 'queue failed');
        return false;
      }
      const item = r.value;
      set((s) => ({ actionError: null, net: s.net ? (s.net.queue.some((q) => q.id === item.id) ? s.net : { ...s.net, queue: [...s.net.queue, item] }) : { osOnline: true, routes: [], queue: [item] } }));
      // The composer's text was the draft: it is a queued question now.
      void get().update(conversationId, { draft: '' });
      log.info('question queued', { conversationId });
      return true;
    },

    async unqueue(id) {
      const r = await call('chatUnqueue', (api) => api.chatUnqueue(id));
      if (!r.ok) return fail(r.error, 'unqueue failed');
      set((s) => (s.net ? { net: { ...s.net, queue: s.net.queue.filter((q) => q.id !== id) } } : {}));
    },

    async refresh() {
      const page = get().page;
      if (!page) return;
      const id = page.conversation.id;
      const r = await call('conversationsOpen', (api) => api.conversationsOpen(id, { limit: Math.max(PAGE, page.messages.length + 2) }));
      if (!r.ok || get().page?.conversation.id !== id) return;
      // An answer that ended before this read returned keeps its end.
      const ended = new Map(Object.values(get().finished).map((m) => [m.id, m]));
      const messages = r.value.messages.map((m) => {
        const done = ended.get(m.id);
        return done && m.status === 'streaming' ? { ...m, ...done } : m;
      });
      set((s) => ({
        page: { ...r.value, messages },
        conversations: sortList(s.conversations.map((c) => (c.id === id ? r.value.conversation : c))),
      }));
    },
  };
});
