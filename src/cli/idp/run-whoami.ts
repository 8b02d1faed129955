import { callApi } from '../api-client.ts';
import type { Connection } from '../config/resolve-connection.ts';

export interface Identity {
  organizationId?: string;
  subject?: { id?: string; principal?: string };
}

/** IdentityService/GetAuthenticatedIdentity: who the credential is. */
export function fetchIdentity(connection: Connection): Promise<Identity> {
  return callApi<Identity>(connection, 'IdentityService/GetAuthenticatedIdentity', {});
}

/** `PRINCIPAL_SERVICE_ACCOUNT` → `service account`; the installation admin is `PRINCIPAL_ACCOUNT`. */
export function describePrincipal(principal: string | undefined): string {
  if (principal === 'PRINCIPAL_ACCOUNT') return 'installation admin';
  return (principal ?? 'unknown')
    .replace(/^PRINCIPAL_/, '')
    .toLowerCase()
    .replaceAll('_', ' ');
}

/** One line saying who the identity is, e.g. `environment 0b5f… in organization 8d0f…`. */
export function describeIdentity(identity: Identity): string {
  const who = `${describePrincipal(identity.subject?.principal)} ${identity.subject?.id ?? '?'}`;
  return identity.organizationId ? `${who} in organization ${identity.organizationId}` : who;
}

/** `envid idp whoami`: a readable block, or stable JSON with `--json`. */
export async function runWhoami(
  connection: Connection,
  json: boolean,
  stdout: NodeJS.WritableStream,
): Promise<void> {
  const identity = await fetchIdentity(connection);
  if (json) {
    const out = {
      host: connection.host,
      organizationId: identity.organizationId ?? null,
      subject: { id: identity.subject?.id ?? null, principal: identity.subject?.principal ?? null },
    };
    stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return;
  }
  stdout.write(
    `host:         ${connection.host}\n` +
      `principal:    ${describePrincipal(identity.subject?.principal)}\n` +
      `id:           ${identity.subject?.id ?? ''}\n` +
      `organization: ${identity.organizationId ?? '(none)'}\n`,
  );
}
