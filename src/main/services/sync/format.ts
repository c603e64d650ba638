/**
 * Sync files as they lie on a target. Every file but parley-sync.json is one line of JSON (the header), a newline,
 * then the body:
 *
 *   {"parley":"sync","v":1,"kind":"journal","device":"…","seq":12,"size":4096,"sha256":"…","gzip":true,"salt":"…"}\n<body>
 *
 * `size` and `sha256` are the body's as stored (so a truncated or changed file is found before anything is
 * decrypted or parsed); `salt` is there when the body is encrypted (AES-256-GCM, crypto.ts), with the header's kind,
 * device and seq (and the file's name for attachments) as additional data. The body is gzip'd JSON (journals,
 * snapshots) or a file's own bytes (attachments). A file that is not Parley's, of a newer version, truncated or
 * changed is refused with a sync_* error naming it; nothing is applied from it.
 *
 * parley-sync.json (plain JSON, never encrypted): the format and version, the sync set's id, and when encrypted the
 * KDF's parameters, the salt and a key check value.
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip as gunzipCb, gzip as gzipCb } from 'node:zlib';
import { ParleyError } from '../../core/errors.ts';
import { words } from '../../../shared/messages/en.ts';
import { MAX_SYNC_JOURNAL_FILE_BYTES } from '../../../shared/bounds.ts';
import { kdfWithinBounds, open, seal, type KdfParams } from './crypto.ts';

/** zlib on its thread pool: a 1 MB journal is (de)compressed off main's thread. */
const gzip = promisify(gzipCb);
const gunzip = promisify(gunzipCb);

export const FORMAT_VERSION = 1;
export const ROOT_FILE = 'parley-sync.json';
export const ROOT_FORMAT = 'parley-sync';
/** parley-sync.json is small; anything larger is not ours. */
export const MAX_ROOT_BYTES = 16 * 1024;
const MAX_HEADER_BYTES = 4096;

export type FileKind = 'journal' | 'snapshot' | 'part' | 'file';

export interface FileHeader {
  parley: 'sync';
  v: number;
  kind: FileKind;
  device: string;
  seq: number;
  size: number;
  sha256: string;
  gzip: boolean;
  /** Base64 salt of the key the body is encrypted with; absent: not encrypted. */
  salt?: string;
}

export interface RootInfo {
  format: typeof ROOT_FORMAT;
  version: number;
  /** The sync set's id: a device that finds another id here has been pointed at another set (its cursors start over). */
  id: string;
  createdAt: number;
  encryption?: { cipher: 'aes-256-gcm'; kdf: KdfParams; salt: string; check: string };
}

/** What a reader needs to open encrypted bodies: the key of a salt (derived once per salt, cached by the caller). */
export type KeyOf = (salt: string) => Promise<Buffer>;

