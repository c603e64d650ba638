/**
 * Reasoning written inside the answer's text, between tags, as many open models do when no server-side
 * parser splits it out: `<think>…</think>` (DeepSeek-R1 and its distills, QwQ, Qwen3, many Ollama and vLLM
 * models), `<thinking>` and `<reasoning>` (prompted models, Claude's chain of thought), `<thought>`,
 * `<|begin_of_thought|>…<|end_of_thought|>` (Bespoke-Stratos, OpenThoughts), `<seed:think>` (ByteDance
 * Seed-OSS), `◁think▷…◁/think▷` (Kimi-VL-Thinking), `[THINK]…[/THINK]` (Magistral) and gpt-oss's analysis
 * channel in raw harmony (`<|channel|>analysis<|message|>…<|end|>`, the final channel's header dropped).
 *
 * Only at the start of an answer (whitespace before the tag allowed): an answer that mentions `</think>` later
 * is left alone. Works on a stream cut anywhere (a tag split across deltas, one character a delta): what it
 * cannot decide yet is held, at most a tag's length plus the whitespace around it. A block never closed stays
 * reasoning. Whitespace between the reasoning and the answer is dropped.
 */

export const THINK_TAGS: ReadonlyArray<readonly [open: string, close: string, answer?: string]> = [
  ['<think>', '</think>'],
  ['<thinking>', '</thinking>'],
  ['<reasoning>', '</reasoning>'],
  ['<thought>', '</thought>'],
  ['<|begin_of_thought|>', '<|end_of_thought|>'],
  ['<seed:think>', '</seed:think>'],
  ['◁think▷', '◁/think▷'],
  ['[THINK]', '[/THINK]'],
  // gpt-oss's harmony format where a server passes it through raw: the analysis channel, then the final one.
  ['<|channel|>analysis<|message|>', '<|end|>', '<|start|>assistant<|channel|>final<|message|>'],
];

/** Leading whitespace held while deciding whether an answer opens with a tag; more than this is answer text. */
const MAX_LEAD = 256;

export type Piece = { kind: 'text' | 'reasoning'; text: string };

const isSpace = (c: string | undefined): boolean => c !== undefined && /\s/.test(c);

/** The length of the longest end of `s` that is a proper start of `tag`. */
function partialTagAtEnd(s: string, tag: string): number {
  for (let k = Math.min(tag.length - 1, s.length); k > 0; k--) if (s.endsWith(tag.slice(0, k))) return k;
  return 0;
}

export class ThinkSplitter {
  #state: 'start' | 'inside' | 'gap' | 'text';
  #held = '';
  #close = '';
  /** What opens the answer after the block (harmony's final channel header), dropped. */
  #answer = '';
  #reasoningStarted = false;

  /** `enabled: false`: everything is text (a continuation is not the start of an answer). */
  constructor(enabled = true) {
    this.#state = enabled ? 'start' : 'text';
  }

  /** Whether the answer opened with a reasoning tag. */
  get tagged(): boolean {
    return this.#close !== '';
  }

  push(t: string): Piece[] {
    const out: Piece[] = [];
    this.#feed(t, out);
    return out;
  }

  /** The answer ended: what is held is given out (an unclosed block stays reasoning). */
  end(): Piece[] {
    const out: Piece[] = [];
    const held = this.#held;
    this.#held = '';
    if (this.#state === 'start' && held) out.push({ kind: 'text', text: held });
    if (this.#state === 'inside') this.#reason(held.trimEnd(), out);
    // A part of the answer's header that never completed is the answer's text.
    if (this.#state === 'gap' && held) out.push({ kind: 'text', text: held });
    this.#state = 'text';
    return out;
  }

  #reason(t: string, out: Piece[]): void {
    const s = this.#reasoningStarted ? t : t.trimStart();
    if (!s) return;
    this.#reasoningStarted = true;
    out.push({ kind: 'reasoning', text: s });
  }

  #feed(t: string, out: Piece[]): void {
    switch (this.#state) {
      case 'text':
        if (t) out.push({ kind: 'text', text: t });
        return;
      case 'start': {
        const buf = this.#held + t;
        const s = buf.trimStart();
        if (s === '' && buf.length <= MAX_LEAD) {
          this.#held = buf;
          return;
        }
        const tag = THINK_TAGS.find(([open]) => s.startsWith(open));
        if (tag) {
          this.#held = '';
          this.#close = tag[1];
          this.#answer = tag[2] ?? '';
          this.#state = 'inside';
          this.#feed(s.slice(tag[0].length), out);
          return;
        }
        if (buf.length <= MAX_LEAD && THINK_TAGS.some(([open]) => open.startsWith(s))) {
          this.#held = buf;
          return;
        }
        this.#held = '';
        this.#state = 'text';
        this.#feed(buf, out);
        return;
      }
      case 'inside': {
        const buf = this.#held + t;
        const at = buf.indexOf(this.#close);
        if (at >= 0) {
          this.#held = '';
          this.#reason(buf.slice(0, at).trimEnd(), out);
          this.#state = 'gap';
          this.#feed(buf.slice(at + this.#close.length), out);
          return;
        }
        // Hold a possible start of the closing tag, and the whitespace before it (trimmed if the block ends).
        let j = buf.length - partialTagAtEnd(buf, this.#close);
        while (j > 0 && isSpace(buf[j - 1])) j--;
        this.#reason(buf.slice(0, j), out);
        this.#held = buf.slice(j);
        return;
      }
      case 'gap': {
        // Whitespace between the block and the answer is dropped, and the answer's header where the format has one.
        const s = (this.#held + t).trimStart();
        this.#held = '';
        if (!s) return;
        if (this.#answer) {
          if (s.startsWith(this.#answer)) {
            const header = this.#answer;
            this.#answer = '';
            this.#feed(s.slice(header.length), out);
            return;
          }
          if (this.#answer.startsWith(s)) {
            this.#held = s;
            return;
          }
        }
        this.#state = 'text';
        out.push({ kind: 'text', text: s });
        return;
      }
    }
  }
}

/** A whole answer's text split the same way. */
export function splitThink(text: string): { text: string; reasoning: string } {
  const sp = new ThinkSplitter();
  const pieces = [...sp.push(text), ...sp.end()];
  return {
    text: pieces.filter((p) => p.kind === 'text').map((p) => p.text).join(''),
    reasoning: pieces.filter((p) => p.kind === 'reasoning').map((p) => p.text).join(''),
  };
}
