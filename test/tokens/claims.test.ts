import { describe, expect, it } from 'vitest';
import { buildPrincipalClaims } from '../../src/core/tokens/principal-claims.ts';
import {
  bareEnvironment,
  plainUser,
  project,
  projectEnvironment,
  serviceAccount,
  ssoUser,
  subjects,
} from './principals.ts';

describe('V3 principal claims', () => {
  it('runner tokens carry runner_id and runner_name', () => {
    expect(buildPrincipalClaims(subjects.runner)).toEqual({
      organization_id: subjects.runner.runner.organizationId,
      runner_id: subjects.runner.runner.id,
      runner_name: 'eu-west runner',
    });
  });

  it('a service-account creator gives creator_name but no creator_email or creator_idp', () => {
    const claims = buildPrincipalClaims(subjects.bareEnvironment);
    expect(claims.creator_principal).toBe('service_account');
    expect(claims.creator_name).toBe(serviceAccount.name);
    expect(Object.keys(claims)).not.toContain('creator_email');
    expect(Object.keys(claims)).not.toContain('creator_idp');
    expect(Object.keys(claims)).not.toContain('creator_idp_claims');
    expect(Object.keys(claims)).not.toContain('project_id');
    expect(Object.keys(claims)).not.toContain('environment_initializers');
  });

  it('a user without SSO has no idp or idp_claims, and empty values are left out', () => {
    expect(buildPrincipalClaims(subjects.plainUser)).toEqual({
      organization_id: subjects.plainUser.organizationId,
      user_id: plainUser.id,
      email: plainUser.email,
      name: plainUser.name,
    });
    const emptyish = buildPrincipalClaims({
      ...subjects.ssoUser,
      user: { ...ssoUser, name: '', idp: '', idpClaims: { a: '', b: [], c: ['x'] } },
    });
    expect(emptyish).not.toHaveProperty('name');
    expect(emptyish).not.toHaveProperty('idp');
    expect(emptyish.idp_claims).toEqual({ c: ['x'] });
    expect(
      buildPrincipalClaims({ ...subjects.ssoUser, user: { ...ssoUser, idpClaims: { a: '' } } }),
    ).not.toHaveProperty('idp_claims');
  });

  it('initializers carry only the members that are set; empty ones are dropped', () => {
    const claims = buildPrincipalClaims({
      ...subjects.projectEnvironment,
      environment: {
        ...projectEnvironment,
        initializers: [
          {},
          { git: {} },
          { git: { remoteUri: 'https://r.git' } },
          { git: { upstreamRemoteUri: 'https://u.git' }, contextUrl: 'https://c' },
        ],
      },
    });
    expect(claims.environment_initializers).toEqual([
      { git: { remote_uri: 'https://r.git' } },
      { git: { upstream_remote_uri: 'https://u.git' }, context_url: 'https://c' },
    ]);
  });

  it("falls back to the project's initializers when the environment has none", () => {
    const claims = buildPrincipalClaims({
      ...subjects.projectEnvironment,
      environment: { ...projectEnvironment, initializers: [] },
    });
    expect(claims.environment_initializers).toHaveLength(project.initializers.length);
  });

  it('takes creator details only from the creator the environment names', () => {
    const claims = buildPrincipalClaims({
      ...subjects.projectEnvironment,
      creator: { principal: 'user', user: { ...plainUser } },
    });
    expect(claims.creator_id).toBe(projectEnvironment.creatorId);
    expect(claims).not.toHaveProperty('creator_email');
    expect(claims).not.toHaveProperty('creator_name');
  });

  it('copies forwarded claims so later changes to the record do not leak into issued claims', () => {
    const user = { ...ssoUser, idpClaims: { groups: ['a'] } };
    const claims = buildPrincipalClaims({
      kind: 'user',
      organizationId: bareEnvironment.organizationId,
      user,
    });
    user.idpClaims.groups.push('b');
    expect(claims.idp_claims).toEqual({ groups: ['a'] });
  });
});
