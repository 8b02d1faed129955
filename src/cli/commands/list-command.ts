import type { Command } from 'commander';
import type { AdminRequest, ViewName } from '../admin/admin-request.ts';
import { orgBody, parsePageFlags } from '../admin/flags.ts';
import { type AdminSetup, addAdminCommand, orgHelpForList, orgOption } from './admin-command.ts';

/** What differs between the paged `list` commands (users, runners, a runner's tokens, …). */
export interface ListCommandSpec {
  /** `list` unless it takes arguments, e.g. `list <runner-id>`. */
  name?: string;
  summary: string;
  description: string;
  examples: string[];
  options?: (command: Command) => Command;
  /** The body without the page; runs after the page flags are checked, so their errors come first. */
  // biome-ignore lint/suspicious/noExplicitAny: commander's option values are untyped
  body?: (args: string[], flags: any, now: Date) => Record<string, unknown>;
  /** `Service/Method`, e.g. `UserService/ListUsers`. */
  method: string;
  /** The answer's list field, e.g. `users`, shown as a table of `view` rows. */
  key: string;
  view: ViewName;
  defaultOrganization?: AdminRequest['defaultOrganization'];
}

/** A paged list command: --page-size, --page-token, --all and --json, the answer's list as a table. */
export function addListCommand(parent: Command, spec: ListCommandSpec, setup: AdminSetup): Command {
  return addAdminCommand(
    parent,
    {
      name: spec.name ?? 'list',
      summary: spec.summary,
      description: spec.description,
      examples: spec.examples,
      json: true,
      paging: true,
      ...(spec.options ? { options: spec.options } : {}),
      parse: (args, flags, now) => {
        const { all, ...page } = parsePageFlags(flags);
        return {
          method: spec.method,
          body: { ...spec.body?.(args, flags, now), ...page },
          ...(spec.defaultOrganization ? { defaultOrganization: spec.defaultOrganization } : {}),
          output: { kind: 'list', key: spec.key, view: spec.view, all },
          json: flags.json === true,
        };
      },
    },
    setup,
  );
}

/**
 * `envid <group> list` of one organization's things (projects, runners, service accounts): --org is for
 * the installation admin; everyone else sees their own organization's.
 */
export const addOrgListCommand = (
  parent: Command,
  spec: Omit<ListCommandSpec, 'name' | 'options' | 'body'>,
  setup: AdminSetup,
) =>
  addListCommand(
    parent,
    { ...spec, options: (c) => orgOption(c, orgHelpForList), body: (_args, flags) => orgBody(flags) },
    setup,
  );
