/**
 * The window's size, position and maximised state across restarts, in `<userData>/window-state.json`.
 * Plain Node (no Electron import): the shell (shell/window.ts) hands in the displays' work areas and the
 * window; the rules are unit-tested in test/unit/window-state.test.ts.
 *
 * Rules: a saved window that still shows at least MIN_VISIBLE (100×50 px) on some display's work area keeps
 * its place, its size clamped to that work area (and moved inside it where the size had to shrink); otherwise
 * (its monitor was unplugged, the file is missing or corrupt) it is centred on the primary display. Saved
 * bounds are always the normal (not maximised) ones, so un-maximising after a restart goes back to them.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../services/safe-write.ts';

export const WINDOW_STATE_FILE = 'window-state.json';
/** How much of a saved window must remain on a display for it to stay where it was. */
export const MIN_VISIBLE = { width: 100, height: 50 } as const;
/** The smallest size restored (a saved 10×10 window would be hard to find); a smaller work area wins. */
export const MIN_SIZE = { width: 400, height: 300 } as const;
/** Moves and resizes arrive many times a second while dragging: one write after they stop. */
export const SAVE_DEBOUNCE_MS = 400;

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A display as the shell sees it: Electron's `Display.workArea` (without task bar, dock, menu bar). */
export interface DisplayArea {
  workArea: Rect;
  primary?: boolean;
}

/** What window-state.json holds. */
export interface WindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

/** Options for the new BrowserWindow; x/y absent only when no display is known (Electron centres it). */
export interface RestoredBounds {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

/** Far beyond any real desktop: larger numbers are a corrupt file, not a window. */
const LIMIT = 1_000_000;

const isCoord = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= LIMIT;
const isSize = (v: unknown): v is number => isCoord(v) && v > 0;

/** The saved state if `value` is one (from a JSON file of unknown quality), else null. */
export function parseWindowState(value: unknown): WindowState | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  if (!isSize(v.width) || !isSize(v.height)) return null;
  const state: WindowState = { width: Math.round(v.width), height: Math.round(v.height), maximized: v.maximized === true };
  // A position needs both coordinates; half of one is no position.
  if (isCoord(v.x) && isCoord(v.y)) {
    state.x = Math.round(v.x);
    state.y = Math.round(v.y);
  }
  return state;
}

function isArea(r: unknown): r is Rect {
  const a = r as Rect | null;
  return !!a && isCoord(a.x) && isCoord(a.y) && isSize(a.width) && isSize(a.height);
}

function intersection(a: Rect, b: Rect): { width: number; height: number } {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return { width: Math.max(0, width), height: Math.max(0, height) };
}

/** At least the minimum size, at most the work area (which wins when it is smaller still). */
function clampSize(size: number, min: number, max: number): number {
  return Math.min(Math.max(size, min), max);
}

function centred(size: { width: number; height: number }, area: Rect): Rect {
  const width = clampSize(size.width, MIN_SIZE.width, area.width);
  const height = clampSize(size.height, MIN_SIZE.height, area.height);
  return { x: area.x + Math.round((area.width - width) / 2), y: area.y + Math.round((area.height - height) / 2), width, height };
}

/** The saved rect on the display it mostly shows on: size clamped; where it shrank, moved inside the work area. */
function keptOn(rect: Rect, area: Rect): Rect {
  const width = clampSize(rect.width, MIN_SIZE.width, area.width);
  const height = clampSize(rect.height, MIN_SIZE.height, area.height);
  const fit = (pos: number, size: number, start: number, span: number): number => Math.min(Math.max(pos, start), start + span - size);
  return {
    x: width < rect.width ? fit(rect.x, width, area.x, area.width) : rect.x,
    y: height < rect.height ? fit(rect.y, height, area.y, area.height) : rect.y,
    width,
    height,
  };
}

/**
 * Where the window opens: `saved` is whatever window-state.json held (anything: it is checked here),
 * `displays` the current displays' work areas, `defaults` the size of a first start.
 */
export function restoreBounds(saved: unknown, displays: readonly DisplayArea[], defaults: { width: number; height: number }): RestoredBounds {
  const state = parseWindowState(saved);
  const maximized = state?.maximized ?? false;
  const size = state ?? defaults;
  const areas = displays.filter((d) => isArea(d.workArea));
  const primary = areas.find((d) => d.primary) ?? areas[0];
  if (!primary) return { width: Math.max(size.width, MIN_SIZE.width), height: Math.max(size.height, MIN_SIZE.height), maximized };
  if (state && state.x !== undefined && state.y !== undefined) {
    const rect = { x: state.x, y: state.y, width: state.width, height: state.height };
    let best: DisplayArea | undefined;
    let bestArea = 0;
    for (const d of areas) {
      const seen = intersection(rect, d.workArea);
      if (seen.width >= MIN_VISIBLE.width && seen.height >= MIN_VISIBLE.height && seen.width * seen.height > bestArea) {
        best = d;
        bestArea = seen.width * seen.height;
      }
    }
    if (best) return { ...keptOn(rect, best.workArea), maximized };
  }
  return { ...centred(size, primary.workArea), maximized };
}

/** The parsed JSON of window-state.json; null when it is missing or not JSON (then `onError` hears why, unless missing). */
export function readWindowState(path: string, onError?: (reason: string) => void): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') onError?.(String((e as Error).message));
    return null;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    onError?.(`not JSON: ${(e as Error).message}`);
    return null;
  }
}

/** What the shell's BrowserWindow offers for saving its state (Electron's names). */
export interface TrackedWindow {
  getNormalBounds(): Rect;
  isMaximized(): boolean;
  isDestroyed(): boolean;
  on(event: 'move' | 'resize' | 'maximize' | 'unmaximize' | 'close', listener: () => void): unknown;
}

export interface WindowStateTracker {
  /** Writes the current state now (cancels a pending write). */
  flush(): void;
}

/**
 * Saves the window's state to `path` (atomically, 0600) after moves and resizes settle, and at once when it
 * closes. A write that fails (a full or read-only disk) goes to `onError` and never stops the app.
 */
export function trackWindowState(win: TrackedWindow, opts: { path: string; debounceMs?: number; onError?: (e: unknown) => void }): WindowStateTracker {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last = '';
  const write = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (win.isDestroyed()) return;
    const b = win.getNormalBounds();
    const state: WindowState = { x: b.x, y: b.y, width: b.width, height: b.height, maximized: win.isMaximized() };
    const text = JSON.stringify(state) + '\n';
    if (text === last) return;
    try {
      writeFileAtomic(opts.path, text, { what: 'the window state' });
      last = text;
    } catch (e) {
      opts.onError?.(e);
    }
  };
  const schedule = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(write, opts.debounceMs ?? SAVE_DEBOUNCE_MS);
    // A pending save never keeps the process alive; 'close' writes it anyway.
    timer.unref?.();
  };
  for (const event of ['move', 'resize', 'maximize', 'unmaximize'] as const) win.on(event, schedule);
  win.on('close', write);
  return { flush: write };
}
