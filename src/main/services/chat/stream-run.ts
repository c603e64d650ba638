/**
 * One answer's request, run to its end: the core's chat with the answer's sink, then the message as it ended
 * (complete, stopped, interrupted with what was kept, or failed), saved with its timings and route.
 */
import type { ChatMessage } from '../../core/protocols/types.ts';
import { ParleyError } from '../../core/errors.ts';
import { formatSize } from '../../core/limits.ts';
import type { Message, MessageRoute } from '../../../shared/chat.ts';
import type { CallOptions, ChatResult, Core } from '../../core/index.ts';
import { words } from '../../../shared/messages/en.ts';
import type { ConnectionSettings } from '../../../shared/settings.ts';
import { IMAGE_LIMITS, limitUnderBody, REQUEST_LIMITS, type Downscaler } from '../attachments/downscale.ts';
import { BODY_LIMIT_MEMORY_MS, bodyLimitKey, type BodyLimits } from './body-limits.ts';
import { bytesBesideImages, plannedImages, resolveRequest, type AttachmentText, type PlannedMessage } from './history.ts';
import { offeredTools, runToolCall } from './tool-loop.ts';
import { MAX_TOOL_ROUNDS } from '../../../shared/mcp.ts';
import { contentForLog } from '../diagnostics/logging.ts';
import type { connectionFor } from '../settings/providers.ts';
import { flush, sinkFor } from './batching.ts';
import { joinUsage, withCost } from './cost.ts';
import type { ChatContext, Writing } from './context.ts';
import type { RequestOptions } from './params.ts';

/** The body size tried after a 413 that named none: nginx's default (1 MB) for a larger body, else half of it. */
export const GUESSED_BODY_LIMIT = 1024 * 1024;
export function nextBodyLimit(refusedBytes: number): number {
  return refusedBytes > GUESSED_BODY_LIMIT ? GUESSED_BODY_LIMIT : Math.max(64 * 1024, Math.floor(refusedBytes / 2));
}

/** What sending a plan needs besides the core: the attachments' text and images, and the routes' body limits. */
export interface FitDeps {
  core: Pick<Core, 'chat'>;
  attachments?: AttachmentText;
  images?: Downscaler;
  bodyLimits?: BodyLimits;
}

/**
 * The plan's messages as the core sends them, with images within the protocol's limit, or within what lets the
 * whole body fit `bodyLimit` (a route that refuses larger bodies). Throws body_too_large when even the smallest
 * images would not fit it.
 */
async function prepare(deps: FitDeps, settings: ConnectionSettings, history: readonly PlannedMessage[], bodyLimit?: number): Promise<{ messages: ChatMessage[]; count: number }> {
  const { protocol } = settings.provider;
  const text = deps.attachments ?? NO_TEXT;
  const count = plannedImages(history);
  let limit = IMAGE_LIMITS[protocol];
  if (count > 0 && bodyLimit !== undefined) {
    // What the body holds besides the images: the messages with the files' text (no image is made for it).
    const textOnly = await resolveRequest(history, { text, images: NO_IMAGES, limit });
    const beside = bytesBesideImages(textOnly.messages);
    const fitted = limitUnderBody(protocol, bodyLimit, count, beside);
    if (!fitted) {
      const host = URL.canParse(settings.provider.baseUrl) ? new URL(settings.provider.baseUrl).host : settings.provider.baseUrl;
      throw new ParleyError('body_too_large', words('body_too_large_known', { host, limit: formatSize(bodyLimit), size: formatSize(beside) }), { hop: 'target', phase: 'config' });
    }
    limit = fitted;
  }
  const { messages } = await resolveRequest(history, { text, images: deps.images ?? NO_IMAGES, limit, plain: protocol === 'ollama' });
  return { messages, count };
}

const NO_TEXT: AttachmentText = { textFor: async () => undefined };
const NO_IMAGES: Downscaler = { image: async () => undefined, cachedBytes: 0 };

/**
 * Sends a plan: its attachments read, its images within the protocol's limit and, on a route that refused large
 * bodies before, within the route's limit from the start. A 413 on a request with images is asked once more with
 * images small enough for the body to fit (under half of what was refused, or nginx's default 1 MB), and the
 * route's limit is remembered when that works. `downscaled` says what happened (MessageRoute.downscaled).
 */
