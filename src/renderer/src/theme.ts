/** Light and dark: 'system' follows the OS (prefers-color-scheme); 'light'/'dark' win over it (data-theme on <html>). */
import type { Theme } from '../../shared/settings.ts';

export function applyTheme(theme: Theme | undefined): void {
  const root = document.documentElement;
  if (theme === 'light' || theme === 'dark') root.dataset.theme = theme;
  else delete root.dataset.theme;
}
