/**
 * The import in the window: running from the click until main answers, its progress ('conversations:importProgress'
 * events, wired in events.ts) and its cancel. The import itself (and its failures) is the chat store's
 * importConversations.
 */
import { create } from 'zustand';
import type { ImportProgress } from '../../shared/import-progress.ts';
import { call } from './api.ts';
import { useChat } from './chat-store.ts';

export interface ImportState {
  running: boolean;
  /** The latest progress of the running import; null before the first. */
  progress: ImportProgress | null;
  /** Cancel was asked for (the import is removing what it wrote). */
  cancelling: boolean;
  /** Images of the last import that could not be found beside the export (ChatGPT), by name (at most 20 named). */
  missing: { count: number; names: string[] } | null;
  /** Runs an import: how many conversations came in, or 'cancelled'. */
  start(): Promise<number | 'cancelled'>;
  cancel(): Promise<void>;
  onProgress(p: ImportProgress): void;
}

export const useImport = create<ImportState>((set, get) => ({
  running: false,
  progress: null,
  cancelling: false,
  missing: null,
  async start() {
    if (get().running) return 0;
    set({ running: true, progress: null, cancelling: false, missing: null });
    try {
      const n = await useChat.getState().importConversations();
      const files = get().progress?.attachments;
      if (n !== 'cancelled' && files?.missing) set({ missing: { count: files.missing, names: files.missingNames } });
      return n;
    } finally {
      set({ running: false, progress: null, cancelling: false });
    }
  },
  async cancel() {
    if (!get().running) return;
    set({ cancelling: true });
    await call('conversationsImportCancel', (api) => api.conversationsImportCancel());
  },
  onProgress(p) {
    // A late event after the answer is not shown again.
    if (get().running) set({ progress: p });
  },
}));
