/** The sidebar's Import button and, while an import runs, its progress (bytes read, conversations) and Cancel. */
import { useTranslation } from 'react-i18next';
import { useImport } from '../import-store.ts';
import { useStore } from '../store.ts';

const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);

export function ImportButton(): React.JSX.Element {
  const { t } = useTranslation();
  const setNotice = useStore((s) => s.setNotice);
  const running = useImport((s) => s.running);
  const progress = useImport((s) => s.progress);
  const cancelling = useImport((s) => s.cancelling);
  const start = useImport((s) => s.start);
  const cancel = useImport((s) => s.cancel);

  const onImport = async (): Promise<void> => {
    const n = await start();
    if (n === 'cancelled') setNotice(t('sidebar.importCancelled'));
    else if (n) {
      // Images the export names but that were not beside it (ChatGPT): said, by name, never silently dropped. The
      // messages' search index is written after the import (main's index catch-up): search finds them, more slowly.
      const missing = useImport.getState().missing;
      setNotice(t('sidebar.imported', { count: n }) + (missing ? ' ' + t('sidebar.importMissing', { count: missing.count, names: missing.names.join(', ') }) : '') + ' ' + t('sidebar.importIndexing'));
    }
  };

  return (
    <>
      <button type="button" className="nav-button" data-testid="import" disabled={running} onClick={() => void onImport()}>
        <span className="nav-icon" aria-hidden="true">⇪</span>
        {t('sidebar.import')}
      </button>
      {running && progress ? (
        <div className="import-progress" data-testid="import-progress" role="status" data-phase={progress.phase}>
          <progress max={progress.totalBytes || 1} value={progress.bytesRead} aria-label={t('sidebar.importProgress')} />
          <div className="muted small" data-testid="import-progress-text">
            {progress.phase === 'removing' ? (
              t('sidebar.importRemoving', { count: progress.conversations })
            ) : (
              <>
                {t('sidebar.importRead', { read: mb(progress.bytesRead), total: mb(progress.totalBytes) })}
                {' · '}
                {t('sidebar.importWritten', { count: progress.conversations })}
              </>
            )}
          </div>
          <button type="button" className="link-button" data-testid="import-cancel" disabled={cancelling} onClick={() => void cancel()}>
            {t('sidebar.importCancel')}
          </button>
        </div>
      ) : null}
    </>
  );
}
