import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, symlinkSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type EnvidProcess, removeDir, startEnvid } from '../support/envid-process.ts';
import { runCli } from '../support/run-cli.ts';
import { titled } from '../support/skip-reason.ts';
import { issueServerCertificate, makeTestCertificates } from '../support/test-ca.ts';
import { waitFor } from '../support/wait-for.ts';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

/** The certificates are made with the openssl command; CI (ENVID_REQUIRE_OPENSSL=1) must not skip. */
const noOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    const reason = 'the openssl command is not installed';
    if (process.env['ENVID_REQUIRE_OPENSSL']) throw new Error(`${reason} (ENVID_REQUIRE_OPENSSL is set)`);
    return reason;
  }
})();

/** The SHA-256 fingerprint of a PEM certificate file. */
const fingerprintOf = (file: string) => new X509Certificate(readFileSync(file)).fingerprint256;

// Certificates are what the server is about here, not its database: one engine (PGlite) is enough.
describe.skipIf(noOpenssl !== undefined)(titled('envid serve --tls-cert --tls-key', noOpenssl), () => {
  let root: string;
  let ca: Buffer;
  let server: EnvidProcess;
  /** The directory the flags name (through the `current` link): a, until the SIGHUP test swaps in b. */
  const live = () => join(root, 'current');

  /** Puts `pair` in `dir` as cert.pem and key.pem, each by a rename (as certbot and cert-manager do). */
  const install = (pair: { cert: string; key: string }, dir: string) => {
    for (const [from, name] of [
      [pair.cert, 'cert.pem'],
      [pair.key, 'key.pem'],
    ] as const) {
      copyFileSync(from, join(dir, `${name}.new`));
      renameSync(join(dir, `${name}.new`), join(dir, name));
    }
  };

  /** The fingerprint of the certificate a new connection is served, verified against the test CA. */
  const served = () =>
    new Promise<string>((resolve, reject) => {
      const { port } = new URL(server.url);
      const socket = connect({ host: '127.0.0.1', port: Number(port), ca }, () => {
        const fingerprint = socket.getPeerX509Certificate()!.fingerprint256;
        socket.end();
        resolve(fingerprint);
      });
      socket.on('error', reject);
    });

  const waitForServed = async (file: string) => {
    const wanted = fingerprintOf(file);
    const deadline = Date.now() + 30_000;
    while ((await served()) !== wanted) {
      if (Date.now() > deadline) throw new Error(`the server still serves the old certificate, not ${file}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  /** A Connect call over https, trusting only the test CA. */
  const call = (token: string, method: string, body: unknown) =>
    new Promise<{ status: number; json: any }>((resolve, reject) => {
      const payload = JSON.stringify(body);
      const req = request(
        `${server.url}/api/gitpod.v1.${method}`,
        {
          method: 'POST',
          ca,
          agent: false,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
            authorization: `Bearer ${token}`,
          },
        },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => {
            text += chunk;
          });
          response.on('end', () => resolve({ status: response.statusCode ?? 0, json: JSON.parse(text) }));
        },
      );
      req.on('error', reject);
      req.end(payload);
    });

  const logged = (pattern: RegExp) => (server.output().match(pattern) ?? []).length;

  beforeAll(async () => {
    const certificates = await makeTestCertificates();
    root = certificates.dir;
    ca = readFileSync(certificates.caFile);
    mkdirSync(join(root, 'a'), { mode: 0o700 });
    install({ cert: join(root, 'server.pem'), key: join(root, 'server.key') }, join(root, 'a'));
    symlinkSync(join(root, 'a'), live());
    server = await startEnvid({
      args: [
        '--tls-cert',
        join(live(), 'cert.pem'),
        '--tls-key',
        join(live(), 'key.pem'),
        '--log-level',
        'info',
      ],
    });
  });
  afterAll(async () => {
    if (server) {
      expect(await server.stop()).toBe(0);
      removeDir(server.dataDir);
    }
    if (root) removeDir(root);
  });

  it('serves the API and an ID token over https, with an https issuer', async () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(await served()).toBe(fingerprintOf(join(root, 'server.pem')));
    const admin = server.adminToken;
    const organization = await call(admin, 'OrganizationService/CreateOrganization', { name: 'Acme' });
    const organizationId = organization.json.organization.id;
    const user = await call(admin, 'UserService/CreateUser', { email: 'ada@acme.example', name: 'Ada' });
    await call(admin, 'OrganizationService/AddMember', {
      organizationId,
      userId: user.json.user.id,
      role: 'ORGANIZATION_ROLE_ADMIN',
    });
    const pat = await call(admin, 'UserService/CreatePersonalAccessToken', {
      organizationId,
      userId: user.json.user.id,
      description: 'tls',
    });
    const answer = await call(pat.json.token, 'IdentityService/GetIDToken', { audience: ['sts.example'] });
    expect(answer.status).toBe(200);
    const claims = JSON.parse(Buffer.from(answer.json.token.split('.')[1], 'base64url').toString());
    expect(claims.iss).toBe(server.url);
  });

  it('serves a renewed certificate once its files are replaced, without a restart', async () => {
    const renewed = await issueServerCertificate(root, 'renewed');
    install(renewed, join(root, 'a'));
    await waitForServed(renewed.cert);
    expect(server.output()).toMatch(
      /tls: certificate reloaded.*file change|file change.*tls: certificate reloaded/,
    );
  });

  it('keeps the certificate in use when the new pair does not load, and says so', async () => {
    const before = await served();
    const refusals = logged(/new certificate refused/g);
    const other = await issueServerCertificate(root, 'other');
    // A certificate with the key of another: a half-finished renewal.
    install({ cert: other.cert, key: join(root, 'server.key') }, join(root, 'a'));
    await waitFor('the refusal to be logged', () => logged(/new certificate refused/g) > refusals);
    expect(server.output()).toMatch(/the key is not the private key of the certificate/);
    expect(await served()).toBe(before);
    // Nothing of the key is in the log.
    expect(server.output()).not.toContain(readFileSync(join(root, 'server.key'), 'utf8').split('\n')[1]);
    install(other, join(root, 'a'));
    await waitForServed(other.cert);
  });

  it('reloads on SIGHUP what no file watch can see (the directory link swapped)', async () => {
    const third = await issueServerCertificate(root, 'third');
    mkdirSync(join(root, 'b'), { mode: 0o700 });
    install(third, join(root, 'b'));
    // The watched directory is a's; the link is swapped in the parent, which nothing watches.
    symlinkSync(join(root, 'b'), join(root, 'current.new'));
    renameSync(join(root, 'current.new'), live());
    const reloads = logged(/SIGHUP.*certificate reloaded|certificate reloaded.*SIGHUP/g);
    expect(await served()).toBe(fingerprintOf(join(root, 'other.pem')));
    server.child.kill('SIGHUP');
    await waitForServed(third.cert);
    expect(logged(/SIGHUP.*certificate reloaded|certificate reloaded.*SIGHUP/g)).toBe(reloads + 1);
    // Again with nothing changed: said so, and still serving (SIGHUP no longer ends the process).
    server.child.kill('SIGHUP');
    await waitFor('the unchanged answer', () => logged(/tls: certificate unchanged/g) === 1);
    expect(await served()).toBe(fingerprintOf(third.cert));
    expect(server.child.exitCode).toBeNull();
  });

  it('refuses to start with a pair that does not match, naming the flags, and creates nothing', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'envid-tls-')), 'data');
    try {
      const result = await runCli(
        [
          'serve',
          '--port',
          '0',
          '--data-dir',
          dataDir,
          '--tls-cert',
          join(root, 'third.pem'),
          '--tls-key',
          join(root, 'server.key'),
        ],
        {},
      );
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        /--tls-cert and --tls-key .*the key is not the private key of the certificate/,
      );
      expect(() => readFileSync(join(dataDir, 'master-key'))).toThrow();
      const alone = await runCli(['serve', '--tls-cert', join(root, 'third.pem')], {});
      expect(alone.code).toBe(2);
      expect(alone.stderr).toContain('--tls-cert (ENVID_TLS_CERT): needs --tls-key (ENVID_TLS_KEY) too');
    } finally {
      removeDir(join(dataDir, '..'));
    }
  });
});
