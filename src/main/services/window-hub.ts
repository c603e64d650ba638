/**
 * Events addressed to windows: each window (an Electron webContents, or a page of the browser test host)
 * has an id. Events for a window wait in a bounded queue until it says it is ready (its listeners are
 * attached), and are dropped once it is gone. A window that reloads is not ready until it says so again.
 */
import type { EventContract, EventName } from '../../shared/ipc.ts';

export type Send = (event: EventName, payload: unknown) => void;

/** Who called a handler: the window to answer with events. */
export interface Caller {
  readonly windowId: string;
}

interface Slot {
  send: Send;
  ready: boolean;
  queue: [EventName, unknown][];
}

export interface WindowHub {
  register(windowId: string, send: Send): void;
  /** The window's listeners are attached: flush what waited. */
  ready(windowId: string): void;
  /** The window started loading a new page (reload): hold its events. */
  unready(windowId: string): void;
  remove(windowId: string): void;
  emit<E extends EventName>(windowId: string, event: E, payload: EventContract[E]): void;
  has(windowId: string): boolean;
  /** The windows attached now. */
  ids(): string[];
}

/** Events held for a window that is not ready yet; older ones are dropped first (a stream's snapshot catches up). */
const MAX_QUEUE = 2000;

export function createWindowHub(filter?: (event: EventName, payload: unknown) => unknown): WindowHub {
  const slots = new Map<string, Slot>();
  const out = (slot: Slot, event: EventName, payload: unknown): void => {
    try {
      slot.send(event, filter ? filter(event, payload) : payload);
    } catch {
      /* a window that went away between checks */
    }
  };
  return {
    register(windowId, send) {
      slots.set(windowId, { send, ready: false, queue: [] });
    },
    ready(windowId) {
      const slot = slots.get(windowId);
      if (!slot) return;
      slot.ready = true;
      const q = slot.queue;
      slot.queue = [];
      for (const [event, payload] of q) out(slot, event, payload);
    },
    unready(windowId) {
      const slot = slots.get(windowId);
      if (slot) slot.ready = false;
    },
    remove(windowId) {
      slots.delete(windowId);
    },
    emit(windowId, event, payload) {
      const slot = slots.get(windowId);
      if (!slot) return;
      if (slot.ready) return out(slot, event, payload);
      slot.queue.push([event, payload]);
      if (slot.queue.length > MAX_QUEUE) slot.queue.splice(0, slot.queue.length - MAX_QUEUE);
    },
    has(windowId) {
      return slots.has(windowId);
    },
    ids: () => [...slots.keys()],
  };
}
