/**
 * The shape of a secret, never enough to use it: its length, and for a long one its first three and last four
 * characters (`sk-…c0d1`). Main makes it (redact.ts writes it in English for logs and exports: `sk-…c0d1 (51
 * chars)`); the window words the same fields in its language.
 */
export interface SecretShape {
  /** Characters (code points). */
  chars: number;
  /** The first three characters, for a secret of 20 characters or more. */
  head?: string;
  /** The last four characters, with `head`. */
  tail?: string;
}

export function secretShape(secret: string): SecretShape {
  const n = [...secret].length;
  return n >= 20 ? { chars: n, head: secret.slice(0, 3), tail: secret.slice(-4) } : { chars: n };
}

/** `sk-…c0d1 (51 chars)` for long ones, `[redacted (N chars)]` otherwise. */
export function shapeText(s: SecretShape): string {
  return s.head !== undefined ? `${s.head}…${s.tail ?? ''} (${s.chars} chars)` : `[redacted (${s.chars} chars)]`;
}

/** Whether a value from main is a SecretShape (the window checks before it words one). */
export function isSecretShape(v: unknown): v is SecretShape {
  const s = v as SecretShape;
  return typeof s === 'object' && s !== null && Number.isInteger(s.chars) && s.chars >= 0
    && (s.head === undefined || (typeof s.head === 'string' && s.head.length <= 8 && typeof s.tail === 'string' && s.tail.length <= 8));
}
