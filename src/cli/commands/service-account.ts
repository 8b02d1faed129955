import type { Command } from 'commander';
import { checkId, nonEmpty, orgBody, parseExpiry } from '../admin/flags.ts';
import { type AdminSetup, addAdminCommand, addGroup, createInOrgOptions } from './admin-command.ts';
import { addListCommand, addOrgListCommand } from './list-command.ts';
import { expiryOptions } from './pat.ts';

/** `envid service-account …`: non-human members for automation, and their tokens. */
export function registerServiceAccountCommands(program: Command, setup: AdminSetup): void {
  const sa = addGroup(program, {
    name: 'service-account',
    aliases: ['sa'],
    summary: 'service accounts (automation) and their tokens',
    description:
      'Service accounts are non-human members of one organization, for automation; they authenticate with ' +
      'service account tokens. Organization admins manage them and their tokens; members read them.',
    examples: [
      'envid service-account create --name deployer',
      'envid service-account tokens create 7a9e0a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31 --description CI --valid-for 90d',
    ],
  });

  addAdminCommand(
    sa,
    {
      name: 'create',
      summary: 'create a service account',
      description:
        'Creates a service account (ServiceAccountService/CreateServiceAccount). It has no token yet.',
      examples: ['envid service-account create --name deployer'],
      json: true,
      options: createInOrgOptions,
      parse: (_args, flags) => ({
        method: 'ServiceAccountService/CreateServiceAccount',
        body: { name: nonEmpty(flags.name, '--name'), ...orgBody(flags) },
        output: { kind: 'object', key: 'serviceAccount', view: 'serviceAccount' },
        json: flags.json === true,
      }),
    },
    setup,
  );

  addAdminCommand(
    sa,
    {
      name: 'get <service-account-id>',
      summary: 'show a service account',
      description: 'Shows a service account (ServiceAccountService/GetServiceAccount).',
      examples: ['envid service-account get 7a9e0a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31 --json'],
      json: true,
      parse: ([id], flags) => ({
        method: 'ServiceAccountService/GetServiceAccount',
        body: { serviceAccountId: checkId(id!, '<service-account-id>') },
        output: { kind: 'object', key: 'serviceAccount', view: 'serviceAccount' },
        json: flags.json === true,
      }),
    },
    setup,
  );

  addOrgListCommand(
    sa,
    {
      summary: 'list service accounts',
      description: 'Lists service accounts (ServiceAccountService/ListServiceAccounts).',
      examples: ['envid service-account list', 'envid service-account list --all --json'],
      method: 'ServiceAccountService/ListServiceAccounts',
      key: 'serviceAccounts',
      view: 'serviceAccount',
    },
    setup,
  );

  addAdminCommand(
    sa,
    {
      name: 'delete <service-account-id>',
      summary: 'delete a service account and revoke its tokens',
      description:
        'Deletes a service account (ServiceAccountService/DeleteServiceAccount); its tokens are refused at once.',
      examples: ['envid service-account delete 7a9e0a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31'],
      parse: ([id]) => {
        const serviceAccountId = checkId(id!, '<service-account-id>');
        return {
          method: 'ServiceAccountService/DeleteServiceAccount',
          body: { serviceAccountId },
          output: { kind: 'done', message: `deleted service account ${serviceAccountId}` },
          json: false,
        };
      },
    },
    setup,
  );

  const tokens = addGroup(sa, {
    name: 'tokens',
    aliases: ['token'],
    summary: "a service account's tokens",
    description:
      'Service account tokens (envid_sat_…) are the credentials of a service account. The secret is printed ' +
      'once, when the token is created.',
    examples: [
      'envid service-account tokens create 7a9e0a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31 --description CI',
      'envid service-account tokens list 7a9e0a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31',
    ],
  });

  addAdminCommand(
    tokens,
    {
      name: 'create <service-account-id>',
      summary: 'create a service account token (printed once)',
      description:
        'Creates a token (ServiceAccountService/CreateServiceAccountToken) and prints the secret alone on ' +
        'stdout, once: envid keeps only its hash.',
      examples: [
        'envid service-account tokens create 7a9e0a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31 --description CI --valid-for 90d',
        'TOKEN=$(envid service-account tokens create 7a9e0a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31 --description CI)',
      ],
      json: true,
      options: (c) =>
        expiryOptions(
          c.requiredOption(
            '--description <text>',
            'what the token is for, at most 200 characters (required)',
          ),
        ),
      parse: ([id], flags) => ({
        method: 'ServiceAccountService/CreateServiceAccountToken',
        body: {
          serviceAccountId: checkId(id!, '<service-account-id>'),
          description: nonEmpty(flags.description, '--description'),
          ...parseExpiry(flags),
        },
        output: {
          kind: 'secret',
          field: 'token',
          what: 'service account token {id}',
          idField: 'serviceAccountToken.id',
        },
        json: flags.json === true,
      }),
    },
    setup,
  );

  addListCommand(
    tokens,
    {
      name: 'list <service-account-id>',
      summary: "list a service account's tokens (never the secrets)",
      description: 'Lists the tokens, revoked ones too (ServiceAccountService/ListServiceAccountTokens).',
      examples: ['envid service-account tokens list 7a9e0a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31 --json'],
      body: ([id]) => ({ serviceAccountId: checkId(id!, '<service-account-id>') }),
      method: 'ServiceAccountService/ListServiceAccountTokens',
      key: 'serviceAccountTokens',
      view: 'serviceAccountToken',
    },
    setup,
  );

  addAdminCommand(
    tokens,
    {
      name: 'revoke <token-id>',
      summary: 'revoke a service account token',
      description:
        'Revokes a token (ServiceAccountService/RevokeServiceAccountToken): refused from the next request on.',
      examples: ['envid service-account tokens revoke c4d20a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31'],
      parse: ([id]) => {
        const serviceAccountTokenId = checkId(id!, '<token-id>');
        return {
          method: 'ServiceAccountService/RevokeServiceAccountToken',
          body: { serviceAccountTokenId },
          output: { kind: 'done', message: `revoked service account token ${serviceAccountTokenId}` },
          json: false,
        };
      },
    },
    setup,
  );
}
