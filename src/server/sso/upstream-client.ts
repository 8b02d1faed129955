import * as client from 'openid-client';
import type { Clock } from '../../core/clock.ts';
import { decryptSecret } from '../../core/keys/encrypt-secret.ts';
import type { MasterKey } from '../../core/keys/master-key.ts';
import type { SsoConfiguration } from '../../store/records.ts';

/**
 * The upstream provider as openid-client sees it, from its discovery document: the client secret is
 * unsealed only here. ID token signatures are checked against its JWKS (enableNonRepudiationChecks),
 * not taken on TLS's word. Plain http is allowed only for the loopback issuers a configuration may name.
 * ID token times are judged by envid's clock (the one injected into the server), as every other expiry is.
 */
export async function upstreamClient(
  config: SsoConfiguration,
  masterKey: MasterKey,
  clock: Clock,
): Promise<client.Configuration> {
  const secret = decryptSecret(config.encryptedClientSecret, config.id, masterKey);
  const execute = [client.enableNonRepudiationChecks];
  if (config.issuerUrl.startsWith('http:')) execute.push(client.allowInsecureRequests);
  const skewSeconds = Math.round((clock.now().getTime() - Date.now()) / 1000);
  const metadata = { client_secret: secret, [client.clockSkew]: skewSeconds };
  return client.discovery(
    new URL(config.issuerUrl),
    config.clientId,
    metadata,
    client.ClientSecretPost(secret),
    {
      execute,
      timeout: 10,
    },
  );
}
