/**
 * What the chat's parts share: the service's dependencies, its log, its timers, and one answer being written
 * (`Writing`: its windows, its sequence of events, what is batched for the next event, its timers and timeline).
 */
import type { Answer } from '../../core/index.ts';
import type { MessageRoute, StreamNotice, ToolRun } from '../../../shared/chat.ts';
import type { ScopedLogger } from '../diagnostics/logging.ts';
import type { RequestRecord } from '../diagnostics/requests.ts';
import type { ChatServiceDeps } from './service.ts';

export interface ChatContext {
  readonly deps: ChatServiceDeps;
  readonly log: ScopedLogger;
  readonly flushMs: number;
  readonly saveMs: number;
}

/** An answer being written. */
export interface Writing {
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
  /** The answer's tool calls so far (their cards). */
  tools: ToolRun[];
}
