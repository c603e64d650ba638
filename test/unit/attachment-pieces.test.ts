/**
 * A large pasted or dropped file reaches main in pieces (attachments:addPiece): main keeps them in order and
 * joins them with the last one; a piece out of order, of the wrong size, past the file bound, or of a file whose
 * pieces stopped for a minute is refused and the file's pieces dropped (nothing grows without bound).
 */
import { describe, expect, it } from 'vitest';
import { attachmentPieces } from '../../src/main/services/handlers/attachments.ts';
import { ATTACHMENT_PIECE_CHARS, ATTACHMENT_PIECES_MS, MAX_ATTACHMENT_BASE64_CHARS } from '../../src/shared/attachments.ts';
import { ParleyError } from '../../src/main/core/errors.ts';

const codeOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return ParleyError.is(e) ? e.code : 'other';
  }
  return undefined;
};

describe('pieces of a file from the window', () => {
  it('in order they join with the last piece; before it, nothing', () => {
    const p = attachmentPieces();
    expect(p.take('w1', 'a.jpg', 'AAAA', { upload: 'u1', index: 0, count: 3 })).toBeNull();
    expect(p.take('w1', 'a.jpg', 'BBBB', { upload: 'u1', index: 1, count: 3 })).toBeNull();
    expect(p.take('w1', 'a.jpg', 'CC==', { upload: 'u1', index: 2, count: 3 })).toBe('AAAABBBBCC==');
    // The upload is gone once joined: a further piece is not of a file begun.
    expect(codeOf(() => p.take('w1', 'a.jpg', 'DDDD', { upload: 'u1', index: 1, count: 3 }))).toBe('config_invalid');
  });

  it('windows and uploads are apart', () => {
    const p = attachmentPieces();
    p.take('w1', 'a', 'AAAA', { upload: 'u', index: 0, count: 2 });
    p.take('w2', 'a', 'ZZZZ', { upload: 'u', index: 0, count: 2 });
    expect(p.take('w2', 'a', 'YY==', { upload: 'u', index: 1, count: 2 })).toBe('ZZZZYY==');
    expect(p.take('w1', 'a', 'BB==', { upload: 'u', index: 1, count: 2 })).toBe('AAAABB==');
  });

  it('out of order, another count or name, a middle piece not a multiple of 4, or a piece too large: refused, the pieces dropped', () => {
    const p = attachmentPieces();
    p.take('w', 'a', 'AAAA', { upload: 'u', index: 0, count: 3 });
    expect(codeOf(() => p.take('w', 'a', 'CCCC', { upload: 'u', index: 2, count: 3 }))).toBe('config_invalid');
    expect(codeOf(() => p.take('w', 'a', 'BBBB', { upload: 'u', index: 1, count: 3 }))).toBe('config_invalid');
    p.take('w', 'a', 'AAAA', { upload: 'v', index: 0, count: 3 });
    expect(codeOf(() => p.take('w', 'b', 'BBBB', { upload: 'v', index: 1, count: 3 }))).toBe('config_invalid');
    p.take('w', 'a', 'AAAA', { upload: 'x', index: 0, count: 3 });
    expect(codeOf(() => p.take('w', 'a', 'BBB', { upload: 'x', index: 1, count: 3 }))).toBe('config_invalid');
    expect(codeOf(() => p.take('w', 'a', 'A'.repeat(ATTACHMENT_PIECE_CHARS + 4), { upload: 'y', index: 0, count: 2 }))).toBe('config_invalid');
  });

  it('past the file bound it is limit_exceeded', () => {
    const p = attachmentPieces();
    const piece = 'A'.repeat(ATTACHMENT_PIECE_CHARS);
    const count = Math.ceil(MAX_ATTACHMENT_BASE64_CHARS / ATTACHMENT_PIECE_CHARS) + 1;
    let code: string | undefined;
    for (let i = 0; i < count && !code; i++) code = codeOf(() => p.take('w', 'big', piece, { upload: 'u', index: i, count }));
    expect(code).toBe('limit_exceeded');
  });

  it('pieces that stopped arriving for a minute are dropped', () => {
    let t = 0;
    const p = attachmentPieces(() => t);
    p.take('w', 'a', 'AAAA', { upload: 'u', index: 0, count: 2 });
    t += ATTACHMENT_PIECES_MS + 1;
    expect(codeOf(() => p.take('w', 'a', 'BB==', { upload: 'u', index: 1, count: 2 }))).toBe('config_invalid');
  });
});
