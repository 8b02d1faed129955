import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTrustSubjects } from '../../src/services/trust-plans.ts';
import { engines } from '../support/databases.ts';
import { installationAdmin, openServiceFixture, type ServiceFixture } from '../support/service-callers.ts';

/** Who may ask which scope's trust subjects, asked of the service directly. */

const refused = (code: string, message?: RegExp) =>
  expect.objectContaining({ code, ...(message ? { message: expect.stringMatching(message) } : {}) });

for (const engine of engines) {
  describe(`trust plans service (${engine})`, () => {
    let f: ServiceFixture;
    beforeAll(async () => {
      f = await openServiceFixture(engine);
    });
    afterAll(() => f?.dispose());

    it('every principal asks for its own sub; the installation admin has none', async () => {
      const org = f.a.organization.id;
      for (const caller of [f.callers.a.member, f.callers.a.runner, f.callers.a.environment]) {
        const found = await findTrustSubjects(f.as(caller), { scope: { kind: 'self' } });
        expect(found.subject.subject).toMatch(new RegExp(`^organization_id:${org}(:|$)`));
        expect(found.subjects).toHaveLength(1);
      }
      await expect(findTrustSubjects(f.as(installationAdmin), { scope: { kind: 'self' } })).rejects.toEqual(
        refused('invalid_argument', /^scope: the installation admin gets no ID tokens/),
      );
    });

    it('other scopes are the admins’: a member is refused, a machine credential too, another organization is not found', async () => {
      const serviceAccount = { kind: 'service_account', id: f.a.serviceAccount.serviceAccount.id } as const;
      const found = await findTrustSubjects(f.as(f.callers.a.admin), { scope: serviceAccount });
      expect(found.subject.subject).toBe(
        `organization_id:${f.a.organization.id}:service_account_id:${serviceAccount.id}`,
      );
      const organization = await findTrustSubjects(f.as(installationAdmin), {
        organizationId: f.a.organization.id,
        scope: { kind: 'organization' },
      });
      expect(organization.subjects).toHaveLength(5);
      expect(organization.subject.subjectPrefix).toBe(`organization_id:${f.a.organization.id}`);
      await expect(findTrustSubjects(f.as(f.callers.a.member), { scope: serviceAccount })).rejects.toEqual(
        refused('permission_denied'),
      );
      await expect(
        findTrustSubjects(f.as(f.callers.a.runner), { scope: { kind: 'organization' } }),
      ).rejects.toEqual(refused('permission_denied', /may plan only its own trust/));
      // Another organization's principal answers exactly like an unknown one.
      const other = await findTrustSubjects(f.as(f.callers.b.admin), { scope: serviceAccount }).catch(
        (e) => e,
      );
      const unknown = await findTrustSubjects(f.as(f.callers.b.admin), {
        scope: { kind: 'service_account', id: '00000000-0000-4000-8000-000000000009' },
      }).catch((e) => e);
      expect(other.code).toBe('not_found');
      expect(other.message.replace(serviceAccount.id, 'ID')).toBe(
        unknown.message.replace('00000000-0000-4000-8000-000000000009', 'ID'),
      );
      await expect(
        findTrustSubjects(f.as(f.callers.b.admin), {
          organizationId: f.a.organization.id,
          scope: { kind: 'organization' },
        }),
      ).rejects.toEqual(refused('not_found'));
      await expect(
        findTrustSubjects(f.as(f.callers.a.admin), {
          scope: { kind: 'project', id: '00000000-0000-4000-8000-000000000004' },
        }),
      ).rejects.toEqual(refused('not_found', /^project /));
    });
  });
}
