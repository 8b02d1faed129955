import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { environmentTokens } from '../../src/services/credentials/environment-tokens.ts';
import {
  findVisiblePersonalAccessToken,
  personalAccessTokens,
} from '../../src/services/credentials/personal-access-tokens.ts';
import { runnerTokens } from '../../src/services/credentials/runner-tokens.ts';
import { serviceAccountTokens } from '../../src/services/credentials/service-account-tokens.ts';
import { engines } from '../support/databases.ts';
import { installationAdmin, openServiceFixture, type ServiceFixture } from '../support/service-callers.ts';

/** Who may create, list and revoke each kind of token, asked of the services directly (no HTTP). */

const refused = (code: string, message?: RegExp) =>
  expect.objectContaining({ code, ...(message ? { message: expect.stringMatching(message) } : {}) });

for (const engine of engines) {
  describe(`credential services (${engine})`, () => {
    let f: ServiceFixture;
    beforeAll(async () => {
      f = await openServiceFixture(engine);
    });
    afterAll(() => f?.dispose());

    describe('personal access tokens', () => {
      const inA = () => ({ organizationId: f.a.organization.id });

      it('a user names its organization: a token is never account-level by omission', async () => {
        await expect(
          personalAccessTokens.create(f.as(f.callers.a.member), {}, { description: 'x' }),
        ).rejects.toEqual(refused('invalid_argument', /^organizationId/));
      });

      it('a member creates its own, bound to its organization, and sees it; an admin of another does not', async () => {
        const { member } = f.callers.a;
        const { credential, secret } = await personalAccessTokens.create(f.as(member), inA(), {
          description: 'laptop',
        });
        expect(credential).toMatchObject({
          principalKind: 'user',
          principalId: f.a.member.user.id,
          organizationId: f.a.organization.id,
          description: 'laptop',
        });
        expect(secret).not.toBe('');
        const stored = await f.store.credentials.find(credential.id);
        expect(stored?.secretHash).not.toContain(secret);
        await expect(
          findVisiblePersonalAccessToken(f.as(f.callers.a.admin), credential.id),
        ).resolves.toMatchObject({ id: credential.id });
        await expect(findVisiblePersonalAccessToken(f.as(f.callers.b.admin), credential.id)).rejects.toEqual(
          refused('not_found', /personal access token/),
        );
      });

      it('a member may not create one for another user, nor for another organization', async () => {
        const { member } = f.callers.a;
        await expect(
          personalAccessTokens.create(
            f.as(member),
            { ...inA(), userId: f.a.admin.user.id },
            { description: 'x' },
          ),
        ).rejects.toEqual(refused('permission_denied'));
        await expect(
          personalAccessTokens.create(
            f.as(member),
            { organizationId: f.b.organization.id },
            {
              description: 'x',
            },
          ),
        ).rejects.toEqual(refused('not_found', /organization/));
      });

      it('machine credentials may not create or list them', async () => {
        for (const caller of [f.callers.a.serviceAccount, f.callers.a.runner, f.callers.a.environment]) {
          await expect(
            personalAccessTokens.create(f.as(caller), inA(), { description: 'x' }),
          ).rejects.toEqual(refused('permission_denied'));
          await expect(personalAccessTokens.list(f.as(caller), {}, {})).rejects.toEqual(
            refused('permission_denied'),
          );
        }
      });

      it('an admin lists every token of its organization; a member only its own', async () => {
        const adminPage = await personalAccessTokens.list(f.as(f.callers.a.admin), {}, { pageSize: 100 });
        const owners = new Set(adminPage.items.map((c) => c.principalId));
        expect(owners).toEqual(new Set([f.a.admin.user.id, f.a.member.user.id]));
        expect(adminPage.items.every((c) => c.organizationId === f.a.organization.id)).toBe(true);

        const memberPage = await personalAccessTokens.list(f.as(f.callers.a.member), {}, { pageSize: 100 });
        expect(memberPage.items.length).toBeGreaterThan(0);
        expect(memberPage.items.every((c) => c.principalId === f.a.member.user.id)).toBe(true);
        await expect(
          personalAccessTokens.list(f.as(f.callers.a.member), { userId: f.a.admin.user.id }, {}),
        ).rejects.toEqual(refused('permission_denied'));
      });

      it('the installation admin creates account-level tokens and none for a non-member', async () => {
        const { credential } = await personalAccessTokens.create(
          f.as(installationAdmin),
          { userId: f.b.member.user.id },
          { description: 'account' },
        );
        expect(credential.organizationId).toBeUndefined();
        await expect(
          personalAccessTokens.create(
            f.as(installationAdmin),
            { userId: f.b.member.user.id, organizationId: f.a.organization.id },
            { description: 'x' },
          ),
        ).rejects.toEqual(refused('failed_precondition', /not a member/));
        await expect(
          personalAccessTokens.create(f.as(installationAdmin), {}, { description: 'x' }),
        ).rejects.toEqual(refused('invalid_argument', /^userId/));
      });

      it('an admin revokes a member token of its organization; another organization gets not_found', async () => {
        const { credential } = await personalAccessTokens.create(f.as(f.callers.a.member), inA(), {
          description: 'to revoke',
        });
        const request = { personalAccessTokenId: credential.id };
        await expect(personalAccessTokens.revoke(f.as(f.callers.b.admin), request)).rejects.toEqual(
          refused('not_found'),
        );
        expect((await f.store.credentials.find(credential.id))?.revokedAt).toBeUndefined();
        const revoked = await personalAccessTokens.revoke(f.as(f.callers.a.admin), request);
        expect(revoked.revokedAt).toEqual(f.clock.now());
        // Revoking twice keeps the first time.
        f.clock.advance(60_000);
        const again = await personalAccessTokens.revoke(f.as(f.callers.a.admin), request);
        expect(again.revokedAt).toEqual(revoked.revokedAt);
      });
    });

    describe('service account tokens', () => {
      const forAccount = () => ({ serviceAccountId: f.a.serviceAccount.serviceAccount.id });

      it('an admin creates them (with an expiry), members list them, the account itself does not', async () => {
        const expiresAt = new Date(f.clock.now().getTime() + 3_600_000);
        const { credential } = await serviceAccountTokens.create(f.as(f.callers.a.admin), forAccount(), {
          description: 'ci',
          expiresAt,
        });
        expect(credential).toMatchObject({
          principalKind: 'service_account',
          principalId: f.a.serviceAccount.serviceAccount.id,
          organizationId: f.a.organization.id,
          expiresAt,
        });
        const page = await serviceAccountTokens.list(f.as(f.callers.a.member), forAccount(), {});
        expect(page.items.map((c) => c.id)).toContain(credential.id);
        await expect(
          serviceAccountTokens.list(f.as(f.callers.a.serviceAccount), forAccount(), {}),
        ).rejects.toEqual(refused('not_found'));
      });

      it('a member may not create or revoke; another organization sees nothing', async () => {
        await expect(
          serviceAccountTokens.create(f.as(f.callers.a.member), forAccount(), { description: 'x' }),
        ).rejects.toEqual(refused('permission_denied'));
        await expect(
          serviceAccountTokens.create(f.as(f.callers.b.admin), forAccount(), { description: 'x' }),
        ).rejects.toEqual(refused('not_found', /service account/));
        const { credential } = await serviceAccountTokens.create(f.as(installationAdmin), forAccount(), {
          description: 'by the installation admin',
        });
        const request = { serviceAccountTokenId: credential.id };
        await expect(serviceAccountTokens.revoke(f.as(f.callers.a.member), request)).rejects.toEqual(
          refused('permission_denied'),
        );
        await expect(serviceAccountTokens.revoke(f.as(f.callers.b.admin), request)).rejects.toEqual(
          refused('not_found', /service account token/),
        );
        await expect(serviceAccountTokens.revoke(f.as(f.callers.a.admin), request)).resolves.toMatchObject({
          revokedAt: f.clock.now(),
        });
      });
    });

    describe('runner tokens', () => {
      const forRunner = () => ({ runnerId: f.a.runner.runner.id });

      it('an admin creates, lists and revokes them; the description defaults', async () => {
        const { credential } = await runnerTokens.create(f.as(f.callers.a.admin), forRunner());
        expect(credential).toMatchObject({ principalKind: 'runner', description: 'runner token' });
        const page = await runnerTokens.list(f.as(f.callers.a.admin), forRunner(), {});
        expect(page.items.map((c) => c.id)).toContain(credential.id);
        const revoked = await runnerTokens.revoke(f.as(f.callers.a.admin), {
          ...forRunner(),
          tokenId: credential.id,
        });
        expect(revoked.revokedAt).toEqual(f.clock.now());
      });

      it('a member and the runner itself are refused; another organization gets not_found', async () => {
        for (const caller of [f.callers.a.member]) {
          await expect(runnerTokens.create(f.as(caller), forRunner())).rejects.toEqual(
            refused('permission_denied'),
          );
          await expect(runnerTokens.list(f.as(caller), forRunner(), {})).rejects.toEqual(
            refused('permission_denied'),
          );
        }
        await expect(runnerTokens.create(f.as(f.callers.a.runner), forRunner())).rejects.toEqual(
          refused('permission_denied'),
        );
        await expect(runnerTokens.create(f.as(f.callers.b.admin), forRunner())).rejects.toEqual(
          refused('not_found', /runner/),
        );
      });

      it('revoking a token that is not this runner’s answers not_found and changes nothing', async () => {
        const other = await runnerTokens.create(f.as(f.callers.b.admin), { runnerId: f.b.runner.runner.id });
        await expect(
          runnerTokens.revoke(f.as(f.callers.a.admin), { ...forRunner(), tokenId: other.credential.id }),
        ).rejects.toEqual(refused('not_found', /runner token/));
        expect((await f.store.credentials.find(other.credential.id))?.revokedAt).toBeUndefined();
      });
    });

    describe('environment tokens', () => {
      const forEnvironment = () => ({ environmentId: f.a.environment.environment.id });

      it('its creator and its runner mint them; an admin of another organization gets not_found', async () => {
        for (const caller of [f.callers.a.member, f.callers.a.runner, f.callers.a.admin, installationAdmin]) {
          const { credential } = await environmentTokens.create(f.as(caller), forEnvironment());
          expect(credential).toMatchObject({
            principalKind: 'environment',
            principalId: f.a.environment.environment.id,
            organizationId: f.a.organization.id,
            description: 'environment access token',
          });
        }
        await expect(environmentTokens.create(f.as(f.callers.b.admin), forEnvironment())).rejects.toEqual(
          refused('not_found', /environment/),
        );
        await expect(environmentTokens.create(f.as(f.callers.b.runner), forEnvironment())).rejects.toEqual(
          refused('not_found'),
        );
      });

      it('the environment itself sees but does not operate itself', async () => {
        await expect(
          environmentTokens.list(f.as(f.callers.a.environment), forEnvironment(), {}),
        ).rejects.toEqual(refused('permission_denied'));
      });

      it('a deleted environment gets no new tokens', async () => {
        const environment = f.a.environment.environment;
        await f.store.environments.update(environment.id, (current) => ({ ...current, status: 'deleted' }));
        try {
          await expect(environmentTokens.create(f.as(f.callers.a.admin), forEnvironment())).rejects.toEqual(
            refused('failed_precondition', /deleted/),
          );
        } finally {
          await f.store.environments.update(environment.id, (current) => ({ ...current, status: 'running' }));
        }
      });
    });
  });
}
