/**
 * The chat's data as both sides see it: conversations, messages (a tree of versions), search hits and the
 * stream events main pushes while an answer is written. Plain data only (it crosses IPC).
 */
import type { AnswerEnding, AnswerUsage, ThinkingChoice } from './answer.ts';
import type { ErrorInfo } from './errors.ts';
import type { AttachmentRef } from './attachments.ts';

export type MessageRole = 'system' | 'user' | 'assistant';

/** How many messages of the shown path a conversation opens with; older ones load as the user scrolls up. */
export const PAGE_SIZE = 60;

/**
 * complete: the answer ended normally. streaming: being written now (after a crash: shown as interrupted).
 * stopped: the user pressed Stop (partial text kept). interrupted: the connection or the process died mid-answer
 * (partial text kept). failed: no usable answer; `error` says why.
 */
export const MESSAGE_STATUSES = ['complete', 'streaming', 'stopped', 'interrupted', 'failed'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** A message's token usage (and cost): see shared/answer.ts. */
export type TokenUsage = AnswerUsage;

/** A conversation's own request parameters; absent ones take the provider's defaults. */
export interface ConversationParams {
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  thinking?: ThinkingChoice;
}

/** Earlier messages a request left out to fit the model's context (said in the window, never silent). */
export interface HistoryTrim {
  /** Messages of the path not sent. */
  leftOut: number;
  /** The context size fitted (tokens). */
  contextTokens: number;
  /** The model's context size is not known: `contextTokens` is Parley's assumption. */
  assumed?: boolean;
}

/** How an answer travelled: the route (direct / proxy and why), retries, and a streaming → whole fallback. */
export interface MessageRoute {
  /** What its request left out of the conversation to fit the model's context. */
  context?: HistoryTrim;
  /** A continued answer (its usage sums every part): what its last request read and wrote. */
  lastUsage?: { inputTokens?: number; outputTokens?: number };
  route?: string;
  attempts?: number;
  mode?: 'stream' | 'whole';
  /** `noReasoning`: the whole request turned thinking off (the provider thinks only in streams). */
  fallback?: { reason: string; remembered: boolean; noReasoning?: boolean };
  retries?: { attempt: number; delayMs: number; reason: string }[];
  /** Tool rounds the answer took (MCP); `exhausted`: it stopped at MAX_TOOL_ROUNDS while the model still asked for tools. */
  toolRounds?: { rounds: number; exhausted: boolean };
  /**
   * The question's images were sent smaller than the model takes, to fit a route that refuses large request
   * bodies (a 413): `limitBytes` the route's limit as Parley keeps it (about), `to` the bytes of the body sent,
   * `from` the bytes of the body refused (absent when the limit was remembered and fitted from the start), `by` who
   * refused it (a gateway in front of the provider, or the provider).
   */
  downscaled?: { limitBytes: number; to: number; from?: number; by: 'gateway' | 'provider'; remembered?: boolean };
  /** Images of the conversation not sent: the model cannot see images, and the user chose to send the text parts only. */
  imagesLeftOut?: number;
}

/**
 * One tool call of an answer, as the window shows it (a folded card) and the store keeps it. `asking`: waiting for
 * the user's approval; `denied`: the user said no (the model is told); `stopped`: Stop ended it.
 */
export const TOOL_RUN_STATES = ['asking', 'running', 'done', 'failed', 'denied', 'stopped'] as const;
export type ToolRunState = (typeof TOOL_RUN_STATES)[number];
export interface ToolRun {
  /** The model's id for the call. */
  id: string;
  /** Which round of the answer (1 = the first request) made it. */
  round: number;
  serverId: string;
  /** The server's name as configured, and the tool's own name. */
  server: string;
  tool: string;
  /** The arguments' JSON as the model wrote them (at most MAX_TOOL_SHOWN_CHARS kept). */
  arguments: string;
  state: ToolRunState;
  /** The result's text as the model got it (at most MAX_TOOL_SHOWN_CHARS kept); images are counted, not kept. */
  result?: string;
  images?: number;
  /** The tool said it failed (MCP isError), or the call failed (`error`). */
  isError?: boolean;
  error?: ErrorInfo;
  durationMs?: number;
}
/** What a tool card keeps of a call's arguments and result (the model got the whole result, up to its own bound). */
export const MAX_TOOL_SHOWN_CHARS = 20_000;

export interface Message {
  id: string;
  conversationId: string;
  /** The message this one answers or follows; null for the first message of a conversation. */
  parentId: string | null;
  role: MessageRole;
  text: string;
  /** Reasoning text (never sent back to a model). */
  reasoning: string;
  status: MessageStatus;
  error?: ErrorInfo;
  providerId?: string;
  model?: string;
  usage?: TokenUsage;
  /** Milliseconds from the request to the first delta. */
  ttftMs?: number;
  /** Milliseconds from the request to the end. */
  durationMs?: number;
  /** Milliseconds of reasoning (first to last reasoning delta). */
  reasoningMs?: number;
  routeInfo?: MessageRoute;
  /** The provider's own finish value, as sent (`ending` says what it means). */
  finishReason?: string;
  /** How the answer ended, normalised (absent on older messages and on user messages). */
  ending?: AnswerEnding;
  /** Files the question carries, in order (absent: none). */
  attachments?: AttachmentRef[];
  /** An answer's tool calls (MCP), in the order the model made them, each with its approval, result and duration. */
  tools?: ToolRun[];
  createdAt: number;
  updatedAt: number;
}

export interface Conversation {
  id: string;
  title: string;
  providerId: string | null;
  model: string | null;
  systemPrompt: string;
  /** How many earlier messages a request carries (0 = all that fit the model's context). */
  contextMessages: number;
  pinned: boolean;
  createdAt: number;
  updatedAt: number;
  /** The leaf of the path the conversation shows (the last message of the shown branch). */
  currentLeafId: string | null;
  /** The unsent text of the composer. */
  draft: string;
  /** Request parameters of this conversation ({} : the provider's defaults). */
  params: ConversationParams;
}

/** One message on the shown path, with where it sits among its siblings (‹ 2/3 ›). */
export interface PathMessage extends Message {
  /** 1-based index among the messages that share its parent (same role), and their number. */
  version: number;
  versions: number;
  /** Ids of all siblings in order (for switching versions). */
  siblingIds: string[];
}

export interface ConversationPage {
  conversation: Conversation;
  /** The shown path from the root to the current leaf (or the last `limit` messages of it). */
  messages: PathMessage[];
  /** Messages on the path before the first one returned (0 when it starts at the root). */
  before: number;
}

export interface SearchHit {
  conversationId: string;
  conversationTitle: string;
  /** null when the title matched. */
  messageId: string | null;
  role?: MessageRole;
  /** A short excerpt with the matches wrapped in SNIPPET_MARK_START / SNIPPET_MARK_END. */
  snippet: string;
  updatedAt: number;
}

/** Match markers inside snippets (private-use characters: never in real text, turned into <mark> by the renderer). */
export const SNIPPET_MARK_START = '\uE000';
export const SNIPPET_MARK_END = '\uE001';

/** A stream in progress, as the window sees it (sent again to a window that reloads). */
export interface ActiveStream {
  requestId: string;
  conversationId: string;
  messageId: string;
  text: string;
  reasoning: string;
  /** The sequence number of the last event folded into this snapshot. */
  seq: number;
  startedAt: number;
  notice?: StreamNotice;
}

/** What is shown where the answer is being written: a retry's countdown or a fallback. */
export type StreamNotice =
  | { kind: 'retry'; attempt: number; of: number; delayMs: number; reason: string; at: number }
  | { kind: 'fallback'; reason: string; remembered: boolean; noReasoning?: boolean }
  | { kind: 'route'; route: string };

/**
 * Events of one request; `seq` grows by one per event of that request, so a window can drop what it already
 * has. The first event (seq 1) carries `base`: the message's text before this request (Continue joins onto it).
 */
export type ChatStreamEvent =
  | { requestId: string; seq: number; type: 'delta'; conversationId: string; messageId: string; text: string; reasoning: string; base?: string }
  | { requestId: string; seq: number; type: 'notice'; conversationId: string; messageId: string; notice: StreamNotice; base?: string }
  | { requestId: string; seq: number; type: 'end'; conversationId: string; messageId: string; message: Message }
  /** A tool call of the answer started, was approved or denied, or ended (its whole card, replacing the one with its id). */
  | { requestId: string; seq: number; type: 'tool'; conversationId: string; messageId: string; tool: ToolRun; base?: string }
  /** After the first answer, when the user turned on model-written titles. */
  | { requestId: string; seq: number; type: 'title'; conversationId: string; messageId: string; title: string };

/**
 * A question the user chose to send when the provider's route answers again (offline): kept by main
 * in a bounded queue (persisted in the data folder), shown by the window as pending under its conversation.
 */
export interface QueuedMessage {
  id: string;
  conversationId: string;
  text: string;
  createdAt: number;
}
/** The most questions waiting at once (each bounded as a sent message). */
export const MAX_QUEUED = 20;
