/**
 * Sync as the window sees it and changes it (issue 21): the settings without their secrets (only whether each is
 * set), the state of the last and the running sync, and the draft the Sync section sends. Secrets typed in the
 * window go to main once, are kept in the OS keychain, and never come back.
 */
import * as v from 'valibot';
import { MAX_KEY_CHARS, MAX_URL_CHARS, MAX_SYNC_FIELD_CHARS } from './bounds.ts';
import type { ErrorInfo } from './errors.ts';
import type { StepStatus } from './doctor.ts';
import { boundedText, ROUTE_MODES, S3_STYLES, SYNC_SERVICES, wholeNumber, type SyncSettings } from './settings.ts';

/** The sync settings without their secrets: whether each is set instead. */
export type SyncSettingsView = Omit<SyncSettings, 'password' | 'passphrase' | 'route'> & {
  route: { mode: SyncSettings['route']['mode']; proxyUrl?: string };
  passwordSet: boolean;
  passphraseSet: boolean;
};

/** What one sync did (numbers the window shows). */
export interface SyncCounts {
  uploaded: number;
  downloaded: number;
  applied: number;
  conflicts: number;
  requests: number;
}

export type SyncPhase = 'snapshot' | 'download' | 'files' | 'upload' | 'compact';

export interface SyncStatus {
  /** off: not set up or turned off; idle: waiting for the next sync; running; failed: the last sync failed. */
  state: 'off' | 'idle' | 'running' | 'failed';
  /** When the last sync ended well (ms since the epoch). */
  lastSyncAt?: number;
  /** What the last sync that ended well did. */
  last?: SyncCounts;
  /** The running sync's step. */
  phase?: SyncPhase;
  /** Why the last sync failed (code, message, hint; never a secret). */
  error?: ErrorInfo;
  /** When the next automatic sync is due. */
  nextAt?: number;
}

export interface SyncView {
  settings: SyncSettingsView;
  status: SyncStatus;
  /** Where secrets typed here are kept: only an OS keychain can hold them (else a ${VAR} in settings.json). */
  keychain: 'os' | 'basic_text' | 'none';
}

/** The Sync section's form. A secret left out (undefined) keeps the stored one; '' removes it. */
export const syncDraftSchema = v.strictObject({
  enabled: v.boolean(),
  service: v.picklist(SYNC_SERVICES),
  url: boundedText(MAX_URL_CHARS),
  bucket: boundedText(MAX_SYNC_FIELD_CHARS),
  prefix: boundedText(MAX_SYNC_FIELD_CHARS),
  region: boundedText(64),
  style: v.picklist(S3_STYLES),
  username: boundedText(MAX_SYNC_FIELD_CHARS),
  encrypt: v.boolean(),
  route: v.strictObject({ mode: v.picklist(ROUTE_MODES), proxyUrl: v.optional(boundedText(MAX_URL_CHARS)) }),
  intervalMinutes: wholeNumber(0, 24 * 60),
  password: v.optional(v.pipe(v.string(), v.maxLength(MAX_KEY_CHARS))),
  passphrase: v.optional(v.pipe(v.string(), v.maxLength(MAX_KEY_CHARS))),
});
export type SyncDraft = v.InferOutput<typeof syncDraftSchema>;

/** The sync target's check (services/sync/check.ts), as the window shows it: each step, its facts, why it failed. */
export interface SyncCheckStepView {
  id: 'route' | 'reach' | 'auth' | 'folder' | 'write' | 'clock';
  status: StepStatus;
  ms: number;
  /** English (the command line's and the log's); the window words `error` in its language. */
  detail: string;
  facts?: Record<string, string | number>;
  error?: ErrorInfo;
}
export interface SyncCheckView {
  ok: boolean;
  label: string;
  steps: SyncCheckStepView[];
  requests: number;
}

/** What main asks the user before a stored secret goes to a place the window chose (main's own dialog). */
export interface SyncSecretQuestion {
  /** The host the password (or secret key) would now be sent to. */
  host: string;
  /** The host it was kept for. */
  before: string;
}
