import type { Command } from 'commander';
import type { ViewName } from '../admin/admin-request.ts';
import { orgBody, parsePageFlags } from '../admin/flags.ts';
import { type AdminSetup, addAdminCommand, orgHelpForList, orgOption } from './admin-command.ts';

/** What differs between the `list` commands of an organization's projects, runners, service accounts. */
export interface OrgListSpec {
  summary: string;
  description: string;
  examples: string[];
  /** `Service/Method`, e.g. `ProjectService/ListProjects`. */
  method: string;
  /** The answer's list field, e.g. `projects`. */
  key: string;
  view: ViewName;
}

/**
 * `envid <group> list`: one organization's things, a page at a time (or --all). --org is for the
 * installation admin; everyone else sees their own organization's.
 */
export function addOrgListCommand(parent: Command, spec: OrgListSpec, setup: AdminSetup): Command {
  return addAdminCommand(
    parent,
    {
      name: 'list',
      summary: spec.summary,
      description: spec.description,
      examples: spec.examples,
      json: true,
      paging: true,
      options: (c) => orgOption(c, orgHelpForList),
      parse: (_args, flags) => {
        const { all, ...page } = parsePageFlags(flags);
        return {
          method: spec.method,
          body: { ...orgBody(flags), ...page },
          output: { kind: 'list', key: spec.key, view: spec.view, all },
          json: flags.json === true,
        };
      },
    },
    setup,
  );
}
