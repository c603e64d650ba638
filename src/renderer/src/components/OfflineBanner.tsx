import { useTranslation } from 'react-i18next';
import { routeStatus, useChat } from '../chat-store.ts';
import { useStore } from '../store.ts';
import { routeWords } from '../error-words.ts';

/** The provider the open conversation's questions go to (its own, else the default one). */
export function useConversationProvider(): string | null {
  const conversationProvider = useChat((s) => s.page?.conversation.providerId ?? null);
  const defaultProvider = useStore((s) => s.view?.settings.defaults.providerId ?? null);
  return conversationProvider ?? defaultProvider;
}

/** Whether the open conversation's route is down (offline or unreachable): the composer then offers to queue. */
export function useRouteDown(): boolean {
  const providerId = useConversationProvider();
  return useChat((s) => routeStatus(s.net, providerId).state !== 'online');
}

/**
 * At the top of the chat while the open conversation's route does not answer: the OS has no network, or the
 * provider cannot be reached through its route. Shown as soon as main's 'connectivity:state' says so; gone when it answers.
 */
export function OfflineBanner(): React.JSX.Element | null {
  const { t } = useTranslation();
  const providerId = useConversationProvider();
  const net = useChat((s) => s.net);
  const names = useStore((s) => s.view?.providers);
  const status = routeStatus(net, providerId);
  if (status.state === 'online') return null;
  // The route in the window's language (from its data when main sent it).
  const route = status.route ? routeWords(status.route, net?.routes.find((r) => r.providerId === providerId)?.routeFacts, true) : '';
  const provider = names?.find((p) => p.id === providerId)?.name || status.provider || t('chat.offline.theProvider');
  const message = status.state === 'offline'
    ? t('chat.offline.noNetwork', { provider })
    : route
      ? t('chat.offline.unreachable', { provider, route })
      : t('chat.offline.unreachableNoRoute', { provider });
  return (
    <div className="banner banner-offline offline-banner" role="status" aria-live="polite" data-testid="offline-banner" data-state={status.state}>
      <div className="banner-body">
        <p className="banner-message">
          <strong>{t('chat.offline.title')}</strong> <span data-testid="offline-message">{message}</span>
        </p>
        <p className="banner-hint">{t('chat.offline.wait')}</p>
      </div>
    </div>
  );
}

/** The open conversation's questions waiting for their route, each with a button that removes it. */
export function QueuedList(): React.JSX.Element | null {
  const { t } = useTranslation();
  const conversationId = useChat((s) => s.page?.conversation.id);
  const queue = useChat((s) => s.net?.queue);
  const unqueue = useChat((s) => s.unqueue);
  const mine = (queue ?? []).filter((q) => q.conversationId === conversationId);
  if (!conversationId || mine.length === 0) return null;
  return (
    <ul className="queued-list" data-testid="queued-list" aria-label={t('chat.queued.title')}>
      {mine.map((q) => (
        <li key={q.id} className="queued-item" data-testid="queued-item" data-id={q.id}>
          <span className="queued-badge">{t('chat.queued.pending')}</span>
          <span className="queued-text" data-testid="queued-text">{q.text}</span>
          <button type="button" className="icon-button" data-testid="queued-remove" aria-label={t('chat.queued.remove')} title={t('chat.queued.remove')} onClick={() => void unqueue(q.id)}>
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}
