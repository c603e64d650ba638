import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { installGlobalHandlers } from './log.ts';
import './i18n.ts';
import './styles.css';
import { App } from './App.tsx';

installGlobalHandlers();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
