import { type CelInput, run } from '@bufbuild/cel';
import { describe, expect, it } from 'vitest';
import type { OidcConfig } from '../../src/core/domain/oidc-config.ts';
import { subjectSub } from '../../src/core/tokens/compose-sub.ts';
import type { TokenSubject } from '../../src/core/tokens/token-subject.ts';
import { scopeSubject, type TrustScope } from '../../src/core/tokens/trust-scope.ts';
import { renderAwsTrust } from '../../src/relying-parties/aws/trust.ts';
import { planAzureTrust } from '../../src/relying-parties/azure/trust-plan.ts';
import { planGoogleTrust } from '../../src/relying-parties/gcp/trust-plan.ts';
import { renderKubernetesTrust } from '../../src/relying-parties/kubernetes/trust.ts';
import type { ScopeData, TrustPlan } from '../../src/relying-parties/trust-plan.ts';
import { orgId, project, projectEnvironment, subjects } from '../tokens/principals.ts';

const data = (scope: TrustScope, config: OidcConfig, list: TokenSubject[]): ScopeData => ({
  organizationId: orgId,
  scope,
  config,
  subjects: list,
  subject: scopeSubject(scope, orgId, config, list),
});

/** `count` environments of the project, each its own ID. */
const environments = (count: number, extra: Partial<typeof projectEnvironment> = {}): TokenSubject[] =>
  Array.from({ length: count }, (_, i) => ({
    ...subjects.projectEnvironment,
    environment: {
      ...projectEnvironment,
      id: `62c37f65-8190-42a3-94b5-${String(i).padStart(12, '0')}`,
      ...extra,
    },
  }));

const projectScope = { kind: 'project', projectId: project.id } as const;

/** A TrustPlan as the server answers it, for the renderers. */
function planOf(d: ScopeData, issuer = 'https://envid.example.com'): TrustPlan {
  return {
    organizationId: orgId,
    issuer,
    scope: d.scope,
    ...(d.subject.subject ? { subject: d.subject.subject } : {}),
    ...(d.subject.subjectPrefix ? { subjectPrefix: d.subject.subjectPrefix } : {}),
    subjectPatterns: d.subject.patterns,
    subjectCount: d.subject.subs.length,
    subjects: [],
    plans: { azure: planAzureTrust(d), gcp: planGoogleTrust(d) },
  };
}

describe('Azure trust planning: exact subs, 20 credentials, 600 characters', () => {
  it('one exact sub is one credential with a valid name', () => {
    const plan = planAzureTrust(data(projectScope, { version: 'v3', extraSubFields: [] }, environments(3)));
    expect(plan).toMatchObject({ exact: true, credentialCount: 1, warnings: [] });
    expect(plan.credentials[0]!.name).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]{2,119}$/);
  });

  it('20 distinct subs fit; 21 warn and name the configuration under which the project has one sub', () => {
    const config: OidcConfig = { version: 'v3', extraSubFields: ['environment_id', 'user_id'] };
    const twenty = planAzureTrust(data(projectScope, config, environments(20)));
    expect(twenty.credentialCount).toBe(20);
    expect(twenty.warnings.map((w) => w.code)).toEqual(['azure_subject_not_exact', 'azure_coarser_config']);
    const many = planAzureTrust(data(projectScope, config, environments(21)));
    expect(many.warnings.map((w) => w.code)).toEqual([
      'azure_subject_not_exact',
      'azure_too_many_credentials',
      'azure_coarser_config',
    ]);
    expect(many.coarserOidcConfig).toEqual({ v3: { extraSubFields: ['user_id'] } });
  });

  it('a sub of 601 characters warns; 600 does not', () => {
    const withUrl = (length: number) => {
      const prefix = `organization_id:${orgId}:user_id:${subjects.plainUser.user.id}:idp_claims.team:`;
      const user = { ...subjects.plainUser.user, idpClaims: { team: 'x'.repeat(length - prefix.length) } };
      const subject: TokenSubject = { kind: 'user', organizationId: orgId, user };
      const config: OidcConfig = { version: 'v3', extraSubFields: ['idp_claims.team'] };
      expect(subjectSub(subject, config)).toHaveLength(length);
      return planAzureTrust(data({ kind: 'principal', principal: 'user', id: user.id }, config, [subject]));
    };
    expect(withUrl(600).warnings).toEqual([]);
    const long = withUrl(601);
    expect(long.warnings.map((w) => w.code)).toEqual(['azure_subject_too_long', 'azure_coarser_config']);
    expect(long.coarserOidcConfig).toEqual({ v3: { extraSubFields: [] } });
  });

  it('an organization of more than 20 principals fits no configuration: it says so', () => {
    const users: TokenSubject[] = Array.from({ length: 21 }, (_, i) => ({
      kind: 'user',
      organizationId: orgId,
      user: { ...subjects.plainUser.user, id: `2e8f3b21-4d5c-4e6f-9071-${String(i).padStart(12, '0')}` },
    }));
    const plan = planAzureTrust(data({ kind: 'organization' }, { version: 'v3', extraSubFields: [] }, users));
    expect(plan.warnings.map((w) => w.code)).toEqual([
      'azure_subject_not_exact',
      'azure_too_many_credentials',
      'azure_no_config_fits',
    ]);
  });
});

