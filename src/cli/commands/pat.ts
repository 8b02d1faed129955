import type { Command } from 'commander';
import { usageError } from '../../shared/exit-codes.ts';
import { checkId, nonEmpty, optionalId, orgBody, parseExpiry } from '../admin/flags.ts';
import { type AdminSetup, addAdminCommand, addGroup, orgOption } from './admin-command.ts';
import { addListCommand } from './list-command.ts';

const expiryOptions = (command: Command) =>
  command
    .option('--valid-for <duration>', 'expire after this long, e.g. 30d, 12h, 1w (default: never)')
    .option('--expires-at <time>', 'expire at this RFC 3339 time, e.g. 2027-01-01T00:00:00Z');

/** `envid pat …`: personal access tokens, a user's credential for one organization. */
export function registerPatCommands(program: Command, setup: AdminSetup): void {
  const pat = addGroup(program, {
    name: 'pat',
    summary: 'personal access tokens (a user’s credential)',
    description:
      'A personal access token is a user’s credential, bound to one organization the user is a member of, ' +
      'or account-level (bound to none: it only joins and leaves organizations and creates tokens for them). ' +
      'A user manages its own; organization admins see and revoke those of their organization; the ' +
      'installation admin creates them for any member, and account-level ones for any user.',
    examples: [
      'envid pat create --description laptop --valid-for 30d',
      'envid pat list',
      'envid pat revoke 5c1e0a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31',
    ],
  });

  addAdminCommand(
    pat,
    {
      name: 'create',
      summary: 'create a personal access token (printed once)',
      description:
        'Creates a personal access token (UserService/CreatePersonalAccessToken) and prints the secret alone ' +
        'on stdout, once: envid keeps only its hash. A user creates one for itself in the organization its ' +
        'credential is bound to (an account-level credential names --org, one of the user’s organizations); ' +
        'the installation admin names --user and --org, or --user and --account for an account-level token: ' +
        'the way a new user joins its first organization (`envid org join`).',
      examples: [
        'envid pat create --description laptop --valid-for 30d',
        'envid pat create --user 0b5f6a1e-2c1d-4a8e-9d7b-5f2c8e6a4b31 --org 8d0f3c2e-5b7a-4e47-9c59-2f1f3f1a6b10 --description ci',
        'envid pat create --user 0b5f6a1e-2c1d-4a8e-9d7b-5f2c8e6a4b31 --account --description "first login" --valid-for 1d',
      ],
      json: true,
      options: (c) =>
        expiryOptions(
          orgOption(c)
            .requiredOption(
              '--description <text>',
              'what the token is for, at most 200 characters (required)',
            )
            .option(
              '--user <user-id>',
              'whose token (default: the credential’s user; required for the installation admin)',
            )
            .option('--account', 'an account-level token, bound to no organization (installation admin)'),
        ),
      parse: (_args, flags) => {
        if (flags.account === true && flags.org !== undefined) {
          throw usageError(
            'an --account token is bound to no organization: give --account or --org, not both',
          );
        }
        return {
          method: 'UserService/CreatePersonalAccessToken',
          body: {
            ...orgBody(flags),
            ...(flags.user !== undefined ? { userId: optionalId(flags.user, '--user') } : {}),
            description: nonEmpty(flags.description, '--description'),
            ...parseExpiry(flags),
          },
          ...(flags.account === true ? {} : { defaultOrganization: 'required' as const }),
          output: {
            kind: 'secret',
            field: 'token',
            what: 'personal access token {id}',
            idField: 'personalAccessToken.id',
          },
          json: flags.json === true,
        };
      },
    },
    setup,
  );

  addAdminCommand(
    pat,
    {
      name: 'get <token-id>',
      summary: 'show a personal access token (never its secret)',
      description: 'Shows a personal access token (UserService/GetPersonalAccessToken), revoked ones too.',
      examples: ['envid pat get 5c1e0a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31'],
      json: true,
      parse: ([id], flags) => ({
        method: 'UserService/GetPersonalAccessToken',
        body: { personalAccessTokenId: checkId(id!, '<token-id>') },
        output: { kind: 'object', key: 'pat', view: 'personalAccessToken' },
        json: flags.json === true,
      }),
    },
    setup,
  );

  addListCommand(
    pat,
    {
      summary: 'list personal access tokens',
      description:
        'Lists personal access tokens (UserService/ListPersonalAccessTokens): a member its own, an ' +
        'organization admin those of the organization, the installation admin all; --user narrows to one user.',
      examples: ['envid pat list', 'envid pat list --user 0b5f6a1e-2c1d-4a8e-9d7b-5f2c8e6a4b31 --json'],
      options: (c) => c.option('--user <user-id>', 'only the tokens of this user'),
      body: (_args, flags) => {
        const userId = optionalId(flags.user, '--user');
        return userId ? { filter: { userIds: [userId] } } : {};
      },
      method: 'UserService/ListPersonalAccessTokens',
      key: 'personalAccessTokens',
      view: 'personalAccessToken',
    },
    setup,
  );

  addAdminCommand(
    pat,
    {
      name: 'revoke <token-id>',
      aliases: ['delete'],
      summary: 'revoke a personal access token',
      description:
        'Revokes a personal access token (UserService/DeletePersonalAccessToken): it is refused from the next ' +
        'request on. Its record stays, with revokedAt.',
      examples: ['envid pat revoke 5c1e0a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31'],
      parse: ([id]) => {
        const personalAccessTokenId = checkId(id!, '<token-id>');
        return {
          method: 'UserService/DeletePersonalAccessToken',
          body: { personalAccessTokenId },
          output: { kind: 'done', message: `revoked personal access token ${personalAccessTokenId}` },
          json: false,
        };
      },
    },
    setup,
  );
}

export { expiryOptions };
