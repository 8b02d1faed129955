import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** `~/.vault-token`, the file the `vault` CLI reads when no token helper is configured. */
export function vaultTokenPath(env: NodeJS.ProcessEnv): string {
  return join(env['HOME'] || homedir(), '.vault-token');
}

/**
 * The `token_helper` of the `vault` CLI's configuration (VAULT_CONFIG_PATH, else ~/.vault), when one
 * is set: Vault then stores tokens by running `<helper> store` with the token on stdin. Only the
 * simple `token_helper = "/path"` line is read; anything else means the default file.
 */
export async function configuredTokenHelper(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const path = env['VAULT_CONFIG_PATH'] || join(env['HOME'] || homedir(), '.vault');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  const match = /^\s*token_helper\s*=\s*"([^"]+)"\s*(?:#.*)?$/m.exec(text);
  return match?.[1];
}
