import { readFileSync, statSync } from 'node:fs';
import { createSecureContext } from 'node:tls';

export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

/** A certificate chain and its private key, PEM, checked to belong together. */
export interface TlsPair {
  cert: Buffer;
  key: Buffer;
}

export class TlsPairError extends Error {
  override readonly name = 'TlsPairError';
}

/**
 * Reads both files and builds a secure context from them, so that a key that is not the certificate's,
 * or a file that is not PEM, is refused here (naming the flag) instead of on the first handshake.
 * Messages never contain the files' contents.
 */
export function loadTlsPair(files: TlsFiles): TlsPair {
  const cert = readPem(files.certFile, '--tls-cert (ENVID_TLS_CERT)');
  const key = readPem(files.keyFile, '--tls-key (ENVID_TLS_KEY)');
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    const reason =
      (error as { code?: string }).code === 'ERR_OSSL_X509_KEY_VALUES_MISMATCH'
        ? 'the key is not the private key of the certificate'
        : `not a PEM certificate chain and private key (${(error as Error).message})`;
    throw new TlsPairError(`--tls-cert and --tls-key (${files.certFile}, ${files.keyFile}): ${reason}`);
  }
  return { cert, key };
}

/** The key file's mode, when group or others may read it (a warning, not a refusal: see decision 0197). */
export function looseKeyMode(keyFile: string): string | undefined {
  const mode = statSync(keyFile).mode & 0o777;
  return (mode & 0o077) === 0 ? undefined : mode.toString(8).padStart(4, '0');
}

function readPem(file: string, setting: string): Buffer {
  let content: Buffer;
  try {
    content = readFileSync(file);
  } catch (error) {
    throw new TlsPairError(
      `${setting}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  // Certificates and keys are a few kilobytes; a chain of ten is still far below this.
  if (content.length > 1024 * 1024) throw new TlsPairError(`${setting}: ${file} is over 1 MiB; expected PEM`);
  if (!content.includes('-----BEGIN '))
    throw new TlsPairError(`${setting}: ${file} is not PEM (no -----BEGIN line)`);
  return content;
}
