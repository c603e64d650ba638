/**
 * The doctor's words: `say` is the one way a step makes a sentence of its own; an error becomes its sentence
 * (and hint) as the window words it.
 */
import { ParleyError } from '../../core/probe.ts';
import type { ErrorCode } from '../../../shared/errors.ts';
import type { Worded } from '../../../shared/doctor.ts';
import type { BaseUrlProblem } from '../../../shared/base-url.ts';
import { doctorWords, type DoctorKey, type DoctorParams, type ParamValue } from '../../../shared/messages/en.ts';

export type Params = Record<string, ParamValue>;

/**
 * A sentence of the doctor's own: `doctor.<key>`, its English from the catalog (DOCTOR_TEXT, src/shared/messages/en.ts)
 * with its values (`english`: values only the English shows); a step gives the facts, the catalog words them. A base
 * URL issue (`base_url_<problem>`) comes worded from its own catalog (src/shared/base-url.ts): its English as given.
 */
export function say<K extends DoctorKey, E extends Params = Record<never, string>>(key: K, params: DoctorParams<K, E>, english?: E): Worded;
export function say(key: `base_url_${BaseUrlProblem}`, text: string, params?: Params): Worded;
export function say(key: string, textOrParams: string | Params, third?: Params): Worded {
  if (typeof textOrParams === 'string') return { key: `doctor.${key}`, params: third ?? {}, text: textOrParams };
  return doctorWords(key as DoctorKey, textOrParams, third);
}

/** An error's message as a sentence (`error.<its key>`, params with its code); English `code: message`. */
export function errWords(e: unknown): Worded {
  if (ParleyError.is(e)) return { key: `error.${e.detail.key ?? ''}`, params: { ...(e.detail.params ?? {}), code: e.code }, text: `${e.code}: ${e.message}` };
  return { key: 'error.', params: { code: 'protocol_error' }, text: e instanceof Error ? e.message : String(e) };
}

/** An error's hint as a sentence (`errorHint.<its key>`, params with its code). */
export function errHint(e: unknown): Worded | undefined {
  if (!ParleyError.is(e) || !e.hint) return undefined;
  return { key: `errorHint.${e.detail.key ?? ''}`, params: { ...(e.detail.params ?? {}), code: e.code }, text: e.hint };
}

export function errCode(e: unknown): ErrorCode {
  return ParleyError.is(e) ? e.code : 'protocol_error';
}

export function errText(e: unknown): string {
  if (ParleyError.is(e)) return `${e.code}: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}
