/**
 * The quick window (issue 22): a small always-on-top composer the global shortcut or the tray opens. A question sent
 * here starts a conversation of its own (with the default provider and model) and its answer streams in place, with
 * the same message view as the app's window (errors, Stop, Retry); "Open as conversation" shows it in the app's
 * window; Esc hides the quick window. Loaded as a chunk of its own (the app's window never evaluates it).
 */
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { call } from '../api.ts';
import { wireStores } from '../events.ts';
import { useChat } from '../chat-store.ts';
import { useStore } from '../store.ts';
import { MessageItem } from '../components/MessageItem.tsx';
import { ErrorBanner } from '../components/ErrorBanner.tsx';

export function QuickApp(): React.JSX.Element {
  const { t } = useTranslation();
  const page = useChat((s) => s.page);
  const send = useChat((s) => s.send);
  const [text, setText] = useState('');
  const box = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    const unwire = wireStores();
    void (async () => {
      // The settings (for the default provider and the messages' words), then events; no conversation is opened.
      await useStore.getState().init();
      useChat.setState({ page: null, currentId: null });
      await call('appReady', (a) => a.appReady());
      box.current?.focus();
    })();
    const onKey = (e: globalThis.KeyboardEvent): void => {
      if (e.key === 'Escape') void call('quickDone', (a) => a.quickDone({}));
    };
    window.addEventListener('keydown', onKey);
    return () => {
      unwire();
      window.removeEventListener('keydown', onKey);
    };
  }, []);

  const ask = async (): Promise<void> => {
    const q = text.trim();
    if (!q) return;
    // Each question here is a new conversation: the window's previous one stays in the list.
    useChat.setState({ page: null, currentId: null });
    if (await send(q)) setText('');
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>): void => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      void ask();
    }
  };
  const open = async (): Promise<void> => {
    if (page) await call('quickDone', (a) => a.quickDone({ open: page.conversation.id }));
  };

  return (
    <div className="quick" data-testid="quick">
      <ErrorBanner />
      <div className="quick-composer">
        <textarea
          ref={box}
          data-testid="quick-input"
          aria-label={t('quick.label')}
          placeholder={t('quick.placeholder')}
          rows={2}
          maxLength={100_000}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKeyDown}
        />
        <button type="button" className="primary" data-testid="quick-send" disabled={!text.trim()} onClick={() => void ask()}>{t('quick.ask')}</button>
      </div>
      {page?.messages.length ? (
        <div className="quick-answer" data-testid="quick-answer" aria-live="polite">
          {page.messages.map((m) => <MessageItem key={m.id} m={m} />)}
        </div>
      ) : <p className="muted small">{t('quick.hint')}</p>}
      {page ? (
        <div className="form-actions">
          <button type="button" data-testid="quick-open" onClick={() => void open()}>{t('quick.open')}</button>
        </div>
      ) : null}
    </div>
  );
}
