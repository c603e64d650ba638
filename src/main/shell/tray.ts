/**
 * The tray icon and its menu (issue 22): Show/Hide Parley, the current route and whether it answers, New chat,
 * Quick question (the quick window), Quit. The menu is built from plain inputs (`trayTemplate`) and rebuilt when the window is shown or hidden, the
 * settings are saved, or the app services report a new connectivity state: the tray watches that state the way
 * a window does, as the hub's window 'tray'.
 */
import { app, Menu, nativeImage, Tray, type MenuItemConstructorOptions } from 'electron';
// The app's icon, inlined into the build as a data: URL (about 2 KB), so out/** alone carries it.
import trayIconUrl from '../../../resources/icons/32x32.png?inline';
import type { NetState } from '../../shared/ipc.ts';
import type { NetworkSettings } from '../../shared/settings.ts';
import type { AppServices } from '../services/app.ts';
import { uiLanguage } from './language.ts';

export interface TrayLabels {
  show: string;
  hide: string;
  online: string;
  offline: string;
  unreachable: string;
  route: string;
  direct: string;
  systemProxy: string;
  envProxy: string;
  newChat: string;
  quick: string;
  quit: string;
}
export const TRAY_LABELS_EN: TrayLabels = {
  show: 'Show Parley',
  hide: 'Hide Parley',
  online: 'Online',
  offline: 'Offline (no network)',
  unreachable: 'Not reachable: {provider}',
  route: 'Route: {route}',
  direct: 'direct (no proxy)',
  systemProxy: 'system proxy',
  envProxy: 'proxy from the environment',
  newChat: 'New Chat',
  quick: 'Quick Question',
  quit: 'Quit Parley',
};
export const TRAY_LABELS_ZH: TrayLabels = {
  show: '显示 Parley',
  hide: '隐藏 Parley',
  online: '在线',
  offline: '离线（没有网络）',
  unreachable: '无法连接：{provider}',
  route: '线路：{route}',
  direct: '直连（不用代理）',
  systemProxy: '系统代理',
  envProxy: '环境变量中的代理',
  newChat: '新对话',
  quick: '快速提问',
  quit: '退出 Parley',
};

export function trayLabels(language: string | undefined, systemLocale: string): TrayLabels {
  const lang = !language || language === 'system' ? systemLocale : language;
  return lang.toLowerCase().startsWith('zh') ? TRAY_LABELS_ZH : TRAY_LABELS_EN;
}

/** A proxy URL without its user name and password (the tray's menu is on screen). */
function safeUrl(url: string | undefined): string {
  if (!url || !URL.canParse(url)) return '';
  const u = new URL(url);
  return `${u.protocol}//${u.host}`;
}

export interface TrayInputs {
  labels: TrayLabels;
  windowVisible: boolean;
  net: NetState | undefined;
  /** The default provider's id: its route is "the current route". */
  providerId: string | null | undefined;
  proxy: NetworkSettings['proxy'] | undefined;
  actions: { toggleWindow(): void; newChat(): void; quickWindow(): void; quit(): void };
}

/** The route line and the state line: the default provider's route as connectivity knows it, else the proxy setting. */
export function trayStatus({ labels, net, providerId, proxy }: Pick<TrayInputs, 'labels' | 'net' | 'providerId' | 'proxy'>): { route: string; state: string } {
  const entry = net?.routes.find((r) => r.providerId === providerId) ?? net?.routes[0];
  const fromSetting = proxy?.mode === 'manual' ? safeUrl(proxy.url) || labels.direct : proxy?.mode === 'system' ? labels.systemProxy : proxy?.mode === 'none' ? labels.direct : labels.envProxy;
  const route = (entry?.route || fromSetting).replace(/\/\/[^/@\s]*@/, '//');
  const state = net && !net.osOnline ? labels.offline : entry?.state === 'unreachable' ? labels.unreachable.replace('{provider}', entry.provider) : entry?.state === 'offline' ? labels.offline : labels.online;
  return { route: labels.route.replace('{route}', route.slice(0, 120)), state };
}

export function trayTemplate(inputs: TrayInputs): MenuItemConstructorOptions[] {
  const { labels, windowVisible, actions } = inputs;
  const status = trayStatus(inputs);
  return [
    { id: 'toggle', label: windowVisible ? labels.hide : labels.show, click: () => actions.toggleWindow() },
    { type: 'separator' },
    { id: 'state', label: status.state, enabled: false },
    { id: 'route', label: status.route, enabled: false },
    { type: 'separator' },
    { id: 'new-chat', label: labels.newChat, click: () => actions.newChat() },
    { id: 'quick', label: labels.quick, click: () => actions.quickWindow() },
    { type: 'separator' },
    { id: 'quit', label: labels.quit, click: () => actions.quit() },
  ];
}

/** The hub's name for the tray, as a window's. */
export const TRAY_WINDOW_ID = 'tray';

export interface TrayHandle {
  /** Builds the menu again (window shown or hidden, settings saved). */
  refresh(): void;
  destroy(): void;
}

export function setupTray(services: AppServices, opts: { windowVisible(): boolean; actions: TrayInputs['actions'] }): TrayHandle {
  // 32 px (Windows and Linux scale it to their tray); macOS's menu bar wants 16 pt.
  const icon = nativeImage.createFromDataURL(trayIconUrl);
  if (icon.isEmpty()) services.logger.scope('ui').warn('tray icon not read');
  const tray = new Tray(process.platform === 'darwin' ? icon.resize({ width: 16, height: 16 }) : icon);
  tray.setToolTip('Parley');
  let net: NetState | undefined;
  const refresh = (): void => {
    let settings;
    try {
      settings = services.settings.get();
    } catch {
      settings = undefined;
    }
    const labels = trayLabels(uiLanguage(services), app.getLocale());
    tray.setContextMenu(Menu.buildFromTemplate(trayTemplate({ labels, windowVisible: opts.windowVisible(), net, providerId: settings?.defaults.providerId, proxy: settings?.network.proxy, actions: opts.actions })));
  };
  services.attachWindow(TRAY_WINDOW_ID, (event, payload) => {
    if (event !== 'connectivity:state') return;
    net = payload as NetState;
    refresh();
  });
  services.hub.ready(TRAY_WINDOW_ID);
  void services.invoke({ windowId: TRAY_WINDOW_ID }, 'connectivity:get', []).then((r) => {
    if (r.ok) net = r.value;
    refresh();
  });
  // A click on the icon (Windows, Linux) shows or hides the window; macOS opens the menu.
  tray.on('click', () => opts.actions.toggleWindow());
  refresh();
  return {
    refresh,
    destroy: () => {
      services.detachWindow(TRAY_WINDOW_ID);
      tray.destroy();
    },
  };
}
