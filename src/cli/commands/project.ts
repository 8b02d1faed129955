import type { Command } from 'commander';
import { checkId, collect, nonEmpty, orgBody, parseInitializer } from '../admin/flags.ts';
import { labelOption, labelUpdateBody, parseLabelFlags, removeLabelOption } from '../admin/label-flags.ts';
import { type AdminSetup, addAdminCommand, addGroup, createInOrgOptions } from './admin-command.ts';
import { addOrgListCommand } from './list-command.ts';

/** --git-remote, --upstream-remote and --context-url, shared with `envid env create`. */
export const initializerOptions = (command: Command) =>
  command
    .option(
      '--git-remote <uri>',
      'git remote of the content (a URL or git@host:org/repo.git); repeatable',
      collect,
    )
    .option(
      '--upstream-remote <uri>',
      'upstream git remote of the preceding --git-remote; repeatable',
      collect,
    )
    .option('--context-url <url>', 'http(s) context URL of the content; repeatable', collect);

/** `envid project …`: templates for environments (ProjectService). */
export function registerProjectCommands(program: Command, setup: AdminSetup): void {
  const project = addGroup(program, {
    name: 'project',
    summary: 'projects (templates for environments)',
    description:
      'A project is a name and initializers (git remotes, context URLs) that environments are created ' +
      'from; the initializers show in environment tokens. Organization admins create and delete projects; ' +
      'users of the organization read them.',
    examples: [
      'envid project create --name app --git-remote https://github.com/acme/app.git',
      'envid project list',
    ],
  });

  addAdminCommand(
    project,
    {
      name: 'create',
      summary: 'create a project',
      description:
        'Creates a project (ProjectService/CreateProject). The i-th --git-remote, --upstream-remote and ' +
        '--context-url make up the i-th initializer (at most 10).',
      examples: [
        'envid project create --name app --git-remote https://github.com/acme/app.git',
        'envid project create --name fork --git-remote git@github.com:me/app.git --upstream-remote https://github.com/acme/app.git',
        'envid project create --name app --label team=web --label cost-center=42',
      ],
      json: true,
      options: (c) => labelOption(initializerOptions(createInOrgOptions(c))),
      parse: (_args, flags) => {
        const initializer = parseInitializer(flags);
        return {
          method: 'ProjectService/CreateProject',
          body: {
            name: nonEmpty(flags.name, '--name'),
            ...(initializer ? { initializer } : {}),
            environmentClass: {},
            ...parseLabelFlags(flags.label),
            ...orgBody(flags),
          },
          output: { kind: 'object', key: 'project', view: 'project' },
          json: flags.json === true,
        };
      },
    },
    setup,
  );

  addAdminCommand(
    project,
    {
      name: 'get <project-id>',
      summary: 'show a project',
      description: 'Shows a project and its initializers (ProjectService/GetProject).',
      examples: ['envid project get 0b6f0a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31 --json'],
      json: true,
      parse: ([id], flags) => ({
        method: 'ProjectService/GetProject',
        body: { projectId: checkId(id!, '<project-id>') },
        output: { kind: 'object', key: 'project', view: 'project' },
        json: flags.json === true,
      }),
    },
    setup,
  );

  addAdminCommand(
    project,
    {
      name: 'update <project-id>',
      summary: "change a project's labels",
      description:
        'Sets (adds or replaces) the --label labels and removes the --remove-label ones ' +
        '(ProjectService/UpdateProject); other labels stay. Organization admins only; the change is audited.',
      examples: [
        'envid project update 0b6f0a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31 --label team=web --remove-label legacy',
      ],
      json: true,
      options: (c) => removeLabelOption(labelOption(c)),
      parse: ([id], flags) => ({
        method: 'ProjectService/UpdateProject',
        body: { projectId: checkId(id!, '<project-id>'), ...labelUpdateBody(flags) },
        output: { kind: 'object', key: 'project', view: 'project' },
        json: flags.json === true,
      }),
    },
    setup,
  );

  addOrgListCommand(
    project,
    {
      summary: 'list projects',
      description: 'Lists projects (ProjectService/ListProjects).',
      examples: ['envid project list', 'envid project list --all --json'],
      method: 'ProjectService/ListProjects',
      key: 'projects',
      view: 'project',
    },
    setup,
  );

  addAdminCommand(
    project,
    {
      name: 'delete <project-id>',
      summary: 'delete a project',
      description:
        'Deletes a project (ProjectService/DeleteProject). Refused while environments of the project are not ' +
        'deleted, unless --force, which deletes them first (their tokens are revoked).',
      examples: [
        'envid project delete 0b6f0a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31',
        'envid project delete 0b6f0a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31 --force',
      ],
      options: (c) => c.option('--force', 'also delete its environments that are not deleted yet'),
      parse: ([id], flags) => {
        const projectId = checkId(id!, '<project-id>');
        return {
          method: 'ProjectService/DeleteProject',
          body: { projectId, ...(flags.force ? { force: true } : {}) },
          output: { kind: 'done', message: `deleted project ${projectId}` },
          json: false,
        };
      },
    },
    setup,
  );
}
