import type { RelyingParty } from '../../relying-parties/relying-party.ts';
import type { TrustPlan } from '../../relying-parties/trust-plan.ts';
import { callApi } from '../api-client.ts';
import { loadConnection } from '../config/load-connection.ts';
import type { ConnectionFlags } from '../config/resolve-connection.ts';
import { writeJson } from '../output.ts';
import { parseScopeFlag } from './trust-scope-flag.ts';

export interface TrustFlags extends ConnectionFlags {
  scope?: string;
  organization?: string;
  commands?: boolean;
  [setting: string]: unknown;
}

/**
 * `envid idp trust <id>`: asks the server for the scope's sub and plans (TrustService/PlanTrust), then
 * renders the relying party's documents with its trust.ts. Prints the envelope as JSON, or with
 * `--commands` the provider's commands alone (warnings on stderr), ready to paste.
 */
export async function runTrust(
  party: RelyingParty,
  flags: TrustFlags,
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
): Promise<void> {
  const scope = parseScopeFlag(flags.scope);
  const connection = await loadConnection(flags, process.env);
  const plan = await callApi<TrustPlan>(connection, 'TrustService/PlanTrust', {
    ...scope,
    ...(flags.organization ? { organizationId: flags.organization } : {}),
    // The audience the relying party's tokens are asked for: its profile (if any) shapes the plan.
    audience: typeof flags['audience'] === 'string' ? flags['audience'] : party.defaultAudience,
  });
  const envelope = party.trust.render(plan, flags);
  if (!flags.commands) return writeJson(io.stdout, envelope);
  for (const warning of envelope.warnings) io.stderr.write(`envid: ${warning}\n`);
  io.stdout.write(`${envelope.commands.join('\n')}\n`);
}
