/**
 * Light and dark: data-theme on <html> is always 'light' or 'dark', so the styles need one dark rule set.
 * 'system' follows the OS (prefers-color-scheme) and its changes; set at module load, before the first paint.
 */
import type { Theme } from '../../shared/settings.ts';

const media = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : undefined;
let setting: Theme = 'system';

function apply(): void {
  const dark = setting === 'dark' || (setting === 'system' && !!media?.matches);
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
}

media?.addEventListener('change', () => {
  if (setting === 'system') apply();
});
apply();

export function applyTheme(theme: Theme | undefined): void {
  setting = theme ?? 'system';
  apply();
}
