/**
 * The doctor's report: the one definition shared by the doctor (main), `parley doctor --json`, the IPC
 * contract and the renderer.
 */
import type { ErrorCode } from './errors.ts';

/** Doctor-only verdicts, beyond the network core's error codes. */
export const DOCTOR_VERDICTS = ['stream_broken', 'stream_buffered', 'proxy_breaks_tls', 'bind_address_target'] as const;
export type DoctorVerdict = ErrorCode | 'ok' | (typeof DOCTOR_VERDICTS)[number];
/** Findings that are not verdicts: observations worth a hint. */
export const DOCTOR_FINDINGS = ['tls_interception', 'settings_suspect', 'env_not_inherited'] as const;

export type StepStatus = 'pass' | 'warn' | 'fail' | 'skip';
export const STEP_IDS = ['settings', 'route', 'dns', 'connect', 'proxy', 'tls', 'models', 'completion', 'stream', 'body_limit', 'direct'] as const;
export type StepId = (typeof STEP_IDS)[number];

/**
 * One sentence of the doctor, in a form the window words in its language: `key` names the sentence (stable),
 * `params` its values, `text` is the English (the command line, the logs, and the window's fallback for a key
 * it does not know). Keys: `doctor.<name>` (the doctor's own), `error.<ErrorInfo key>` (an error's message;
 * params carry its `code`), `errorHint.<ErrorInfo key>` (an error's hint; params carry its `code`).
 */
export interface Worded {
  key: string;
  params?: Record<string, string | number | readonly string[]>;
  text: string;
}

export interface DoctorStep {
  id: StepId;
  status: StepStatus;
  ms: number;
  /** English: the sentences of `words` joined (the command line, the logs). */
  detail: string;
  /** The same detail, sentence by sentence, for the window to word. */
  words?: Worded[];
}
/** What the doctor checked: the provider (by id and name; no id for an unsaved draft) and the model. */
export interface DoctorTarget {
  providerId?: string;
  name: string;
  model: string;
}
export interface DoctorReport {
  verdict: DoctorVerdict;
  /** The provider and model checked (the app's runs; absent when no provider was configured). */
  target?: DoctorTarget;
  findings: string[];
  steps: DoctorStep[];
  /** English (the command line, the logs). */
  hints: string[];
  /** The same hints, in the same order, for the window to word. */
  hintWords?: Worded[];
}

/** A saved report, as the window gets it back after a restart ('doctor:last'). */
export interface SavedDoctorReport {
  /** When the doctor ran (ISO 8601). */
  time: string;
  report: DoctorReport;
}

/** Verdicts with which chat still works (CLI exit status 0). */
export const WORKING_VERDICTS: readonly DoctorVerdict[] = ['ok', 'stream_broken', 'stream_buffered'];
