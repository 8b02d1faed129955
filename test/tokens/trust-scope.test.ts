import { describe, expect, it } from 'vitest';
import type { OidcConfig } from '../../src/core/domain/oidc-config.ts';
import { scopeSubject } from '../../src/core/tokens/trust-scope.ts';
import { orgId, project, projectEnvironment, subjects } from './principals.ts';

const v3 = (...extraSubFields: string[]): OidcConfig => ({ version: 'v3', extraSubFields });
const projectScope = { kind: 'project', projectId: project.id } as const;
const projectSub = `organization_id:${orgId}:project_id:${project.id}`;

describe('scopeSubject: the sub (or prefix) a trust must match', () => {
  it('one principal: its exact sub', () => {
    const scope = { kind: 'principal', principal: 'user', id: subjects.plainUser.user.id } as const;
    const sub = `organization_id:${orgId}:user_id:${subjects.plainUser.user.id}`;
    expect(scopeSubject(scope, orgId, v3(), [subjects.plainUser])).toEqual({
      subject: sub,
      patterns: [sub],
      subs: [sub],
    });
  });

  it('a project: exact while no extra field can vary between its environments, a prefix once one can', () => {
    const environments = [subjects.projectEnvironment];
    expect(scopeSubject(projectScope, orgId, v3(), environments).subject).toBe(projectSub);
    // Fields no environment carries leave the project's sub exact.
    expect(
      scopeSubject(projectScope, orgId, v3('user_id', 'idp_claims.team', 'runner_name'), environments)
        .subject,
    ).toBe(projectSub);
    const varying = scopeSubject(projectScope, orgId, v3('environment_id'), environments);
    expect(varying).toEqual({
      subjectPrefix: projectSub,
      patterns: [projectSub, `${projectSub}:*`],
      subs: [`${projectSub}:environment_id:${projectEnvironment.id}`],
    });
    // A field only some environments have is judged by what any environment could carry, not today's data.
    expect(scopeSubject(projectScope, orgId, v3('creator_idp_claims.team'), []).subjectPrefix).toBe(
      projectSub,
    );
  });

  it('the organization: always a prefix; V2 paths end in a * pattern', () => {
    expect(scopeSubject({ kind: 'organization' }, orgId, v3(), [subjects.runner]).patterns).toEqual([
      `organization_id:${orgId}`,
      `organization_id:${orgId}:*`,
    ]);
    expect(scopeSubject(projectScope, orgId, { version: 'v2' }, [subjects.projectEnvironment])).toEqual({
      subjectPrefix: `org:${orgId}/prj:${project.id}/env:`,
      patterns: [`org:${orgId}/prj:${project.id}/env:*`],
      subs: [`org:${orgId}/prj:${project.id}/env:${projectEnvironment.id}`],
    });
    expect(scopeSubject({ kind: 'organization' }, orgId, { version: 'v2' }, []).patterns).toEqual([
      `org:${orgId}/*`,
    ]);
  });
});
