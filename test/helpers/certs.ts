// Throwaway TLS material generated with the openssl CLI for loopback tests.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { findBinary, makeTempDir } from './proc.ts';

const execFileP = promisify(execFile);

export interface TestCA {
  dir: string;
  caCertPath: string;
  caKeyPath: string;
  certPath: string;
  keyPath: string;
  /** PEM of the CA certificate. */
  caCert: string;
  /** PEM of the server leaf (localhost, 127.0.0.1, ::1), signed by the CA. */
  cert: string;
  /** PEM private key of the server leaf. */
  key: string;
  /** CA subject, e.g. "CN=Parley Test CA 1a2b3c4d". */
  caSubject: string;
}

export interface SelfSigned {
  dir: string;
  certPath: string;
  keyPath: string;
  cert: string;
  key: string;
  subject: string;
}

const SAN = 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1';
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function opensslBin(): string {
  return findBinary(['openssl'], 'openssl');
}

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await execFileP(opensslBin(), args, { cwd });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`openssl ${args.join(' ')} failed: ${e.stderr ?? e.message}`, { cause: err });
  }
}

/** Generates a CA and a `localhost`/127.0.0.1/::1 (plus `dnsNames`) server certificate signed by it. */
export async function makeTestCA(dir?: string, dnsNames: readonly string[] = []): Promise<TestCA> {
  const d = dir ?? (await makeTempDir('certs'));
  const caSubject = `CN=Parley Test CA ${randomBytes(4).toString('hex')}`;
  const caCertPath = path.join(d, 'ca.pem');
  const caKeyPath = path.join(d, 'ca.key');
  const certPath = path.join(d, 'server.pem');
  const keyPath = path.join(d, 'server.key');
  const csrPath = path.join(d, 'server.csr');
  const extPath = path.join(d, 'server.ext');

  await openssl(
    [
      'req', '-x509', ...EC_KEY, '-keyout', caKeyPath, '-out', caCertPath, '-days', '3',
      '-subj', `/${caSubject}`,
      '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
      '-addext', 'subjectKeyIdentifier=hash',
    ],
    d,
  );
  await openssl(['req', '-new', ...EC_KEY, '-keyout', keyPath, '-out', csrPath, '-subj', '/CN=localhost'], d);
  await writeFile(
    extPath,
    [
      SAN + dnsNames.map((n) => `,DNS:${n}`).join(''),
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      'authorityKeyIdentifier=keyid',
      '',
    ].join('\n'),
  );
  await openssl(
    [
      'x509', '-req', '-in', csrPath, '-CA', caCertPath, '-CAkey', caKeyPath, '-CAcreateserial',
      '-out', certPath, '-days', '2', '-extfile', extPath,
    ],
    d,
  );
  const [caCert, cert, key] = await Promise.all([
    readFile(caCertPath, 'utf8'),
    readFile(certPath, 'utf8'),
    readFile(keyPath, 'utf8'),
  ]);
  return { dir: d, caCertPath, caKeyPath, certPath, keyPath, caCert, cert, key, caSubject };
}

/** A single self-signed certificate for localhost/127.0.0.1/::1 (no CA). */
export async function makeSelfSigned(dir?: string): Promise<SelfSigned> {
  const d = dir ?? (await makeTempDir('selfsigned'));
  const subject = `CN=localhost`;
  const certPath = path.join(d, 'selfsigned.pem');
  const keyPath = path.join(d, 'selfsigned.key');
  await openssl(
    ['req', '-x509', ...EC_KEY, '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', `/${subject}`, '-addext', SAN],
    d,
  );
  const [cert, key] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
  return { dir: d, certPath, keyPath, cert, key, subject };
}

/**
 * A server certificate signed by `ca` whose only name is the subject CN (no subjectAltName at all), e.g.
 * `CN=127.0.0.1`: what Node's identity check refuses for an IP address (a CN is never an IP identity).
 */
export async function makeCnOnlyCert(ca: TestCA, cn: string, dir?: string): Promise<{ cert: string; key: string }> {
  const d = dir ?? (await makeTempDir('cn-only'));
  const tag = randomBytes(4).toString('hex');
  const keyPath = path.join(d, `cn-${tag}.key`);
  const csrPath = path.join(d, `cn-${tag}.csr`);
  const certPath = path.join(d, `cn-${tag}.pem`);
  const extPath = path.join(d, `cn-${tag}.ext`);
  await openssl(['req', '-new', ...EC_KEY, '-keyout', keyPath, '-out', csrPath, '-subj', `/CN=${cn}`], d);
  await writeFile(extPath, ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment', 'extendedKeyUsage=serverAuth', 'authorityKeyIdentifier=keyid', ''].join('\n'));
  await openssl(['x509', '-req', '-in', csrPath, '-CA', ca.caCertPath, '-CAkey', ca.caKeyPath, '-CAcreateserial', '-out', certPath, '-days', '2', '-extfile', extPath], d);
  const [cert, key] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
  return { cert, key };
}
