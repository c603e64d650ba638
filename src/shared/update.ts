/**
 * Updates as the window sees them (issue 22): the state of the check, the download and the install, the release on
 * offer (its version, notes and size), and the feeds tried. Nothing installs without the user's click.
 */
import type { StepStatus } from './doctor.ts';
import type { ErrorInfo } from './errors.ts';
import type { RouteFacts } from './route.ts';

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

/**
 * The update feeds' doctor (services/update/doctor.ts): for each feed in order, the route its requests take,
 * reaching it on that route, its manifest and what it offers. One report for `parley update --check`, the log
 * and Settings → Updates' Test feeds ('update:test'); facts stay data (`facts`, `route`, `error`), `detail` is
 * the English of the command line and the log, and the window words the facts in its own language.
 */
export const UPDATE_DOCTOR_STEPS = ['route', 'reach', 'manifest', 'offer'] as const;
export type UpdateDoctorStepId = (typeof UPDATE_DOCTOR_STEPS)[number];

export interface UpdateDoctorStep {
  id: UpdateDoctorStepId;
  status: StepStatus;
  ms: number;
  /** English, for the command line and the log. */
  detail: string;
  /**
   * What the step found, as data (the window words it): reach: `address` (resolved), `connected` (the host
   * connected to), `tunnel` (the proxy's tunnel's target), `tlsIssuer`, `tlsProtocol`; offer: `version`,
   * `current`, `size` (bytes, when an update is offered).
   */
  facts?: Record<string, string | number>;
  /** The route step's route as data (direct or which proxy, and why). */
  route?: RouteFacts;
  error?: ErrorInfo;
}

export interface UpdateFeedReport {
  feed: string;
  /** The manifest's URL on this feed for this system and channel. */
  url: string;
  /** Whether this feed gives a usable answer (an offer or "current"). */
  ok: boolean;
  steps: UpdateDoctorStep[];
}

export interface UpdateDoctorReport {
  /** Whether an update check works from here: some feed answers. */
  ok: boolean;
  /** The feed the updater would use: the first that answers. */
  chosen?: string;
  feeds: UpdateFeedReport[];
}
