/**
 * The network panel's filter: words typed (any part of the host, URL, method, status, error code, the kind's
 * name and the route as shown), a kind and a state. Pure, so a unit test checks it without a window.
 */
import type { NetworkKind, NetworkSummary } from '../../shared/ipc.ts';

export interface NetworkFilter {
  /** Words, all of which must appear (case-insensitive); '' matches everything. */
  text: string;
  kind: NetworkKind | '';
  state: NetworkSummary['state'] | '';
}

export const NO_FILTER: NetworkFilter = { text: '', kind: '', state: '' };

/** The longest filter text kept (the field's maxLength). */
export const MAX_FILTER_TEXT = 200;

/** Whether a request is shown: `shown` gives the words the window shows for it (its kind's name, its route). */
export function matchesFilter(s: NetworkSummary, f: NetworkFilter, shown: (s: NetworkSummary) => string[] = () => []): boolean {
  if (f.kind && s.kind !== f.kind) return false;
  if (f.state && s.state !== f.state) return false;
  const words = f.text.slice(0, MAX_FILTER_TEXT).toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return true;
  const hay = [s.host, s.url, s.method, s.kind, s.status === undefined ? '' : String(s.status), s.error ?? '', s.route?.proxy ?? '', ...shown(s)].join('\n').toLowerCase();
  return words.every((w) => hay.includes(w));
}
