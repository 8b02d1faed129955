import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testIssuer } from '../../support/api-server.ts';
import { engines } from '../../support/databases.ts';
import { startSeededApiServer, tokensByRole } from '../../support/principals.ts';

const path = 'TrustService/PlanTrust';

for (const engine of engines) {
  describe(`TrustService/PlanTrust (${engine})`, () => {
    let seeded: Awaited<ReturnType<typeof startSeededApiServer>>;
    let tokens: ReturnType<typeof tokensByRole>;
    beforeAll(async () => {
      seeded = await startSeededApiServer(engine);
      tokens = tokensByRole(seeded.server, seeded.a, seeded.b);
    });
    afterAll(() => seeded?.server.close());

    it('answers the caller’s own sub with the issuer and both plans', async () => {
      const { status, body } = await seeded.server.call(path, { scope: 'self' }, tokens.runner);
      const sub = `organization_id:${seeded.a.organization.id}:runner_id:${seeded.a.runner.runner.id}`;
      expect(status).toBe(200);
      expect(body).toMatchObject({
        issuer: testIssuer,
        scope: { kind: 'principal', principal: 'runner', id: seeded.a.runner.runner.id },
        subject: sub,
        subjectPatterns: [sub],
        subjectCount: 1,
        plans: {
          azure: { exact: true, credentialCount: 1 },
          gcp: { subjectMapping: 'assertion.sub', warnings: [] },
        },
      });
    });

    it('an organization-wide plan for the admin lists its distinct subs', async () => {
      const { status, body } = await seeded.server.call(path, { scope: 'organization' }, tokens.orgAdmin);
      expect(status).toBe(200);
      expect(body.subjectPrefix).toBe(`organization_id:${seeded.a.organization.id}`);
      expect(body.subjectCount).toBe(5);
      expect(body.plans.azure.warnings.map((w: { code: string }) => w.code)).toContain(
        'azure_subject_not_exact',
      );
    });

    it('refuses a bad request with the field and what is allowed', async () => {
      const cases: [unknown, string, RegExp][] = [
        [{ scope: 'team' }, 'invalid_argument', /^scope: must be one of self, organization, project/],
        [{ scope: 'project' }, 'invalid_argument', /^id: is required for scope project/],
        [{ scope: 'self', id: seeded.a.runner.runner.id }, 'invalid_argument', /^id: scope self takes no id/],
        [{ scope: 'runner', id: 'x' }, 'invalid_argument', /^id: must be a UUID/],
      ];
      for (const [body, code, message] of cases) {
        const answer = await seeded.server.call(path, body, tokens.orgAdmin);
        expect({ body, code: answer.body.code, message: answer.body.message }).toEqual({
          body,
          code,
          message: expect.stringMatching(message),
        });
      }
      const member = await seeded.server.call(path, { scope: 'organization' }, tokens.orgMember);
      expect(member).toMatchObject({ status: 403, body: { code: 'permission_denied' } });
      const other = await seeded.server.call(
        path,
        { scope: 'runner', id: seeded.a.runner.runner.id },
        tokens.otherOrgUser,
      );
      expect(other).toMatchObject({ status: 404, body: { code: 'not_found' } });
    });
  });
}
