import { postToProvider } from '../support/post-to-provider.ts';

/** The JWT auth method's login request (HTTP) and its answer. */
export function vaultLoginUrl(address: string, mount: string): string {
  return `${address}/v1/auth/${mount}/login`;
}

export interface VaultLogin {
  clientToken: string;
  accessor?: string;
  policies: string[];
  /** Seconds the token lives (0: never expires, e.g. a root-like token). */
  leaseDuration: number;
  renewable: boolean;
  metadata: Record<string, string>;
}

/** Vault answered with `{"errors": [...]}` (or another non-2xx). */
export class VaultError extends Error {
  constructor(
    readonly status: number,
    readonly errors: string[],
  ) {
    super(errors.join('; ') || `HTTP ${status}`);
    this.name = 'VaultError';
  }
}

/** `POST $VAULT_ADDR/v1/auth/<mount>/login {role, jwt}`; `namespace` is Vault Enterprise's X-Vault-Namespace. */
export async function loginToVault(
  address: string,
  mount: string,
  role: string,
  jwt: string,
  namespace?: string,
): Promise<VaultLogin> {
  const url = vaultLoginUrl(address, mount);
  const response = await postToProvider(url, {
    headers: {
      'content-type': 'application/json',
      ...(namespace ? { 'x-vault-namespace': namespace } : {}),
    },
    body: JSON.stringify({ role, jwt }),
  });
  // Not JSON (a proxy's page): reported below with the status.
  const json = response.json ?? {};
  if (!response.ok) {
    const errors = Array.isArray(json['errors'])
      ? json['errors'].filter((entry): entry is string => typeof entry === 'string')
      : [];
    throw new VaultError(response.status, errors);
  }
  const auth = (json['auth'] ?? {}) as Record<string, unknown>;
  if (typeof auth['client_token'] !== 'string' || auth['client_token'] === '') {
    throw new VaultError(response.status, ['the login answer holds no auth.client_token']);
  }
  const metadata = (
    typeof auth['metadata'] === 'object' && auth['metadata'] !== null ? auth['metadata'] : {}
  ) as Record<string, string>;
  return {
    clientToken: auth['client_token'],
    ...(typeof auth['accessor'] === 'string' ? { accessor: auth['accessor'] } : {}),
    policies: Array.isArray(auth['policies']) ? auth['policies'].map(String) : [],
    leaseDuration: typeof auth['lease_duration'] === 'number' ? auth['lease_duration'] : 0,
    renewable: auth['renewable'] === true,
    metadata,
  };
}
