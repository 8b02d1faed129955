import fs from 'node:fs';
import { kubernetesCredentialOptions } from '../../relying-parties/kubernetes/credential-options.ts';
import {
  cachedExecCredential,
  type KubernetesCredentialFlags,
  pluginAudience,
  runKubernetesCredential,
} from '../../relying-parties/kubernetes/exec-credential.ts';
import { connectionFlags, loadConnectionSync } from '../config/load-connection.ts';
import { flagSpecOf, parseFlagsStrictly } from '../flag-spec.ts';
import { loginContext } from './login-context.ts';

/**
 * `envid idp kubernetes-credential`, the kubectl exec plugin, without commander (src/cli/entry.ts):
 * kubectl runs it on every invocation. A cached answer is read and printed synchronously, before
 * anything else is set up (not even process.stdout, which costs a stream); anything else, an error too,
 * is the command's full run, which explains it.
 */
export function runKubernetesCredentialFast(flags: KubernetesCredentialFlags): Promise<undefined> {
  try {
    const connection = loadConnectionSync(flags, process.env);
    const cached = cachedExecCredential(process.env, connection, pluginAudience(flags), Date.now());
    if (cached !== undefined && writeAll(cached)) return Promise.resolve(undefined);
  } catch {
    // The full run below meets the same problem and reports it.
  }
  return runKubernetesCredential(flags, loginContext(flags));
}

/** Writes to fd 1 directly; false when nothing could be written without blocking (process.stdout takes over). */
function writeAll(text: string): boolean {
  const bytes = Buffer.from(text);
  let written = 0;
  try {
    while (written < bytes.length) written += fs.writeSync(1, bytes, written);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EAGAIN' && written === 0) return false;
    throw error;
  }
}

/** The arguments after `idp kubernetes-credential` when they are well-formed flags of it, else undefined. */
export function parseKubernetesCredentialArgsFast(args: string[]): KubernetesCredentialFlags | undefined {
  return parseFlagsStrictly(args, [...kubernetesCredentialOptions.map(flagSpecOf), ...connectionFlags]) as
    | KubernetesCredentialFlags
    | undefined;
}
