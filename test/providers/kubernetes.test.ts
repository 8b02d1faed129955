import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseKubernetesCredentialArgsFast } from '../../src/cli/idp/kubernetes-credential-fast.ts';
import {
  cacheCredential,
  cachedExecCredential,
  credentialCachePath,
  freshCacheEntry,
  reuseUntilMs,
} from '../../src/relying-parties/kubernetes/exec-credential.ts';
import {
  type KubeconfigEntries,
  kubeconfigPath,
  mergeKubeconfig,
} from '../../src/relying-parties/kubernetes/kubeconfig.ts';
import {
  kubernetesTokenProblems,
  parseApiServerUrl,
  parseKubeconfigName,
} from '../../src/relying-parties/kubernetes/rules.ts';
import { jwtPart } from '../support/jwt-parts.ts';
import { thrown } from '../support/thrown.ts';

const message = (run: () => unknown) => thrown(run, Error).message;

const dir = mkdtempSync(join(tmpdir(), 'envid-kube-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const jwt = (header: object, claims: object) => `${jwtPart(header)}.${jwtPart(claims)}.c2ln`;

describe('Kubernetes rules', () => {
  it('takes the API server URL without a trailing slash, and refuses what kubeconfig cannot hold', () => {
    expect(parseApiServerUrl(' https://kube.example.com:6443/ ')).toBe('https://kube.example.com:6443');
    expect(message(() => parseApiServerUrl('kube.example.com'))).toContain('expected the API server');
    expect(message(() => parseApiServerUrl('ftp://kube'))).toContain('the scheme must be https');
    expect(message(() => parseApiServerUrl('https://kube/?a=1'))).toContain('without query');
  });

  it('takes kubeconfig names kubectl commands can name', () => {
    expect(parseKubeconfigName('dev-1.acme@eu')).toBe('dev-1.acme@eu');
    for (const bad of ['', 'a b', 'a/b', '-x', 'x'.repeat(254)]) {
      expect(message(() => parseKubeconfigName(bad))).toContain('expected a name of letters');
    }
  });

  it('names what the JWT authenticator refuses in any token', () => {
    const now = 1_800_000_000;
    expect(
      kubernetesTokenProblems(jwt({ alg: 'RS256' }, { iss: 'https://envid.example', exp: now })),
    ).toEqual([]);
    expect(kubernetesTokenProblems(jwt({ alg: 'HS256' }, { iss: 'http://envid.example' }))).toEqual([
      expect.stringContaining('signed with HS256'),
      expect.stringContaining('is not https'),
      'the token has no exp, which the API server requires',
    ]);
  });
});

describe('the exec plugin’s cache', () => {
  const connection = { host: 'https://envid.example', token: 'envid_et_one', tokenSource: 'ENVID_TOKEN' };
  const token = (iat: number, exp: number) => jwt({ alg: 'RS256' }, { iat, exp });

  it('reuses a token until a quarter of its lifetime (at most 5 minutes) is left; the test scale divides that', () => {
    expect(reuseUntilMs({ iat: 1000, exp: 4600 }, 0, {})).toBe(4300_000);
    expect(reuseUntilMs({ iat: 1000, exp: 1060 }, 0, {})).toBe(1045_000);
    expect(reuseUntilMs({ iat: 1000, exp: 1060 }, 0, { ENVID_CLI_TEST_TIME_SCALE: '15' })).toBe(1003_000);
  });

  it('answers the cached ExecCredential for the same server, credential and audience until then; 0600 in 0700', async () => {
    const env = { HOME: join(dir, 'home-cache') };
    const now = Math.floor(Date.now() / 1000);
    const entry = freshCacheEntry({ connection, token: token(now, now + 3600) }, 'kubernetes', env);
    await cacheCredential(env, entry);
    const path = credentialCachePath(env, connection.host, 'kubernetes');
    expect(path.startsWith(join(env.HOME, '.cache', 'envid', 'kubernetes'))).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(path, '..')).mode & 0o777).toBe(0o700);
    const answer = cachedExecCredential(env, connection, 'kubernetes', Date.now());
    expect(JSON.parse(answer!)).toEqual({
      apiVersion: 'client.authentication.k8s.io/v1',
      kind: 'ExecCredential',
      status: {
        token: entry.token,
        expirationTimestamp: new Date((now + 3300) * 1000).toISOString().replace('.000Z', 'Z'),
      },
    });
    // Another credential, another audience, or past the reuse time: no answer (the plugin fetches one).
    expect(
      cachedExecCredential(env, { ...connection, token: 'envid_et_two' }, 'kubernetes', Date.now()),
    ).toBeUndefined();
    expect(cachedExecCredential(env, connection, 'other', Date.now())).toBeUndefined();
    expect(cachedExecCredential(env, connection, 'kubernetes', (now + 3301) * 1000)).toBeUndefined();
    writeFileSync(path, 'not json');
    expect(cachedExecCredential(env, connection, 'kubernetes', Date.now())).toBeUndefined();
  });
});

