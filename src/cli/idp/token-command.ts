import { connectionFlags, loadConnection } from '../config/load-connection.ts';
import type { ConnectionFlags } from '../config/resolve-connection.ts';
import { parseFlagsStrictly } from '../flag-spec.ts';
import { runIdpToken } from './run-token.ts';
import { tokenFlags } from './token-flags.ts';
import { parseTokenOptions, type TokenFlags } from './token-options.ts';

/** `envid idp token`, whether commander parsed its flags or the fast path did. */
export async function runTokenCommand(flags: TokenFlags & ConnectionFlags): Promise<void> {
  const options = parseTokenOptions(flags);
  const connection = await loadConnection(flags, process.env);
  await runIdpToken(connection, options, {
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
  });
}

/**
 * The arguments after `idp token` as flags, when they are nothing but well-formed flags of the command
 * (no --help, no unknown flag): then envid runs the command without loading commander at all.
 */
export function parseTokenArgsFast(args: string[]): (TokenFlags & ConnectionFlags) | undefined {
  return parseFlagsStrictly(args, [...tokenFlags, ...connectionFlags]) as
    | (TokenFlags & ConnectionFlags)
    | undefined;
}
