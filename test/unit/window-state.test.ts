import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MIN_SIZE, parseWindowState, readWindowState, restoreBounds, trackWindowState, type DisplayArea, type Rect } from '../../src/main/shell/window-state.ts';

const DEFAULTS = { width: 1100, height: 760 };
// A laptop (primary, menu bar on top) and an external monitor to its right.
const LAPTOP: DisplayArea = { workArea: { x: 0, y: 25, width: 1440, height: 875 }, primary: true };
const EXTERNAL: DisplayArea = { workArea: { x: 1440, y: 0, width: 2560, height: 1440 } };

describe('restoreBounds', () => {
  it('a first start (no file) opens at the default size, centred on the primary display', () => {
    expect(restoreBounds(null, [EXTERNAL, LAPTOP], DEFAULTS)).toEqual({ x: 170, y: 83, width: 1100, height: 760, maximized: false });
  });

  it('a saved window on a display that is still there opens where it was, at its size', () => {
    const saved = { x: 1600, y: 100, width: 1800, height: 1200, maximized: false };
    expect(restoreBounds(saved, [LAPTOP, EXTERNAL], DEFAULTS)).toEqual(saved);
  });

  it('a window saved on an external monitor that was unplugged comes back centred on the primary display, its size clamped', () => {
    const saved = { x: 1600, y: 100, width: 1800, height: 1200, maximized: false };
    const r = restoreBounds(saved, [LAPTOP], DEFAULTS);
    expect(r).toEqual({ x: 0, y: 25, width: 1440, height: 875, maximized: false });
  });

  it('a window that would show only a sliver (less than 100×50 px) is brought back on screen', () => {
    // 60 px of it on the laptop's right edge.
    const r = restoreBounds({ x: 1380, y: 200, width: 800, height: 600, maximized: false }, [LAPTOP], DEFAULTS);
    expect(r).toEqual({ x: 320, y: 163, width: 800, height: 600, maximized: false });
    // Only 40 px high above the top edge of the work area.
    expect(restoreBounds({ x: 100, y: -575, width: 800, height: 640 }, [LAPTOP], DEFAULTS)).toMatchObject({ x: 320, y: 143 });
    // 100×50 visible is enough: it stays, partly off screen, as the user left it.
    expect(restoreBounds({ x: 1340, y: 200, width: 800, height: 600 }, [LAPTOP], DEFAULTS)).toMatchObject({ x: 1340, y: 200 });
  });

  it('on a smaller screen the size is clamped to the work area and the window moved inside it', () => {
    const saved = { x: 200, y: 100, width: 1900, height: 1000, maximized: false };
    const small: DisplayArea = { workArea: { x: 0, y: 0, width: 1280, height: 760 }, primary: true };
    expect(restoreBounds(saved, [small], DEFAULTS)).toEqual({ x: 0, y: 0, width: 1280, height: 760, maximized: false });
    // Only the dimension that shrank moves.
    expect(restoreBounds({ x: 200, y: 100, width: 1900, height: 500 }, [small], DEFAULTS)).toEqual({ x: 0, y: 100, width: 1280, height: 500, maximized: false });
  });

  it('a tiny saved window is restored at the minimum size', () => {
    expect(restoreBounds({ x: 10, y: 40, width: 20, height: 20 }, [LAPTOP], DEFAULTS)).toMatchObject({ width: MIN_SIZE.width, height: MIN_SIZE.height });
  });

  it('a maximised window is restored maximised, over the bounds it had before maximising', () => {
    expect(restoreBounds({ x: 1600, y: 100, width: 1000, height: 700, maximized: true }, [LAPTOP, EXTERNAL], DEFAULTS)).toEqual({ x: 1600, y: 100, width: 1000, height: 700, maximized: true });
    // Its monitor gone: maximised on the primary display.
    expect(restoreBounds({ x: 1600, y: 100, width: 1000, height: 700, maximized: true }, [LAPTOP], DEFAULTS)).toMatchObject({ x: 220, y: 113, maximized: true });
  });

  it('a corrupt or foreign state gives the defaults, never NaN or a crash', () => {
    const centred = { x: 170, y: 83, width: 1100, height: 760, maximized: false };
    for (const bad of ['{', 42, [], { width: 'wide', height: 600 }, { width: -5, height: 600 }, { width: Number.NaN, height: 600 }, { width: 1e12, height: 600 }, { x: 0, y: 0 }]) {
      expect(restoreBounds(bad, [LAPTOP], DEFAULTS)).toEqual(centred);
    }
    // A size without a (whole) position is centred at that size; a non-boolean maximized is false.
    expect(restoreBounds({ x: 5, width: 900, height: 600, maximized: 'yes' }, [LAPTOP], DEFAULTS)).toEqual({ x: 270, y: 163, width: 900, height: 600, maximized: false });
    expect(parseWindowState({ x: 1.4, y: 2.6, width: 800.2, height: 600.7, maximized: true })).toEqual({ x: 1, y: 3, width: 800, height: 601, maximized: true });
  });

  it('without any display (or only broken ones) it leaves the position to Electron', () => {
    expect(restoreBounds({ x: 1, y: 2, width: 900, height: 600 }, [], DEFAULTS)).toEqual({ width: 900, height: 600, maximized: false });
    expect(restoreBounds(null, [{ workArea: { x: 0, y: 0, width: 0, height: 0 } }], DEFAULTS)).toEqual({ width: 1100, height: 760, maximized: false });
  });

  it('with no display marked primary the first one is used', () => {
    const a: DisplayArea = { workArea: { x: -1920, y: 0, width: 1920, height: 1080 } };
    expect(restoreBounds(null, [a, { workArea: EXTERNAL.workArea }], DEFAULTS)).toMatchObject({ x: -1510, y: 160 });
  });
});