describe('Google trust planning: google.subject holds 127 bytes', () => {
  const sso = (remote: string) => [
    {
      ...subjects.projectEnvironment,
      environment: { ...projectEnvironment, initializers: [{ git: { remoteUri: remote } }] },
    } as TokenSubject,
  ];
  const config: OidcConfig = { version: 'v3', extraSubFields: ['environment_initializers.git.remote_uri'] };
  const claims = (subject: TokenSubject) => ({
    sub: subjectSub(subject, config),
    organization_id: orgId,
    project_id: project.id,
    environment_id: projectEnvironment.id,
    runner_id: projectEnvironment.runnerId,
  });

  it('maps assertion.sub while every sub fits, and a mapping that fits (evaluated as CEL) past 127 bytes', () => {
    expect(
      planGoogleTrust(data(projectScope, { version: 'v3', extraSubFields: [] }, environments(1))),
    ).toEqual({
      subjectMapping: 'assertion.sub',
      warnings: [],
    });
    const long = sso(`https://github.com/acme/${'r'.repeat(60)}.git`);
    expect(Buffer.byteLength(subjectSub(long[0]!, config))).toBeGreaterThan(127);
    const plan = planGoogleTrust(data(projectScope, config, long));
    expect(plan.warnings.map((w) => w.code)).toEqual(['google_subject_too_long']);
    const mapped = run(plan.subjectMapping, { assertion: new Map(Object.entries(claims(long[0]!))) });
    expect(mapped).toBe(`organization_id:${orgId}:project_id:${project.id}`);
    // Organization-wide, the mapping tells the kinds apart; each result fits.
    const wide = planGoogleTrust(data({ kind: 'organization' }, config, long));
    for (const assertion of [
      claims(long[0]!),
      { sub: 'x', organization_id: orgId, service_account_id: subjects.serviceAccount.serviceAccount.id },
      { sub: 'x', organization_id: orgId, runner_id: subjects.runner.runner.id },
    ]) {
      const value = run(wide.subjectMapping, { assertion: new Map(Object.entries(assertion)) });
      expect(typeof value === 'string' && Buffer.byteLength(value) <= 127).toBe(true);
    }
  });
});

describe('AWS trust: StringEquals for one sub, StringLike for a prefix; no port in the issuer', () => {
  it('writes both forms and says when the issuer has a port', () => {
    const exact = renderAwsTrust(
      planOf(data(projectScope, { version: 'v3', extraSubFields: [] }, environments(1))),
      {
        accountId: '123456789012',
      },
    );
    expect(exact.documents['trustPolicy']).toMatchObject({
      Statement: [{ Principal: { Federated: 'arn:aws:iam::123456789012:oidc-provider/envid.example.com' } }],
    });
    expect(exact.warnings.join(' ')).not.toMatch(/port/);
    const prefix = renderAwsTrust(
      planOf(
        data(projectScope, { version: 'v3', extraSubFields: ['environment_id'] }, []),
        'https://envid.example.com:8443',
      ),
      { accountId: '123456789012' },
    );
    expect(prefix.documents['trustPolicy']).toMatchObject({
      Statement: [
        {
          Condition: {
            StringEquals: { 'envid.example.com:8443:aud': 'sts.amazonaws.com' },
            StringLike: {
              'envid.example.com:8443:sub': [
                `organization_id:${orgId}:project_id:${project.id}`,
                `organization_id:${orgId}:project_id:${project.id}:*`,
              ],
            },
          },
        },
      ],
    });
    expect(prefix.warnings[0]).toMatch(/has a port: AWS IAM takes no port/);
  });
});

describe('Kubernetes trust: the AuthenticationConfiguration’s CEL rule admits the scope only', () => {
  const evaluate = (expression: string, claims: Record<string, unknown>) =>
    run(expression, { claims: new Map(Object.entries(claims)) as CelInput });

  it('checks the project prefix, maps username and groups, binds the project’s group', () => {
    const envelope = renderKubernetesTrust(
      planOf(data(projectScope, { version: 'v3', extraSubFields: ['environment_id'] }, [])),
      { clusterRole: 'edit' },
    );
    const config = envelope.documents['authenticationConfiguration'] as any;
    expect(config).toMatchObject({
      apiVersion: 'apiserver.config.k8s.io/v1',
      kind: 'AuthenticationConfiguration',
      jwt: [
        {
          issuer: { url: 'https://envid.example.com', audiences: ['kubernetes'] },
          claimMappings: { username: { claim: 'sub', prefix: 'envid:' } },
        },
      ],
    });
    const rule = config.jwt[0].claimValidationRules[0].expression;
    const base = `organization_id:${orgId}:project_id:${project.id}`;
    expect(evaluate(rule, { sub: `${base}:environment_id:e1` })).toBe(true);
    expect(evaluate(rule, { sub: base })).toBe(true);
    expect(
      evaluate(rule, { sub: `organization_id:${orgId}:project_id:00000000-0000-4000-8000-000000000004` }),
    ).toBe(false);
    expect(evaluate(rule, { sub: `${base}x` })).toBe(false);
    const groups = evaluate(config.jwt[0].claimMappings.groups.expression, {
      organization_id: orgId,
      project_id: project.id,
    });
    expect([...(groups as Iterable<unknown>)]).toEqual([
      `envid:organization:${orgId}`,
      `envid:project:${project.id}`,
    ]);
    expect(envelope.documents['clusterRoleBinding']).toMatchObject({
      roleRef: { kind: 'ClusterRole', name: 'edit' },
      subjects: [{ kind: 'Group', name: `envid:project:${project.id}` }],
    });
    expect(() =>
      renderKubernetesTrust(planOf(data(projectScope, { version: 'v3', extraSubFields: [] }, [])), {
        clusterRole: 'Bad Role',
      }),
    ).toThrow(/--cluster-role: "Bad Role" is not a Kubernetes object name/);
  });
});
