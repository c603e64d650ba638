/**
 * The composer's attachments (issue 19), per conversation draft: chips being added (read and handed to main),
 * added (main stored them: an AttachmentRef), or refused (why, worded by the chip). Files come from main's own
 * picker ('attachments:pick': main reads only what the user picked) or from a paste or a drop (the window reads
 * the file off its main thread and hands main the bytes: 'attachments:add'). Bounds are checked here first (count,
 * size, the message's total) so a file over them is never read; main checks them again.
 */
import { create } from 'zustand';
import { MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS_PER_MESSAGE, MAX_MESSAGE_ATTACHMENT_BYTES, type AttachmentRef } from '../../../shared/attachments.ts';
import type { ErrorInfo } from '../../../shared/errors.ts';
import { call } from '../api.ts';
import type { Result } from '../../../shared/ipc.ts';
import { log } from '../log.ts';

/** Why a file was not attached: a bound the window checked, or main's refusal (an error with its code and key). */
export type ChipProblem =
  | { kind: 'tooMany'; max: number }
  | { kind: 'tooBig'; max: number }
  | { kind: 'tooMuch'; max: number }
  | { kind: 'readFailed' }
  | { kind: 'error'; error: ErrorInfo };

export interface Chip {
  /** The window's own key for the chip (two chips may hold the same file while one is being added). */
  key: string;
  name: string;
  /** Bytes (known before main answers for a pasted or dropped file). */
  size: number;
  state: 'adding' | 'ready' | 'refused';
  ref?: AttachmentRef;
  problem?: ChipProblem;
}

/** A file pasted or dropped: its name and size, and how to read it as base64. */
export interface Candidate {
  name: string;
  size: number;
  /** The file's base64 in pieces (read.ts). */
  read(): Promise<string[]>;
}

/** The draft of a conversation not created yet (the first question of a new chat). */
export const NEW_DRAFT = '';

export interface AttachState {
  /** Chips by draft (a conversation's id, or NEW_DRAFT). */
  byDraft: Record<string, Chip[]>;
  /** Drafts whose picker is open or whose picked files main is still reading. */
  picking: Record<string, boolean>;
  /** Adds pasted or dropped files (in order); each is read and handed to main, or refused with why. */
  add(draft: string, files: readonly Candidate[]): Promise<void>;
  /** Main's open dialog: the files picked are added; those main refused are shown with why. */
  pick(draft: string): Promise<void>;
  remove(draft: string, key: string): void;
  /** Empties a draft's chips (after sending). */
  clear(draft: string): void;
  /** A message's attachments as the draft's chips (edit and send again). */
  setRefs(draft: string, refs: readonly AttachmentRef[]): void;
  /** Moves a draft's chips (those being added too) to another: a new chat's files go with the conversation made for it. */
  move(from: string, to: string): void;
}

/** The attachments a draft sends: the chips added (in order), without the ones adding or refused. */
export function readyRefs(chips: readonly Chip[] | undefined): AttachmentRef[] {
  return (chips ?? []).flatMap((c) => (c.state === 'ready' && c.ref ? [c.ref] : []));
}

/** Whether a draft still waits for a file to be added. */
export function anyAdding(chips: readonly Chip[] | undefined): boolean {
  return (chips ?? []).some((c) => c.state === 'adding');
}

let nextKey = 1;
const newKey = (): string => `a${nextKey++}`;
const EMPTY: Chip[] = [];

