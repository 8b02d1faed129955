import type { Command } from 'commander';
import { checkId, nonEmpty, orgBody } from '../admin/flags.ts';
import { type AdminSetup, addAdminCommand, addGroup, createInOrgOptions } from './admin-command.ts';
import { addListCommand, addOrgListCommand } from './list-command.ts';

/** `envid runner …`: the infrastructure that runs environments, and its tokens (docs/runners.md). */
export function registerRunnerCommands(program: Command, setup: AdminSetup): void {
  const runner = addGroup(program, {
    name: 'runner',
    summary: 'runners (what runs environments) and their tokens',
    description:
      'A runner is the infrastructure that runs environments; it authenticates with runner tokens and ' +
      'creates environment tokens for the environments it starts (docs/runners.md). Organization admins ' +
      'manage runners and their tokens; members read them.',
    examples: [
      'envid runner create --name eu-1',
      'envid runner tokens create 5d2a0a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31 --description "eu-1 host"',
    ],
  });

  addAdminCommand(
    runner,
    {
      name: 'create',
      summary: 'create a runner',
      description:
        'Creates a runner (RunnerService/CreateRunner). Give it a token with `envid runner tokens create`.',
      examples: [
        'envid runner create --name eu-1',
        'RUNNER=$(envid runner create --name eu-1 --json | jq -r .runner.runnerId)',
      ],
      json: true,
      options: createInOrgOptions,
      parse: (_args, flags) => ({
        method: 'RunnerService/CreateRunner',
        body: { name: nonEmpty(flags.name, '--name'), ...orgBody(flags) },
        output: { kind: 'object', key: 'runner', view: 'runner' },
        json: flags.json === true,
      }),
    },
    setup,
  );

  addAdminCommand(
    runner,
    {
      name: 'get <runner-id>',
      summary: 'show a runner',
      description: 'Shows a runner (RunnerService/GetRunner); a runner’s own token may read itself.',
      examples: ['envid runner get 5d2a0a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31'],
      json: true,
      parse: ([id], flags) => ({
        method: 'RunnerService/GetRunner',
        body: { runnerId: checkId(id!, '<runner-id>') },
        output: { kind: 'object', key: 'runner', view: 'runner' },
        json: flags.json === true,
      }),
    },
    setup,
  );

  addOrgListCommand(
    runner,
    {
      summary: 'list runners',
      description: 'Lists runners (RunnerService/ListRunners).',
      examples: ['envid runner list', 'envid runner list --json'],
      method: 'RunnerService/ListRunners',
      key: 'runners',
      view: 'runner',
    },
    setup,
  );

  addAdminCommand(
    runner,
    {
      name: 'delete <runner-id>',
      summary: 'delete a runner and revoke its tokens',
      description:
        'Deletes a runner (RunnerService/DeleteRunner); its tokens are revoked. Refused while environments on ' +
        'it are not deleted, unless --force, which deletes them first.',
      examples: ['envid runner delete 5d2a0a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31 --force'],
      options: (c) => c.option('--force', 'also delete its environments that are not deleted yet'),
      parse: ([id], flags) => {
        const runnerId = checkId(id!, '<runner-id>');
        return {
          method: 'RunnerService/DeleteRunner',
          body: { runnerId, ...(flags.force ? { force: true } : {}) },
          output: { kind: 'done', message: `deleted runner ${runnerId}` },
          json: false,
        };
      },
    },
    setup,
  );

  const tokens = addGroup(runner, {
    name: 'tokens',
    aliases: ['token'],
    summary: "a runner's tokens",
    description:
      'Runner tokens (envid_rnt_…) are a runner’s credentials. A runner may hold several valid tokens, so ' +
      'it can rotate them without downtime. The secret is printed once, when the token is created.',
    examples: [
      'envid runner tokens create 5d2a0a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31 --description "eu-1 host"',
      'envid runner tokens list 5d2a0a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31',
    ],
  });

  addAdminCommand(
    tokens,
    {
      name: 'create <runner-id>',
      summary: 'create a runner token (printed once)',
      description:
        'Creates a runner token (RunnerService/CreateRunnerToken) and prints the secret alone on stdout, once; ' +
        'its ID (for revoking) goes to stderr, and with --json both are printed.',
      examples: [
        'envid runner tokens create 5d2a0a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31 --description "eu-1 host"',
        'RUNNER_TOKEN=$(envid runner tokens create 5d2a0a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31)',
      ],
      json: true,
      options: (c) => c.option('--description <text>', 'what the token is for (default "runner token")'),
      parse: ([id], flags) => ({
        method: 'RunnerService/CreateRunnerToken',
        body: {
          runnerId: checkId(id!, '<runner-id>'),
          ...(flags.description !== undefined
            ? { description: nonEmpty(flags.description, '--description') }
            : {}),
        },
        output: { kind: 'secret', field: 'accessToken', what: 'runner token {id}', idField: 'tokenId' },
        json: flags.json === true,
      }),
    },
    setup,
  );

  addListCommand(
    tokens,
    {
      name: 'list <runner-id>',
      summary: "list a runner's tokens (never the secrets)",
      description: 'Lists a runner’s tokens, revoked ones too (RunnerService/ListRunnerTokens).',
      examples: ['envid runner tokens list 5d2a0a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31 --json'],
      body: ([id]) => ({ runnerId: checkId(id!, '<runner-id>') }),
      method: 'RunnerService/ListRunnerTokens',
      key: 'tokens',
      view: 'runnerToken',
    },
    setup,
  );

  addAdminCommand(
    tokens,
    {
      name: 'revoke <runner-id> <token-id>',
      summary: 'revoke a runner token',
      description:
        'Revokes a runner token (RunnerService/RevokeRunnerToken): refused from the next request on.',
      examples: [
        'envid runner tokens revoke 5d2a0a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31 91c00a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31',
      ],
      json: true,
      parse: ([runnerId, tokenId], flags) => ({
        method: 'RunnerService/RevokeRunnerToken',
        body: { runnerId: checkId(runnerId!, '<runner-id>'), tokenId: checkId(tokenId!, '<token-id>') },
        output: { kind: 'object', key: 'token', view: 'runnerToken' },
        json: flags.json === true,
      }),
    },
    setup,
  );
}
