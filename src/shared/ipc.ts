/**
 * The IPC contract: each channel with its argument and result types. The preload's API type is derived
 * from it; main validates arguments at the edge. Results cross as values: { ok, value } | { ok, error }.
 */
import type { ErrorInfo } from './errors.ts';

export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

export interface AppInfo {
  name: string;
  version: string;
  electron: string;
  node: string;
  platform: string;
}

export interface IpcContract {
  'app:info': { args: []; result: AppInfo };
}

export type Channel = keyof IpcContract;
export const CHANNELS = ['app:info'] as const satisfies readonly Channel[];

/** The API the preload exposes as `window.parley`. */
export type ParleyApi = {
  [C in Channel as C extends `${string}:${infer M}` ? M : never]: (...args: IpcContract[C]['args']) => Promise<Result<IpcContract[C]['result']>>;
};
