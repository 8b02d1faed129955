import { expect } from 'vitest';
import type { ApiTestServer } from './api-server.ts';
import type { Upstream } from './upstream-oidc.ts';

/**
 * An SSO configuration of `organizationId` for `upstream`'s client, made through the API (so its
 * issuer check and audit event are real) for the e-mail domain acme.example; `extra` adds or
 * overrides fields. Answers its ID.
 */
export async function createUpstreamSsoConfiguration(
  server: ApiTestServer,
  organizationId: string,
  upstream: Upstream,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const answer = await server.call(
    'OrganizationService/CreateSSOConfiguration',
    {
      organizationId,
      issuerUrl: upstream.issuer,
      clientId: upstream.client.id,
      clientSecret: upstream.client.secret,
      emailDomain: 'acme.example',
      ...extra,
    },
    server.adminToken,
  );
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body.ssoConfiguration.id as string;
}
