import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

// Which layers src/services may import is a dependency-cruiser rule (npm run lint); this checks the
// routes use the layer.
describe('the service layer (docs/architecture.md#service-layer)', () => {
  it('the invite, joining, runner and signing key routes call their services, not the store', () => {
    const routes = {
      'organization-invites': 'invites',
      'organization-join': 'joining',
      runners: 'runners',
      'signing-keys': 'signing-keys',
    };
    for (const [route, service] of Object.entries(routes)) {
      const text = readFileSync(join(root, 'src/server/routes/api', `${route}.ts`), 'utf8');
      expect(text, route).not.toMatch(/\bstore\.|\btx\./);
      expect(text, route).toContain(`services/${service}.ts`);
    }
  });

  it('the token routes call the credential lifecycle, not the store', () => {
    const routes = ['personal-access-tokens', 'service-account-tokens', 'environment-tokens'];
    for (const route of routes) {
      const text = readFileSync(join(root, 'src/server/routes/api', `${route}.ts`), 'utf8');
      expect(text, route).not.toMatch(/\bstore\.|\btx\./);
      expect(text, route).toMatch(/services\/credentials\//);
    }
  });
});
