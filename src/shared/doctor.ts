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
export const STEP_IDS = ['settings', 'route', 'dns', 'proxy', 'tls', 'models', 'completion', 'stream', 'direct'] as const;
export type StepId = (typeof STEP_IDS)[number];

export interface DoctorStep {
  id: StepId;
  status: StepStatus;
  ms: number;
  detail: string;
}
export interface DoctorReport {
  verdict: DoctorVerdict;
  findings: string[];
  steps: DoctorStep[];
  hints: string[];
}

/** Verdicts with which chat still works (CLI exit status 0). */
export const WORKING_VERDICTS: readonly DoctorVerdict[] = ['ok', 'stream_broken', 'stream_buffered'];
