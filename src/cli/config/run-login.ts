import { credentialsPath } from '../../shared/config-paths.ts';
import { describeIdentity, fetchIdentity } from '../idp/run-whoami.ts';
import { deleteCredentialsFile, writeCredentialsFile } from './credentials-file.ts';
import type { Connection } from './resolve-connection.ts';

/** `envid login`: checks the credential against the server, then saves host and credential. */
export async function runLogin(
  connection: Connection,
  env: NodeJS.ProcessEnv,
  stdout: NodeJS.WritableStream,
): Promise<void> {
  const identity = await fetchIdentity(connection);
  const path = await writeCredentialsFile(env, { host: connection.host, token: connection.token });
  stdout.write(
    `Logged in to ${connection.host} as ${describeIdentity(identity)}.\nSaved to ${path} (mode 0600).\n`,
  );
}

/** `envid logout`: forgets the saved login (the credential itself stays valid on the server). */
export async function runLogout(env: NodeJS.ProcessEnv, stdout: NodeJS.WritableStream): Promise<void> {
  const removed = await deleteCredentialsFile(env);
  const path = credentialsPath(env);
  stdout.write(
    removed
      ? `Removed ${path}. The credential itself stays valid until it is revoked on the server.\n`
      : `No saved login (${path} does not exist).\n`,
  );
}
