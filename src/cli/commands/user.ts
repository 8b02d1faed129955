import type { Command } from 'commander';
import { checkId, nonEmpty } from '../admin/flags.ts';
import { type AdminSetup, addAdminCommand, addGroup } from './admin-command.ts';
import { addListCommand } from './list-command.ts';

/** `envid user …`: people, installation-wide (UserService). Memberships: `envid org members`. */
export function registerUserCommands(program: Command, setup: AdminSetup): void {
  const user = addGroup(program, {
    name: 'user',
    summary: 'users (people), installation-wide',
    description:
      'Users are people; each is a member of organizations (`envid org members`). The installation admin ' +
      'creates, lists and deletes them; a user reads itself and the members of its organization.',
    examples: [
      'envid user create --email ada@example.com --name "Ada Lovelace"',
      'envid user list',
      'envid user me',
    ],
  });

  addAdminCommand(
    user,
    {
      name: 'create',
      summary: 'create a user (installation admin)',
      description:
        'Creates a user (UserService/CreateUser); e-mail addresses are unique, kept in lower case. Then add ' +
        'the user to an organization with `envid org members add` and give it a token with `envid pat create`.',
      examples: ['envid user create --email ada@example.com --name "Ada Lovelace" --json'],
      json: true,
      options: (c) =>
        c
          .requiredOption('--email <email>', 'e-mail address (required)')
          .requiredOption('--name <name>', 'full name, at most 120 characters (required)'),
      parse: (_args, flags) => ({
        method: 'UserService/CreateUser',
        body: { email: nonEmpty(flags.email, '--email'), name: nonEmpty(flags.name, '--name') },
        output: { kind: 'object', key: 'user', view: 'user' },
        json: flags.json === true,
      }),
    },
    setup,
  );

  addAdminCommand(
    user,
    {
      name: 'get <user-id>',
      summary: 'show a user',
      description: 'Shows a user (UserService/GetUser).',
      examples: ['envid user get 0b5f6a1e-2c1d-4a8e-9d7b-5f2c8e6a4b31'],
      json: true,
      parse: ([id], flags) => ({
        method: 'UserService/GetUser',
        body: { userId: checkId(id!, '<user-id>') },
        output: { kind: 'object', key: 'user', view: 'user' },
        json: flags.json === true,
      }),
    },
    setup,
  );

  addAdminCommand(
    user,
    {
      name: 'me',
      summary: "show the credential's user",
      description:
        'Shows the user a personal access token belongs to (UserService/GetAuthenticatedUser), with the ' +
        'organization the token is bound to. Other credentials: use `envid idp whoami`.',
      examples: ['envid user me', 'envid user me --json | jq -r .user.email'],
      json: true,
      parse: (_args, flags) => ({
        method: 'UserService/GetAuthenticatedUser',
        body: {},
        output: { kind: 'object', key: 'user', view: 'authenticatedUser' },
        json: flags.json === true,
      }),
    },
    setup,
  );

  addListCommand(
    user,
    {
      summary: 'list every user (installation admin)',
      description:
        "Lists every user of the installation (UserService/ListUsers). An organization's users: `envid org members list`.",
      examples: ['envid user list', 'envid user list --all --json'],
      method: 'UserService/ListUsers',
      key: 'users',
      view: 'user',
    },
    setup,
  );

  addAdminCommand(
    user,
    {
      name: 'delete <user-id>',
      summary: 'delete a user (installation admin)',
      description:
        'Deletes a user (UserService/DeleteUser): it leaves every organization and all its personal access ' +
        'tokens are refused at once.',
      examples: ['envid user delete 0b5f6a1e-2c1d-4a8e-9d7b-5f2c8e6a4b31'],
      parse: ([id]) => {
        const userId = checkId(id!, '<user-id>');
        return {
          method: 'UserService/DeleteUser',
          body: { userId },
          output: { kind: 'done', message: `deleted user ${userId}` },
          json: false,
        };
      },
    },
    setup,
  );
}
