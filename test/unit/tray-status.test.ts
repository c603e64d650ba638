/**
 * The tray's state and route lines (src/main/shell/tray.ts trayStatus, trayTemplate): the default provider's route
 * as connectivity knows it, else the proxy setting; offline, not reachable or online; never a proxy password.
 * Electron itself is not needed for these rules (the module's electron imports are stood in for).
 */
import { describe, expect, it, vi } from 'vitest';
import type { NetState } from '../../src/shared/ipc.ts';

vi.mock('electron', () => ({ app: {}, Menu: {}, nativeImage: {}, Tray: class {} }));
const { trayStatus, trayTemplate, trayLabels, TRAY_LABELS_EN: en } = await import('../../src/main/shell/tray.ts');

const net = (over: Partial<NetState> = {}): NetState => ({
  osOnline: true,
  queue: [],
  routes: [
    { providerId: 'a', provider: 'Relay A', route: 'proxy http://127.0.0.1:3128 (manual)', state: 'online', since: 0 },
    { providerId: 'b', provider: 'Relay B', route: 'direct (no proxy)', state: 'unreachable', since: 0 },
  ],
  ...over,
});

describe('the tray\'s lines', () => {
  it('the default provider\'s route and state', () => {
    expect(trayStatus({ labels: en, net: net(), providerId: 'a', proxy: undefined })).toEqual({ route: 'Route: proxy http://127.0.0.1:3128 (manual)', state: 'Online' });
    expect(trayStatus({ labels: en, net: net(), providerId: 'b', proxy: undefined })).toEqual({ route: 'Route: direct (no proxy)', state: 'Not reachable: Relay B' });
    // The OS says there is no network: offline whatever the route.
    expect(trayStatus({ labels: en, net: net({ osOnline: false }), providerId: 'a', proxy: undefined }).state).toBe('Offline (no network)');
  });
  it('before any request: the proxy setting, without its password', () => {
    const none = net({ routes: [] });
    expect(trayStatus({ labels: en, net: none, providerId: null, proxy: { mode: 'manual', url: 'http://user:s3cret@proxy.example:8080', bypass: '' } }).route).toBe('Route: http://proxy.example:8080');
    expect(trayStatus({ labels: en, net: none, providerId: null, proxy: { mode: 'system', bypass: '' } }).route).toBe('Route: system proxy');
    expect(trayStatus({ labels: en, net: none, providerId: null, proxy: { mode: 'none', bypass: '' } }).route).toBe('Route: direct (no proxy)');
    // A route text with credentials in it loses them too.
    const leaky = net({ routes: [{ providerId: 'a', provider: 'A', route: 'proxy http://u:pw@127.0.0.1:3128 (manual)', state: 'online', since: 0 }] });
    expect(trayStatus({ labels: en, net: leaky, providerId: 'a', proxy: undefined }).route).toBe('Route: proxy http://127.0.0.1:3128 (manual)');
  });
  it('the menu: Show or Hide by the window\'s state, status lines not clickable, in zh for a Chinese OS', () => {
    const actions = { toggleWindow: vi.fn(), newChat: vi.fn(), quickWindow: vi.fn(), quit: vi.fn() };
    const items = trayTemplate({ labels: trayLabels('system', 'zh-CN'), windowVisible: false, net: net(), providerId: 'a', proxy: undefined, actions });
    expect(items.filter((i) => i.type !== 'separator').map((i) => [i.label, i.enabled ?? true])).toEqual([
      ['显示 Parley', true],
      ['在线', false],
      ['线路：proxy http://127.0.0.1:3128 (manual)', false],
      ['新对话', true],
      ['快速提问', true],
      ['退出 Parley', true],
    ]);
    items.find((i) => i.id === 'new-chat')?.click?.({} as never, undefined, {} as never);
    expect(actions.newChat).toHaveBeenCalledOnce();
    items.find((i) => i.id === 'quick')?.click?.({} as never, undefined, {} as never);
    expect([actions.quickWindow.mock.calls.length, actions.newChat.mock.calls.length, actions.toggleWindow.mock.calls.length]).toEqual([1, 1, 0]);
    expect(trayLabels('en', 'zh-CN').show).toBe('Show Parley');
  });
});
