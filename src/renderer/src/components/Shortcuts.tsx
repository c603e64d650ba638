/**
 * The keyboard shortcuts, as a list over the chat (Ctrl+/ or the header's "?"); Esc or × closes it.
 * The keys are the ones App.tsx (Ctrl shortcuts), the composer (Enter, Shift+Enter) and ChatView (Esc) handle.
 */
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';

/** Ctrl, or ⌘ on macOS (the app's shortcuts take either). */
function modKey(): string {
  return /mac/i.test(navigator.platform) ? '⌘' : 'Ctrl';
}

export function ShortcutsDialog({ onClose }: { onClose: () => void }): React.JSX.Element {
  const { t } = useTranslation();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    ref.current?.focus();
    return () => before?.focus?.();
  }, []);
  const mod = modKey();
  const rows: [string, string][] = [
    ['Enter', t('chat.shortcuts.send')],
    ['Shift+Enter', t('chat.shortcuts.newline')],
    ['Esc', t('chat.shortcuts.stop')],
    [`${mod}+.`, t('chat.shortcuts.stopAlso')],
    [`${mod}+Shift+O`, t('chat.shortcuts.newChat')],
    [`${mod}+K`, t('chat.shortcuts.search')],
    [`${mod}+,`, t('chat.shortcuts.settings')],
    [`${mod}+/`, t('chat.shortcuts.list')],
  ];
  return (
    <div className="shortcuts-backdrop" onClick={onClose}>
      <div
        ref={ref}
        className="card shortcuts"
        role="dialog"
        aria-modal="true"
        aria-labelledby="shortcuts-title"
        data-testid="shortcuts"
        tabIndex={-1}
        onClick={(e) => e.stopPropagation()}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            // Closes the list only: the answer goes on.
            e.preventDefault();
            e.stopPropagation();
            onClose();
          }
        }}
      >
        <header className="shortcuts-head">
          <h2 id="shortcuts-title">{t('chat.shortcuts.title')}</h2>
          <button type="button" className="icon-button" aria-label={t('chat.shortcuts.close')} onClick={onClose}>×</button>
        </header>
        <dl className="shortcuts-list">
          {rows.map(([keys, what]) => (
            <div key={keys}>
              <dt><kbd>{keys}</kbd></dt>
              <dd>{what}</dd>
            </div>
          ))}
        </dl>
      </div>
    </div>
  );
}
