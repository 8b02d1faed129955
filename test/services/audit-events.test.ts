import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEvents } from '../../src/services/audit-events.ts';
import type { AuditEvent } from '../../src/store/records.ts';
import { engines } from '../support/databases.ts';
import { installationAdmin, openServiceFixture, type ServiceFixture } from '../support/service-callers.ts';

/** Who reads which audit events, asked of the service directly. */

const refused = (code: string, message?: RegExp) =>
  expect.objectContaining({ code, ...(message ? { message: expect.stringMatching(message) } : {}) });

for (const engine of engines) {
  describe(`audit service (${engine})`, () => {
    let f: ServiceFixture;
    const event = (kind: AuditEvent['kind'], organizationId?: string): AuditEvent => ({
      id: randomUUID(),
      kind,
      ...(organizationId ? { organizationId } : {}),
      details: {},
      createdAt: f.clock.now(),
    });
    beforeAll(async () => {
      f = await openServiceFixture(engine);
      await f.store.auditEvents.insert(event('token.issued', f.a.organization.id));
      await f.store.auditEvents.insert(event('oidc_config.updated', f.a.organization.id));
      await f.store.auditEvents.insert(event('token.issued', f.b.organization.id));
      await f.store.auditEvents.insert(event('key.created'));
    });
    afterAll(() => f?.dispose());

    it('an admin reads its organization’s events, of the kinds it asks for', async () => {
      const query = { organizationId: f.a.organization.id };
      const all = await listAuditEvents(f.as(f.callers.a.admin), query, {});
      expect(all.items.map((e) => e.kind).sort()).toEqual(['oidc_config.updated', 'token.issued']);
      const tokens = await listAuditEvents(
        f.as(f.callers.a.admin),
        { ...query, kinds: ['token.issued'] },
        {},
      );
      expect(tokens.items.map((e) => e.kind)).toEqual(['token.issued']);
    });

    it('a member is refused, another organization gets not_found, nobody but the installation admin reads all', async () => {
      const query = { organizationId: f.a.organization.id };
      await expect(listAuditEvents(f.as(f.callers.a.member), query, {})).rejects.toEqual(
        refused('permission_denied'),
      );
      await expect(listAuditEvents(f.as(f.callers.b.admin), query, {})).rejects.toEqual(refused('not_found'));
      await expect(listAuditEvents(f.as(f.callers.a.admin), {}, {})).rejects.toEqual(
        refused('invalid_argument', /^organizationId/),
      );
      const everything = await listAuditEvents(f.as(installationAdmin), {}, { pageSize: 100 });
      expect(everything.items).toHaveLength(4);
    });

    it('refuses a time range that ends before it starts', async () => {
      const from = f.clock.now();
      const to = new Date(from.getTime() - 1000);
      await expect(listAuditEvents(f.as(installationAdmin), { from, to }, {})).rejects.toEqual(
        refused('invalid_argument', /^filter\.to/),
      );
    });
  });
}
