/**
 * Updates in the window (issue 22): Settings → Updates' view (settings, state, feeds), check, download and install
 * (each a click: nothing installs by itself), and the state main pushes ('update:state', wired in events.ts).
 */
import { create } from 'zustand';
import type { ErrorInfo } from '../../shared/errors.ts';
import type { UpdateSettingsDraft, UpdateStatus, UpdateView } from '../../shared/update.ts';
import { call } from './api.ts';

export interface UpdateState {
  view: UpdateView | null;
  /** Why the last action or save was refused (not a failed check: that is in the status). */
  actionError: ErrorInfo | null;
  load(): Promise<void>;
  check(): Promise<void>;
  download(): Promise<void>;
  install(): Promise<void>;
  save(draft: UpdateSettingsDraft): Promise<boolean>;
  onState(status: UpdateStatus): void;
}

export const useUpdates = create<UpdateState>((set, get) => {
  const withStatus = (status: UpdateStatus): void => {
    const view = get().view;
    if (view) set({ view: { ...view, status } });
  };
  const act = async (name: 'updateCheck' | 'updateDownload' | 'updateInstall'): Promise<void> => {
    set({ actionError: null });
    const r = await call(name, (api) => api[name]());
    if (r.ok) withStatus(r.value);
    else set({ actionError: r.error });
  };
  return {
    view: null,
    actionError: null,
    async load() {
      const r = await call('updateGet', (api) => api.updateGet());
      if (r.ok) set({ view: r.value });
    },
    check: () => act('updateCheck'),
    download: () => act('updateDownload'),
    install: () => act('updateInstall'),
    async save(draft) {
      set({ actionError: null });
      const r = await call('updateSave', (api) => api.updateSave(draft));
      if (r.ok) set({ view: r.value });
      else set({ actionError: r.error });
      return r.ok;
    },
    onState: withStatus,
  };
});
