/**
 * What the user asks of a conversation: send (or edit) a question, regenerate, retry or continue an answer. Each
 * checks what it is asked against the store, picks the conversation's provider and model, builds the request's
 * history and starts the answer; it returns the conversation and the shown path's tail from what changed.
 */
import { ParleyError } from '../../core/errors.ts';
import { LIMITS as ANSWER_LIMITS, formatSize } from '../../core/limits.ts';
import { MAX_ATTACHMENTS_PER_MESSAGE, MAX_MESSAGE_ATTACHMENT_BYTES, type AttachmentRef } from '../../../shared/attachments.ts';
import { words } from '../../../shared/messages/en.ts';
import type { Conversation, Message, PathMessage } from '../../../shared/chat.ts';
import { conversationModel } from '../../../shared/model-choice.ts';
import type { Caller } from '../window-hub.ts';
import type { Answers } from './answers.ts';
import type { ChatContext } from './context.ts';
import { checkSendable, CONTINUE_PROMPT, MAX_HISTORY, planRequest, type AttachmentPolicy } from './history.ts';
import { capabilitiesFor } from '../../../shared/models/capabilities.ts';
import type { ChatService } from './service.ts';
import { titleFrom } from './titles.ts';

export function createCommands(ctx: ChatContext, answers: Answers): Pick<ChatService, 'send' | 'regenerate' | 'retry' | 'continue'> {
  const { deps } = ctx;
  const { store } = deps;
  const start = answers.start;

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
    if (answers.isActive(messageId)) throw new ParleyError('config_invalid', 'That answer is still being written: stop it first.', { hop: 'config', phase: 'config' });
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
  const answer = (caller: Caller, conv: Conversation, parentId: string, withoutImages = false): { requestId: string; assistant: Message } => {
    const { providerId, model } = providerAndModel(conv);
    const plan = planRequest(conv, pathFor(conv, parentId), contextFor(providerId, model), deps.settings.get().defaults, policyFor(providerId, model, withoutImages));
    // What the request leaves out (to fit the context; images the model cannot see) is kept with the answer from its start (the window says it).
    const routeInfo = { ...(plan.context ? { context: plan.context } : {}), ...(plan.imagesLeftOut ? { imagesLeftOut: plan.imagesLeftOut } : {}) };
    const assistant = store.addMessage({ conversationId: conv.id, parentId, role: 'assistant', text: '', reasoning: '', status: 'streaming', providerId, model, ...(Object.keys(routeInfo).length ? { routeInfo } : {}) });
    return { requestId: start(caller, conv, assistant, plan.messages, ''), assistant };
  };
  /** What a request may carry of images: the model's vision (capability table), and the user's choice to send without them. */
  const policyFor = (providerId: string, model: string, withoutImages: boolean): AttachmentPolicy => {
    let vision: boolean | undefined;
    try {
      vision = capabilitiesFor(deps.settings.providerFor(providerId), model).vision;
    } catch { /* an unknown provider: no vision known */ }
    return { model, withoutImages, ...(vision !== undefined ? { vision } : {}) };
  };
  /** An answer made again keeps its question's choice: images left out before are left out again. */
  const leftImagesOut = (m: Message): boolean => (m.routeInfo?.imagesLeftOut ?? 0) > 0;
  /**
   * The files a question carries, by id, as stored (each must still be in the attachment store), within a message's
   * bounds. An edited question's files keep the names they had in it.
   */
  const refsFor = (ids: readonly string[], edited: Message | undefined): AttachmentRef[] => {
    if (ids.length === 0) return [];
    const refs: AttachmentRef[] = [];
    let total = 0;
    for (const id of ids) {
      const stored = deps.attachmentRefs?.describe(id);
      if (!stored) throw new ParleyError('attachment_invalid', words('attachment_gone', {}), { hop: 'config', phase: 'config', hint: 'Remove it from the message and attach the file again.' });
      const name = edited?.attachments?.find((a) => a.id === id)?.name ?? stored.name;
      if (refs.length >= MAX_ATTACHMENTS_PER_MESSAGE) throw new ParleyError('limit_exceeded', words('attachment_too_many', { name, max: MAX_ATTACHMENTS_PER_MESSAGE }), { hop: 'config', phase: 'config' });
      total += stored.size;
      if (total > MAX_MESSAGE_ATTACHMENT_BYTES) throw new ParleyError('limit_exceeded', words('attachment_total_too_large', { name, max: formatSize(MAX_MESSAGE_ATTACHMENT_BYTES) }), { hop: 'config', phase: 'config' });
      refs.push({ ...stored, name });
    }
    return refs;
  };
  /** The path up to a message, no longer than the request can use. */
  const pathFor = (conv: Conversation, leafId: string): Message[] => {
    const limit = conv.contextMessages || deps.settings.get().defaults.contextMessages || MAX_HISTORY;
    return store.pathMessages(conv.id, leafId, { limit: Math.min(limit, MAX_HISTORY) + 1 });
  };
  /** The model's context window: the user's own size, else the capability table's. */
  const contextFor = (providerId: string, model: string): number | undefined => {
    try {
      return capabilitiesFor(deps.settings.providerFor(providerId), model).contextWindow;
    } catch {
      return undefined;
    }
  };

  return {
    send(caller, { conversationId, text, editOf, attachments: ids = [], withoutImages = false }, opts = {}) {
      let conv = conversation(conversationId);
      let parentId: string | null = conv.currentLeafId;
      let edited: Message | undefined;
      if (editOf) {
        edited = message(editOf);
        if (edited.conversationId !== conv.id || edited.role !== 'user') throw new ParleyError('config_invalid', 'Only a question of this conversation can be edited.', { hop: 'config', phase: 'config' });
        parentId = edited.parentId;
      } else if (parentId) {
        const leaf = store.getMessage(parentId);
        if (leaf && answers.isActive(leaf.id)) throw new ParleyError('config_invalid', 'An answer is still being written: stop it first.', { hop: 'config', phase: 'config' });
      }
      const { providerId, model } = providerAndModel(conv);
      // The question's files (still stored, within bounds), and images the model cannot see refused unless the user
      // chose to send without them: all before anything is stored.
      const refs = refsFor(ids, edited);
      checkSendable(parentId ? pathFor(conv, parentId) : [], refs, policyFor(providerId, model, withoutImages));
      const user = store.addMessage({ conversationId: conv.id, parentId, role: 'user', text, reasoning: '', status: 'complete', ...(refs.length ? { attachments: refs } : {}) });
      if (!parentId && conv.title === '') conv = store.updateConversation(conv.id, { title: titleFrom(text || (refs[0]?.name ?? '')) });
      const { requestId } = answer(caller, conv, user.id, withoutImages);
      answers.addWindows(requestId, opts.windows ?? []);
      conv = opts.keepDraft ? conversation(conv.id) : store.updateConversation(conv.id, { draft: '' });
      return { requestId, conversation: conv, tail: tailFrom(conv.id, user.id) };
    },
    regenerate(caller, messageId) {
      const old = message(messageId);
      if (old.role !== 'assistant' || !old.parentId) throw new ParleyError('config_invalid', 'Only an answer can be regenerated.', { hop: 'config', phase: 'config' });
      busy(messageId);
      const conv = conversation(old.conversationId);
      const { requestId, assistant } = answer(caller, conv, old.parentId, leftImagesOut(old));
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
        const { requestId, assistant } = answer(caller, conv, old.parentId, leftImagesOut(old));
        return { requestId, conversation: conversation(conv.id), tail: tailFrom(conv.id, assistant.id) };
      }
      const { providerId, model } = providerAndModel(conv);
      const plan = planRequest(conv, pathFor(conv, old.parentId), contextFor(providerId, model), deps.settings.get().defaults, policyFor(providerId, model, leftImagesOut(old)));
      const routeInfo = { ...(plan.context ? { context: plan.context } : {}), ...(plan.imagesLeftOut ? { imagesLeftOut: plan.imagesLeftOut } : {}) };
      const reset = store.updateMessage(messageId, { text: '', reasoning: '', status: 'streaming', error: undefined, providerId, model, routeInfo: Object.keys(routeInfo).length ? routeInfo : undefined });
      const requestId = start(caller, conv, reset, plan.messages, '');
      return { requestId, conversation: conversation(conv.id), tail: tailFrom(conv.id, messageId) };
    },
    continue(caller, messageId) {
      const old = message(messageId);
      if (old.role !== 'assistant' || !old.parentId || !old.text) throw new ParleyError('config_invalid', 'Only an answer with text can be continued.', { hop: 'config', phase: 'config' });
      busy(messageId);
      const conv = conversation(old.conversationId);
      const { providerId, model } = providerAndModel(conv);
      const provider = deps.settings.providerFor(providerId);
      const plan = planRequest(conv, pathFor(conv, old.parentId), contextFor(providerId, model), deps.settings.get().defaults, policyFor(providerId, model, leftImagesOut(old)));
      const history = plan.messages;
      // Anthropic continues a trailing assistant message (prefill); the others are asked to go on.
      if (provider.protocol === 'anthropic') history.push({ role: 'assistant', content: old.text.replace(/\s+$/, '') });
      else history.push({ role: 'assistant', content: old.text }, { role: 'user', content: CONTINUE_PROMPT });
      const prefix = provider.protocol === 'anthropic' ? old.text.replace(/\s+$/, '') : old.text;
      if (Buffer.byteLength(prefix) >= ANSWER_LIMITS.answerBytes) {
        const size = formatSize(ANSWER_LIMITS.answerBytes);
        throw new ParleyError('limit_exceeded', words('limit_continue', { size }), { hop: 'config', phase: 'config' });
      }
      // How the kept part ended no longer holds once the model goes on (its usage stays: the rest adds to it).
      const routeInfo = { ...(plan.context ? { context: plan.context } : {}), ...(plan.imagesLeftOut ? { imagesLeftOut: plan.imagesLeftOut } : {}) };
      const reset = store.updateMessage(messageId, { status: 'streaming', error: undefined, text: prefix, ending: undefined, finishReason: undefined, routeInfo: Object.keys(routeInfo).length ? routeInfo : undefined });
      const requestId = start(caller, conv, reset, history, prefix);
      return { requestId, conversation: conversation(conv.id), tail: tailFrom(conv.id, messageId) };
    },
  };
}
