import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { installGlobalHandlers } from './log.ts';
import './i18n.ts';
import './styles.css';
import { App } from './App.tsx';
import { prefetchBoot } from './store.ts';

installGlobalHandlers();
// The start's data is on its way while React renders the shell.
prefetchBoot();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