describe('the kubeconfig', () => {
  const entries: KubeconfigEntries = {
    cluster: 'envid',
    user: 'envid',
    context: 'envid',
    server: 'https://kube.example.com:6443',
    certificateAuthority: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
    command: '/usr/bin/node',
    args: ['/usr/local/bin/envid', 'idp', 'kubernetes-credential', '--audience', 'kubernetes'],
  };

  it('is the first existing file of KUBECONFIG, else its last, else ~/.kube/config', () => {
    const existing = join(dir, 'exists.yaml');
    writeFileSync(existing, '');
    expect(kubeconfigPath({ HOME: '/home/a' })).toBe('/home/a/.kube/config');
    expect(kubeconfigPath({ KUBECONFIG: `/none/a:${existing}:/none/b` })).toBe(existing);
    expect(kubeconfigPath({ KUBECONFIG: '/none/a:/none/b' })).toBe('/none/b');
  });

  it('replaces its own entries, keeps the others, and makes its context current', () => {
    const before =
      'apiVersion: v1\nkind: Config\nclusters:\n- name: envid\n  cluster: {server: https://old}\n- name: prod\n  cluster: {server: https://prod}\n' +
      'users: []\ncontexts: []\ncurrent-context: prod\npreferences: {colors: true}\n';
    const { text, previousContext } = mergeKubeconfig(before, entries, 'config');
    expect(previousContext).toBe('prod');
    const config = parse(text);
    expect(config.clusters).toEqual([
      { name: 'prod', cluster: { server: 'https://prod' } },
      {
        name: 'envid',
        cluster: {
          server: entries.server,
          'certificate-authority-data': Buffer.from(entries.certificateAuthority!).toString('base64'),
        },
      },
    ]);
    expect(config.users[0].user.exec).toMatchObject({ command: '/usr/bin/node', interactiveMode: 'Never' });
    expect(config.contexts).toEqual([{ name: 'envid', context: { cluster: 'envid', user: 'envid' } }]);
    expect(config['current-context']).toBe('envid');
    expect(config.preferences).toEqual({ colors: true });
  });

  it('refuses a file that is not a kubeconfig, naming it', () => {
    expect(message(() => mergeKubeconfig('a: [', entries, '/k/config'))).toContain(
      '/k/config is not valid YAML',
    );
    expect(message(() => mergeKubeconfig('- a', entries, '/k/config'))).toContain(
      '/k/config is not a kubeconfig',
    );
    expect(message(() => mergeKubeconfig('clusters: {}', entries, '/k/config'))).toContain(
      '/k/config: clusters is not a list',
    );
  });
});

describe('the plugin’s fast path (no commander)', () => {
  it('takes exactly the flags the command declares; anything else is left to the full CLI', () => {
    expect(
      parseKubernetesCredentialArgsFast([
        '--host',
        'https://envid.example',
        '--audience=k8s',
        '--lifetime',
        '60s',
      ]),
    ).toEqual({ host: 'https://envid.example', audience: 'k8s', lifetime: '60s' });
    expect(parseKubernetesCredentialArgsFast([])).toEqual({});
    for (const args of [['--help'], ['--audience'], ['--role', 'x'], ['extra']]) {
      expect(parseKubernetesCredentialArgsFast(args)).toBeUndefined();
    }
  });
});
