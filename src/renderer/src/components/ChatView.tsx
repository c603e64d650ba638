import { lazy, Suspense, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { streamingIn, useChat, useLive, useStreamingHere } from '../chat-store.ts';
import { modelsOf, useStore } from '../store.ts';
import { conversationModel } from '../../../shared/model-choice.ts';
import { errorHint, errorMessage } from '../i18n.ts';
import { ConversationUsage } from './ConversationUsage.tsx';
import { ContextMeter } from './ContextMeter.tsx';
import { MessageList } from './MessageList.tsx';
import { OfflineBanner, QueuedList, useRouteDown } from './OfflineBanner.tsx';
import { ShortcutsDialog } from './Shortcuts.tsx';
import { capabilitiesFor } from '../../../shared/models/capabilities.ts';
import { addFiles, AttachButton, ComposerChips, pastedFiles, useChips, VisionWarning } from '../attachments/ComposerAttachments.tsx';
import { Lightbox } from '../attachments/MessageAttachments.tsx';
import { anyAdding, NEW_DRAFT, readyRefs, useAttach } from '../attachments/store.ts';

// Chunks of their own (issue 17, cold start): the start with conversations shows neither.
const ParamsPanel = lazy(() => import('./ParamsPanel.tsx').then((m) => ({ default: m.ParamsPanel })));
const Welcome = lazy(() => import('./Welcome.tsx').then((m) => ({ default: m.Welcome })));

/** The most characters a message may have (main refuses more). */
const MAX_MESSAGE = 1_000_000;

function Header({ onShortcuts }: { onShortcuts: () => void }): React.JSX.Element | null {
  const { t } = useTranslation();
  const page = useChat((s) => s.page);
  const update = useChat((s) => s.update);
  const view = useStore((s) => s.view);
  const [open, setOpen] = useState(false);
  const [paramsOpen, setParamsOpen] = useState(false);
  const [prompt, setPrompt] = useState('');
  const [limit, setLimit] = useState('0');
  const conv = page?.conversation;
  const providers = view?.providers ?? [];
  // The provider and model the next request uses (as main chooses them).
  const choice = conversationModel(conv, providers, view?.settings.defaults);
  const providerId = choice?.providerId ?? '';
  const provider = providers.find((p) => p.id === providerId);
  const model = choice?.model ?? '';
  const options = useMemo(() => providers.flatMap((p) => modelsOf(p).map((m) => ({ value: `${p.id}\u0000${m}`, label: `${p.name} · ${m}` }))), [providers]);
  if (!conv) return null;
  const current = `${providerId}\u0000${model}`;
  return (
    <header className="chat-header">
      <h1 className="chat-title" data-testid="chat-title">{conv.title || t('chat.untitled')}</h1>
      <ConversationUsage conversationId={conv.id} />
      <label className="visually-hidden" htmlFor="model-picker">{t('chat.model')}</label>
      <select
        id="model-picker"
        data-testid="model-picker"
        value={current}
        onChange={(e) => {
          const [pid, m] = e.target.value.split('\u0000');
          void update(conv.id, { providerId: pid ?? null, model: m ?? null });
        }}
      >
        {options.some((o) => o.value === current) ? null : <option value={current}>{provider ? `${provider.name} · ${model || '—'}` : '—'}</option>}
        {options.map((o) => (
          <option key={o.value} value={o.value}>{o.label}</option>
        ))}
      </select>
      <button
        type="button"
        className="secondary"
        data-testid="system-prompt-toggle"
        aria-expanded={open}
        onClick={() => {
          setPrompt(conv.systemPrompt);
          setLimit(String(conv.contextMessages));
          setOpen((o) => !o);
        }}
      >
        {t('chat.systemPrompt')}
      </button>
      <button type="button" className="secondary" data-testid="params-toggle" aria-expanded={paramsOpen} onClick={() => setParamsOpen((o) => !o)}>
        {t('chat.params.toggle')}
      </button>
      <button type="button" className="icon-button shortcuts-button" data-testid="shortcuts-open" aria-label={t('chat.shortcuts.title')} title={t('chat.shortcuts.open')} onClick={onShortcuts}>
        ?
      </button>
      {open ? (
        <form
          className="system-prompt"
          onSubmit={(e) => {
            e.preventDefault();
            const n = Number(limit);
            void update(conv.id, { systemPrompt: prompt, ...(Number.isInteger(n) && n >= 0 && n <= 10_000 ? { contextMessages: n } : {}) });
            setOpen(false);
          }}
        >
          <label htmlFor="system-prompt">{t('chat.systemPrompt')}</label>
          <textarea id="system-prompt" data-testid="system-prompt" rows={4} maxLength={100_000} placeholder={t('chat.systemPromptPlaceholder')} value={prompt} onChange={(e) => setPrompt(e.target.value)} />
          <label htmlFor="context-messages">{t('chat.contextMessages')}</label>
          <input id="context-messages" type="number" min={0} max={10000} value={limit} aria-describedby="context-messages-help" onChange={(e) => setLimit(e.target.value)} />
          <p id="context-messages-help" className="help">{t('chat.contextMessagesHelp')}</p>
          <button type="submit" className="primary">{t('chat.save')}</button>
        </form>
      ) : null}
      {paramsOpen ? (
        <Suspense fallback={null}>
          <ParamsPanel key={conv.id} conversationId={conv.id} params={conv.params ?? {}} provider={provider} model={model} onSave={(id, params) => update(id, { params })} onClose={() => setParamsOpen(false)} />
        </Suspense>
      ) : null}
    </header>
  );
}

function Composer(): React.JSX.Element {
  const { t } = useTranslation();
  const page = useChat((s) => s.page);
  const editing = useChat((s) => s.editing);
  const cancelEdit = useChat((s) => s.cancelEdit);
  const send = useChat((s) => s.send);
  const queue = useChat((s) => s.queue);
  const stop = useChat((s) => s.stop);
  // The route does not answer: the first action keeps the question until it does; sending now stays possible.
  const down = useRouteDown();
  const update = useChat((s) => s.update);
  const streaming = useStreamingHere();
  const view = useStore((s) => s.view);
  const conv = page?.conversation;
  const [text, setText] = useState(conv?.draft ?? '');
  const [sending, setSending] = useState(false);
  // Images attached for a model that cannot see them: asked before sending (send the text parts only, or cancel).
  // `images`: how many the request would carry (the question's, or as main counted them with the conversation's earlier ones).
  const [visionAsk, setVisionAsk] = useState<{ images: number } | null>(null);
  const setSection = useStore((s) => s.setSection);
  const ref = useRef<HTMLTextAreaElement>(null);
  const draftTimer = useRef<number | undefined>(undefined);
  const convId = conv?.id;
  // The attachments of this draft (the conversation's, or the first question's of a new chat).
  const draftKey = convId ?? NEW_DRAFT;
  const chips = useChips(draftKey);
  const attached = readyRefs(chips);
  const adding = anyAdding(chips);
  const images = attached.filter((r) => r.kind === 'image').length;

  // Each conversation has its own draft (kept in main across restarts).
  useEffect(() => {
    setText(useChat.getState().page?.conversation.draft ?? '');
    ref.current?.focus();
    // Files attached before the new chat's conversation was made go with it.
    if (convId && useChat.getState().page?.messages.length === 0) useAttach.getState().move(NEW_DRAFT, convId);
  }, [convId]);
  useEffect(() => {
    if (editing) {
      setText(editing.text);
      // Edit and send again keeps the question's attachments (the user can remove some).
      useAttach.getState().setRefs(draftKey, editing.attachments ?? []);
      ref.current?.focus();
    }
  }, [editing]);
  // Grows with its text.
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 320)}px`;
  }, [text]);
  useEffect(() => () => window.clearTimeout(draftTimer.current), []);

  const saveDraft = (value: string): void => {
    window.clearTimeout(draftTimer.current);
    if (!convId || editing) return;
    draftTimer.current = window.setTimeout(() => void update(convId, { draft: value }), 400);
  };

  // The model the request will use (as main chooses it), else its provider's name.
  const choice = conversationModel(conv, view?.providers ?? [], view?.settings.defaults);
  const provider = view?.providers.find((p) => p.id === choice?.providerId);
  const model = choice?.model ?? '';
  // Whether it sees images: the capability table with the user's corrections, as main decides.
  const sees = !!provider && !!model && capabilitiesFor(provider, model).vision === true;
  const submit = async (how: 'send' | 'queue' = 'send', withoutImages = false): Promise<void> => {
    const value = text.trim();
    const ids = attached.map((r) => r.id);
    if ((!value && !ids.length) || adding || sending || (streaming && how === 'send')) return;
    // A question with attachments is sent now (only text waits for the connection).
    if (how === 'queue' && ids.length) return;
    // Images for a model whose capabilities (the table, with the user's corrections) say it cannot see: asked first.
    if (how === 'send' && !withoutImages && images > 0 && !sees) {
      setVisionAsk({ images });
      return;
    }
    window.clearTimeout(draftTimer.current);
    setSending(true);
    setVisionAsk(null);
    const ok = how === 'queue' && !editing ? await queue(text) : await send(text, { attachments: ids, withoutImages });
    setSending(false);
    // On failure the question stays, editable, with its attachments.
    if (ok) {
      setText('');
      useAttach.getState().clear(draftKey);
    } else {
      // Main refused images the model cannot see (the question's, or earlier ones of the conversation): the same choice as before sending.
      const refused = useChat.getState().actionError;
      if (refused?.code === 'attachment_unsupported' && !withoutImages) {
        useChat.getState().dismissActionError();
        const count = refused.params?.count;
        setVisionAsk({ images: typeof count === 'number' && count > 0 ? count : Math.max(1, images) });
      }
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>): void => {
    // Enter that confirms an input method's composition (Chinese, Japanese) never sends.
    if (e.nativeEvent.isComposing || e.keyCode === 229) return;
    if (e.key === 'Enter' && !e.shiftKey && !e.altKey && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      void submit(down && !editing && !chips.length ? 'queue' : 'send');
    } else if (e.key === 'Escape') {
      // Handled here (the chat's own Esc, in ChatView, then leaves it).
      if (streaming || editing) e.preventDefault();
      if (streaming) void stop();
      else if (editing) {
        cancelEdit();
        useAttach.getState().clear(draftKey);
      }
    }
  };

  const canSend = (!!text.trim() || attached.length > 0) && !adding && !sending;
  // Only text waits for the connection.
  const canQueue = !!text.trim() && !sending && !chips.length;
  return (
    <div className="composer">
      {editing ? (
        <div className="editing-bar muted small">
          {t('chat.composerEditing')}{' '}
          <button type="button" className="link-button" onClick={() => { cancelEdit(); setText(''); useAttach.getState().clear(draftKey); }}>{t('chat.cancelEdit')}</button>
        </div>
      ) : null}
      {visionAsk ? (
        <VisionWarning
          model={model || provider?.name || '…'}
          images={visionAsk.images}
          canSendText={!!text.trim() || attached.some((r) => r.kind !== 'image')}
          onSendText={() => void submit('send', true)}
          onCancel={() => setVisionAsk(null)}
          onSettings={() => {
            setVisionAsk(null);
            setSection('settings');
          }}
        />
      ) : null}
      <ComposerChips draft={draftKey} />
      <div className="composer-row">
        <AttachButton draft={draftKey} />
        <textarea
          ref={ref}
          data-testid="composer"
          aria-label={t('chat.composer')}
          placeholder={t('chat.composerPlaceholder', { model: model || provider?.name || '…' })}
          rows={1}
          maxLength={MAX_MESSAGE}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            saveDraft(e.target.value);
          }}
          onKeyDown={onKeyDown}
          onPaste={(e) => {
            // Files (a screenshot, files copied in the file manager) are attached; text pastes as text.
            const files = pastedFiles(e.clipboardData);
            if (!files.length) return;
            e.preventDefault();
            addFiles(draftKey, files);
          }}
        />
        {down && !editing ? (
          <button type="button" className="primary" data-testid="queue" disabled={!canQueue} title={chips.length ? t('attach.noQueue') : t('chat.queued.help')} onClick={() => void submit('queue')}>
            {t('chat.sendWhenOnline')}
          </button>
        ) : null}
        {streaming ? (
          <button type="button" className="secondary" data-testid="stop" onClick={() => void stop()} title={`${t('chat.stop')} (Esc)`}>
            <span aria-hidden="true">■ </span>
            {t('chat.stop')}
          </button>
        ) : down && !editing ? (
          <button type="button" className="secondary" data-testid="send" disabled={!canSend} onClick={() => void submit('send')}>
            {t('chat.sendNow')}
          </button>
        ) : (
          <button type="button" className="primary" data-testid="send" disabled={!canSend} onClick={() => void submit()}>
            {t('chat.send')}
          </button>
        )}
      </div>
      <ContextMeter draft={text} />
    </div>
  );
}

export function ChatView(): React.JSX.Element {
  const { t } = useTranslation();
  const page = useChat((s) => s.page);
  const opening = useChat((s) => s.opening);
  const actionError = useChat((s) => s.actionError);
  const dismiss = useChat((s) => s.dismissActionError);
  const setSection = useStore((s) => s.setSection);
  const view = useStore((s) => s.view);
  const noConversations = useChat((s) => s.listLoaded && s.conversations.length === 0);
  const hasProvider = (view?.providers.length ?? 0) > 0;
  const [shortcuts, setShortcuts] = useState(false);
  // Files dragged over the chat: dropped, they are attached to the open conversation's draft.
  const [dropping, setDropping] = useState(false);
  const dragDepth = useRef(0);
  const hasFiles = (e: React.DragEvent): boolean => e.dataTransfer.types.includes('Files');
  // Esc stops an answer wherever the focus is in the chat (not only in the composer); Ctrl+/ lists the shortcuts.
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent): void => {
      if (e.defaultPrevented || useStore.getState().section !== 'chat') return;
      if ((e.ctrlKey || e.metaKey) && !e.altKey && (e.key === '/' || e.code === 'Slash')) {
        e.preventDefault();
        setShortcuts((o) => !o);
        return;
      }
      if (e.key !== 'Escape' || e.isComposing) return;
      // The sidebar's own fields (search, rename) keep their Esc.
      const target = e.target instanceof Element ? e.target : null;
      if (target && target !== document.body && !target.closest('.chat')) return;
      const chat = useChat.getState();
      if (streamingIn(useLive.getState().live, chat.page)) {
        e.preventDefault();
        void chat.stop();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  // The OS's online state as this window sees it (main answers with the routes' states; its changes come as
  // 'connectivity:state' events, wired in events.ts).
  useEffect(() => {
    const report = (): void => void useChat.getState().reportOnline(navigator.onLine);
    report();
    window.addEventListener('online', report);
    window.addEventListener('offline', report);
    return () => {
      window.removeEventListener('online', report);
      window.removeEventListener('offline', report);
    };
  }, []);
  // First run: the welcome screen until a provider is kept and a chat started.
  if (!page && (!hasProvider || noConversations))
    return (
      <Suspense fallback={null}>
        <Welcome />
      </Suspense>
    );
  return (
    <section
      className={dropping ? 'chat drop-target' : 'chat'}
      aria-label={t('nav.chat')}
      data-testid="chat"
      onDragEnter={(e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        dragDepth.current++;
        setDropping(true);
      }}
      onDragOver={(e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
      }}
      onDragLeave={(e) => {
        if (!hasFiles(e)) return;
        dragDepth.current = Math.max(0, dragDepth.current - 1);
        if (dragDepth.current === 0) setDropping(false);
      }}
      onDrop={(e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        dragDepth.current = 0;
        setDropping(false);
        addFiles(page?.conversation.id ?? NEW_DRAFT, [...e.dataTransfer.files]);
      }}
    >
      <Header onShortcuts={() => setShortcuts(true)} />
      <OfflineBanner />
      {page && page.messages.length > 0 ? <MessageList /> : <div className="chat-empty muted">{opening ? t('app.loading') : t('chat.empty')}</div>}
      <QueuedList />
      {actionError ? (
        <div className="banner banner-error action-error" role="alert" data-testid="action-error" data-code={actionError.code}>
          <div className="banner-body">
            <p className="banner-message">{errorMessage(actionError)}</p>
            {actionError.hint ? <p className="banner-hint">{errorHint(actionError)}</p> : null}
            {actionError.key === 'no_provider' ? (
              <button type="button" className="secondary" data-testid="action-error-settings" onClick={() => setSection('settings')}>{t('chat.openSettings')}</button>
            ) : null}
          </div>
          <button type="button" className="icon-button" aria-label={t('common.dismiss')} onClick={dismiss}>×</button>
        </div>
      ) : null}
      <Composer key={page?.conversation.id ?? 'none'} />
      {shortcuts ? <ShortcutsDialog onClose={() => setShortcuts(false)} /> : null}
      {dropping ? <div className="drop-hint" aria-hidden="true">{t('attach.dropHere')}</div> : null}
      <Lightbox />
    </section>
  );
}