export interface Where {
  file: string;
  target: string;
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const aadOf = (h: Pick<FileHeader, 'kind' | 'device' | 'seq'>, name: string): string => `${h.kind}:${h.device}:${h.seq}${h.kind === 'file' ? `:${name}` : ''}`;

export function notParley(w: Where): ParleyError {
  return new ParleyError('sync_not_parley', words('sync_not_parley', { ...w }));
}
export function damaged(w: Where, detail: string): ParleyError {
  return new ParleyError('sync_invalid', words('sync_damaged', { ...w, detail }));
}

/** A file's bytes: header line and body (gzip'd when `gzip`, sealed with `key` when given). */
export async function encodeFile(
  head: { kind: FileKind; device: string; seq: number; gzip: boolean },
  name: string,
  plain: Uint8Array,
  key?: { key: Buffer; salt: string },
): Promise<Uint8Array> {
  let body: Uint8Array = head.gzip ? await gzip(plain, { level: 6 }) : plain;
  if (key) body = seal(key.key, body, aadOf(head, name));
  const header: FileHeader = { parley: 'sync', v: FORMAT_VERSION, ...head, size: body.length, sha256: sha256(body), ...(key ? { salt: key.salt } : {}) };
  return Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`, 'utf8'), body]);
}

/** Reads a file's header (checked: Parley's, not newer, the size and checksum of its body). */
export function readHeader(bytes: Uint8Array, w: Where): { header: FileHeader; body: Uint8Array } {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const nl = b.subarray(0, MAX_HEADER_BYTES).indexOf(0x0a);
  if (!b.subarray(0, 16).toString('latin1').startsWith('{"parley":"sync"') || nl < 0) throw notParley(w);
  let h: FileHeader;
  try {
    h = JSON.parse(b.subarray(0, nl).toString('utf8')) as FileHeader;
  } catch {
    throw notParley(w);
  }
  if (typeof h.v !== 'number' || !Number.isInteger(h.v) || h.v < 1) throw notParley(w);
  if (h.v > FORMAT_VERSION) throw new ParleyError('sync_newer', words('sync_newer', { ...w, found: h.v, known: FORMAT_VERSION }));
  if (!['journal', 'snapshot', 'part', 'file'].includes(h.kind) || typeof h.device !== 'string' || !Number.isInteger(h.seq)
    || !Number.isInteger(h.size) || h.size < 0 || typeof h.sha256 !== 'string' || typeof h.gzip !== 'boolean' || (h.salt !== undefined && typeof h.salt !== 'string')) {
    throw damaged(w, 'its header is not valid');
  }
  const body = b.subarray(nl + 1);
  if (body.length < h.size) throw new ParleyError('sync_invalid', words('sync_truncated', { ...w, got: body.length, size: h.size }));
  if (body.length > h.size || sha256(body) !== h.sha256) throw new ParleyError('sync_invalid', words('sync_checksum', { ...w }));
  return { header: h, body };
}

/** A file's plain body: checked, decrypted, gunzip'd (bounded). `expect`: what its name says it is. */
export async function decodeFile(
  bytes: Uint8Array,
  w: Where,
  expect: { kind: FileKind; device?: string; seq?: number; name: string },
  keyOf: KeyOf | undefined,
): Promise<Buffer> {
  const { header: h, body } = readHeader(bytes, w);
  if (h.kind !== expect.kind || (expect.device !== undefined && h.device !== expect.device) || (expect.seq !== undefined && h.seq !== expect.seq)) {
    throw damaged(w, `its header says ${h.kind} ${h.device}/${h.seq}, not what its name says`);
  }
  let plain: Buffer = Buffer.from(body);
  if (h.salt !== undefined) {
    if (!keyOf) throw new ParleyError('sync_passphrase', words('sync_passphrase_needed', { target: w.target }));
    const opened = open(await keyOf(h.salt), body, aadOf(h, expect.name));
    if (!opened) throw new ParleyError('sync_invalid', words('sync_undecryptable', { ...w }));
    plain = opened;
  } else if (keyOf) {
    // An encrypted set holds only encrypted files: a plain one was put there by something else.
    throw damaged(w, 'it is not encrypted, and this sync set is');
  }
  if (h.gzip) {
    try {
      plain = await gunzip(plain, { maxOutputLength: MAX_SYNC_JOURNAL_FILE_BYTES });
    } catch (e) {
      throw damaged(w, (e as Error).message);
    }
  }
  return plain;
}

/** A JSON body parsed, or sync_invalid. */
export function parseJson(plain: Buffer, w: Where): unknown {
  try {
    return JSON.parse(plain.toString('utf8'));
  } catch (e) {
    throw damaged(w, (e as Error).message);
  }
}

/** parley-sync.json, checked. */
export function readRoot(bytes: Uint8Array, w: Where): RootInfo {
  let r: RootInfo;
  try {
    r = JSON.parse(Buffer.from(bytes).toString('utf8')) as RootInfo;
  } catch {
    throw notParley(w);
  }
  if (typeof r !== 'object' || r === null || r.format !== ROOT_FORMAT) throw notParley(w);
  if (typeof r.version !== 'number' || r.version < 1) throw notParley(w);
  if (r.version > FORMAT_VERSION) throw new ParleyError('sync_newer', words('sync_newer', { ...w, found: r.version, known: FORMAT_VERSION }));
  if (typeof r.id !== 'string' || !/^[A-Za-z0-9-]{8,64}$/.test(r.id)) throw damaged(w, 'its id is not valid');
  const e = r.encryption;
  if (e !== undefined && (typeof e !== 'object' || e === null || e.cipher !== 'aes-256-gcm' || typeof e.salt !== 'string' || typeof e.check !== 'string'
    || typeof e.kdf !== 'object' || e.kdf === null || !kdfWithinBounds(e.kdf))) {
    throw damaged(w, 'its encryption settings are not valid');
  }
  return r;
}
