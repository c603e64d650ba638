/**
 * The desktop habits as main applied them (issue 22; 'desktop:state', wired in events.ts): whether the global
 * shortcut is registered or another app holds it. Null until main says (a browser host never does).
 */
import { create } from 'zustand';
import type { DesktopState } from '../../shared/ipc.ts';

export interface DesktopStore {
  state: DesktopState | null;
  onState(state: DesktopState): void;
}

export const useDesktop = create<DesktopStore>((set) => ({
  state: null,
  onState: (state) => set({ state }),
}));
