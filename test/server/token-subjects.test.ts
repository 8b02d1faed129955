import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTokenSubject } from '../../src/server/tokens/token-subjects.ts';
import { type ApiTestServer, startApiTestServer } from '../support/api-server.ts';
import { type OrganizationFixture, seedTokenOrganization } from '../support/token-fixtures.ts';

describe('the subjects tokens are made of', () => {
  let server: ApiTestServer;
  let org: OrganizationFixture;
  beforeAll(async () => {
    server = await startApiTestServer('pglite');
    org = await seedTokenOrganization(server.store, server.clock);
  });
  afterAll(() => server.close());

  it('are frozen all the way down: every request shares them, and their claims are remembered per object', async () => {
    const loaded = await loadTokenSubject(server.store, {
      kind: 'environment',
      id: org.environment.id,
      organizationId: org.organization.id,
      credentialId: 'unused',
    });
    expect(loaded.subject.kind).toBe('environment');
    if (loaded.subject.kind !== 'environment') return;
    expect(Object.isFrozen(loaded)).toBe(true);
    expect(Object.isFrozen(loaded.oidcConfig)).toBe(true);
    expect(Object.isFrozen(loaded.subject.environment)).toBe(true);
    expect(Object.isFrozen(loaded.subject.environment.initializers)).toBe(true);
    expect(Object.isFrozen(loaded.subject.creator)).toBe(true);
    expect(() => {
      (loaded.subject as { organizationId: string }).organizationId = 'changed';
    }).toThrow(TypeError);
  });
});
