import type { Command } from 'commander';
import { auditEventKinds } from '../../core/audit/audit-event-kinds.ts';
import { usageError } from '../../shared/exit-codes.ts';
import { collect, optionalId, orgBody, parseTime, parseValidFor } from '../admin/flags.ts';
import { type AdminSetup, addGroup, orgOption } from './admin-command.ts';
import { addListCommand } from './list-command.ts';

/** `envid audit list`: the audit log (AuditService). */
export function registerAuditCommands(program: Command, setup: AdminSetup): void {
  const audit = addGroup(program, {
    name: 'audit',
    summary: 'the audit log',
    description:
      'The audit log: every issued token (never the token), token format changes and signing key events. ' +
      'The installation admin reads all of it; organization admins read their organization’s.',
    examples: ['envid audit list --since 1h', 'envid audit list --kind oidc_config.updated --all --json'],
  });

  addListCommand(
    audit,
    {
      summary: 'list audit events, oldest first',
      description:
        'Lists audit events (AuditService/ListAuditEvents), oldest first, filtered by kind, principal and ' +
        'time (--from inclusive, --to exclusive; --since D means from D ago). Without --org: the ' +
        'credential’s organization, or every event for the installation admin. With several kinds a page ' +
        'may be short while more pages remain; --all reads them all.',
      examples: [
        'envid audit list --since 1h',
        'envid audit list --kind token.issued --principal e3a90a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31 --all',
        'envid audit list --from 2026-11-01T00:00:00Z --to 2026-11-02T00:00:00Z --json',
      ],
      options: (c) =>
        orgOption(c, 'only this organization (default: the credential’s; the installation admin: all)')
          .option(
            '--kind <kind>',
            `only events of this kind; repeatable: ${auditEventKinds.join(', ')}`,
            collect,
          )
          .option('--principal <id>', 'only events concerning this principal (e.g. the token’s environment)')
          .option('--from <time>', 'events at or after this RFC 3339 time')
          .option('--to <time>', 'events before this RFC 3339 time')
          .option('--since <duration>', 'events of the last D, e.g. 15m, 24h, 7d (instead of --from)'),
      body: (_args, flags, now) => {
        const kinds: string[] = [...new Set<string>(flags.kind ?? [])];
        const unknown = kinds.find((kind) => !auditEventKinds.some((known) => known === kind));
        if (unknown !== undefined) {
          throw usageError(
            `invalid --kind ${JSON.stringify(unknown)}: must be one of ${auditEventKinds.join(', ')}`,
          );
        }
        if (flags.since !== undefined && flags.from !== undefined)
          throw usageError('give --since or --from, not both');
        const from =
          flags.since !== undefined
            ? new Date(
                now.getTime() - Number.parseInt(parseValidFor(flags.since, '--since'), 10) * 1000,
              ).toISOString()
            : flags.from !== undefined
              ? parseTime(flags.from, '--from')
              : undefined;
        const to = flags.to !== undefined ? parseTime(flags.to, '--to') : undefined;
        const principalId = optionalId(flags.principal, '--principal');
        const filter = {
          ...(kinds.length > 0 ? { kinds } : {}),
          ...(principalId ? { principalId } : {}),
          ...(from ? { from } : {}),
          ...(to ? { to } : {}),
        };
        return { ...orgBody(flags), ...(Object.keys(filter).length > 0 ? { filter } : {}) };
      },
      method: 'AuditService/ListAuditEvents',
      key: 'events',
      view: 'auditEvent',
      defaultOrganization: 'optional',
    },
    setup,
  );
}
