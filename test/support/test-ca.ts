import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = (dir: string, args: string[]) => promisify(execFile)('openssl', args, { cwd: dir });
const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export interface TestCertificates {
  /** The CA certificate file, for NODE_EXTRA_CA_CERTS of processes that must trust the server. */
  caFile: string;
  /** Server key and certificate (PEM) for https.createServer, valid for 127.0.0.1 and localhost. */
  key: string;
  cert: string;
  dir: string;
}

/**
 * A throw-away CA and a server certificate it signed, made with the openssl command (node:crypto
 * cannot sign X.509 certificates). For stand-ins that must speak https because their real clients
 * refuse anything else (the Azure SDK's authority host). Node reads NODE_EXTRA_CA_CERTS only at start,
 * so the clients that trust it run as child processes.
 */
export async function makeTestCertificates(): Promise<TestCertificates> {
  const dir = mkdtempSync(join(tmpdir(), 'envid-test-ca-'));
  await run(dir, [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=envid test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await issueServerCertificate(dir, 'server');
  return {
    caFile: join(dir, 'ca.pem'),
    key: readFileSync(join(dir, 'server.key'), 'utf8'),
    cert: readFileSync(join(dir, 'server.pem'), 'utf8'),
    dir,
  };
}

/**
 * Another server certificate (and a new key) from the CA in `dir`, as `<name>.pem` and `<name>.key`
 * there: what a renewal produces. Answers the two paths.
 */
export async function issueServerCertificate(
  dir: string,
  name: string,
): Promise<{ cert: string; key: string }> {
  await run(dir, ['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', '/CN=127.0.0.1']);
  writeFileSync(
    join(dir, 'server.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n',
  );
  await run(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    `${name}.pem`,
    '-days',
    '2',
    '-extfile',
    'server.ext',
  ]);
  return { cert: join(dir, `${name}.pem`), key: join(dir, `${name}.key`) };
}
