import type { Credential } from '../../store/records.ts';

/** The API's view of a credential: never the secret or its hash. */
export function credentialToApi(credential: Credential) {
  return {
    id: credential.id,
    description: credential.description,
    createdAt: credential.createdAt.toISOString(),
    ...(credential.expiresAt ? { expiresAt: credential.expiresAt.toISOString() } : {}),
    ...(credential.revokedAt ? { revokedAt: credential.revokedAt.toISOString() } : {}),
  };
}
