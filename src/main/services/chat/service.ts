/**
 * The chat in main: main owns every request. An answer is saved as it arrives (its row at most about once a
 * second, and at the end), deltas are gathered and reach the window at most about once a frame, retries and
 * fallbacks are events shown where the answer is written, and a window that reloads catches up from a
 * snapshot (`active()`), dropping what it already has by sequence number.
 *
 * The parts: commands.ts (send, regenerate, retry, continue), answers.ts (the answers being written, their stops
 * and "chat ended"), stream-run.ts (one answer's request to its end), batching.ts (deltas to the window, saves),
 * history.ts (what a request carries), titles.ts.
 */
import type { ToolDeps } from './tool-loop.ts';
import type { Core } from '../../core/index.ts';
import type { AttachmentRef } from '../../../shared/attachments.ts';
import type { Conversation, PathMessage, ActiveStream } from '../../../shared/chat.ts';
import type { ErrorInfo } from '../../../shared/errors.ts';
import type { Logger } from '../diagnostics/logging.ts';
import type { SettingsStore } from '../settings/store.ts';
import type { ChatStore } from '../storage/index.ts';
import type { Caller, WindowHub } from '../window-hub.ts';
import type { RequestRecorder } from '../diagnostics/requests.ts';
import type { ImageSource } from '../attachments/downscale.ts';
import { createAnswers } from './answers.ts';
import type { BodyLimits } from './body-limits.ts';
import type { AttachmentText } from './history.ts';
import { FLUSH_MS, SAVE_MS } from './batching.ts';
import { createCommands } from './commands.ts';
import type { ChatContext } from './context.ts';

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
  /** Attachments' text and bytes (the attachment store: services/attachments/index.ts); without it, none can be sent. */
  attachments?: AttachmentText & ImageSource;
  /** Routes that refuse large request bodies, and their limits (body-limits.ts). */
  bodyLimits?: BodyLimits;
  /** Stored attachments' refs (the attachment store's `describe`): a question's files must be stored; without it, none can be attached. */
  attachmentRefs?: { describe(id: string): AttachmentRef | undefined };
  /** MCP tools: the servers, main's approval prompt, and where "always allow" is kept; without it, no tools are offered. */
  tools?: ToolDeps;
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
  /** `attachments`: ids of stored files the question carries, in order; `withoutImages`: send without the images the model cannot see. */
  send(caller: Caller, args: { conversationId: string; text: string; editOf?: string; attachments?: string[]; withoutImages?: boolean }, opts?: SendOptions): SendOutcome;
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

export function createChatService(deps: ChatServiceDeps): ChatService {
  const ctx: ChatContext = { deps, log: deps.logger.scope('transport'), flushMs: deps.flushMs ?? FLUSH_MS, saveMs: deps.saveMs ?? SAVE_MS };
  const answers = createAnswers(ctx);
  const { onEnded, stop, active, isActive, stopConversation, stopWithin, close, settled } = answers;
  return { ...createCommands(ctx, answers), onEnded, stop, active, isActive, stopConversation, stopWithin, close, settled };
}
