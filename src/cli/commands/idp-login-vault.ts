import type { Command } from 'commander';
import { addConnectionOptions } from '../config/load-connection.ts';
import { formatExamples } from './help-examples.ts';

/** `envid idp login vault`. */
export function registerVaultLogin(login: Command): void {
  addConnectionOptions(
    login
      .command('vault')
      .summary('HashiCorp Vault: JWT auth login for the vault CLI')
      .description(
        'Logs in to Vault’s JWT auth method ($VAULT_ADDR/v1/auth/<mount>/login) with a fresh envid token and ' +
          'stores the Vault token where the vault CLI reads it: its configured token_helper, else ~/.vault-token ' +
          '(mode 0600). See docs/providers/vault.md.',
      )
      .option('--role <role>', 'the JWT auth role (env IDP_VAULT_ROLE)')
      .option('--address <url>', 'the Vault server (env VAULT_ADDR)')
      .option('--mount <path>', 'where the JWT auth method is mounted', 'jwt')
      .option(
        '--audience <aud>',
        'aud of the envid token, one of the role’s bound_audiences',
        'vault.hashicorp.com',
      ),
  )
    .addHelpText(
      'after',
      formatExamples([
        'VAULT_ADDR=https://vault.example.com:8200 envid idp login vault --role dev-environment',
        'envid idp login vault --role dev --mount envid-jwt --audience https://vault.example.com',
      ]),
    )
    .action(async (flags) => {
      const { runVaultLogin } = await import('../../providers/vault-login.ts');
      await runVaultLogin(flags, { env: process.env, stdout: process.stdout, stderr: process.stderr });
    });
}
