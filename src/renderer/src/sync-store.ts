/**
 * Sync in the window (issue 21): the Sync section's view (settings without secrets, the state), saving it, a sync
 * now, and the state main pushes ('sync:state', wired in events.ts). When another device's changes came in, the
 * conversation list and the open conversation are read again.
 */
import { create } from 'zustand';
import type { ErrorInfo } from '../../shared/errors.ts';
import type { SyncDraft, SyncStatus, SyncView } from '../../shared/sync.ts';
import { call } from './api.ts';
import { useChat } from './chat-store.ts';

export interface SyncState {
  view: SyncView | null;
  /** Why the last save was refused (a field is named in `field`). */
  saveError: ErrorInfo | null;
  saving: boolean;
  load(): Promise<void>;
  save(draft: SyncDraft): Promise<boolean>;
  run(): Promise<void>;
  onState(status: SyncStatus): void;
}

export const useSync = create<SyncState>((set, get) => ({
  view: null,
  saveError: null,
  saving: false,
  async load() {
    const r = await call('syncGet', (api) => api.syncGet());
    if (r.ok) set({ view: r.value });
  },
  async save(draft) {
    set({ saving: true, saveError: null });
    const r = await call('syncSave', (api) => api.syncSave(draft));
    set(r.ok ? { view: r.value, saving: false } : { saveError: r.error, saving: false });
    return r.ok;
  },
  async run() {
    const r = await call('syncRun', (api) => api.syncRun());
    if (r.ok) set({ view: r.value });
  },
  onState(status) {
    const before = get().view?.status;
    const view = get().view;
    if (view) set({ view: { ...view, status } });
    // Another device's changes came in: the list (and the open conversation) are read again.
    if (status.lastSyncAt && status.lastSyncAt !== before?.lastSyncAt && (status.last?.applied ?? 0) > 0) {
      void useChat.getState().loadList();
      void useChat.getState().refresh();
    }
  },
}));