let dir = '';
afterEach(() => {
  vi.useRealTimers();
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = '';
});

describe('readWindowState', () => {
  it('a missing file is null without complaint; a corrupt one is null and reported', () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-ws-'));
    const path = join(dir, 'window-state.json');
    const errors: string[] = [];
    expect(readWindowState(path, (r) => errors.push(r))).toBeNull();
    expect(errors).toEqual([]);
    writeFileSync(path, '{"x": 10, "y"');
    expect(readWindowState(path, (r) => errors.push(r))).toBeNull();
    expect(errors).toHaveLength(1);
    expect(restoreBounds(readWindowState(path), [LAPTOP], DEFAULTS)).toMatchObject({ width: 1100, height: 760 });
    writeFileSync(path, JSON.stringify({ x: 10, y: 40, width: 900, height: 700, maximized: true }));
    expect(restoreBounds(readWindowState(path), [LAPTOP], DEFAULTS)).toEqual({ x: 10, y: 40, width: 900, height: 700, maximized: true });
  });
});

class FakeWindow extends EventEmitter {
  bounds: Rect = { x: 10, y: 40, width: 900, height: 700 };
  maximized = false;
  destroyed = false;
  getNormalBounds(): Rect { return { ...this.bounds }; }
  isMaximized(): boolean { return this.maximized; }
  isDestroyed(): boolean { return this.destroyed; }
}

describe('trackWindowState', () => {
  it('writes once after moves and resizes settle, at once on close, atomically and owner-only', () => {
    vi.useFakeTimers();
    dir = mkdtempSync(join(tmpdir(), 'parley-ws-'));
    const path = join(dir, 'window-state.json');
    const win = new FakeWindow();
    trackWindowState(win, { path, debounceMs: 400 });
    for (let i = 0; i < 20; i++) {
      win.bounds = { ...win.bounds, x: 10 + i };
      win.emit('move');
      vi.advanceTimersByTime(50);
    }
    expect(existsSync(path)).toBe(false);
    vi.advanceTimersByTime(400);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ x: 29, y: 40, width: 900, height: 700, maximized: false });
    if (process.platform !== 'win32') expect(statSync(path).mode & 0o777).toBe(0o600);
    // Resized, then closed before the debounce ran: the close writes it; nothing is left pending.
    win.bounds = { ...win.bounds, width: 1200, height: 800 };
    win.emit('resize');
    win.maximized = true;
    win.emit('maximize');
    win.emit('close');
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ x: 29, y: 40, width: 1200, height: 800, maximized: true });
    win.destroyed = true;
    vi.advanceTimersByTime(1000);
    expect(readdirSync(dir)).toEqual(['window-state.json']);
  });

  it('a write that fails is reported and does not throw', () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-ws-'));
    const win = new FakeWindow();
    const errors: unknown[] = [];
    trackWindowState(win, { path: join(dir, 'missing-folder', 'window-state.json'), onError: (e) => errors.push(e) });
    expect(() => win.emit('close')).not.toThrow();
    expect(errors).toHaveLength(1);
    expect((errors[0] as { code?: string }).code).toBe('storage_failed');
  });
});
