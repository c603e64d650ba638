/** The connection doctor: its steps and runner are in ./doctor/ (index.ts); this is its entry for callers. */
export { DOCTOR_STEPS, looksBuffered, runDoctor, WORKING_VERDICTS } from './doctor/index.ts';
export type { DoctorOptions, DoctorReport, DoctorStep, DoctorVerdict, StepStatus, Worded } from './doctor/index.ts';
