import type { Command } from 'commander';
import type { AdminRequest } from '../admin/admin-request.ts';
import { addConnectionOptions, loadConnection } from '../config/load-connection.ts';
import type { ConnectionFlags } from '../config/resolve-connection.ts';
import { formatExamples } from './help-examples.ts';

/**
 * The frame of every admin command: summary, description, examples, --json and paging flags, and an
 * action that turns the flags into an AdminRequest (pure, tested in test/cli/admin-flags.test.ts) and
 * hands it to `dispatch`, which loads the code talking to the server only then (dynamic import).
 */

/** Carries out a request; tests pass one that records it instead. */
export type Dispatch = (request: AdminRequest, connection: ConnectionFlags) => Promise<void>;

export interface AdminSetup {
  dispatch: Dispatch;
  now: () => Date;
}

export interface AdminCommandSpec {
  /** Name with its arguments, e.g. `get <organization-id>`. */
  name: string;
  aliases?: string[];
  summary: string;
  description: string;
  examples: string[];
  /** Adds --json (for commands that answer something). */
  json?: boolean;
  /** Adds --page-size, --page-token and --all. */
  paging?: boolean;
  options?: (command: Command) => Command;
  // biome-ignore lint/suspicious/noExplicitAny: commander's option values are untyped
  parse: (args: string[], flags: any, now: Date) => AdminRequest;
}

export const defaultSetup: AdminSetup = {
  dispatch: async (request, flags) => {
    const connection = await loadConnection(flags, process.env);
    const { runAdminRequest } = await import('../admin/run-admin-request.ts');
    await runAdminRequest(connection, request, { stdout: process.stdout, stderr: process.stderr });
  },
  now: () => new Date(),
};

/** A command group such as `envid org`; its subcommands are added with addAdminCommand. */
export function addGroup(
  parent: Command,
  spec: { name: string; aliases?: string[]; summary: string; description: string; examples: string[] },
): Command {
  const group = parent.command(spec.name).summary(spec.summary).description(spec.description);
  for (const alias of spec.aliases ?? []) group.alias(alias);
  return group.addHelpText('after', formatExamples(spec.examples));
}

export function addAdminCommand(parent: Command, spec: AdminCommandSpec, setup: AdminSetup): Command {
  let command = parent.command(spec.name).summary(spec.summary).description(spec.description);
  for (const alias of spec.aliases ?? []) command.alias(alias);
  if (spec.options) command = spec.options(command);
  if (spec.paging) {
    command
      .option('--page-size <n>', 'how many per page, 1 to 100 (default 25)')
      .option('--page-token <token>', 'the page to read: the nextToken of the previous page')
      .option('--all', 'read every page');
  }
  if (spec.json) command.option('--json', "print the API's answer as JSON (docs/api.md)");
  addConnectionOptions(command)
    .addHelpText('after', formatExamples(spec.examples))
    .action(async (...args: unknown[]) => {
      const self = args[args.length - 1] as Command;
      const positional = args.slice(0, -2) as string[];
      const flags = self.opts();
      const request = spec.parse(positional, flags, setup.now());
      await setup.dispatch(request, { host: flags['host'], token: flags['token'] });
    });
  return command;
}

export const orgOption = (command: Command, help = "the organization (default: the credential's)") =>
  command.option('--org <organization-id>', help);

/** --org and --name of the commands that create a named thing in an organization (project, runner, …). */
export const createInOrgOptions = (command: Command) =>
  orgOption(
    command,
    'the organization (required for the installation admin; else the credential’s)',
  ).requiredOption('--name <name>', 'its name, at most 80 characters (required)');

/** --org's help on commands that list an organization's things. */
export const orgHelpForList = 'only this organization (the installation admin; others see their own)';