export async function chatFitted(deps: FitDeps, settings: ConnectionSettings, history: readonly PlannedMessage[], options: RequestOptions, call: CallOptions = {}): Promise<{ result: ChatResult; downscaled?: NonNullable<MessageRoute['downscaled']> }> {
  const chat = (messages: ChatMessage[]) => deps.core.chat(settings, { ...options, messages }, call);
  const routeKey = bodyLimitKey(settings);
  const known = plannedImages(history) > 0 ? deps.bodyLimits?.get(routeKey) : undefined;
  // Under the route's remembered limit, else under what the protocol's own API takes in one request.
  const first = await prepare(deps, settings, history, known?.limitBytes ?? REQUEST_LIMITS[settings.provider.protocol]);
  try {
    const result = await chat(first.messages);
    return known && first.count > 0 ? { result, downscaled: { limitBytes: known.limitBytes, to: result.bodyBytes ?? 0, by: known.by, remembered: true } } : { result };
  } catch (e) {
    if (!ParleyError.is(e) || e.code !== 'body_too_large' || first.count === 0 || call.signal?.aborted) throw e;
    const refused = e.detail.body?.bytes ?? 0;
    const by = e.detail.body?.by ?? 'provider';
    const limitBytes = nextBodyLimit(refused || (known?.limitBytes ?? GUESSED_BODY_LIMIT * 2));
    const again = await prepare(deps, settings, history, limitBytes);
    const result = await chat(again.messages);
    const now = Date.now();
    deps.bodyLimits?.set(routeKey, { limitBytes, by, at: now, until: now + BODY_LIMIT_MEMORY_MS });
    return { result, downscaled: { limitBytes, to: result.bodyBytes ?? 0, from: refused, by } };
  }
}

