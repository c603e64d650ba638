import { readFileSync } from 'node:fs';
import * as tls from 'node:tls';
import { ParleyError } from './errors.ts';
import type { Env } from './config.ts';

export interface TrustStore {
  /** PEM certificates: Node's bundled roots, the OS store, NODE_EXTRA_CA_CERTS and the configured files. */
  ca: string[];
  /** Stable key for pooling dispatchers. */
  key: string;
  extraFiles: string[];
}

function readPemFile(path: string, setting: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ParleyError('config_invalid', `Cannot read the CA certificate file ${path} (${setting}): ${(e as NodeJS.ErrnoException).code ?? String(e)}.`, {
      hop: 'config', phase: 'config', hint: 'Check the path of the certificate file, or remove it from the trusted certificates.',
    });
  }
  const certs = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (certs.length === 0) {
    throw new ParleyError('config_invalid', `The file ${path} (${setting}) holds no PEM certificate.`, {
      hop: 'config', phase: 'config', hint: 'Export the CA certificate in PEM format (Base64, "-----BEGIN CERTIFICATE-----").',
    });
  }
  return certs;
}

function systemCerts(): string[] {
  try {
    return [...tls.getCACertificates('default'), ...tls.getCACertificates('system')];
  } catch {
    return [...tls.rootCertificates];
  }
}

/** Builds the trust store: extra CAs are added to the system store, never replace it. */
export function buildTrustStore(caFiles: readonly string[], env: Env): TrustStore {
  const extra: string[] = [];
  const files = [...caFiles];
  const fromEnv = env.NODE_EXTRA_CA_CERTS;
  // Node reads NODE_EXTRA_CA_CERTS only at process start; we read it too so a changed env is honoured.
  if (fromEnv) files.push(fromEnv);
  for (const [i, f] of files.entries()) extra.push(...readPemFile(f, i < caFiles.length ? `caFiles[${i}]` : 'NODE_EXTRA_CA_CERTS'));
  const ca = [...new Set([...systemCerts(), ...extra])];
  return { ca, key: files.join('\n'), extraFiles: files };
}
