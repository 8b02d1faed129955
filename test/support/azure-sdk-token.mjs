// Runs the real Azure SDK in a process of its own (Node reads NODE_EXTRA_CA_CERTS only at start, and the
// Entra stand-in's certificate comes from a test CA). Reads AZURE_* from the environment, as apps do:
//   node azure-sdk-token.mjs <client-assertion|workload-identity|default> <scope>
// Prints {"ok": true, "token", "expiresOnTimestamp"} or {"ok": false, "name", "message"} on stdout.
import { readFile } from 'node:fs/promises';
import {
  ClientAssertionCredential,
  DefaultAzureCredential,
  WorkloadIdentityCredential,
} from '@azure/identity';

const [kind, scope] = process.argv.slice(2);
const env = process.env;
const credentials = {
  // The token file is read for each token the credential asks Entra for, so renewals are picked up.
  'client-assertion': () =>
    new ClientAssertionCredential(
      env.AZURE_TENANT_ID,
      env.AZURE_CLIENT_ID,
      () => readFile(env.AZURE_FEDERATED_TOKEN_FILE, 'utf8'),
      { authorityHost: env.AZURE_AUTHORITY_HOST, disableInstanceDiscovery: true },
    ),
  'workload-identity': () => new WorkloadIdentityCredential({ disableInstanceDiscovery: true }),
  default: () => new DefaultAzureCredential({ disableInstanceDiscovery: true }),
};
try {
  const token = await credentials[kind]().getToken(scope);
  process.stdout.write(
    JSON.stringify({ ok: true, token: token.token, expiresOnTimestamp: token.expiresOnTimestamp }),
  );
} catch (error) {
  process.stdout.write(JSON.stringify({ ok: false, name: error.name, message: error.message }));
}