export async function runAnswer(ctx: ChatContext, a: Writing, raw: ReturnType<typeof connectionFor>, history: PlannedMessage[], options: RequestOptions = {}, images?: Downscaler): Promise<Message> {
  const { deps, log } = ctx;
  const { store } = deps;
  const { requestId, prefix } = a;
  let final: Partial<Message>;
  try {
    const settings = deps.core.settings(raw);
    // Tools (MCP) for a model that can use them: every enabled server's, started on first use.
    // A local Ollama model the table does not know may not take tools (Ollama answers 400 "does not support tools"): only where known.
    const canUseTools = options.capabilities?.tools === true || (options.capabilities?.tools === undefined && raw.provider.protocol !== 'ollama');
    const offered = deps.tools && canUseTools ? await offeredTools(deps.tools, a.abort.signal).catch((e: unknown) => {
      log.warn('tools not offered', { requestId, error: e instanceof Error ? e.message : String(e) });
      return undefined;
    }) : undefined;
    for (const f of offered?.failed ?? []) log.warn('mcp server not started', { requestId, server: f.server, code: ParleyError.is(f.error) ? f.error.code : 'mcp_server_failed' });
    const call = () => ({
      signal: a.abort.signal,
      sink: sinkFor(ctx, a, settings.network.retries),
      answer: a.answer,
      // One bound for the whole message: what Continue adds counts with what is kept.
      ...(prefix ? { keptBytes: Buffer.byteLength(prefix) } : {}),
    });
    const fitDeps = { core: deps.core, attachments: deps.attachments, images, bodyLimits: deps.bodyLimits };
    const withTools = offered?.specs.length ? { ...options, tools: offered.specs } : options;
    let turns: PlannedMessage[] = history;
    // Where the current round's text and reasoning begin in the answer (the same answer gathers every round).
    let textStart = 0;
    let reasoningStart = 0;
    // Images sent smaller in any round (a tool loop's later rounds fit the limit the first one met): the round that
    // met a 413 is the one the answer tells of.
    const noteDownscaled = (f: Awaited<ReturnType<typeof chatFitted>>): void => {
      if (!f.downscaled || (a.routeInfo.downscaled && f.downscaled.from === undefined)) return;
      a.routeInfo.downscaled = f.downscaled;
      log.info('images sent smaller', { requestId, ...f.downscaled });
    };
    let fitted = await chatFitted(fitDeps, settings, turns, withTools, call());
    noteDownscaled(fitted);
    // The tool loop: while the model asks for tools (and rounds are left), run them and ask again with their results.
    for (let round = 1; offered && deps.tools && fitted.result.ending.reason === 'tool_calls' && fitted.result.toolCalls?.length; round++) {
      if (round > MAX_TOOL_ROUNDS) {
        a.routeInfo.toolRounds = { rounds: round - 1, exhausted: true };
        break;
      }
      const r = fitted.result;
      const roundText = r.text.slice(textStart);
      const roundReasoning = r.reasoning.slice(reasoningStart);
      const results: PlannedMessage[] = [];
      for (const c of r.toolCalls ?? []) results.push(await runToolCall(ctx, a, deps.tools, offered, c, round, a.tools));
      turns = [...turns, { role: 'assistant', content: roundText, toolCalls: (r.toolCalls ?? []).map((c) => ({ id: c.id, name: c.name, arguments: c.arguments })), ...(roundReasoning ? { reasoning: roundReasoning } : {}), ...(r.signature ? { reasoningSignature: r.signature } : {}) }, ...results];
      // The next round's words start on a new paragraph of the same answer.
      if (a.answer.text.length && !/\n\s*$/.test(r.text)) {
        a.answer.text.add('\n\n');
        a.pendingText += '\n\n';
      }
      textStart = a.answer.text.length;
      reasoningStart = a.answer.reasoning.length;
      a.routeInfo.toolRounds = { rounds: round, exhausted: false };
      fitted = await chatFitted(fitDeps, settings, turns, withTools, call());
      noteDownscaled(fitted);
    }
    const { result } = fitted;
    a.routeInfo.attempts = result.attempts;
    a.routeInfo.mode = result.mode;
    // How it ended (stop, cut at the limit, filtered, refused, tool calls) and its whole usage, kept with it.
    final = {
      status: 'complete', text: prefix + result.text, reasoning: result.reasoning, ending: result.ending,
      ...(a.tools.length ? { tools: a.tools } : {}),
      ...(result.usage ? { usage: result.usage } : {}), ...(result.finishReason ? { finishReason: result.finishReason } : {}),
    };
    a.rec.done('chat done', {
      mode: result.mode, attempts: result.attempts, chars: result.text.length, ending: result.ending.reason,
      ...(result.finishReason ? { finishReason: result.finishReason } : {}),
    });
    if (deps.logger.logContent) log.info('answer', { requestId, answer: contentForLog(result.text) });
  } catch (e) {
    const err = ParleyError.is(e) ? e : new ParleyError('protocol_error', e instanceof Error ? e.message : String(e), {}, { cause: e });
    const { partial: _p, ...info } = err.toInfo();
    const error = deps.redactError(info);
    const kept = prefix + a.answer.text.toString();
    const reasoning = a.answer.reasoning.toString();
    // The provider's own error inside the answer is how it ended (its value kept, e.g. GLM `network_error`).
    const ended = err.code === 'stream_error' ? { ending: { reason: 'error' as const, ...(err.detail.providerCode ? { raw: err.detail.providerCode } : {}) } } : {};
    const tools = a.tools.length ? { tools: a.tools } : {};
    if (err.code === 'cancelled' && a.stoppedByUser) final = { status: 'stopped', text: kept, reasoning, ...tools };
    else if (a.answer.text.length || reasoning || prefix || a.tools.length) final = { status: 'interrupted', text: kept, reasoning, error, ...ended, ...tools };
    else final = { status: 'failed', text: '', reasoning, error, ...ended };
    a.rec.failed(err.code, 'chat failed', { message: error.message, kept: kept.length });
  }
  flush(ctx, a);
  if (a.saveTimer) clearTimeout(a.saveTimer);
  if (a.flushTimer) clearTimeout(a.flushTimer);
  const now = Date.now();
  try {
    return store.updateMessage(a.messageId, {
      ...final,
      // Costed once, here, with the prices kept beside it.
      // Continue adds to what the kept part used.
      ...(final.usage ? { usage: joinUsage(prefix ? store.getMessage(a.messageId)?.usage : undefined, withCost(final.usage, raw.provider.model, deps.settings.get().pricing)) } : {}),
      ...(a.firstDeltaMs !== undefined ? { ttftMs: a.firstDeltaMs } : {}),
      durationMs: now - a.startedAt,
      ...(a.reasoningStart !== undefined ? { reasoningMs: (a.reasoningEnd ?? now) - a.reasoningStart } : {}),
      // A continued answer's usage is both parts': what its last request read and wrote is kept apart (the
      // composer's context meter counts from it).
      routeInfo: prefix && final.usage ? { ...a.routeInfo, lastUsage: { inputTokens: final.usage.inputTokens, outputTokens: final.usage.outputTokens } } : a.routeInfo,
    });
  } catch (e) {
    log.error('saving the answer failed', { requestId, error: e instanceof Error ? e.message : String(e) });
    return { ...(store.getMessage(a.messageId) as Message), ...final } as Message;
  }
}
