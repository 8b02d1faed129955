/**
 * HashiCorp Vault's JWT auth method: the settings a login takes (address, mount, role) and its default
 * audience. The single place for Vault's rules (from Vault's documentation and the vault-plugin-auth-jwt
 * sources; the user's side: docs/providers/vault.md); the login request is in exchange.ts, its errors
 * explained in explain.ts, where the `vault` CLI reads its token in token-store.ts.
 */

export const defaultVaultAudience = 'vault.hashicorp.com';
export const defaultVaultMount = 'jwt';

/** `VAULT_ADDR` as a base URL without a trailing slash; throws an Error saying what is expected. */
export function parseVaultAddress(value: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new Error(`expected a URL such as https://vault.example.com:8200, got ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`the scheme must be https (or http), got ${JSON.stringify(value)}`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new Error(`expected a URL without query, fragment or user, got ${JSON.stringify(value)}`);
  }
  return url.href.replace(/\/+$/, '');
}

/** An auth mount path such as `jwt` or `team-a/jwt` (leading and trailing slashes dropped). */
export function parseVaultMount(value: string): string {
  const mount = value.trim().replace(/^\/+|\/+$/g, '');
  if (
    !/^[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*$/.test(mount) ||
    mount.split('/').some((part) => /^\.+$/.test(part))
  ) {
    throw new Error(`expected a mount path such as jwt or team-a/jwt, got ${JSON.stringify(value)}`);
  }
  return mount;
}

/** Vault role names are case-insensitive (stored lower-case); letters, digits, `_`, `-`, `.`, `@`. */
export function parseVaultRole(value: string): string {
  const role = value.trim();
  if (!/^[A-Za-z0-9_.@-]{1,128}$/.test(role)) {
    throw new Error(
      `expected a role name such as dev-env (letters, digits, _ - . @), got ${JSON.stringify(value)}`,
    );
  }
  return role;
}
