/**
 * The composer's attachments (issue 19, src/renderer/src/attachments/store.ts) against a stand-in for main: a
 * pasted file is read and handed over as base64, shown as adding until main answers and then as main stored it;
 * a file over a bound is refused without being read; main's refusal stays on its chip with its code and key; the
 * same bytes twice make one chip; a removed chip's late answer does not bring it back; the picker's files and
 * refusals; edit and send again takes a message's attachments; what is sent is the added chips' ids in order.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS_PER_MESSAGE, MAX_MESSAGE_ATTACHMENT_BYTES, type AttachmentRef, type PickResult } from '../../src/shared/attachments.ts';
import type { ErrorInfo } from '../../src/shared/errors.ts';

type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };
interface Chip { key: string; name: string; size: number; state: 'adding' | 'ready' | 'refused'; ref?: AttachmentRef; problem?: { kind: string; max?: number; error?: ErrorInfo } }
interface Candidate { name: string; size: number; read(): Promise<string[]> }
/** What this test uses of the store (loaded by a path the type check does not follow: the renderer is checked with the DOM's types). */
interface StoreModule {
  NEW_DRAFT: string;
  readyRefs(chips: readonly Chip[] | undefined): AttachmentRef[];
  anyAdding(chips: readonly Chip[] | undefined): boolean;
  fallbackName(mime: string): string;
  useAttach: {
    getState(): {
      byDraft: Record<string, Chip[]>;
      picking: Record<string, boolean>;
      add(draft: string, files: readonly Candidate[]): Promise<void>;
      pick(draft: string): Promise<void>;
      remove(draft: string, key: string): void;
      clear(draft: string): void;
      setRefs(draft: string, refs: readonly AttachmentRef[]): void;
      move(from: string, to: string): void;
    };
    setState(s: { byDraft: Record<string, Chip[]>; picking: Record<string, boolean> }): void;
  };
}

/** Main as the store sees it: attachments:add and attachments:pick, answered when the test says. */
const added: { name: string; data: string }[] = [];
const pieces: { name: string; data: string; upload: string; index: number; count: number }[] = [];
let answerAdd: (args: { name: string; data: string }) => Promise<Result<AttachmentRef>>;
let answerPick: () => Promise<Result<PickResult>>;
(globalThis as { document?: unknown }).document ??= { documentElement: {} };
(globalThis as { window?: unknown }).window = {
  parley: {
    attachmentsAdd: (args: { name: string; data: string }) => {
      added.push(args);
      return answerAdd(args);
    },
    attachmentsPick: () => answerPick(),
    attachmentsAddPiece: async (args: { name: string; data: string; upload: string; index: number; count: number }) => {
      pieces.push(args);
      return { ok: true, value: args.index === args.count - 1 ? ref(9, { name: args.name }) : null };
    },
    logWrite: async () => ({ ok: true, value: undefined }),
  },
};
const STORE = '../../src/renderer/src/attachments/store.ts';
const { NEW_DRAFT, anyAdding, fallbackName, readyRefs, useAttach } = (await import(STORE)) as StoreModule;

const hex = (n: number): string => n.toString(16).padStart(64, '0');
const ref = (n: number, over: Partial<AttachmentRef> = {}): AttachmentRef => ({ id: hex(n), name: `f${n}.png`, kind: 'image', mime: 'image/png', size: 100 + n, width: 10, height: 10, ...over });
const file = (name: string, size: number, data = 'QUJD'): Candidate => ({ name, size, read: async () => [data] });
const chips = (draft = 'c1'): Chip[] => useAttach.getState().byDraft[draft] ?? [];
/** A promise and its resolve, to answer main's call when the test chooses. */
function later<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

beforeEach(() => {
  added.length = 0;
  pieces.length = 0;
  useAttach.setState({ byDraft: {}, picking: {} });
  answerAdd = async (a) => ({ ok: true, value: ref(Number.parseInt(a.data, 36) || 1, { name: a.name }) });
  answerPick = async () => ({ ok: true, value: { added: [], refused: [] } });
});

