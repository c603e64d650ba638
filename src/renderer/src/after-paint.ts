/**
 * "The window has shown its first screen": true from the task after the first frame painted once something asked.
 * Parts nobody reads in the first frame (the composer's context meter: a token estimate over the whole path and
 * the first number format, which loads ICU's data) wait for it, so the cold start paints the conversation first.
 * Once true it stays true: later mounts render at once.
 */
import { useSyncExternalStore } from 'react';

let painted = false;
let scheduled = false;
const listeners = new Set<() => void>();

function schedule(): void {
  if (scheduled || painted) return;
  scheduled = true;
  const done = (): void => {
    painted = true;
    for (const l of listeners) l();
  };
  // The frame that paints the first commit, then the task after it.
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => setTimeout(done, 0));
  else setTimeout(done, 0);
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  schedule();
  return () => listeners.delete(listener);
}

export function useAfterFirstPaint(): boolean {
  return useSyncExternalStore(subscribe, () => painted, () => painted);
}
