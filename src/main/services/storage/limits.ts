/**
 * Bounds of the chat storage: every text field and every count has a ceiling, and going over it is a
 * ParleyError that names the limit (titles alone are truncated). Sizes are UTF-8 bytes unless named chars.
 */
import { ParleyError } from '../../core/errors.ts';
import type { ErrorCode } from '../../../shared/errors.ts';
import { MAX_CONTEXT_MESSAGES, MAX_TITLE_CHARS } from '../../../shared/bounds.ts';

/** The code of a bound that was exceeded. */
export const LIMIT_CODE: ErrorCode = 'limit_exceeded';
/** The code of a storage failure (disk full, locked, read-only, damaged, foreign or newer file). */
export const STORAGE_CODE: ErrorCode = 'storage_failed';

const MB = 1024 * 1024;

export const LIMITS = {
  /** Conversation titles are cut to this many characters (code points). */
  titleChars: MAX_TITLE_CHARS,
  messageTextBytes: 4 * MB,
  reasoningBytes: 4 * MB,
  draftBytes: 1 * MB,
  systemPromptBytes: 1 * MB,
  /** providerId, model, finishReason. */
  nameChars: 256,
  /** Each of error, usage, routeInfo as JSON. */
  metaJsonBytes: 256 * 1024,
  contextMessagesMax: MAX_CONTEXT_MESSAGES,
  messagesPerConversation: 100_000,
  importBytes: 200 * MB,
  importConversations: 10_000,
  searchLimitDefault: 50,
  searchLimitMax: 200,
  /** Longer queries are cut to this many characters. */
  searchQueryChars: 256,
  searchTimeoutMs: 2_000,
} as const;

export function tooLarge(what: string, limit: string, actual?: string): ParleyError {
  return new ParleyError(LIMIT_CODE, `${what} is too large${actual ? ` (${actual})` : ''}: the limit is ${limit}.`, {
    hint: `Shorten it below ${limit}.`,
  });
}

export function invalid(message: string, hint = 'This is a bug in the caller: report it.'): ParleyError {
  return new ParleyError('config_invalid', message, { hint });
}

const fmtBytes = (n: number): string => (n >= MB ? `${(n / MB).toFixed(n % MB ? 1 : 0)} MB` : n >= 1024 ? `${Math.ceil(n / 1024)} KB` : `${n} bytes`);

/** Throws when `text` is over `limit` UTF-8 bytes (counted only when it could be: length × 3 > limit). */
export function checkBytes(what: string, text: string, limit: number): string {
  if (typeof text !== 'string') throw invalid(`${what} must be text.`);
  if (text.length * 3 > limit) {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > limit) throw tooLarge(what, fmtBytes(limit), fmtBytes(bytes));
  }
  return text;
}

/** Number of characters (code points), as SQLite and FTS5 count them. */
export function charCount(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** The first `max` code points of `text`. */
export function truncateChars(text: string, max: number): string {
  if (text.length <= max) return text;
  return Array.from(text).slice(0, max).join('');
}

export function checkTitle(title: unknown): string {
  if (typeof title !== 'string') throw invalid('A conversation title must be text.');
  return truncateChars(title.replace(/[\r\n]+/g, ' '), LIMITS.titleChars);
}

export function checkName(what: string, value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw invalid(`${what} must be text.`);
  if (value.length > LIMITS.nameChars) throw tooLarge(what, `${LIMITS.nameChars} characters`, `${value.length} characters`);
  return value;
}

/** A JSON column: undefined/null → null, else JSON under the limit. */
export function checkJson(what: string, value: unknown): string | null {
  if (value === undefined || value === null) return null;
  const json = JSON.stringify(value);
  if (json === undefined) throw invalid(`${what} is not serialisable.`);
  checkBytes(what, json, LIMITS.metaJsonBytes);
  return json;
}

/** A non-negative duration or count; fractions rounded (the columns are integers). */
export function checkMs(what: string, value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw invalid(`${what} must be a non-negative number.`);
  return Math.round(value);
}
