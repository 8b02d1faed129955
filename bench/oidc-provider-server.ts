// Baseline B, run as its own process: panva's oidc-provider issuing RS256 JWT access tokens by
// client_credentials for one resource server. Its default in-memory adapter stores nothing for JWT tokens.
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';
import { benchClient, benchResource } from './oidc-provider-client.ts';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'bench', alg: 'RS256', use: 'sig' };

const provider = new Provider('http://127.0.0.1', {
  clients: [
    {
      client_id: benchClient.id,
      client_secret: benchClient.secret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
    },
  ],
  jwks: { keys: [jwk] },
  scopes: ['api:read'],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => benchResource,
      getResourceServerInfo: () => ({
        scope: 'api:read',
        audience: benchResource,
        accessTokenTTL: 3600,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
});

const server = provider.listen(0, '127.0.0.1', () => {
  const address = server.address() as { port: number };
  process.stdout.write(`oidc-provider listening on http://127.0.0.1:${address.port}\n`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
