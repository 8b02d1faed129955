import fs from 'node:fs';
import { kubernetesCredentialOptions } from '../../relying-parties/kubernetes/credential-options.ts';
import {
  cachedExecCredential,
  type KubernetesCredentialFlags,
  pluginAudience,
} from '../../relying-parties/kubernetes/exec-credential.ts';
import { connectionFlags, loadConnectionSync } from '../config/load-connection.ts';
import { flagSpecOf, parseFlagsStrictly } from '../flag-spec.ts';

/**
 * `envid idp kubernetes-credential`, the kubectl exec plugin, answered from its cache: kubectl runs it
 * on every invocation, so bin/envid.js loads this file's bundle (dist/kubernetes-credential.cjs, a few
 * kilobytes) before the CLI's own. A cached answer is read and printed synchronously (not even
 * process.stdout is set up: it costs a stream); anything else, an error too, is left to the CLI
 * (entry.ts), whose full run fetches a token or explains what is wrong.
 */
export function answerKubernetesCredentialFromCache(args: string[]): boolean {
  const flags = parseKubernetesCredentialArgsFast(args);
  if (flags === undefined) return false;
  try {
    const connection = loadConnectionSync(flags, process.env);
    const cached = cachedExecCredential(process.env, connection, pluginAudience(flags), Date.now());
    return cached !== undefined && writeAll(cached);
  } catch {
    // The full run meets the same problem and reports it.
    return false;
  }
}

/** Writes to fd 1 directly; false when nothing could be written without blocking (the CLI takes over). */
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
