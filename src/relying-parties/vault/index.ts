import type { RelyingParty } from '../relying-party.ts';
import { defaultVaultAudience, defaultVaultMount } from './rules.ts';
import { vaultTrust } from './trust.ts';

/** HashiCorp Vault's JWT auth method for the vault CLI (docs/providers/vault.md). */
export const vault: RelyingParty = {
  id: 'vault',
  title: 'Vault',
  docs: 'docs/providers/vault.md',
  defaultAudience: defaultVaultAudience,
  // Vault's JWT auth method sets no limit of its own: its role says what it accepts.
  limits: {},
  check: { load: async () => (await import('./check.ts')).vaultTrustCheck },
  rules: { tokenProblems: () => [] },
  login: {
    name: 'vault',
    summary: 'HashiCorp Vault: JWT auth login for the vault CLI',
    description:
      'Logs in to Vault’s JWT auth method ($VAULT_ADDR/v1/auth/<mount>/login) with a fresh envid token and ' +
      'stores the Vault token where the vault CLI reads it: its configured token_helper, else ~/.vault-token ' +
      '(mode 0600). See docs/providers/vault.md.',
    connectionOptions: 'last',
    options: [
      { flags: '--role <role>', description: 'the JWT auth role (env IDP_VAULT_ROLE)' },
      { flags: '--address <url>', description: 'the Vault server (env VAULT_ADDR)' },
      {
        flags: '--mount <path>',
        description: 'where the JWT auth method is mounted',
        default: defaultVaultMount,
      },
      {
        flags: '--audience <aud>',
        description: 'aud of the envid token, one of the role’s bound_audiences',
        default: defaultVaultAudience,
      },
    ],
    examples: [
      'VAULT_ADDR=https://vault.example.com:8200 envid idp login vault --role dev-environment',
      'envid idp login vault --role dev --mount envid-jwt --audience https://vault.example.com',
    ],
    run: async (flags, context) => {
      const { runVaultLogin } = await import('./login.ts');
      await runVaultLogin(flags, context);
      return undefined;
    },
  },
  commands: [],
  trust: vaultTrust,
};
