/**
 * The IPC contract: each channel with its argument and result types, and the events main pushes to the
 * renderer. The preload's API type is derived from it; main validates arguments at the edge (zod schemas
 * in src/main/services/app.ts). Results cross as values: { ok, value } | { ok, error }.
 */
import type { DoctorReport, DoctorStep } from './doctor.ts';
import type { ErrorInfo } from './errors.ts';
import type { StoredSettingsInput } from './settings.ts';

export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

export interface AppInfo {
  name: string;
  version: string;
  /** '' outside Electron (the browser test target). */
  electron: string;
  node: string;
  platform: string;
  /** Where the app writes its rotating logs (the OS's usual log folder for the app). */
  logDir: string;
  /** The app's data folder (settings, doctor reports). */
  dataDir: string;
  /** Which shell hosts the renderer. */
  host: 'electron' | 'browser';
}

/**
 * Settings as the renderer sees them: secrets never cross to the renderer. `provider.apiKey` is absent and
 * `apiKeyMarker` shows its shape (or the `${VAR}` it refers to); a proxy URL's password is replaced by
 * SECRET_PLACEHOLDER. Sent back unchanged, such a view keeps both secrets.
 */
export interface SettingsView {
  settings: StoredSettingsInput;
  apiKeyMarker: string | null;
}

/** A settings change from the renderer. `apiKey` undefined keeps the stored key, '' removes it. */
export type SettingsPatch = StoredSettingsInput;

/** Stands for a stored password in a proxy URL shown to the renderer; sent back, it keeps the password. */
export const SECRET_PLACEHOLDER = '********';

export interface ExportResult {
  path: string;
  files: string[];
  secretsStripped: number;
}

export type RendererLogLevel = 'error' | 'warn' | 'info' | 'debug';
export interface RendererLogEntry {
  level: RendererLogLevel;
  message: string;
  data?: unknown;
}

export interface IpcContract {
  'app:info': { args: []; result: AppInfo };
  'settings:get': { args: []; result: SettingsView };
  'settings:set': { args: [SettingsPatch]; result: SettingsView };
  /** Runs the doctor on the saved settings; steps arrive as 'doctor:step' events, then the report. */
  'doctor:run': { args: []; result: DoctorReport };
  'doctor:cancel': { args: []; result: boolean };
  /** Writes the support bundle; null when the user cancelled the save dialog. */
  'diagnostics:export': { args: []; result: ExportResult | null };
  /** Opens the log folder in the OS file manager (Electron); returns its path. */
  'logs:open': { args: []; result: string };
  /** Renderer logs: written by main to the same files, through the same redaction. */
  'log:write': { args: [RendererLogEntry]; result: void };
}

export interface EventContract {
  'doctor:step': DoctorStep;
}

/** The one IPC channel on which main pushes events to the renderer, as (event name, payload). */
export const EVENT_CHANNEL = 'parley:event';

export type Channel = keyof IpcContract;
export type EventName = keyof EventContract;
export const CHANNELS = ['app:info', 'settings:get', 'settings:set', 'doctor:run', 'doctor:cancel', 'diagnostics:export', 'logs:open', 'log:write'] as const satisfies readonly Channel[];
export const EVENTS = ['doctor:step'] as const satisfies readonly EventName[];

type Camel<S extends string> = S extends `${infer A}:${infer B}` ? `${A}${Capitalize<B>}` : S;
/** 'doctor:run' → 'doctorRun': the method name the preload exposes for a channel. */
export function methodName<C extends Channel>(channel: C): Camel<C> {
  const [a, b = ''] = channel.split(':');
  return `${a}${b.charAt(0).toUpperCase()}${b.slice(1)}` as Camel<C>;
}

/** The API the preload exposes as `window.parley`. */
export type ParleyApi = {
  [C in Channel as Camel<C>]: (...args: IpcContract[C]['args']) => Promise<Result<IpcContract[C]['result']>>;
} & {
  /** Subscribes to an event from main; returns the unsubscribe function. */
  on<E extends EventName>(event: E, listener: (payload: EventContract[E]) => void): () => void;
};
