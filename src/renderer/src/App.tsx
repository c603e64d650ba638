import { lazy, Suspense, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { call } from './api.ts';
import { wireStores } from './events.ts';
import { useChat } from './chat-store.ts';
import { useStore } from './store.ts';
import { Sidebar } from './components/Sidebar.tsx';
import { ErrorBanner } from './components/ErrorBanner.tsx';
import { ChatView } from './components/ChatView.tsx';
import { NoticeToast } from './components/NoticeToast.tsx';

// Loaded the first time they are shown: the start evaluates only what the chat needs.
const SettingsPanel = lazy(() => import('./components/SettingsPanel.tsx').then((m) => ({ default: m.SettingsPanel })));
const DiagnosticsPanel = lazy(() => import('./components/DiagnosticsPanel.tsx').then((m) => ({ default: m.DiagnosticsPanel })));
const NetworkPanel = lazy(() => import('./components/NetworkPanel.tsx').then((m) => ({ default: m.NetworkPanel })));
const UsagePanel = lazy(() => import('./components/UsagePanel.tsx').then((m) => ({ default: m.UsagePanel })));

/** Ctrl (Cmd on macOS) shortcuts: new chat, search, settings, stop. */
function onShortcut(e: KeyboardEvent): void {
  const mod = e.ctrlKey || e.metaKey;
  if (!mod) return;
  const key = e.key.toLowerCase();
  const store = useStore.getState();
  const chat = useChat.getState();
  if (e.shiftKey && key === 'o') {
    e.preventDefault();
    store.setSection('chat');
    void chat.newChat();
  } else if (key === 'k' && !e.shiftKey) {
    e.preventDefault();
    document.getElementById('search-box')?.focus();
  } else if (key === ',') {
    e.preventDefault();
    store.setSection('settings');
  } else if (key === '.') {
    e.preventDefault();
    void chat.stop();
  }
}

export function App(): React.JSX.Element {
  const { t } = useTranslation();
  const loaded = useStore((s) => s.loaded);
  const section = useStore((s) => s.section);
  const view = useStore((s) => s.view);
  const viewRevision = useStore((s) => s.viewRevision);
  // Settings, diagnostics and the network panel mount the first time they are shown (not at start), then stay mounted.
  const [visited, setVisited] = useState<Record<string, boolean>>({});
  useEffect(() => {
    if (section !== 'chat' && !visited[section]) setVisited((v) => ({ ...v, [section]: true }));
  }, [section, visited]);
  const shown = (id: 'settings' | 'diagnostics' | 'network' | 'usage'): boolean => section === id || !!visited[id];

  useEffect(() => {
    const unwire = wireStores();
    void (async () => {
      // One round trip: settings, the list, answers main is still writing (after a reload) and the
      // conversation to show; then the events from here on.
      await useStore.getState().init();
      await call('appReady', (a) => a.appReady());
    })();
    window.addEventListener('keydown', onShortcut);
    return () => {
      unwire();
      window.removeEventListener('keydown', onShortcut);
    };
  }, []);

  return (
    <div className="app">
      <Sidebar />
      <main className="content" id="content">
        <ErrorBanner />
        <NoticeToast />
        {!loaded ? (
          <p className="muted" role="status">{t('app.loading')}</p>
        ) : (
          <>
            <div className="section-chat" hidden={section !== 'chat'}>
              <ChatView />
            </div>
            {/* Once shown, both stay mounted: unsaved edits and a running doctor survive switching sections. */}
            <div hidden={section !== 'settings'}>
              <Suspense fallback={null}>{shown('settings') ? <SettingsPanel key={viewRevision} view={view} revision={viewRevision} /> : null}</Suspense>
            </div>
            <div hidden={section !== 'diagnostics'}>
              <Suspense fallback={null}>{shown('diagnostics') ? <DiagnosticsPanel /> : null}</Suspense>
            </div>
            <div hidden={section !== 'network'}>
              <Suspense fallback={null}>{shown('network') ? <NetworkPanel /> : null}</Suspense>
            </div>
            <div hidden={section !== 'usage'}>
              <Suspense fallback={null}>{shown('usage') ? <UsagePanel /> : null}</Suspense>
            </div>
          </>
        )}
      </main>
    </div>
  );
}
