/**
 * "The window has shown its first screen": true once the first frame painted and the window then had a moment with
 * nothing to do (an idle callback, at most IDLE_WAIT_MS later), from the first time something asked. Parts nobody
 * reads in the first frame (the composer's context meter: a token estimate over the whole path and the first
 * number format, which loads ICU's data: 40-120 ms on this machine) wait for it, so the cold start paints the
 * conversation first. Waiting for the paint alone was not enough: the first paint is the window before its rows are
 * measured, and the meter then ran before the list's second render, which paints the last message.
 * Once true it stays true: later mounts render at once.
 */
import { useSyncExternalStore } from 'react';

/** The longest the idle moment is waited for after the first paint. */
const IDLE_WAIT_MS = 1500;

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
  // The frame that paints the first commit, the task after it, then the first idle moment.
  const idle = (): void => {
    if (typeof requestIdleCallback === 'function') requestIdleCallback(done, { timeout: IDLE_WAIT_MS });
    else done();
  };
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => setTimeout(idle, 0));
  else setTimeout(idle, 0);
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  schedule();
  return () => listeners.delete(listener);
}

export function useAfterFirstPaint(): boolean {
  return useSyncExternalStore(subscribe, () => painted, () => painted);
}
