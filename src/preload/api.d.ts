import type { ParleyApi } from '../shared/ipc.ts';

declare global {
  interface Window {
    parley?: ParleyApi;
  }
}
export {};
