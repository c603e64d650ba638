import { lazy, StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import { installGlobalHandlers } from './log.ts';
import { startLanguageReady } from './i18n.ts';
import './styles.css';
import { App } from './App.tsx';
import { prefetchBoot } from './store.ts';

// The quick window (issue 22) loads the same page with #quick: its own small view, a chunk of its own.
const QuickApp = lazy(() => import('./quick/QuickApp.tsx').then((m) => ({ default: m.QuickApp })));
const quick = location.hash === '#quick';

installGlobalHandlers();
// The start's data is on its way while React renders the shell.
prefetchBoot();

// The start's language is in first (at once for English; Chinese is a chunk of its own): no flash of English.
void startLanguageReady.then(() =>
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      {quick ? (
        <Suspense fallback={null}>
          <QuickApp />
        </Suspense>
      ) : (
        <App />
      )}
    </StrictMode>,
  ),
);
