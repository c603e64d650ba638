import { useTranslation } from 'react-i18next';
import { useStore, type Section } from '../store.ts';

const SECTIONS: { id: Section; icon: string }[] = [
  { id: 'settings', icon: '⚙' },
  { id: 'diagnostics', icon: '✚' },
];

export function Sidebar(): React.JSX.Element {
  const { t } = useTranslation();
  const section = useStore((s) => s.section);
  const setSection = useStore((s) => s.setSection);
  const info = useStore((s) => s.info);
  return (
    <aside className="sidebar">
      <div className="brand" aria-hidden="true">
        Parley
      </div>
      <nav aria-label={t('nav.label')}>
        <ul>
          {SECTIONS.map(({ id, icon }) => (
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
        </ul>
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
