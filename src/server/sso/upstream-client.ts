import * as client from 'openid-client';
import { decryptSecret } from '../../core/keys/encrypt-secret.ts';
import type { MasterKey } from '../../core/keys/master-key.ts';
import type { SsoConfiguration } from '../../store/records.ts';

/**
 * The upstream provider as openid-client sees it, from its discovery document: the client secret is
 * unsealed only here. ID token signatures are checked against its JWKS (enableNonRepudiationChecks),
 * not taken on TLS's word. Plain http is allowed only for the loopback issuers a configuration may name.
 */
export async function upstreamClient(
  config: SsoConfiguration,
  masterKey: MasterKey,
): Promise<client.Configuration> {
  const secret = decryptSecret(config.encryptedClientSecret, config.id, masterKey);
  const execute = [client.enableNonRepudiationChecks];
  if (config.issuerUrl.startsWith('http:')) execute.push(client.allowInsecureRequests);
  return client.discovery(
    new URL(config.issuerUrl),
    config.clientId,
    secret,
    client.ClientSecretPost(secret),
    {
      execute,
      timeout: 10,
    },
  );
}
