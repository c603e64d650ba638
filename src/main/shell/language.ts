import type { AppServices } from '../services/app.ts';

/** The settings' ui.language ('system', 'en', 'zh' or unset), for what main shows itself (menu, dialogs). */
export function uiLanguage(services: Pick<AppServices, 'settings'>): string | undefined {
  try {
    return services.settings.get().ui.language;
  } catch {
    return undefined; // unreadable settings: the OS language
  }
}
