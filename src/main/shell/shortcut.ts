/**
 * The global shortcut that shows and hides Parley (issue 22). Electron's globalShortcut.register answers false
 * when another app holds the keys, and throws on text it cannot read: both become a state the window shows
 * (DesktopState.shortcut), never a silent nothing.
 */
import { globalShortcut } from 'electron';
import type { DesktopState } from '../../shared/ipc.ts';

export type ShortcutState = DesktopState['shortcut'];

export interface ShortcutHandle {
  /** Registers `accelerator` in place of the one before ('' removes it); the same one again changes nothing. */
  apply(accelerator: string): ShortcutState;
  state(): ShortcutState;
  dispose(): void;
}

export function createShortcut(onPress: () => void): ShortcutHandle {
  let current: ShortcutState = { accelerator: '', state: 'off' };
  const release = (): void => {
    if (current.state === 'registered') globalShortcut.unregister(current.accelerator);
  };
  return {
    apply(accelerator) {
      if (accelerator === current.accelerator && current.state === 'registered') return current;
      release();
      if (!accelerator) return (current = { accelerator: '', state: 'off' });
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
