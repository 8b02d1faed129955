import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  type AuthenticationConfiguration,
  type KubernetesApiStandIn,
  startKubernetesApiStandIn,
} from '../stand-ins/kubernetes-api.ts';
import { connectCall, setUpEnvironmentThroughApi } from '../support/api-setup.ts';
import { installEnvid } from '../support/envid-on-path.ts';
import { type EnvidProcess, removeDir, startEnvid } from '../support/envid-process.ts';
import { claimsOf } from '../support/jwt-parts.ts';
import { pathWithOnly } from '../support/program-path.ts';
import { runCli } from '../support/run-cli.ts';
import { makeTestCertificates, type TestCertificates } from '../support/test-ca.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

/**
 * `envid idp login kubernetes` end to end: the built CLI writes the kubeconfig, and the real kubectl
 * (v1.32, /usr/bin/kubectl on these machines; .ci/run fails without it) runs `kubectl auth whoami`
 * through the exec plugin against a stand-in API server that verifies envid's tokens as its
 * AuthenticationConfiguration says.
 */
describe('envid idp login kubernetes with the real kubectl against a Kubernetes API stand-in', () => {
  let server: EnvidProcess;
  let kube: KubernetesApiStandIn;
  let certificates: TestCertificates;
  let environmentToken: string;
  let environmentId: string;
  let organizationId: string;
  let projectId: string;
  let sub: string;
  const dir = mkdtempSync(join(tmpdir(), 'envid-kube-e2e-'));
  // kubectl (which fails the suite, never skips it, when it is not installed) and the installed envid.
  const PATH = [pathWithOnly(join(dir, 'programs'), ['kubectl']), installEnvid(dir)].join(delimiter);
  let homes = 0;

  const trust = (rules: AuthenticationConfiguration['jwt'][number]['claimValidationRules'] = []) =>
    ({
      apiVersion: 'apiserver.config.k8s.io/v1',
      kind: 'AuthenticationConfiguration',
      jwt: [
        {
          issuer: { url: server.url, audiences: ['kubernetes'] },
          claimValidationRules: [
            { claim: 'organization_id', requiredValue: organizationId },
            {
              expression: `claims.sub.startsWith("organization_id:${organizationId}:project_id:")`,
              message: 'only environments of a project',
            },
            ...rules,
          ],
          claimMappings: {
            username: { claim: 'sub', prefix: 'envid:' },
            groups: { expression: '["envid:project:" + claims.project_id]' },
            uid: { claim: 'environment_id' },
          },
          userValidationRules: [{ expression: "!user.username.startsWith('system:')" }],
        },
      ],
    }) satisfies AuthenticationConfiguration;

  const environment = (extra: NodeJS.ProcessEnv = {}) => {
    const HOME = join(dir, `home-${++homes}`);
    mkdirSync(HOME);
    return { HOME, PATH, ENVID_HOST: server.url, ENVID_TOKEN: environmentToken, ...extra };
  };
  const login = (env: NodeJS.ProcessEnv, ...args: string[]) =>
    runCli(
      ['idp', 'login', 'kubernetes', '--server', kube.url, '--ca-file', certificates.caFile, ...args],
      env,
    );
  const kubectl = (env: NodeJS.ProcessEnv, ...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile('kubectl', args, { env, timeout: 60_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
  const whoami = async (env: NodeJS.ProcessEnv) => {
    const result = await kubectl(env, 'auth', 'whoami', '-o', 'json');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout).status.userInfo as { username: string; groups: string[] };
  };
  /** The tokens the API server was sent since `from`, each once, in order. */
  const tokensSince = (from: number) => [
    ...new Set(kube.requests.slice(from).map((request) => request.token)),
  ];

  beforeAll(async () => {
    server = await startEnvid();
    ({ environmentToken, environmentId, organizationId, projectId } = await setUpEnvironmentThroughApi(
      server.url,
      server.adminToken,
    ));
    sub = `organization_id:${organizationId}:project_id:${projectId}`;
    certificates = await makeTestCertificates();
    kube = await startKubernetesApiStandIn({ tls: certificates, configuration: trust() });
  });

  afterAll(async () => {
    await kube?.close();
    if (server) {
      expect(await server.stop()).toBe(0);
      removeDir(server.dataDir);
    }
    if (certificates) removeDir(certificates.dir);
    removeDir(dir);
  });

  it('writes the kubeconfig (0600) and kubectl auth whoami shows the mapped user; the cached token serves kubectl', async () => {
    const env = environment();
    const result = await login(env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const path = join(env.HOME, '.kube', 'config');
    expect(result.stdout).toContain(
      `Kubernetes: ${kube.url} accepts the envid token as envid:${sub} (groups envid:project:${projectId}, system:authenticated).\n`,
    );
    expect(result.stdout).toContain(
      `Wrote context envid (cluster envid, user envid) to ${path} as the current context`,
    );
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(path)).mode & 0o777).toBe(0o700);
    const config = parseYaml(readFileSync(path, 'utf8'));
    expect(config['current-context']).toBe('envid');
    expect(config.users[0].user.exec).toMatchObject({
      apiVersion: 'client.authentication.k8s.io/v1',
      command: process.execPath,
      args: [
        join(dir, 'bin', 'envid'),
        'idp',
        'kubernetes-credential',
        '--host',
        server.url,
        '--audience',
        'kubernetes',
      ],
      interactiveMode: 'Never',
      provideClusterInfo: false,
    });
    const loginToken = kube.requests.at(-1)!.token!;

    const from = kube.requests.length;
    expect(await whoami(env)).toEqual({
      username: `envid:${sub}`,
      uid: environmentId,
      groups: [`envid:project:${projectId}`, 'system:authenticated'],
    });
    await whoami(env);
    // Both kubectl runs sent the token the login fetched and cached: the plugin asked envid for none.
    expect(tokensSince(from)).toEqual([loginToken]);
    const cacheDir = join(env.HOME, '.cache', 'envid', 'kubernetes');
    expect(statSync(cacheDir).mode & 0o777).toBe(0o700);
  });

  it('merges into an existing kubeconfig named by KUBECONFIG, keeping its other entries', async () => {
    const env = environment();
    const path = join(env.HOME, 'configs', 'kubeconfig.yaml');
    mkdirSync(dirname(path));
    writeFileSync(
      path,
      'apiVersion: v1\nkind: Config\nclusters:\n- name: prod\n  cluster:\n    server: https://prod.example:6443\n' +
        'users:\n- name: admin\n  user:\n    token: keep-me\ncontexts:\n- name: prod\n  context:\n    cluster: prod\n    user: admin\n' +
        'current-context: prod\n',
    );
    const result = await login(
      { ...env, KUBECONFIG: `${path}${delimiter}${join(env.HOME, 'absent')}` },
      '--context',
      'dev',
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`to ${path} and made it current (it was prod)`);
    const config = parseYaml(readFileSync(path, 'utf8'));
    expect(config.clusters.map((entry: { name: string }) => entry.name)).toEqual(['prod', 'dev']);
    expect(config.users[0]).toEqual({ name: 'admin', user: { token: 'keep-me' } });
    expect(config.contexts[1]).toEqual({ name: 'dev', context: { cluster: 'dev', user: 'dev' } });
    expect((await whoami({ ...env, KUBECONFIG: path })).username).toBe(`envid:${sub}`);
  });

  it('kubectl gets a fresh token once the cached one may no longer be reused', async () => {
    // Test time scale 15: a 60 s token is reused for 3 s instead of 45 s (src/shared/test-time-scale.ts).
    const env = environment({ ENVID_CLI_TEST_TIME_SCALE: '15' });
    expect((await login(env, '--lifetime', '60s')).code).toBe(0);
    const first = kube.requests.at(-1)!.token!;
    expect(claimsOf(first).exp - claimsOf(first).iat).toBe(60);
    const from = kube.requests.length;
    let tokens: (string | undefined)[] = [];
    // Polls: each kubectl run either reuses the first token or, once it may not be reused, gets another.
    for (let attempt = 0; attempt < 100 && tokens.length === 0; attempt++) {
      expect((await whoami(env)).username).toBe(`envid:${sub}`);
      tokens = tokensSince(from).filter((token) => token !== first);
    }
    expect(tokens).toHaveLength(1);
    // The fresh token is cached in turn: the next run reuses it.
    await whoami(env);
    expect(kube.requests.at(-1)!.token).toBe(tokens[0]);
    expect(claimsOf(tokens[0]!).jti).not.toBe(claimsOf(first).jti);
    expect(claimsOf(tokens[0]!).exp - claimsOf(tokens[0]!).iat).toBe(60);
  });

  it('a wrong audience: the login explains the 401, and kubectl answers Unauthorized', async () => {
    const env = environment();
    const before = kube.log.length;
    const result = await login(env, '--audience', 'another-cluster');
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      `envid: Kubernetes (${kube.url}) refused the exchange: HTTP 401 Unauthorized: no authenticator`,
    );
    expect(result.stderr).toContain(`  token:    iss ${server.url}  sub ${sub}  aud another-cluster`);
    expect(result.stderr).toContain('issuer.audiences must include another-cluster');
    expect(result.stderr).toContain('noticed:  the issuer');
    expect(kube.log.slice(before)).toEqual([expect.stringContaining('expected audience in ["kubernetes"]')]);
    // The kubeconfig is written all the same (once the trust is fixed, kubectl works without a login).
    const refused = await kubectl(env, 'auth', 'whoami');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('error: You must be logged in to the server (Unauthorized)');
  });

  it('a CEL claim validation rule that fails: the login explains the 401, and kubectl answers Unauthorized', async () => {
    const env = environment();
    expect((await login(env)).code).toBe(0);
    kube.configure(
      trust([{ expression: 'claims.environment_id == "another"', message: 'only environment another' }]),
    );
    try {
      const before = kube.log.length;
      const refused = await kubectl(env, 'auth', 'whoami');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('You must be logged in to the server (Unauthorized)');
      expect(kube.log.slice(before)[0]).toContain('only environment another');
      const result = await login(env);
      expect(result.code).toBe(3);
      expect(result.stderr).toContain('HTTP 401 Unauthorized');
      expect(result.stderr).toContain('claimValidationRules must all hold');
    } finally {
      kube.configure(trust());
    }
  });

  it('the stand-in follows the JWT authenticator’s documented rules, case by case', async () => {
    const { token } = await connectCall(server.url, environmentToken, 'IdentityService/GetIDToken', {
      audience: ['kubernetes'],
    });
    const base = trust();
    const authenticator = base.jwt[0]!;
    const cases: [string, AuthenticationConfiguration['jwt'][number], number][] = [
      ['the documented set-up', authenticator, 201],
      [
        'an issuer with a trailing slash (iss is compared byte for byte)',
        { ...authenticator, issuer: { ...authenticator.issuer, url: `${server.url}/` } },
        401,
      ],
      [
        'another audience',
        { ...authenticator, issuer: { ...authenticator.issuer, audiences: ['other'] } },
        401,
      ],
      [
        'one of two audiences (MatchAny)',
        {
          ...authenticator,
          issuer: {
            ...authenticator.issuer,
            audiences: ['other', 'kubernetes'],
            audienceMatchPolicy: 'MatchAny',
          },
        },
        201,
      ],
      [
        'a requiredValue of another organization',
        { ...authenticator, claimValidationRules: [{ claim: 'organization_id', requiredValue: 'another' }] },
        401,
      ],
      [
        'a requiredValue on a claim the token lacks',
        { ...authenticator, claimValidationRules: [{ claim: 'hd', requiredValue: 'x' }] },
        401,
      ],
      [
        'a CEL rule that holds',
        { ...authenticator, claimValidationRules: [{ expression: 'claims.exp - claims.nbf <= 86400' }] },
        201,
      ],
      [
        'a CEL rule on a missing claim (an error, not true)',
        { ...authenticator, claimValidationRules: [{ expression: 'claims.hd == "x"' }] },
        401,
      ],
      [
        'a username claim the token lacks',
        { ...authenticator, claimMappings: { username: { claim: 'email', prefix: '' } } },
        401,
      ],
      [
        'a username mapped by CEL',
        { ...authenticator, claimMappings: { username: { expression: '"env:" + claims.environment_id' } } },
        201,
      ],
      [
        'a user validation rule that fails',
        {
          ...authenticator,
          claimMappings: { username: { expression: '"system:" + claims.environment_id' } },
        },
        401,
      ],
    ];
    const statuses: [string, number][] = [];
    for (const [name, candidate] of cases) {
      kube.configure({ ...base, jwt: [candidate] });
      statuses.push([name, await reviewStatus(kube.url, token, certificates.caFile)]);
    }
    kube.configure(base);
    expect(statuses).toEqual(cases.map(([name, , expected]) => [name, expected]));
    // What the API server refuses when it loads the file.
    const invalid: [AuthenticationConfiguration['jwt'][number], string][] = [
      [{ ...authenticator, issuer: { url: server.url, audiences: ['a', 'b'] } }, 'must be MatchAny'],
      [
        { ...authenticator, claimMappings: { username: { claim: 'sub' } } },
        'prefix: required when claim is set',
      ],
      [{ ...authenticator, claimValidationRules: [{ expression: 'claims.?hd' }] }, 'compilation failed'],
    ];
    for (const [candidate, message] of invalid) {
      expect(() => kube.configure({ ...base, jwt: [candidate] })).toThrow(message);
    }
  });

  it('refuses bad input before anything is written, naming the flag', async () => {
    const env = environment();
    const missing = await runCli(['idp', 'login', 'kubernetes'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('missing --server (or the environment variable IDP_KUBERNETES_SERVER)');
    const invalid = await login(env, '--context', 'a b');
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('invalid --context: expected a name of letters');
    const noCa = await runCli(
      ['idp', 'login', 'kubernetes', '--server', kube.url, '--ca-file', join(dir, 'none.pem')],
      env,
    );
    expect(noCa.code).toBe(2);
    expect(noCa.stderr).toContain(`cannot read --ca-file ${join(dir, 'none.pem')}`);
    expect(() => statSync(join(env.HOME, '.kube'))).toThrow();
  });

  it('without the cluster’s CA the API server cannot be trusted: exit 5, naming --ca-file', async () => {
    const env = environment();
    const result = await runCli(['idp', 'login', 'kubernetes', '--server', kube.url], env);
    expect(result.code).toBe(5);
    expect(result.stderr).toContain(`cannot reach the Kubernetes API server at ${kube.url}`);
    expect(result.stderr).toContain("pass the cluster's CA with --ca-file");
  });

  it('the cached answer asks envid for nothing: its audit log records no token for kubectl’s runs', async () => {
    const env = environment();
    expect((await login(env)).code).toBe(0);
    const issued = async () => {
      const { events } = await connectCall(server.url, server.adminToken, 'AuditService/ListAuditEvents', {
        organizationId,
        filter: { kinds: ['token.issued'], principalId: environmentId },
        pagination: { pageSize: 100 },
      });
      return events.length as number;
    };
    const before = await issued();
    for (let run = 0; run < 3; run++) expect((await whoami(env)).username).toBe(`envid:${sub}`);
    expect(await issued()).toBe(before);

    // And loads nothing but its own small bundle: no CLI, no package (the fast path, decision 0160).
    const log = join(env.HOME, 'modules.log');
    const hook = join(import.meta.dirname, '../support/module-log.mjs');
    const answer = await runCli(
      ['idp', 'kubernetes-credential', '--host', server.url, '--audience', 'kubernetes'],
      { ...env, ENVID_MODULE_LOG: log },
      {
        nodeArgs: ['--import', hook],
      },
    );
    expect(answer.stderr).toBe('');
    expect(JSON.parse(answer.stdout)).toMatchObject({
      kind: 'ExecCredential',
      apiVersion: 'client.authentication.k8s.io/v1',
    });
    const urls = readFileSync(log, 'utf8').trim().split('\n');
    expect([
      ...new Set(urls.filter((url) => url.includes('/dist/')).map((url) => url.replace(/^.*\/dist\//, ''))),
    ]).toEqual(['kubernetes-credential.cjs']);
    expect(urls.filter((url) => url.includes('/node_modules/'))).toEqual([]);
  });
});

/** The status a SelfSubjectReview with `token` gets from the stand-in (https with the test CA). */
function reviewStatus(url: string, token: string, caFile: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' });
    const sent = httpsRequest(
      `${url}/apis/authentication.k8s.io/v1/selfsubjectreviews`,
      {
        method: 'POST',
        ca: readFileSync(caFile),
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    sent.on('error', reject);
    sent.end(body);
  });
}
