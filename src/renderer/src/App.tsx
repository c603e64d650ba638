import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { bridge } from './api.ts';
import { useStore } from './store.ts';
import { Sidebar } from './components/Sidebar.tsx';
import { ErrorBanner } from './components/ErrorBanner.tsx';
import { SettingsPanel } from './components/SettingsPanel.tsx';
import { DiagnosticsPanel } from './components/DiagnosticsPanel.tsx';

export function App(): React.JSX.Element {
  const { t } = useTranslation();
  const loaded = useStore((s) => s.loaded);
  const section = useStore((s) => s.section);
  const view = useStore((s) => s.view);
  const viewRevision = useStore((s) => s.viewRevision);

  useEffect(() => {
    void useStore.getState().init();
    const api = bridge();
    if (!api) return;
    try {
      return api.on('doctor:step', (step) => useStore.getState().onDoctorStep(step));
    } catch {
      return undefined;
    }
  }, []);

  return (
    <div className="app">
      <Sidebar />
      <main className="content" id="content">
        <ErrorBanner />
        {!loaded ? (
          <p className="muted" role="status">{t('app.loading')}</p>
        ) : (
          <>
            {/* Both stay mounted: unsaved edits and a running doctor survive switching sections. */}
            <div hidden={section !== 'settings'}>
              <SettingsPanel key={viewRevision} view={view} revision={viewRevision} />
            </div>
            <div hidden={section !== 'diagnostics'}>
              <DiagnosticsPanel />
            </div>
          </>
        )}
      </main>
    </div>
  );
}
