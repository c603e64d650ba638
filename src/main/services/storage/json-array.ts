/**
 * Splits a JSON document whose top level is an array into the bytes of its elements as they arrive, so a large
 * file (ChatGPT's conversations.json: one array of conversations) is parsed one element at a time, in memory
 * bounded by its largest element rather than by the file. It only finds where elements begin and end (depth,
 * strings and their escapes); each element is then checked by JSON.parse. A document that is not one array
 * fails here with the byte offset at which it went wrong.
 */

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);
const [LBRACKET, RBRACKET, LBRACE, RBRACE, QUOTE, BACKSLASH, COMMA] = [0x5b, 0x5d, 0x7b, 0x7d, 0x22, 0x5c, 0x2c];

export class JsonArraySplitter {
  /** 'start': before '['; 'first': after '['; 'before': after ','; 'in': inside an element; 'after': after one (',' or ']'); 'end': after ']'. */
  private state: 'start' | 'before' | 'first' | 'after' | 'in' | 'end' = 'start';
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** The element began with a scalar (a number, true, false, null) rather than an object, array or string. */
  private scalar = false;
  private parts: Buffer[] = [];
  private partBytes = 0;
  /** Bytes seen before the current chunk. */
  private offset = 0;
  private bomChecked = false;

  private readonly maxElementBytes: number;

  /** `maxElementBytes`: the most bytes one element may have (beyond them: an error). */
  constructor(maxElementBytes = Number.MAX_SAFE_INTEGER) {
    this.maxElementBytes = maxElementBytes;
  }

  private fail(at: number, what: string): never {
    throw new SyntaxError(`${what} at byte ${this.offset + at}`);
  }

  /** Feeds the next bytes; returns the elements they completed, each as its own bytes. */
  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let i = 0;
    const n = chunk.length;
    if (!this.bomChecked && n > 0) {
      this.bomChecked = true;
      if (n >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) i = 3;
    }
    let start = this.state === 'in' ? 0 : -1;
    const finish = (end: number): void => {
      const tail = chunk.subarray(start, end);
      const el = this.parts.length ? Buffer.concat([...this.parts, tail]) : tail;
      this.parts = [];
      this.partBytes = 0;
      out.push(el);
      this.state = 'after';
      start = -1;
    };
    while (i < n) {
      const c = chunk[i]!;
      if (this.state === 'in') {
        if (this.inString) {
          // The tight part: most bytes of a conversation are inside strings.
          for (; i < n; i++) {
            const d = chunk[i]!;
            if (this.escaped) this.escaped = false;
            else if (d === BACKSLASH) this.escaped = true;
            else if (d === QUOTE) break;
          }
          if (i === n) break;
          this.inString = false;
          i++;
          if (this.depth === 0) finish(i);
          continue;
        }
        if (this.scalar) {
          if (c === COMMA || c === RBRACKET || WS.has(c)) {
            finish(i);
            continue; // the separator is read in state 'after'
          }
          i++;
          continue;
        }
        if (c === QUOTE) this.inString = true;
        else if (c === LBRACE || c === LBRACKET) this.depth++;
        else if (c === RBRACE || c === RBRACKET) {
          this.depth--;
          if (this.depth === 0) {
            finish(i + 1);
            i++;
            continue;
          }
        }
        i++;
        continue;
      }
      if (WS.has(c)) {
        i++;
        continue;
      }
      if (this.state === 'start') {
        if (c !== LBRACKET) this.fail(i, 'Expected "[" (a list of conversations)');
        this.state = 'first';
      } else if (this.state === 'after') {
        if (c === COMMA) this.state = 'before';
        else if (c === RBRACKET) this.state = 'end';
        else this.fail(i, 'Expected "," or "]"');
      } else if (this.state === 'first' && c === RBRACKET) {
        this.state = 'end';
      } else if (this.state === 'before' || this.state === 'first') {
        if (c === RBRACKET || c === COMMA) this.fail(i, `Unexpected "${String.fromCharCode(c)}"`);
        this.state = 'in';
        start = i;
        this.depth = 0;
        this.scalar = false;
        if (c === QUOTE) this.inString = true;
        else if (c === LBRACE || c === LBRACKET) this.depth = 1;
        else this.scalar = true;
      } else {
        this.fail(i, 'Unexpected data after the end of the list');
      }
      i++;
    }
    if (this.state === 'in' && start >= 0) {
      const rest = chunk.subarray(start);
      this.partBytes += rest.length;
      if (this.partBytes > this.maxElementBytes) this.fail(n, `An element larger than ${this.maxElementBytes} bytes`);
      this.parts.push(rest);
    }
    this.offset += n;
    return out;
  }

  /** The input ended: throws unless the list was closed. */
  end(): void {
    if (this.state !== 'end') throw new SyntaxError(`Unexpected end of the file at byte ${this.offset} (the list of conversations is not closed)`);
  }
}
