import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  oidcProviderFromInput,
  roleFromTrustPolicy,
  type StsStandIn,
  startStsStandIn,
} from '../stand-ins/aws-sts.ts';
import { type EntraStandIn, startEntraStandIn } from '../stand-ins/azure-entra.ts';
import {
  type GoogleStsStandIn,
  providerFromDocument,
  startGoogleStsStandIn,
} from '../stand-ins/google-sts.ts';
import { startKubernetesApiStandIn } from '../stand-ins/kubernetes-api.ts';
import { startVaultStandIn, type VaultStandIn } from '../stand-ins/vault-jwt.ts';
import {
  addProjectEnvironmentThroughApi,
  connectCall,
  setUpEnvironmentThroughApi,
} from '../support/api-setup.ts';
import { type EnvidProcess, removeDir, startEnvid } from '../support/envid-process.ts';
import { runCli } from '../support/run-cli.ts';
import { makeTestCertificates, type TestCertificates } from '../support/test-ca.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

/**
 * `envid idp trust <provider>` through the built CLI against a real server: what it prints, loaded into
 * each provider's stand-in as the provider's own documents, accepts a token of the scope and refuses a
 * token of another project.
 */
describe('envid idp trust', () => {
  let server: EnvidProcess;
  let setup: Awaited<ReturnType<typeof setUpEnvironmentThroughApi>>;
  /** An environment of a second project of the same organization. */
  let otherToken: string;
  let otherProjectId: string;
  let certificates: TestCertificates;
  const closers: (() => Promise<void>)[] = [];

  const trust = (args: string[], token = setup.pat) =>
    runCli(['idp', 'trust', ...args], { HOME: '/nonexistent', ENVID_HOST: server.url, ENVID_TOKEN: token });
  const envelopeOf = async (args: string[], token?: string) => {
    const result = await trust(args, token);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout);
  };
  const idToken = async (credential: string, audience: string) =>
    (await connectCall(server.url, credential, 'IdentityService/GetIDToken', { audience: [audience] }))
      .token as string;
  const projectScope = () => `project:${setup.projectId}`;
  /** Runs `body` while the organization's sub carries `fields`, then restores the default configuration. */
  const withExtraSubFields = async (fields: string[], body: () => Promise<void>) => {
    const set = (extraSubFields: string[]) =>
      connectCall(server.url, setup.pat, 'OrganizationService/UpdateOIDCConfig', {
        organizationId: setup.organizationId,
        oidcConfig: { v3: { extraSubFields } },
        confirmSubChange: true,
      });
    await set(fields);
    try {
      await body();
    } finally {
      await set([]);
    }
  };
  /** Google STS token exchange of a fresh token of `credential` for `audience`, as the client libraries send it. */
  const googleExchange = async (google: GoogleStsStandIn, audience: string, credential: string) => {
    const response = await fetch(google.tokenUrl, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        audience,
        scope: 'https://www.googleapis.com/auth/cloud-platform',
        requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        subject_token: await idToken(credential, audience),
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, string> };
  };
  /** STS AssumeRoleWithWebIdentity with a fresh token of `credential`, as the AWS SDKs send it. */
  const assumeRole = async (sts: StsStandIn, arn: string, credential: string) => {
    const form = new URLSearchParams({
      Action: 'AssumeRoleWithWebIdentity',
      Version: '2011-06-15',
      RoleArn: arn,
      RoleSessionName: 'trust-test',
      WebIdentityToken: await idToken(credential, 'sts.amazonaws.com'),
    });
    const response = await fetch(sts.url, { method: 'POST', body: form });
    return { status: response.status, body: await response.text() };
  };

  beforeAll(async () => {
    server = await startEnvid();
    setup = await setUpEnvironmentThroughApi(server.url, server.adminToken);
    ({ projectId: otherProjectId, environmentToken: otherToken } = await addProjectEnvironmentThroughApi(
      server.url,
      setup,
    ));
    certificates = await makeTestCertificates();
  });

  afterAll(async () => {
    for (const close of closers) await close();
    if (server) {
      expect(await server.stop()).toBe(0);
      removeDir(server.dataDir);
    }
    if (certificates) removeDir(certificates.dir);
  });

  it('AWS: the OIDC provider and trust policy let the project’s environment assume the role, not another project’s', async () => {
    const envelope = await envelopeOf([
      'aws',
      '--scope',
      projectScope(),
      '--account-id',
      '123456789012',
      '--role-name',
      'dev',
    ]);
    const sub = `organization_id:${setup.organizationId}:project_id:${setup.projectId}`;
    expect(envelope).toMatchObject({
      relyingParty: 'aws',
      issuer: server.url,
      audience: 'sts.amazonaws.com',
      subject: sub,
    });
    const provider = server.url.replace(/^http:\/\//, '');
    expect(envelope.documents.trustPolicy.Statement[0].Condition).toEqual({
      StringEquals: { [`${provider}:aud`]: 'sts.amazonaws.com', [`${provider}:sub`]: sub },
    });
    // The test server's issuer has a port, which IAM does not take: the envelope says so.
    expect(envelope.warnings.join('\n')).toMatch(/has a port: AWS IAM takes no port/);
    const providers = [oidcProviderFromInput(envelope.documents.openIdConnectProvider)];
    const arn = 'arn:aws:iam::123456789012:role/dev';
    const sts: StsStandIn = await startStsStandIn({
      providers,
      roles: [roleFromTrustPolicy(arn, envelope.documents.trustPolicy, providers)],
    });
    closers.push(sts.close);
    const assume = (credential: string) => assumeRole(sts, arn, credential);
    expect((await assume(setup.environmentToken)).status).toBe(200);
    const refused = await assume(otherToken);
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('<Code>AccessDenied</Code>');
  });

  it('AWS, organization-wide: StringLike on the organization prefix admits every principal of it', async () => {
    const envelope = await envelopeOf(['aws', '--scope', 'organization', '--account-id', '123456789012']);
    const prefix = `organization_id:${setup.organizationId}`;
    expect(envelope.subjectPrefix).toBe(prefix);
    const provider = server.url.replace(/^http:\/\//, '');
    expect(envelope.documents.trustPolicy.Statement[0].Condition.StringLike).toEqual({
      [`${provider}:sub`]: [prefix, `${prefix}:*`],
    });
    const providers = [oidcProviderFromInput(envelope.documents.openIdConnectProvider)];
    const arn = `arn:aws:iam::123456789012:role/${envelope.commands[1].match(/--role-name '([^']+)'/)[1]}`;
    const sts = await startStsStandIn({
      providers,
      roles: [roleFromTrustPolicy(arn, envelope.documents.trustPolicy, providers)],
    });
    closers.push(sts.close);
    for (const credential of [setup.environmentToken, otherToken, setup.pat]) {
      expect((await assumeRole(sts, arn, credential)).status).toBe(200);
    }
  });

  it('Azure: the federated credential admits the project’s environment; another project gets AADSTS700213', async () => {
    const envelope = await envelopeOf([
      'azure',
      '--scope',
      projectScope(),
      '--app-id',
      '11111111-2222-3333-4444-555555555555',
    ]);
    const [credential] = envelope.documents.federatedCredentials;
    expect(credential).toMatchObject({
      issuer: server.url,
      subject: `organization_id:${setup.organizationId}:project_id:${setup.projectId}`,
      audiences: ['api://AzureADTokenExchange'],
    });
    expect(credential.name).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]{2,119}$/);
    expect(envelope.commands[0]).toContain(
      "az ad app federated-credential create --id '11111111-2222-3333-4444-555555555555' --parameters",
    );
    const tenant = '66666666-7777-8888-9999-000000000000';
    const appId = '11111111-2222-3333-4444-555555555555';
    const entra: EntraStandIn = await startEntraStandIn(certificates, [
      {
        tenantId: tenant,
        appId,
        objectId: 'aaaaaaaa-2222-3333-4444-555555555555',
        federatedCredentials: envelope.documents.federatedCredentials,
      },
    ]);
    closers.push(entra.close);
    const exchange = async (token: string) =>
      postForm(`${entra.url}/${tenant}/oauth2/v2.0/token`, certificates.caFile, {
        client_id: appId,
        scope: 'https://management.azure.com/.default',
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: await idToken(token, 'api://AzureADTokenExchange'),
      });
    expect((await exchange(setup.environmentToken)).status).toBe(200);
    const refused = await exchange(otherToken);
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.body).error_codes).toEqual([700213]);
  });

  it('Google: the pool provider’s mapping and condition admit the project’s environment only', async () => {
    const envelope = await envelopeOf([
      'gcp',
      '--scope',
      projectScope(),
      '--project-number',
      '123456789012',
      '--service-account',
      'deploy@my-project.iam.gserviceaccount.com',
    ]);
    const { provider } = envelope.documents;
    expect(provider).toMatchObject({
      name: 'projects/123456789012/locations/global/workloadIdentityPools/envid/providers/envid',
      attributeMapping: { 'google.subject': 'assertion.sub' },
      oidc: { issuerUri: server.url },
    });
    const google: GoogleStsStandIn = await startGoogleStsStandIn();
    closers.push(google.close);
    google.providers.set(provider.name, providerFromDocument(provider));
    const binding = envelope.documents.serviceAccountBinding;
    google.serviceAccounts.set(binding.serviceAccount, {
      email: binding.serviceAccount,
      workloadIdentityUsers: binding.members,
    });
    const exchange = (credential: string) => googleExchange(google, envelope.audience, credential);
    const accepted = await exchange(setup.environmentToken);
    expect(accepted.status).toBe(200);
    const impersonated = await fetch(
      `${google.url}/v1/projects/-/serviceAccounts/${binding.serviceAccount}:generateAccessToken`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${accepted.body['access_token']}` },
        body: JSON.stringify({ scope: ['https://www.googleapis.com/auth/cloud-platform'] }),
      },
    );
    expect(impersonated.status).toBe(200);
    const refused = await exchange(otherToken);
    expect(refused).toEqual({ status: 400, body: expect.objectContaining({ error: 'unauthorized_client' }) });
  });

  it('Google, past 127 bytes: the proposed google.subject mapping fits, where assertion.sub is refused', async () => {
    await withExtraSubFields(['environment_initializers.git.remote_uri'], async () => {
      const envelope = await envelopeOf([
        'gcp',
        '--scope',
        projectScope(),
        '--project-number',
        '123456789012',
      ]);
      expect(envelope.warnings[0]).toMatch(/longer than 127 bytes, which google.subject cannot hold/);
      const { provider } = envelope.documents;
      expect(provider.attributeMapping['google.subject']).not.toBe('assertion.sub');
      const google = await startGoogleStsStandIn();
      closers.push(google.close);
      const exchange = (credential: string) => googleExchange(google, envelope.audience, credential);
      google.providers.set(provider.name, providerFromDocument(provider));
      expect((await exchange(setup.environmentToken)).status).toBe(200);
      expect(google.issued[0]!.principal).toMatch(
        new RegExp(`/subject/organization_id:${setup.organizationId}:project_id:${setup.projectId}$`),
      );
      expect((await exchange(otherToken)).body['error']).toBe('unauthorized_client');
      // The same provider mapping the whole sub is refused by Google's limit.
      google.providers.set(
        provider.name,
        providerFromDocument({ ...provider, attributeMapping: { 'google.subject': 'assertion.sub' } }),
      );
      expect((await exchange(setup.environmentToken)).body['error_description']).toMatch(
        /exceeds the 127 bytes limit/,
      );
    });
  });

  it('Vault: the config and role (glob on the project prefix) log the project’s environment in, not another’s', async () => {
    await withExtraSubFields(['environment_id'], async () => {
      const envelope = await envelopeOf([
        'vault',
        '--scope',
        projectScope(),
        '--role',
        'dev',
        '--policy',
        'dev-read',
      ]);
      const prefix = `organization_id:${setup.organizationId}:project_id:${setup.projectId}`;
      expect(envelope.subjectPrefix).toBe(prefix);
      expect(envelope.documents.role).toMatchObject({
        bound_claims_type: 'glob',
        bound_claims: { sub: [prefix, `${prefix}:*`] },
        user_claim: 'sub',
        bound_audiences: ['vault.hashicorp.com'],
      });
      const vault: VaultStandIn = await startVaultStandIn();
      closers.push(vault.close);
      const { name, ...role } = envelope.documents.role;
      vault.mounts.set('jwt', {
        oidcDiscoveryUrl: envelope.documents.config.oidc_discovery_url,
        roles: { [name]: role },
      });
      const login = async (credential: string) => {
        const response = await fetch(`${vault.url}/v1/auth/jwt/login`, {
          method: 'POST',
          body: JSON.stringify({ role: 'dev', jwt: await idToken(credential, 'vault.hashicorp.com') }),
        });
        return { status: response.status, body: (await response.json()) as any };
      };
      const accepted = await login(setup.environmentToken);
      expect(accepted.status).toBe(200);
      expect(accepted.body.auth.policies).toEqual(['default', 'dev-read']);
      expect(await login(otherToken)).toEqual({
        status: 400,
        body: {
          errors: ['error validating claims: claim "sub" does not match any associated bound claim values'],
        },
      });
    });
  });

  it('Kubernetes: the AuthenticationConfiguration admits the project’s environment as envid:<sub>, not another project’s; idp check agrees', async () => {
    const envelope = await envelopeOf(['kubernetes', '--scope', projectScope(), '--cluster-role', 'edit']);
    const sub: string = `organization_id:${setup.organizationId}:project_id:${setup.projectId}`;
    expect(envelope.documents.clusterRoleBinding).toMatchObject({
      roleRef: { kind: 'ClusterRole', name: 'edit' },
      // The default configuration gives every token of the project the same sub: one user.
      subjects: [{ kind: 'User', name: `envid:${sub}` }],
    });
    const cluster = await startKubernetesApiStandIn({
      configuration: envelope.documents.authenticationConfiguration,
    });
    closers.push(cluster.close);
    const review = async (token: string) => {
      const response = await fetch(`${cluster.url}/apis/authentication.k8s.io/v1/selfsubjectreviews`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
      });
      return { status: response.status, body: (await response.json()) as any };
    };
    const ours = await idToken(setup.environmentToken, 'kubernetes');
    const theirs = await idToken(otherToken, 'kubernetes');
    const accepted = await review(ours);
    expect(accepted.status).toBe(201);
    expect(accepted.body.status.userInfo).toMatchObject({
      username: `envid:${sub}`,
      groups: expect.arrayContaining([`envid:project:${setup.projectId}`]),
    });
    expect((await review(theirs)).status).toBe(401);

    // The check reads the same envelope and answers as the API server did, for both tokens.
    const dir = mkdtempSync(join(tmpdir(), 'envid-trust-kubernetes-'));
    try {
      const config = join(dir, 'trust.json');
      writeFileSync(config, JSON.stringify(envelope));
      const check = (token: string) =>
        runCli(['idp', 'check', 'kubernetes', '--config', config, '--token-file', '-'], {}, { input: token });
      const ok = await check(ours);
      expect(ok.stdout).toMatch(/^accepted: /);
      expect(ok.code).toBe(0);
      const refused = await check(theirs);
      expect(refused.stdout).toMatch(/^refused: /);
      expect(refused.code).toBe(3);
    } finally {
      removeDir(dir);
    }
  });

  it('scope self is the credential’s own sub; the commands alone go to stdout', async () => {
    const envelope = await envelopeOf(['vault', '--scope', 'self'], setup.environmentToken);
    expect(envelope.subject).toBe(`organization_id:${setup.organizationId}:project_id:${setup.projectId}`);
    const result = await trust(['aws', '--commands'], setup.pat);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe(
      `aws iam create-open-id-connect-provider --url '${server.url}' --client-id-list 'sts.amazonaws.com'`,
    );
    expect(result.stdout).toContain(
      `"${server.url.replace(/^http:\/\//, '')}:sub":"organization_id:${setup.organizationId}:user_id:${setup.userId}"`,
    );
    expect(result.stderr).toContain('envid: replace <ACCOUNT_ID>');
  });

  it('refuses a bad scope or setting with what is allowed, an unknown project as not found', async () => {
    const cases: [string[], string | undefined, number, RegExp][] = [
      [
        ['aws', '--scope', 'team:x'],
        undefined,
        2,
        /--scope: "team:x" is not a scope; use self \(this credential’s principal\), organization, project:<id>/,
      ],
      [['aws', '--scope', 'project:nope'], undefined, 2, /--scope: "nope" is not a project ID/],
      [['aws', '--account-id', '12'], undefined, 2, /--account-id: "12" is not an AWS account ID: 12 digits/],
      [['azure', '--name', 'a b'], undefined, 2, /--name: "a b" is not a valid federated credential name/],
      [
        ['aws', '--scope', `project:${otherProjectId.replace(/^./, otherProjectId[0] === 'a' ? 'b' : 'a')}`],
        undefined,
        4,
        /not_found: project .* not found/,
      ],
      [
        ['aws', '--scope', projectScope()],
        setup.environmentToken,
        3,
        /may plan only its own trust \(scope self\)/,
      ],
      [['openstack'], undefined, 2, /unknown command .openstack.|unknown provider "openstack"/],
    ];
    for (const [args, token, code, message] of cases) {
      const result = await trust(args, token);
      expect({ args, code: result.code, stderr: result.stderr }).toEqual({
        args,
        code,
        stderr: expect.stringMatching(message),
      });
    }
  });
});

/** A form POST over https trusting the test CA (fetch cannot be given a CA). */
function postForm(
  url: string,
  caFile: string,
  form: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const body = new URLSearchParams(form).toString();
    const req = request(
      url,
      {
        method: 'POST',
        ca: readFileSync(caFile),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