describe('the composer\'s attachments', () => {
  it('a pasted file is adding until main stored it, then sent by its id; base64 is what main receives', async () => {
    const reply = later<Result<AttachmentRef>>();
    answerAdd = () => reply.promise;
    const done = useAttach.getState().add('c1', [file('shot.png', 5000, 'iVBORw0KGgo=')]);
    await Promise.resolve();
    await Promise.resolve();
    expect(chips().map((c) => [c.name, c.state, c.size])).toEqual([['shot.png', 'adding', 5000]]);
    expect(anyAdding(chips())).toBe(true);
    expect(readyRefs(chips())).toEqual([]);
    reply.resolve({ ok: true, value: ref(7, { name: 'shot.png', size: 5000 }) });
    await done;
    expect(added).toEqual([{ name: 'shot.png', data: 'iVBORw0KGgo=' }]);
    expect(chips().map((c) => c.state)).toEqual(['ready']);
    expect(readyRefs(chips()).map((r) => r.id)).toEqual([hex(7)]);
    expect(anyAdding(chips())).toBe(false);
  });

  it('a large file goes to main a piece at a time, in order, one upload; the last piece stores it', async () => {
    await useAttach.getState().add('c1', [{ name: 'photo.jpg', size: 10_000_000, read: async () => ['AAAA', 'BBBB', 'CC=='] }]);
    expect(added).toEqual([]);
    expect(pieces.map((p) => [p.data, p.index, p.count])).toEqual([['AAAA', 0, 3], ['BBBB', 1, 3], ['CC==', 2, 3]]);
    expect(new Set(pieces.map((p) => p.upload)).size).toBe(1);
    expect(chips().map((c) => [c.name, c.state])).toEqual([['photo.jpg', 'ready']]);
    expect(readyRefs(chips()).map((r) => r.id)).toEqual([hex(9)]);
  });

  it('files over the bounds are refused without being read or handed to main', async () => {
    let reads = 0;
    const counted = (name: string, size: number): Candidate => ({ name, size, read: async () => { reads++; return [String(size)]; } });
    await useAttach.getState().add('c1', [counted('huge.jpg', MAX_ATTACHMENT_BYTES + 1)]);
    expect(chips()[0]).toMatchObject({ state: 'refused', problem: { kind: 'tooBig', max: MAX_ATTACHMENT_BYTES } });
    // Three files of 18 MB: the third would pass the message's 50 MB.
    const big = MAX_ATTACHMENT_BYTES - 2 * 1024 * 1024;
    await useAttach.getState().add('c1', [counted('a', big), counted('b', big), counted('c', big)].map((c, i) => ({ ...c, read: async () => { reads++; return [String(i + 2)]; } })));
    expect(3 * big).toBeGreaterThan(MAX_MESSAGE_ATTACHMENT_BYTES);
    expect(chips().map((c) => c.problem?.kind ?? c.state)).toEqual(['tooBig', 'ready', 'ready', 'tooMuch']);
    expect(reads).toBe(2);
    // At most MAX_ATTACHMENTS_PER_MESSAGE: the next one is refused.
    useAttach.getState().clear('c1');
    await useAttach.getState().add('c1', Array.from({ length: MAX_ATTACHMENTS_PER_MESSAGE + 1 }, (_, i) => file(`n${i}.txt`, 10, (i + 1).toString(36))));
    expect(chips().filter((c) => c.state === 'ready')).toHaveLength(MAX_ATTACHMENTS_PER_MESSAGE);
    expect(chips().at(-1)).toMatchObject({ name: `n${MAX_ATTACHMENTS_PER_MESSAGE}.txt`, state: 'refused', problem: { kind: 'tooMany', max: MAX_ATTACHMENTS_PER_MESSAGE } });
    expect(added).toHaveLength(2 + MAX_ATTACHMENTS_PER_MESSAGE);
  });

  it('main\'s refusal stays on the chip with its code and key; a file that cannot be read says so', async () => {
    const error: ErrorInfo = { code: 'attachment_invalid', message: '"x.png" is named as an image, but it is not a PNG, JPEG, WebP or GIF image.', hint: 'Check the file.', key: 'attachment_not_image', params: { name: 'x.png' } };
    answerAdd = async () => ({ ok: false, error });
    await useAttach.getState().add('c1', [file('x.png', 10), { name: 'gone.txt', size: 3, read: () => Promise.reject(new Error('NotReadableError')) }]);
    expect(chips().map((c) => [c.name, c.state, c.problem?.kind])).toEqual([['x.png', 'refused', 'error'], ['gone.txt', 'refused', 'readFailed']]);
    expect(chips()[0]?.problem?.error).toEqual(error);
    expect(readyRefs(chips())).toEqual([]);
  });

  it('the same bytes twice make one chip; a chip removed while adding does not come back', async () => {
    answerAdd = async () => ({ ok: true, value: ref(3) });
    await useAttach.getState().add('c1', [file('one.png', 10)]);
    await useAttach.getState().add('c1', [file('again.png', 10)]);
    expect(chips().map((c) => c.ref?.id)).toEqual([hex(3)]);

    const reply = later<Result<AttachmentRef>>();
    answerAdd = () => reply.promise;
    const done = useAttach.getState().add('c1', [file('slow.png', 10)]);
    await Promise.resolve();
    const slow = chips().find((c) => c.name === 'slow.png');
    expect(slow?.state).toBe('adding');
    useAttach.getState().remove('c1', slow?.key ?? '');
    reply.resolve({ ok: true, value: ref(4) });
    await done;
    expect(chips().map((c) => c.name)).toEqual(['f3.png']);
  });

  it('drafts are apart: a new chat\'s draft and each conversation\'s', async () => {
    await useAttach.getState().add(NEW_DRAFT, [file('new.png', 10, '9')]);
    await useAttach.getState().add('c2', [file('other.png', 10, 'a')]);
    expect(readyRefs(chips(NEW_DRAFT)).map((r) => r.name)).toEqual(['new.png']);
    expect(readyRefs(chips('c2')).map((r) => r.name)).toEqual(['other.png']);
    useAttach.getState().clear(NEW_DRAFT);
    expect(chips(NEW_DRAFT)).toEqual([]);
    expect(chips('c2')).toHaveLength(1);
  });

  it('a new chat\'s files go with the conversation made for it, those still being added too', async () => {
    await useAttach.getState().add(NEW_DRAFT, [file('first.png', 10, 'b')]);
    const reply = later<Result<AttachmentRef>>();
    answerAdd = () => reply.promise;
    const done = useAttach.getState().add(NEW_DRAFT, [file('second.png', 10)]);
    await Promise.resolve();
    useAttach.getState().move(NEW_DRAFT, 'c9');
    expect(chips(NEW_DRAFT)).toEqual([]);
    expect(chips('c9').map((c) => [c.name, c.state])).toEqual([['first.png', 'ready'], ['second.png', 'adding']]);
    reply.resolve({ ok: true, value: ref(12, { name: 'second.png' }) });
    await done;
    expect(readyRefs(chips('c9')).map((r) => r.name)).toEqual(['first.png', 'second.png']);
    expect(chips(NEW_DRAFT)).toEqual([]);
  });

  it('the picker adds what main stored and shows what it refused; cancelled adds nothing', async () => {
    const refusal: ErrorInfo = { code: 'limit_exceeded', message: '"big.pdf" is 30 MB: Parley attaches files of at most 20 MB.', hint: 'Attach a smaller file.', key: 'attachment_too_large', params: { name: 'big.pdf' } };
    const pick = later<Result<PickResult>>();
    answerPick = () => pick.promise;
    const done = useAttach.getState().pick('c1');
    expect(useAttach.getState().picking.c1).toBe(true);
    pick.resolve({ ok: true, value: { added: [ref(1, { name: 'a.txt', kind: 'text', mime: 'text/plain' }), ref(2, { name: 'b.pdf', kind: 'pdf', mime: 'application/pdf', noText: true })], refused: [{ name: 'big.pdf', error: refusal }] } });
    await done;
    expect(useAttach.getState().picking.c1).toBe(false);
    expect(chips().map((c) => [c.name, c.state])).toEqual([['a.txt', 'ready'], ['b.pdf', 'ready'], ['big.pdf', 'refused']]);
    expect(chips()[2]?.problem?.error).toEqual(refusal);
    answerPick = async () => ({ ok: false, error: { code: 'cancelled', message: 'Cancelled.', hint: '' } });
    await useAttach.getState().pick('c1');
    expect(chips()).toHaveLength(3);
  });

  it('edit and send again: the message\'s attachments become the draft\'s chips, in order, and can be removed', () => {
    useAttach.getState().setRefs('c1', [ref(1), ref(2, { kind: 'text', name: 'notes.txt' })]);
    expect(readyRefs(chips()).map((r) => r.id)).toEqual([hex(1), hex(2)]);
    useAttach.getState().remove('c1', chips()[0]?.key ?? '');
    expect(readyRefs(chips()).map((r) => r.name)).toEqual(['notes.txt']);
  });

  it('a pasted screenshot without a name is named from its type', () => {
    expect(fallbackName('image/png')).toBe('pasted-image.png');
    expect(fallbackName('image/jpeg')).toBe('pasted-image.jpg');
    expect(fallbackName('application/octet-stream')).toBe('pasted-file');
  });
});
