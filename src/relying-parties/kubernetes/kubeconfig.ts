import fs from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { usageError } from '../../shared/exit-codes.ts';
import { writeFileAtomic } from '../../shared/write-file-atomic.ts';

/**
 * The kubeconfig file (kubectl's clusters, users and contexts) that `envid idp login kubernetes`
 * merges its entries into: entries of the same name are replaced, everything else is kept (comments
 * are not: kubectl's own `kubectl config set-…` drops them too).
 */

/**
 * Where kubectl writes new entries: with KUBECONFIG, its first file that exists, else its last (as
 * client-go's ModifyConfig picks it); without, ~/.kube/config.
 */
export function kubeconfigPath(env: NodeJS.ProcessEnv): string {
  const files = (env['KUBECONFIG'] ?? '').split(delimiter).filter((file) => file !== '');
  if (files.length === 0) return join(env['HOME'] || homedir(), '.kube', 'config');
  return files.find((file) => fs.existsSync(file)) ?? files[files.length - 1]!;
}

export interface KubeconfigEntries {
  /** The names of the cluster, user and context entries. */
  cluster: string;
  user: string;
  context: string;
  server: string;
  /** PEM of the cluster's CA, written as certificate-authority-data. */
  certificateAuthority?: string;
  /** The exec plugin: the installed envid and its arguments. */
  command: string;
  args: string[];
}

type Named = { name?: unknown } & Record<string, unknown>;

/** The file's content with the entries merged in, and the context it had as current before. */
export function mergeKubeconfig(
  text: string | undefined,
  entries: KubeconfigEntries,
  path: string,
): { text: string; previousContext: string | undefined } {
  let config: Record<string, unknown> = {};
  if (text !== undefined && text.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = parse(text);
    } catch (error) {
      throw usageError(
        `${path} is not valid YAML (${(error as Error).message.split('\n')[0]}): fix or move it, then log in again`,
      );
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw usageError(
        `${path} is not a kubeconfig (expected a YAML mapping with clusters, users and contexts)`,
      );
    }
    config = parsed as Record<string, unknown>;
  }
  const list = (key: string): Named[] => {
    const value = config[key] ?? [];
    if (!Array.isArray(value))
      throw usageError(`${path}: ${key} is not a list; fix the file, then log in again`);
    return value as Named[];
  };
  const upsert = (key: string, entry: Named) => {
    const others = list(key).filter((existing) => existing?.name !== entry.name);
    config[key] = [...others, entry];
  };
  const previous = typeof config['current-context'] === 'string' ? config['current-context'] : undefined;
  upsert('clusters', {
    name: entries.cluster,
    cluster: {
      server: entries.server,
      ...(entries.certificateAuthority !== undefined
        ? { 'certificate-authority-data': Buffer.from(entries.certificateAuthority).toString('base64') }
        : {}),
    },
  });
  upsert('users', {
    name: entries.user,
    user: {
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: entries.command,
        args: entries.args,
        interactiveMode: 'Never',
        provideClusterInfo: false,
        installHint: 'envid is not installed: see docs/providers/kubernetes.md (npm install -g envid)',
      },
    },
  });
  upsert('contexts', { name: entries.context, context: { cluster: entries.cluster, user: entries.user } });
  config['apiVersion'] ??= 'v1';
  config['kind'] ??= 'Config';
  config['current-context'] = entries.context;
  return { text: stringify(config), previousContext: previous };
}

/** Reads, merges and writes the kubeconfig atomically (file 0600; a directory it creates 0700). */
export async function updateKubeconfig(
  path: string,
  entries: KubeconfigEntries,
): Promise<{ previousContext: string | undefined }> {
  let text: string | undefined;
  try {
    text = await fs.promises.readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw usageError(`cannot read the kubeconfig ${path}: ${(error as Error).message}`);
    }
  }
  const merged = mergeKubeconfig(text, entries, path);
  // Only a directory made here is narrowed: KUBECONFIG may point into a shared one.
  await fs.promises.mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFileAtomic(path, merged.text, 0o600).catch((error: Error) => {
    throw usageError(`cannot write the kubeconfig ${path}: ${error.message}`);
  });
  return { previousContext: merged.previousContext };
}
