/**
 * The global shortcuts (issue 22): one shows and hides Parley, one opens the quick window. Electron's
 * globalShortcut.register answers false when another app holds the keys, and throws on text it cannot read: both
 * become a state the window shows (DesktopState), never a silent nothing. The quick window's keys, when they are the
 * other shortcut's, are not registered a second time: 'duplicate'.
 */
import { globalShortcut } from 'electron';
import type { ShortcutStatus } from '../../shared/ipc.ts';
import { sameAccelerator as sameKeys } from '../../shared/settings.ts';

export type ShortcutState = ShortcutStatus;

export interface ShortcutHandle {
  /**
   * Registers `accelerator` in place of the one before ('' removes it); the same one again changes nothing. When it
   * names the same keys as `other` (the shortcut registered before it), nothing is registered: 'duplicate'.
   */
  apply(accelerator: string, other?: string): ShortcutState;
  state(): ShortcutState;
  dispose(): void;
}

export function createShortcut(onPress: () => void): ShortcutHandle {
  let current: ShortcutState = { accelerator: '', state: 'off' };
  const release = (): void => {
    if (current.state === 'registered') globalShortcut.unregister(current.accelerator);
  };
  return {
    apply(accelerator, other = '') {
      if (accelerator === current.accelerator && current.state === 'registered' && !sameKeys(accelerator, other)) return current;
      release();
      if (!accelerator) return (current = { accelerator: '', state: 'off' });
      if (sameKeys(accelerator, other)) return (current = { accelerator, state: 'duplicate' });
      let ok: boolean;
      try {
        ok = globalShortcut.register(accelerator, onPress);
      } catch {
        return (current = { accelerator, state: 'invalid' });
      }
      return (current = { accelerator, state: ok ? 'registered' : 'taken' });
    },
    state: () => current,
    dispose() {
      release();
      current = { accelerator: '', state: 'off' };
    },
  };
}
