import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { SNIPPET_MARK_END, SNIPPET_MARK_START, type Conversation, type SearchHit } from '../../../shared/chat.ts';
import { useChat } from '../chat-store.ts';
import { useStore, type Section } from '../store.ts';
import { Icon } from './Icon.tsx';
import { ImportButton } from './ImportButton.tsx';
import { useSync } from '../sync-store.ts';

type Group = 'pinned' | 'today' | 'yesterday' | 'week' | 'month' | 'older';
const GROUPS: Group[] = ['pinned', 'today', 'yesterday', 'week', 'month', 'older'];

/** Conversations the list renders at first (more than any screen shows), and how many more at a time. */
const LIST_FIRST = 100;
const LIST_STEP = 200;

function groupOf(c: Conversation, now: Date): Group {
  if (c.pinned) return 'pinned';
  const day = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  const t = c.updatedAt;
  if (t >= day) return 'today';
  if (t >= day - 86_400_000) return 'yesterday';
  if (t >= day - 7 * 86_400_000) return 'week';
  if (t >= day - 30 * 86_400_000) return 'month';
  return 'older';
}

/** A snippet with its match markers turned into <mark> (text only: never HTML). */
export function Snippet({ text }: { text: string }): React.JSX.Element {
  const parts: React.ReactNode[] = [];
  let rest = text;
  let key = 0;
  while (rest) {
    const a = rest.indexOf(SNIPPET_MARK_START);
    if (a === -1) {
      parts.push(rest);
      break;
    }
    const b = rest.indexOf(SNIPPET_MARK_END, a);
    parts.push(rest.slice(0, a));
    parts.push(<mark key={key++}>{rest.slice(a + 1, b === -1 ? undefined : b)}</mark>);
    rest = b === -1 ? '' : rest.slice(b + 1);
  }
  return <>{parts}</>;
}

