/**
 * Updates as the window sees them (issue 22): the state of the check, the download and the install, the release on
 * offer (its version, notes and size), and the feeds tried. Nothing installs without the user's click.
 */
import type { ErrorInfo } from './errors.ts';

/**
 * Parley's own release feed, tried when the settings name none: the GitHub release (its `latest/download/` answers a
 * redirect to its file store, followed on the same route). Where GitHub is slow or blocked, Settings → Updates takes
 * mirrors (any folder holding electron-builder's latest*.yml and the files), tried in order.
 */
export const RELEASE_FEEDS = ['https://github.com/parley-app/parley/releases/latest/download/'] as const;

export interface UpdateOffer {
  version: string;
  releaseDate?: string;
  /** What is new, as plain text (never HTML). */
  notes: string;
  /** The file's size in bytes. */
  size: number;
  /** The feed that offered it (no credentials). */
  feed: string;
}

export interface UpdateFeedTry {
  feed: string;
  ok: boolean;
  error?: ErrorInfo;
}

export interface UpdateStatus {
  /**
   * idle: not checked yet; checking; current: this is the newest; available: an update is offered; downloading;
   * ready: downloaded and verified, waiting for the user's click; installing; failed (see error).
   */
  state: 'idle' | 'checking' | 'current' | 'available' | 'downloading' | 'ready' | 'installing' | 'failed';
  /** This Parley's version. */
  current: string;
  offer?: UpdateOffer;
  progress?: { received: number; total: number };
  error?: ErrorInfo;
  /** When the last check ended (ms since the epoch). */
  checkedAt?: number;
  /** The feeds the last check tried, in order. */
  tried?: UpdateFeedTry[];
  /** The shell can install here (false on the browser test target and in a development run). */
  canInstall: boolean;
}

/** Settings → Updates as the window sends it. */
export interface UpdateSettingsDraft {
  autoCheck: boolean;
  autoDownload: boolean;
  channel: 'stable' | 'beta';
  /** Feed URLs tried in order; empty: Parley's own (RELEASE_FEEDS). */
  feeds: string[];
}

export interface UpdateView {
  settings: UpdateSettingsDraft;
  status: UpdateStatus;
  /** The feeds a check uses now (the settings' or Parley's own). */
  feeds: string[];
}
