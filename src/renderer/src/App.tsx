import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { call } from './api.ts';
import { wireStores } from './events.ts';
import { useChat } from './chat-store.ts';
import { useStore } from './store.ts';
import { Sidebar } from './components/Sidebar.tsx';
import { ErrorBanner } from './components/ErrorBanner.tsx';
import { SettingsPanel } from './components/SettingsPanel.tsx';
import { DiagnosticsPanel } from './components/DiagnosticsPanel.tsx';
import { NetworkPanel } from './components/NetworkPanel.tsx';
import { ChatView } from './components/ChatView.tsx';
import { NoticeToast } from './components/NoticeToast.tsx';

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
  const shown = (id: 'settings' | 'diagnostics' | 'network'): boolean => section === id || !!visited[id];

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
              {shown('settings') ? <SettingsPanel key={viewRevision} view={view} revision={viewRevision} /> : null}
            </div>
            <div hidden={section !== 'diagnostics'}>
              {shown('diagnostics') ? <DiagnosticsPanel /> : null}
            </div>
            <div hidden={section !== 'network'}>
              {shown('network') ? <NetworkPanel /> : null}
            </div>
          </>
        )}
      </main>
    </div>
  );
}
