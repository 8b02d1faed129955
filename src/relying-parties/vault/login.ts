import { spawn } from 'node:child_process';
import { CliError, ExitCode, usageError } from '../../shared/exit-codes.ts';
import { writeFileAtomic } from '../../shared/write-file-atomic.ts';
import type { EnvidConnectionFlags, LoginContext } from '../relying-party.ts';
import { explainProviderError, providerUnreachable } from '../support/explain-error.ts';
import { ProviderUnreachableError } from '../support/post-to-provider.ts';
import { optionalValue, parsedFlag, requiredValue } from '../support/required-value.ts';
import { loginToVault, VaultError } from './exchange.ts';
import { explainVaultError } from './explain.ts';
import {
  defaultVaultAudience,
  defaultVaultMount,
  parseVaultAddress,
  parseVaultMount,
  parseVaultRole,
} from './rules.ts';
import { configuredTokenHelper, vaultTokenPath } from './token-store.ts';

export interface VaultLoginFlags extends EnvidConnectionFlags {
  role?: string;
  mount?: string;
  audience?: string;
  address?: string;
}

/**
 * `envid idp login vault`: logs in to Vault's JWT auth method with a fresh envid token, then stores the
 * Vault token where the `vault` CLI reads it: through its configured token helper, else ~/.vault-token
 * (mode 0600).
 */
export async function runVaultLogin(flags: VaultLoginFlags, context: LoginContext): Promise<void> {
  const { env } = context;
  const role = parsedFlag(
    '--role',
    parseVaultRole,
    requiredValue(flags.role, env, { flag: '--role', envVar: 'IDP_VAULT_ROLE', example: 'dev-environment' }),
  );
  const address = parsedFlag(
    '--address',
    parseVaultAddress,
    requiredValue(flags.address, env, {
      flag: '--address',
      envVar: 'VAULT_ADDR',
      example: 'https://vault.example.com:8200',
    }),
  );
  const mount = parsedFlag('--mount', parseVaultMount, flags.mount ?? defaultVaultMount);
  const audience = flags.audience?.trim() || defaultVaultAudience;
  if (/\s/.test(audience))
    throw usageError(`invalid --audience ${JSON.stringify(audience)}: it must not contain whitespace`);
  const namespace = optionalValue(undefined, env, 'VAULT_NAMESPACE');

  const { token } = await context.freshToken(audience);
  let login: Awaited<ReturnType<typeof loginToVault>>;
  try {
    login = await loginToVault(address, mount, role, token, namespace);
  } catch (error) {
    if (error instanceof ProviderUnreachableError) throw providerUnreachable('Vault', error.url, error.cause);
    if (!(error instanceof VaultError)) throw error;
    const explanation = explainVaultError(error, { address, mount, role, audience });
    throw explainProviderError({
      provider: `Vault (${address}, auth/${mount})`,
      code: explanation.code,
      meaning: explanation.meaning,
      token,
      expected: explanation.expected,
      nextStep: explanation.nextStep,
      providerMessage: error.errors.join('; ') || undefined,
      ...(error.status >= 500 ? { exitCode: ExitCode.serverError } : {}),
    });
  }

  const helper = await configuredTokenHelper(env);
  const where = helper ? `the token helper ${helper}` : vaultTokenPath(env);
  if (helper) await storeWithHelper(helper, login.clientToken, env);
  else await writeFileAtomic(vaultTokenPath(env), login.clientToken, 0o600);

  const lifetime =
    login.leaseDuration > 0 ? `lives ${formatDuration(login.leaseDuration)}` : 'does not expire';
  const lines = [
    `Vault: logged in at ${address} (auth/${mount}, role ${role}); policies ${login.policies.join(', ') || '(none)'}; the token ${lifetime}${login.renewable ? ', renewable with `vault token renew`' : ''}.`,
    `The vault CLI reads it from ${where}.`,
  ];
  if (env['VAULT_TOKEN']) {
    lines.push('Note: VAULT_TOKEN is set in this environment and wins over the stored token: unset it.');
  }
  context.stdout.write(`${lines.join('\n')}\n`);
}

/** Vault's token helper protocol: `<helper> store` with the token on stdin. */
function storeWithHelper(helper: string, token: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(helper, ['store'], { env, stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', (error) =>
      reject(new CliError(`cannot run the Vault token helper ${helper}: ${error.message}`, ExitCode.usage)),
    );
    child.on('close', (code) => {
      if (code === 0) resolve();
      else
        reject(
          new CliError(
            `the Vault token helper ${helper} failed (exit ${code}): ${stderr.trim()}`,
            ExitCode.serverError,
          ),
        );
    });
    child.stdin.end(token);
  });
}

function formatDuration(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400} d`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}