function SearchResults({ hits, onOpen }: { hits: SearchHit[]; onOpen(h: SearchHit): void }): React.JSX.Element {
  const { t } = useTranslation();
  const { query, running } = useChat((s) => s.search);
  return (
    <div className="search-results" data-testid="search-results" data-query={query} data-running={running ? 'true' : 'false'} aria-live="polite">
      <div className="muted small">{running ? t('sidebar.searching') : hits.length ? t('sidebar.hits', { count: hits.length }) : query ? t('sidebar.noHits') : ''}</div>
      <ul>
        {hits.map((h, i) => (
          <li key={`${h.conversationId}-${h.messageId ?? 't'}-${i}`}>
            <button type="button" className="hit" data-testid="search-hit" data-message-id={h.messageId ?? ''} onClick={() => onOpen(h)}>
              <span className="hit-title">{h.conversationTitle}</span>
              <span className="hit-snippet">
                {h.messageId ? null : <span className="muted">{t('sidebar.titleHit')}: </span>}
                <Snippet text={h.snippet} />
              </span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The sync's state under the sections (only where sync is on): syncing, when it last synced, or that it failed (opens Settings). */
function SyncBadge(): React.JSX.Element | null {
  const { t, i18n } = useTranslation();
  const view = useSync((s) => s.view);
  const load = useSync((s) => s.load);
  const setSection = useStore((s) => s.setSection);
  useEffect(() => {
    void load();
  }, [load]);
  if (!view?.settings.enabled) return null;
  const st = view.status;
  const text = st.state === 'running' ? t('sync.sidebar.running') : st.state === 'failed' ? t('sync.sidebar.failed') : st.lastSyncAt ? t('sync.sidebar.ok', { when: new Date(st.lastSyncAt).toLocaleTimeString(i18n.language, { hour: '2-digit', minute: '2-digit' }) }) : t('sync.never');
  return (
    <button type="button" className={`sync-badge sync-${st.state} muted small`} data-testid="sync-badge" data-state={st.state} onClick={() => setSection('settings')}>
      {text}
    </button>
  );
}

/**
 * One conversation in the list. Its actions are read from the stores when used, not subscribed to: the list can
 * hold thousands of items, and each subscription is a call on every change of the chat store (every frame of a
 * streamed answer). Memoised: the sidebar renders again as the search box is typed into.
 */
const ConversationItem = memo(function ConversationItem({ c, active }: { c: Conversation; active: boolean }): React.JSX.Element {
  const { t } = useTranslation();
  const [menu, setMenu] = useState(false);
  const [renaming, setRenaming] = useState(false);
  const [title, setTitle] = useState(c.title);
  const { open, update, remove, exportConversation } = useChat.getState();
  const { setSection, setNotice } = useStore.getState();
  const shown = c.title || t('chat.untitled');
  if (renaming) {
    return (
      <li className="conv renaming">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (title.trim()) void update(c.id, { title: title.trim() });
            setRenaming(false);
          }}
        >
          <input aria-label={t('sidebar.renameLabel', { title: shown })} data-testid="rename-input" autoFocus value={title} maxLength={500} onChange={(e) => setTitle(e.target.value)} onBlur={() => setRenaming(false)} onKeyDown={(e) => e.key === 'Escape' && setRenaming(false)} />
        </form>
      </li>
    );
  }
  return (
    <li className={active ? 'conv active' : 'conv'} data-testid="conversation" data-id={c.id}>
      <button
        type="button"
        className="conv-open"
        aria-current={active ? 'page' : undefined}
        onClick={() => {
          setSection('chat');
          void open(c.id);
        }}
      >
        {c.pinned ? <span className="pin"><Icon name="pin" /></span> : null}
        {shown}
      </button>
      <button type="button" className="icon-button conv-menu-button" aria-label={t('sidebar.actions', { title: shown })} aria-expanded={menu} onClick={() => setMenu((m) => !m)}>
        ⋯
      </button>
      {menu ? (
        <div className="conv-menu" role="menu" onMouseLeave={() => setMenu(false)}>
          <button type="button" role="menuitem" onClick={() => { setMenu(false); setTitle(c.title); setRenaming(true); }}>{t('sidebar.rename')}</button>
          <button type="button" role="menuitem" onClick={() => { setMenu(false); void update(c.id, { pinned: !c.pinned }); }}>{c.pinned ? t('sidebar.unpin') : t('sidebar.pin')}</button>
          {(['markdown', 'json'] as const).map((f) => (
            <button
              key={f}
              type="button"
              role="menuitem"
              onClick={() => {
                setMenu(false);
                void exportConversation(c.id, f).then((path) => path && setNotice(t('sidebar.exported', { path })));
              }}
            >
              {f === 'markdown' ? t('sidebar.exportMarkdown') : t('sidebar.exportJson')}
            </button>
          ))}
          <button
            type="button"
            role="menuitem"
            className="danger"
            onClick={() => {
              setMenu(false);
              if (window.confirm(t('sidebar.deleteConfirm', { title: shown }))) void remove(c.id);
            }}
          >
            {t('sidebar.delete')}
          </button>
        </div>
      ) : null}
    </li>
  );
});

const NAV: { id: Exclude<Section, 'chat'>; icon: string }[] = [
  { id: 'settings', icon: '⚙' },
  { id: 'diagnostics', icon: '✚' },
  { id: 'network', icon: '⇅' },
  { id: 'usage', icon: '∑' },
];

export function Sidebar(): React.JSX.Element {
  const { t } = useTranslation();
  const section = useStore((s) => s.section);
  const setSection = useStore((s) => s.setSection);
  const info = useStore((s) => s.info);
  const conversations = useChat((s) => s.conversations);
  const currentId = useChat((s) => s.currentId);
  const hits = useChat((s) => s.search.hits);
  const query = useChat((s) => s.search.query);
  const runSearch = useChat((s) => s.runSearch);
  const newChat = useChat((s) => s.newChat);
  const openHit = useChat((s) => s.openHit);
  const [text, setText] = useState(query);

  // The list renders its first LIST_FIRST conversations, and LIST_STEP more each time its end comes near (or its
  // "show more" button is pressed): a list of thousands (an imported history) made the cold start render them all.
  const [rendered, setRendered] = useState(LIST_FIRST);
  const groups = useMemo(() => {
    const now = new Date();
    const by = new Map<Group, Conversation[]>();
    for (const c of conversations.slice(0, rendered)) {
      const g = groupOf(c, now);
      const items = by.get(g);
      if (items) items.push(c);
      else by.set(g, [c]);
    }
    return GROUPS.filter((g) => by.has(g)).map((g) => ({ g, items: by.get(g) ?? [] }));
  }, [conversations, rendered]);
  const more = Math.max(0, conversations.length - rendered);
  const hasMore = more > 0;
  const showMore = useCallback(() => setRendered((n) => n + LIST_STEP), []);
  // The button is watched whenever it is in the page (it leaves while search results are shown); once more are
  // rendered it is watched afresh, so a window tall enough to still show it asks for the next ones too.
  const watching = useRef<{ io: IntersectionObserver; el: Element } | null>(null);
  const moreRef = useCallback((el: HTMLButtonElement | null) => {
    if (!el || typeof IntersectionObserver !== 'function') return undefined;
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) showMore();
    }, { root: el.closest('.conversations'), rootMargin: '400px 0px' });
    io.observe(el);
    watching.current = { io, el };
    return () => {
      io.disconnect();
      watching.current = null;
    };
  }, [showMore]);
  useEffect(() => {
    const w = watching.current;
    if (!w) return;
    w.io.unobserve(w.el);
    w.io.observe(w.el);
  }, [rendered]);

  // Every keystroke searches at once (no waiting on purpose): main drops a query still queued when the next one
  // comes, and only the latest query's answer is shown (runSearch).
  const onSearch = (value: string): void => {
    setText(value);
    void runSearch(value);
  };

  return (
    <aside className="sidebar">
      <div className="brand" aria-hidden="true">
        Parley
      </div>
      <button
        type="button"
        className="primary new-chat"
        data-testid="new-chat"
        title={`${t('sidebar.newChat')} (Ctrl+Shift+O)`}
        onClick={() => {
          setSection('chat');
          void newChat();
        }}
      >
        <span aria-hidden="true">+ </span>
        {t('sidebar.newChat')}
      </button>
      <input
        id="search-box"
        type="search"
        className="search-box"
        data-testid="search-box"
        aria-label={t('sidebar.search')}
        placeholder={t('sidebar.searchPlaceholder')}
        value={text}
        maxLength={500}
        onChange={(e) => onSearch(e.target.value)}
        onKeyDown={(e) => e.key === 'Escape' && onSearch('')}
      />
      <nav aria-label={t('sidebar.conversations')} className="conversations">
        {text.trim() ? (
          <SearchResults
            hits={hits}
            onOpen={(h) => {
              setSection('chat');
              void openHit(h, query);
            }}
          />
        ) : conversations.length === 0 ? (
          <p className="muted small empty-list">{t('sidebar.empty')}</p>
        ) : (
          <>
            {groups.map(({ g, items }) => (
              <section key={g} className="conv-group" aria-label={t(`sidebar.groups.${g}`)}>
                <h2 className="conv-group-title">{t(`sidebar.groups.${g}`)}</h2>
                <ul>
                  {items.map((c) => (
                    <ConversationItem key={c.id} c={c} active={section === 'chat' && c.id === currentId} />
                  ))}
                </ul>
              </section>
            ))}
            {hasMore ? (
              <button type="button" ref={moreRef} className="secondary conv-more" data-testid="conversations-more" onClick={showMore}>
                {t('sidebar.showMore', { count: Math.min(more, LIST_STEP), total: more })}
              </button>
            ) : null}
          </>
        )}
      </nav>
      <nav aria-label={t('nav.label')} className="sections">
        <ul>
          {NAV.map(({ id, icon }) => (
            <li key={id}>
              <button
                type="button"
                className={section === id ? 'nav-button active' : 'nav-button'}
                aria-current={section === id ? 'page' : undefined}
                data-testid={`nav-${id}`}
                onClick={() => setSection(id)}
              >
                <span className="nav-icon" aria-hidden="true">{icon}</span>
                {t(`nav.${id}`)}
              </button>
            </li>
          ))}
          <li>
            <ImportButton />
          </li>
        </ul>
        <SyncBadge />
      </nav>
      <footer className="sidebar-footer" data-testid="app-version">
        {info ? (
          <>
            <div className="app-name">{info.name}</div>
            <div className="muted small">{t('app.version', { version: info.version })}</div>
          </>
        ) : null}
      </footer>
    </aside>
  );
}
