/**
 * What is open at a point of a paragraph's text, for the places that cut a paragraph without lexing it (blocks.ts
 * cutPoint while an answer streams, segments.ts for a finished huge one): a code span, unmatched `[`, a formula.
 */
export interface OpenMarks {
  /** The open code span's backtick run length; 0 when none. */
  code: number;
  /** `[` without their `]`. */
  depth: number;
  /** A `$…$`, `\(…\)` or `\[…\]` open on this line. */
  math: boolean;
}

export const noMarks = (): OpenMarks => ({ code: 0, depth: 0, math: false });

export const nothingOpen = (s: OpenMarks): boolean => s.code === 0 && s.depth === 0 && !s.math;

/**
 * Takes the character at `i` into `s`. Returns the index of the last character it read: an escape or a run of
 * backticks is read whole.
 */
export function readMark(text: string, i: number, s: OpenMarks): number {
  const ch = text.charCodeAt(i);
  if (ch === 92 /* \ */) {
    if (s.code !== 0) return i;
    const next = text[i + 1];
    if (next === '(' || next === '[') s.math = true;
    else if (next === ')' || next === ']') s.math = false;
    return i + 1;
  }
  if (ch === 96 /* ` */) {
    let run = 1;
    while (text.charCodeAt(i + run) === 96) run++;
    if (s.code === 0) s.code = run;
    else if (s.code === run) s.code = 0;
    return i + run - 1;
  }
  if (s.code !== 0) return i; // inside a code span nothing else counts
  if (ch === 91 /* [ */) s.depth++;
  else if (ch === 93 /* ] */) s.depth = Math.max(0, s.depth - 1);
  else if (ch === 36 /* $ */) s.math = !s.math;
  else if (ch === 10 /* \n */) s.math = false;
  return i;
}
