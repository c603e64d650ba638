/**
 * "Close the tail": while a message streams, its last block often ends in half-written inline markup
 * (`**bold`, `` `code``, `~~gone`, `[text](https://exa`). Rendered as it is, the markers flash as literal
 * characters and then jump into formatting when the closing marker arrives. closeTail() returns the block's
 * text with what is open closed (emphasis, strikethrough, code spans) or removed (a link still being written
 * shows as its text; a marker with nothing after it yet is dropped).
 *
 * Only the last paragraph-like segment of the block is touched (a list item, a quote line or a paragraph after
 * a blank line), since inline markup cannot span those. Code fences and math are left alone.
 */

interface Opener {
  /** '*', '_' or '~' */
  ch: string;
  /** Length of the run still open. */
  len: number;
  /** Where the run starts in the segment. */
  at: number;
}

const WS = /\s/;
const ALNUM = /[\p{L}\p{N}]/u;
const ASCII_ALNUM = /[A-Za-z0-9]/;

const FENCE_LINE = /^[ \t>]*(?:(?:[-+*]|\d{1,9}[.)])[ \t]+)?(`{3,}|~{3,})(.*)$/;

/**
 * Where the last segment starts: after the last blank line, list marker, quote marker, heading marker or
 * fenced code block. -1 when a fence or a display-math block is still open at the end (leave it alone).
 */
function lastSegmentStart(text: string): number {
  let start = 0;
  let pos = 0;
  let fence: string | null = null;
  let math: string | null = null;
  for (const line of text.split('\n')) {
    const next = pos + line.length + 1;
    const f = FENCE_LINE.exec(line);
    if (fence !== null) {
      if (f && f[1]![0] === fence[0] && f[1]!.length >= fence.length && (f[2] ?? '').trim() === '') fence = null;
      start = next;
    } else if (math !== null) {
      if (line.includes(math)) math = null;
      start = next;
    } else if (f) {
      fence = f[1]!;
      start = next;
    } else if (/^[ \t>]*(?:\$\$|\\\[)/.test(line)) {
      const open = line.includes('$$') ? '$$' : '\\]';
      const body = line.slice(line.indexOf(open === '$$' ? '$$' : '\\[') + 2);
      if (!body.includes(open)) math = open;
      start = next;
    } else if (line.trim() === '') {
      start = next;
    } else {
      const marker = /^(?:[ \t]*>)*[ \t]*(?:[-+*]|\d{1,9}[.)])(?:[ \t]+\[[ xX]\])?[ \t]+|^(?:[ \t]*>)+[ \t]?|^ {0,3}#{1,6}[ \t]+/.exec(line);
      if (marker) start = pos + marker[0].length;
    }
    pos = next;
  }
  return fence !== null || math !== null ? -1 : Math.min(start, text.length);
}

/** Index of the matching `)` for a link destination starting at `from` (after the `(`), or -1. */
function closingParen(s: string, from: number): number {
  let depth = 0;
  for (let i = from; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') i++;
    else if (c === '(') depth++;
    else if (c === ')') {
      if (depth === 0) return i;
      depth--;
    } else if (c === '\n') return -1;
  }
  return -1;
}

/**
 * Returns `text` with its unterminated inline markup closed (see the module comment). Text with nothing
 * open comes back unchanged, and so does what closeTail returned: a removal can expose another open marker
 * (`*[` loses its bracket, then the `*` has nothing to wrap), so the pass is repeated until nothing changes
 * (a few passes at most; a second pass costs one more scan of the last segment only while something is open).
 */
export function closeTail(text: string): string {
  let out = text;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const next = closeOnce(out);
    if (next === out) return out;
    out = next;
  }
  return out;
}

const MAX_PASSES = 6;

function closeOnce(text: string): string {
  const body = text.replace(/\s+$/, '');
  const segStart = lastSegmentStart(body);
  if (!body || segStart < 0) return text;
  const head = body.slice(0, segStart);
  const seg = body.slice(segStart);
  const trailing = text.slice(body.length);

  const stack: Opener[] = [];
  const brackets: number[] = [];
  /** A link whose destination is still being written: `[` at open, `](` at close. */
  let linkCut: { open: number; close: number } | null = null;
  /** An open code span: its backtick run and where it starts. */
  let openCode: { run: string; at: number } | null = null;
  let dangling: [number, number] | null = null;
  let escapeCut = -1;
  let i = 0;
  while (i < seg.length) {
    const c = seg[i]!;
    if (c === '\\') {
      // A backslash at the very end escapes what has not arrived yet; it would escape a closer: dropped until then.
      if (i === seg.length - 1) escapeCut = i;
      i += 2;
    } else if (c === '`') {
      const run = /^`+/.exec(seg.slice(i))![0];
      const end = findRun(seg, run, i + run.length);
      if (end < 0) {
        openCode = { run, at: i };
        break;
      }
      i = end + run.length;
    } else if (c === '$') {
      // A finished $…$ formula on this line is opaque (its * and _ are not emphasis).
      const close = seg.indexOf('$', i + 1);
      const nl = seg.indexOf('\n', i + 1);
      i = close > i + 1 && (nl < 0 || close < nl) ? close + 1 : i + 1;
    } else if (c === '[') {
      brackets.push(i);
      i++;
    } else if (c === ']') {
      const open = brackets.pop();
      if (open !== undefined && seg[i + 1] === '(') {
        const paren = closingParen(seg, i + 2);
        if (paren < 0) {
          linkCut = { open, close: i };
          break;
        }
        i = paren + 1; // the destination is not markup
      } else i++;
    } else if (c === '*' || c === '_' || c === '~') {
      let len = 1;
      while (seg[i + len] === c) len++;
      const rest = scanDelimiter(seg, i, len, c, stack);
      // A run at the very end that can only be an opener yet (`foo **`): drop it until its text arrives.
      if (rest > 0 && i + len === seg.length && !ASCII_ALNUM.test(i > 0 ? seg[i - 1]! : ' ')) dangling = [i + len - rest, i + len];
      i += len;
    } else i++;
  }

  const removals: [number, number][] = [];
  const bang = (at: number): number => (at > 0 && seg[at - 1] === '!' ? at - 1 : at);
  if (linkCut) {
    removals.push([bang(linkCut.open), linkCut.open + 1], [linkCut.close, seg.length]);
  } else {
    // `[text` still being written (on the last line): show the text without its brackets.
    for (const at of brackets) if (!seg.slice(at).includes('\n')) removals.push([bang(at), at + 1]);
  }
  if (dangling) removals.push(dangling);
  if (escapeCut >= 0) removals.push([escapeCut, escapeCut + 1]);
  const end = linkCut ? linkCut.close : openCode ? openCode.at : seg.length;
  const toClose: Opener[] = [];
  for (let k = stack.length - 1; k >= 0; k--) {
    const open = stack[k]!;
    if (open.at >= end) continue;
    // What the run would wrap once the removals above are made: nothing visible, and the run goes too.
    let visible = '';
    for (let at = open.at + open.len; at < end; at++) if (!removals.some(([a, b]) => at >= a && at < b)) visible += seg[at];
    visible = visible.replace(/[*_~\s]/g, '');
    if (visible === '') removals.push([open.at, open.at + open.len]);
    else toClose.push(open);
  }
  if (openCode && seg.slice(openCode.at + openCode.run.length).trim() === '') removals.push([openCode.at, seg.length]);
  const closesCode = openCode !== null && seg.slice(openCode.at + openCode.run.length).trim() !== '';
  if (removals.length === 0 && toClose.length === 0 && !closesCode) return text;

  const kept = (): string => {
    let out = '';
    let from = 0;
    for (const [a, b] of [...removals].sort((x, y) => x[0] - y[0])) {
      if (a > from) out += seg.slice(from, a);
      from = Math.max(from, b);
    }
    return out + seg.slice(from);
  };
  // A closer written right after the same character would merge into that run and close nothing (`a~` + `~`
  // is `~~`, a run of another length): a code span's closer gets a space before it (stripped in the span),
  // and an emphasis run is dropped instead of closed.
  let trimmed = kept().replace(/\s+$/, '');
  let closers = '';
  if (closesCode) closers += (trimmed.endsWith('`') ? ' ' : '') + openCode!.run;
  let dropped = false;
  for (const open of toClose) {
    if (!closers && trimmed.endsWith(open.ch)) {
      removals.push([open.at, open.at + open.len]);
      dropped = true;
    } else closers += open.ch.repeat(open.len);
  }
  const out = kept();
  if (dropped) trimmed = out.replace(/\s+$/, '');
  return head + trimmed + closers + out.slice(trimmed.length) + trailing;
}

/** The next run of exactly `run` backticks at or after `from`, or -1. */
function findRun(s: string, run: string, from: number): number {
  let at = s.indexOf(run, from);
  while (at >= 0) {
    let after = at + run.length;
    if (s[after] !== '`' && s[at - 1] !== '`') return at;
    while (s[after] === '`') after++;
    at = s.indexOf(run, after);
  }
  return -1;
}

/** Emphasis bookkeeping for one run of `*`, `_` or `~` (a simplified CommonMark flanking rule). */
function scanDelimiter(seg: string, i: number, len: number, c: string, stack: Opener[]): number {
  if (c === '~' && len > 2) return 0;
  const before = i > 0 ? seg[i - 1]! : ' ';
  const after = i + len < seg.length ? seg[i + len]! : ' ';
  // An opener needs text after it, and no ASCII letter or digit right before it (so 2*3 and snake_case stay
  // literal; CJK text puts ** right after a character: 中文**加粗**).
  const canOpen = !WS.test(after) && !(c === '_' ? ALNUM : ASCII_ALNUM).test(before);
  const canClose = !WS.test(before) && !(c === '_' && ALNUM.test(after));
  let rest = len;
  if (canClose) {
    while (rest > 0 && stack.length > 0 && stack[stack.length - 1]!.ch === c) {
      const top = stack[stack.length - 1]!;
      const used = c === '~' ? (top.len === rest ? rest : 0) : Math.min(top.len, rest);
      if (used === 0) break;
      top.len -= used;
      rest -= used;
      if (top.len === 0) stack.pop();
    }
  }
  if (rest === 0 || !canOpen) return rest;
  const at = i + (len - rest);
  if (c !== '~' && rest >= 3) {
    // `***x` opens strong and em: `**` then `*`, so they close as `*` then `**`.
    stack.push({ ch: c, len: 2, at });
    stack.push({ ch: c, len: rest - 2, at: at + 2 });
  } else stack.push({ ch: c, len: rest, at });
  return 0;
}