export const useAttach = create<AttachState>()((set, get) => {
  const chipsOf = (draft: string): Chip[] => get().byDraft[draft] ?? EMPTY;
  const put = (draft: string, fn: (chips: Chip[]) => Chip[]): void => set((s) => ({ byDraft: { ...s.byDraft, [draft]: fn(s.byDraft[draft] ?? EMPTY) } }));
  /** The draft that holds a chip now (it may have moved while it was added); undefined once removed. */
  const draftOf = (key: string): string | undefined => Object.keys(get().byDraft).find((d) => chipsOf(d).some((c) => c.key === key));
  const replace = (key: string, chip: Partial<Chip>): void => {
    const draft = draftOf(key);
    if (draft !== undefined) put(draft, (chips) => chips.map((c) => (c.key === key ? { ...c, ...chip } : c)));
  };
  /** Chips that count against the bounds: those added and those being added. */
  const counted = (draft: string): Chip[] => chipsOf(draft).filter((c) => c.state !== 'refused');
  /**
   * A chip added by main: a file already on the draft (the same bytes: the same id) is not added twice; a file
   * over the count (several picked at once) is refused.
   */
  const settle = (key: string, ref: AttachmentRef): void => {
    const draft = draftOf(key);
    if (draft === undefined) return;
    const others = counted(draft).filter((c) => c.key !== key);
    if (others.some((c) => c.ref?.id === ref.id)) return put(draft, (chips) => chips.filter((c) => c.key !== key));
    if (others.length >= MAX_ATTACHMENTS_PER_MESSAGE) return replace(key, { state: 'refused', problem: { kind: 'tooMany', max: MAX_ATTACHMENTS_PER_MESSAGE } });
    replace(key, { state: 'ready', ref, name: ref.name, size: ref.size });
  };

  return {
    byDraft: {},
    picking: {},

    async add(draft, files) {
      const work: Promise<void>[] = [];
      for (const f of files) {
        const key = newKey();
        const live = counted(draft);
        const total = live.reduce((n, c) => n + c.size, 0);
        const problem: ChipProblem | undefined =
          live.length >= MAX_ATTACHMENTS_PER_MESSAGE ? { kind: 'tooMany', max: MAX_ATTACHMENTS_PER_MESSAGE }
            : f.size > MAX_ATTACHMENT_BYTES ? { kind: 'tooBig', max: MAX_ATTACHMENT_BYTES }
              : total + f.size > MAX_MESSAGE_ATTACHMENT_BYTES ? { kind: 'tooMuch', max: MAX_MESSAGE_ATTACHMENT_BYTES }
                : undefined;
        if (problem) {
          put(draft, (chips) => [...chips, { key, name: f.name, size: f.size, state: 'refused', problem }]);
          continue;
        }
        put(draft, (chips) => [...chips, { key, name: f.name, size: f.size, state: 'adding' }]);
        work.push((async () => {
          let data: string[];
          try {
            data = await f.read();
          } catch (e) {
            log.warn('attachment not read', { error: e instanceof Error ? e.name : String(e) });
            return replace(key, { state: 'refused', problem: { kind: 'readFailed' } });
          }
          // One piece a task (a 10 MB file is 14 MB of base64, in pieces of a megabyte): each hand-over copies one.
          const upload = newKey();
          let r: Result<AttachmentRef | null> | undefined;
          for (const [index, piece] of data.entries()) {
            await new Promise((resolve) => setTimeout(resolve, 0));
            // Removed while it was read or handed over: nothing more to hand over (main drops the pieces after a minute).
            if (draftOf(key) === undefined) return;
            r = data.length === 1
              ? await call('attachmentsAdd', (api) => api.attachmentsAdd({ name: f.name, data: piece }))
              : await call('attachmentsAddPiece', (api) => api.attachmentsAddPiece({ name: f.name, data: piece, upload, index, count: data.length }));
            if (!r.ok) break;
          }
          if (!r) return;
          if (r.ok && r.value) settle(key, r.value);
          else if (r.ok) replace(key, { state: 'refused', problem: { kind: 'readFailed' } });
          else {
            log.warn('attachment refused', r.error);
            replace(key, { state: 'refused', problem: { kind: 'error', error: r.error } });
          }
        })());
      }
      await Promise.all(work);
    },

    async pick(draft) {
      if (get().picking[draft]) return;
      set((s) => ({ picking: { ...s.picking, [draft]: true } }));
      const r = await call('attachmentsPick', (api) => api.attachmentsPick());
      set((s) => ({ picking: { ...s.picking, [draft]: false } }));
      if (!r.ok) {
        if (r.error.code === 'cancelled') return;
        log.warn('attachment picker failed', r.error);
        put(draft, (chips) => [...chips, { key: newKey(), name: '', size: 0, state: 'refused', problem: { kind: 'error', error: r.error } }]);
        return;
      }
      for (const ref of r.value.added) {
        const key = newKey();
        put(draft, (chips) => [...chips, { key, name: ref.name, size: ref.size, state: 'adding' }]);
        settle(key, ref);
      }
      if (r.value.refused.length) {
        put(draft, (chips) => [...chips, ...r.value.refused.map((x): Chip => ({ key: newKey(), name: x.name, size: 0, state: 'refused', problem: { kind: 'error', error: x.error } }))]);
      }
    },

    remove(draft, key) {
      put(draft, (chips) => chips.filter((c) => c.key !== key));
    },

    clear(draft) {
      set((s) => {
        if (!(draft in s.byDraft)) return {};
        const { [draft]: _gone, ...rest } = s.byDraft;
        return { byDraft: rest };
      });
    },

    move(from, to) {
      const moving = chipsOf(from);
      if (from === to || !moving.length) return;
      set((s) => {
        const { [from]: _gone, ...rest } = s.byDraft;
        return { byDraft: { ...rest, [to]: [...(s.byDraft[to] ?? EMPTY), ...moving] } };
      });
    },

    setRefs(draft, refs) {
      put(draft, () => refs.slice(0, MAX_ATTACHMENTS_PER_MESSAGE).map((ref) => ({ key: newKey(), name: ref.name, size: ref.size, state: 'ready', ref })));
    },
  };
});

/** Files of a paste or a drop as candidates, read off the main thread when they are added. */
export function candidatesOf(files: Iterable<File>, read: (f: Blob) => Promise<string[]>): Candidate[] {
  return [...files].map((f) => ({ name: f.name || fallbackName(f.type), size: f.size, read: () => read(f) }));
}

/** A pasted screenshot has no name: one from its type ("pasted-image.png"). */
export function fallbackName(mime: string): string {
  const ext = /^image\/(png|jpeg|webp|gif)$/.exec(mime)?.[1];
  return ext ? `pasted-image.${ext === 'jpeg' ? 'jpg' : ext}` : 'pasted-file';
}
